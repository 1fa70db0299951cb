"""Hypothetical changes get the scenario reply, not today's figures for another question.

Red team defect 10: "What if we raised Starter prices by 10%?" answered with the Starter risk
ranking, "what would happen to MRR if we cut the Enterprise discount to 5%?" with contract
errors, "If churn doubled …" with last year's churn count. No tool models a change that has
not happened; the planner says so (lexicon `[scenario]`, prompts/reply_scenario.md). A
"what if" that refines the last question stays a refinement.
"""

from __future__ import annotations

import pytest

from agent.offline.planner import plan
from agent.offline.plans import Memory


@pytest.mark.parametrize(
    "text",
    [
        "What if we raised Starter prices by 10%?",
        "what would happen to MRR if we cut the Enterprise discount to 5%?",
        "If churn doubled next quarter, how much revenue would we lose?",
        "what if we increased the Business seat price by $5?",
        "Suppose we stopped offering discounts to new accounts: what's the effect on leakage?",
        "Simulate a 20% price rise on the Professional tier",
        "what would be the impact of halving the retry interval?",
        "if failed payments dropped by half, would expected loss fall below $50k?",
    ],
)
def test_a_hypothetical_change_gets_the_scenario_reply(text: str) -> None:
    chosen = plan(text)
    assert chosen.intent == "scenario" and not chosen.calls, chosen


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("what if we only look at Enterprise?", "score_leakage"),
        ("what if we cut it by tier instead", "score_leakage"),
        ("Find accounts still getting a promo discount after it was supposed to end", None),
        ("Which accounts had a price increase this year?", None),
    ],
)
def test_what_if_as_a_refinement_or_a_question_about_the_past_is_not_a_scenario(
    text: str, tool: str | None
) -> None:
    memory = Memory(last_tool="score_leakage", last_args={"top_n": 10})
    chosen = plan(text, memory)
    assert chosen.intent != "scenario", chosen
    if tool is not None:
        assert [call.name for call in chosen.calls] == [tool], chosen
