"""Values from the data show as exactly their characters (rt6 defect 3): in the offline
answer (a SQL result's table and a scored file's list), in the Markdown report and in the HTML
report. Markup from data makes no bold, link, image, tag or extra table column; the
templates' own bold labels and tables still render."""

from __future__ import annotations

import html
import json
import re

import pytest
from markdown_it import MarkdownIt

from agent.offline.narratives import narrate
from domain.markdown import WORD_JOINER, literal
from ui.artifacts import view_of
from ui.report import chart_table, people_table, render_html, render_markdown
from ui.safe_markdown import neutralise
from ui.tables import for_people
from ui.transcript import ReportMeta, ToolRecord, Transcript, TurnRecord

VALUES = [
    "**Bold** [click me](javascript:alert(3)) ![p](http://127.0.0.1:9/pixel.png)",
    '<a href="http://evil.example">Acme</a> | pipe | ` backtick',
    "![img](http://example.com/x.png)",
    "**BOLD** [click](javascript:alert(3))",
    "visit www.evil.example or mail me@evil.example, _see_ ~~this~~ &lt;b&gt;",
    "# heading | a | b |",
    "Note:Important <http://127.0.0.1:9/auto> [^1] \\*",
]
MARKUP = {"strong", "em", "a", "img", "del", "h1", "h2", "blockquote", "code", "s"}


def seen(fragment: str) -> str:
    """The text a browser shows of an HTML fragment (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).replace(WORD_JOINER, "")


def cells_of(page: str) -> list[str]:
    return [seen(c).strip() for c in re.findall(r"<td(?: class=\"n\")?>(.*?)</td>", page, re.S)]


def tags_in_cells(page: str) -> set[str]:
    cells = re.findall(r"<td(?: class=\"n\")?>(.*?)</td>", page, re.S)
    return {t.lower() for c in cells for t in re.findall(r"<(\w+)", c)}


@pytest.mark.parametrize("value", VALUES)
def test_literal_renders_as_its_characters_in_prose_and_in_a_table(value):
    renderer = MarkdownIt("commonmark").enable("table")
    prose = renderer.render(f"Account {literal(value)} leaks")
    table = renderer.render(f"| a | b |\n|---|---|\n| {literal(value)} | 1 |")
    assert seen(prose).strip() == f"Account {value} leaks"
    assert cells_of(table) == [value, "1"], "one cell, exactly the value"
    assert not set(re.findall(r"<(\w+)", prose)) & MARKUP
    assert neutralise(literal(value)) == literal(value), "the safety net leaves it as it is"


def test_gfm_autolink_literals_are_split_but_look_the_same():
    text = literal("http://evil.example www.evil.example me@evil.example")
    assert "http://" not in text and "www." not in text and "@evil" not in text
    assert text.replace(WORD_JOINER, "").replace("\\", "") == (
        "http://evil.example www.evil.example me@evil.example"
    )


def transcript() -> Transcript:
    rows = [{"account_id": f"ACC00900{i}", "name": v} for i, v in enumerate(VALUES, 1)]
    content = json.dumps({"summary": {"n_rows": len(rows)}, "rows": rows, "n_rows": len(rows)})
    answer = narrate("query_duckdb", content)
    view = view_of({"tool": "query_duckdb", "title": "SQL result", "table": rows})
    record = ToolRecord("query_duckdb", {"sql": "SELECT account_id, name FROM accounts"}, "", view)
    question = "SELECT account_id, name FROM accounts WHERE account_id >= 'ACC009000'"
    return Transcript([TurnRecord(question, [record], answer)], ReportMeta(model="offline"))


def test_the_offline_answer_and_both_reports_show_the_values_literally():
    scripted = transcript()
    answer_html = MarkdownIt("commonmark").enable("table").render(scripted.turns[0].answer)
    assert "<strong>Query result</strong>" in answer_html, "the template's bold survives"
    assert cells_of(answer_html)[1::2] == VALUES, "answer table: each name, exactly"
    assert not tags_in_cells(answer_html) & MARKUP

    page = render_html(scripted)
    names = [c for c in cells_of(page) if not c.startswith("ACC0090")]
    assert names == VALUES + VALUES, "the answer's table and the SQL result's, both exact"
    assert not tags_in_cells(page) & MARKUP, "no <strong>/<a>/<img> from data in the HTML"
    assert "<strong>Query result</strong>" in page and "<strong>SQL result</strong>" in page
    assert ">SELECT account_id, name FROM accounts WHERE account_id &gt;= 'ACC009000'<" in (
        page.replace("<h3>1. ", ">")
    ), "the question is a heading's text, not a blockquote"

    summary, text = render_markdown(scripted).split("## Conversation")
    pipes = [line for line in text.splitlines() if "pipe" in line]
    assert len(pipes) == 2 and pipes[0].count("\\|") == pipes[1].count("\\|") == 2, (
        "`|` is escaped the same way in both tables"
    )
    assert "Acme\\</a\\> \\| pipe \\| \\` backtick" in summary, "the summary's rows: literal"


def test_summary_keeps_a_file_names_underscore():
    turn = TurnRecord(
        "score these",
        [ToolRecord("score_file", {}, "", None)],
        "**Batch scoring of html_names.csv**: 20 accounts scored. High risk: **0**.",
    )
    scripted = Transcript([turn], ReportMeta())
    assert "— Batch scoring of html_names.csv\\: 20 accounts scored." in render_markdown(scripted)
    assert "— Batch scoring of html_names.csv: 20 accounts scored.</p></li>" in render_html(
        scripted
    )


def test_scores_and_logarithms_are_not_money():
    _, rows = for_people(
        ["segment_id", "mean_revenue", "log_mean_revenue", "z_log_mean_revenue"],
        [{"segment_id": 1, "mean_revenue": 346.7, "log_mean_revenue": 2.54,
          "z_log_mean_revenue": -0.2}],
    )  # fmt: skip
    assert rows == [["1", "$346.70", "2.54", "-0.2"]]
    radar = {
        "kind": "segment_radar",
        "data": {"metrics": ["log mean revenue"], "segments": [{"segment_id": 1, "z": [-0.2]}]},
    }
    table = people_table(*chart_table(radar))
    assert "| Z log mean revenue |" in table and "| -0.2 |" in table and "$" not in table


def test_a_scored_files_ids_and_name_show_literally_in_the_answer_list():
    rows = [
        {"account_id": v, "risk_level": "Low", "leakage_probability": 0.05, "expected_loss": 1.5}
        for v in VALUES
    ]
    summary = {"file": "html_names.csv", "n_accounts": len(rows), "scope": "all accounts"}
    answer = narrate("score_file", json.dumps({"summary": summary, "rows": rows}))
    page = MarkdownIt("commonmark").render(answer)
    items = re.findall(r"<li>(.*?)</li>", page, re.S)
    assert [seen(i).split(": risk")[0] for i in items] == VALUES
    assert all(i.startswith("<strong>") and i.count("<") == 2 for i in items), (
        "the label is the template's bold and nothing else"
    )
    assert "html_names.csv" in seen(page)
