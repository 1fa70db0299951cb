"""Typos and chat shorthand, read as the lexicon words they stand for.

"whcih acounts are likley to leak nxt month?" should plan like the question it means. Before
a message is read (agent/offline/reading.py), each word the lexicon does not know is replaced by

- its spelled-out form when it is common chat shorthand (`[spelling.shorthand]`: "nxt",
  "custs", "gimme");
- the one lexicon word it is a single slip away from (a letter missing, extra, wrong, or two
  neighbours swapped), when both are at least `min_length` letters long. Shorter words are
  left alone ("cost" and "cast" are both words), except that a word one letter shorter is
  read as the lexicon word of its length it swaps two neighbouring letters of ("hgih riks":
  "high risk"; holdout12 and holdout13 each had one).

A word is known when any lexicon phrase could match it (plurals, `prefix*` stems), or when
it is a real English word a slip away from a lexicon word (agent/offline/spelling_keep.txt: "season"
is not "reason", "three" is not "there"). Words inside file paths, ids, contractions and
pasted SQL are never touched. Each word is looked up once per process (a cache), so a message
costs a regex pass and a few dict reads.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from agent.offline.lexicon import Lexicon

_WORD = re.compile(r"(?<![\w/\\.\-'’])[A-Za-z]+(?![\w/\\\-'’]|\.\w)")
"""A plain word: not part of a path, file name, id, snake_case name or contraction ("shouldn't"
is not "should")."""
_SQL = re.compile(r"`|\bselect\b[\s\S]+\bfrom\b|\bwith\s+\w+\s+as\s*\(", re.IGNORECASE)


@dataclass(frozen=True)
class Speller:
    """The lexicon's words, indexed for single-slip lookups."""

    known: frozenset[str]
    stems: tuple[str, ...]
    by_deletion: Mapping[str, frozenset[str]]
    """A word, or a word with one letter deleted -> the lexicon words it comes from."""
    frequency: Mapping[str, int]
    """Phrases of the lexicon a word occurs in: between two equally near words, the more
    used one is meant ("acounts" is "accounts", not "amounts")."""
    shorthand: Mapping[str, str]
    min_length: int
    short: frozenset[str] = frozenset()
    """Domain and entity words one letter shorter than `min_length` ("high", "risk", "tier"):
    a word of their length is read as one of them only when two neighbouring letters are
    swapped ("hgih" is "high"); "cost" is never "cast"."""

    def word(self, token: str) -> str | None:
        """The word `token` (lower case) stands for, or None when it is known or unclear."""
        if token in self.shorthand:
            return self.shorthand[token]
        if token in self.known:
            return None
        if len(token) == self.min_length - 1:  # "hgih riks": two neighbours swapped only
            swapped = [w for w in self.short if sorted(w) == sorted(token) and _one_slip(token, w)]
            return swapped[0] if len(swapped) == 1 else None
        if len(token) < self.min_length:
            return None
        stem = next((s for s in self.stems if token.startswith(s)), "")
        found: set[str] = set()
        for variant in (token, *_deletions(token)):
            found |= self.by_deletion.get(variant, frozenset())
        # A word a `stem*` cue already matches is only completed within that stem ("leakge").
        near = [w for w in found if w.startswith(stem) and _one_slip(token, w)]
        ranked = sorted(near, key=lambda w: -self.frequency.get(w, 0))
        if not ranked or (len(ranked) > 1 and self._ties(ranked[0], ranked[1])):
            return None
        return ranked[0]

    def _ties(self, best: str, second: str) -> bool:
        return self.frequency.get(best, 0) <= self.frequency.get(second, 0)


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def _one_slip(a: str, b: str) -> bool:
    """Whether `a` and `b` differ by one inserted, deleted or replaced letter, or by two
    neighbouring letters swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) != len(b):
        short, long = sorted((a, b), key=len)
        return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) == 1:
        return True
    i = diff[0]
    return len(diff) == 2 and diff[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]


def _strings(node: Any, keys_too: bool = False) -> Iterable[str]:
    """Every phrase in a parsed lexicon section: list items, and the keys of cue tables."""
    if isinstance(node, list):
        for item in node:
            yield from (item,) if isinstance(item, str) else _strings(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if keys_too and isinstance(value, int | float):
                yield key
            yield from _strings(value, keys_too=key == "cues")


def _index(words: Iterable[str], min_length: int) -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for word in words:
        if len(word) >= min_length and word.isalpha():
            for variant in (word, *_deletions(word)):
                index.setdefault(variant, set()).add(word)
    return {variant: frozenset(found) for variant, found in index.items()}


@lru_cache(maxsize=4)
def speller(lexicon: Lexicon) -> Speller:
    """The speller of `lexicon` (built once per lexicon)."""
    settings = lexicon.spelling
    counts = Counter(
        word
        for phrase in _strings(dict(lexicon.raw))
        for word in set(phrase.lower().replace("-", " ").replace("'", "").split())
    )
    stems = sorted((w[:-1] for w in counts if w.endswith("*") and len(w) > 1), key=len)
    plain = {w for w in counts if not w.endswith("*")}
    matched = {form for word in plain for form in (word, word + "s", word + "es")}
    # A stem's own word and its plural are words to be a slip away from too: "erors" is
    # "errors", which only the cue "error*" names (holdout11).
    stem_words = {form for stem in stems if stem.isalpha() for form in (stem, stem + "s")}
    stem_words -= plain
    min_length = int(settings["min_length"])
    frequency = {word: counts[word] + counts[word + "*"] for word in plain}
    frequency.update({word: counts[word.removesuffix("s") + "*"] for word in stem_words})
    return Speller(
        known=frozenset(matched | stem_words | _keep()),
        stems=tuple(reversed(stems)),  # longest first: the stem that matches most of a word
        by_deletion=_index(plain | stem_words, min_length),
        frequency=frequency,
        shorthand=dict(settings["shorthand"]),
        min_length=min_length,
        short=frozenset(
            w
            for section in ("domain", "entities")
            for phrase in _strings(lexicon.raw[section])
            for w in phrase.lower().split()
            if len(w) == min_length - 1 and w.isalpha() and w in plain
        ),
    )


def collisions(words: Iterable[str], lexicon: Lexicon) -> list[str]:
    """Those of `words` (real English words) the speller would otherwise read as a lexicon
    word: agent/offline/spelling_keep.txt is this list for an English word list (its header says
    which); rerun it after adding lexicon words."""
    spell = speller(lexicon)
    bare = replace(spell, known=spell.known - _keep())
    return sorted({w for w in words if w.isalpha() and bare.word(w) not in (None, w)})


@lru_cache(maxsize=1)
def _keep() -> frozenset[str]:
    """English words a single slip away from a lexicon word (agent/offline/spelling_keep.txt)."""
    text = resources.files("agent.offline").joinpath("spelling_keep.txt").read_text("utf-8")
    lines = (line.split("#", 1)[0] for line in text.splitlines())
    return frozenset(word for line in lines for word in line.split())


@lru_cache(maxsize=16_384)
def _fixed(token: str, lexicon: Lexicon) -> str | None:
    return speller(lexicon).word(token)


def correct(text: str, lexicon: Lexicon) -> str:
    """`text` with typos and shorthand replaced by the lexicon words they stand for.

    Examples:
        >>> correct("whcih acounts are likley to leak nxt month?", lexicon)
        'which accounts are likely to leak next month?'
        >>> correct("Score ./data/acounts.csv", lexicon)
        'Score ./data/acounts.csv'
        >>> correct("what was revenue of Stark Industries in 2026?", lexicon)
        'what was revenue of Stark Industries in 2026?'
    """
    if _SQL.search(text):
        return text
    from agent.offline.metrics import customer_names  # metrics reads the speller's words

    names = [
        m.span() for n in customer_names(text, lexicon) for m in re.finditer(re.escape(n), text)
    ]

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        if any(start <= match.start() < end for start, end in names):
            return word  # a customer's name ("Stark Industries") is no typo (rt11 R-H5)
        fixed = _fixed(word.lower(), lexicon)
        if fixed is None:
            return word
        return fixed[:1].upper() + fixed[1:] if word[:1].isupper() else fixed

    return _WORD.sub(swap, text)
