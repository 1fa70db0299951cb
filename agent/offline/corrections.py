"""Corrections inside one message, and "X, not Y" ("Show me the High risk accounts in EMEA.
Sorry, I meant APAC.", "Detected leakage for August... wait, no, July.", "Sorry, Medium, not
High."): the question is read as corrected before anything is planned.

Before (holdout14, first blind run), the planner read the first value it met: EMEA's High
risk accounts, August's leakage, and "Sorry, Medium, not High." after a question was answered
with the off-topic reply. The words of each kind a correction can swap, and the marker that
starts one, are data: lexicon `[corrections.inline]`. A correction of the last question that
opens the message ("no, I meant Enterprise only") stays with `planner._correction`; this
module only turns "X, not Y" into that form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from agent.offline.lexicon import Lexicon

_SENTENCE_END = re.compile(r"[.?!]+(?:\s+|$)")


def _kinds(lexicon: Lexicon) -> Mapping[str, Mapping[str, Any]]:
    return lexicon.raw["corrections"]["inline"]["kinds"]


def _find(words: list[str], text: str, last: bool = False) -> re.Match[str] | None:
    """The first (or last) of `words` in `text`, as a whole word, case-insensitively."""
    pattern = r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    found = list(re.finditer(pattern + r")\b", text, re.IGNORECASE))
    return (found[-1] if last else found[0]) if found else None


def _swap(before: str, fix: str, lexicon: Lexicon) -> tuple[str, str | None, bool]:
    """`before` with each value `fix` names put in place of the value of the same kind (or
    added, when `before` names none), the phrase of the first value `fix` names (None when it
    names none), and whether a value of `before` was replaced."""
    named, replaced = None, False
    for kind in _kinds(lexicon).values():
        new = _find(kind["words"], fix)
        if new is None:
            continue
        phrase = kind.get("phrase", "{}").format(new.group(0))
        named = named or phrase
        old = _find(kind["words"], before, last=True)
        if old is not None:
            before, replaced = before[: old.start()] + new.group(0) + before[old.end() :], True
        else:
            before = " ".join(
                w for w in (before.rstrip(" .?!,;:-…"), kind.get("join"), phrase) if w
            )
    return before, named, replaced


def _dropped_kinds(before: str, fix: str, lexicon: Lexicon) -> tuple[str, bool]:
    """`before` without the value of a kind `fix` says it is not ("the EMEA region, not a
    tier": the tier named before is dropped), and whether one was dropped."""
    dropped = False
    for kind in _kinds(lexicon).values():
        if re.search(r"\bnot\s+(?:a|an|the)?\s*" + kind["noun"] + r"\b", fix, re.IGNORECASE):
            old = _find(kind["words"], before, last=True)
            if old is not None:
                before, dropped = before[: old.start()] + before[old.end() :], True
    return before, dropped


def corrected(text: str, lexicon: Lexicon) -> str:
    """The message as its writer corrected it (unchanged when it corrects nothing).

    Examples:
        >>> from agent.offline.lexicon import load_lexicon
        >>> lexicon = load_lexicon()
        >>> corrected("Show me the High risk accounts in EMEA. Sorry, I meant APAC.", lexicon)
        'Show me the High risk accounts in APAC?'
        >>> corrected("Sorry, Medium, not High.", lexicon)
        'sorry, I meant medium risk'
    """
    words = lexicon.raw["corrections"]["inline"]
    swapped = re.fullmatch(words["not_this"], text.strip().lower())
    if swapped is not None:  # "Sorry, Medium, not High.": a correction of the last question
        for kind in _kinds(lexicon).values():
            new, old = _find(kind["words"], swapped["new"]), _find(kind["words"], swapped["old"])
            if new is not None and old is not None:
                return "sorry, I meant " + kind.get("phrase", "{}").format(new.group(0).lower())
        return text
    markers = list(re.finditer(words["marker"], text, re.IGNORECASE))
    marker = markers[-1] if markers else None
    if marker is None or len(text[: marker.start()].split()) < 2:
        return text
    before, after = text[: marker.start()], text[marker.end() :].strip()
    end = _SENTENCE_END.search(after)
    fix, rest = (after[: end.start()], after[end.end() :].strip()) if end else (after, "")
    before, dropped = _dropped_kinds(before, fix, lexicon)
    before, named, replaced = _swap(before, fix, lexicon)
    if named is None or not (replaced or dropped):  # no value corrected: not a correction
        return text
    if rest:  # "…, not a tier. How many customers are declining there?"
        there = re.sub(r"\bthere\b", f"in {named}", rest, count=1, flags=re.IGNORECASE)
        return there if there != rest else f"{rest.rstrip(' ?')} in {named}?"
    return before.rstrip(" .?!,;:-…") + "?"


__all__ = ["corrected"]
