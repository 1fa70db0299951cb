"""The `[sql]` vocabulary of lexicon.toml, compiled for agent/offline/sqlgen.py, and the phrase and
date readers it uses."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from agent.offline.lexicon import Lexicon, Phrase, entity_table, find_all, find_phrase

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MONTH_YEAR = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?:of\s+)?((?:19|20)\d\d)\b"
)
_YEAR = re.compile(
    r"\b(?:in|for|during|of|since|year|fy|calendar(?: year)?|cy)\s+((?:19|20)\d\d)\b"
    # a year alone as a follow-up: "what about 2024?", "and 2024?" (rt12 T-H4: it repeated
    # the year before)
    r"|(?:^|\b(?:about|and)\s+)((?:19|20)\d\d)(?=\s*\?*\s*$)"
)


@dataclass(frozen=True)
class SqlVocabulary:
    """Everything in `[sql]`: phrase tables (phrase, value), word lists, per-table settings."""

    tables: tuple[tuple[Phrase, str], ...]
    measures: tuple[tuple[Phrase, str], ...]
    columns: tuple[tuple[Phrase, str], ...]
    period_columns: tuple[tuple[Phrase, str], ...]
    """Columns also named by these words when the question names a month or year."""
    column_measures: Mapping[str, str]
    filters: tuple[tuple[Phrase, str], ...]
    """(phrase, "<index of its [[sql.filters]] group>|<value>"), longest phrases first."""
    groups: tuple[Mapping[str, Any], ...]
    dimensions: tuple[tuple[Phrase, str], ...]
    group_words: tuple[Phrase, ...]
    split_words: tuple[Phrase, ...]
    superlatives: tuple[Phrase, ...]
    asks: tuple[Phrase, ...]
    explicit: tuple[Phrase, ...]
    whole_before: tuple[Phrase, ...]
    whole_after: tuple[Phrase, ...]
    """Words that total over a dimension ("across all regions", "every region combined")."""
    latest: tuple[Phrase, ...]
    """Words that pin a question to its table's latest date ("in the latest billing period")."""
    links: Mapping[str, str]
    """"table.other" -> the key by which a filter on `other`'s rows reaches `table` (else
    account_id)."""
    analytics: tuple[Phrase, ...]
    attributes: tuple[Phrase, ...]
    """What an account is (name, region, …): asked of a named account, a lookup."""
    dates: Mapping[str, str]
    date_words: Mapping[str, tuple[Phrase, ...]]
    sources: Mapping[str, str]
    list_columns: Mapping[str, str]
    default_dimension: Mapping[str, str]
    dimension_columns: Mapping[str, Mapping[str, str]]


@lru_cache(maxsize=4)
def vocabulary(lexicon: Lexicon) -> SqlVocabulary:
    """The compiled `[sql]` section of `lexicon` (once per lexicon)."""
    raw: Mapping[str, Any] = lexicon.sql
    words = {k: entity_table({k: v}) for k, v in raw["words"].items()}
    groups = tuple(raw["filters"])
    filters = [
        (phrase, f"{i}|{value}")
        for i, group in enumerate(groups)
        for phrase, value in entity_table(group["values"])
    ]
    return SqlVocabulary(
        tables=entity_table(raw["tables"]),
        measures=entity_table(raw["measures"]),
        columns=entity_table(raw["columns"]),
        period_columns=entity_table(raw["period_columns"]),
        column_measures=raw["column_measures"],
        filters=tuple(sorted(filters, key=lambda pair: -len(pair[0]))),
        groups=groups,
        dimensions=entity_table(raw["dimensions"]),
        group_words=tuple(p for p, _ in words["group"]),
        split_words=tuple(p for p, _ in words["split"]),
        superlatives=tuple(p for p, _ in words["superlative"]),
        asks=tuple(p for p, _ in words["ask"]),
        explicit=tuple(p for p, _ in words["explicit"]),
        latest=tuple(p for p, _ in words["latest"]),
        whole_before=tuple(p for p, _ in words["whole_before"]),
        whole_after=tuple(p for p, _ in words["whole_after"]),
        links=raw.get("links", {}),
        analytics=tuple(p for p, _ in words["analytics"]),
        attributes=tuple(p for p, _ in words["attributes"]),
        dates=raw["dates"],
        date_words={
            t: tuple(p for p, _ in entity_table({t: w})) for t, w in raw["date_words"].items()
        },
        sources=raw["sources"],
        list_columns=raw["list_columns"],
        default_dimension=raw["default_dimension"],
        dimension_columns=raw["dimension_columns"],
    )


def first(tokens: Sequence[str], table: Sequence[tuple[Phrase, str]]) -> str | None:
    """Value of the earliest phrase of `table` in `tokens` (longest first on ties)."""
    hits = [(find_phrase(tokens, p), -len(p), v) for p, v in table if find_phrase(tokens, p) >= 0]
    return min(hits)[2] if hits else None


def spans(tokens: Sequence[str], table: Sequence[tuple[Phrase, str]], value: str) -> set[int]:
    """Indices of the words that phrases of `table` naming `value` cover."""
    return {
        index + k
        for phrase, named in table
        if named == value
        for index in find_all(tokens, phrase)
        for k in range(len(phrase))
    }


def every(tokens: Sequence[str], table: Sequence[tuple[Phrase, str]]) -> list[str]:
    """Values of every phrase of `table` in `tokens`, skipping words a longer phrase covers."""
    covered: set[int] = set()
    values = []
    for phrase, value in table:  # longest phrases first
        for index in find_all(tokens, phrase):
            span = set(range(index, index + len(phrase)))
            if not span & covered:
                covered |= span
                values.append(value)
    return values


_SINCE_BEFORE = re.compile(
    r"\b(?:since|starting(?:\s+in|\s+from)?)\s+(?:the\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?)?$"
)
"""Words before a month or year that open a period to the end of the data: "since July 2026",
"since 1 July 2026", "starting in 2025"."""


def period(lowered: str) -> tuple[tuple[str, str] | None, str]:
    """([start, end) of a named month ("March 2026") or year ("in 2025")), and the text
    without it. A period opened by "since" ("since 1 July 2026") runs to the end of the data:
    its end is "" (no upper bound).

    Examples:
        >>> period("failed payments since 1 july 2026")[0]
        ('2026-07-01', '')
        >>> period("failed payments in july 2026")[0]
        ('2026-07-01', '2026-08-01')
    """
    if match := _MONTH_YEAR.search(lowered):
        month, year = _MONTHS.index(match.group(1)[:3]) + 1, int(match.group(2))
        end = (year + 1, 1) if month == 12 else (year, month + 1)
        rest = lowered[: match.start()] + lowered[match.end() :]
        open_end = _SINCE_BEFORE.search(lowered[: match.start()]) is not None
        return (f"{year}-{month:02d}-01", "" if open_end else f"{end[0]}-{end[1]:02d}-01"), rest
    if match := _YEAR.search(lowered):
        year = int(match.group(1) or match.group(2))
        rest = lowered[: match.start()] + lowered[match.end() :]
        open_end = match.group(0).startswith("since")
        return (f"{year}-01-01", "" if open_end else f"{year + 1}-01-01"), rest
    return None, lowered
