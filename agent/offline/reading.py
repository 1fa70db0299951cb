"""A message as the offline planner reads it: words (typos and shorthand read as the words
they stand for, agent/offline/spelling.py), entities, intent scores, and what it points at in the
thread ("its trend", "which of those", "and the same for 1210").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.offline.entities import Entities, digits, extract_entities
from agent.offline.lexicon import (
    Lexicon,
    find_all,
    has_phrase,
    muted_words,
    phrase_at,
    tokenize,
)
from agent.offline.metrics import customer_names
from agent.offline.plans import Call, Memory, Plan, accepts, args_for, call_entities, pick_row
from agent.offline.spelling import correct, speller
from tools.schemas import TOOL_ARGS

ENTITY_DEFAULTS = {
    "sql": "query_duckdb",
    "recipe": "query_duckdb",
    "file_path": "score_file",
    "account_id": "explain_risk_factors",
    "segment_id": "segment_report",
    "leakage_type": "detect_leakage",
    "decline_level": "find_declining_customers",
    "risk_level": "score_leakage",
    "tier": "score_leakage",
}
"""For a message that names only an entity: the tool that says most about it (in priority)."""

_SHORT = 7
"""Words in a message short enough to be a follow-up ("and segment 2?")."""
_PLURAL = (("them",), ("they",), ("their",), ("those",), ("these",))
"""Pronouns for many: a question with them is about a group, not one missing referent."""
_MARKUP = re.compile(r"<\s*/?\s*[a-z][^>]*>|\b[a-z_]\w*\(\s*[\w'\"]*\s*\)", re.IGNORECASE)
"""An HTML tag or a code call ("alert(1)") in a message."""
_NAME = re.compile(r"(?<=[a-z0-9,:;] )(?:[A-Z][a-z]+ ){1,3}[A-Z][a-z]+\b")
"""Two to four capitalised words after a lower-case word: a company's name, not a sentence's
first word ("what's driving the risk score on Swift River Health?")."""
_CUSTOMER_CODE = re.compile(r"[A-Z]{2,}(?:-[A-Z0-9]+)+")
"""A customer code in capitals joined by hyphens ("STEP-G", "DROP-F"): an export's id."""
_TREND_TOOLS = ("decompose_trend", "find_declining_customers")
"""Tools that answer a trend question about a customer named by name."""
_SUBJECTS = ("account_id", "segment_id", "file_path", "sql", "recipe")


_ASKED_OF_ONE = ("risk_level", "leakage_type")
"""What a question about one account's score asks ("is it high risk?", "at risk of failed
payments?"), not a filter: its score says its level and most likely type."""


@dataclass
class Reading:
    """One message being planned, against the lexicon and the thread's memory."""

    text: str
    memory: Memory
    lexicon: Lexicon
    tokens: list[str] = field(init=False)
    entities: Entities = field(init=False)
    named: dict[str, Any] = field(init=False)
    scores: dict[str, float] = field(init=False)
    original: str = field(init=False)
    """The message as typed (capitals kept: "Netflix's churn" names a company)."""
    muted: frozenset[int] = field(init=False)
    """Words the message says it does not want ("not the member list"): their cues do not count."""

    def __post_init__(self) -> None:
        self.original = self.text
        self.text = correct(self.text, self.lexicon)  # "whcih acounts" -> "which accounts"
        self.tokens = tokenize(self.text)
        lexicon = self.lexicon
        self.muted = muted_words(self.tokens, lexicon.negators, lexicon.negation_window)
        self.entities = extract_entities(self.text, self.tokens, self.lexicon)
        self.named = self.entities.named()
        if "segment_id" not in self.named and (by_size := self._segment_by_size()) is not None:
            self.named["segment_id"] = by_size  # "drill into the bigger one"
        if "segment_id" not in self.named and (listed := self._listed_segment()) is not None:
            segment, words = listed
            self.named["segment_id"] = segment  # "drill into the volatile one"
            self.muted |= words  # "the small & declining group" asks about no declines
            if not self._names_level(words):  # "the steady one" is no decline level 0
                self.named.pop("decline_level", None)
        hashed = self.entities.hash_id
        if hashed and "account_id" not in self.named and not self._has_list:
            self.named["account_id"] = hashed  # "is #7 seasonal?" with nothing listed before
        if self.entities.risk_word and self._about_risk():  # "only the high ones?"
            self.named["risk_level"] = self.entities.risk_word
        self._score()
        if self.entities.bare_id and "account_id" not in self.named and self._expects_account():
            self.named["account_id"] = self.entities.bare_id
            self._score()
        if "account_id" not in self.named and (name := self._named_trend_customer()):
            self.named["account_id"] = name  # "is Acme Corp declining?" (rt10 N-H1)
            self._score()
        if self.entities.degree is not None and self._about_declines():
            self.named.setdefault("decline_level", self.entities.degree)
            self._score()

    @property
    def _has_list(self) -> bool:
        """Whether the thread's last result listed accounts or segments ("#3" picks a row)."""
        return bool(self.memory.result_ids or self.memory.segments)

    def _names_level(self, words: frozenset[int]) -> bool:
        """Whether the message names a decline level outside the word indices `words` (the
        words that name a segment): a decline word or "level"."""
        lexicon = self.lexicon
        rest = [token for index, token in enumerate(self.tokens) if index not in words]
        levels = tuple(phrase for phrase, _ in lexicon.entities.get("decline_level", ()))
        return "level" in rest or has_phrase(rest, (*lexicon.decline_words, *levels))

    def _segment_by_size(self) -> int | None:
        """The listed segment the message picks by its size, a size word just before a noun
        such as "one" or "group" ("drill into the bigger one", "the smallest cluster", lexicon
        `[followup]` larger/smaller): the segment with the most (or fewest) customers of the
        last list; None without such words, a list of segments, or their sizes."""
        sizes = self.memory.segment_sizes
        if len(sizes) < 2:
            return None
        words = self.lexicon.raw["followup"]
        tokens, referents = self.tokens, self.lexicon.referents
        for index, token in enumerate(tokens):
            if not any(phrase_at(tokens, referents, index + k) for k in (1, 2)):
                continue
            if token in words["larger"]:
                return max(sizes, key=lambda segment: sizes[segment])
            if token in words["smaller"]:
                return min(sizes, key=lambda segment: sizes[segment])
        return None

    def _listed_segment(self) -> tuple[int, frozenset[int]] | None:
        """The segment of the last result that the message names by a word of its name only
        that segment has, just before a noun such as "one" or "group" ("the volatile one"),
        and the indices of those words; None when no such word, or words of different
        segments, are used."""
        segments = self.memory.segments
        if not segments:
            return None
        names = {segment: set(tokenize(label)) for segment, label in segments}
        words = [word for name in names.values() for word in name]
        own = {s: {w for w in name if words.count(w) == 1} for s, name in names.items()}
        tokens, referents = self.tokens, self.lexicon.referents
        found: dict[int, set[int]] = {}
        for index, token in enumerate(tokens):
            if not any(phrase_at(tokens, referents, index + k) for k in (1, 2, 3)):
                continue
            for segment, distinct in own.items():
                if token in distinct:
                    found.setdefault(segment, set()).add(index)
        if len(found) != 1:
            return None
        segment, indices = next(iter(found.items()))
        return segment, frozenset(indices)

    def _score(self) -> None:
        kinds = set(self.named) | ({"data_question"} if self.entities.data_question else set())
        window = self.lexicon.veto_window
        self.scores = {
            name: rule.score(self.tokens, kinds, window, self.muted)
            for name, rule in self.lexicon.intents.items()
        }

    def _named_trend_customer(self) -> str | None:
        """The customer a trend question names by a name without a digit ("show the revenue
        trend of Globex Ltd", "is DROP-F declining?", agent/offline/metrics.py
        `customer_names`): the trend tools look it up and say when the data lack it, where
        the decline list would answer for every customer instead (rt10 N-H1)."""
        name, score = self.best_tool
        if self.entities.account_id is not None or name not in _TREND_TOOLS:
            return None
        if score < self.lexicon.threshold:
            return None
        names = customer_names(self.original, self.lexicon)
        if len(names) != 1:
            return None
        # "tell me about the history of Rome": no customer of ours; an export's code in
        # capitals ("is STEP-G in trouble?", rt12 R-M3) is one without a word of the business
        coded = _CUSTOMER_CODE.fullmatch(names[0]) is not None
        return names[0] if coded or has_phrase(self.tokens, self.lexicon.domain) else None

    def _expects_account(self) -> bool:
        """Whether a bare number here is an account: the question or the thread is about one."""
        name, _ = self.best_tool
        rule = self.lexicon.intents.get(name or "")
        if rule is not None and (rule.requires == "account_id" or rule.for_account):
            return True
        return any(key in self.memory.last_args for key in ("account_id", "customer_id"))

    def _about_risk(self) -> bool:
        """Whether the thread is about leakage risk, so that a level word alone ("only the
        high ones") is a risk level."""
        last = self.memory.last_tool
        return last is not None and accepts(last, "risk_level")

    def _about_declines(self) -> bool:
        """Whether the thread is about declining customers, so that a bare degree ("only the
        sharp ones") is their decline level."""
        memory = self.memory
        if memory.last_tool == ENTITY_DEFAULTS["decline_level"]:
            return True
        return memory.last_args.get("decline_level") is not None

    @property
    def refers_back(self) -> bool:
        """Points at the thread's account ("its trend", "that customer")."""
        return has_phrase(self.tokens, self.lexicon.anaphora)

    @property
    def points_back(self) -> bool:
        """Points at the thread at all: an anaphor or a demonstrative ("which of those")."""
        return self.refers_back or has_phrase(self.tokens, self.lexicon.demonstratives)

    @property
    def starts_follow_up(self) -> bool:
        return has_phrase(self.tokens[:2], self.lexicon.starters)

    @property
    def continues(self) -> bool:
        """Asks for more of the thread: names something, "more", or opens with "and …"."""
        more = has_phrase(self.tokens, self.lexicon.more)
        more = more and not has_phrase(self.tokens, self.lexicon.signoffs)  # "that's everything"
        return bool(self.named) or more or self.starts_follow_up

    @property
    def widens(self) -> bool:
        """Asks about many accounts ("which customers …", "top 10", "Enterprise")."""
        return has_phrase(self.tokens, self.lexicon.population)

    @property
    def mentions_upload(self) -> bool:
        return has_phrase(self.tokens, self.lexicon.uploads)

    @property
    def is_question(self) -> bool:
        return self.text.rstrip().endswith("?") or (
            phrase_at(self.tokens, self.lexicon.safety.asks, 0) is not None
        )

    @property
    def on_topic(self) -> bool:
        """Speaks about the business: a named entity, a domain word or a strong tool cue."""
        if self.named or has_phrase(self.tokens, self.lexicon.domain):
            return True
        rules = self.lexicon.intents
        return any(rules[name].strong_cue(self.tokens) for name in TOOL_ARGS if name in rules)

    @property
    def asks_about_ability(self) -> bool:
        """A question about the assistant ("can you look at trends too, or just leakage?",
        "do you support forecasting?"), not a request it can run."""
        lexicon = self.lexicon
        if any(kind in self.named for kind in _SUBJECTS):
            return False
        if self.refers_back and self.memory.last_tool:
            return False
        said = self.text.lower()
        if not self.named and any(re.match(p, said) for p in lexicon.raw["ability"]["patterns"]):
            return True  # "what can you actually do for a finance team?"
        openers = (lexicon.ability_openers, lexicon.ability_requests)
        opens = [any(phrase_at(self.tokens, p, i) for i in range(2)) for p in openers]
        if opens[0] and has_phrase(self.tokens, lexicon.ability_markers):
            return True
        return opens[1] and self.best_tool[1] < lexicon.threshold

    @property
    def best_tool(self) -> tuple[str | None, float]:
        tools = {n: s for n, s in self.scores.items() if n in TOOL_ARGS}
        name = max(tools, key=lambda n: tools[n])
        return (name, tools[name]) if tools[name] > 0 else (None, 0.0)

    @property
    def words_ask_for_tool(self) -> bool:
        """Whether the message's words alone, without its entities, ask for a tool."""
        window = self.lexicon.veto_window
        rules = self.lexicon.intents
        return any(
            rules[name].score(self.tokens, set(), window, self.muted) >= self.lexicon.threshold
            for name in TOOL_ARGS
            if name in rules
        )

    def pointed_account(self) -> str | None:
        """The account of the thread's last call, when this message points at it and is not
        about many accounts ("is it declining too?" after a question about ACC000042), or the
        row of the last list it picks by position ("the second one"). Not when it asks about
        the list again ("how many of them?" after opening one of its rows)."""
        last = self.memory.last_tool
        if last is None or self.widens or self.back_to_list:
            return None
        if self.entities.ordinal is not None and self.memory.result_ids:
            return self.remembered_id()  # "the second one: real downtrend or just noise?"
        if not self.refers_back:
            return None
        account = call_entities(Call(last, dict(self.memory.last_args))).get("account_id")
        return account if isinstance(account, str) else None

    def remembered_id(self) -> str | None:
        """The account the thread points at: picked from the last result's rows by position
        or by what the message says of it ("the top one", "the only High-risk one on that
        list"), else the one named before, else the last result's first."""
        memory = self.memory
        picked = pick_row(memory.result_rows, self.named, self.entities.ordinal)
        if picked is not None:
            return picked
        ids, ordinal = memory.result_ids, self.entities.ordinal
        if ordinal is not None and -len(ids) <= ordinal < len(ids):
            return ids[ordinal]
        return memory.account_id or (ids[0] if ids else None)

    def resolve(self, intent: str, named: dict[str, Any]) -> Plan:
        """Calls for `intent`, filling a missing required argument from the thread."""
        rule = self.lexicon.intents.get(intent)
        if intent not in TOOL_ARGS or rule is None:
            return Plan(intent)
        required = rule.requires
        if required and required not in named and not (required == "sql" and "recipe" in named):
            remembered = {
                "account_id": self.remembered_id(),
                "segment_id": self.listed_segment_id(),
                "file_path": self.memory.file_path,
            }
            if remembered.get(required) is None:
                nothing_before = self.memory.account_id is None and not self.memory.result_ids
                if (
                    required in ("account_id", "segment_id")
                    and nothing_before
                    and (self.points_at_referent or self.names_company or self.names_markup)
                ):
                    # "why is that one flagged?" with nothing before it: ask which one
                    return Plan(
                        "clarify", question="referent" if required == "account_id" else "segment"
                    )
                return self.resolve(rule.fallback or "capabilities", named)
            if required == "account_id" and self.ambiguous_pronoun:
                return Plan("clarify", question="listed", tool=intent)  # which of the list?
            named = {**named, required: remembered[required]}
        elif "account_id" not in named and self.refers_back and self.remembered_id():
            if self.ambiguous_pronoun and accepts(intent, "account_id"):
                return Plan("clarify", question="listed", tool=intent)
            named = {**named, "account_id": self.remembered_id()}
        if "account_id" not in named and self.picks_listed_row and accepts(intent, "account_id"):
            named = {**named, "account_id": self.remembered_id()}  # "the third one in the file"
        if intent == "score_leakage" and "account_id" in named:
            # "is ACC 528 high risk?" asks for its level: as a filter it matched no account
            # and read "$0.00 at risk" for a Medium one
            named = {k: v for k, v in named.items() if k not in _ASKED_OF_ONE}
        return Plan(intent, (Call(intent, args_for(intent, named)),))

    @property
    def entities_text(self) -> str:
        """The message in lower case with number words as digits ("three" -> "3")."""
        return digits(self.text)

    @property
    def picks_listed_row(self) -> bool:
        """Names a position in the thread's last list ("the third one")."""
        return self.entities.ordinal is not None and bool(self.memory.result_ids)

    @property
    def points_at_referent(self) -> bool:
        """Points at one thing the thread should have named ("that one", "it", "the 2nd"),
        not at many ("who are the biggest of them", "which customers …")."""
        if self.widens or has_phrase(self.tokens, _PLURAL):
            return False
        return self.refers_back or self.entities.ordinal is not None or bool(self.entities.ordinals)

    def listed_segment_id(self) -> int | None:
        """The segment the message picks by position from the last list of segments ("the
        second one - deep dive"), else the one the thread was about."""
        segments, ordinal = self.memory.segments, self.entities.ordinal
        if segments and ordinal is not None and -len(segments) <= ordinal < len(segments):
            return segments[ordinal][0]
        return self.memory.segment_id

    @property
    def ambiguous_pronoun(self) -> bool:
        """ "it" after a list, with no one account discussed yet and nothing picking a row
        ("top 5 contract-terms findings" then "why's it happening?"): which one is meant?"""
        memory = self.memory
        if memory.account_id is not None or len(memory.result_ids) < 2 or self.widens:
            return False
        if self.entities.ordinal is not None or self.entities.ordinals:
            return False
        if has_phrase(self.tokens, _PLURAL) or not self.refers_back:
            return False
        return pick_row(memory.result_rows, self.named, None) is None

    @property
    def names_company(self) -> bool:
        """Names a company by its name ("the risk score on Swift River Health"): two or more
        capitalised words inside the sentence, one of them no word the lexicon knows. The
        planner cannot look a name up, so a question about one account asks for its id."""
        known = speller(self.lexicon).known
        for match in _NAME.finditer(self.original):
            words = match.group(0).lower().split()
            if any(word not in known for word in words):
                return True
        return False

    @property
    def names_markup(self) -> bool:
        """Names its subject as markup or code ("why is <img src=x onerror=alert(1)>
        flagged?"): no account id can be read from it, so a question about one account asks
        for its id (a digit inside it is no id: agent/offline/entities.py)."""
        return bool(_MARKUP.search(self.original))

    @property
    def thread_is_empty(self) -> bool:
        """Nothing before this message that a pronoun could point at."""
        memory = self.memory
        return memory.last_tool is None and memory.account_id is None and not memory.result_ids

    @property
    def points_at_nothing(self) -> bool:
        """A first message about "them" / "the two of them" / "those" that names nothing and
        asks about no population of its own ("compare the two of them", "what about last
        month for them?"): the referent is missing."""
        if not self.thread_is_empty or self.names_subject or self.widens:
            return False
        return has_phrase(self.tokens, self.lexicon.plural_referents)

    @property
    def names_subject(self) -> bool:
        """Names what it asks about (an id, a tier, a filter …), not just how many rows."""
        return any(kind not in ("top_n", "order_by") for kind in self.named)

    @property
    def lost_referent(self) -> bool:
        """A short first question about "it" or "the other one" with nothing before it ("why
        did it drop?", "and the other one?"), and no other topic: ask which one."""
        if not self.thread_is_empty or self.names_subject or len(self.tokens) > _SHORT + 1:
            return False
        if self.scores.get("off_topic", 0.0) > 0:
            return False
        return self.points_at_referent or has_phrase(self.tokens, self.lexicon.other_one)

    @property
    def unsupported_measure(self) -> bool:
        """Asks for a finance measure no tool computes ("CAC payback", "LTV by tier") and
        names no account, segment, file or query of its own."""
        if any(kind in self.named for kind in _SUBJECTS if kind != "recipe"):
            return False  # a written recipe would answer another measure ("MRR") instead
        return has_phrase(self.tokens, self.lexicon.unsupported)

    @property
    def vague(self) -> bool:
        """A first message whose only tool cues are words that name no question ("show me
        the numbers", "give me an update"): without them, no tool reaches the threshold."""
        lexicon = self.lexicon
        if not self.thread_is_empty or self.names_subject or self.entities.data_question:
            return False
        covered = {
            index + k
            for phrase in lexicon.vague
            for index in find_all(self.tokens, phrase)
            for k in range(len(phrase))
        }
        if not covered:
            return False
        rest = [t for i, t in enumerate(self.tokens) if i not in covered]
        rules = lexicon.intents
        return all(
            rules[name].score(rest, set(), lexicon.veto_window) < lexicon.threshold
            for name in TOOL_ARGS
            if name in rules
        )

    @property
    def refines_last(self) -> bool:
        """A short "and/what about X?" whose entities all fit the last tool."""
        last = self.memory.last_tool
        if last is None or not self.named or len(self.tokens) > _SHORT:
            return False
        return self.starts_follow_up and all(accepts(last, kind) for kind in self.named)

    @property
    def repeats_last(self) -> bool:
        """Asks for the last tool again, with what it names changed ("same report but only
        the sharply declining customers"), however long the message."""
        last = self.memory.last_tool
        if last is None or not (self.narrows or has_phrase(self.tokens, self.lexicon.same)):
            return False
        return all(accepts(last, kind) for kind in self.named)

    @property
    def narrows(self) -> bool:
        """Narrows the last result to the filter it names ("narrow that to segment 0",
        "just those in EMEA", "high ones only?")."""
        if not self.named:
            return False
        short = len(self.tokens) <= _SHORT and has_phrase(self.tokens, self.lexicon.narrow_short)
        return short or has_phrase(self.tokens, self.lexicon.narrow)

    def follow_up(self) -> Plan | None:
        """Re-run the last tool with this message's entities ("and segment 2?", "top 20")."""
        last = self.memory.last_tool
        named = self.named
        more = has_phrase(self.tokens, self.lexicon.more)
        if last is None or not (named or more or self.starts_follow_up or self.points_back):
            return None
        base = self.memory.last_args
        listed = self.memory.list_tool
        if self.back_to_list and listed is not None:  # "which of those are in LATAM?"
            last, base = listed, self.memory.list_args
        if "top_n" in named and not self.refers_back and self.entities.ordinal is None:
            # "who are our top 10 customers?" after one account's score: a list, not that
            # account again (found in the make-run session of round 13)
            base = {k: v for k, v in base.items() if k not in ("account_id", "customer_id")}
        foreign = [k for k in ENTITY_DEFAULTS if k in named and not accepts(last, k)]
        if foreign:  # "what about Enterprise?" after a trend: the tier's own tool
            return self.resolve(ENTITY_DEFAULTS[foreign[0]], named)
        args = {**base, **args_for(last, named)}
        if self.entities.ordinal is not None and accepts(last, "account_id"):
            picked = self.remembered_id()  # "and the last one on that list?"
            args.update(args_for(last, {"account_id": picked}) if picked else {})
        if more and "top_n" in TOOL_ARGS[last].model_fields and "top_n" not in named:
            args["top_n"] = min(int(args.get("top_n", 10)) * 2, 100)
        return Plan(last, (Call(last, args),))

    @property
    def back_to_list(self) -> bool:
        """Asks about the thread's list again ("which of those …", "how many of them …")
        after the last call opened one of its rows: the list's call, not the row's."""
        memory = self.memory
        if memory.list_tool is None or memory.list_tool == memory.last_tool:
            return False
        if not any(memory.last_args.get(key) for key in ("account_id", "customer_id")):
            return False
        if self.entities.ordinal is not None or self.entities.ordinals:
            return False  # "and the fourth one on that list?" opens another row
        return has_phrase(self.tokens, self.lexicon.plural_referents)

    def last_call_entities(self) -> dict[str, Any]:
        """The last call's arguments as entities, with the thread's account."""
        last = self.memory.last_tool
        entities = call_entities(Call(last, dict(self.memory.last_args))) if last else {}
        if self.memory.account_id and "account_id" not in entities:
            entities["account_id"] = self.memory.account_id
        return entities
