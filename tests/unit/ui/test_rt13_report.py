"""The exported report's counts and cells (rt12 T-L7, rt13 U-L1)."""

from __future__ import annotations

import re

from ui.artifacts import view_of
from ui.report import render_html, render_markdown, summary_lines
from ui.transcript import ToolRecord, Transcript, TurnRecord

FINDINGS = [
    {"account_id": f"ACC{i:06d}", "leakage_type": "Missing_Invoice", "amount": 1000 - i}
    for i in range(10)
]


def _detect_turn() -> TurnRecord:
    artifact = {
        "tool": "detect_leakage",
        "title": "Detected leakage: all types",
        "table": FINDINGS,
        "columns": ["account_id", "leakage_type", "amount"],
        "n_rows": 10,
        "summary": {"n_findings": 2538, "n_accounts": 900, "total_amount": 1.0},
        "chart": {"kind": "leakage_by_type", "data": {"amounts": {"Missing_Invoice": 12.5}}},
    }
    record = ToolRecord("detect_leakage", {}, "", view_of(artifact, "detect_leakage"))
    return TurnRecord("what leaked?", [record], "We found 2,538 findings.")


def _sql_turn(cell: str) -> TurnRecord:
    artifact = {"tool": "query_duckdb", "title": "SQL result", "table": [{"x": cell}]}
    record = ToolRecord("query_duckdb", {"sql": "select 1"}, "", view_of(artifact))
    return TurnRecord("run it", [record], "Done.")


def test_a_top_n_of_findings_is_headed_as_the_largest_of_all() -> None:
    """The heading "Detected leakage: all types (10 rows)" was over the top 10 of 2,538 findings."""
    text = render_markdown(Transcript([_detect_turn()]))
    assert "the largest 10 of 2,538 findings" in text, text
    assert "(10 rows" not in text


def test_counts_are_singular_for_one() -> None:
    """No "1 questions" nor "SQL result (1 rows)"."""
    transcript = Transcript([_sql_turn("7")])
    assert "1 question;" in summary_lines(transcript)[-1]
    text = render_markdown(transcript)
    assert "(1 row)" in text and "1 rows" not in text and "1 questions" not in text, text


def test_the_summary_does_not_miscount_what_is_below() -> None:
    """rt13: "6 questions (1 more below)" summarised 3 of them."""
    turns = [_sql_turn(str(i)) for i in range(6)]
    last = summary_lines(Transcript(turns))[-1]
    assert "6 questions (4 summarised here, all below)" in last, last
    assert "more below" not in last


def test_a_chart_without_counts_gets_no_empty_findings_column() -> None:
    """rt13 U-L1: the "Detected leakage by type" table had an empty Findings column."""
    text = render_markdown(Transcript([_detect_turn()]))
    chart = text[text.index("_Chart:") :]
    header = chart.splitlines()[2]
    assert "mount" in header and "indings" not in header, chart


def test_a_markup_text_cell_is_not_set_as_a_figure() -> None:
    """A `<script>` text cell got class="n" (kept on one line like an amount)."""
    html = render_html(Transcript([_sql_turn("<script>alert(1)</script>"), _sql_turn("$1,234")]))
    cells = re.findall(r"<td[^>]*>[^<]*</td>", html)
    script = [c for c in cells if "script" in c]
    assert script and all('class="n"' not in c for c in script), script
    assert any('class="n"' in c and "1,234" in c for c in cells), cells
    assert "<script" not in html
