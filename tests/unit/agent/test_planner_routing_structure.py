"""Routing by the structure of a question, in wordings of our own: a headcount over warehouse
attributes is a query; a month range sets both ends; a likelihood of revenue falling is a
decline forecast; a leakage-type word about what the records hold (billed, on file, expiring)
is the raw data's question, not the detector's findings."""

from __future__ import annotations

import pytest

from agent.offline.metrics import tool_months
from agent.offline.planner import plan

HEADCOUNTS = [
    "how many Starter logos are on the books today?",
    "Professional tier headcount please",
    "number of Business customers we have",
]
STILL_TOOLS = [
    ("how many Enterprise accounts are at high risk?", "score_leakage"),
    ("how many customers are sliding into decline?", "find_declining_customers"),
]


@pytest.mark.parametrize("text", HEADCOUNTS)
def test_headcounts_over_attributes_are_queries(text: str) -> None:
    chosen = plan(text)
    assert [c.name for c in chosen.calls] == ["query_duckdb"], text
    assert "count(*)" in chosen.calls[0].args["sql"] and "tier = " in chosen.calls[0].args["sql"]


@pytest.mark.parametrize(("text", "tool"), STILL_TOOLS)
def test_counts_of_analytics_stay_with_their_tool(text: str, tool: str) -> None:
    assert [c.name for c in plan(text).calls][:1] == [tool], text


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("expired-card leakage from February to April 2026", ("2026-02", "2026-04")),
        ("overage findings Jul–Sep 2026", ("2026-07", "2026-09")),
        ("billing errors across Nov, Dec and Jan 2026", ("2025-11", "2026-01")),
    ],
)
def test_a_month_range_sets_both_ends(text: str, months: tuple[str, str]) -> None:
    assert tool_months(text) == {"since": months[0], "until": months[1]}
    call = plan(text).calls[0]
    assert (call.args.get("since"), call.args.get("until")) == months


@pytest.mark.parametrize(
    "text",
    [
        "which 12 customers are most likely to see their spend halve?",
        "who will probably scale back their usage over the next two quarters?",
        "accounts likely to watch revenue slump next quarter",
    ],
)
def test_likelihood_of_a_revenue_fall_is_a_decline_forecast(text: str) -> None:
    assert [c.name for c in plan(text).calls] == ["find_declining_customers"], text


def test_likelihood_of_leaking_stays_a_risk_score() -> None:
    assert plan("which accounts will most likely leak next month?").calls[0].name == (
        "score_leakage"
    )


@pytest.mark.parametrize(
    "text",
    [
        "which accounts had overage seats charged in August 2026?",
        "customers whose card on file expires in March 2027",
    ],
)
def test_recorded_facts_are_not_leakage_findings(text: str) -> None:
    chosen = plan(text)
    assert "detect_leakage" not in [c.name for c in chosen.calls], text
    assert chosen.intent in ("query_duckdb", "need_sql", "clarify"), text


@pytest.mark.parametrize(
    "text",
    ["overage we never billed in August 2026", "how much did expired cards cost us in 2026?"],
)
def test_losses_stay_leakage_findings(text: str) -> None:
    assert plan(text).calls[0].name == "detect_leakage", text
