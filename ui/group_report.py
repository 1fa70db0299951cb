"""The segment × decline-level group report (Markdown and plain text) for downloads.

Renders a `services.trends.service.SegmentReport` (any object with `segment_id`, `label`,
`decline_level`, `stats`, `profile` and a `customers` DataFrame): the group's facts, its
profile as mean z-scores, and its largest customers.
"""

from __future__ import annotations

from typing import Any

from ui.report import cell, markdown_table


def _group_facts(report: Any) -> list[tuple[str, str]]:
    stats = dict(report.stats)
    level = "all levels" if report.decline_level is None else f"level {report.decline_level}"
    counts = ", ".join(
        f"level {k}: {v}" for k, v in (stats.get("decline_level_counts") or {}).items()
    )

    def share(key: str) -> str:
        return f"{cell(100 * stats.get(key, 0))}%"

    total = cell(stats.get("total_monthly_revenue"))

    return [
        ("Segment", f"{report.segment_id} — {report.label}"),
        ("Decline level", level),
        (
            "Customers",
            f"{stats.get('n_customers', 0):,} ({share('share_of_segment')} of the segment)",
        ),
        ("Average monthly revenue", cell(stats.get("revenue_mean"))),
        ("Total monthly revenue", f"{total} ({share('share_of_revenue')} of all revenue)"),
        ("Share declining", share("share_declining")),
        ("Median relative slope (per month)", cell(stats.get("median_relative_slope"))),
        ("Median volatility", cell(stats.get("median_volatility"))),
        ("Mean anomalies per customer", cell(stats.get("mean_anomalies"))),
        ("Customers per decline level", counts or "-"),
    ]


def group_report_markdown(report: Any, top_n: int = 20) -> str:
    """A `services.trends.SegmentReport` as Markdown: facts, profile z-scores, top customers."""
    level = "" if report.decline_level is None else f", decline level {report.decline_level}"
    lines = [f"# Segment {report.segment_id} ({report.label}){level} — group report", ""]
    lines += [
        markdown_table(
            ["fact", "value"], [{"fact": k, "value": v} for k, v in _group_facts(report)]
        ),
        "",
    ]
    profile = [{"metric": k.removeprefix("z_"), "z": v} for k, v in dict(report.profile).items()]
    lines += [
        "## Profile (mean z-scores against all customers)",
        "",
        markdown_table(["metric", "z"], profile),
        "",
    ]
    customers = report.customers.head(top_n).to_dict(orient="records")
    columns = [str(c) for c in report.customers.columns]
    lines += [
        f"## Largest customers (top {len(customers)} by revenue)",
        "",
        markdown_table(columns, customers),
        "",
    ]
    return "\n".join(lines)


def group_report_text(report: Any, top_n: int = 20) -> str:
    """The same report as plain text (aligned columns), for e-mail or a ticket."""
    level = "" if report.decline_level is None else f", decline level {report.decline_level}"
    title = f"Segment {report.segment_id} ({report.label}){level} - group report"
    facts = _group_facts(report)
    width = max(len(k) for k, _ in facts)
    lines = [title, "=" * len(title), ""] + [f"{k.ljust(width)}  {v}" for k, v in facts]
    lines += ["", "Profile (mean z-scores)"] + [
        f"  {k.removeprefix('z_'):<28} {v:+.2f}" for k, v in dict(report.profile).items()
    ]
    customers = report.customers.head(top_n).to_dict(orient="records")
    lines += ["", f"Largest customers (top {len(customers)} by revenue)"]
    columns = [str(c) for c in report.customers.columns]
    table = [columns] + [[cell(row.get(c)) for c in columns] for row in customers]
    widths = [max(len(r[i]) for r in table) for i in range(len(columns))]
    lines += ["  " + "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in table]
    return "\n".join(lines) + "\n"
