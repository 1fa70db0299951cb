"""What each tool's content carries: `summary` keys, row label and row columns, with formats.

The offline planner's narrative templates (`prompts/narrative_<tool>.md`) use exactly the
summary keys (plus `rows`, `actions`, `note`), which a unit test checks; the tools in this
package fill them. Re-exported by `tools.schemas`.
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


_MONEY_ROWS = (
    Column("tier", "tier"),
    Column("risk_level", "risk"),
    Column("leakage_probability", "probability", "percent"),
    Column("expected_loss", "expected loss", "money"),
    Column("mrr", "MRR", "money"),
    Column("top_factor", "main factor"),
)
_DECLINE_ROWS = (
    Column("decline_probability", "decline probability", "percent"),
    Column("decline_label", "outlook"),
    Column("monthly_change", "trend change per month", "money"),
    Column("relative_change", "per month", "percent"),
    Column("revenue_mean", "average monthly revenue", "money"),
)

RESULT_SPECS: dict[str, ResultSpec] = {
    "portfolio_summary": ResultSpec(
        summary=(
            Column("as_of_month", "month"),
            Column("n_accounts", "accounts", "count"),
            Column("total_mrr", "MRR", "money"),
            Column("detected_leakage", "detected leakage in the latest month", "money"),
            Column("expected_loss", "predicted expected loss next month", "money"),
            Column("expected_annual_loss", "predicted expected loss per year", "money"),
            Column("n_high_risk", "high-risk accounts", "count"),
            Column("n_declining", "customers with declining revenue", "count"),
        ),
        row_label=("dimension", "value"),
        rows=(
            Column("n_accounts", "accounts", "count"),
            Column("mrr", "MRR", "money"),
            Column("detected_leakage", "detected", "money"),
            Column("expected_loss", "expected loss", "money"),
        ),
        extra=("detected_leakage_all_months", "decline_level_counts"),
    ),
    "score_leakage": ResultSpec(
        summary=(
            Column("scope", "accounts"),
            Column("n_accounts", "accounts", "count"),
            Column("n_high_risk", "high-risk accounts", "count"),
            Column("total_expected_loss", "at risk next month (predicted expected loss)", "money"),
            Column("total_detected_leakage", "leaking now (detected, exact)", "money"),
            Column("ranked_by", "ranked by"),
            Column("as_of_month", "data as of"),
        ),
        row_label=("account_id",),
        rows=(
            Column("tier", "tier"),
            Column("risk_level", "risk"),
            Column("leakage_probability", "probability next month", "percent"),
            Column("expected_loss", "at risk next month (predicted)", "money"),
            Column("detected_monthly_leakage", "leaking now (detected)", "money"),
            Column("mrr", "MRR", "money"),
            Column("top_factor", "main factor"),
        ),
        extra=("order_by", "actions_by_stake"),
    ),
    "explain_risk_factors": ResultSpec(
        summary=(
            Column("account_id", "account"),
            Column("tier", "tier"),
            Column("risk_level", "risk level"),
            Column("leakage_probability", "probability of leakage", "percent"),
            Column("predicted_leakage_type", "likely leakage type"),
            Column("est_monthly_leakage", "amount if it leaks", "money"),
            Column("expected_loss", "expected loss", "money"),
            Column("mrr", "MRR", "money"),
            Column("detected_monthly_leakage", "detected in the latest month", "money"),
        ),
        row_label=("factor",),
        rows=(Column("effect", "effect"),),
        extra=("n_findings", "as_of_month"),
    ),
    "detect_leakage": ResultSpec(
        summary=(
            Column("scope", "scope"),
            Column("n_findings", "findings", "count"),
            Column("n_accounts", "accounts", "count"),
            Column("total_amount", "detected leakage", "money"),
            Column("latest_month", "latest month"),
            Column("latest_month_amount", "detected in the latest month", "money"),
        ),
        row_label=("account_id",),
        rows=(
            Column("leakage_type", "type"),
            Column("month", "month"),
            Column("amount", "amount", "money"),
            Column("evidence", "evidence"),
        ),
        extra=("by_type",),
    ),
    "decompose_trend": ResultSpec(
        summary=(
            Column("customer_id", "customer"),
            Column("decline_probability", "decline probability", "percent"),
            Column("decline_label", "outlook"),
            Column("decline_level", "decline level", "count"),
            Column("decline_drivers", "top drivers"),
            Column("definition", "decline means"),
            Column("monthly_change", "trend change per month", "money"),
            Column("relative_change", "trend change per month, share of revenue", "percent"),
            Column("latest_revenue", "latest monthly revenue", "money"),
            Column("n_months", "months", "count"),
            Column("n_anomalies", "anomalous months", "count"),
            Column("anomaly_months", "anomalous months"),
            Column("segment_name", "segment"),
            Column("seasonality", "seasonality"),
        ),
        row_label=("month",),
        rows=(
            Column("revenue", "revenue", "money"),
            Column("trend", "trend", "money"),
            Column("anomaly", "flag"),
        ),
        extra=("status", "seasonal_strength"),
    ),
    "find_declining_customers": ResultSpec(
        summary=(
            Column("scope", "decline levels"),
            Column("n_customers", "declining customers", "count"),
            Column("total_monthly_revenue", "their average monthly revenue, summed", "money"),
            Column("definition", "ranking"),
        ),
        row_label=("customer_id",),
        rows=(*_DECLINE_ROWS, Column("segment_id", "segment", "count")),
    ),
    "list_segments": ResultSpec(
        summary=(
            Column("n_segments", "segments", "count"),
            Column("n_customers", "customers", "count"),
        ),
        row_label=("segment_id", "label"),
        rows=(
            Column("n_customers", "customers", "count"),
            Column("share", "share of customers", "percent"),
            Column("revenue_mean", "average monthly revenue", "money"),
            Column("share_declining", "declining", "percent"),
        ),
        extra=("k", "silhouette", "stability_ari"),
    ),
    "segment_report": ResultSpec(
        summary=(
            Column("segment_id", "segment", "count"),
            Column("label", "profile"),
            Column("scope", "group"),
            Column("n_customers", "customers", "count"),
            Column("revenue_mean", "average monthly revenue", "money"),
            Column("total_monthly_revenue", "monthly revenue", "money"),
            Column("share_of_revenue", "share of portfolio revenue", "percent"),
            Column("share_declining", "share declining", "percent"),
        ),
        row_label=("customer_id",),
        rows=(
            Column("decline_level", "decline level", "count"),
            Column("monthly_change", "trend change per month", "money"),
            Column("revenue_mean", "average monthly revenue", "money"),
        ),
        extra=("decline_level_counts",),
    ),
    "query_duckdb": ResultSpec(
        summary=(Column("n_rows", "rows returned", "count"),),
    ),
    "score_file": ResultSpec(
        summary=(
            Column("file", "file"),
            Column("n_accounts", "accounts scored", "count"),
            Column("n_high_risk", "high-risk accounts", "count"),
            Column("n_medium_risk", "medium-risk accounts", "count"),
            Column("n_low_risk", "low-risk accounts", "count"),
            Column("total_expected_loss", "expected loss", "money"),
            Column("total_expected_annual_loss", "expected loss per year", "money"),
            Column("scope", "listed accounts"),
        ),
        row_label=("account_id",),
        rows=(
            Column("risk_level", "risk"),
            Column("leakage_probability", "probability", "percent"),
            Column("expected_loss", "expected loss", "money"),
            Column("top_factor", "main factor"),
            Column("top_factors", "risk factors"),
        ),
        extra=("n_listed", "model_version", "model_trained_on"),
    ),
}
"""Tool name → what its content carries. Rows of query_duckdb are free-form (any columns)."""
