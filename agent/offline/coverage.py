"""What the data cover: a question about a period outside them, and its answer (rt12 R-M6).

"Revenue in 2031", "revenue by tier in 2031", "the portfolio in February 2019" (data from
2024-11) and "revenue in Q5" were answered with "n/a", an empty table, or the decline list
with a note that the period was not applied. Whatever the tool, a period wholly outside the
months the data cover has no answer, so the planner reads it first: the months the question
names (`outside_period`, against the span the system prompt states, `Memory.data_from` /
`data_to`) and quarters or halves no year has ("Q5", "H3"). It then runs the data-span query
(the lexicon recipe behind "what's the latest month of data?", rt12 N-L8) and answers from it
(`narrate_outside`): no data for the period asked, the months the warehouse covers.

Not outside: a forecast beyond the last month ("likely to leak in 2027" asks ahead), and the
dates of a table that reach beyond the billing months (signups and contract starts since
2018, cards expiring in 2030), whose words the lexicon's `[sql.date_words]` list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb

from agent.offline.lexicon import Lexicon, has_phrase, load_lexicon
from agent.offline.metrics import anchored_months, tool_months, tool_year
from agent.offline.narratives import narrate_all, parse_content
from agent.offline.sqlwords import vocabulary
from domain.markdown import literal

SPAN_COLUMN = "latest_month"
"""The column that marks the data-span recipe's query (lexicon `[[recipes]]`)."""

_IMPOSSIBLE = re.compile(r"(?<![\w#/-])((?:q|quarter\s)(?:0|[5-9]|\d\d+)|h(?:0|[3-9]))(?![\w-])")
"""A quarter or half no year has ("Q5", "quarter 7", "H3")."""
_AHEAD = (
    ("forecast*",),
    ("predict*",),
    ("project*",),
    ("expect*",),
    ("likel*",),
    ("will",),
    ("next",),
    ("outlook",),
    ("at", "risk"),
    ("going", "to"),
    ("expir*",),
)
"""Words of a question that looks ahead of the data (or at card expiry dates)."""


def span_sql(lexicon: Lexicon) -> str | None:
    """The data-span recipe's query (first month, latest month, months)."""
    return next((sql for _, sql in lexicon.recipes if f" AS {SPAN_COLUMN}" in sql), None)


def _asked_months(text: str, data_to: str) -> dict[str, str]:
    """The months ('YYYY-MM') `text` names: a stated month or range, a year, quarter or half,
    else a period relative to the data; {} when it names none (or one no reading places)."""
    months = tool_months(text) or tool_year(text)
    if months:
        return months
    try:
        return anchored_months(text, data_to)
    except duckdb.Error:  # "since 2030": a reading with an open end the evaluator refuses
        return {}


def _named(months: Mapping[str, str]) -> str:
    """The period as the answer names it: "2031", "2019-02", "2031-04 to 2031-06"."""
    first = months.get("month") or months.get("since")
    last = months.get("month") or months.get("until")
    if first and last and first[:4] == last[:4] and first[5:] == "01" and last[5:] == "12":
        return first[:4]
    if first and last and first != last:
        return f"{first} to {last}"
    return first or f"up to {last}"


def outside_period(
    text: str,
    tokens: Sequence[str],
    lexicon: Lexicon,
    data_from: str | None,
    data_to: str | None,
) -> str | None:
    """The period `text` asks about, as the answer names it, when no month of it lies in
    `data_from`..`data_to` (or no year has it: "Q5"); None otherwise.

    Examples:
        >>> outside_period("revenue in 2031", ["revenue", "in", "2031"], lexicon,
        ...                "2024-11", "2026-10")
        '2031'
        >>> outside_period("revenue in Q5", ["revenue", "in", "q5"], lexicon, None, None)
        'Q5'
        >>> outside_period("revenue in 2026", ["revenue", "in", "2026"], lexicon,
        ...                "2024-11", "2026-10") is None
        True
    """
    if match := _IMPOSSIBLE.search(text.lower()):
        return match.group(1).upper().replace("QUARTER ", "Q")
    if not (data_from and data_to):
        return None
    dated = tuple(
        p for words in vocabulary(lexicon).date_words.values() for p in words if p != ("since",)
    )
    if has_phrase(list(tokens), (*_AHEAD, *dated)):
        return None
    months = _asked_months(text, data_to)
    first = months.get("month") or months.get("since")
    last = months.get("month") or months.get("until")
    if not (first or last):
        return None
    before = last is not None and last < data_from
    after = first is not None and first > data_to
    return _named(months) if before or after else None


def _span_row(results: Sequence[tuple[str, Any]]) -> Mapping[str, Any] | None:
    for _, content in results:
        rows = parse_content(content).get("rows") or []
        if rows and isinstance(rows[0], Mapping) and rows[0].get(SPAN_COLUMN):
            return rows[0]
    return None


def narrate_outside(results: Sequence[tuple[str, Any]], asked: str) -> str:
    """The answer to a question about `asked`, a period outside the data: none for it, and
    the months the data cover (from the data-span query's row)."""
    row = _span_row(results)
    if row is None:
        return narrate_all(results)
    first, last, months = row.get("first_month"), row.get(SPAN_COLUMN), row.get("n_months")
    covered = f"{literal(first)} to {literal(last)}"
    if isinstance(months, int):
        covered += f" ({months:,} months)"
    words = load_lexicon().raw["periods"]
    which = "impossible" if _IMPOSSIBLE.fullmatch(asked.lower()) else "outside"
    return str(words[which]).format(asked=literal(asked), covered=covered)


_CALENDAR_LAST = re.compile(r"\b(?:last|previous|prior)\s+month\b|\bthis\s+month\b")
"""A month named from the calendar's point of view ("revenue last month")."""


def calendar_note(text: str, today: str | None, data_to: str | None, lexicon: Lexicon) -> str:
    """The note that the month a question names from today ("revenue last month" on
    2026-12-06: 2026-11) has no data yet, so the answer is for the data's latest month (rt12
    T-L8: 2026-10 was given with no word); "" when that month has data or nothing is known.

    Examples:
        >>> calendar_note("revenue last month", "2026-12-06", "2026-10", load_lexicon())[:32]
        '**2026-11 has no data yet:** the'
        >>> calendar_note("revenue last month", "2026-11-06", "2026-10", load_lexicon())
        ''
    """
    match = _CALENDAR_LAST.search(text.lower())
    if match is None or not today or not data_to:
        return ""
    year, month = int(today[:4]), int(today[5:7])
    if not match.group(0).startswith("this"):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    asked = f"{year:04d}-{month:02d}"
    if asked <= data_to:
        return ""
    return str(lexicon.raw["periods"]["no_data_yet"]).format(asked=asked, latest=data_to)
