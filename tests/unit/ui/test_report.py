"""Markdown and HTML reports of a conversation, and the segment group report."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
from markdown_it import MarkdownIt

from ui.artifacts import view_of
from ui.group_report import group_report_markdown, group_report_text
from ui.report import chart_table, render_html, render_markdown
from ui.transcript import ReportMeta, ToolRecord, Transcript, TurnRecord

CHART = {
    "kind": "risk_distribution",
    "data": {"counts": {"High": 12, "Medium": 18, "Low": 70}, "title": "Upload risk"},
}


def transcript(answer="**100** accounts scored; 12 are high risk.\n- ACC000025 first\n- ACC000030"):
    view = view_of(
        {
            "tool": "score_file",
            "title": "Scored accounts",
            "table": [
                {"account_id": f"ACC{i:06d}", "probability": i / 100, "expected_loss": i / 3}
                for i in range(30)
            ],
            "chart": CHART,
            "files": [{"path": "/x/scored.csv", "name": "scored.csv"}],
        }
    )
    sql_view = view_of({"tool": "query_duckdb", "table": [{"tier": "Pro", "n_accounts": 3}]})
    tools = [ToolRecord("score_file", {"file_path": "accounts.csv"}, '{"n":100}', view)]
    sql = [ToolRecord("query_duckdb", {"sql": "SELECT tier, count(*) FROM accounts"}, "", sql_view)]
    meta = ReportMeta(
        model="offline-planner",
        data_source="synthetic warehouse demo.duckdb",
        data_timestamp="2026-10-01 (built 2026-11-21T05:00:00+00:00)",
        exported_at="2026-11-21T06:00:00+00:00",
    )
    return Transcript(
        [
            TurnRecord("Score the file accounts.csv", tools, answer),
            TurnRecord("Accounts by tier & plan", sql, "Pro has 3 accounts & more."),
            TurnRecord("<script>alert(1)</script> and A|B?", [], "Fine & <b>bold</b>"),
        ],
        meta,
    )


def test_markdown_has_summary_questions_tables_charts_appendix_and_footer():
    text = render_markdown(transcript())
    assert text.startswith("# RevRisk Copilot — conversation report\n\n## Executive summary")
    summary = text.split("## Conversation")[0]
    assert 3 <= summary.count("\n- ") <= 5
    assert "100 accounts scored; 12 are high risk." in summary
    assert "### 1. Score the file accounts.csv" in text
    assert "**Scored accounts** (30 rows, first 20)" in text
    assert "| Account | Probability of leaking next month | Expected loss next month |" in text
    assert "| ACC000019 | 19.0% | $6.33 |" in text and "ACC000020" not in text
    assert "_Chart: Upload risk_" in text and "| High | 12 |" in text
    assert "_Files:_ scored.csv" in text
    assert "**100** accounts scored; 12 are high risk.\n- ACC000025 first" in text
    appendix = text.split("## Appendix: tool calls and SQL")[1]
    assert '`score_file` with arguments `{"file_path": "accounts.csv"}`' in appendix
    assert "```sql" in appendix and "SELECT tier, count(*) FROM accounts" in appendix
    assert "Data: synthetic warehouse demo.duckdb, as of 2026-10-01" in text
    assert "Model mode: offline-planner." in text
    assert "&amp;" not in text and "&lt;" not in text, "no HTML entities in Markdown"
    assert "Pro has 3 accounts & more." in text
    assert "\\<script\\>alert(1)\\</script\\> and A\\|B?" in text, "the question, literally"


def test_html_is_sanitised_has_a_csp_lists_svg_charts_and_no_script():
    page = render_html(transcript())
    assert page.startswith("<!DOCTYPE html>")
    assert 'http-equiv="Content-Security-Policy"' in page and "default-src 'none'" in page
    assert "<script" not in page.lower() and "Plotly" not in page
    assert page.count('<div class="chart"><svg') == 1
    assert "&lt;script&gt;alert(1)" in page and "<b>bold</b>" not in page
    assert "<strong>100</strong> accounts scored" in page
    assert "<ul>\n<li>ACC000025 first</li>" in page, "a list after a line of text renders"
    assert "<table>" in page and "ACC000019" in page and "$6.33" in page
    assert "Model mode: offline-planner." in page and "Executive summary" in page
    assert len(page) < 200_000


def test_poisoned_data_renders_as_text_in_both_reports():
    poison = "[click me](javascript:alert(3)) ![b](http://127.0.0.1:9/p.png) <img src=x>"
    view = view_of({"tool": "query_duckdb", "table": [{"account_id": poison, "mrr": 1.0}]})
    turn = TurnRecord(
        f"Why is {poison} flagged?",
        [ToolRecord("query_duckdb", {"sql": "SELECT 1"}, "", view)],
        f"Account {poison} leaks. Failed reading /srv/revrisk/var/uploads/t1/a.csv",
    )
    scripted = Transcript([turn], ReportMeta(model="offline-planner"))
    page, text = render_html(scripted), render_markdown(scripted)
    assert "javascript:" not in page.replace("[click me](javascript:alert(3))", "")
    assert "<img" not in page and 'href="javascript' not in page
    assert "/srv/revrisk" not in page and "/srv/revrisk" not in text and "a.csv" in text
    tokens = [t for b in MarkdownIt("commonmark").parse(text) for t in [b, *(b.children or [])]]
    formed = [t.type for t in tokens if t.type in ("image", "link_open", "html_inline")]
    assert formed == [], "the Markdown report forms no image, link or tag from the data"


def test_empty_conversation():
    assert "_No questions yet._" in render_markdown(Transcript([], ReportMeta()))


def test_chart_tables_for_markdown():
    assert (
        chart_table(
            {
                "kind": "risk_gauge",
                "data": {"account_id": "A", "probability": 0.7, "risk_level": "High"},
            }
        )[1][0]["probability"]
        == 0.7
    )
    columns, rows = chart_table(
        {
            "kind": "revenue_trend",
            "data": {
                "months": ["2026-01", "2026-02"],
                "revenue": [1, 2],
                "anomaly_months": ["2026-02"],
            },
        }
    )
    assert columns == ["month", "revenue", "trend", "anomaly"] and rows[1]["anomaly"] is True
    assert chart_table({"kind": "unknown"}) == ([], [])


def group():
    customers = pd.DataFrame(
        {
            "customer_id": ["ACC000002", "ACC000009"],
            "decline_level": [3, 3],
            "monthly_change": [-120.5, -33.0],
            "revenue_mean": [2500.0, 900.0],
        }
    )
    stats = {
        "n_customers": 2,
        "share_of_segment": 0.25,
        "revenue_mean": 1700.0,
        "total_monthly_revenue": 3400.0,
        "share_of_revenue": 0.02,
        "share_declining": 1.0,
        "median_relative_slope": -0.04,
        "median_volatility": 0.2,
        "mean_anomalies": 1.5,
        "decline_level_counts": {3: 2},
    }
    return SimpleNamespace(
        segment_id=2,
        label="Shrinking SMB",
        decline_level=3,
        stats=stats,
        profile={"z_revenue": -0.4, "z_growth": -1.1},
        customers=customers,
    )


def test_group_report_markdown():
    text = group_report_markdown(group())
    assert text.startswith("# Segment 2 (Shrinking SMB), decline level 3 — group report")
    assert "| Customers | 2 (25% of the segment) |" in text
    assert "| growth | -1.1 |" in text and "| ACC000002 | 3 | -120.50 | 2,500.00 |" in text


def test_group_report_text_is_aligned_plain_text():
    text = group_report_text(group())
    assert text.splitlines()[0] == "Segment 2 (Shrinking SMB), decline level 3 - group report"
    assert "Share declining" in text and "growth" in text and "-1.10" in text
    assert "|" not in text and "ACC000009" in text


# ------------------------------------------------------------------------------ rt8 D15
RADAR = {
    "kind": "segment_radar",
    "data": {
        "metrics": ["relative slope", "volatility", "active months", "log mean revenue"],
        "segments": [{"segment_id": 1, "name": "Mid-size & volatile", "z": [-1.0, 1.5, -0.9, 0.2]}],
    },
}
WIDE = [{f"column_{c}": f"value {c}" if c % 2 else 1234.5 * c for c in range(16)}] * 3


def _one_turn(answer: str, artifact: dict) -> Transcript:
    record = ToolRecord(str(artifact["tool"]), {}, "", view_of(artifact))
    meta = ReportMeta(model="offline-planner", data_source="x", data_timestamp="y")
    return Transcript([TurnRecord("Give me the report for segment 1", [record], answer)], meta)


def test_a_segment_radar_is_drawn_and_titled_never_named_by_its_kind():
    """The export said "Chart: segment_radar" and drew nothing."""
    report = _one_turn("Segment 1.", {"tool": "segment_report", "chart": RADAR})
    page, text = render_html(report), render_markdown(report)
    assert "segment_radar" not in page and "segment_radar" not in text
    assert "_Chart: Segment profiles (z-scores)_" in text
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert svg.count("<polygon") == 4 + 1  # four grid rings and the segment's shape
    assert "Mid-size &amp; volatile" in svg and "relative slope" in svg


def test_the_report_says_what_it_holds_not_that_a_table_is_attached():
    answer = "Largest customers:\n- ACC1\n\n_Showing 10 of 303; the full table is attached._"
    rows = [{"customer_id": f"ACC{i}", "revenue_mean": float(i)} for i in range(303)]
    report = _one_turn(answer, {"tool": "segment_report", "title": "Segment 1", "table": rows})
    for rendered in (render_markdown(report), render_html(report)):
        assert "attached" not in rendered
        assert "this report's table below holds the first 20 rows (all 303 are in the chat)" in (
            rendered
        )
        assert "303 rows, first 20" in rendered


def test_a_wide_table_fits_the_page():
    """A 16-column table was 1,367 px in a 1,000 px column, its right columns cut off."""
    page = render_html(_one_turn("Wide.", {"tool": "find_declining_customers", "table": WIDE}))
    assert "display:block" not in page  # a block table scrolled and could not shrink
    assert '<div class="table-wrap"><table class="wide">' in page
    assert ".table-wrap{max-width:100%;overflow-x:auto" in page
    assert '<td class="n">2,469</td>' in page and "<td>value 1</td>" in page
