"""Guessing versus asking: the `clarify` expectation, wrong_tool_rate, clarification_rate."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from evals.judge import TurnRecord, asks_question, judge_turn, normalise_args
from evals.metrics import clarification_rate, summarise, wrong_tool_rate
from evals.schema import Expect, load_cases

EVALS = Path(__file__).resolve().parents[3] / "evals"


def _judge(expect: Expect, record: TurnRecord, case: str = "c"):  # type: ignore[no-untyped-def]
    return judge_turn(expect, record, case_id=case, turn_index=0, repeat=0, file="f")


ASK = TurnRecord("why is that one flagged?", answer="Which account do you mean? ACC000042?")
GUESS = TurnRecord(
    "why is that one flagged?",
    answer="Top accounts are listed.",
    tool_calls=[{"name": "score_leakage", "args": {}}],
)
RIGHT = TurnRecord(
    "Why is ACC000042 flagged?",
    answer="It is High risk.",
    tool_calls=[{"name": "explain_risk_factors", "args": {"account_id": "acc42"}}],
)


def test_clarify_turn_asked_or_guessed() -> None:
    expect = Expect(clarify=True)
    asked, guessed = _judge(expect, ASK), _judge(expect, GUESS)
    assert (asked.clarify_ok, asked.wrong_tool, asked.passed) == (True, False, True)
    assert (guessed.clarify_ok, guessed.wrong_tool, guessed.passed) == (False, True, False)
    assert clarification_rate([asked, guessed]) == 0.5
    assert wrong_tool_rate([asked, guessed]) == 0.5


def test_wrong_tool_counts_calls_not_abstentions() -> None:
    expect = Expect(tools=["explain_risk_factors"])
    right = _judge(expect, RIGHT)
    wrong = _judge(expect, GUESS)
    asked = _judge(expect, ASK)  # asked instead: a tool-selection miss, not a wrong tool
    assert [o.wrong_tool for o in (right, wrong, asked)] == [False, True, False]
    assert [o.tool_ok for o in (right, wrong, asked)] == [True, False, False]
    summary = summarise([right, wrong, asked])
    assert summary["wrong_tool_rate"] == pytest.approx(0.3333)
    assert summary["tool_selection_accuracy"] == pytest.approx(0.3333)
    assert summary["clarification_rate"] is None  # no turn expected a question


def test_needless_question_fails_clarify_false() -> None:
    outcome = _judge(Expect(clarify=False), ASK)
    assert outcome.clarify_ok is False and not outcome.passed


@pytest.mark.parametrize(
    "bad",
    [
        {"clarify": True, "tools": ["score_leakage"]},
        {"clarify": True, "refuse": True},
        {"clarify": True, "no_tool": False},
    ],
)
def test_contradictory_clarify_expectations_are_rejected(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Expect.model_validate(bad)


def test_old_argument_name_reads_as_account_id() -> None:
    expect = Expect(args={"decompose_trend": {"customer_id": "ACC000004"}})
    assert expect.args == {"decompose_trend": {"account_id": "ACC000004"}}
    assert normalise_args("decompose_trend", {"customer_id": "acc4"}) == {"account_id": "ACC000004"}


def test_asks_question_needs_a_question_mark_ending_a_sentence() -> None:
    assert asks_question("Which one — ACC000001 or ACC000002?")
    assert not asks_question("See https://example.com/?q=1 for details.")


@pytest.mark.parametrize("path", sorted(EVALS.glob("holdout*/*.jsonl")), ids=lambda p: p.name)
def test_every_blind_set_loads(path: Path) -> None:
    assert load_cases([path])
