"""Offline planning: a message (plus what the thread already discussed) becomes tool calls.

Pure functions, no model: `plan(text, memory, tools)` scores every intent of the lexicon
(agent/lexicon.toml) against the message's words and entities, resolves follow-ups from
`Memory` ("why?", "show its trend", "and segment 2?"), and returns a `Plan`: tool calls, or
the name of a direct reply (greeting, capabilities, refusal, …).

Decision order: destructive requests (cues, or a leading write/send verb) are refused first;
explicit off-topic cues next; then, for messages about the business (a domain word or an
entity), two clauses asking for two different tools get both; a short "and/what about X?"
refines the last call; the best tool intent above the threshold; a follow-up that re-runs
the last tool; greetings, capability questions and thanks; a bare entity ("ACC000042?");
a best guess for business questions the lexicon does not know; anything else is off-topic.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from agent.entities import Entities, extract_entities
from agent.lexicon import Lexicon, has_phrase, load_lexicon, phrase_at, tokenize
from tools.schemas import TOOL_ARGS

REPLIES = ("greeting", "capabilities", "thanks", "destructive", "off_topic", "need_sql")
"""Intents answered without a tool; each has a `prompts/reply_<name>.md` template."""

_ENTITY_DEFAULTS = {
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

_CLAUSE_SPLIT = re.compile(
    r"\s*(?:;|,?\s+and then\s+|,?\s+and also\s+|,?\s+and\s+|,?\s+then\s+)\s*"
)
_ID_FIELDS = ("account_id", "customer_id")


@dataclass(frozen=True)
class Memory:
    """What the thread already discussed, newest first where it matters."""

    last_tool: str | None = None
    last_args: Mapping[str, Any] = field(default_factory=dict)
    account_id: str | None = None
    segment_id: int | None = None
    result_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Call:
    """One planned tool call."""

    name: str
    args: dict[str, Any]


@dataclass(frozen=True)
class Plan:
    """Tool calls to make, or (when `calls` is empty) the direct reply named by `intent`."""

    intent: str
    calls: tuple[Call, ...] = ()
    tool: str | None = None  # for intent "unavailable": the tool that is not bound


def _args_for(tool: str, entities: Mapping[str, Any]) -> dict[str, Any]:
    """The entities `tool` accepts, under its argument names (account → customer_id, …)."""
    fields = TOOL_ARGS[tool].model_fields
    args = {key: value for key, value in entities.items() if key in fields}
    if "customer_id" in fields and entities.get("account_id"):
        args["customer_id"] = entities["account_id"]
    if tool == "query_duckdb" and "sql" not in args and entities.get("recipe"):
        args["sql"] = entities["recipe"]
    return args


@dataclass
class _Turn:
    """One message being planned, with its words, entities and cue flags."""

    text: str
    memory: Memory
    lexicon: Lexicon
    tokens: list[str] = field(init=False)
    entities: Entities = field(init=False)
    scores: dict[str, float] = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = tokenize(self.text)
        self.entities = extract_entities(self.text, self.tokens, self.lexicon)
        kinds = set(self.entities.named())
        self.scores = {n: r.score(self.tokens, kinds) for n, r in self.lexicon.intents.items()}

    @property
    def refers_back(self) -> bool:
        return has_phrase(self.tokens, self.lexicon.anaphora)

    @property
    def on_topic(self) -> bool:
        """Speaks about the business: a named entity, a domain word or a strong tool cue."""
        if self.entities.named() or has_phrase(self.tokens, self.lexicon.domain):
            return True
        rules = self.lexicon.intents
        return any(rules[name].strong_cue(self.tokens) for name in TOOL_ARGS if name in rules)

    @property
    def commands_a_change(self) -> bool:
        """Starts (after "please", "can you", …) with a verb that writes, sends or deletes."""
        index = 0
        while index < len(self.tokens) and self.tokens[index] in self.lexicon.polite:
            index += 1
        verb = phrase_at(self.tokens, self.lexicon.imperatives, index)
        after = index + len(verb) if verb else index
        return verb is not None and (
            after >= len(self.tokens) or self.tokens[after] not in self.lexicon.reads
        )

    @property
    def best_tool(self) -> tuple[str | None, float]:
        tools = {n: s for n, s in self.scores.items() if n in TOOL_ARGS}
        name = max(tools, key=lambda n: tools[n])
        return (name, tools[name]) if tools[name] > 0 else (None, 0.0)

    def remembered_id(self) -> str | None:
        """The account the thread points at: named before, or picked from the last result."""
        ids = self.memory.result_ids
        if self.entities.ordinal is not None and self.entities.ordinal < len(ids):
            return ids[self.entities.ordinal]
        return self.memory.account_id or (ids[0] if ids else None)

    def resolve(self, intent: str, named: dict[str, Any]) -> Plan:
        """Calls for `intent`, filling a missing required argument from the thread."""
        rule = self.lexicon.intents.get(intent)
        if intent not in TOOL_ARGS or rule is None:
            return Plan(intent)
        required = rule.requires
        if required and required not in named and not (required == "sql" and "recipe" in named):
            remembered = {"account_id": self.remembered_id(), "segment_id": self.memory.segment_id}
            if remembered.get(required) is None:
                return self.resolve(rule.fallback or "capabilities", named)
            named = {**named, required: remembered[required]}
        elif "account_id" not in named and self.refers_back and self.remembered_id():
            named = {**named, "account_id": self.remembered_id()}
        return Plan(intent, (Call(intent, _args_for(intent, named)),))

    @property
    def refines_last(self) -> bool:
        """A short "and/what about X?" whose entities all fit the last tool."""
        last = self.memory.last_tool
        named = self.entities.named()
        if last is None or not named or len(self.tokens) > 7:
            return False
        if not has_phrase(self.tokens[:2], self.lexicon.starters):
            return False
        fields = TOOL_ARGS[last].model_fields
        return all(k in fields or (k == "account_id" and "customer_id" in fields) for k in named)

    def follow_up(self) -> Plan | None:
        """Re-run the last tool with this message's entities ("and segment 2?", "top 20")."""
        last = self.memory.last_tool
        named = self.entities.named()
        more = has_phrase(self.tokens, self.lexicon.more)
        starts = has_phrase(self.tokens[:2], self.lexicon.starters)
        if last is None or not (named or more or starts or self.refers_back):
            return None
        fields = TOOL_ARGS[last].model_fields
        foreign = [
            kind
            for kind in _ENTITY_DEFAULTS
            if kind in named
            and kind not in fields
            and not (kind == "account_id" and "customer_id" in fields)
        ]
        if foreign:  # "what about Enterprise?" after a trend: the tier's own tool
            return self.resolve(_ENTITY_DEFAULTS[foreign[0]], named)
        args = {**self.memory.last_args, **_args_for(last, named)}
        if more and "top_n" in fields and "top_n" not in named:
            args["top_n"] = min(int(args.get("top_n", 10)) * 2, 100)
        return Plan(last, (Call(last, args),))


def _split_plan(turn: _Turn) -> Plan | None:
    """Two clauses asking for two different tools ("why is X flagged and show its trend")."""
    clauses = [c for c in _CLAUSE_SPLIT.split(turn.text) if len(tokenize(c)) >= 3]
    if len(clauses) < 2:
        return None
    calls: list[Call] = []
    memory = turn.memory
    for clause in clauses:
        part = _Turn(clause, memory, turn.lexicon)
        name, score = part.best_tool
        if name is None or score < turn.lexicon.threshold:
            return None
        plan = part.resolve(name, part.entities.named())
        if not plan.calls or any(c.name == plan.calls[0].name for c in calls):
            return None
        calls.append(plan.calls[0])
        args = plan.calls[0].args
        account = next((args[k] for k in _ID_FIELDS if args.get(k)), memory.account_id)
        memory = Memory(plan.calls[0].name, args, account, memory.segment_id, memory.result_ids)
    return Plan(calls[0].name, tuple(calls))


def _choose(turn: _Turn) -> Plan:
    scores = turn.scores
    if scores["destructive"] >= 4 or turn.commands_a_change:
        return Plan("destructive")
    name, score = turn.best_tool
    if scores["off_topic"] >= 3 and scores["off_topic"] > score:
        return Plan("off_topic")
    in_context = turn.on_topic or turn.memory.last_tool is not None
    if turn.on_topic and (split := _split_plan(turn)) is not None:
        return split
    if turn.refines_last:
        return turn.follow_up() or Plan("off_topic")
    if name is not None and score >= turn.lexicon.threshold and in_context:
        return turn.resolve(name, turn.entities.named())
    if (follow := turn.follow_up()) is not None:
        return follow
    social = max(("capabilities", "greeting", "thanks"), key=lambda n: scores[n])
    if scores[social] >= 2:
        return Plan(social)
    named = turn.entities.named()
    for kind, tool in _ENTITY_DEFAULTS.items():
        if kind in named:
            return turn.resolve(tool, named)
    if turn.on_topic:  # a business question in words the lexicon lacks: best guess, not refusal
        return turn.resolve(name or "portfolio_summary", named)
    return Plan("off_topic")


def plan(text: str, memory: Memory | None = None, tools: Collection[str] | None = None) -> Plan:
    """Plan the reply to `text`; `tools` limits calls to the tools bound to the model.

    Examples:
        >>> plan("Why is acc000042 flagged?").calls[0]
        Call(name='explain_risk_factors', args={'account_id': 'ACC000042'})
        >>> plan("show its revenue trend", Memory(account_id="ACC000042")).calls[0].args
        {'customer_id': 'ACC000042'}
        >>> plan("Drop table accounts please").intent
        'destructive'
    """
    turn = _Turn(text, memory or Memory(), load_lexicon())
    chosen = _choose(turn)
    if tools is not None:
        missing = [call.name for call in chosen.calls if call.name not in tools]
        if missing:
            return Plan("unavailable", tool=missing[0])
    return chosen
