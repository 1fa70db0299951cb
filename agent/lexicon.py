"""The offline planner's lexicon (agent/lexicon.toml), compiled for fast phrase matching."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

Phrase = tuple[str, ...]
"""Lower-case words; a word ending in `*` matches any word with that prefix."""

_WORD = re.compile(r"[a-z0-9_]+")


def tokenize(text: str) -> list[str]:
    """Lower-case words, apostrophes dropped and other punctuation splitting.

    Examples:
        >>> tokenize("What's driving ACC000042's high-risk score?")
        ['whats', 'driving', 'acc000042s', 'high', 'risk', 'score']
    """
    return _WORD.findall(text.lower().replace("'", "").replace("’", ""))


def _word_matches(token: str, word: str) -> bool:
    if word.endswith("*"):
        return token.startswith(word[:-1])
    return token in (word, word + "s", word + "es")


def find_phrase(tokens: Sequence[str], phrase: Phrase, start: int = 0) -> int:
    """Index where `phrase` first occurs in `tokens` at or after `start`, or -1."""
    size = len(phrase)
    for index in range(start, len(tokens) - size + 1):
        if all(_word_matches(tokens[index + k], phrase[k]) for k in range(size)):
            return index
    return -1


def has_phrase(tokens: Sequence[str], phrases: Sequence[Phrase]) -> bool:
    """Whether any of `phrases` occurs in `tokens`."""
    return any(find_phrase(tokens, phrase) >= 0 for phrase in phrases)


def phrase_at(tokens: Sequence[str], phrases: Sequence[Phrase], index: int) -> Phrase | None:
    """The first of `phrases` that occurs exactly at `index`, or None."""
    for phrase in phrases:
        if find_phrase(tokens[index : index + len(phrase)], phrase) == 0:
            return phrase
    return None


@dataclass(frozen=True)
class IntentRule:
    """Cues and entity boosts of one intent, and what it cannot do without."""

    name: str
    cues: tuple[tuple[Phrase, float], ...]
    boost: dict[str, float] = field(default_factory=dict)
    requires: str | None = None
    fallback: str | None = None

    def strong_cue(self, tokens: Sequence[str], weight: float = 3.0) -> bool:
        """Whether a multi-word cue of at least `weight` matches ("how are we doing"): specific
        enough to be on topic, unlike single words such as "why" or "history"."""
        return any(w >= weight and len(p) > 1 and find_phrase(tokens, p) >= 0 for p, w in self.cues)

    def score(self, tokens: Sequence[str], entity_kinds: set[str]) -> float:
        """Sum of the matched cues' weights plus boosts of the entities present."""
        total = sum(weight for phrase, weight in self.cues if find_phrase(tokens, phrase) >= 0)
        return total + sum(self.boost.get(kind, 0.0) for kind in entity_kinds)


@dataclass(frozen=True)
class Lexicon:
    """Everything in lexicon.toml, compiled."""

    threshold: float
    intents: dict[str, IntentRule]
    anaphora: tuple[Phrase, ...]
    starters: tuple[Phrase, ...]
    more: tuple[Phrase, ...]
    entities: dict[str, tuple[tuple[Phrase, str], ...]]
    recipes: tuple[tuple[tuple[tuple[Phrase, ...], ...], str], ...]
    """(groups of alternative phrases, SQL): every group must occur for the recipe to apply."""
    domain: tuple[Phrase, ...]
    imperatives: tuple[Phrase, ...]
    polite: frozenset[str]
    reads: frozenset[str]


def _phrase(text: str) -> Phrase:
    return tuple(text.lower().replace("-", " ").split())


def _phrases(texts: Sequence[str]) -> tuple[Phrase, ...]:
    return tuple(_phrase(text) for text in texts)


def _intent(name: str, raw: dict[str, Any]) -> IntentRule:
    return IntentRule(
        name=name,
        cues=tuple((_phrase(cue), float(weight)) for cue, weight in raw.get("cues", {}).items()),
        boost={kind: float(weight) for kind, weight in raw.get("boost", {}).items()},
        requires=raw.get("requires"),
        fallback=raw.get("fallback"),
    )


def _entity_table(raw: dict[str, list[str]]) -> tuple[tuple[Phrase, str], ...]:
    """(phrase, canonical value) pairs, longest phrases first so they win over their parts."""
    pairs = [(_phrase(text), value) for value, texts in raw.items() for text in texts]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Parse agent/lexicon.toml once per process."""
    raw = tomllib.loads(resources.files("agent").joinpath("lexicon.toml").read_text("utf-8"))
    followup, imperatives = raw["followup"], raw["imperatives"]
    return Lexicon(
        threshold=float(raw["threshold"]),
        intents={name: _intent(name, rule) for name, rule in raw["intents"].items()},
        anaphora=_phrases(followup["anaphora"]),
        starters=_phrases(followup["starters"]),
        more=_phrases(followup["more"]),
        entities={kind: _entity_table(table) for kind, table in raw["entities"].items()},
        recipes=tuple(
            (tuple(_phrases(group) for group in r["words"]), str(r["sql"])) for r in raw["recipes"]
        ),
        domain=_phrases(raw["domain"]["words"]),
        imperatives=_phrases(imperatives["verbs"]),
        polite=frozenset(imperatives["polite"]),
        reads=frozenset(imperatives["reads"]),
    )
