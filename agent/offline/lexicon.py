"""The offline planner's lexicon (agent/offline/lexicon.toml), compiled for fast phrase matching."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import lru_cache
from importlib import resources
from typing import Any

Phrase = tuple[str, ...]
"""Lower-case words; a word ending in `*` matches any word with that prefix."""

_WORD = re.compile(r"[a-z0-9_]+")


NUMBER_WORDS = {
    "zero": 0,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "twenty five": 25,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "a dozen": 12,
    "dozen": 12,
}
"""Numbers written as words ("fifteen biggest findings", "the past six months")."""


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


def _matches_at(tokens: Sequence[str], phrase: Phrase, index: int) -> bool:
    return all(_word_matches(tokens[index + k], phrase[k]) for k in range(len(phrase)))


@lru_cache(maxsize=32_768)
def _positions(tokens: tuple[str, ...], word: str) -> tuple[int, ...]:
    """Indices of the tokens `word` matches. A message is read against ~2,000 phrases (intent
    cues, entities, SQL words) whose first words repeat, so each (message, word) pair is
    worked out once and the phrase search only checks the rest of a phrase where it starts."""
    return tuple(i for i, token in enumerate(tokens) if _word_matches(token, word))


def find_all(tokens: Sequence[str], phrase: Phrase) -> list[int]:
    """Every index where `phrase` occurs in `tokens`."""
    if not phrase:
        return list(range(len(tokens) + 1))
    words = tuple(tokens)
    last = len(words) - len(phrase)
    starts = _positions(words, phrase[0])
    if len(phrase) == 1:
        return list(starts)
    return [i for i in starts if i <= last and _matches_at(words, phrase, i)]


def find_phrase(tokens: Sequence[str], phrase: Phrase, start: int = 0) -> int:
    """Index where `phrase` first occurs in `tokens` at or after `start`, or -1."""
    if not phrase:
        return start if start <= len(tokens) else -1
    words = tuple(tokens)
    last = len(words) - len(phrase)
    for index in _positions(words, phrase[0]):
        if start <= index <= last and (len(phrase) == 1 or _matches_at(words, phrase, index)):
            return index
    return -1


def has_phrase(tokens: Sequence[str], phrases: Sequence[Phrase]) -> bool:
    """Whether any of `phrases` occurs in `tokens`."""
    return any(find_phrase(tokens, phrase) >= 0 for phrase in phrases)


def phrase_at(tokens: Sequence[str], phrases: Sequence[Phrase], index: int) -> Phrase | None:
    """The first of `phrases` that occurs exactly at `index`, or None."""
    for phrase in phrases:
        if index + len(phrase) <= len(tokens) and _matches_at(tokens, phrase, index):
            return phrase
    return None


def muted_words(tokens: Sequence[str], negators: Sequence[Phrase], window: int) -> frozenset[int]:
    """Indices of the `window` words after each negator: what the message says it does not
    want ("not the member list", "not what already happened")."""
    muted: set[int] = set()
    for negator in negators:
        for index in find_all(tokens, negator):
            start = index + len(negator)
            muted.update(range(start, min(start + window, len(tokens))))
    return frozenset(muted)


def _near(tokens: Sequence[str], index: int, phrases: Sequence[Phrase], window: int) -> bool:
    low, high = max(index - window, 0), index + window + 1
    return any(low <= i < high for p in phrases for i in find_all(tokens, p))


@dataclass(frozen=True)
class IntentRule:
    """Cues and entity boosts of one intent, and what it cannot do without."""

    name: str
    cues: tuple[tuple[Phrase, float], ...]
    boost: dict[str, float] = field(default_factory=dict)
    requires: str | None = None
    fallback: str | None = None
    for_account: str | None = None
    """The tool that answers this intent's question about one named account."""
    veto: Mapping[Phrase, tuple[Phrase, ...]] = field(default_factory=dict)
    """Cue → context words that, next to the cue, give it another sense ("declined" card)."""
    veto_window: int | None = None
    """Words searched either side of a vetoed cue, when wider than the lexicon's default
    (a likelihood word and the verb it forecasts: "most likely to see revenue halve")."""

    def strong_cue(self, tokens: Sequence[str], weight: float = 3.0) -> bool:
        """Whether a multi-word cue of at least `weight` matches ("how are we doing"): specific
        enough to be on topic, unlike single words such as "why" or "history"."""
        return any(w >= weight and len(p) > 1 and find_phrase(tokens, p) >= 0 for p, w in self.cues)

    def _spans(
        self, tokens: Sequence[str], window: int, muted: Collection[int]
    ) -> list[tuple[int, int, Phrase, float]]:
        """(start, end, cue, weight) of every cue occurrence that keeps its sense here: not
        vetoed by its context, and not in a negated stretch (`muted` word indices)."""
        spans = []
        window = max(window, self.veto_window or 0)
        for phrase, weight in self.cues:
            context = self.veto.get(phrase, ())
            for index in find_all(tokens, phrase):
                if index in muted:
                    continue
                if not (context and _near(tokens, index, context, window)):
                    spans.append((index, index + len(phrase), phrase, weight))
        return spans

    def score(
        self,
        tokens: Sequence[str],
        entity_kinds: set[str],
        window: int = 3,
        muted: Collection[int] = (),
    ) -> float:
        """Matched cues' weights plus boosts of the entities present; cues starting at a
        `muted` word (what the message says it does *not* want) do not count.

        Each cue counts once, and words count once: of cues matching the same words only the
        weightiest counts, and a cue inside a longer matched cue does not add ("risk score"
        counts, not also "score").
        """
        spans = self._spans(tokens, window, muted)
        best: dict[tuple[int, int], tuple[float, Phrase]] = {}
        for start, end, phrase, weight in spans:
            if (start, end) not in best or abs(weight) > abs(best[(start, end)][0]):
                best[(start, end)] = (weight, phrase)
        counted = {
            phrase: weight
            for (start, end), (weight, phrase) in best.items()
            if not any(s <= start and end <= e and e - s > end - start for s, e in best)
        }
        return sum(counted.values()) + sum(self.boost.get(kind, 0.0) for kind in entity_kinds)


@dataclass(frozen=True)
class Safety:
    """What makes a message a request to change, send or reveal something (safety.py)."""

    security: tuple[Phrase, ...]
    asks: tuple[Phrase, ...]
    subordinate: tuple[Phrase, ...]
    howto: tuple[Phrase, ...]
    waivers: tuple[Phrase, ...]
    """Words that negate the write verb after them ("not asking you to fix anything")."""
    listings: tuple[Phrase, ...]
    obligations: tuple[Phrase, ...]
    imperatives: tuple[Phrase, ...]
    conditional: dict[Phrase, tuple[Phrase, ...]]
    polite: tuple[Phrase, ...]
    reads: frozenset[str]
    speaker: tuple[Phrase, ...]
    """Before a write verb, the speaker's own plan ("I need to update …"), not a command."""
    addressee: tuple[Phrase, ...]
    """Words that make the assistant the one to act ("finance wants you to write it off")."""
    benchmarks: tuple[Phrase, ...] = ()
    """Other companies' figures ("industry benchmark", "competitors"): data RevRisk lacks."""
    people: tuple[Phrase, ...] = ()
    """People's personal data ("the CEO's salary")."""
    roles: tuple[Phrase, ...] = ()
    private: tuple[Phrase, ...] = ()
    """A `roles` word shortly before a `private` one: a person's personal data."""
    companies: tuple[Phrase, ...] = ()
    metrics: tuple[Phrase, ...] = ()
    """Words that make a company name a question about its data ("Zuora's churn")."""


@dataclass(frozen=True, eq=False)  # hashed by identity: derived vocabularies cache on it
class Lexicon:
    """Everything in lexicon.toml, compiled."""

    threshold: float
    veto_window: int
    intents: dict[str, IntentRule]
    anaphora: tuple[Phrase, ...]
    demonstratives: tuple[Phrase, ...]
    starters: tuple[Phrase, ...]
    more: tuple[Phrase, ...]
    signoffs: tuple[Phrase, ...]
    """Words that end the conversation ("that's everything for today"): no request for more."""
    referents: tuple[Phrase, ...]
    """Nouns that name a listed segment by a word of its name ("the volatile one")."""
    same: tuple[Phrase, ...]
    """Words that ask for the last tool again ("same report but only the sharp decliners")."""
    narrow: tuple[Phrase, ...]
    """Words that narrow the last result ("narrow that to segment 0", "just those in EMEA")."""
    narrow_short: tuple[Phrase, ...]
    """Words that narrow it in a short message ("high ones only?")."""
    negators: tuple[Phrase, ...]
    negation_window: int
    """Words after a negator ("not the member list") that name what the message does not want."""
    population: tuple[Phrase, ...]
    reasons: tuple[Phrase, ...]
    plural_referents: tuple[Phrase, ...]
    """Pronouns for a group ("them", "the two of them"): in a first message, nothing named."""
    unsupported: tuple[Phrase, ...]
    """Finance measures no tool computes ("CAC", "LTV"): offered the SQL route."""
    other_one: tuple[Phrase, ...]
    """"the other one", "the other account": a referent that needs one named before."""
    vague: tuple[Phrase, ...]
    """Words that name no question on their own ("show me the numbers")."""
    """Words that ask why ("and why", "what's driving it"): one account's factors."""
    uploads: tuple[Phrase, ...]
    warehouse: tuple[Phrase, ...]
    ability_openers: tuple[Phrase, ...]
    ability_markers: tuple[Phrase, ...]
    ability_requests: tuple[Phrase, ...]
    entities: dict[str, tuple[tuple[Phrase, str], ...]]
    decline_words: tuple[Phrase, ...]
    decline_degrees: tuple[tuple[Phrase, str], ...]
    recipes: tuple[tuple[tuple[tuple[Phrase, ...], ...], str], ...]
    """(groups of alternative phrases, SQL): every group must occur for the recipe to apply."""
    domain: tuple[Phrase, ...]
    safety: Safety
    sql: Mapping[str, Any]
    """The [sql] vocabulary, compiled by agent/offline/sqlgen.py."""
    spelling: Mapping[str, Any]
    """The [spelling] settings, compiled by agent/offline/spelling.py."""
    raw: Mapping[str, Any]
    """The whole parsed file: agent/offline/spelling.py learns the lexicon's words from it."""


def _phrase(text: str) -> Phrase:
    return tuple(text.lower().replace("-", " ").replace("'", "").split())


def _phrases(texts: Sequence[str]) -> tuple[Phrase, ...]:
    return tuple(_phrase(text) for text in texts)


def _intent(name: str, raw: dict[str, Any]) -> IntentRule:
    return IntentRule(
        name=name,
        cues=tuple((_phrase(cue), float(weight)) for cue, weight in raw.get("cues", {}).items()),
        boost={kind: float(weight) for kind, weight in raw.get("boost", {}).items()},
        requires=raw.get("requires"),
        fallback=raw.get("fallback"),
        for_account=raw.get("for_account"),
        veto={_phrase(cue): _phrases(words) for cue, words in raw.get("veto", {}).items()},
        veto_window=raw.get("veto_window"),
    )


def entity_table(raw: Mapping[str, Sequence[str]]) -> tuple[tuple[Phrase, str], ...]:
    """(phrase, canonical value) pairs, longest phrases first so they win over their parts."""
    pairs = [(_phrase(text), value) for value, texts in raw.items() for text in texts]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def _entities(raw: Mapping[str, Any]) -> dict[str, tuple[tuple[Phrase, str], ...]]:
    """`[entities.*]`, plus each `[[sql.filters]]` group marked `entity = "<kind>"` (its
    values' words, written once for both the SQL writer and the tools' argument)."""
    tables = {kind: entity_table(table) for kind, table in raw["entities"].items()}
    for group in raw["sql"]["filters"]:
        if "entity" in group:
            tables[str(group["entity"])] = entity_table(group["values"])
    return tables


def _conditional(imperatives: Mapping[str, Any]) -> dict[Phrase, tuple[Phrase, ...]]:
    """Verb -> the objects that make it a write: `[imperatives.conditional]`, and the verbs of
    `[imperatives.enact]`, which all write with its `objects` ("process the downgrade")."""
    enact = imperatives["enact"]
    table = {_phrase(verb): _phrases(enact["objects"]) for verb in enact["verbs"]}
    for verb, objects in imperatives["conditional"].items():
        table[_phrase(verb)] = (*_phrases(objects), *table.get(_phrase(verb), ()))
    return table


def _word_lists(
    cls: type, sections: Sequence[Mapping[str, Any]], **named: tuple[Mapping[str, Any], str]
) -> dict[str, tuple[Phrase, ...]]:
    """Every phrase-list field of `cls`, read from the one section in `sections` that has a key
    of the field's name; `named` gives the section and key of a field whose key differs. A new
    word list needs only its field and its lexicon.toml key.

    A field that no section has keeps its default, or fails as a missing argument; a key in two
    sections is an error, so no list is read silently from the wrong one."""
    lists = {name: _phrases(section[key]) for name, (section, key) in named.items()}
    for item in fields(cls):
        if item.type != "tuple[Phrase, ...]" or item.name in named:
            continue
        found = [section[item.name] for section in sections if item.name in section]
        if len(found) > 1:
            raise ValueError(f"lexicon.toml: {item.name!r} is a key of two sections")
        if found:
            lists[item.name] = _phrases(found[0])
    return lists


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Parse agent/offline/lexicon.toml once per process."""
    raw = tomllib.loads(
        resources.files("agent.offline").joinpath("lexicon.toml").read_text("utf-8")
    )
    ability, imperatives = raw["ability"], raw["imperatives"]
    safety = Safety(
        conditional=_conditional(imperatives),
        reads=frozenset(imperatives["reads"]),
        **_word_lists(
            Safety,
            (raw["outside"], raw["safety"], imperatives),
            imperatives=(imperatives, "verbs"),
        ),
    )
    return Lexicon(
        threshold=float(raw["threshold"]),
        veto_window=int(raw["veto_window"]),
        intents={name: _intent(name, rule) for name, rule in raw["intents"].items()},
        negation_window=int(raw["negation"]["window"]),
        entities=_entities(raw),
        decline_degrees=entity_table(raw["decline"]["degrees"]),
        recipes=tuple(
            (tuple(_phrases(group) for group in r["words"]), str(r["sql"])) for r in raw["recipes"]
        ),
        safety=safety,
        sql=raw["sql"],
        spelling=raw["spelling"],
        raw=raw,
        **_word_lists(
            Lexicon,
            (raw["followup"], raw["clarify"], raw["negation"]),
            ability_openers=(ability, "openers"),
            ability_markers=(ability, "markers"),
            ability_requests=(ability, "requests"),
            decline_words=(raw["decline"], "words"),
            domain=(raw["domain"], "words"),
        ),
    )
