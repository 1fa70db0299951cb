"""Exported reports: the conversation as Markdown and HTML a CFO can forward.

Layout (issue 12): a title and the data line; an executive summary of 3–5 lines (the
headline of each answer that ran a tool, its tools' warnings once, then where the numbers come
from); each question
with its answer, its tables (labelled headers, formatted money and shares, first
`REPORT_TABLE_ROWS` rows) and its chart; an appendix with every tool call, its arguments and
the SQL it ran; a footer with the data timestamp, the model mode and the export time. No
internal id (thread, session) is printed.

Summary (rt10 N-M5): an SQL answer's line is its first result rows ("ARR $51,176,609, MRR
$4,264,717": the answer's own table, else the query's rows), another answer's is its first
sentence that is neither a warning nor a label ("Query result (rows returned: 1):" said
nothing; each trend answer of an imported book was the same THIN HISTORY boilerplate).

Safety (issue 11, rt6-3): a value from the data — a table cell or header, a question, a
title or file name — is written with `domain.markdown.literal`, so it shows as exactly its
characters (no bold, link or extra table column comes from it; `|` is escaped the same way in
every table). Everything else from tools or the model is Markdown passed through
`ui.safe_markdown` — no image, no non-http(s)/mailto link, no raw HTML — and the HTML is
rendered by markdown-it-py (CommonMark, the chat's dialect) and cleaned by `nh3`. Server paths
are cut to their file name and traceback lines dropped (`scrub`). The HTML page carries a
Content-Security-Policy that allows no script and no remote resource at all; charts are inline
SVG (`ui.svg_charts`), so the page is a few hundred KB at most and opens at once. (Plotly's
JavaScript alone is 4.8 MB; embedding it made a 4.9 MB report that took ~6 s to open.)
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from domain import plural
from domain.markdown import literal, table
from ui.artifacts import ArtifactView
from ui.charts import figure_for
from ui.safe_markdown import plain_blocks, plain_text, safe, scrub, to_html
from ui.svg_charts import svg_for
from ui.tables import for_people
from ui.transcript import ToolRecord, Transcript, TurnRecord

REPORT_TABLE_ROWS = 20
"""Rows of each tool table copied into a report (the downloads hold the rest)."""


# ------------------------------------------------------------------------------ cells/tables
def cell(value: Any) -> str:
    """A value as plain text: rounded numbers, no newlines (`markdown_table` makes it literal
    Markdown; the plain-text group report uses it as it is).

    Examples:
        >>> cell(1234.5678), cell(0.12345), cell(None), cell("a|b\\nc")
        ('1,234.57', '0.1235', '', 'a|b c')
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
    return " ".join(text.splitlines())


def markdown_table(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> str:
    """A GitHub-style Markdown table of `rows` (missing keys left blank)."""
    if not columns:
        return ""
    body = ([literal(cell(row.get(c))) for c in columns] for row in rows)
    return table([literal(cell(c)) for c in columns], body)


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
        if not counts:  # a chart without counts: no empty Findings column (rt13 U-L1)
            return ["leakage_type", "amount"], rows
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
        metrics = ["z_" + str(m).replace(" ", "_") for m in data.get("metrics") or []]
        rows = [
            {
                "segment": f"{s.get('segment_id')}: {s.get('name', '')}",
                **dict(zip(metrics, s.get("z") or [], strict=False)),
            }
            for s in data.get("segments") or []
        ]
        return ["segment", *metrics], rows  # mean z-scores: no unit (`ui.tables._SCALE`)
    return [], []


def chart_title(chart: Mapping[str, Any]) -> str:
    """The chart's title as the chat shows it: its data's `title`, else the drawn figure's
    (never the internal kind: the report said "Chart: segment_radar", rt8 D15); '' if none.

    Examples:
        >>> chart_title({"kind": "segment_radar", "data": {"metrics": ["a", "b", "c"],
        ...     "segments": [{"segment_id": 1, "name": "Mid", "z": [1, 0, -1]}]}})
        'Segment profiles (z-scores)'
    """
    data = chart.get("data") or {}
    if isinstance(data, Mapping) and data.get("title"):
        return str(data["title"])
    figure = figure_for(chart)
    title = figure.layout.title.text if figure is not None else None
    return str(title or "")


def people_table(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> str:
    """A Markdown table with labelled headers and formatted cells (`ui.tables`)."""
    if not columns:
        return ""
    headers, body = for_people(columns, rows)
    return table([literal(h) for h in headers], ([literal(c) for c in row] for row in body))


# ------------------------------------------------------------------------------ Markdown
def _sql_of(record: ToolRecord) -> str | None:
    sql = record.args.get("sql") or record.args.get("query")
    return str(sql).strip() if sql else None


def _result_markdown(record: ToolRecord) -> str:
    """A tool's visible result: problem, table, chart numbers and files."""
    view = record.view
    if view is None:
        return ""
    parts = []
    if view.error:
        parts.append(f"_Problem:_ {safe(view.error)}")  # our message (may name data): net only
    if view.problems:
        parts.append(people_table(view.problem_columns, view.problems[:REPORT_TABLE_ROWS]))
    if view.rows:
        shown = min(view.n_rows, REPORT_TABLE_ROWS)
        parts.append(f"**{literal(view.title)}** ({_table_size(view, shown)})")
        parts.append(people_table(view.columns, view.rows[:shown]))
    if view.chart:
        columns, rows = chart_table(view.chart)
        if columns:
            title = chart_title(view.chart)
            if title:
                parts.append(f"_Chart: {literal(title)}_")
            parts.append(people_table(columns, rows[:60]))
    if view.files:
        parts.append("_Files:_ " + literal(", ".join(f.name for f in view.files)))
    return "\n\n".join(p for p in parts if p)


def _table_size(view: ArtifactView, shown: int) -> str:
    """How much of the result the table holds: "1 row", "30 rows, first 20", and for a tool
    that listed its largest findings, "the largest 10 of 2,538 findings" (rt12 T-L7: "(10
    rows)" headed the top 10 of 2,538 findings).

    Examples:
        >>> _table_size(ArtifactView("t", "", rows=[{}]), 1)
        '1 row'
        >>> _table_size(ArtifactView("t", "", rows=[{}] * 30), 20)
        '30 rows, first 20'
        >>> _table_size(ArtifactView("t", "", rows=[{}] * 10, n_findings=2538), 10)
        'the largest 10 of 2,538 findings'
    """
    if view.n_findings is not None and view.n_findings > shown:
        return f"the largest {shown:,} of {view.n_findings:,} findings"
    size = plural(view.n_rows, "row")
    return size + (f", first {shown:,}" if shown < view.n_rows else "")


def _question(turn: TurnRecord) -> str:
    """The user's words, literally (`SELECT … >= 'ACC009000'` is not a blockquote)."""
    return literal(scrub(" ".join(turn.question.split()))) or "(no text)"


_ATTACHED = re.compile(r"Showing (\d+) of ([\d,]+); the full table is attached\.")


def export_notes(answer: str) -> str:
    """An answer as the report can say it: the chat attaches the full table under an answer
    that lists its first rows, the report holds the first `REPORT_TABLE_ROWS` (rt8 D15: the
    export said "the full table is attached" with nothing attached).

    Examples:
        >>> print(export_notes("_Showing 10 of 303; the full table is attached._"))
        ... # doctest: +NORMALIZE_WHITESPACE
        _Showing 10 of 303; this report's table below holds the first 20 rows
        (all 303 are in the chat)._
        >>> print(export_notes("_Showing 10 of 12; the full table is attached._"))
        _Showing 10 of 12; this report's table below holds all 12 rows._
    """

    def said(match: re.Match[str]) -> str:
        shown, total = match.group(1), int(match.group(2).replace(",", ""))
        if total <= REPORT_TABLE_ROWS:
            return (
                f"Showing {shown} of {total:,}; this report's table below holds all {total:,} rows."
            )
        return (
            f"Showing {shown} of {total:,}; this report's table below holds the first "
            f"{REPORT_TABLE_ROWS} rows (all {total:,} are in the chat)."
        )

    return _ATTACHED.sub(said, answer)


def _answer(turn: TurnRecord) -> str:
    return safe(export_notes(turn.answer.strip())) or "_(no answer)_"


def first_sentence(text: str, limit: int = 220) -> str:
    """The answer's first sentence as plain text (its Markdown read, not stripped: a file
    name `html_names.csv` keeps its `_`), for the summary.

    Examples:
        >>> first_sentence("**Batch scoring of a_b.csv**: 100 accounts scored. High risk: **1**.")
        'Batch scoring of a_b.csv: 100 accounts scored.'
    """
    return _sentence(plain_text(text).strip().split("\n", 1)[0], limit)


_LONG_ASIDE = re.compile(r"\(([^();]*);[^()]*(\)|$)")
"""A parenthesis of several clauses ("(34.8% decline probability, level 1 of 0-3; the
probability that …)"), to its end or the sentence's."""


def _sentence(plain: str, limit: int, asides: bool = False) -> str:
    """The first sentence of a plain text, cut to `limit` characters; an aside of several
    clauses keeps its first (unless `asides`).

    Examples:
        >>> _sentence("A: possible (34.8% chance, level 1; the chance that X). More.", 99)
        'A: possible (34.8% chance, level 1).'
        >>> _sentence("A: unlikely (8.3% chance; the chance that Y. Top: z)", 99)
        'A: unlikely (8.3% chance).'
    """
    plain = " ".join(plain.split())
    match = re.search(r"^(.+?[.!?])(\s|$)", plain)
    sentence = match.group(1) if match else plain
    if not asides and _LONG_ASIDE.search(sentence):  # a summary keeps an aside's first clause
        sentence = _LONG_ASIDE.sub(r"(\1)", sentence).rstrip()
        sentence += "" if sentence.endswith((".", "!", "?")) else "."
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


_FIGURE = re.compile(r"[-+]?([$£€¥]|[A-Z]{3} ?)?[\d,.]+ ?(%|[KMB])?")
"""A cell that is a figure ("$51,176,609", "13.9%", "1,920"), not a row's label ("2026-Q3")."""
_EMPTY_CELLS = {"", "n/a", "-", "—"}


def _figures(header: Sequence[str], row: Sequence[str]) -> str:
    """One table row as "label: Header value, …" (the label only when the row has one).

    Examples:
        >>> _figures(["ARR", "MRR"], ["$51,176,609", "$4,264,717"])
        'ARR $51,176,609, MRR $4,264,717'
        >>> _figures(["Quarter", "Net revenue", "Change"], ["2025-Q3", "$11,094,303", "n/a"])
        '2025-Q3: Net revenue $11,094,303'
    """
    pairs = [(h, v) for h, v in zip(header, row, strict=False) if v.strip() not in _EMPTY_CELLS]
    if len(pairs) > 1 and not _FIGURE.fullmatch(pairs[0][1]):
        (_, name), pairs = pairs[0], pairs[1:]
        return f"{name}: " + ", ".join(f"{h} {v}" for h, v in pairs)
    return ", ".join(f"{h} {v}" for h, v in pairs)


def table_headline(
    table: Sequence[Sequence[str]], limit: int = 220, n_rows: int | None = None
) -> str:
    """A table's first rows as a line of figures (as many rows as fit in `limit`), and how
    many rows it has when not all are shown.

    Examples:
        >>> table_headline([["Quarter", "Net revenue", "Change in %"],
        ...                 ["2025-Q3", "$11,094,303", "n/a"], ["2026-Q3", "$12,632,280", "13.9%"]])
        '2025-Q3: Net revenue $11,094,303; 2026-Q3: Net revenue $12,632,280, Change in % 13.9%'
        >>> table_headline([["Region", "Net revenue"]] + [[f"R{i}", "$1,000"] for i in range(30)])
        'R0: Net revenue $1,000; R1: Net revenue $1,000; R2: Net revenue $1,000 … (30 rows)'
    """
    header, body = list(table[0]), [list(row) for row in table[1:]]
    n_rows = len(body) if n_rows is None else n_rows
    shown: list[str] = []
    for row in body[:3]:
        line = _figures(header, row)
        if shown and len("; ".join([*shown, line])) > limit - 12:
            break
        shown.append(line)
    text = "; ".join(shown)
    if len(shown) < n_rows:
        text += f" … ({n_rows:,} rows)"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _notices(turn: TurnRecord) -> list[str]:
    """The warnings the turn's tools gave (each tool's `notice`), as plain text."""
    return [
        " ".join(plain_text(r.view.notice).split())
        for r in turn.tools
        if r.view is not None and r.view.notice
    ]


def _is_caveat(block: str, notices: Sequence[str]) -> bool:
    """Whether an answer's paragraph is a warning, not the answer: a tool's notice (the
    answer opens with it). A name in capitals is no sign: "GLOBEX LTD: decline possible" is
    an imported customer's verdict."""
    said = " ".join(block.split())
    return any(said and (said[:80] in notice or notice[:80] in said) for notice in notices)


def _is_label(block: str) -> bool:
    """A line that introduces what follows and says nothing itself ("Query result (rows
    returned: 1):", "Most recent months:"), not a sentence that ends in a colon."""
    return block.rstrip().endswith(":") and not re.search(r"[.!?]\s", block)


def _sql_result(turn: TurnRecord) -> ArtifactView | None:
    """The result of the turn's query that returned rows, if it ran one."""
    for record in turn.tools:
        view = record.view
        if _sql_of(record) is not None and view is not None and view.rows and not view.error:
            return view
    return None


def headline(turn: TurnRecord, limit: int = 220) -> str:
    """What an answer found, for the summary: an SQL answer's first result rows (the answer's
    own table, the way the chat showed it, else the query's rows), otherwise the answer's
    first sentence that is not a warning (its tools' notices, said once for the report by
    `summary_lines`) or a label ("Query result (rows returned: 1):").

    Examples:
        >>> warned = ToolRecord("t", {}, "", ArtifactView("t", "", notice="THIN HISTORY: rough."))
        >>> headline(TurnRecord("q", [warned], "THIN HISTORY: rough.\\n\\n**A: fine** (9%). More."))
        'A: fine (9%).'
        >>> headline(TurnRecord("q", [], "**GLOBEX LTD: decline possible** (9%). More."))
        'GLOBEX LTD: decline possible (9%).'
    """
    notices = _notices(turn)
    blocks = [
        b
        for b in plain_blocks(scrub(turn.answer))
        if not (isinstance(b, str) and _is_caveat(b, notices))
    ]
    sql = _sql_result(turn)
    if sql is not None:
        shown = next((b for b in blocks if isinstance(b, list) and len(b) > 1), None)
        if shown is not None:
            return table_headline(shown, limit)
        headers, body = for_people(sql.columns, sql.rows[:3])
        return table_headline([headers, *body], limit, sql.n_rows)
    for block in blocks:
        if isinstance(block, str) and block.strip() and not _is_label(block):
            return _sentence(block, limit)
    return first_sentence(scrub(turn.answer), limit)


def summary_lines(transcript: Transcript, limit: int = 4) -> list[str]:
    """3–5 lines: what the analysis found (the headline of each answer that ran a tool
    without error: `limit` of them, one fewer when there is a warning), the warnings its
    tools gave (once for the report, not per answer: rt10 N-M5 saw the same THIN HISTORY
    boilerplate as every line), then where the numbers come from and how many questions
    the report holds beyond those summarised."""
    found, warnings = [], []
    for turn in transcript.turns:
        ran = [r for r in turn.tools if not (r.view and r.view.error)]
        if ran and turn.answer.strip():
            found.append(f"**{_question(turn)}** — {literal(headline(turn))}")
            warnings += [_sentence(n, 300, asides=True) for n in _notices(turn)]
    warnings = list(dict.fromkeys(warnings))
    shown = found[: limit - (1 if warnings else 0)]
    meta = transcript.meta
    source = f"Data: {meta.data_source or 'warehouse'}, as of {meta.data_timestamp or 'unknown'}"
    lines = shown or ["No question in this conversation ran an analysis yet."]
    if warnings:
        lines.append("_Caveat:_ " + " ".join(literal(w) for w in warnings))
    asked = len(transcript.turns)  # "6 questions (1 more below)" summarised 3 (rt13 U-L1)
    questions = plural(asked, "question") + (
        f" ({len(shown)} summarised here, all below)" if 0 < len(shown) < asked else ""
    )
    lines.append(f"{safe(source)}; {questions}; model mode {meta.model or 'unknown'}.")
    return lines


def appendix_markdown(transcript: Transcript) -> str:
    """Every tool call with its arguments, and the SQL it ran."""
    parts = ["## Appendix: tool calls and SQL", ""]
    any_call = False
    for number, turn in enumerate(transcript.turns, start=1):
        for record in turn.tools:
            any_call = True
            args = {k: v for k, v in record.args.items() if k not in ("sql", "query")}
            text = scrub(json.dumps(args, ensure_ascii=False, default=str)).replace("`", "'")
            parts.append(f"- Question {number}: `{record.name}` with arguments `{text}`")
            if (sql := _sql_of(record)) is not None:
                parts += [
                    "",
                    "  ```sql",
                    *("  " + line for line in scrub(sql).splitlines()),
                    "  ```",
                ]
    if not any_call:
        parts.append("_No tool was called._")
    return "\n".join(parts)


def footer_lines(transcript: Transcript) -> list[str]:
    """Data timestamp, source, model mode and export time (no internal ids)."""
    meta = transcript.meta
    return [
        f"Data: {meta.data_source or 'warehouse'}, as of {meta.data_timestamp or 'unknown'}.",
        f"Model mode: {meta.model or 'unknown'}.",
        f"Exported {meta.exported_at}.",
    ]


def _turn_markdown(number: int, turn: TurnRecord) -> str:
    parts = [f"### {number}. {_question(turn)}", "", _answer(turn)]
    results = [r for r in (_result_markdown(t) for t in turn.tools) if r]
    return "\n\n".join([*parts, *results]) + "\n"


def render_markdown(transcript: Transcript) -> str:
    """The conversation report as Markdown."""
    parts = [f"# {transcript.meta.title}", "", "## Executive summary", ""]
    parts += [f"- {line}" for line in summary_lines(transcript)]
    parts += ["", "## Conversation", ""]
    if not transcript.turns:
        parts += ["_No questions yet._", ""]
    parts += [_turn_markdown(n, t) for n, t in enumerate(transcript.turns, start=1)]
    parts += [appendix_markdown(transcript), "", "---", ""]
    parts += [f"_{safe(line)}_  " for line in footer_lines(transcript)]
    return "\n".join(parts).rstrip() + "\n"


# ------------------------------------------------------------------------------ HTML
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
"""No script, no remote resource: the report is text, tables and inline SVG."""

WIDE_TABLE_COLUMNS = 10
"""Tables with more columns than this get a smaller font and may break header words."""

_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:1000px;margin:2rem auto;padding:0 1rem;"
    "color:#1f2933;line-height:1.45}.table-wrap{max-width:100%;overflow-x:auto;margin:.5rem 0}"
    "table{border-collapse:collapse;font-size:.8rem}td,th{border:1px solid #d0d7de;"
    "padding:.2rem .35rem;text-align:left;vertical-align:top}th{font-size:.75rem}"
    "td.n{white-space:nowrap}table.wide{font-size:.72rem}"
    "table.wide th{font-size:.68rem;overflow-wrap:anywhere}"
    "table.wide td,table.wide th{padding:.15rem .25rem}"
    "code,pre{background:#f3f4f6;padding:0 .2rem}"
    "pre{padding:.5rem;overflow-x:auto}footer{color:#52606d;font-size:.85rem}"
    "h3{border-top:1px solid #e5e7eb;padding-top:1rem}.chart{margin:.5rem 0 1rem}"
    ".summary{background:#f5f8fb;border-left:4px solid #1f6feb;padding:.5rem 1rem}"
    "@media print{.table-wrap{overflow:visible}}"
)
"""Tables fit the page (rt8 D15: a 16-column table was 1,367 px wide in a 1,000 px column and
its right-hand columns were cut off): cells wrap between words, a cell without spaces (an id,
an amount) never breaks, a wide table is set smaller with header words allowed to break, and
a table that still cannot fit scrolls inside its own box. Measured on the red team's export in
Chromium: the 16-column decline table went from 1,226 px (wrapping alone) to 1,000 px."""

_TABLE = re.compile(r"<table>(.*?)</table>", re.DOTALL)
_ONE_WORD_CELL = re.compile(r"<td>([^\s<&]{0,40})</td>")
"""A short cell without spaces (an id, an amount, a date): never broken. Escaped markup
(`&lt;script&gt;…`, rt12 T-L7) or a long run of text is data to wrap, not a figure."""


def fitted_tables(html: str) -> str:
    """Sanitised report HTML with each table in a scroll box, wide tables marked and one-word
    cells kept on one line (the HTML comes from `to_html`, so `<table>` and `<td>` are tags,
    never data: a cell's `<` is `&lt;`).

    Examples:
        >>> print(fitted_tables("<table><tr><td>$1,234.50</td></tr></table>"))
        <div class="table-wrap"><table><tr><td class="n">$1,234.50</td></tr></table></div>
        >>> fitted_tables("<table><tr><td>a b</td></tr></table>").count('class="n"')
        0
        >>> fitted_tables("<table><tr><td>&lt;b&gt;x&lt;/b&gt;</td></tr></table>").count('"n"')
        0
    """

    def fitted(match: re.Match[str]) -> str:
        inner = _ONE_WORD_CELL.sub(r'<td class="n">\1</td>', match.group(1))
        header = inner[: inner.find("</tr>")]
        wide = ' class="wide"' if header.count("<th") > WIDE_TABLE_COLUMNS else ""
        return f'<div class="table-wrap"><table{wide}>{inner}</table></div>'

    return _TABLE.sub(fitted, html)


def _chart_svg(record: ToolRecord) -> str:
    figure = figure_for(record.view.chart) if record.view and record.view.chart else None
    drawn = svg_for(figure) if figure is not None else None
    return f'<div class="chart">{drawn}</div>' if drawn else ""


def render_html(transcript: Transcript) -> str:
    """The conversation report as one HTML page: sanitised text, tables, inline SVG charts."""
    title = escape(transcript.meta.title)
    items = "".join(f"<li>{to_html(line).strip()}</li>" for line in summary_lines(transcript))
    body = [
        f"<h1>{title}</h1>",
        f'<section class="summary"><h2>Executive summary</h2><ul>{items}</ul></section>',
    ]
    body.append("<h2>Conversation</h2>")
    if not transcript.turns:
        body.append("<p><em>No questions yet.</em></p>")
    for number, turn in enumerate(transcript.turns, start=1):
        body.append(to_html(f"### {number}. {_question(turn)}"))
        body.append(to_html(_answer(turn)))
        for record in turn.tools:
            body.append(to_html(_result_markdown(record)))
            body.append(_chart_svg(record))
    body.append(to_html(appendix_markdown(transcript)))
    footer = "<br>".join(escape(line) for line in footer_lines(transcript))
    body.append(f"<hr><footer>{footer}</footer>")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{title}</title><style>{_CSS}</style></head>"
        f"<body>{fitted_tables(''.join(body))}</body></html>"
    )
