"""Revenue-trend tools: one customer's decomposition, and the customers in decline.

Each tool calls one function of `services.trends` (which reads the trend cache, refreshed when
the billing data changed) and formats the result (summary keys as in
`tools.schemas.RESULT_SPECS`). Decline levels are bands of `decline_probability`, the forecast
that revenue over the next 3 months falls below half of the previous 6 months' mean: 0 below
30 %, 1 from 30 %, 2 from 50 %, 3 from 70 %.
"""

from __future__ import annotations

from typing import Any

from analytics.trends import SeasonalEvidence, recent_change, seasonal_evidence
from domain import DECLINE_RANK_LABELS, format_money
from services.lookup import Population
from services.trends import service
from tools import results, views
from tools.schemas import DecomposeTrendArgs, FindDecliningCustomersArgs, agent_tool

_DECLINE_COLUMNS = (
    "customer_id",
    "decline_probability",
    "decline_level",
    "decline_label",
    "monthly_change",
    "relative_change",
    "recent_change",
    "revenue_mean",
    "n_anomalies",
    "segment_id",
    "segment_name",
    "currency",
)


@agent_tool("decompose_trend")
def decompose_trend(
    args: DecomposeTrendArgs, runtime: results.RuntimeArg = None
) -> results.ToolOutput:
    """ONE account's monthly REVENUE over time, split into trend, seasonality and anomalies:
    "show the revenue trend of ACC000042", "is ACC000004 really shrinking or just lumpy?",
    "how is this customer's revenue developing?".

    Returns the decline probability (that revenue over the next 3 months falls below half of
    the previous 6 months' mean), its level (0-3) and label, its top drivers, the change per
    month of a straight-line fit over all months (money and share of average revenue), the
    latest monthly revenue, what already happened (the last 3 months' average against the 3
    months before and the same months a year earlier), months analysed, anomalous months, the
    customer's segment, and the most recent months (revenue, trend = the local level, 3-month
    average, anomaly flag); the UI draws the full series. Money is per month in the
    customer's currency.

    Use instead: explain_risk_factors for why an account is flagged for LEAKAGE risk;
    find_declining_customers for which customers are declining across the portfolio. Needs
    an account id: when none was named in the conversation, ask which account.
    """
    context = results.context_of(runtime)
    customer_id = args.account_id
    with results.refusals():
        trend = service.customer_trend(context.db_path, customer_id, with_stl=False)
    head = trend.summary()
    anomalies = [m for m in str(head.get("anomaly_months") or "").split(";") if m]
    summary = {
        "customer_id": head["customer_id"],
        "status": head["status"],
        "decline_probability": head["decline_probability"],
        "decline_level": head["decline_level"],
        "decline_label": service.outlook(
            head["decline_label"], head["status"], trend.metrics.get("months_since_last_revenue")
        ),
        "decline_drivers": head["decline_drivers"] or "none",
        "definition": head["decline_definition"],
        "forecast": _forecast_text(head, trend.metrics),
        "monthly_change": head["monthly_change"],
        "relative_change": _fraction(head["relative_slope"]),
        "latest_revenue": head["latest_revenue"],
        "n_months": head["n_months"],
        "n_anomalies": head["n_anomalies"] or 0,
        "anomaly_months": ", ".join(anomalies) or "none",
        "segment_name": head["segment_name"] or "none",
        "currency": trend.metrics.get("currency"),
    }
    series = trend.series
    summary |= recent_change(series["revenue"])
    summary["recent_months"] = _recent_text(summary)
    evidence = seasonal_evidence(series["revenue"], series["seasonal"], series["trend"])
    summary["seasonal_strength"] = evidence.strength
    summary["seasonality"] = _seasonality(evidence, bool(trend.metrics.get("seasonal")))
    # The rows' and the chart's trend is the local level (a running median of the seasonally
    # adjusted revenue), which follows a fall: the straight Theil-Sen line over every month
    # read "trend $11,500" beside revenue of $4,000 after a fall (rt8/rt9 D29). The line is
    # the chart's "straight-line fit" and the narrative's change per month.
    table = series.reset_index(names="month").assign(  # the UI's table agrees with the text
        moving_avg_3=series["moving_avg_3"].clip(lower=0).to_numpy(),
        line=series["trend"].clip(lower=0).to_numpy(),  # revenue is never negative: a fit
        trend=series["level"].clip(lower=0).to_numpy(),  # below 0 is 0, in the answer, the
    )  # table and the chart alike
    recent = table.iloc[::-1].assign(
        anomaly=table["is_anomaly"].map({True: "anomaly"}), moving_avg=table["moving_avg_3"]
    )[["month", "revenue", "trend", "moving_avg", "anomaly"]]
    currency = summary["currency"]  # every money figure in the customer's currency (rt12 T-H6)
    table, recent = table.assign(currency=currency), recent.assign(currency=currency)
    chart = views.revenue_trend(
        head | {"anomaly_months": anomalies, "currency": currency},
        table.set_index("month"),
        bool(trend.metrics.get("seasonal")),
    )
    return results.tool_result(
        "decompose_trend",
        summary=summary,
        rows=recent,
        table=table,
        title=f"Revenue trend of {head['customer_id']}",  # as stored, not as typed (T-L3)
        chart=chart,
        message=head["forecast_warning"] or None,
        notice=head["forecast_warning"] or None,
        max_rows=context.max_rows_to_model,
    )


def _forecast_text(head: dict[str, Any], metrics: dict[str, Any]) -> str:
    """The forecast in one clause, or why there is none: a book too short to learn from (a
    small company's first months of data) reads as such, not as "n/a decline probability".

    Examples:
        >>> _forecast_text({"decline_probability": 0.083, "decline_level": 0,
        ...     "decline_definition": "probability that …", "decline_drivers": "x +0.7"}, {})
        '8.3% decline probability, level 0 of 0-3; the probability that …. Top drivers: x +0.7'
        >>> _forecast_text({"decline_probability": None, "status": "new"},
        ...     {"forecast_learned": False})
        'no decline forecast yet: see the note above'
    """
    probability = head.get("decline_probability")
    if metrics.get("decline_verdict") == "so_far" and metrics.get("decline_score") is not None:
        rough = (
            f"; the forecast's {probability:.1%} is rough, see the note above"
            if probability is not None and probability == probability
            else ""
        )
        return (
            f"decline score {metrics['decline_score']:.2f} of 1 from the revenue so far, level "
            f"{head.get('decline_level')} of 0-3{rough}"
        )
    if probability is None or probability != probability:
        if not metrics.get("forecast_learned", True):  # `service.forecast_warning` says why
            return "no decline forecast yet: see the note above"
        return f"no decline probability for a customer with status {head.get('status')}"
    level = head.get("decline_level")
    return (
        f"{probability:.1%} decline probability, level {level} of 0-3; the "
        f"{head.get('decline_definition')}. Top drivers: {head.get('decline_drivers') or 'none'}"
    )


def _recent_text(summary: dict[str, Any]) -> str:
    """What the revenue already did, in words, leaving out the comparisons the history does
    not reach (`analytics.trends.recent_change`).

    Examples:
        >>> _recent_text({"recent_mean": 5000.0, "previous_mean": 8000.0, "previous_change": -0.375,
        ...     "year_ago_mean": None, "year_ago_change": None})
        'the last 3 months averaged $5,000 a month, -37.5% on the 3 months before ($8,000)'
    """
    if summary.get("recent_mean") is None:
        return "under 3 months of revenue, too few to compare"
    money = lambda value: format_money(value, summary.get("currency"))  # noqa: E731
    parts = [f"the last 3 months averaged {money(summary['recent_mean'])} a month"]
    for key, words in (
        ("previous", "the 3 months before"),
        ("year_ago", "the same months a year earlier"),
    ):
        change, mean = summary.get(f"{key}_change"), summary.get(f"{key}_mean")
        if change is not None:
            parts.append(f"{change:+.1%} on {words} ({money(mean)})")
        elif mean is not None:
            parts.append(f"against {money(mean)} in {words}")
    return ", ".join(parts[:1]) + (", " + " and ".join(parts[1:]) if parts[1:] else "")


def _fraction(percent: Any) -> float | None:
    """The service's relative slope (% per month) as a fraction, the results' percent unit."""
    return None if percent is None or percent != percent else float(percent) / 100


def _seasonality(evidence: SeasonalEvidence, judged_seasonal: bool) -> str:
    """Whether the revenue is seasonal, with the evidence, or why it cannot be told."""
    if not evidence.enough_history:
        return (
            f"{evidence.n_months} months of history is too short to tell seasonality from a "
            "trend (it takes two full years)."
        )
    strength = evidence.strength or 0.0
    verdict = "strong" if strength >= 0.6 else "moderate" if strength >= 0.3 else "weak"
    pairs = "; ".join(
        f"{month}: {now:,.2f} vs {before:,.2f} a year earlier"
        for month, now, before in evidence.same_months
    )
    scan = "seasonal" if judged_seasonal else "not seasonal"
    text = (
        f"Seasonal strength {strength:.2f} on a 0-1 scale ({verdict}); "
        f"the trend scan judged it {scan}."
    )
    return f"{text} Same months a year earlier: {pairs}." if pairs else text


@agent_tool("find_declining_customers")
def find_declining_customers(
    args: FindDecliningCustomersArgs, runtime: results.RuntimeArg = None
) -> results.ToolOutput:
    """Customers likely to decline, across the portfolio: "which customers are in sharp
    decline?", "who is shrinking in segment 1?", "declining Enterprise customers in LATAM",
    "the 3 biggest declining customers by revenue" (order_by revenue).

    Declining means decline_probability, the forecast that revenue over the next 3 months falls
    below half of the previous 6 months' mean. decline_level picks exactly one band (1 from
    30 %, 2 from 50 %, 3 from 70 %; 0 below 30 %); without it every band from 1 counts.
    segment_id limits to one segment (see list_segments); tier and region to the customers
    whose warehouse account has them (customers without an account row, e.g. from an imported
    revenue file, are left out and counted in the result's note). order_by ranks the list:
    probability (most likely first, the default), revenue (largest average monthly revenue
    first: "biggest", "largest", "by revenue") or steepness (steepest fall in revenue per month
    first: "declining fastest", "shrinking the most"). Returns how many customers match, the
    definition in one sentence, what the list is ranked by, and the top_n with the
    probability, trend change per month, average monthly revenue, anomalies and segment. Money
    is per month in the customer's currency.

    "Declining" is a revenue forecast (contraction), not churn: customers who already stopped
    paying ("churned since March") are counted with query_duckdb over monthly_revenue.
    Use instead: decompose_trend for one account's series; segment_report for one segment's
    group report.
    """
    context = results.context_of(runtime)
    with results.refusals():
        matches = service.find_declining(
            context.db_path,
            decline_level=args.decline_level,
            segment_id=args.segment_id,
            top_n=args.top_n,
            accounts=Population(args.tier, args.region),
            order_by=args.order_by,
        )
    shown = _changes(matches.table)
    left_out = _unplaced_note(matches.n_unknown, args.tier, matches.region)
    fallen = _fallen_note(*matches.already_fallen)
    notes = " ".join(note for note in (matches.warning, left_out, fallen) if note)
    currency, total = views.money_in_currencies(
        matches.revenue_by_currency, matches.total_monthly_revenue
    )
    summary = {
        "n_customers": matches.n_customers,
        "scope": _declining_scope(
            args.decline_level, args.segment_id, args.tier, matches.region, matches.labels
        ),
        "total_monthly_revenue": total,
        "currency": currency,
        "definition": f"Declining means the {matches.definition}.",
        "ranked_by": (
            "decline score, most clearly falling first"
            if args.order_by == "probability" and matches.labels is service.SO_FAR_LABELS
            else DECLINE_RANK_LABELS.get(args.order_by, args.order_by)
        ),
    }
    return results.tool_result(
        "find_declining_customers",
        summary=summary,
        rows=_model_rows(shown, so_far=matches.labels is service.SO_FAR_LABELS),
        table=shown,
        title=f"Declining customers: {summary['scope']}, ranked by {summary['ranked_by']}",
        message=notes or None,
        notice=notes or None,
        max_rows=context.max_rows_to_model,
    )


def _fallen_note(count: int, largest: tuple[str, ...]) -> str | None:
    """The customers already down sharply whom the forecast leaves out, in one sentence.

    Examples:
        >>> _fallen_note(2, ("CUST-003", "ACC000073"))[:72]
        'Also: 2 customers whose revenue has already fallen sharply (decline scor'
        >>> _fallen_note(0, ()) is None
        True
    """
    if not count:
        return None
    return (
        f"Also: {count} customer{'s' if count != 1 else ''} whose revenue has already fallen "
        "sharply (decline score 0.7 or more) but is not forecast to halve again, so not "
        f"listed here; largest: {', '.join(largest)}."
    )


def _changes(table: Any) -> Any:
    """The list's change columns (rt12 R-L6: rows read "trend change per month $0.00" beside
    "churned"): the straight line's change per month (Theil–Sen), except where it is flat —
    revenue that moves in steps, or stopped after a level run, has more level pairs of
    months than falling ones, so the median slope is exactly 0 and says nothing of the fall —
    and always `recent_change`, the last 3 months against the months before (the scan's
    `recent_ratio` − 1, on revenue whose unusual months and season are smoothed: -100% once
    revenue stopped)."""
    no_line = table["monthly_change"] == 0
    return table.assign(
        monthly_change=table["monthly_change"].mask(no_line),
        relative_change=(table["relative_slope"] / 100).mask(no_line),
        recent_change=table["recent_ratio"] - 1,
    )


def _model_rows(shown: Any, *, so_far: bool) -> Any:
    """The list's rows for the answer: the decline probability, or, where the levels describe
    the revenue so far (a forecast learned from too few declines), the decline score in its
    place, so a row never reads "decline probability 1.0%, sharp decline so far"."""
    rows = shown[[*_DECLINE_COLUMNS, "decline_score"]].astype(object)
    return rows.assign(**{"decline_score" if not so_far else "decline_probability": None})


def _declining_scope(
    decline_level: int | None,
    segment_id: int | None,
    tier: str | None = None,
    region: str | None = None,
    labels: dict[int, str] = service.DECLINE_LABELS,
) -> str:
    """'decline very likely, segment 1, Enterprise accounts in APAC' for the headline."""
    level = (
        f"every band from {labels[1]}"
        if decline_level is None
        else labels.get(decline_level, f"level {decline_level}")
    )
    parts = [level, f"segment {segment_id}" if segment_id is not None else ""]
    parts.append(views.population_scope(tier, region) if tier or region else "")
    return ", ".join(part for part in parts if part)


def _unplaced_note(n_unknown: int, tier: str | None, region: str | None) -> str | None:
    """What a tier or region limit left out: customers with no warehouse account, whose tier
    and region are unknown."""
    if not n_unknown:
        return None
    limit = " and ".join(
        word for word in ("tier" if tier else "", "region" if region else "") if word
    )
    who = "customer has" if n_unknown == 1 else "customers have"
    return (
        f"Left out: {n_unknown:,} {who} declining revenue but no account in the warehouse "
        f"(an imported revenue file), so {'its' if n_unknown == 1 else 'their'} {limit} is "
        "unknown; they are not in these figures."
    )
