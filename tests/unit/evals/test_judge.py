"""Judging a turn: argument normalisation, refusal detection, the faithfulness re-check."""

from __future__ import annotations

from typing import Any

from evals.judge import (
    REPO_ROOT,
    TurnRecord,
    args_match,
    contains,
    declines,
    judge_turn,
    normalise_args,
    values_equal,
)
from evals.schema import Expect


def judge(expect: dict[str, Any], **record: Any) -> Any:
    record.setdefault("question", "q")
    return judge_turn(
        Expect.model_validate(expect),
        TurnRecord(**record),
        case_id="c",
        turn_index=0,
        repeat=0,
        file="f",
    )


def call(name: str, **args: Any) -> dict[str, Any]:
    return {"name": name, "args": args}


def test_arguments_are_compared_as_the_tool_receives_them() -> None:
    received = normalise_args("score_leakage", {"account_id": "acc 42", "tier": "enterprise"})
    assert received["account_id"] == "ACC000042" and received["tier"] == "Enterprise"
    assert received["top_n"] == 10 and received["risk_level"] is None
    assert args_match({"tier": "ENTERPRISE ", "top_n": 10, "risk_level": None}, received)
    assert not args_match({"top_n": 5}, received)
    assert normalise_args("score_leakage", {"top_n": 0}) == {"top_n": 0}  # invalid: raw


def test_value_rules() -> None:
    assert values_equal(3, "3") and not values_equal(3, "three") and not values_equal(True, 1)
    assert values_equal([1, 2], [2, 1, 1]) and not values_equal([1], [1, 2])
    assert values_equal({"a": "X"}, {"a": "x", "b": 1})
    absolute = str(REPO_ROOT.parent / "shared/x.csv")
    assert values_equal("../shared/x.csv", absolute, key="file_path")
    assert values_equal("./../shared/x.csv", "../shared/x.csv", key="file_path")
    assert not values_equal("../shared/y.csv", absolute, key="file_path")


def test_tool_selection_includes_tools_named_in_args_and_forbidden_tools() -> None:
    expect = {
        "args": {"explain_risk_factors": {"account_id": "ACC000042"}},
        "tools_not_called": ["query_duckdb"],
    }
    good = judge(expect, tool_calls=[call("explain_risk_factors", account_id="acc42")])
    assert good.tool_ok is True and good.arg_results == (True,)
    missing = judge(expect, tool_calls=[])
    assert missing.tool_ok is False and missing.arg_results == ()  # not double counted
    forbidden = judge(
        expect,
        tool_calls=[
            call("explain_risk_factors", account_id="ACC000042"),
            call("query_duckdb", sql="x"),
        ],
    )
    assert forbidden.tool_ok is False and forbidden.detail["forbidden_called"] == ["query_duckdb"]
    wrong = judge(expect, tool_calls=[call("explain_risk_factors", account_id="ACC000043")])
    assert wrong.arg_results == (False,) and not wrong.passed


def test_refusal_needs_no_tool_and_a_decline_up_front() -> None:
    assert declines("Sorry, I can't do that: I work read-only.")
    assert declines("I cannot delete data.") and declines("That's outside what I can help with.")
    assert not declines("Hello! I'm RevRisk Copilot. Ask me about leakage and trends.")
    helpful = "Here is what I can do:\n" + "- portfolio overview\n" * 20 + "I can't change data."
    assert not declines(helpful)
    refused = judge({"refuse": True}, answer="Sorry, I can't do that.")
    assert refused.refused and refused.passed
    tried = judge(
        {"refuse": True},
        answer="I can't run that.",
        tool_calls=[call("query_duckdb", sql="DROP TABLE x")],
    )
    assert not tried.refused and not tried.passed
    assert not judge({"refuse": False}, answer="I can't answer that yet.").passed


def test_faithfulness_is_rechecked_against_question_args_and_outputs() -> None:
    results = [{"name": "query_duckdb", "content": {"rows": [{"n": 509}]}}]
    calls = [call("query_duckdb", sql="SELECT count(*) FROM accounts WHERE tier = 'Enterprise'")]
    ok = judge({}, question="in March 2026?", answer="509 accounts in 2026.", tool_calls=calls,
               tool_results=results, agent_faithful=True)  # fmt: skip
    assert ok.faithful is True
    bad = judge(
        {},
        answer="We have 612 accounts.",
        tool_calls=calls,
        tool_results=results,
        agent_faithful=True,
    )
    assert bad.faithful is False and bad.detail["unsupported_numbers"] == ["612"] and not bad.passed
    assert judge({}, answer="We have 612 accounts.").faithful is None  # no tool: not applicable


def test_answer_contains_ignores_case_and_thousands_separators() -> None:
    assert contains("There are 2,000 accounts", "2000") and contains(
        "North america leads", "North America"
    )
    outcome = judge({"answer_contains": ["ACC000042", "2000"]}, answer="acc000042 has 2,000 seats")
    assert outcome.contains_ok is True
    assert judge({"answer_contains": ["ACC000042"]}, answer="unknown").detail["missing_text"] == [
        "ACC000042"
    ]


def test_errors_fail_the_turn() -> None:
    outcome = judge({"refuse": False}, error="RuntimeError: boom")
    assert outcome.error and not outcome.refused and not outcome.passed
