"""Metric definitions on hand-made outcomes (pure: no agent, no warehouse)."""

from __future__ import annotations

import pytest

from evals.metrics import (
    TurnOutcome,
    argument_accuracy,
    case_results,
    faithfulness_disagreements,
    no_tool_accuracy,
    numeric_faithfulness,
    pass_hat_k,
    percentile,
    refusal_accuracy,
    summarise,
    tool_selection_accuracy,
    turn_pass_rate,
)


def outcome(case: str = "c", turn: int = 0, repeat: int = 0, **fields: object) -> TurnOutcome:
    return TurnOutcome(case, turn, repeat=repeat, **fields)  # type: ignore[arg-type]


def test_tool_selection_counts_only_turns_with_a_tool_expectation() -> None:
    outcomes = [outcome(tool_ok=True), outcome(tool_ok=False), outcome(tool_ok=None), outcome()]
    assert tool_selection_accuracy(outcomes) == 0.5


def test_argument_accuracy_counts_each_turn_tool_expectation() -> None:
    outcomes = [outcome(arg_results=(True, False)), outcome(arg_results=(True,)), outcome()]
    assert argument_accuracy(outcomes) == pytest.approx(0.6667)


def test_faithfulness_denominator_is_tool_calling_turns() -> None:
    outcomes = [outcome(faithful=True), outcome(faithful=False), outcome(faithful=None)]
    assert numeric_faithfulness(outcomes) == 0.5


def test_refusal_accuracy_compares_refused_with_expectation() -> None:
    outcomes = [
        outcome(refuse_expected=True, refused=True),
        outcome(refuse_expected=True, refused=False),
        outcome(refuse_expected=False, refused=False),
        outcome(refuse_expected=False, refused=True),
        outcome(refuse_expected=None, refused=True),
    ]
    assert refusal_accuracy(outcomes) == 0.5


def test_no_tool_accuracy() -> None:
    outcomes = [
        outcome(no_tool_expected=True, called_any=False),
        outcome(no_tool_expected=True, called_any=True),
        outcome(no_tool_expected=False, called_any=True),
    ]
    assert no_tool_accuracy(outcomes) == pytest.approx(0.6667)


def test_metrics_without_applicable_turns_are_none_not_perfect() -> None:
    summary = summarise([outcome()])
    for key in ("tool_selection_accuracy", "argument_accuracy", "numeric_faithfulness",
                "refusal_accuracy", "no_tool_accuracy", "answer_contains_accuracy"):  # fmt: skip
        assert summary[key] is None, key
    assert summarise([])["latency_ms_p50"] is None


def test_a_turn_passes_only_when_every_applicable_check_does() -> None:
    assert outcome(tool_ok=True, arg_results=(True,), faithful=True).passed
    assert not outcome(tool_ok=True, arg_results=(False,)).passed
    assert not outcome(faithful=False).passed
    assert not outcome(contains_ok=False).passed
    assert not outcome(error="boom").passed
    assert not outcome(refuse_expected=True, refused=False).passed
    assert outcome().passed  # nothing expected, nothing failed
    assert turn_pass_rate([outcome(), outcome(tool_ok=False)]) == 0.5


def test_pass_hat_k_needs_every_repeat_of_every_turn() -> None:
    outcomes = [
        outcome("a", 0, 0, tool_ok=True), outcome("a", 1, 0, tool_ok=True),
        outcome("a", 0, 1, tool_ok=True), outcome("a", 1, 1, tool_ok=False),
        outcome("b", 0, 0, tool_ok=True), outcome("b", 0, 1, tool_ok=True),
    ]  # fmt: skip
    assert case_results(outcomes) == {"a": [True, False], "b": [True, True]}
    assert pass_hat_k(outcomes) == 0.5
    summary = summarise(outcomes, repeat=2)
    assert (summary["n_cases"], summary["n_turns"], summary["repeat"]) == (2, 3, 2)


def test_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50 and percentile(values, 95) == 95
    assert percentile([7.0], 95) == 7.0 and percentile([], 50) is None
    with pytest.raises(ValueError, match="0-100"):
        percentile(values, 101)


def test_faithfulness_disagreements_ignore_unchecked_turns() -> None:
    outcomes = [
        outcome(faithful=True, agent_faithful=False),
        outcome(faithful=False, agent_faithful=False),
        outcome(faithful=None, agent_faithful=True),
        outcome(faithful=True, agent_faithful=None),
    ]
    assert faithfulness_disagreements(outcomes) == 1
