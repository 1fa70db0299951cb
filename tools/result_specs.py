"""What each tool's content carries: `summary` keys, row label and row columns, with formats.

The offline planner's narrative templates (`prompts/narrative_<tool>.md`) use exactly the
summary keys (plus `rows`, `actions`, `note`), which a unit test checks; the tools in this
package fill them. Re-exported by `tools.schemas`. A key has one kind (money, percent, count,
text) in every tool that reports it: `_KINDS` says which, so the specs give only key and label.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["money", "percent", "count", "number", "text"]


@dataclass(frozen=True)
class Column:
    """One value in a tool's content: JSON key, reader-facing label, how to format it.

    Kinds: money (account currency, per month unless the key says annual), percent (a
    fraction 0-1), count (integer), number, text.
    """

    key: str
    label: str
    kind: Kind = "text"


@dataclass(frozen=True)
class ResultSpec:
    """What a tool's content carries: `summary` keys, and per row a label plus columns.

    `summary` is what the narrative template renders; `extra` names further summary keys the
    model reads but the narrative leaves out (breakdowns, model versions). A tool's summary
    has exactly these keys.
    """

    summary: tuple[Column, ...] = ()
    row_label: tuple[str, ...] = ()
    rows: tuple[Column, ...] = ()
    extra: tuple[str, ...] = ()

    @property
    def summary_keys(self) -> frozenset[str]:
        """Every key of the tool's summary: the narrative's and the extra ones."""
        return frozenset(column.key for column in self.summary) | frozenset(self.extra)


_KINDS: dict[Kind, tuple[str, ...]] = {
    "money": (
        "amount",
        "detected_leakage",
        "detected_monthly_leakage",
        "est_monthly_leakage",
        "expected_annual_loss",
        "expected_loss",
        "latest_month_amount",
        "latest_revenue",
        "monthly_change",
        "mrr",
        "revenue",
        "revenue_mean",
        "total_amount",
        "total_detected_leakage",
        "total_expected_annual_loss",
        "total_expected_loss",
        "total_monthly_revenue",
        "total_mrr",
        "trend",
    ),
    "percent": (
        "decline_probability",
        "leakage_probability",
        "relative_change",
        "share",
        "share_declining",
        "share_of_revenue",
    ),
    "count": (
        "decline_level",
        "n_accounts",
        "n_anomalies",
        "n_customers",
        "n_declining",
        "n_findings",
        "n_high_risk",
        "n_low_risk",
        "n_medium_risk",
        "n_months",
        "n_rows",
        "n_segments",
        "segment_id",
    ),
}
"""Every key that is not text, by kind: one kind per key, in whichever tool it appears."""

_KIND_OF: dict[str, Kind] = {key: kind for kind, keys in _KINDS.items() for key in keys}


def _columns(**labels: str) -> tuple[Column, ...]:
    """Columns in the order given, key = label; each key's kind comes from `_KINDS`.

    Examples:
        >>> _columns(n_rows="rows returned", scope="accounts")[0]
        Column(key='n_rows', label='rows returned', kind='count')
    """
    return tuple(Column(key, label, _KIND_OF.get(key, "text")) for key, label in labels.items())


RESULT_SPECS: dict[str, ResultSpec] = {
    "portfolio_summary": ResultSpec(
        summary=_columns(
            as_of_month="month",
            n_accounts="accounts",
            total_mrr="MRR",
            detected_leakage="detected leakage in the latest month",
            expected_loss="predicted expected loss next month",
            expected_annual_loss="predicted expected loss per year",
            n_high_risk="high-risk accounts",
            n_declining="customers with declining revenue",
        ),
        row_label=("dimension", "value"),
        rows=_columns(
            n_accounts="accounts",
            mrr="MRR",
            detected_leakage="detected",
            expected_loss="expected loss",
        ),
        extra=("detected_leakage_all_months", "decline_level_counts", "detected_month"),
    ),
    "score_leakage": ResultSpec(
        summary=_columns(
            scope="accounts",
            n_accounts="accounts",
            n_high_risk="high-risk accounts",
            total_expected_loss="at risk next month (predicted expected loss)",
            total_detected_leakage="leaking now (detected, exact)",
            ranked_by="ranked by",
            as_of_month="data as of",
        ),
        row_label=("account_id",),
        rows=_columns(
            tier="tier",
            risk_level="risk",
            leakage_probability="probability next month",
            expected_loss="at risk next month (predicted)",
            detected_monthly_leakage="leaking now (detected)",
            mrr="MRR",
            top_factor="main factor",
        ),
        extra=("order_by", "actions_by_stake"),
    ),
    "explain_risk_factors": ResultSpec(
        summary=_columns(
            account_id="account",
            tier="tier",
            risk_level="risk level",
            leakage_probability="probability of leakage",
            predicted_leakage_type="likely leakage type",
            est_monthly_leakage="amount if it leaks",
            expected_loss="expected loss",
            mrr="MRR",
            detected_monthly_leakage="detected in the latest month",
        ),
        row_label=("factor",),
        rows=_columns(
            effect="effect",
        ),
        extra=("n_findings", "as_of_month"),
    ),
    "detect_leakage": ResultSpec(
        summary=_columns(
            scope="scope",
            n_findings="findings",
            n_accounts="accounts",
            total_amount="detected leakage",
            latest_month="latest month",
            latest_month_amount="detected in the latest month",
        ),
        row_label=("account_id",),
        rows=_columns(
            leakage_type="type",
            month="month",
            amount="amount",
            evidence="evidence",
        ),
        extra=("by_type", "period"),
    ),
    "decompose_trend": ResultSpec(
        summary=_columns(
            customer_id="customer",
            decline_probability="decline probability",
            decline_label="outlook",
            decline_level="decline level",
            decline_drivers="top drivers",
            definition="decline means",
            monthly_change="trend change per month",
            relative_change="trend change per month, share of revenue",
            latest_revenue="latest monthly revenue",
            n_months="months",
            n_anomalies="anomalous months",
            anomaly_months="anomalous months",
            segment_name="segment",
            seasonality="seasonality",
        ),
        row_label=("month",),
        rows=_columns(
            revenue="revenue",
            trend="trend",
            anomaly="flag",
        ),
        extra=("status", "seasonal_strength"),
    ),
    "find_declining_customers": ResultSpec(
        summary=_columns(
            scope="decline levels",
            n_customers="declining customers",
            total_monthly_revenue="their average monthly revenue, summed",
            definition="ranking",
        ),
        row_label=("customer_id",),
        rows=_columns(
            decline_probability="decline probability",
            decline_label="outlook",
            monthly_change="trend change per month",
            relative_change="per month",
            revenue_mean="average monthly revenue",
            segment_id="segment",
        ),
    ),
    "list_segments": ResultSpec(
        summary=_columns(
            n_segments="segments",
            n_customers="customers",
        ),
        row_label=("segment_id", "label"),
        rows=_columns(
            n_customers="customers",
            share="share of customers",
            revenue_mean="average monthly revenue",
            share_declining="declining",
        ),
        extra=("k", "silhouette", "stability_ari"),
    ),
    "segment_report": ResultSpec(
        summary=_columns(
            segment_id="segment",
            label="profile",
            scope="group",
            n_customers="customers",
            revenue_mean="average monthly revenue",
            total_monthly_revenue="monthly revenue",
            share_of_revenue="share of portfolio revenue",
            share_declining="share declining",
        ),
        row_label=("customer_id",),
        rows=_columns(
            decline_level="decline level",
            monthly_change="trend change per month",
            revenue_mean="average monthly revenue",
        ),
        extra=("decline_level_counts",),
    ),
    "query_duckdb": ResultSpec(
        summary=_columns(
            n_rows="rows returned",
        )
    ),
    "score_file": ResultSpec(
        summary=_columns(
            file="file",
            n_accounts="accounts scored",
            n_high_risk="high-risk accounts",
            n_medium_risk="medium-risk accounts",
            n_low_risk="low-risk accounts",
            total_expected_loss="expected loss",
            total_expected_annual_loss="expected loss per year",
            scope="listed accounts",
        ),
        row_label=("account_id",),
        rows=_columns(
            risk_level="risk",
            leakage_probability="probability",
            expected_loss="expected loss",
            top_factor="main factor",
            top_factors="risk factors",
        ),
        extra=("n_listed", "model_version", "model_trained_on"),
    ),
}
"""Tool name → what its content carries. Rows of query_duckdb are free-form (any columns)."""
