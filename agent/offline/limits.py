"""Limits a message names that its planned calls do not carry, so the answer can say so.

Contract: `unapplied(text, calls, entities, lexicon)` lists every limit the message names
that none of `calls` applies: a filter (a region, billing system, currency or other
warehouse value of the `[sql.filters]` vocabulary; a tier, risk level, leakage type, decline
level or segment), a breakdown ("which region …", "by billing system"), a period ("in 2025",
"last quarter", "Q3", "in March"), a forecast horizon beyond next month ("at risk next
quarter": the leakage model predicts one month ahead), a comparison of periods ("this month
vs last month", "compared with a year ago", also when a query does not compare them) or a
share of the total ("what share of …").
The planner applies what a tool argument can carry (a tier; a region on score_leakage,
portfolio_summary, detect_leakage and find_declining_customers; a month, a year as
since/until, a period relative to the data when its last month is known); what is left is
stated in the answer (agent/offline/model.py, wording in lexicon.toml `[limits]`), never
dropped silently: an answer for all accounts presented as the answer for APAC is a wrong
number.

Method: a limit counts as applied when a call's arguments carry it (under the tool's
argument name), when the call is a query written from the message itself (its SQL holds the
value), or when the call is about one account (a region or tier is that account's
attribute, not a filter). Periods: a call carrying month/since/until applies the period;
the latest month ("this month") is every tool's default and counts only in a comparison.
Hand-written because it reads the planner's own vocabulary (lexicon.toml, metrics.py); no
library knows which arguments of these ten tools carry which limit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from agent.offline import metrics, sqlgen
from agent.offline.entities import Entities
from agent.offline.lexicon import Lexicon, tokenize
from agent.offline.plans import FILTER_KINDS, Call, Limit, accepts
from agent.offline.sqlwords import every, vocabulary

__all__ = ["Limit", "entity_label", "notes", "unapplied"]

_PERIOD_ARGS = ("month", "since", "until")
_ONE_ACCOUNT = ("account_id", "customer_id", "file_path")
"""Arguments that make a call about one account (or one uploaded file): a population filter
does not apply to it."""


def entity_label(kind: str, value: Any, lexicon: Lexicon) -> str:
    """A filter value in words ("the Starter tier", "High risk"; lexicon `[limits.labels]`)."""
    labels: Mapping[str, str] = lexicon.raw["limits"]["labels"]
    shown = str(value).replace("_", " ")
    return labels.get(kind, "{value}").format(value=shown)


def _warehouse_values(text: str, lexicon: Lexicon, covered: bool = False) -> list[tuple[str, str]]:
    """(value, condition) of each warehouse value the message names as a filter that no
    analysis tool covers ("on the legacy system", "in euros"), or with `covered` of those a
    leakage tool covers too ("failed", "retries", "expired card"); a filter read as an
    entity ("in APAC": `entity = "region"`) is checked with the entities."""
    vocab = vocabulary(lexicon)
    found = []
    for hit in every(tokenize(text), vocab.filters):
        index, value = hit.split("|", 1)
        setting = vocab.groups[int(index)]
        if setting.get("covered", False) != covered or "entity" in setting:
            continue
        found.append((value, str(setting["condition"]).replace("$value", value)))
    return found


def _as_records(call: Call, text: str, lexicon: Lexicon) -> bool:
    """Whether a query read the words of a leakage type as the raw records they also name
    ("failed dunning retries": payments with status failed after the first attempt): its
    SQL applies them, so the leakage type is no limit it dropped."""
    covered = _warehouse_values(text, lexicon, covered=True)
    if call.name == "query_duckdb" and _in_sql(call, *_RECORD_MEASURES):
        return True
    return call.name == "query_duckdb" and any(_in_sql(call, cond) for _, cond in covered)


_RECORD_MEASURES = (
    " n_unpaid_invoices",  # "unpaid invoices": every invoice not paid, failed retries included
    " as discount_total,",
    " as n_invoices_with_failed_payment,",
    " as overage_revenue,",
    " as gross_revenue,",
    " as credit_total,",
)
"""Measures of agent/offline/metrics.py that total the records a leakage type's words also
name (the discount lines given, the invoices with a failed payment, the overage and credit
lines billed; rt13 U-H3, U-H4, rt14 V-H2)."""


def _in_sql(call: Call, *needles: str) -> bool:
    sql = str(call.args.get("sql", "")).lower()
    return any(needle.lower() in sql for needle in needles)


def _about_one(calls: Sequence[Call]) -> bool:
    return all(any(call.args.get(key) for key in _ONE_ACCOUNT) for call in calls)


def _filters(calls: Sequence[Call], entities: Entities, text: str, lexicon: Lexicon) -> list[Limit]:
    named = entities.named()
    missing = []
    for kind in FILTER_KINDS:
        if kind not in named:
            continue
        value = named[kind]
        carried = any(
            (accepts(call.name, kind) and call.args.get(kind) is not None)
            or (call.name == "query_duckdb" and _in_sql(call, f"'{value}'", f" {value}"))
            or (kind == "leakage_type" and _as_records(call, text, lexicon))
            for call in calls
        )
        if not carried:
            missing.append(Limit("filter", entity_label(kind, value, lexicon)))
    for value, condition in _warehouse_values(text, lexicon):
        if not any(_in_sql(call, condition) for call in calls):
            missing.append(Limit("filter", value))
    return missing


_COMPARES = (" compared_start", "_change", " as month,", " as quarter,", " as half,")
"""What a query that compares periods returns: both periods' figures and the change
(metrics.py `_compared`, `movement_sql`), or a row per month, quarter or half year."""


def _periods(calls: Sequence[Call], text: str) -> list[Limit]:
    if any(call.name == "query_duckdb" for call in calls):  # written from the message, period
        # included; a comparison it does not make is said ("churned this year vs last year")
        compared = metrics.compared_phrases(text)
        if not compared or any(_in_sql(call, *_COMPARES) for call in calls):
            return []
        return [Limit("comparison", " and ".join(compared))]
    periods = metrics.named_periods(text)
    if not periods:
        return []
    if len(calls) == 1 and metrics.compares_periods(text):
        return [Limit("comparison", " and ".join(periods))]
    if any(call.args.get(key) for call in calls for key in _PERIOD_ARGS):
        return []
    return [Limit("period", " and ".join(periods))]


_BREAKDOWNS = ("region", "tier", "billing_system", "currency", "method_type", "decline_code")
"""Dimensions a breakdown may ask for that the answer must split by (a split by month or
year is a period, read as one)."""


def _share(calls: Sequence[Call], text: str) -> list[Limit]:
    """A share of the total the message asks for ("what share of leakage …") that no call
    computes: only a revenue query does (metrics.py `_share`), or leakage's over revenue
    (`_leakage_share`)."""
    shares = (" share_of_total", " leakage_share_of_revenue")
    if not metrics.read_share(text) or any(_in_sql(call, *shares) for call in calls):
        return []
    return [Limit("share", "")]


def _breakdown(calls: Sequence[Call], text: str, lexicon: Lexicon) -> list[Limit]:
    """A breakdown the message asks for ("which region …", "by billing system") that no
    call groups by: only a query written from the message does."""
    if any(call.name == "query_duckdb" for call in calls):
        return []
    group = sqlgen.parse(text, lexicon).group or metrics.parse(text, lexicon).group
    split_by: Mapping[str, Sequence[str]] = lexicon.raw["limits"]["breakdowns"]
    if group not in _BREAKDOWNS or any(group in split_by.get(c.name, ()) for c in calls):
        return []
    return [Limit("breakdown", group.replace("_", " "))]


_HORIZON = re.compile(
    r"\b(?:next|coming|following|upcoming)\s+(quarter|half(?: year)?|year|12 months|\d{1,2} months"
    r"|(?:two|three|four|five|six|few|several|couple of) months)\b|\bthis coming (quarter|year)\b"
)
_ONE_MONTH_AHEAD = ("score_leakage", "portfolio_summary", "explain_risk_factors", "score_file")
"""Tools whose prediction is for next month only (the leakage model's horizon)."""


def _horizon(calls: Sequence[Call], text: str) -> list[Limit]:
    """A forecast horizon longer than next month ("how much revenue is at risk next
    quarter?") asked of the leakage model, which predicts one month ahead (rt12 T-M16: the
    answer was next month's, unsaid)."""
    match = _HORIZON.search(text.lower())
    if match is None or not any(call.name in _ONE_MONTH_AHEAD for call in calls):
        return []
    return [Limit("horizon", match.group(0))]


def unapplied(
    text: str, calls: Sequence[Call], entities: Entities, lexicon: Lexicon
) -> tuple[Limit, ...]:
    """The limits `text` names that `calls` do not apply (see the module docstring).

    Examples:
        >>> from agent.offline.lexicon import load_lexicon
        >>> from agent.offline.entities import extract_entities
        >>> lexicon, text = load_lexicon(), "top 5 riskiest accounts in APAC"
        >>> entities = extract_entities(text, tokenize(text), lexicon)
        >>> unapplied(text, [Call("score_leakage", {"top_n": 5})], entities, lexicon)
        (Limit(kind='filter', text='APAC'),)
    """
    if not calls or entities.sql is not None:
        return ()
    if _about_one(calls):
        return tuple(_horizon(calls, text))
    found = [
        *_horizon(calls, text),
        *_filters(calls, entities, text, lexicon),
        *_breakdown(calls, text, lexicon),
        *_periods(calls, text),
        *_share(calls, text),
    ]
    return tuple(dict.fromkeys(found))


def notes(limits: Sequence[Limit], tools: Sequence[str], lexicon: Lexicon) -> str:
    """The answer's statement of the limits it could not apply (lexicon `[limits]`)."""
    if not limits:
        return ""
    words: Mapping[str, Any] = lexicon.raw["limits"]
    scopes: Mapping[str, str] = words["scope"]
    scope = scopes.get(tools[0] if tools else "", scopes["default"])
    lines = []
    filters = [limit.text for limit in limits if limit.kind == "filter"]
    if filters:
        lines.append(words["filter"].format(values=_joined(filters, words["and"])))
    for limit in limits:
        if limit.kind == "breakdown":
            lines.append(words["breakdown"].format(dimension=limit.text))
        if limit.kind in ("period", "comparison"):
            lines.append(words[limit.kind].format(periods=limit.text, scope=scope))
        if limit.kind == "share":
            lines.append(words["share"])
        if limit.kind == "horizon":
            lines.append(words["horizon"].format(periods=limit.text))
        if limit.kind == "negated":
            lines.append(words["negated"].format(value=limit.text))
        if limit.kind == "declined":  # a request inside pasted text (agent/offline/pasted.py)
            lines.append(lexicon.raw["pasted"]["declined"].format(acts=limit.text))
    return "\n".join(lines)


def _joined(values: Sequence[str], conjunction: str) -> str:
    if len(values) <= 1:
        return "".join(values)
    return f"{', '.join(values[:-1])} {conjunction} {values[-1]}"
