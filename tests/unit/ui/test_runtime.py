"""A turn as events: LangGraph's stream modes mapped to steps, tokens, progress and the answer."""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.messages import AIMessage, RemoveMessage, ToolMessage

from tools.context import Context
from ui.runtime import (
    ChatRuntime,
    Final,
    Progress,
    Revised,
    Token,
    ToolFinished,
    ToolStarted,
    events_from_update,
    pretty,
    progress_from_custom,
    with_overrides,
)


def test_model_update_with_tool_calls_starts_tools():
    update = {
        "call_model": {
            "messages": [
                AIMessage(
                    "", tool_calls=[{"name": "score_leakage", "args": {"top_n": 5}, "id": "c1"}]
                )
            ]
        }
    }
    assert events_from_update(update) == [ToolStarted("c1", "score_leakage", {"top_n": 5})]


def test_tools_update_finishes_tools_with_artifacts():
    message = ToolMessage('{"tool":"x"}', tool_call_id="c1", name="x", artifact={"title": "T"})
    (event,) = events_from_update({"tools": {"messages": [message]}})
    assert event == ToolFinished("c1", "x", '{"tool":"x"}', {"title": "T"}, False)


def test_guard_removal_is_a_revision_and_other_updates_are_quiet():
    assert events_from_update(
        {"check_answer": {"messages": [RemoveMessage(id="a1")], "faithful": False}}
    ) == [Revised()]
    assert events_from_update({"check_answer": {"faithful": True}}) == []
    assert events_from_update({"call_model": {"messages": [AIMessage("final answer")]}}) == []
    assert events_from_update({"weird": None}) == []


def test_progress_payloads():
    assert progress_from_custom(
        {"progress": {"done": 50, "total": 200, "label": "Scoring"}}
    ) == Progress("Scoring", 50.0, 200.0)
    assert progress_from_custom({"something": 1}) is None and progress_from_custom("text") is None


def test_overrides_only_for_known_context_fields():
    context = with_overrides(
        Context(db_path="x.duckdb"), {"model": "offline", "no_such_knob": 1, "sql_row_cap": None}
    )
    assert (
        context.model == "offline"
        and context.sql_row_cap == 200
        and not hasattr(context, "no_such_knob")
    )


def test_pretty_json_or_text():
    assert pretty('{"a":1}') == '{\n  "a": 1\n}' and pretty("plain") == "plain"


def test_a_real_offline_turn_streams_steps_tokens_and_the_answer(small_world, tmp_path):
    async def run():
        runtime = await ChatRuntime.open(tmp_path / "threads.sqlite")
        try:
            events = [
                e
                async for e in runtime.stream(
                    "Show revenue by region", "t1", Context(db_path=str(small_world))
                )
            ]
            history = await runtime.messages("t1")
        finally:
            await runtime.close()
        return events, history

    events, history = asyncio.run(run())
    started = [e for e in events if isinstance(e, ToolStarted)]
    finished = [e for e in events if isinstance(e, ToolFinished)]
    assert [e.name for e in started] == ["query_duckdb"] and "region" in started[0].args["sql"]
    assert finished[0].call_id == started[0].call_id and finished[0].artifact["table"]
    tokens = "".join(e.text for e in events if isinstance(e, Token))
    final = events[-1]
    assert isinstance(final, Final) and final.answer == tokens and "North America" in final.answer
    assert final.tool_calls == [{"name": "query_duckdb", "args": started[0].args}]
    assert len(history) == 4  # question, tool call, tool result, answer


def test_an_upload_turn_reaches_score_file_with_the_path_and_streams_progress(tmp_path):
    """With a stand-in `score_file` tool: the planner routes the upload turn to it, progress
    written through LangGraph's stream writer arrives as `Progress`, the artifact comes back."""
    from contextlib import AsyncExitStack

    from langchain_core.tools import tool
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.config import get_stream_writer

    from agent.graph import build_graph
    from tools.results import tool_result
    from tools.schemas import ScoreFileArgs

    @tool("score_file", args_schema=ScoreFileArgs, response_format="content_and_artifact")
    def fake_score_file(file_path: str, **_: Any) -> tuple[str, dict]:
        """Score an uploaded file (the other arguments are the real tool's, `ScoreFileArgs`)."""
        writer = get_stream_writer()
        for done in (50, 100):
            writer({"progress": {"done": done, "total": 100, "label": "Scoring accounts"}})
        content, artifact = tool_result(
            "score_file",
            summary={
                "file": "a.csv",
                "n_accounts": 2,
                "n_high_risk": 1,
                "total_expected_loss": 10.0,
            },
            rows=[{"account_id": "ACC000001", "risk_level": "High"}],
            chart={"kind": "risk_distribution", "data": {"counts": {"High": 1, "Low": 1}}},
        )
        artifact["files"] = [{"path": file_path, "name": "a-scored.csv", "mime": "text/csv"}]
        return content, artifact

    upload = tmp_path / "uploads" / "t1" / "a.csv"

    async def run():
        graph = build_graph(tools=[fake_score_file]).compile(checkpointer=InMemorySaver())
        runtime = ChatRuntime(graph, AsyncExitStack())
        return [
            e
            async for e in runtime.stream(
                f"Score the file {upload}", "t1", Context(db_path="unused.duckdb")
            )
        ]

    events = asyncio.run(run())
    started = next(e for e in events if isinstance(e, ToolStarted))
    assert started.name == "score_file" and started.args == {"file_path": str(upload)}
    assert [e.done for e in events if isinstance(e, Progress)] == [50.0, 100.0]
    finished = next(e for e in events if isinstance(e, ToolFinished))
    assert finished.artifact["files"][0]["name"] == "a-scored.csv"
    assert "2 accounts scored" in events[-1].answer


def test_after_an_import_the_first_one_no_longer_points_at_the_old_list(small_world, tmp_path):
    """rt10: once a chat import switched the warehouse, "the first one" still meant the first
    account of a list from the previous warehouse. The chat now sends a data-change note with
    the next question: it is kept in the thread, starts no turn, and the planner forgets the
    earlier lists (it asks which account is meant). Without the note it still points back."""
    from ui.copy import DATA_CHANGED
    from ui.transcript import turns_from_messages

    async def run(note: str | None) -> tuple[list, list]:
        runtime = await ChatRuntime.open(tmp_path / f"threads-{bool(note)}.sqlite")
        context = Context(db_path=str(small_world))
        try:
            async for _ in runtime.stream("top 5 customers by revenue this year", "t", context):
                pass
            events = [
                e
                async for e in runtime.stream(
                    "show the trend of the first one", "t", context, note=note
                )
            ]
            history = await runtime.messages("t")
        finally:
            await runtime.close()
        return events, history

    kept_events, _ = asyncio.run(run(None))
    (pointed,) = [e for e in kept_events if isinstance(e, ToolStarted)]
    assert pointed.name == "decompose_trend" and pointed.args["account_id"].startswith("ACC")

    events, history = asyncio.run(run(DATA_CHANGED))
    assert not [e for e in events if isinstance(e, ToolStarted)]
    assert "Which account do you mean?" in events[-1].answer
    assert [m.text for m in history if getattr(m, "name", None) == "data_change"] == [DATA_CHANGED]
    assert [t.question for t in turns_from_messages(history)] == [
        "top 5 customers by revenue this year",
        "show the trend of the first one",
    ]
