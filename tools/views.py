"""Chart specs and action texts for tool artifacts: formatting only, no analytics.

Charts follow the UI's contract (ui/charts.py): `{"kind": K, "data": {...}}` with kinds
`risk_gauge`, `risk_distribution`, `leakage_by_type`, `revenue_trend` and `segment_radar`.
Action texts come from the leakage service's catalogue (`analytics.leakage.recommend`), never
from the tools themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from numbers import Number
from typing import Any

from analytics.leakage.recommend import CATALOGUE
from domain import DEFAULT_CURRENCY, FRACTION_COLUMNS, SPAN_COLUMNS, format_money

Chart = dict[str, Any]
MAX_CHART_POINTS = 5_000
"""Most probabilities a risk histogram carries (an even sample of bigger files)."""


def type_label(leakage_type: str) -> str:
    """`Failed_Payment_Retry` → `failed payment retry`, for prose."""
    return str(leakage_type).replace("_", " ").lower()


def risk_gauge(
    account_id: str, probability: float, risk_level: str, high: float, medium: float
) -> Chart:
    """One account's leakage probability against the High/Medium cut-offs it was rated with."""
    return {
        "kind": "risk_gauge",
        "data": {
            "account_id": account_id,
            "probability": probability,
            "risk_level": risk_level,
            "thresholds": {"high": high, "medium": medium},
        },
    }


def risk_distribution(
    counts: Mapping[str, int], probabilities: Sequence[float] | None = None, title: str = ""
) -> Chart:
    """Accounts per risk level; `probabilities` (evenly sampled to MAX_CHART_POINTS) adds a
    histogram."""
    data: dict[str, Any] = {
        "counts": {level: int(counts.get(level, 0)) for level in ("High", "Medium", "Low")},
        "title": title or "Accounts by predicted leakage risk",
    }
    if probabilities is not None and len(probabilities):
        step = max(1, -(-len(probabilities) // MAX_CHART_POINTS))
        data["probabilities"] = [round(float(p), 4) for p in probabilities[::step]]
    return {"kind": "risk_distribution", "data": data}


def leakage_by_type(
    amounts: Mapping[str, float],
    counts: Mapping[str, int] | None = None,
    currency: str = DEFAULT_CURRENCY,
) -> Chart:
    """Detected leakage amount (and findings) per leakage type."""
    data: dict[str, Any] = {"amounts": dict(amounts), "currency": currency}
    if counts:
        data["counts"] = dict(counts)
    return {"kind": "leakage_by_type", "data": data}


def _not_below_zero(values: list[Any]) -> list[Any]:
    """Fitted revenue lines drawn at 0 where the fit dips below it: revenue is never
    negative, and a customer at $0 is churned, not at -$14,863."""
    return [max(v, 0.0) if isinstance(v, int | float) and v == v else v for v in values]


def revenue_trend(summary: Mapping[str, Any], series: Any, seasonal: bool) -> Chart:
    """A customer's monthly revenue with its trend, 3-month average and anomaly months.

    `series` is indexed 'YYYY-MM' with revenue, trend (the local level), line (the straight
    fit, optional), moving_avg_3 and seasonal; the seasonal part is sent only for customers
    judged seasonal.
    """
    return {
        "kind": "revenue_trend",
        "data": {
            "customer_id": summary["customer_id"],
            "months": [str(month) for month in series.index],
            "revenue": series["revenue"].tolist(),
            "trend": _not_below_zero(series["trend"].tolist()),
            "line": _not_below_zero(series["line"].tolist()) if "line" in series else None,
            "moving_avg": _not_below_zero(series["moving_avg_3"].tolist()),
            "seasonal": series["seasonal"].tolist() if seasonal else None,
            "anomaly_months": list(summary.get("anomaly_months") or []),
            "decline_level": summary.get("decline_level"),
            "status": summary.get("status"),
            "currency": summary.get("currency"),
        },
    }


def _is_number(value: Any) -> bool:
    return isinstance(value, Number) and not isinstance(value, bool)


def _months(row: Mapping[str, Any], prefix: str) -> str:
    """ "2026-01 to 2026-10", or "2026-10" for one month (rt11 R-L3: a one-month change chart
    was titled "2026-10 to 2026-10").

    Examples:
        >>> _months({"period_start": "2026-10", "period_end": "2026-10"}, "period")
        '2026-10'
        >>> _months({"compared_start": "2025-01", "compared_end": "2025-03"}, "compared")
        '2025-01 to 2025-03'
    """
    start = row[f"{prefix}_start"]
    end = row.get(f"{prefix}_end") or start
    return str(start) if end == start else f"{start} to {end}"


def money_in_currencies(by_currency: dict[str, float], total: float) -> tuple[str | None, Any]:
    """(the currency, the total) of money summed over customers: the total as is in its one
    currency, or, over several, each currency's part in words (never one sum across them).

    Examples:
        >>> money_in_currencies({"GBP": 7506.0}, 7506.0)
        ('GBP', 7506.0)
        >>> money_in_currencies({"EUR": 3785.5, "GBP": 7506.0}, 11291.5)
        (None, '€3,786 and £7,506 (not added across currencies)')
        >>> money_in_currencies({}, 12.5)
        (None, 12.5)
    """
    if len(by_currency) > 1:
        parts = " and ".join(format_money(value, code) for code, value in by_currency.items())
        return None, f"{parts} (not added across currencies)"
    return next(iter(by_currency), None), total


def _one_currency(
    rows: Sequence[Mapping[str, Any]],
) -> tuple[Sequence[Mapping[str, Any]], list[str]]:
    """The rows of one currency, and the other currencies left out: one axis never carries
    two currencies (rt12 T-M17: EUR bars were drawn on a chart titled GBP). The currency with
    the most rows is drawn, the first on a tie.

    Examples:
        >>> rows = [{"c": "A", "currency": "GBP"}, {"c": "B", "currency": "EUR"},
        ...         {"c": "C", "currency": "GBP"}]
        >>> kept, left_out = _one_currency(rows)
        >>> [r["c"] for r in kept], left_out
        (['A', 'C'], ['EUR'])
    """
    codes = [row.get("currency") for row in rows]
    named = [code for code in dict.fromkeys(codes) if isinstance(code, str)]
    if len(named) < 2:
        return rows, []
    drawn = max(named, key=codes.count)  # max keeps the first of equal counts
    return [row for row in rows if row.get("currency") == drawn], [c for c in named if c != drawn]


def sql_chart(rows: Sequence[Mapping[str, Any]]) -> Chart | None:
    """A bar chart (a line for months) when a query returns one number per category or month:
    the first text column against the first numeric column, as a Plotly figure dict (which
    ui/charts.py draws as is). None for a single row, several label columns or no number.

    Months are categories on the axis, as written: Plotly parsed "2026-09" and "2026-10" as
    dates and drew a day axis ("Sep 6, Sep 13, …", rt14 V-L1). The currency is named in the
    title only for an amount: a count or a share has none ("N failed payments … (USD)").

    Examples:
        >>> chart = sql_chart([{"tier": "Starter", "n": 3}, {"tier": "Business", "n": 5}])
        >>> chart["data"][0]["type"], chart["data"][0]["y"]
        ('bar', [3.0, 5.0])
        >>> months = [{"month": "2026-09", "net_revenue": 4.4e6, "currency": "USD"},
        ...           {"month": "2026-10", "net_revenue": 4.3e6, "currency": "USD"}]
        >>> chart = sql_chart(months)
        >>> chart["layout"]["xaxis"]["type"], chart["layout"]["title"]["text"]
        ('category', 'Net revenue by month (USD)')
        >>> counts = [{"account_id": "ACC000057", "n_failed_payments": 73, "currency": "USD"},
        ...           {"account_id": "ACC001505", "n_failed_payments": 73, "currency": "USD"}]
        >>> sql_chart(counts)["layout"]["title"]["text"]
        'Failed payments by account id'
    """
    if len(rows) < 2:
        return None
    columns = [c for c in rows[0] if c not in SPAN_COLUMNS]  # what the figures cover: not
    # plotted (rt10 N-M6: "months with data" was drawn under a revenue answer)
    if not columns:
        return None
    label, *values = columns
    numeric = [  # a row without a figure ("CUST-001 (no revenue found)") is a gap, not a 0
        c
        for c in values
        if all(_is_number(r.get(c)) or r.get(c) is None for r in rows)
        and any(_is_number(r.get(c)) for r in rows)
    ]
    if not numeric or any(_is_number(r.get(label)) for r in rows):
        return None
    measure = numeric[0]
    rows, left_out = _one_currency(rows)
    monthly = label == "month"
    trace: dict[str, Any] = {
        "type": "scatter" if monthly else "bar",
        "x": [str(r[label]) for r in rows],
        "y": [float(r[measure]) if _is_number(r.get(measure)) else None for r in rows],
        "name": measure.replace("_", " "),
    }
    if monthly:
        trace["mode"] = "lines+markers"
    amount = not (
        measure.startswith("n_") or measure.endswith("_seats") or measure in FRACTION_COLUMNS
    )
    named = measure.removeprefix("n_").replace("_", " ")
    title = f"{named.capitalize()} by {label.replace('_', ' ')}"
    first = rows[0]
    if first.get("period_start"):
        title += f", {_months(first, 'period')}"
        if first.get("compared_start"):  # a change: say against what (rt11 R-L3)
            title += f" against {_months(first, 'compared')}"
    if amount and isinstance(first.get("currency"), str):
        title += f" ({first['currency']}"
        title += f"; {', '.join(left_out)} rows in the table, not drawn)" if left_out else ")"
    return {
        "data": [trace],
        "layout": {
            "title": {"text": title},
            "xaxis": {"title": {"text": label.replace("_", " ")}}
            | ({"type": "category"} if monthly else {}),
            "yaxis": {"title": {"text": named}, "rangemode": "tozero"},
        },
    }


def segment_radar(segments: Iterable[Mapping[Any, Any]], z_columns: Sequence[str]) -> Chart:
    """Segment profiles as mean z-scores (`z_*` columns) on shared axes."""
    return {
        "kind": "segment_radar",
        "data": {
            "metrics": [column.removeprefix("z_").replace("_", " ") for column in z_columns],
            "segments": [
                {
                    "segment_id": segment["segment_id"],
                    "name": segment.get("label") or segment.get("name") or "",
                    "z": [segment[column] for column in z_columns],
                }
                for segment in segments
            ],
        },
    }


def catalogue_actions(leakage_types: Iterable[str], limit: int = 3) -> list[str]:
    """The catalogue's action (and owner) for each leakage type, in order, without repeats."""
    entries = ((kind, CATALOGUE.get(str(kind))) for kind in leakage_types)
    return _first_distinct(
        (
            f"{type_label(kind).capitalize()}: {entry.action} (owner: {entry.owner})."
            for kind, entry in entries
            if entry is not None
        ),
        limit,
    )


def _first_distinct(texts: Iterable[str], limit: int) -> list[str]:
    """The first `limit` distinct texts in order (reads no further once it has them)."""
    distinct: list[str] = []
    for text in texts:
        if text not in distinct:
            distinct.append(text)
            if len(distinct) == limit:
                break
    return distinct


def actions_by_stake(table: Any, limit: int = 5) -> list[dict[str, Any]]:
    """The listed accounts grouped by the action their leakage calls for (the detected type
    where leakage is detected now, else the predicted one), largest dollars at stake first:
    action, owner, accounts, and the amounts at stake (leaking now + at risk next month).
    A plan for "what should we do about those?" is built from these, not computed later."""
    if table is None or not len(table):
        return []
    frame = table.assign(
        plan_type=table["detected_leakage_type"].where(
            table["detected_monthly_leakage"] > 0, table["predicted_leakage_type"]
        ),
        at_stake=table["expected_loss"] + table["detected_monthly_leakage"],
    )
    groups: list[dict[str, Any]] = []
    for kind, rows in frame.groupby("plan_type", sort=False):
        entry = CATALOGUE.get(str(kind))
        if entry is None:
            continue
        groups.append(
            {
                "leakage_type": str(kind),
                "action": entry.action,
                "owner": entry.owner,
                "n_accounts": len(rows),
                "accounts": [str(a) for a in rows["account_id"]],
                "at_stake": round(float(rows["at_stake"].sum()), 2),
                "leaking_now": round(float(rows["detected_monthly_leakage"].sum()), 2),
                "at_risk_next_month": round(float(rows["expected_loss"].sum()), 2),
            }
        )
    groups.sort(key=lambda g: -g["at_stake"])
    return groups[:limit]


def ranked_actions(recommendations: Any, limit: int = 3) -> list[str]:
    """Texts for the service's ranked recommendations (columns action, owner, urgency)."""
    return _first_distinct(
        (
            f"{row['action']} (owner: {row['owner']}; urgency: {row['urgency']})."
            for row in recommendations.head(limit * 3).to_dict(orient="records")
        ),
        limit,
    )


def distinct(values: Iterable[Any], limit: int = 3) -> list[str]:
    """The first `limit` distinct non-empty values, as text."""
    seen: list[str] = []
    for value in values:
        if value is None or value != value or str(value) in seen or not str(value):
            continue
        seen.append(str(value))
        if len(seen) == limit:
            break
    return seen


def population_scope(tier: str | None = None, region: str | None = None) -> str:
    """'Enterprise accounts in APAC', 'accounts in APAC', 'Enterprise accounts', or 'all
    accounts': the accounts a tier and region limit keep, for headlines."""
    text = " ".join(word for word in (tier, "accounts") if word)
    if region:
        return f"{text} in {region}"
    return text if tier else "all accounts"


def score_scope(
    account_id: str | None,
    tier: str | None,
    risk_level: str | None,
    leakage_type: str | None,
    region: str | None = None,
) -> str:
    """'High-risk Enterprise accounts in APAC most likely to leak through …' for the headline."""
    if account_id is not None:
        return f"account {account_id}"
    accounts = population_scope(tier, region)
    if not (risk_level or leakage_type):
        return accounts
    accounts = accounts.removeprefix("all ")
    if risk_level:
        accounts = f"{risk_level}-risk {accounts}"
    if leakage_type:
        accounts += f" most likely to leak through {type_label(leakage_type)}"
    return accounts


def detect_scope(
    leakage_type: str | None,
    account_id: str | None,
    tier: str | None = None,
    region: str | None = None,
) -> str:
    """'failed payment retry, account …', 'all types, Enterprise accounts in APAC' for the
    headline."""
    kind = type_label(leakage_type) if leakage_type else "all types"
    if account_id:
        return f"{kind}, account {account_id}"
    return f"{kind}, {population_scope(tier, region)}" if tier or region else kind


def evidence_note(evidence: Any, warning: str | None, limit: int = 2) -> str:
    """The newest detector findings, in the detectors' own words, then any cache warning."""
    lines = [
        f"Found in the billing records ({type_label(row['leakage_type'])}, "
        f"{str(row['month'])[:7]}): {row['evidence']}"
        for row in evidence.head(limit).to_dict(orient="records")
    ]
    return "\n".join([*lines, warning or ""]).strip()
