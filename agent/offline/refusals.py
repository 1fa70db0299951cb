"""What the offline planner declines, and why: one structural classifier for every refusal.

Contract: `classify(text, lexicon)` returns a `Refusal` (its kind, and for advice the domain
and who could answer instead) or None when the message is a question RevRisk answers. The
planner (agent/offline/planner.py) calls it before choosing a tool, so a refusal wins over
any account, type or period the message also names. Five kinds, in this order:

- **security** and **action** (`safety.declines`): the message reaches for the instructions
  or secrets, or its main ask is a change or an outside act — a request (imperative, "can you",
  "please", "go ahead and", "I need you to") whose verb writes or acts outside the read-only
  tools (email, send, ping, move, migrate, delete, refund, charge, bump a price, write into the
  database …). A question *about* such acts ("which accounts were refunded?", "how many were
  moved?") reads.
- **advice**: the message asks for a judgement in a professional domain outside revenue
  analytics — tax, legal, HR/people decisions about staff, investment, accounting treatment.
  Each domain is a class of words (`[advice.domains.*]` in lexicon.toml), matched on Snowball
  stems so every inflection and most typos' neighbours count ("fire", "firing"; "tax",
  "taxes", "taxation"). A domain word alone is data ("how much VAT did we invoice?", "count the
  legal entities"): it declines only with an *advice structure* — a modal of judgement
  ("should", "ought", "is it worth", "are we allowed", "how do we treat", "for … purposes"),
  or "can we / could I" followed by a verb that is not a read ("can we reclaim it?", but "can
  we see the tax column?" reads). Some words ask for the advice by themselves ("sue",
  "redundancy", "letter before action"); people-decision verbs that also apply to customers
  ("fire", "let go", "promote") decline only with a staff target ("which person on my team
  should I let go", not "let go of ACC000123").
- **foreign** (`safety.foreign`): other companies' figures or benchmarks, and individuals'
  personal data (salary, home address, personal phone, date of birth).

Method, and the measured reason: the earlier advice rule was a regex of phrases; each blind
set worded the same asks differently ("how should we treat … for VAT and corp tax purposes",
"which person on my RevOps team should I let go") and holdout8 refused 10 of 13 on its first
run. Word classes × structure catch wordings never seen: tests/unit/agent/test_refusals.py
holds fresh wordings per class and the near-miss analytics questions that must be answered.
Stems come from `snowballstemmer` (the Sphinx search stemmer), not a hand-written suffix list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import snowballstemmer

from agent.offline.lexicon import Lexicon, tokenize
from agent.offline.safety import declines, foreign

__all__ = ["Refusal", "advice_domain", "classify"]

Kind = Literal["destructive", "advice", "foreign"]
"""The reply each refusal gets (`prompts/reply_<kind>.md`); security and action share one."""
Stems = tuple[str, ...]


@dataclass(frozen=True)
class Refusal:
    """A declined request: the reply to give and, for advice, its domain and who could help."""

    kind: Kind
    topic: str = ""
    adviser: str = ""


_DOMAIN_CLASSES = ("words", "inherent", "targeted", "targets", "markers")
"""The word classes of one `[advice.domains.*]` table (see the lexicon's comment)."""
_SHARED_CLASSES = ("markers", "can_we", "reads", "excluded")
"""The word classes of `[advice]` every domain shares."""


@dataclass(frozen=True)
class _Domain:
    topic: str
    adviser: str
    classes: Mapping[str, tuple[Stems, ...]]  # each of _DOMAIN_CLASSES, stemmed


@dataclass(frozen=True)
class _Advice:
    classes: Mapping[str, tuple[Stems, ...]]  # each of _SHARED_CLASSES, stemmed
    domains: tuple[_Domain, ...]


_STEMMER = snowballstemmer.stemmer("english")


_PATH = re.compile(r"\S*[/\\]\S*|\S+\.(?:csv|xlsx|xls|json|parquet|txt)\b", re.IGNORECASE)
"""File paths and names: their words ("shared/…") are not the message's."""


def stems(text: str) -> Stems:
    """The Snowball stems of `text`'s words, file paths left out.

    Examples:
        >>> stems("Firing the analysts for taxation purposes, see data/shared/x.csv")
        ('fire', 'the', 'analyst', 'for', 'taxat', 'purpos', 'see')
    """
    return tuple(_STEMMER.stemWords(tokenize(_PATH.sub(" ", text))))


def _all(texts: Iterable[str]) -> tuple[Stems, ...]:
    return tuple(s for s in (stems(t) for t in texts) if s)


def _at(words: Stems, phrase: Stems, index: int) -> bool:
    return words[index : index + len(phrase)] == phrase


def _find(words: Stems, phrases: Sequence[Stems]) -> list[tuple[int, int]]:
    """(start, end) of every occurrence of any of `phrases` in `words`."""
    return [
        (index, index + len(phrase))
        for phrase in phrases
        for index in range(len(words) - len(phrase) + 1)
        if _at(words, phrase, index)
    ]


def _stemmed(table: Mapping[str, Any], names: Sequence[str]) -> dict[str, tuple[Stems, ...]]:
    return {name: _all(table.get(name, ())) for name in names}


@cache
def _advice(lexicon: Lexicon) -> _Advice:
    raw = lexicon.raw["advice"]
    domains = tuple(
        _Domain(table["topic"], table["adviser"], _stemmed(table, _DOMAIN_CLASSES))
        for table in raw["domains"].values()
    )
    return _Advice(_stemmed(raw, _SHARED_CLASSES), domains)


def _judgement(words: Stems, advice: _Advice, own: tuple[Stems, ...]) -> bool:
    """Whether `words` ask for a judgement: a modal of advice, a domain's own marker ("buy"
    shares), or "can we …" before a verb that is not a read."""
    shared = advice.classes
    if _find(words, (*shared["markers"], *own)):
        return True
    for _, end in _find(words, shared["can_we"]):
        rest = words[end:]
        if rest and not any(_at(rest, read, 0) for read in shared["reads"]):
            return True
    return False


def advice_domain(text: str, lexicon: Lexicon) -> Refusal | None:
    """The professional domain `text` asks advice in, if any (see the module docstring).

    Examples:
        >>> advice_domain("how do we treat the credit notes for VAT?", lexicon).topic
        'tax'
        >>> advice_domain("how much VAT did we invoice in Q3?", lexicon) is None
        True
    """
    advice = _advice(lexicon)
    words = stems(text)
    excluded = _find(words, advice.classes["excluded"])
    blocked = {i for start, end in excluded for i in range(start, end)}
    for domain in advice.domains:
        classes = domain.classes

        def found(name: str, classes: Mapping[str, tuple[Stems, ...]] = classes) -> bool:
            return any(start not in blocked for start, _ in _find(words, classes[name]))

        if found("inherent") or (found("targeted") and found("targets")):
            return Refusal("advice", domain.topic, domain.adviser)
        if found("words") and _judgement(words, advice, classes["markers"]):
            return Refusal("advice", domain.topic, domain.adviser)
    return None


def classify(text: str, lexicon: Lexicon, original: str | None = None) -> Refusal | None:
    """Why RevRisk declines `text` (spelling-corrected; `original` as typed, for the names
    that tell another company), or None when it answers it.

    Examples:
        >>> classify("please ping the owners of the riskiest accounts on slack", lexicon).kind
        'destructive'
        >>> classify("which person on the collections team should we let go?", lexicon).topic
        'HR or people'
        >>> classify("which accounts were refunded last month?", lexicon) is None
        True
    """
    if declines(text, lexicon):
        return Refusal("destructive")
    if (domain := advice_domain(text, lexicon)) is not None:
        return domain
    if foreign(original if original is not None else text, lexicon):
        return Refusal("foreign")
    return None
