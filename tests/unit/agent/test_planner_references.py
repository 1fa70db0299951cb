"""Offline planner: references into the previous result, narrowing, negation, lookups.

Threads are built as the graph builds them (user message, tool call, tool result), so the
planner sees earlier results only through `thread_memory`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from agent.offline.lexicon import load_lexicon, muted_words, tokenize
from agent.offline.model import thread_memory
from agent.offline.planner import Memory, plan
from agent.offline.plans import pick_row

SCORED = [
    {"account_id": "ACC000010", "tier": "Enterprise", "risk_level": "Low"},
    {"account_id": "ACC000020", "tier": "Business", "risk_level": "High"},
    {"account_id": "ACC000030", "tier": "Enterprise", "risk_level": "Medium"},
    {"account_id": "ACC000040", "tier": "Starter", "risk_level": "Medium"},
]
DECLINING = [
    {"customer_id": "ACC000501", "decline_level": 3, "segment_id": 0},
    {"customer_id": "ACC000502", "decline_level": 3, "segment_id": 0},
]


def _thread(*turns: tuple[str, str, dict[str, Any], list[dict[str, Any]]]) -> list[BaseMessage]:
    """(question, tool, args, result rows) per earlier turn, as messages."""
    history: list[BaseMessage] = []
    for index, (question, tool, args, rows) in enumerate(turns):
        call = {"name": tool, "args": args, "id": f"call{index}", "type": "tool_call"}
        history += [
            HumanMessage(question),
            AIMessage("", tool_calls=[call]),
            ToolMessage(
                json.dumps({"tool": tool, "rows": rows}), name=tool, tool_call_id=f"call{index}"
            ),
        ]
    return history


SCORE_TURN = ("which accounts are riskiest?", "score_leakage", {}, SCORED)


def _first_call(question: str, history: list[BaseMessage]) -> tuple[str, dict[str, Any]]:
    chosen = plan(question, thread_memory(history))
    assert chosen.calls, (question, chosen)
    return chosen.calls[0].name, chosen.calls[0].args


@pytest.mark.parametrize(
    ("question", "account"),
    [
        ("why is the only High-risk one on that list flagged?", "ACC000020"),
        ("explain the first medium-risk one", "ACC000030"),
        ("what's driving the second one?", "ACC000020"),
        ("why is #3 flagged?", "ACC000030"),
        ("explain the last one on that list", "ACC000040"),
        ("why is the Starter one there?", "ACC000040"),
    ],
)
def test_a_row_of_the_last_list_is_picked_by_position_or_attribute(
    question: str, account: str
) -> None:
    assert _first_call(question, _thread(SCORE_TURN)) == (
        "explain_risk_factors",
        {"account_id": account},
    )


def test_the_list_outlives_a_drill_into_one_of_its_rows() -> None:
    history = _thread(
        SCORE_TURN, ("explain the top one", "explain_risk_factors", {"account_id": "ACC000010"}, [])
    )
    assert _first_call("and the last one on that list?", history) == (
        "explain_risk_factors",
        {"account_id": "ACC000040"},
    )


def test_the_top_one_of_a_declining_list_gets_its_trend() -> None:
    history = _thread(
        ("sharp decliners", "find_declining_customers", {"decline_level": 3}, DECLINING)
    )
    assert _first_call("show me the trend for the top one on that list", history) == (
        "decompose_trend",
        {"account_id": "ACC000501"},
    )


@pytest.mark.parametrize(
    "question",
    ["narrow that to segment 0", "filter those to cluster 0", "just those in segment 0 please"],
)
def test_narrowing_keeps_the_tool_and_its_filters(question: str) -> None:
    history = _thread(
        ("sharp decliners", "find_declining_customers", {"decline_level": 3}, DECLINING)
    )
    assert _first_call(question, history) == (
        "find_declining_customers",
        {"decline_level": 3, "segment_id": 0},
    )


@pytest.mark.parametrize(
    "question", ["only the high ones?", "and just the high ones", "high ones only?"]
)
def test_a_level_word_in_a_risk_thread_is_a_risk_level(question: str) -> None:
    memory = Memory(last_tool="score_leakage", last_args={"tier": "Enterprise"})
    chosen = plan(question, memory)
    assert chosen.calls[0].name == "score_leakage"
    assert chosen.calls[0].args == {"tier": "Enterprise", "risk_level": "High"}


def test_a_level_word_outside_a_risk_thread_names_no_risk_level() -> None:
    memory = Memory(last_tool="find_declining_customers", last_args={"decline_level": 3})
    for call in plan("only the high ones?", memory).calls:
        assert "risk_level" not in call.args


@pytest.mark.parametrize(
    "question",
    [
        "ok and which accounts does the model expect to leak that way next month?",
        "who will probably go the same way next month?",
    ],
)
def test_that_way_carries_the_leakage_type_into_a_prediction(question: str) -> None:
    memory = Memory(
        last_tool="detect_leakage", last_args={"leakage_type": "Expired_Payment_Method"}
    )
    chosen = plan(question, memory)
    assert chosen.calls[0].name == "score_leakage"
    assert chosen.calls[0].args.get("leakage_type") == "Expired_Payment_Method"


def test_pick_row_needs_a_position_or_an_attribute() -> None:
    assert pick_row(SCORED, {}, None) is None
    assert pick_row(SCORED, {"risk_level": "High"}, None) == "ACC000020"
    assert pick_row(SCORED, {"tier": "Enterprise"}, 1) == "ACC000030"
    assert pick_row(SCORED, {"tier": "Professional"}, None) is None
    assert pick_row(SCORED, {}, 9) is None


def test_negated_words_are_muted() -> None:
    lexicon = load_lexicon()
    tokens = tokenize("segment 1 size, not the member list")
    muted = muted_words(tokens, lexicon.negators, lexicon.negation_window)
    assert {tokens.index("member"), tokens.index("list")} <= muted
    assert tokens.index("size") not in muted


@pytest.mark.parametrize(
    ("question", "tool", "args"),
    [
        (
            "Among Business-tier customers, who does the model think is going to leak because "
            "of an expired payment method? Forward-looking, not what already happened.",
            "score_leakage",
            {"tier": "Business", "leakage_type": "Expired_Payment_Method"},
        ),
        (
            "how is our customer base clustered - what groups do we actually have?",
            "list_segments",
            {},
        ),
        (
            "what's the profile of segment 1 - just its one-line description and size, not the "
            "member list",
            "list_segments",
            {"segment_id": 1},
        ),
        ("What's the company name on account ACC001446?", "query_duckdb", {}),
        ("which region is ACC000042 in?", "query_duckdb", {}),
        ("new here - what sort of questions can you actually answer for me?", "capabilities", {}),
    ],
)
def test_single_questions(question: str, tool: str, args: dict[str, Any]) -> None:
    chosen = plan(question)
    assert (chosen.calls[0].name if chosen.calls else chosen.intent) == tool, question
    if args:
        assert chosen.calls[0].args == args


def test_an_account_attribute_is_looked_up_in_accounts() -> None:
    sql = plan("What's the company name on account ACC001446?").calls[0].args["sql"]
    assert "FROM accounts" in sql and "account_id = 'ACC001446'" in sql
    assert "name" in sql
