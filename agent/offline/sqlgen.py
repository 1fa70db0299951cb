"""Data questions the analysis tools do not cover, as one read-only query (offline planner).

"How many invoices did we issue for March 2026?", "Which region has the most accounts?",
"Average licensed seats on Enterprise contracts?" name a *subject* table, a *measure* (count,
average, total, or a list of rows), *filters* (warehouse values such as a region, the legacy
billing system, a decline code, a month) and maybe a *dimension* to group by. `parse` reads
those into a `Spec` from the `[sql]` vocabulary of lexicon.toml; `to_sql` writes the query.

A spec becomes SQL only when it is about the raw data: it names a warehouse value or
dimension, or a table other than accounts, and none of the analytics words (risk, leakage,
trend, …) that belong to a domain tool — except as part of a column's name ("net revenue").
Revenue pinned to a month or year ("total revenue in Oct 2026") is such a question: no
analysis tool takes a period. A period relative to the data ("last quarter", "in September")
is anchored on its last month (metrics.relative_period) and shown as period_start/period_end;
before, it was silently dropped ("how many invoices last quarter" counted all time). Named
account ids filter any table. Follow-ups ("and how many of those are Enterprise?") fold onto
the previous question's spec (`fold`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from agent.offline import metrics
from agent.offline.lexicon import Lexicon, find_all, has_phrase, phrase_at, tokenize
from agent.offline.sqlwords import SqlVocabulary, every, first, period, spans, vocabulary
from domain import normalise_account_id

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?(?![\w])")
_ID = re.compile(r"\bacc[\s#_-]*\d+", re.IGNORECASE)
_LIMIT = re.compile(r"\b(?:top|first|list|show(?: me)?|give me|last)\s+(\d{1,3})\b")
_ANY_TABLE = "any"
"""Owner of a filter every table can take (each has an account_id)."""
_LIST_LIMIT = 200
"""Rows a listing asks for (the tool caps what reaches the model anyway)."""


@dataclass(frozen=True)
class Spec:
    """What a data question asks; empty fields are filled by an earlier question (`fold`)."""

    table: str | None = None
    measure: str | None = None  # count | avg:<table.column> | sum:<table.column>
    lists: bool = False  # "which …", "show …": rows, unless a measure is named
    filters: Mapping[str, str] = field(default_factory=dict)  # "table.key" -> condition
    group: str | None = None  # dimension name
    period: tuple[str, str] | None = None
    """[start, end) on the table's date column, as SQL date expressions: a named month or year
    ("DATE '2026-03-01'"), or a period relative to the data's last month ("last quarter",
    "in September", metrics.relative_period). An end of "" is open ("since July 2026")."""
    specific: bool = False  # names a value or dimension only the raw data has
    blocked: bool = False  # uses an analytics word: a domain tool's question
    unread: bool = False  # has a number or date this reading cannot place: write nothing
    limit: int | None = None  # rows asked for ("list 20 …", "top 5 …")
    distinct: bool = False  # counts the accounts among `table`'s rows, not the rows
    whole: frozenset[str] = frozenset()  # "across all regions": dimensions totalled over
    latest: bool = False  # "in the latest billing period": the table's latest date only


def _whole(tokens: list[str], vocab: SqlVocabulary) -> frozenset[str]:
    """Dimensions the question totals over: "across all regions", "for all the tiers",
    "every region combined"."""
    return frozenset(
        dimension
        for phrase, dimension in vocab.dimensions
        for index in find_all(tokens, phrase)
        if has_phrase(tokens[max(index - 2, 0) : index], vocab.whole_before)
        or has_phrase(tokens[index + len(phrase) : index + len(phrase) + 3], vocab.whole_after)
    )


def _group(tokens: list[str], vocab: SqlVocabulary) -> str | None:
    """The dimension asked for: "by region", "which region has the most …", "split of …";
    not one the question totals over ("across all regions")."""
    ranks = has_phrase(tokens, vocab.superlatives) and has_phrase(tokens[:2], vocab.asks)
    whole = _whole(tokens, vocab)
    for phrase, dimension in vocab.dimensions:
        if dimension in whole:
            continue
        for index in find_all(tokens, phrase):
            if ranks or has_phrase(tokens[max(index - 2, 0) : index], vocab.group_words):
                return dimension
    return None


def _counted(tokens: list[str], vocab: SqlVocabulary) -> str | None:
    """The table a count is of, named right after "how many" / "number of" (an adjective or
    two may come between): "how many legacy accounts are still billed on it?" counts
    accounts, whatever column words follow; "how many seats do accounts have" names none."""
    columns = [phrase for phrase, _ in vocab.columns]
    for phrase, measure in vocab.measures:
        if measure != "count":
            continue
        for index in find_all(tokens, phrase):
            after = tokens[index + len(phrase) : index + len(phrase) + 3]
            for start in range(len(after)):
                if phrase_at(after, columns, start) is not None:
                    break
                table = next((t for p, t in vocab.tables if phrase_at(after, (p,), start)), None)
                if table is not None:
                    return table
            if index + len(phrase) >= len(tokens) - 1:  # "APAC accounts on legacy - count?"
                return _first_named_table(tokens[:index], vocab)
    return None


def _first_named_table(tokens: list[str], vocab: SqlVocabulary) -> str | None:
    """The table named first in `tokens`: what a count asked for at the end counts."""
    found = [(i, t) for p, t in vocab.tables for i in find_all(tokens, p)]
    return min(found)[1] if found else None


def _named_column(
    tokens: list[str], vocab: SqlVocabulary, dated: bool
) -> tuple[str | None, set[int]]:
    """(the column the question names, the indices of the words naming it). With a period,
    "revenue" is the revenue column when the question totals it or is about no other table:
    "total revenue of EMEA accounts in Oct 2026", "what was our MRR in March 2026?";
    "which customers' revenue fell in 2026?" stays a trend question."""
    column = first(tokens, vocab.columns)
    if column is not None:
        return column, spans(tokens, vocab.columns, column)
    period_column = first(tokens, vocab.period_columns) if dated else None
    if period_column is None:
        return None, set()
    totals = first(tokens, vocab.measures) in ("sum", "avg")
    if not totals and first(tokens, vocab.tables) not in (None, period_column.split(".")[0]):
        return None, set()
    return period_column, spans(tokens, vocab.period_columns, period_column)


def _blocked(tokens: list[str], vocab: SqlVocabulary, column_words: set[int]) -> bool:
    """Whether an analytics word is used, other than as part of a column's name ("net
    revenue" is a warehouse column; "revenue at risk" a domain tool's question)."""
    return any(
        not set(range(index, index + len(phrase))) <= column_words
        for phrase in vocab.analytics
        for index in find_all(tokens, phrase)
    )


def _measure_of(tokens: list[str], vocab: SqlVocabulary, column: str | None) -> str | None:
    """count | avg:<column> | sum:<column> | None; a money column alone is totalled."""
    measure = first(tokens, vocab.measures)
    if measure is None and column is not None:
        measure = vocab.column_measures.get(column)
    if measure in ("avg", "sum") and column:
        return f"{measure}:{column}"
    if measure in ("avg", "sum"):
        return "count" if measure == "sum" else None
    return measure


def _account_filter(text: str) -> dict[str, str]:
    """The accounts a question names ("net revenue of ACC000042 in 2026"), on any table."""
    ids = sorted({normalise_account_id(match) for match in _ID.findall(text)})
    if not ids:
        return {}
    quoted = ", ".join(f"'{account}'" for account in ids)
    condition = f"account_id = {quoted}" if len(ids) == 1 else f"account_id IN ({quoted})"
    return {_ANY_TABLE + ".account_id": condition}


def parse(text: str, lexicon: Lexicon) -> Spec:
    """The data question in `text` (possibly partial: a follow-up names only what changes)."""
    vocab = vocabulary(lexicon)
    tokens = tokenize(text)
    tier = first(tokens, lexicon.entities["tier"])
    named, rest = period(text.lower())
    when = (f"DATE '{named[0]}'", f"DATE '{named[1]}'" if named[1] else "") if named else None
    if when is None:  # "how many payment attempts failed last month?": anchored on the data
        when, rest = metrics.relative_period(rest)
    column, column_words = _named_column(tokens, vocab, when is not None)
    measure = _measure_of(tokens, vocab, column)
    table = column.split(".")[0] if column else first(tokens, vocab.tables)
    counted = _counted(tokens, vocab) if measure == "count" else None
    distinct = False
    if counted is not None:  # "how many accounts are billed …" counts accounts, not invoices
        others = [t for t in (table, *every(tokens, vocab.tables)) if t and t != counted]
        dates = vocab.date_words.get(counted, ())
        dated = when is not None and bool(dates) and not has_phrase(tokens, dates)
        # "how many accounts did we bill in March 2026?": the accounts among March's invoices
        distinct = counted == "accounts" and dated and bool(others)
        table = others[0] if distinct else counted
    # "how many accounts have more than 50 seats": a column of another table is raw data
    by_column = column is not None and column.split(".")[0] != table
    filters = _account_filter(text)
    strong = False
    for hit in every(tokens, vocab.filters):
        index, value = hit.split("|", 1)
        setting = vocab.groups[int(index)]
        filters[setting["key"]] = setting["condition"].replace("$value", value)
        strong = strong or not setting.get("covered", False)
        for word in (tokens[i] for i in sorted(spans(tokens, vocab.filters, hit))):
            if word.isdigit():  # "on 36-month terms": the number is the filter's, read
                rest = re.sub(rf"(?<!\d){word}(?!\d)", " ", rest, count=1)
    if tier:
        filters["accounts.tier"] = f"tier = '{tier}'"
    owners = {key.split(".")[0] for key in filters} - {_ANY_TABLE, "accounts"}
    if table is None and measure is not None and len(owners) == 1:
        table = owners.pop()  # "how many failed retries?": the payments the filters are on
    group = _group(tokens, vocab)
    if group is None and table and has_phrase(tokens, vocab.split_words):
        group = vocab.default_dimension.get(table)
    limit = _LIMIT.search(rest)
    if limit is not None:
        rest = rest[: limit.start()] + rest[limit.end() :]
    # "what's the company name on ACC001446?": an attribute of a named account is a lookup
    latest = has_phrase(tokens, vocab.latest) and when is None
    looks_up = _ANY_TABLE + ".account_id" in filters and has_phrase(tokens, vocab.attributes)
    if looks_up and table in (None, "accounts") and measure is None and group is None:
        table = "accounts"
    else:
        looks_up = False
    if _bare_population(tokens, lexicon, table, measure, filters, group or when):
        measure = "count"  # "accounts in LatAm?", "Enterprise customers in EMEA?": how many
    needs = vocab.date_words.get(table or "", ())  # "signed up in 2025": a signup date
    misplaced = when is not None and bool(needs) and not has_phrase(tokens, needs)
    return Spec(
        table=table,
        measure=measure,
        lists=looks_up or has_phrase(tokens[:3], vocab.asks),
        filters=filters,
        group=group,
        period=when,
        specific=strong
        or by_column
        or looks_up
        or bool(group or when or latest)
        or has_phrase(tokens, vocab.explicit),
        blocked=_blocked(tokens, vocab, column_words),
        unread=misplaced or bool(_NUMBER.search(_ID.sub("", rest))),
        limit=int(limit.group(1)) if limit else None,
        distinct=distinct,
        whole=_whole(tokens, vocab),
        latest=latest,
    )


_BARE_MAX = 4
"""Words at most in a bare population question ("Enterprise customers in EMEA?")."""


def _bare_population(
    tokens: list[str],
    lexicon: Lexicon,
    table: str | None,
    measure: str | None,
    filters: dict[str, str],
    more: object,
) -> bool:
    """Whether the message only names accounts and a filter, as a question of its own:
    "accounts in LatAm?" asks how many (a follow-up opener, "and EMEA accounts?", narrows the
    last answer instead; "list all EMEA accounts" asks for them)."""
    if table != "accounts" or measure is not None or not filters or more:
        return False
    if has_phrase(tokens[:1], vocabulary(lexicon).asks):  # "list all EMEA accounts": them
        return False  # (rt12 T-H5 answered it with the count)
    return len(tokens) <= _BARE_MAX and not has_phrase(tokens[:2], lexicon.starters)


def asks_for_data(text: str, lexicon: Lexicon) -> bool:
    """A data question this reading cannot write ("contracts on a 36 month term"): better
    to ask for SQL than to answer a different question."""
    spec = parse(text, lexicon)
    return spec.unread and not spec.blocked and _about_raw_data(spec, _measure(spec))


def fold(earlier: Spec, later: Spec) -> Spec:
    """`later` read as a follow-up of `earlier`: what it names replaces, the rest carries over.

    A later question naming its own table starts afresh. One that totals over a dimension
    ("and across all regions, how many …") drops the filters on it and any grouping.
    """
    if later.table is not None and later.table != earlier.table:
        return later
    filters = {**earlier.filters, **later.filters}
    if later.whole:  # "and across all regions, …": one total, no region filter or grouping
        filters = {k: v for k, v in filters.items() if k.split(".")[1] not in later.whole}
    return replace(
        earlier,
        measure=later.measure or earlier.measure,
        lists=later.lists or earlier.lists,
        filters=filters,
        group=later.group if later.whole else later.group or earlier.group,
        period=later.period or earlier.period,
        latest=later.latest or earlier.latest,
        specific=earlier.specific or later.specific,
        blocked=later.blocked,
        unread=later.unread,
        limit=later.limit or earlier.limit,
        distinct=earlier.distinct or later.distinct,
    )


def _column(vocab: SqlVocabulary, dimension: str, table: str) -> tuple[str, str]:
    """(table that holds it, SQL expression) of a dimension seen from `table`."""
    columns = vocab.dimension_columns[dimension]
    expression = columns.get(table) or columns.get("any")
    if expression is not None:
        return table, expression.replace("$date", vocab.dates[table])
    owner, expression = next(iter(columns.items()))
    return owner, expression


def _where(spec: Spec, table: str, vocab: SqlVocabulary) -> list[str]:
    by_table: dict[str, list[str]] = {}
    for key, condition in spec.filters.items():
        owner, name = key.split(".")
        owner = table if owner == _ANY_TABLE else owner
        if name == spec.group:  # "cards vs ACH vs wire" names the groups, it filters nothing
            continue
        if key == "accounts.tier" and "tier" in vocab.dimension_columns:
            owner, column = _column(vocab, "tier", table)
            condition = condition.replace("tier", column, 1)
        by_table.setdefault(owner, []).append(condition)
    clauses = list(by_table.pop(table, []))
    date = vocab.dates.get(table, "")
    if spec.period:
        start, end = spec.period  # an end of "" is open: "since July 2026"
        clauses.append(f"{date} >= {start}" + (f" AND {date} < {end}" if end else ""))
    elif spec.latest and date:
        latest_of = vocab.sources.get(table, table)
        clauses.append(f"{date} = (SELECT max({date}) FROM {latest_of})")
    for owner, conditions in by_table.items():
        inner = " AND ".join(conditions)
        link = vocab.links.get(f"{table}.{owner}")
        if link is not None:  # an invoice with a credit line: by the invoice, not the account
            clauses.append(f"{link} IN (SELECT {link} FROM {owner} WHERE {inner})")
            continue
        source = vocab.sources.get(owner, owner)
        clauses.append(f"account_id IN (SELECT account_id FROM {source} WHERE {inner})")
    return clauses


def _measure(spec: Spec) -> str | None:
    """What to compute: the named measure; a count per group; else rows when listing."""
    if spec.group is not None and spec.measure is None:
        return "count"
    return spec.measure or ("list" if spec.lists else None)


def _about_raw_data(spec: Spec, measure: str | None) -> bool:
    """Names a raw-data value, dimension or period, counts a table other than accounts, or
    counts the accounts of a filter: "how many Enterprise logos have we got?" is a headcount
    the warehouse answers exactly (the scoring tools count only scored accounts); with no
    analytics word (checked by `blocked`) no tool asks it. All accounts, unfiltered, are the
    portfolio overview's first figure."""
    if spec.table is None or measure is None:
        return False
    counts = measure == "count" and bool(spec.filters)
    return spec.specific or counts or (spec.table != "accounts" and measure != "list")


def to_sql(spec: Spec, lexicon: Lexicon) -> str | None:
    """The query for a complete, raw-data spec; None when it is not one."""
    table, measure = spec.table, _measure(spec)
    if spec.blocked or spec.unread or table is None or measure is None:
        return None
    if not _about_raw_data(spec, measure):
        return None
    vocab = vocabulary(lexicon)
    where = _where(spec, table, vocab)
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    source = vocab.sources.get(table, table)
    if measure == "list" and spec.group is None:
        order = vocab.dates[table]
        columns = vocab.list_columns[table]
        rows = spec.limit or _LIST_LIMIT
        return f"SELECT {columns} FROM {source}{condition} ORDER BY {order} LIMIT {rows}"
    value = f"count(*) AS n_{table}"
    if spec.distinct:
        value = "count(DISTINCT account_id) AS n_accounts"
    if measure.startswith(("avg:", "sum:")):
        function, column = measure.split(":")
        name = column.split(".")[1]
        value = f"round({function}({name}), 2) AS {function}_{name}"
    if spec.group is None:
        said = _period_shown(spec, table) + _unknown_accounts(spec)
        return f"SELECT {value}{said} FROM {source}{condition}"
    return _grouped(spec, vocab, value, f"{source}{condition}")


def _unknown_accounts(spec: Spec) -> str:
    """The column that names the accounts a question names that the warehouse does not hold
    (no account row, no imported revenue), so "revenue of ACC999999 in 2026" is said to name
    no account rather than answered "n/a" (rt12 R-M6); "" when it names none."""
    condition = spec.filters.get(_ANY_TABLE + ".account_id")
    if condition is None:
        return ""
    ids = ", ".join(f"({quoted})" for quoted in re.findall(r"'[^']*'", condition))
    known = "SELECT account_id FROM accounts UNION ALL SELECT customer_id FROM revenue_imports"
    return (
        f", (SELECT string_agg(id, ', ' ORDER BY id) FROM (VALUES {ids}) AS named(id) "
        f"WHERE id NOT IN ({known})) AS unknown_accounts"
    )


_BILLING_DATED = ("invoices", "invoice_lines", "payments", "usage_monthly", "monthly_revenue")
"""Tables whose dates are the billing months: a count or total of them with no period is
over every month of the data."""


def _period_shown(spec: Spec, table: str) -> str:
    """The months a count or total covers, as columns, so its answer says which ones it
    counted (rt12 R-L1: "1,839" invoices stood under a bare header): the period asked
    ("in March 2026", "last quarter"), with the data's span (a period outside it is said
    to be, narratives `_outside_data`); with none, over a table of billing months, the
    data's span; "" for what the warehouse holds now (accounts, contracts)."""
    span = (
        f", strftime({metrics.EARLIEST}, '%Y-%m') AS data_from, "
        f"strftime({metrics.LATEST}, '%Y-%m') AS data_to"
    )
    if spec.period is None:
        return span if table in _BILLING_DATED and not spec.latest else ""
    start, end = spec.period
    last = f"CAST({end} - INTERVAL 1 MONTH AS DATE)" if end else metrics.LATEST
    shown = f", strftime({start}, '%Y-%m') AS period_start, strftime({last}, '%Y-%m') AS period_end"
    return shown + span


def _grouped(spec: Spec, vocab: SqlVocabulary, value: str, rows: str) -> str | None:
    """`value` per group of `spec.group` over `rows` ("<source> WHERE …"). An account
    attribute of another table's rows is joined in only for a question pinned to a period
    ("net revenue by region in Oct 2026"); without one a recipe knows the right month."""
    table, group = str(spec.table), str(spec.group)
    owner, expression = _column(vocab, group, table)
    if owner != table:
        if owner != "accounts" or spec.period is None:
            return None
        source, _, condition = rows.partition(" WHERE ")
        joined = f"{source} JOIN accounts USING (account_id)"
        rows = f"{joined} WHERE {condition}" if condition else joined
        expression = f"accounts.{expression}"
    alias = value.rsplit(" AS ", 1)[1]
    order = "1" if group in ("month", "year") else f"{alias} DESC"
    return f"SELECT {expression} AS {group}, {value} FROM {rows} GROUP BY 1 ORDER BY {order}"


_SPAN_CTE = "data_months"
"""The CTE `compact` names the data's first and last month by."""


def compact(sql: str, limit: int) -> str:
    """`sql` within `limit` characters where it can be: a metric query repeats the data's
    last (and first) month as a subquery at every bound, and a customer ranking between two
    months named without a year ("which customers lost the most revenue in October compared
    with September?") reached 13,600 characters, over the query tool's cap, and was refused.
    Each repeat becomes a read of one CTE that computes both months once. `sql` unchanged
    when it fits, or when the CTE's name is taken.

    Examples:
        >>> long = f"SELECT {metrics.LATEST} AS a, {metrics.LATEST} AS b"
        >>> short = compact(long, 100)
        >>> short.startswith("WITH data_months AS") and short.count("max(period)") == 1
        True
    """
    if len(sql) <= limit or _SPAN_CTE in sql:
        return sql
    body = sql.replace(metrics.LATEST, f"(SELECT last_month FROM {_SPAN_CTE})").replace(
        metrics.EARLIEST, f"(SELECT first_month FROM {_SPAN_CTE})"
    )
    months = (
        f"{_SPAN_CTE} AS (SELECT max(last) AS last_month, min(first) AS first_month FROM "
        "(SELECT max(period) AS last, min(period) AS first FROM invoices UNION ALL "
        "SELECT max(month), min(month) FROM revenue_imports))"
    )
    if re.match(r"\s*WITH\s", body, re.IGNORECASE):
        return re.sub(r"^\s*WITH\s", f"WITH {months}, ", body, count=1, flags=re.IGNORECASE)
    return f"WITH {months} {body}"


def write_parts(text: str, lexicon: Lexicon) -> tuple[str, ...]:
    """One query per metric question of a message that asks several at once ("revenue by
    tier and churn by region": both answered, none dropped); () when it asks one."""
    return tuple(
        sql for part in metrics.parts(text, lexicon) if (sql := metrics.write([part], lexicon))
    )


_NUMBER_SIGN = re.compile(r"(?<![\w#&])#\s*(?:of\s+)?(?=[a-z])", re.I)


def number_signs(text: str) -> str:
    """`text` with a number sign before words read as "number of" (holdout15: "# of
    Enterprise logos in EMEA?" was scored as a risk question); one before digits is an id.

    Examples:
        >>> number_signs("# of Enterprise logos in EMEA? and acct #528")
        'number of Enterprise logos in EMEA? and acct #528'
    """
    return _NUMBER_SIGN.sub("number of ", text)


_TWO_PERIODS = re.compile(
    r"\b(?:for\s+|over\s+|in\s+)?(?:the\s+)?(?:last|past|previous|latest|trailing)\s+(?:2|two)\s+"
    r"(?:full\s+|complete\s+|whole\s+|closed\s+)?(quarter|month)s?\b",
    re.I,
)
_PERIOD_ON_PERIOD = re.compile(
    r"[,;]?\s*\b(?:q\s*/\s*q|qoq|q-o-q|m\s*/\s*m|mom|m-o-m|(?:quarter|month)[\s-]+(?:over|on)"
    r"[\s-]+(?:quarter|month))\b(?:\s+(?:change|growth|delta|comparison))?",
    re.I,
)


_CHANGE = re.compile(
    r"\b(?:change[ds]?|growth|grew|compar\w*|delta|difference|vs\.?|versus)\b", re.I
)


def two_periods(text: str) -> str:
    """`text` with "the last 2 (full) quarters" (or months), asked with their change, read as
    the last one against the one before (holdout15: "revenue for the last 2 full quarters,
    q/q change" listed the decliners): both figures and the change; the "q/q" is dropped.

    Examples:
        >>> two_periods("revenue for the last 2 full quarters, q/q change")
        'revenue last quarter vs the quarter before'
        >>> two_periods("revenue by tier over the past two months, change?")
        'revenue by tier last month vs the month before, change?'
        >>> two_periods("accounts churned in the last 2 months")
        'accounts churned in the last 2 months'
    """
    if _TWO_PERIODS.search(text) is None:
        return text
    if not (_PERIOD_ON_PERIOD.search(text) or _CHANGE.search(text)):
        return text  # "churned in the last 2 months": one span, no comparison asked
    text = _PERIOD_ON_PERIOD.sub("", text)
    return _TWO_PERIODS.sub(
        lambda m: f"last {m.group(1).lower()} vs the {m.group(1).lower()} before", text
    )


def write(questions: Sequence[str], lexicon: Lexicon) -> str | None:
    """The query for the last of `questions`, each read as a follow-up of the ones before.

    Examples:
        >>> write(["How many accounts are in LATAM?"], lexicon)
        "SELECT count(*) AS n_accounts FROM accounts WHERE region = 'LATAM'"
        >>> write(["How many accounts are in LATAM?", "and Enterprise?"], lexicon)
        "SELECT count(*) AS n_accounts FROM accounts WHERE region = 'LATAM' AND tier = 'Enterprise'"
    """
    questions = [two_periods(number_signs(question)) for question in questions]
    if (by_metric := metrics.write(questions, lexicon)) is not None:
        return by_metric  # "revenue by tier last quarter": a metric by period and dimension
    spec = Spec()
    for question in questions:
        spec = fold(spec, parse(question, lexicon))
    return to_sql(spec, lexicon)
