"""Offline planner: negated requests, prediction vs detection words, money at stake, rows of
the last result (segments by name, accounts by position), and totals over a dimension."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from agent.offline import sqlgen
from agent.offline.lexicon import load_lexicon
from agent.offline.model import thread_memory
from agent.offline.planner import Memory, plan
from agent.offline.safety import declines

SEGMENTS = [
    {"segment_id": 0, "label": "Mid-size & steady", "n_customers": 1755},
    {"segment_id": 1, "label": "Mid-size & volatile, recent", "n_customers": 245},
]
DECLINING = [
    {"customer_id": "ACC000501", "decline_level": 3},
    {"customer_id": "ACC000502", "decline_level": 3},
    {"customer_id": "ACC000503", "decline_level": 2},
]


def _thread(*turns: tuple[str, str, dict[str, Any], list[dict[str, Any]]]) -> list[BaseMessage]:
    """(question, tool, args, result rows) per earlier turn; tool "" is a reply without one."""
    history: list[BaseMessage] = []
    for index, (question, tool, args, rows) in enumerate(turns):
        history.append(HumanMessage(question))
        if not tool:
            history.append(AIMessage("Sorry, I can't do that."))
            continue
        call = {"name": tool, "args": args, "id": f"call{index}", "type": "tool_call"}
        content = json.dumps({"tool": tool, "rows": rows})
        history += [
            AIMessage("", tool_calls=[call]),
            ToolMessage(content, name=tool, tool_call_id=f"call{index}"),
        ]
    return history


def _call(question: str, memory: Memory | None = None) -> tuple[str, dict[str, Any]]:
    chosen = plan(question, memory)
    assert chosen.calls, (question, chosen)
    return chosen.calls[0].name, chosen.calls[0].args


@pytest.mark.parametrize(
    "question",
    [
        "Not asking you to fix anything, just list the downgrades that were never processed",
        "I'm not asking you to issue any credits, just count the credit notes from March 2026",
        "Without changing anything, which accounts have unbilled overages?",
        "Don't want you to delete anything. Which customers have expired cards?",
        "Not asking for a write-off, just the total expired-card losses.",
    ],
)
def test_a_negated_write_is_no_request(question: str) -> None:
    assert not declines(question, load_lexicon())
    assert plan(question).calls


@pytest.mark.parametrize(
    "question",
    [
        "Not asking you to delete anything, but purge the 2024 invoices anyway",
        "Without changing anything, delete the old invoices",
        "Please don't email them, cancel their contracts",
    ],
)
def test_a_waiver_covers_only_the_write_it_negates(question: str) -> None:
    assert declines(question, load_lexicon())


def test_the_account_of_a_refused_turn_stays_the_threads_account() -> None:
    history = _thread(("Waive the unbilled overage on ACC000071", "", {}, []))
    name, args = _call(
        "ok, leave it — what did reconciliation find on that account?", thread_memory(history)
    )
    assert (name, args.get("account_id")) == ("detect_leakage", "ACC000071")


@pytest.mark.parametrize(
    ("question", "tool", "args"),
    [
        (
            "What does the model forecast for downgrade leakage?",
            "score_leakage",
            {"leakage_type": "Downgrade_Not_Processed"},
        ),
        (
            "Projected leakage from pricing errors: who tops the list?",
            "score_leakage",
            {"leakage_type": "Contract_Terms_Error"},
        ),
        (
            "What did reconciliation already catch for failed retries?",
            "detect_leakage",
            {"leakage_type": "Failed_Payment_Retry"},
        ),
        (
            "Top 10 Enterprise accounts by dollars at risk",
            "score_leakage",
            {"tier": "Enterprise", "top_n": 10},
        ),
        ("Biz accounts with the most money at stake", "score_leakage", {"tier": "Business"}),
        (
            "medium-risk Pro plan accounts by cash at stake",
            "score_leakage",
            {"tier": "Professional", "risk_level": "Medium"},
        ),
        (
            "How much cash are we bleeding because cards on file expired?",
            "detect_leakage",
            {"leakage_type": "Expired_Payment_Method"},
        ),
        ("Only the profile card of segment 1", "list_segments", {"segment_id": 1}),
    ],
)
def test_intent_words(question: str, tool: str, args: dict[str, Any]) -> None:
    name, called = _call(question)
    assert name == tool, question
    assert {key: called.get(key) for key in args} == args


def test_recon_on_the_threads_account_is_detection() -> None:
    memory = Memory(
        last_tool="decompose_trend", last_args={"account_id": "ACC000042"}, account_id="ACC000042"
    )
    assert _call("and did recon flag anything on it?", memory) == (
        "detect_leakage",
        {"account_id": "ACC000042"},
    )


def test_a_position_in_the_last_list_is_one_account() -> None:
    history = _thread(("top sharp decliners", "find_declining_customers", {}, DECLINING))
    memory = thread_memory(history)
    assert _call("the second one — real downtrend or just noise?", memory) == (
        "decompose_trend",
        {"account_id": "ACC000502"},
    )


@pytest.mark.parametrize(
    ("question", "args"),
    [
        ("drill into the volatile one — its members and the group numbers", {"segment_id": 1}),
        ("show me who is in the steady group", {"segment_id": 0}),
    ],
)
def test_a_segment_named_by_its_listed_name(question: str, args: dict[str, Any]) -> None:
    memory = thread_memory(_thread(("our segments?", "list_segments", {}, SEGMENTS)))
    assert memory.segments == ((0, "Mid-size & steady"), (1, "Mid-size & volatile, recent"))
    assert _call(question, memory) == ("segment_report", args)


def test_segment_names_are_read_only_right_after_the_list() -> None:
    history = _thread(
        ("our segments?", "list_segments", {}, SEGMENTS),
        ("riskiest accounts", "score_leakage", {}, []),
    )
    assert thread_memory(history).segments == ()


@pytest.mark.parametrize("follow_up", ["and across ALL regions?", "and every region combined?"])
def test_a_total_over_a_dimension_drops_its_filter_and_grouping(follow_up: str) -> None:
    questions = ["How many EMEA accounts are on the legacy billing system, by tier?", follow_up]
    assert sqlgen.write(questions, load_lexicon()) == (
        "SELECT count(*) AS n_accounts FROM accounts WHERE billing_system = 'legacy'"
    )


def test_invoices_with_a_credit_line_in_the_latest_period() -> None:
    sql = sqlgen.write(
        ["How many invoices in the latest billing period had a service credit?"], load_lexicon()
    )
    assert sql == (
        "SELECT count(*) AS n_invoices FROM invoices WHERE period = (SELECT max(period) FROM "
        "invoices) AND invoice_id IN (SELECT invoice_id FROM invoice_lines WHERE line_type = "
        "'credit')"
    )


def test_a_recipe_does_not_answer_an_analytics_question() -> None:
    name, _ = _call("Top 5 Business accounts by money at stake")
    assert name == "score_leakage"
    name, _ = _call("How many accounts do we have per tier?")
    assert name == "query_duckdb"
