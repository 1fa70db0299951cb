"""Graph wiring with a scripted chat model: which tool ran with which arguments, and the guard."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from agent_fakes import SAMPLE_CONTENT, ScriptedChatModel, call, stub_tool
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import BaseTool, StructuredTool
from langgraph.checkpoint.memory import InMemorySaver

from agent.graph import build_graph, route_model_output
from agent.offline.narratives import narrate_all
from agent.state import State
from agent.turns import GUARD_NOTE_NAME
from tools import query_duckdb
from tools.context import Context
from tools.results import tool_result

Log = list[tuple[str, dict[str, Any]]]


def run(
    model: ScriptedChatModel,
    tools: list[BaseTool],
    question: str,
    context: Context | None = None,
    **config: Any,
) -> dict[str, Any]:
    graph = build_graph(tools, model).compile()
    return graph.invoke(
        {"messages": [HumanMessage(question)]}, config or None, context=context or Context()
    )


def test_sql_tool_call_then_answer(warehouse: Path) -> None:
    model = ScriptedChatModel(
        script=[
            call("query_duckdb", sql="SELECT count(*) AS n FROM accounts"),
            AIMessage("There are 3 accounts."),
        ]
    )
    out = run(model, [query_duckdb], "How many accounts?", Context(db_path=str(warehouse)))
    tool_message = next(m for m in out["messages"] if isinstance(m, ToolMessage))
    assert json.loads(tool_message.content)["rows"] == [{"n": 3}]
    assert tool_message.artifact["table"] == [{"n": 3}]
    assert out["messages"][-1].content == "There are 3 accounts."
    assert out["faithful"] is True
    assert model.bound == ["query_duckdb"]
    assert isinstance(model.received[0][0], SystemMessage)


def test_domain_tool_receives_normalised_arguments(tool_log: Log) -> None:
    model = ScriptedChatModel(
        script=[
            call("explain_risk_factors", account_id="acc42"),
            AIMessage("ACC000042 is High risk: 83.4% probability, $1,234.56 expected loss."),
        ]
    )
    out = run(model, [stub_tool("explain_risk_factors", tool_log)], "Why is acc42 flagged?")
    assert tool_log == [("explain_risk_factors", {"account_id": "ACC000042"})]
    assert out["faithful"] is True


def test_guard_regenerates_once_with_a_note(tool_log: Log) -> None:
    model = ScriptedChatModel(
        script=[
            call("explain_risk_factors", account_id="ACC000042"),
            AIMessage("Expected loss is $9,999."),
            AIMessage("Expected loss is $1,234.56."),
        ]
    )
    out = run(model, [stub_tool("explain_risk_factors", tool_log)], "Why?")
    answers = [m.content for m in out["messages"] if isinstance(m, AIMessage) and m.content]
    assert answers == ["Expected loss is $1,234.56."]
    note = model.received[-1][-1]
    assert isinstance(note, HumanMessage) and note.name == GUARD_NOTE_NAME
    assert "$9,999" in note.content
    assert (out["faithful"], out["fallback"], out["retry_note"]) == (True, False, None)


def test_guard_falls_back_to_the_template(tool_log: Log, caplog: pytest.LogCaptureFixture) -> None:
    model = ScriptedChatModel(
        script=[
            call("explain_risk_factors", account_id="ACC000042"),
            AIMessage("Expected loss is $9,999."),
            AIMessage("Still $8,888."),
        ]
    )
    with caplog.at_level(logging.WARNING, logger="agent.graph"):
        out = run(model, [stub_tool("explain_risk_factors", tool_log)], "Why?")
    results = [(m.name, m.content) for m in out["messages"] if isinstance(m, ToolMessage)]
    assert out["messages"][-1].content == narrate_all(results)
    assert (out["faithful"], out["fallback"]) == (True, True)
    assert out["unsupported"] == ["$8,888"]
    assert "replaced by the template" in caplog.text


def test_guard_can_be_switched_off() -> None:
    model = ScriptedChatModel(script=[AIMessage("Revenue is $5M.")])
    out = run(model, [], "hi", Context(check_faithfulness=False))
    assert out["faithful"] is None
    assert out["messages"][-1].content == "Revenue is $5M."


def test_answer_without_tools_and_with_figures_is_replaced() -> None:
    model = ScriptedChatModel(script=[AIMessage("Revenue is $5M."), AIMessage("It is $6M.")])
    out = run(model, [], "What is revenue?")
    assert "only quote numbers from my analysis tools" in out["messages"][-1].content


def test_tool_exception_reaches_the_model_as_data() -> None:
    def boom(account_id: str) -> str:
        raise RuntimeError("service unavailable")

    broken = StructuredTool.from_function(boom, name="explain_risk_factors", description="x")
    model = ScriptedChatModel(
        script=[
            call("explain_risk_factors", account_id="ACC000042"),
            AIMessage("Sorry."),
        ]
    )
    out = run(model, [broken], "Why?")
    error = json.loads(out["messages"][2].content)
    assert error == {"error": "tool_failed", "message": "RuntimeError: service unavailable"}


def test_unknown_tool_name_is_reported_to_the_model() -> None:
    model = ScriptedChatModel(script=[call("no_such_tool"), AIMessage("Sorry.")])
    out = run(model, [query_duckdb], "x")
    assert "not a valid tool" in out["messages"][2].content


def test_step_limit_stops_tool_loops(tool_log: Log) -> None:
    # Different arguments each time: identical repeats are dropped by another rule.
    model = ScriptedChatModel(script=[call("list_segments", segment_id=i) for i in range(10)])
    out = run(model, [stub_tool("list_segments", tool_log)], "loop", recursion_limit=8)
    assert "stopped before finishing" in out["messages"][-1].content
    assert 1 <= len(tool_log) < 8


def test_router_raises_on_surprises() -> None:
    with pytest.raises(ValueError, match="Expected an AIMessage"):
        route_model_output(State(messages=[HumanMessage("hi")]))


def test_thread_memory_with_checkpointer(tool_log: Log) -> None:
    model = ScriptedChatModel(script=[AIMessage("Hello."), AIMessage("Hello again.")])
    graph = build_graph([], model).compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"messages": [HumanMessage("hi")]}, config, context=Context())
    out = graph.invoke({"messages": [HumanMessage("hi again")]}, config, context=Context())
    assert [m.content for m in out["messages"]] == ["hi", "Hello.", "hi again", "Hello again."]
    assert [m.content for m in model.received[1][1:]] == ["hi", "Hello.", "hi again"]


def test_tool_result_contract_caps_rows_for_the_model() -> None:
    rows = [{"account_id": f"ACC{i:06d}", "expected_loss": float(i)} for i in range(30)]
    content, artifact = tool_result(
        "score_leakage", summary={"n_accounts": 30}, rows=rows, max_rows=5
    )
    data = json.loads(content)
    assert (len(data["rows"]), data["n_rows"], data["truncated"]) == (5, 30, True)
    assert len(artifact["table"]) == 30 and artifact["columns"] == ["account_id", "expected_loss"]
    assert SAMPLE_CONTENT  # the stand-ins follow the same contract
