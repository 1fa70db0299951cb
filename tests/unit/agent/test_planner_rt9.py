"""What an outside retest (rt9) and the holdout10 fixer found still misread: a question about a
named account read as a question about the assistant, a month range read as its first month,
and "how much did X pay us" read as a risk question. Figures are checked against SQL written
here on the 300-account world, never against the planner's own query."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from agent.offline.planner import Memory, plan
from data.sql_guard import SqlLimits, run_query


def _value(world: Path, sql: str) -> float:
    result = run_query(world, sql, limits=SqlLimits.from_settings(row_cap=10, timeout_s=10))
    return float(
        result.rows[0][result.columns.index("net_revenue")]
        if "net_revenue" in result.columns
        else result.rows[0][0]
    )


def _truth(world: Path, sql: str) -> float:
    with duckdb.connect(str(world), read_only=True) as con:
        return float(con.execute(sql).fetchall()[0][0])


def _assert_revenue(world: Path, sql: str, where: str) -> None:
    """The planner's query gives the revenue an independent query over `where` gives."""
    truth = _truth(world, f"SELECT sum(net_revenue) FROM monthly_revenue WHERE {where}")
    assert _value(world, sql) == pytest.approx(truth, abs=0.01)


@pytest.mark.parametrize(
    ("question", "tool"),
    [
        ("what can you tell me about ACC000042?", "explain_risk_factors"),
        ("What can you tell me about account 7", "explain_risk_factors"),
        ("what can you tell me about segment 1?", "segment_report"),
    ],
)
def test_asking_what_it_can_tell_about_something_named_is_about_that_thing(
    question: str, tool: str
) -> None:
    chosen = plan(question)
    assert [call.name for call in chosen.calls] == [tool], chosen


def test_what_it_can_tell_with_nothing_named_is_still_about_the_assistant() -> None:
    assert plan("what can you tell me?").intent == "capabilities"


@pytest.mark.parametrize(
    "question",
    [
        "revenue from May 2026 to Aug 2026",
        "net revenue between 2026-05 and 2026-08",
        "what was revenue May-Aug 2026?",
    ],
)
def test_a_month_range_covers_every_month_of_it(question: str, small_world: Path) -> None:
    [call] = plan(question).calls
    _assert_revenue(
        small_world, call.args["sql"], "month >= DATE '2026-05-01' AND month < DATE '2026-09-01'"
    )


@pytest.mark.parametrize(
    "question",
    ["How much did ACC000042 pay us in 2025?", "what did ACC000042 spend with us in 2025"],
)
def test_what_an_account_paid_us_is_its_revenue(question: str, small_world: Path) -> None:
    [call] = plan(question).calls
    assert call.name == "query_duckdb", call
    _assert_revenue(
        small_world,
        call.args["sql"],
        "account_id = 'ACC000042' AND month >= DATE '2025-01-01' AND month < DATE '2026-01-01'",
    )


_SCORED = Memory(last_tool="score_file", file_path="/u/t/acc_title.xlsx", list_tool="score_file")


@pytest.mark.parametrize(
    "question",
    [
        "How much revenue did each region bring in last quarter?",
        "what was MRR by tier in September 2026?",
        "total revenue per region for 2025",
    ],
)
def test_a_book_question_after_a_scored_file_is_the_books(question: str) -> None:
    """rt9 N1 (a regression of the rt8 D7 fix): after a scored file, "revenue by region last
    quarter" was answered "I can't total that for acc_title.xlsx"; a period or a breakdown
    asks about the warehouse's records, which a scored file does not have."""
    chosen = plan(question, _SCORED)
    assert chosen.intent != "file_total" and chosen.calls, chosen
    assert chosen.calls[0].name == "query_duckdb", chosen


def test_a_total_of_the_scored_files_own_column_is_still_about_the_file() -> None:
    for question in ("What is the total MRR of the uploaded accounts?", "total mrr of these?"):
        chosen = plan(question, _SCORED)
        assert chosen.intent == "file_total", question
        assert chosen.calls[0].args["file_path"] == _SCORED.file_path, chosen
