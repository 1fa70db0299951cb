"""What the offline planner works with and produces: the thread's `Memory`, and a `Plan`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tools.schemas import TOOL_ARGS

FILTER_KINDS = ("leakage_type", "tier", "region", "risk_level", "segment_id", "decline_level")
"""Entities that narrow a question; a follow-up that points back keeps them."""


@dataclass(frozen=True)
class Memory:
    """What the thread already discussed (agent/offline/model.py `thread_memory` builds it)."""

    last_tool: str | None = None
    last_args: Mapping[str, Any] = field(default_factory=dict)
    account_id: str | None = None
    segment_id: int | None = None
    result_ids: tuple[str, ...] = ()
    """The accounts of the last tool result's rows, in the order shown."""
    result_rows: tuple[Mapping[str, Any], ...] = ()
    """Those rows' filter attributes (tier, risk level, …) by entity kind, with `account_id`:
    "the only High-risk one on that list" picks from them."""
    segments: tuple[tuple[int, str], ...] = ()
    """The segments of the last tool result's rows, (id, name), in the order shown: "the
    volatile one" picks from them."""
    segment_sizes: Mapping[int, int] = field(default_factory=dict)
    """Customers per segment of the last tool result's rows: "the bigger one" picks by them."""
    file_path: str | None = None
    """The last uploaded file that was scored: follow-ups about "those" accounts mean it."""
    sql_questions: tuple[str, ...] = ()
    """The questions of the latest run of consecutive `query_duckdb` turns, oldest first."""
    result_total: int | None = None
    """How many rows the last list's result holds in all (`result_ids` may be its first
    ones only): a pick by a value ("the riskiest of them") needs the whole list."""
    result_summary: Mapping[str, Any] = field(default_factory=dict)
    """The summary of the last list's result (a scored file's counts per risk level)."""
    list_tool: str | None = None
    list_args: Mapping[str, Any] = field(default_factory=dict)
    """The last call that brought a list (not one about one account): "which of those are in
    LATAM?" after drilling into one row means that list, not the row."""
    data_to: str | None = None
    """The data's last month ('YYYY-MM'), as the system prompt states it to any model: a
    relative period ("this year", "last quarter", "since June") is anchored on it for the
    tools that take months (rt9 D22); None when unknown, and then the period is said to be
    unapplied, never guessed from the calendar."""
    data_from: str | None = None
    """The data's first month ('YYYY-MM'), from the same sentence of the system prompt: a
    period wholly before it, or after `data_to`, is answered as outside the data
    (agent/offline/coverage.py, rt12 R-M6)."""
    today: str | None = None
    """Today's date ('YYYY-MM-DD') as the system prompt states it: "last month" is anchored on
    the data, and when the calendar's last month has no data yet the answer says so (rt12
    T-L8, agent/offline/coverage.py `calendar_note`)."""


@dataclass(frozen=True)
class Call:
    """One planned tool call."""

    name: str
    args: dict[str, Any]


@dataclass(frozen=True)
class Limit:
    """A limit the message names that the planned calls do not apply (agent/offline/limits.py):
    its kind ("filter", "period", "comparison", "share", "horizon", "negated", "declined": a
    request inside pasted text that was not carried out) and how it reads
    ("APAC", "2025", "next quarter")."""

    kind: str
    text: str


@dataclass(frozen=True)
class Option:
    """A reading the planner can answer, offered as a clickable action: the button's label
    and the message that clicking it sends."""

    label: str
    message: str


@dataclass(frozen=True)
class Plan:
    """Tool calls to make, or (when `calls` is empty) the direct reply named by `intent`."""

    intent: str
    calls: tuple[Call, ...] = ()
    tool: str | None = None  # for intent "unavailable": the tool that is not bound
    confidence: float = 1.0
    """How sure the planner is that `calls` answer the message (0-1); below
    `CLARIFY_BELOW` it asks instead (intent "clarify")."""
    options: tuple[Option, ...] = ()
    """For intents "clarify" and "missing_data": the nearest readings it can answer, best
    first."""
    question: str = ""
    """For intent "clarify": what it asks ("Which account do you mean?")."""
    size: int | None = None
    """For intent "recommend": how many bullets were asked for ("three board bullets")."""
    topic: str = ""
    """For intent "advice": the professional domain asked about ("tax"); for intent
    "missing_data": the data the warehouse does not hold ("sales reps or account owners")."""
    adviser: str = ""
    """For intent "advice": who could answer instead ("a tax adviser or your accountant")."""
    reason: str = ""
    """For intent "missing_data": why the data cannot answer (what the warehouse holds)."""
    unapplied: tuple[Limit, ...] = ()
    """Limits the message names that `calls` do not apply: the answer states them."""


CLARIFY_BELOW = 0.25
"""Plans less sure than this ask a question instead. A tool whose cues reach the lexicon's
threshold is sure; a best guess under it has confidence score / (2 x threshold), halved on a
tie, so a guess needs half the threshold and a clear lead (agent/offline/planner.py)."""


def accepts(tool: str, kind: str) -> bool:
    """Whether `tool` takes the entity `kind` (an account is a customer to the trend tools)."""
    fields = TOOL_ARGS[tool].model_fields
    return kind in fields or (kind == "account_id" and "customer_id" in fields)


def args_for(tool: str, entities: Mapping[str, Any]) -> dict[str, Any]:
    """The entities `tool` accepts, under its argument names (account → customer_id, …)."""
    fields = TOOL_ARGS[tool].model_fields
    args = {key: value for key, value in entities.items() if key in fields}
    if "customer_id" in fields and entities.get("account_id"):
        args["customer_id"] = entities["account_id"]
    if tool == "query_duckdb" and "sql" not in args and entities.get("recipe"):
        args["sql"] = entities["recipe"]
    return args


def pick_row(
    rows: Sequence[Mapping[str, Any]], named: Mapping[str, Any], ordinal: int | None
) -> str | None:
    """The account of the row a message points at in a previous result: the rows matching
    the filters it names that the rows carry ("the only High-risk one"), then the one at
    `ordinal` among them ("the second Enterprise one", "the last one"). None when it names no
    such filter and no position, or nothing matches."""
    kinds = [kind for kind in FILTER_KINDS if kind in named and any(kind in r for r in rows)]
    if not kinds and ordinal is None:
        return None
    matching = [r for r in rows if all(_same(r.get(kind), named[kind]) for kind in kinds)]
    index = 0 if ordinal is None else ordinal
    if not -len(matching) <= index < len(matching):
        return None
    account = matching[index].get("account_id")
    return account if isinstance(account, str) else None


def _same(value: Any, wanted: Any) -> bool:
    """Equal as entity values: "Expired_Payment_Method" is "expired payment method"."""
    return str(value).lower().replace("_", " ") == str(wanted).lower().replace("_", " ")


def call_entities(call: Call) -> dict[str, Any]:
    """A call's arguments as entities (customer_id → account_id)."""
    entities = dict(call.args)
    if "customer_id" in entities:
        entities["account_id"] = entities.pop("customer_id")
    return entities
