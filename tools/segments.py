"""Segment tools: the named customer segments, and one segment's group report.

Both call one function of `services.trends.service` (the cached segmentation: KMeans over trend,
volatility, activity and size, with plain-language names) and format it (summary keys as in
`tools.schemas.RESULT_SPECS`).
"""

from __future__ import annotations

from analytics.trends import TrendConfig
from domain.markdown import literal
from services.trends import service
from tools import results, views
from tools.schemas import ListSegmentsArgs, SegmentReportArgs, agent_tool

_SEGMENT_COLUMNS = (
    "segment_id",
    "label",
    "n_customers",
    "share",
    "revenue_mean",
    "share_declining",
    "currency",
)
_MEMBER_COLUMNS = ("customer_id", "decline_level", "monthly_change", "revenue_mean", "status")


@agent_tool("list_segments")
def list_segments(args: ListSegmentsArgs, runtime: results.RuntimeArg = None) -> results.ToolOutput:
    """The customer segments and their profiles: "what customer segments do we have?",
    "how are our customers grouped?", "compare the segments".

    Returns each segment's number, name, size (customers and share), average monthly revenue
    and share of customers in decline, plus how well separated the segments are (silhouette).
    Money is per month in the customers' currency.

    Use instead: segment_report for ONE segment's members, revenue share and decline counts —
    list_segments(segment_id) only repeats that segment's one-line profile.
    """
    context = results.context_of(runtime)
    with results.refusals():
        overview = service.list_segments(context.db_path, args.segment_id)
    segments = overview.segments
    z_columns = [str(c) for c in segments.columns if str(c).startswith("z_")]
    currency, mixed = _currency(context.db_path)
    summary = overview.summary() | {
        "n_customers": int(segments["n_customers"].sum()),
        "currency": currency,
    }
    segments = segments.assign(currency=currency)
    none = None if len(segments) or args.segment_id is not None else _NO_SEGMENTS
    none = " ".join(note for note in (none, mixed) if note) or None
    return results.tool_result(
        "list_segments",
        summary=summary,
        rows=segments[list(_SEGMENT_COLUMNS)],
        table=segments,
        title="Customer segments",
        chart=views.segment_radar(segments.to_dict(orient="records"), z_columns),
        message=none,
        notice=none,
        max_rows=context.max_rows_to_model,
    )


def _currency(db_path: str) -> tuple[str | None, str | None]:
    """(the currency segment money is written in, a note when it mixes several): a segment's
    averages run over its customers' amounts as written, so a book in several currencies is
    said, never shown in one currency's sign (rt12 T-H6)."""
    with results.refusals():
        currencies = service.revenue_currencies(db_path)
    if len(currencies) <= 1:
        return (currencies[0] if currencies else None), None
    codes = "+".join(currencies)
    note = (
        f"Several currencies ({literal(', '.join(currencies))}): segment amounts average "
        f"customers' revenue as written, not converted, so they read as {codes}."
    )
    return codes, note


_NO_SEGMENTS = (
    "No segments yet: customers are grouped once at least 3 of them have a judged trend "
    f"({TrendConfig().min_history_months} months or more since their first revenue)."
)
"""Why a book has no segments (`analytics.segments.segment_customers` needs 3 customers with
a judged trend; a small company's first months of data have none)."""


@agent_tool("segment_report")
def segment_report(
    args: SegmentReportArgs, runtime: results.RuntimeArg = None
) -> results.ToolOutput:
    """Group report of ONE segment (optionally one decline level inside it): "tell me about
    segment 1", "how is segment 2 doing?", "report on the sharply declining customers of
    segment 0".

    Returns the segment's name, customers, average and total monthly revenue, its share of the
    portfolio's revenue, the share of customers declining, customers per decline level, and
    its largest customers (decline level, trend change per month, average revenue). Money is
    per month in the customers' currency. Segment numbers come from list_segments.

    Use instead: list_segments to compare all segments side by side; find_declining_customers
    for declining customers across every segment.
    """
    context = results.context_of(runtime)
    with results.refusals():
        report = service.segment_report(
            context.db_path,
            args.segment_id,
            args.decline_level,
            limit=max(results.MAX_TABLE_ROWS, context.max_rows_to_model),
        )
    stats = report.stats
    scope = (
        "all its customers"
        if args.decline_level is None
        else f"customers at decline level {args.decline_level}, "
        f"{service.DECLINE_LABELS.get(args.decline_level, '')}"
    )
    currency, mixed = _currency(context.db_path)
    summary = {
        "currency": currency,
        "segment_id": report.segment_id,
        "label": report.label,
        "scope": scope,
        "n_customers": stats["n_customers"],
        "revenue_mean": stats["revenue_mean"],
        "total_monthly_revenue": stats["total_monthly_revenue"],
        "share_of_revenue": stats["share_of_revenue"],
        "share_declining": stats["share_declining"],
        "decline_level_counts": stats["decline_level_counts"],
    }
    profile = {"segment_id": report.segment_id, "label": report.label, **report.profile}
    customers = report.customers.assign(currency=currency)
    if mixed and len(customers):  # each listed customer in its own currency
        with results.refusals():
            own = service.customer_currencies(
                context.db_path, list(map(str, customers["customer_id"]))
            )
        customers["currency"] = [own.get(str(i), currency) for i in customers["customer_id"]]
    return results.tool_result(
        "segment_report",
        summary=summary,
        rows=customers[[*_MEMBER_COLUMNS, "currency"]],
        table=customers,
        title=f"Segment {args.segment_id}: {report.label}",
        chart=views.segment_radar([profile], list(report.profile)),
        message=mixed,
        notice=mixed,
        max_rows=context.max_rows_to_model,
        n_total=stats["n_customers"],
    )
