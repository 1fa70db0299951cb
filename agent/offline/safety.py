"""Requests the product declines: changes, sends and deletes, and attempts on its instructions.

RevRisk only reads. A message is declined when

- it reaches for the assistant's instructions or secrets (security phrases), anywhere in it;
- it carries a SQL statement that writes (`DROP TABLE`, `DELETE FROM … WHERE`, `UPDATE … SET`);
- one of its clauses commands a change: it opens (after "please", "can you", "go ahead and",
  …) with a write verb ("delete …", "mark … as paid", "send an email", "give ACC1 a
  discount", "process the downgrade"), asks how to destroy something ("how do I delete …"),
  or tells the assistant to make one ("finance wants you to write them off");
- or it states a change ("old invoices should be deleted", "I need to update their
  contracts") and asks nothing else: with nobody else to do it, the assistant is being asked.

A stretch that negates a write ("not asking you to fix anything", "don't change anything",
"without changing the data") says no change is wanted and commands nothing. A clause that
asks or reads ("which customers should we credit back?", "show me the refund history") or
sets a condition ("before anyone deletes anything") commands nothing, and a
change stated next to a read question is the speaker's own plan ("Finance wants to write off
the expired-card losses. How much did we lose?"): the question is answered. The vocabulary
is data: `[safety]` and `[imperatives]` in lexicon.toml.
"""

from __future__ import annotations

import re
from typing import Literal

from agent.offline.lexicon import (
    IntentRule,
    Lexicon,
    Phrase,
    find_all,
    has_phrase,
    phrase_at,
    tokenize,
)
from agent.offline.spelling import speller

_SQL_WRITE = re.compile(
    r"\b(?:(?:drop|truncate|alter|create(?:\s+or\s+replace)?)\s+(?:table|view|schema|database"
    r"|index|macro|sequence)\b|delete\s+from\s+\w+\s*(?:where\b|;|$)|insert\s+into\b"
    r"|update\s+\w+\s+set\b|copy\s+\w+\s+(?:to|from)\b|attach\s+(?:database\s+)?['\"]"
    r"|pragma\s+\w+|(?:grant|revoke)\s+\w+\s+(?:on|to)\b)",
    re.IGNORECASE,
)
_CLAUSES = re.compile(
    r"[.;:!?\n]+|,?\s+(?:and then|and also|and|then|but|also)\s+|,\s*so\s+|\s+[-–—]+\s+"
    r"|,\s*(?=(?:just|please|pls|kindly)\s)"
)
"""Clause breaks. ", just …" and ", please …" open a new clause: "Don't ask, just write off
the losses", "ACC1 is in the wrong region, please change it to EMEA"."""
_COMPOUND = re.compile(r"\s*[A-Za-z]+-[A-Za-z]")
"""A clause opening with a hyphenated word ("post-downgrade …") does not open with a verb."""
Kind = Literal["command", "statement", "ask"] | None
_FILLERS: tuple[Phrase, ...] = (("for",), ("a",), ("an",), ("any",), ("the",), ("asking",))
"""Words between a waiver and the write it negates ("not asking for a write-off")."""
_WRITE_CUE_SCORE = 4.0
"""A clause that states a change scores at least this on the destructive cues ("delete")."""


def _skip(tokens: list[str], phrases: tuple[Phrase, ...]) -> int:
    """Index of the first word after any run of `phrases` ("please can you just …")."""
    index = 0
    while index < len(tokens) and (found := phrase_at(tokens, phrases, index)) is not None:
        index += len(found)
    return index


def _opening_verb(tokens: list[str], lexicon: Lexicon) -> tuple[Phrase | None, bool]:
    """(the write verb the words open with, whether it is used as a command). The verb must be
    the bare imperative ("drops in revenue" is a noun), and one followed by a read word is a
    read or a noun: "send me", "refund history", "call list"."""
    safety = lexicon.safety
    verbs = (*safety.imperatives, *safety.conditional)
    # the longest verb the words open with: "log in to Stripe", not "log" and a read "in"
    verb = max((v for v in verbs if tuple(tokens[: len(v)]) == v), key=len, default=None)
    if verb is None:
        return None, False
    after = len(verb)
    if after < len(tokens) and tokens[after] in safety.reads:
        return verb, False
    objects = safety.conditional.get(verb)
    return verb, objects is None or has_phrase(tokens[after:], objects)


def _clause_kind(clause: str, lexicon: Lexicon, cues: IntentRule) -> Kind:
    """What a clause does: commands a write, states one, asks or reads, or none of these."""
    safety = lexicon.safety
    tokens = tokenize(clause)
    skipped = _skip(tokens, safety.polite)
    rest = tokens[skipped:]
    if not rest or phrase_at(rest, safety.subordinate, 0) is not None:
        return None
    if phrase_at(rest, safety.howto, 0) is not None:  # "how do I delete …" asks to write
        return "command" if cues.score(rest, set()) >= _WRITE_CUE_SCORE else "ask"
    if phrase_at(rest, safety.asks, 0) is not None:
        return "ask"
    if phrase_at(rest, safety.listings, 0) is not None and not has_phrase(rest, safety.obligations):
        return "ask"  # "complete list of refunds issued in 2026" names rows to read
    if _COMPOUND.match(clause) or _names_records(rest, lexicon):
        return None
    addressed = has_phrase(tokens, safety.addressee)  # "you", "let's": the assistant acts
    verb, commands = _opening_verb(rest, lexicon)
    if verb is not None:
        own = has_phrase(tokens[:skipped], safety.speaker) and not addressed  # "I need to …"
        return ("statement" if own else "command") if commands else None
    if addressed and _tells_assistant(tokens, lexicon):
        return "command"
    if cues.score(rest, set()) < _WRITE_CUE_SCORE:
        return None
    return "command" if addressed else "statement"


def _names_records(tokens: list[str], lexicon: Lexicon) -> bool:
    """Whether the words open with the plural noun of a write verb: "refunds issued last
    month", "credits applied in 2026", "charges that failed" name records to read."""
    safety = lexicon.safety
    first = tokens[0]
    return any(
        len(verb) == 1 and first in (verb[0] + "s", verb[0] + "es")
        for verb in (*safety.imperatives, *safety.conditional)
    )


def _writes(token: str, verbs: tuple[Phrase, ...]) -> bool:
    """Whether `token` is a one-word write verb or its -ing form ("change", "changing")."""
    for verb in verbs:
        if len(verb) != 1:
            continue
        stem = verb[0]
        if token == stem or token in (stem + "ing", stem[:-1] + "ing", stem + stem[-1] + "ing"):
            return True
    return False


def _waived(clause: str, lexicon: Lexicon) -> str:
    """`clause` without the stretches that say no change is wanted: from a waiver that negates
    a write verb ("not asking you to fix anything", "don't change anything", "without
    changing the data") to the next comma. "I'm not asking you to issue any credits, just
    count them" keeps "I'm, just count them"; "I don't care, delete them" keeps everything."""
    safety = lexicon.safety
    verbs = (*safety.imperatives, *safety.conditional)
    skippable = (*safety.polite, *safety.addressee, *_FILLERS)
    parts = clause.split(",")
    kept: list[str] = []
    changed = False
    for part in parts:
        tokens = tokenize(part)
        cut = None
        for index in range(len(tokens)):
            found = phrase_at(tokens, safety.waivers, index)
            if found is None:
                continue
            after = index + len(found)
            after += _skip(tokens[after:], skippable)
            if after < len(tokens) and (
                _writes(tokens[after], verbs) or phrase_at(tokens, verbs, after) is not None
            ):
                cut = index
                break
        if cut is None:
            kept.append(part)
        else:
            changed = True
            kept.append(" ".join(tokens[:cut]))
    return ",".join(kept) if changed else clause


def _tells_assistant(tokens: list[str], lexicon: Lexicon) -> bool:
    """Whether a write verb follows the assistant as its subject or object ("sales wants
    you to cancel …", "we need you to delete …")."""
    safety = lexicon.safety
    for index in range(len(tokens)):
        found = phrase_at(tokens, safety.addressee, index)
        if found is None:
            continue
        after = tokens[index + len(found) :]
        _, commands = _opening_verb(after[_skip(after, safety.polite) :], lexicon)
        if commands:
            return True
    return False


_POSSESSIVE = re.compile(r"\b([A-Z][A-Za-z0-9&]+)['’]s\b")
_MONTH_OR_DAY = re.compile(
    r"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)", re.I
)
_COMMON = frozenset(
    (
        "who",
        "what",
        "that",
        "it",
        "there",
        "here",
        "let",
        "he",
        "she",
        "where",
        "how",
        "when",
        "why",
        "everyone",
        "everybody",
        "someone",
        "somebody",
        "nobody",
        "today",
        "tomorrow",
        "yesterday",
        "company",
        "customer",
        "client",
        "account",
        "month",
        "year",
        "week",
        "quarter",
        "team",
        "board",
        "ceo",
        "cfo",
        "finance",
        "sales",
        "everything",
        "nothing",
        "one",
        "this",
    )
)
"""Words whose "'s" is a contraction or our own ("who's", "today's", "the board's")."""
_OUR_ID = re.compile(r"\b(?i:acc)[\s#_-]*\d|#\s?\d{3,}")


_PERSON_WINDOW = 8
"""Words from a role ("CEO") to what is private about its holder ("earn"): "how much does the
CEO at Quiet Beacon Logistics earn"."""


_OUR_WORDS = frozenset(("we", "our", "us", "revenue", "accounts", "customers", "account"))


def _about_a_person(tokens: list[str], lexicon: Lexicon) -> bool:
    """A role followed closely by a private attribute: "what does their CFO earn?"."""
    safety = lexicon.safety
    for role in safety.roles:
        for index in find_all(tokens, role):
            after = tokens[index + len(role) : index + len(role) + _PERSON_WINDOW]
            for start in range(len(after)):
                if after[start] in _OUR_WORDS:  # "the CEO wants to know what we earn"
                    break
                if phrase_at(after, safety.private, start) is not None:
                    return True
    return False


_SENTENCES = re.compile(r"(?<=[.!?])\s+(?=\S)")


def _asking_part(text: str, lexicon: Lexicon) -> str:
    """The sentences of `text` that ask (end with "?" or open with an `asks` word), or all of
    it when none does or it is one sentence: a company named in the context a person gives
    ("At my last company we were on Zuora and only found leakage at audit. Can you give me the
    lay of the land?") is not what they ask about.

    Examples:
        >>> _asking_part("We left Zuora last year. What is our MRR?", lexicon)
        'What is our MRR?'
        >>> _asking_part("What are Zuora's churn numbers?", lexicon)
        "What are Zuora's churn numbers?"
    """
    sentences = [s for s in _SENTENCES.split(text.strip()) if s.strip()]
    if len(sentences) < 2:
        return text
    asks = lexicon.safety.asks
    asking = [
        s
        for s in sentences
        if s.rstrip().endswith("?") or phrase_at(tokenize(s), asks, 0) is not None
    ]
    return " ".join(asking) if asking else text


def foreign(text: str, lexicon: Lexicon) -> bool:
    """Whether `text` asks for data RevRisk does not hold: another company's figures (a
    benchmark, a named company with a metric: "Netflix's churn numbers", "Zuora benchmark"),
    or a person's private data ("the CEO's salary"). A possessive name the lexicon does not
    know, next to a metric, is another company unless one of our account ids is named.

    Examples:
        >>> foreign("What are Netflix's churn numbers?", lexicon)
        True
        >>> foreign("Import the Stripe export and score it", lexicon)
        False
    """
    safety = lexicon.safety
    tokens = tokenize(text)
    if has_phrase(tokens, safety.people) or has_phrase(tokens, safety.benchmarks):
        return True
    if _about_a_person(tokens, lexicon):
        return True
    text = _asking_part(text, lexicon)  # "At my last company we were on Zuora …": context
    tokens = tokenize(text)
    if not has_phrase(tokens, safety.metrics) or _OUR_ID.search(text):
        return False
    if has_phrase(tokens, safety.companies):
        return True
    known = speller(lexicon).known
    for match in _POSSESSIVE.finditer(text):
        name = match.group(1).lower()
        if name in _COMMON or name in known or _MONTH_OR_DAY.match(name) or len(name) <= 2:
            continue
        if text[match.end() :].lstrip()[:1].isalpha():  # "Netflix's churn", not "who's."
            return True
    return False


def declines(text: str, lexicon: Lexicon) -> bool:
    """Whether `text` asks for something RevRisk must not do (see the module docstring).

    Examples:
        >>> declines("Give ACC000321 a 20% discount from next month", lexicon)
        True
        >>> declines("Before anyone deletes anything: which accounts have overages?", lexicon)
        False
    """
    tokens = tokenize(text)
    if has_phrase(tokens, lexicon.safety.security) or _SQL_WRITE.search(text):
        return True
    from agent.offline.metrics import without_names  # metrics reads no safety

    text = without_names(text, lexicon)  # "is DROP-F declining?": a customer, not a drop
    cues = lexicon.intents["destructive"]
    clauses = [_waived(c, lexicon) for c in _CLAUSES.split(text) if c.strip()]
    kinds = {_clause_kind(c, lexicon, cues) for c in clauses if c.strip()}
    return "command" in kinds or ("statement" in kinds and "ask" not in kinds)
