"""Judging one turn: what the agent did (`TurnRecord`) against what the case expects.

Argument matching (`args`), decided here once for every case file:

- the agent's arguments are first validated by the tool's own argument model
  (`tools.schemas.TOOL_ARGS`), so the comparison sees what the tool receives: `acc42` is
  `ACC000042`, an omitted `top_n` is its default 10, an omitted filter is `null`;
- subset match: every expected key must be present with an equal value; other keys are free;
- strings: trimmed and case-insensitive; path arguments (`file_path`, `*_path`) compare as
  resolved paths, relative ones taken from the repository root;
- numbers numerically (`5` = `5.0`; a numeric string counts as its number); booleans exactly;
  `null` expects the argument absent/None;
- lists as sets (order and repeats ignored); objects recursively as subsets.

Clarification: the turn called no tool, did not fail, and the answer asks the user a question
(a sentence ending in "?" — "Which account do you mean?"). A refusal that ends with "anything
else?" is both; the case says which one it expects.

Refusal: the turn called no tool and the answer's opening (first `REFUSAL_WINDOW` characters)
declines — "can't", "cannot", "won't", "unable to", "read-only", "outside what I …". An
answer that helps and mentions a limit further down is not a refusal.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agent.faithfulness import check_answer
from evals.metrics import TurnOutcome
from evals.schema import Expect
from tools.schemas import ARGUMENT_ALIASES, TOOL_ARGS

REPO_ROOT = Path(__file__).resolve().parents[1]
REFUSAL_WINDOW = 240
"""Characters at the start of an answer searched for a decline."""

_DECLINE = re.compile(
    r"\b(?:can[’']?t|cannot|can not|won[’']?t|will not|unable to|not able to|not allowed|"
    r"not permitted|(?:must|have to) decline|refuse|read[- ]only|outside (?:of )?(?:what|my|the)|"
    r"not (?:something|what) I|beyond what I)\b",
    re.IGNORECASE,
)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


@dataclass(frozen=True)
class TurnRecord:
    """What happened in one turn (from `TurnResult.as_json()`, or an error)."""

    question: str
    answer: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    tool_results: list[dict[str, Any]] = field(default_factory=list)
    agent_faithful: bool | None = None
    ms: float = 0.0
    error: str | None = None


def declines(answer: str) -> bool:
    """True when the answer opens by declining.

    Examples:
        >>> declines("Sorry, I can't do that. I work read-only.")
        True
        >>> declines("Hello! I look after revenue leakage and trends.")
        False
    """
    return bool(_DECLINE.search(answer[:REFUSAL_WINDOW]))


def asks_question(answer: str) -> bool:
    """True when the answer asks the user something (a question mark ends a sentence).

    Examples:
        >>> asks_question("Which account do you mean? An id such as ACC000042 works.")
        True
        >>> asks_question("ACC000042 is High risk.")
        False
    """
    return bool(re.search(r"\?(?:\s|$|[\"'”)*_])", answer))


def normalise_args(tool: str, args: dict[str, Any]) -> dict[str, Any]:
    """The arguments as the tool receives them (raw when its model rejects them); old
    argument names (`ARGUMENT_ALIASES`) read as the current ones."""
    aliases = ARGUMENT_ALIASES.get(tool, {})
    model = TOOL_ARGS.get(tool)
    if model is None:
        return dict(args)
    try:
        return model.model_validate(args).model_dump(exclude={"runtime"})
    except ValidationError:
        return {aliases.get(key, key): value for key, value in args.items()}


def _is_path_key(key: str) -> bool:
    return key == "file_path" or key.endswith("_path")


def _same_path(expected: str, actual: str) -> bool:
    def resolve(text: str) -> Path:
        path = Path(text.strip()).expanduser()
        return (path if path.is_absolute() else REPO_ROOT / path).resolve()

    return resolve(expected) == resolve(actual)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def values_equal(expected: Any, actual: Any, key: str = "") -> bool:
    """Equality after normalisation (see the module docstring).

    Examples:
        >>> values_equal(" enterprise ", "Enterprise"), values_equal(5, 5.0), values_equal(5, "5")
        (True, True, True)
        >>> values_equal(["a", "B"], ["b", "a"]), values_equal(None, 0)
        (True, False)
    """
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, int | float):
        number = _number(actual)
        return number is not None and math.isclose(expected, number, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(expected, str):
        if not isinstance(actual, str):
            return False
        if _is_path_key(key):
            return _same_path(expected, actual)
        return expected.strip().casefold() == actual.strip().casefold()
    if isinstance(expected, list):
        if not isinstance(actual, list | tuple):
            return False
        return all(any(values_equal(e, a, key) for a in actual) for e in expected) and all(
            any(values_equal(e, a, key) for e in expected) for a in actual
        )
    if isinstance(expected, dict):
        return isinstance(actual, dict) and args_match(expected, actual)
    return bool(expected == actual)


def args_match(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    """Subset match: every expected key present in `actual` with an equal value."""
    return all(
        (key in actual or value is None) and values_equal(value, actual.get(key), key)
        for key, value in expected.items()
    )


def contains(answer: str, text: str) -> bool:
    """Case-insensitive containment; thousands separators are ignored on both sides.

    Examples:
        >>> contains("We issued 1,839 invoices", "1839"), contains("ACC000042 is low", "acc000042")
        (True, True)
    """
    return _THOUSANDS.sub("", text).strip().casefold() in _THOUSANDS.sub("", answer).casefold()


def _tool_check(expect: Expect, called: set[str]) -> tuple[bool | None, dict[str, Any]]:
    required = expect.required_tools
    forbidden = set(expect.tools_not_called)
    if not required and not forbidden:
        return None, {}
    missing, wrongly_called = sorted(required - called), sorted(forbidden & called)
    return not missing and not wrongly_called, {
        "missing_tools": missing,
        "forbidden_called": wrongly_called,
    }


def _arg_checks(expect: Expect, calls: list[dict[str, Any]]) -> tuple[tuple[bool, ...], list]:
    results, failures = [], []
    for tool, expected in expect.args.items():
        actual = [normalise_args(tool, c.get("args") or {}) for c in calls if c["name"] == tool]
        if not actual:
            continue  # counted by tool selection
        ok = any(args_match(expected, a) for a in actual)
        results.append(ok)
        if not ok:
            failures.append({"tool": tool, "expected": expected, "actual": actual})
    return tuple(results), failures


def _faithfulness(record: TurnRecord) -> tuple[bool | None, list[str]]:
    if not record.tool_calls:
        return None, []
    sources: list[Any] = [record.question]
    sources += [c.get("args") or {} for c in record.tool_calls]
    sources += [r.get("content") for r in record.tool_results]
    report = check_answer(record.answer, sources)
    return report.faithful, report.unsupported


def judge_turn(
    expect: Expect, record: TurnRecord, *, case_id: str, turn_index: int, repeat: int, file: str
) -> TurnOutcome:
    """One `TurnOutcome`: every applicable check of `expect` against `record`."""
    called = {c["name"] for c in record.tool_calls}
    tool_ok, tool_detail = _tool_check(expect, called)
    arg_results, arg_failures = _arg_checks(expect, record.tool_calls)
    faithful, unsupported = _faithfulness(record)
    missing_text = [t for t in expect.answer_contains if not contains(record.answer, t)]
    return TurnOutcome(
        case_id=case_id,
        turn_index=turn_index,
        repeat=repeat,
        file=file,
        tool_ok=tool_ok,
        arg_results=arg_results,
        faithful=faithful,
        agent_faithful=record.agent_faithful,
        refuse_expected=expect.refuse,
        refused=not called and record.error is None and declines(record.answer),
        clarify_expected=expect.clarify,
        clarified=not called and record.error is None and asks_question(record.answer),
        no_tool_expected=expect.no_tool,
        any_tool_wrong=expect.expects_no_tool,
        called_any=bool(called),
        contains_ok=not missing_text if expect.answer_contains else None,
        error=record.error,
        ms=record.ms,
        detail={
            "question": record.question,
            "expect": expect.model_dump(exclude_defaults=True),
            "tool_calls": record.tool_calls,
            "answer": record.answer,
            "unsupported_numbers": unsupported,
            "missing_text": missing_text,
            "arg_failures": arg_failures,
            **tool_detail,
        },
    )


__all__ = [
    "REFUSAL_WINDOW",
    "REPO_ROOT",
    "TurnRecord",
    "args_match",
    "asks_question",
    "contains",
    "declines",
    "judge_turn",
    "normalise_args",
    "values_equal",
]
