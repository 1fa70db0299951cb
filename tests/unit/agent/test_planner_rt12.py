"""The outside tester's rt12 defects in the offline planner, answered end to end on the
300-account world (`revrisk ask --json`, the real query tool) and checked against SQL written
here:

- N-L8: "what's the latest month of data?" asked which question was meant; it is the span;
- R-M6: a period outside the data ("revenue in 2031", "revenue by tier in 2031", "the
  portfolio in February 2019") or no year has ("revenue in Q5") got "n/a", an empty table or
  another tool's answer; it is said to have no data, naming the months the data cover.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from agent.offline.planner import Memory, plan

SPAN = Memory(data_from="2024-11", data_to="2026-10")


def ask(app: typer.Typer, world: Path, question: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["ask", "--json", question, "--db", str(world)])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def span_of(world: Path) -> tuple[str, str]:
    with duckdb.connect(str(world), read_only=True) as con:
        ((first, last),) = con.execute(
            "SELECT strftime(min(month), '%Y-%m'), strftime(max(month), '%Y-%m') "
            "FROM monthly_revenue"
        ).fetchall()
    return str(first), str(last)


# ------------------------------------------------------------------ N-L8: the data's span
@pytest.mark.parametrize(
    "question",
    [
        "what's the latest month of data?",
        "how far back does the data go?",
        "what months does the data cover?",
        "what's the most recent month in the warehouse?",
    ],
)
def test_the_latest_month_of_data_is_answered_with_the_span(
    app: typer.Typer, small_world: Path, question: str
) -> None:
    out = ask(app, small_world, question)
    assert [c["name"] for c in out["tool_calls"]] == ["query_duckdb"], out
    (row,) = out["tool_results"][0]["content"]["rows"]
    first, last = span_of(small_world)
    assert (row["first_month"], row["latest_month"]) == (first, last)
    assert first in out["answer"] and last in out["answer"] and "?" not in out["answer"][-3:]


def test_data_for_last_month_is_no_span_question() -> None:
    chosen = plan("show me the data for last month")
    assert not any("latest_month" in str(c.args) for c in chosen.calls)


# ------------------------------------------------------------------ R-M6: outside the data
@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("revenue in 2031", "2031"),
        ("what was revenue by tier in 2031?", "2031"),
        ("revenue in February 2019", "2019-02"),
        ("portfolio summary for 2031", "2031"),
        ("what's the revenue trend for 2031", "2031"),
        ("detected leakage in Q2 2023", "2023-04 to 2023-06"),
        ("revenue in Q5", "Q5"),
        ("what was revenue in Q5 2025?", "Q5"),
    ],
)
def test_a_period_outside_the_data_is_said_to_have_none(question: str, named: str) -> None:
    chosen = plan(question, SPAN)
    assert chosen.intent == "outside_period" and chosen.topic == named, chosen
    assert [c.name for c in chosen.calls] == ["query_duckdb"]


@pytest.mark.parametrize(
    "question",
    [
        "revenue in 2026",
        "revenue last quarter",
        "how many accounts signed up in 2019?",  # signups reach before the billing months
        "which accounts are likely to leak in 2027?",  # a forecast looks ahead
    ],
)
def test_a_period_the_data_reach_is_answered(question: str) -> None:
    assert plan(question, SPAN).intent != "outside_period"


@pytest.mark.parametrize(
    ("question", "named"),
    [("what was revenue by tier in 2031?", "2031"), ("revenue in Q5", "Q5")],
)
def test_the_answer_names_the_months_the_data_cover(
    app: typer.Typer, small_world: Path, question: str, named: str
) -> None:
    out = ask(app, small_world, question)
    first, last = span_of(small_world)
    answer = out["answer"]
    assert named in answer and f"{first} to {last}" in answer, answer
    assert "n/a" not in answer and "none" not in answer.lower(), answer
    assert out["faithful"] is True


def test_a_period_open_to_the_end_of_the_data_reads_without_error(
    app: typer.Typer, small_world: Path
) -> None:
    """ "churn since 2030" crashed the planner: the open end became `DATE ''`."""
    out = ask(app, small_world, "how many customers churned since 2030?")
    assert "2030" in out["answer"] and "Traceback" not in out["answer"]
