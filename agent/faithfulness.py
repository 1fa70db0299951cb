"""Numeric faithfulness: every number in an answer must come from this turn's tool outputs.

`check_answer(answer, sources)` extracts the numbers a reader would take as facts (money,
percentages, counts, decimals) and looks each one up among the numbers of the sources (tool
contents, tool arguments and the user's question). Formatting is forgiven:

- thousands separators and currency signs: `$1,234,567` = 1234567;
- magnitude suffixes: `1.2M`, `$35k`, `2.5 billion` match within the shown precision;
- percentages: `83.4%` matches 0.834 (a fraction) or 83.4;
- rounding: a number matches any source within half a unit of its last shown digit
  (`1,235` ← 1234.5; `1,200` ← 1234 since trailing zeros mark rounding);
- sign: "fell by 12%" matches -0.12.

Exempt: ids (`ACC000042` — digits glued to letters), list markers (`1.` at a line start) and
small counting words written as digits (0-10, no unit), which prose needs ("the top 3 factors").
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

COUNTING_MAX = 10
"""Bare integers up to this are treated as counting words, not facts."""

_NUMBER = re.compile(
    r"(?<![\w.,])(?P<currency>[$€£¥])?\s?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<suffix>\s?(?:%|percent\b|pp\b|bn\b|mn\b|[kKMB]\b|thousand\b|million\b|billion\b))?"
    r"(?![\w])"
)
_LIST_MARKER = re.compile(r"^\s*(\d{1,2})[.)]\s", re.MULTILINE)
_MULTIPLIERS = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
}


@dataclass(frozen=True)
class Mention:
    """A number as written in an answer, with the interval of source values it may stand for."""

    text: str
    low: float
    high: float
    alt_low: float | None = None  # a percentage may also stand for a fraction
    alt_high: float | None = None


@dataclass(frozen=True)
class FaithfulnessReport:
    """Outcome of a check: `unsupported` lists the numbers no source supports."""

    faithful: bool
    unsupported: list[str]
    n_checked: int


def _tolerance(digits: str) -> float:
    """Half a unit of the last shown digit; trailing zeros of ≥2-digit integers mark rounding."""
    if "." in digits:
        return 0.5 * 10 ** -len(digits.split(".")[1])
    significant = digits.rstrip("0")
    zeros = len(digits) - len(significant)
    return 0.5 * 10**zeros if zeros and len(significant) >= 2 else 0.5


def _mention(match: re.Match[str]) -> Mention | None:
    digits = match["num"].replace(",", "")
    value = float(digits)
    suffix = (match["suffix"] or "").strip().lower()
    tolerance = _tolerance(digits) + 1e-9
    if not match["currency"] and not suffix and "." not in digits and value <= COUNTING_MAX:
        return None
    if suffix in {"%", "percent", "pp"}:
        return Mention(
            match.group(0).strip(),
            value - tolerance,
            value + tolerance,
            (value - tolerance) / 100,
            (value + tolerance) / 100,
        )
    scale = _MULTIPLIERS.get(suffix, 1.0)
    return Mention(match.group(0).strip(), (value - tolerance) * scale, (value + tolerance) * scale)


def answer_numbers(answer: str) -> list[Mention]:
    """The numbers in `answer` that must be supported (see the module docstring).

    Examples:
        >>> [m.text for m in answer_numbers("ACC000042 lost $1,234.50 (12.5%) in 2024; top 3.")]
        ['$1,234.50', '12.5%', '2024']
    """
    markers = {m.start(1) for m in _LIST_MARKER.finditer(answer)}
    mentions = []
    for match in _NUMBER.finditer(answer):
        if match.start("num") in markers:
            continue
        mention = _mention(match)
        if mention is not None:
            mentions.append(mention)
    return mentions


def source_numbers(sources: Iterable[Any]) -> list[float]:
    """Every number in the sources, as sorted absolute values.

    Sources may be strings (JSON is walked, other text scanned), dicts, lists or numbers.
    """
    found: list[float] = []
    for source in sources:
        _collect(source, found)
    return sorted({abs(value) for value in found})


def _collect(value: Any, found: list[float]) -> None:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float):
        found.append(float(value))
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(item, found)
    elif isinstance(value, str):
        parsed = _maybe_json(value)
        if parsed is not None:
            _collect(parsed, found)
        else:
            found.extend(
                float(m.replace(",", "")) for m in re.findall(r"\d[\d,]*(?:\.\d+)?", value)
            )


def _maybe_json(text: str) -> Any:
    stripped = text.strip()
    if not stripped or stripped[0] not in "[{":
        return None
    try:
        return json.loads(stripped)
    except ValueError:
        return None


def _supported(low: float, high: float, values: list[float]) -> bool:
    low, high = (abs(low), abs(high)) if low >= 0 else (0.0, max(abs(low), abs(high)))
    index = bisect.bisect_left(values, low)
    return index < len(values) and values[index] <= high


def check_answer(answer: str, sources: Iterable[Any]) -> FaithfulnessReport:
    """Check every number of `answer` against the numbers of `sources`.

    Examples:
        >>> tool = '{"summary": {"expected_loss": 1234567.8, "leakage_probability": 0.834}}'
        >>> check_answer("Expected loss is $1.2M with an 83.4% probability.", [tool]).faithful
        True
        >>> check_answer("Expected loss is $2.5M.", [tool]).unsupported
        ['$2.5M']
    """
    values = source_numbers(sources)
    mentions = answer_numbers(answer)
    unsupported = [
        m.text
        for m in mentions
        if not _supported(m.low, m.high, values)
        and not (
            m.alt_low is not None
            and m.alt_high is not None
            and _supported(m.alt_low, m.alt_high, values)
        )
    ]
    return FaithfulnessReport(not unsupported, unsupported, len(mentions))
