"""Exported reports: the conversation as Markdown and HTML, and the segment group report.

- Markdown: every question, each tool call with its arguments, its table (first rows) and its
  chart as a small table of the charted numbers, then the answer; a footer with the data
  timestamp and the model mode.
- HTML: the same, through python-markdown, with each chart as an interactive Plotly figure.
  Plotly's JavaScript is embedded once, so the file works offline and needs no browser or
  kaleido to produce. (No PDF: the locked dependencies hold no PDF library that works without
  system libraries; weasyprint needs Pango/Cairo. See the UI notes in the README.)

Text from the conversation is escaped before it reaches HTML: a question or a table cell can
never inject markup into the report.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import markdown as md

from ui.charts import figure_for
from ui.transcript import ToolRecord, Transcript, TurnRecord

REPORT_TABLE_ROWS = 20
"""Rows of each tool table copied into a report (the downloads hold the rest)."""


# ------------------------------------------------------------------------------ cells/tables
Escape = Callable[[str], str]


def _same(text: str) -> str:
    return text


def escape_html_text(text: str) -> str:
    """Neutralise HTML in conversation text (Markdown itself keeps working).

    Examples:
        >>> escape_html_text("<script>x</script> & co")
        '&lt;script>x&lt;/script> &amp; co'
    """
    return text.replace("&", "&amp;").replace("<", "&lt;")


def cell(value: Any) -> str:
    """A table cell: rounded numbers, no newlines, pipes escaped.

    Examples:
        >>> cell(1234.5678), cell(0.12345), cell(None), cell("a|b")
        ('1,234.57', '0.1235', '', 'a\\\\|b')
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        text = f"{value:,.2f}" if abs(value) >= 100 else f"{value:.4g}"
    elif isinstance(value, dict | list):
        text = json.dumps(value, default=str)
    else:
        text = str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(
    columns: Sequence[str], rows: Sequence[Mapping[str, Any]], esc: Escape = _same
) -> str:
    """A GitHub-style Markdown table of `rows` (missing keys left blank)."""
    if not columns:
        return ""
    head = "| " + " | ".join(esc(cell(c)) for c in columns) + " |"
    rule = "|" + "---|" * len(columns)
    body = ["| " + " | ".join(esc(cell(row.get(c))) for c in columns) + " |" for row in rows]
    return "\n".join([head, rule, *body])


def chart_table(chart: Mapping[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """The numbers a chart shows, as a table (for Markdown, where figures can't go)."""
    kind, data = chart.get("kind"), chart.get("data") or {}
    if kind == "risk_gauge":
        return ["account_id", "probability", "risk_level"], [dict(data)]
    if kind == "risk_distribution":
        counts = dict(data.get("counts") or {})
        return ["risk_level", "accounts"], [
            {"risk_level": k, "accounts": v} for k, v in counts.items()
        ]
    if kind == "leakage_by_type":
        counts = dict(data.get("counts") or {})
        rows = [
            {"leakage_type": k, "amount": v, "findings": counts.get(k)}
            for k, v in dict(data.get("amounts") or {}).items()
        ]
        return ["leakage_type", "amount", "findings"], rows
    if kind == "revenue_trend":
        anomalies = set(data.get("anomaly_months") or [])
        rows = [
            {"month": m, "revenue": r, "trend": t, "anomaly": m in anomalies}
            for m, r, t in zip(
                data.get("months") or [],
                data.get("revenue") or [],
                data.get("trend") or [None] * len(data.get("months") or []),
                strict=False,
            )
        ]
        return ["month", "revenue", "trend", "anomaly"], rows
    if kind == "segment_radar":
        metrics = [str(m) for m in data.get("metrics") or []]
        rows = [
            {
                "segment": f"{s.get('segment_id')}: {s.get('name', '')}",
                **dict(zip(metrics, s.get("z") or [], strict=False)),
            }
            for s in data.get("segments") or []
        ]
        return ["segment", *metrics], rows
    return [], []


# ------------------------------------------------------------------------------ Markdown
def _tool_markdown(record: ToolRecord, esc: Escape = _same) -> str:
    args = json.dumps(record.args, ensure_ascii=False, default=str).replace("`", "'")
    parts = [f"- **Tool call** `{esc(record.name)}` with arguments `{args}`"]
    view = record.view
    if view is None:
        return parts[0]
    if view.error:
        parts.append(f"\n  _Problem:_ {esc(view.error)}")
    if view.problems:
        problems = view.problems[:REPORT_TABLE_ROWS]
        parts.append("\n" + markdown_table(view.problem_columns, problems, esc))
    if view.rows:
        shown = min(view.n_rows, REPORT_TABLE_ROWS)
        cut = f", first {shown}" if shown < view.n_rows else ""
        parts.append(f"\n**{esc(view.title)}** ({view.n_rows:,} rows{cut})\n")
        parts.append(markdown_table(view.columns, view.rows[:shown], esc))
    if view.chart:
        columns, rows = chart_table(view.chart)
        if columns:
            title = (view.chart.get("data") or {}).get("title") or str(view.chart.get("kind"))
            parts.append(
                f"\n_Chart: {esc(str(title))}_\n\n" + markdown_table(columns, rows[:60], esc)
            )
    if view.files:
        parts.append("\n_Files:_ " + esc(", ".join(f.name for f in view.files)))
    return "\n".join(parts)


def _turn_markdown(number: int, turn: TurnRecord) -> str:
    lines = [f"## {number}. {turn.question.strip() or '(no text)'}", ""]
    for record in turn.tools:
        lines += [_tool_markdown(record), ""]
    lines += ["**Answer**", "", turn.answer.strip() or "_(no answer)_", ""]
    return "\n".join(lines)


def footer_lines(transcript: Transcript) -> list[str]:
    """Data timestamp, source, model mode, export time and thread."""
    meta = transcript.meta
    return [
        f"Data: {meta.data_source or 'warehouse'}, as of {meta.data_timestamp or 'unknown'}.",
        f"Model mode: {meta.model or 'unknown'}.",
        f"Exported {meta.exported_at} · thread {meta.thread_id or '-'}.",
    ]


def render_markdown(transcript: Transcript) -> str:
    """The conversation report as Markdown."""
    parts = [f"# {transcript.meta.title}", ""]
    if not transcript.turns:
        parts += ["_No questions yet._", ""]
    for number, turn in enumerate(transcript.turns, start=1):
        parts.append(_turn_markdown(number, _escaped_turn(turn)))
    parts += ["---", "", *(f"_{line}_  " for line in footer_lines(transcript))]
    return "\n".join(parts).rstrip() + "\n"


def _escaped_turn(turn: TurnRecord) -> TurnRecord:
    return TurnRecord(escape_html_text(turn.question), turn.tools, escape_html_text(turn.answer))


# ------------------------------------------------------------------------------ HTML
_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:1000px;margin:2rem auto;padding:0 1rem;"
    "color:#1f2933}table{border-collapse:collapse;margin:.5rem 0;font-size:.85rem}"
    "td,th{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left}"
    "code{background:#f3f4f6;padding:0 .2rem}footer{color:#52606d;font-size:.85rem}"
    "h2{border-top:1px solid #e5e7eb;padding-top:1rem}.chart{margin:.5rem 0 1rem}"
)
_MD_EXTENSIONS = ["tables", "fenced_code", "sane_lists"]


def _html(text: str) -> str:
    return md.markdown(text, extensions=_MD_EXTENSIONS, output_format="html")


def _chart_html(records: Sequence[ToolRecord]) -> list[str]:
    divs = []
    for record in records:
        figure = figure_for(record.view.chart) if record.view and record.view.chart else None
        if figure is not None:
            divs.append(
                '<div class="chart">'
                + figure.to_html(full_html=False, include_plotlyjs=False, default_width="100%")
                + "</div>"
            )
    return divs


def render_html(transcript: Transcript, plotlyjs: Literal["inline", "cdn"] = "inline") -> str:
    """The conversation report as one HTML page with interactive charts."""
    from html import escape

    from plotly.offline import get_plotlyjs
    from plotly.offline.offline import get_plotlyjs_version

    plotly_version = get_plotlyjs_version()

    body = [f"<h1>{escape(transcript.meta.title)}</h1>"]
    if not transcript.turns:
        body.append("<p><em>No questions yet.</em></p>")
    n_charts = 0
    for number, turn in enumerate(transcript.turns, start=1):
        safe = _escaped_turn(turn)
        body.append(f"<h2>{number}. {escape(turn.question.strip() or '(no text)')}</h2>")
        body.extend(_html(_tool_markdown(record, escape_html_text)) for record in safe.tools)
        charts = _chart_html(safe.tools)
        n_charts += len(charts)
        body.extend(charts)
        body.append("<h3>Answer</h3>" + _html(safe.answer.strip() or "_(no answer)_"))
    footer = "<br>".join(escape(line) for line in footer_lines(transcript))
    body.append(f"<hr><footer>{footer}</footer>")
    script = ""
    if n_charts:  # Plotly's JavaScript only when there is a chart to draw
        script = (
            f"<script>{get_plotlyjs()}</script>"
            if plotlyjs == "inline"
            else f'<script src="https://cdn.plot.ly/plotly-{plotly_version}.min.js"></script>'
        )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(transcript.meta.title)}</title><style>{_CSS}</style>{script}</head>"
        f"<body>{''.join(body)}</body></html>"
    )
