"""Replies of the offline planner that are not refusals, and the note on a corrected id."""

from __future__ import annotations

from pathlib import Path

from langchain_core.tools import BaseTool

from agent.offline.planner import Memory, plan
from agent.run import Agent
from evals.judge import declines
from prompts import load_prompt
from tools import query_duckdb


def test_a_missing_analysis_is_not_worded_as_a_refusal(tmp_path: Path) -> None:
    with Agent.open(checkpoint=tmp_path / "t.sqlite", tools=[query_duckdb]) as agent:
        result = agent.ask("Why is ACC000042 flagged?")
    assert result.tool_calls == []
    assert "`explain_risk_factors` analysis is not available" in result.answer
    assert not declines(result.answer)
    assert declines(load_prompt("reply_destructive"))  # a real refusal still reads as one


def test_an_id_typed_with_a_letter_is_corrected_and_said(
    tmp_path: Path, all_tools: list[BaseTool]
) -> None:
    with Agent.open(checkpoint=tmp_path / "t.sqlite", tools=all_tools) as agent:
        result = agent.ask("Why's ACC00O042 high risk?")
    assert result.tool_calls == [
        {"name": "explain_risk_factors", "args": {"account_id": "ACC000042"}}
    ]
    assert result.answer.startswith('_I read "ACC00O042" as **ACC000042**._')
    assert result.faithful is True


def test_an_acknowledgement_mid_thread_re_runs_nothing() -> None:
    listed = Memory(last_tool="score_leakage", last_args={"tier": "Enterprise"})
    assert plan("got it, thanks", listed).intent == "thanks"
    assert plan("ok cool", listed).intent == "thanks"
    assert plan("ok, and the medium risk ones?", listed).calls[0].args == {
        "tier": "Enterprise",
        "risk_level": "Medium",
    }
