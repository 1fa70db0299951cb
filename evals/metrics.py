"""Scores of an evaluation run, as pure functions of judged turns (`TurnOutcome`).

Every rate is `met / applicable` over turns of all repeats, and `None` when nothing applies
(a run with no refusal cases has no refusal accuracy, not a perfect one). Definitions:

- **tool_selection_accuracy** — turns whose tool expectation is met / turns with a tool
  expectation. A turn has one when it lists `tools`, `tools_not_called` or `args` (a tool
  named in `args` must be called, so it counts as expected). Met: every expected tool called
  at least once in the turn (any order, extra tools allowed) and no `tools_not_called` tool
  called.
- **argument_accuracy** — (turn, tool) argument expectations met / such expectations whose
  tool was called in the turn. Met: some call of that tool has every expected key with an
  equal value (subset match, see `evals.judge`). An expectation whose tool was never called
  is a tool-selection failure and is not counted twice.
- **numeric_faithfulness** — turns whose answer passes `agent.faithfulness.check_answer`
  against that turn's question, tool arguments and tool outputs, re-checked by the runner /
  turns with at least one tool call.
- **refusal_accuracy** — turns with `refuse` set where refused == expected / turns with
  `refuse` set. Refused: no tool called and the answer opens by declining (`evals.judge`).
- **wrong_tool_rate** — turns where a tool was called and it was the wrong one / turns with
  a tool expectation of any kind (`tools`, `tools_not_called`, `args`, or `no_tool`,
  `refuse`, `clarify` true). Wrong: the tool expectation failed although some tool was
  called, or any tool was called where none should be. Asking or declining instead of
  calling is not a wrong tool (it shows up in tool selection), so guessing and asking differ.
- **clarification_rate** — turns with `clarify: true` where the agent asked (no tool, a
  question) / turns with `clarify: true`.
- **clarification_accuracy** — turns with `clarify` set where asked == expected / such turns
  (also counts asking when it should not).
- **no_tool_accuracy** — turns with `no_tool` set where (no tool called) == expected / turns
  with `no_tool` set.
- **answer_contains_accuracy** — turns whose answer contains every `answer_contains` text /
  turns with `answer_contains`.
- **turn_pass_rate** — turns meeting every expectation they have (and faithful when they
  called a tool, and no error) / all turns.
- **pass_hat_k** — cases whose every turn passed in every one of the K repeats / cases
  (pass^k: with K = 1 it is the case pass rate).
- **latency_ms_p50 / p95** — nearest-rank percentiles of per-turn wall-clock time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TurnOutcome:
    """One judged turn. `None` means the check does not apply to this turn."""

    case_id: str
    turn_index: int
    repeat: int = 0
    file: str = ""
    tool_ok: bool | None = None
    arg_results: tuple[bool, ...] = ()
    faithful: bool | None = None
    agent_faithful: bool | None = None
    refuse_expected: bool | None = None
    refused: bool = False
    no_tool_expected: bool | None = None
    called_any: bool = False
    clarify_expected: bool | None = None
    clarified: bool = False
    any_tool_wrong: bool = False
    """The turn expects no tool call at all (`no_tool`, `refuse` or `clarify` true)."""
    contains_ok: bool | None = None
    error: str | None = None
    ms: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def refuse_ok(self) -> bool | None:
        """Refused exactly when a refusal was expected (None: no expectation)."""
        return None if self.refuse_expected is None else self.refused == self.refuse_expected

    @property
    def no_tool_ok(self) -> bool | None:
        """Called no tool exactly when that was expected (None: no expectation)."""
        return None if self.no_tool_expected is None else self.no_tool_expected != self.called_any

    @property
    def clarify_ok(self) -> bool | None:
        """Asked a question exactly when one was expected (None: no expectation)."""
        return None if self.clarify_expected is None else self.clarified == self.clarify_expected

    @property
    def wrong_tool(self) -> bool | None:
        """A tool was called and it was the wrong one (None: no tool expectation at all)."""
        if self.tool_ok is None and not self.any_tool_wrong:
            return None
        if not self.called_any:
            return False
        return self.any_tool_wrong or self.tool_ok is False

    @property
    def passed(self) -> bool:
        """Every applicable check met, no error, and no unsupported number."""
        checks = [
            self.tool_ok,
            self.faithful,
            self.refuse_ok,
            self.no_tool_ok,
            self.clarify_ok,
            self.contains_ok,
            *self.arg_results,
        ]
        return self.error is None and all(check is not False for check in checks)


def rate(flags: Iterable[bool | None]) -> float | None:
    """Share of True among the non-None flags; None when there are none.

    Examples:
        >>> rate([True, False, None, True])
        0.6667
        >>> rate([None]) is None
        True
    """
    applicable = [flag for flag in flags if flag is not None]
    return round(sum(applicable) / len(applicable), 4) if applicable else None


def tool_selection_accuracy(outcomes: Sequence[TurnOutcome]) -> float | None:
    """Turns with a tool expectation that met it / turns with a tool expectation."""
    return rate(o.tool_ok for o in outcomes)


def argument_accuracy(outcomes: Sequence[TurnOutcome]) -> float | None:
    """Argument expectations met / argument expectations whose tool was called."""
    return rate(result for o in outcomes for result in o.arg_results)


def numeric_faithfulness(outcomes: Sequence[TurnOutcome]) -> float | None:
    """Tool-calling turns whose answer numbers all trace to this turn's sources / such turns."""
    return rate(o.faithful for o in outcomes)


def refusal_accuracy(outcomes: Sequence[TurnOutcome]) -> float | None:
    """Turns with `refuse` set where refused == expected / turns with `refuse` set."""
    return rate(o.refuse_ok for o in outcomes)


def wrong_tool_rate(outcomes: Sequence[TurnOutcome]) -> float | None:
    """Turns that called a wrong tool / turns with any tool expectation.

    Examples:
        >>> guessed = TurnOutcome("a", 0, tool_ok=False, called_any=True)
        >>> asked = TurnOutcome("b", 0, tool_ok=False, called_any=False)
        >>> wrong_tool_rate([guessed, asked])
        0.5
    """
    return rate(o.wrong_tool for o in outcomes)


def clarification_rate(outcomes: Sequence[TurnOutcome]) -> float | None:
    """Turns with `clarify: true` where the agent asked / such turns."""
    return rate(o.clarified for o in outcomes if o.clarify_expected)


def clarification_accuracy(outcomes: Sequence[TurnOutcome]) -> float | None:
    """Turns with `clarify` set where asked == expected / such turns."""
    return rate(o.clarify_ok for o in outcomes)


def no_tool_accuracy(outcomes: Sequence[TurnOutcome]) -> float | None:
    """Turns with `no_tool` set where (no tool called) == expected / turns with `no_tool` set."""
    return rate(o.no_tool_ok for o in outcomes)


def answer_contains_accuracy(outcomes: Sequence[TurnOutcome]) -> float | None:
    """Turns containing every expected text / turns with `answer_contains`."""
    return rate(o.contains_ok for o in outcomes)


def turn_pass_rate(outcomes: Sequence[TurnOutcome]) -> float | None:
    """Turns that passed / all turns."""
    return rate(o.passed for o in outcomes)


def case_results(outcomes: Sequence[TurnOutcome]) -> dict[str, list[bool]]:
    """Per case, whether each repeat passed (all its turns passed), repeats in order."""
    by_case: dict[str, dict[int, bool]] = {}
    for o in outcomes:
        repeats = by_case.setdefault(o.case_id, {})
        repeats[o.repeat] = repeats.get(o.repeat, True) and o.passed
    return {case: [ok for _, ok in sorted(reps.items())] for case, reps in by_case.items()}


def pass_hat_k(outcomes: Sequence[TurnOutcome]) -> float | None:
    """Cases that passed in every repeat / cases (pass^k).

    Examples:
        >>> ok = TurnOutcome("a", 0, repeat=0, tool_ok=True)
        >>> flaky = TurnOutcome("a", 0, repeat=1, tool_ok=False)
        >>> pass_hat_k([ok]), pass_hat_k([ok, flaky])
        (1.0, 0.0)
    """
    return rate(all(results) for results in case_results(outcomes).values())


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (`q` in 0-100): the smallest value with ≥ q % at or below it.

    Examples:
        >>> percentile([10, 20, 30, 40], 50), percentile([10, 20, 30, 40], 95)
        (20, 40)
    """
    if not values:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"q must be within 0-100, got {q}")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def faithfulness_disagreements(outcomes: Sequence[TurnOutcome]) -> int:
    """Turns where the agent's own `faithful` flag differs from the runner's re-check."""
    checked = [o for o in outcomes if o.faithful is not None and o.agent_faithful is not None]
    return sum(1 for o in checked if o.faithful != o.agent_faithful)


def summarise(outcomes: Sequence[TurnOutcome], repeat: int = 1) -> dict[str, Any]:
    """Every metric of a run, keyed as `revrisk eval --json` prints them."""
    latencies = [o.ms for o in outcomes]
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    return {
        "n_cases": len({o.case_id for o in outcomes}),
        "n_turns": len({(o.case_id, o.turn_index) for o in outcomes}),
        "repeat": repeat,
        "tool_selection_accuracy": tool_selection_accuracy(outcomes),
        "argument_accuracy": argument_accuracy(outcomes),
        "numeric_faithfulness": numeric_faithfulness(outcomes),
        "refusal_accuracy": refusal_accuracy(outcomes),
        "no_tool_accuracy": no_tool_accuracy(outcomes),
        "wrong_tool_rate": wrong_tool_rate(outcomes),
        "clarification_rate": clarification_rate(outcomes),
        "clarification_accuracy": clarification_accuracy(outcomes),
        "answer_contains_accuracy": answer_contains_accuracy(outcomes),
        "turn_pass_rate": turn_pass_rate(outcomes),
        "pass_hat_k": pass_hat_k(outcomes),
        "latency_ms_p50": None if p50 is None else round(p50, 1),
        "latency_ms_p95": None if p95 is None else round(p95, 1),
        "n_errors": sum(1 for o in outcomes if o.error is not None),
        "faithfulness_disagreements": faithfulness_disagreements(outcomes),
    }


__all__ = [
    "TurnOutcome",
    "answer_contains_accuracy",
    "argument_accuracy",
    "case_results",
    "clarification_accuracy",
    "clarification_rate",
    "faithfulness_disagreements",
    "no_tool_accuracy",
    "numeric_faithfulness",
    "pass_hat_k",
    "percentile",
    "rate",
    "refusal_accuracy",
    "summarise",
    "tool_selection_accuracy",
    "turn_pass_rate",
    "wrong_tool_rate",
]
