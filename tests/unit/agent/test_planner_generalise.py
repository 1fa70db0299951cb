"""Classes of wording the offline planner generalises over (issue 13): it asks or offers SQL
when it cannot be sure, instead of calling a tool that answers another question."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from agent.offline import plan
from agent.offline.model import thread_memory


def _listed(n: int = 5) -> list[BaseMessage]:
    rows = [
        {"account_id": f"ACC00080{i}", "leakage_type": "Contract_Terms_Error"} for i in range(n)
    ]
    call = {"name": "detect_leakage", "args": {"top_n": n}, "id": "c1", "type": "tool_call"}
    return [
        HumanMessage("contract pricing errors, top 5"),
        AIMessage("", tool_calls=[call]),
        ToolMessage(json.dumps({"tool": "detect_leakage", "rows": rows}), tool_call_id="c1"),
    ]


@pytest.mark.parametrize(
    "question",
    [
        "compare the two of them",
        "can you compare those for me?",
        "what about last month for them?",
        "why did it drop?",
        "and the other one?",
        "show me the numbers",
        "pull up the figures",
        "why is Northwind Quarry Partners flagged as risky?",
    ],
)
def test_a_first_message_without_its_referent_or_question_is_asked_about(question: str) -> None:
    assert plan(question).intent == "clarify", question


def test_it_after_a_list_asks_which_row_and_offers_the_first_rows() -> None:
    chosen = plan("so why does it keep happening?", thread_memory(_listed()))
    assert chosen.intent == "clarify" and not chosen.calls
    assert [o.message for o in chosen.options] == [f"Why is ACC00080{i} flagged?" for i in range(3)]


def test_a_row_picked_by_position_is_still_answered() -> None:
    chosen = plan("why is the second one there?", thread_memory(_listed()))
    assert [(c.name, c.args) for c in chosen.calls] == [
        ("explain_risk_factors", {"account_id": "ACC000801"})
    ]


@pytest.mark.parametrize(
    ("question", "tool", "account"),
    [
        ("is #7 seasonal?", "decompose_trend", "ACC000007"),
        ("Iron Peak #27 - what happened to their revenue?", "decompose_trend", "ACC000027"),
        (
            "Will ACC000321 leak next month, and what's the reason?",
            "explain_risk_factors",
            "ACC000321",
        ),
    ],
)
def test_ids_and_reasons(question: str, tool: str, account: str) -> None:
    call = plan(question).calls[0]
    assert (call.name, call.args.get("account_id")) == (tool, account)


def test_a_count_after_a_superlative_is_top_n() -> None:
    call = plan("the worst four billing system errors we've caught").calls[0]
    assert (call.name, call.args["top_n"]) == ("detect_leakage", 4)


@pytest.mark.parametrize(
    "question",
    [
        "how much does the CEO at Quiet Beacon Logistics earn?",
        "how much does the VP of Finance over at ACC000042 take home?",
    ],
)
def test_a_persons_pay_is_declined(question: str) -> None:
    assert plan(question).intent == "foreign"


@pytest.mark.parametrize(
    "question",
    [
        "our CEO wants to know what we earn from Enterprise",
        "the CFO asked which accounts are riskiest",
    ],
)
def test_a_role_in_a_business_question_is_no_personal_data(question: str) -> None:
    assert plan(question).calls, question


@pytest.mark.parametrize("question", ["what's our ARPU?", "what is our renewal rate?"])
def test_a_measure_no_tool_computes_is_offered_the_sql_route(question: str) -> None:
    assert plan(question).intent == "need_sql"


@pytest.mark.parametrize("question", ["what's our LTV to CAC ratio?", "CAC payback by tier"])
def test_a_measure_that_needs_data_the_warehouse_lacks_says_so(question: str) -> None:
    """CAC needs acquisition spend, which no table holds: no SQL could answer (rt8 D28)."""
    chosen = plan(question)
    assert chosen.intent == "missing_data" and "acquisition" in chosen.topic, chosen


@pytest.mark.parametrize(
    "question",
    ["GRR for H1 on the Business tier", "ARR by region", "expansion vs contraction last quarter"],
)
def test_finance_measures_are_warehouse_queries(question: str) -> None:
    assert [c.name for c in plan(question).calls] == ["query_duckdb"]


def _segments_listed() -> list[BaseMessage]:
    rows = [{"segment_id": 0, "label": "Mid-size & steady"}, {"segment_id": 1, "label": "Volatile"}]
    call = {"name": "list_segments", "args": {}, "id": "s1", "type": "tool_call"}
    return [
        HumanMessage("which segments do we have?"),
        AIMessage("", tool_calls=[call]),
        ToolMessage(json.dumps({"tool": "list_segments", "rows": rows}), tool_call_id="s1"),
    ]


@pytest.mark.parametrize(
    ("question", "segment"),
    [
        ("the second one - deep dive", 1),
        ("open up the first one", 0),
        ("open up the second one on that list", 1),
    ],
)
def test_a_segment_is_picked_from_the_list_by_position(question: str, segment: int) -> None:
    chosen = plan(question, thread_memory(_segments_listed()))
    assert [(c.name, c.args) for c in chosen.calls] == [("segment_report", {"segment_id": segment})]


def test_decliners_inside_the_segment_being_discussed_come_from_its_report() -> None:
    call = {"name": "segment_report", "args": {"segment_id": 1}, "id": "s2", "type": "tool_call"}
    history = [
        *_segments_listed(),
        HumanMessage("the second one"),
        AIMessage("", tool_calls=[call]),
        ToolMessage(json.dumps({"tool": "segment_report", "rows": []}), tool_call_id="s2"),
    ]
    chosen = plan("only the level 3 decliners in that one", thread_memory(history))
    assert [(c.name, c.args) for c in chosen.calls] == [
        ("segment_report", {"segment_id": 1, "decline_level": 3})
    ]


def test_a_position_standing_alone_picks_from_the_list() -> None:
    call = {"name": "decompose_trend", "args": {"account_id": "ACC000801"}, "id": "t1"}
    history = [
        *_listed(),
        HumanMessage("break down the 2nd one's revenue"),
        AIMessage("", tool_calls=[{**call, "type": "tool_call"}]),
        ToolMessage(json.dumps({"tool": "decompose_trend", "rows": []}), tool_call_id="t1"),
    ]
    chosen = plan("same for the third", thread_memory(history))
    assert [(c.name, c.args) for c in chosen.calls] == [
        ("decompose_trend", {"account_id": "ACC000802"})
    ]
