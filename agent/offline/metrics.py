"""Period and dimension questions about business metrics, as one guarded read-only query.

"Revenue by plan tier last quarter", "MRR by tier last 3 months", "How many accounts churned
in 2026?", "seat utilisation by tier", "NRR by region", "DSO this year", "detected leakage on
the legacy system since March": a *metric* (lexicon `[metrics]`), maybe a *dimension* (tier,
region, billing system, currency, month) and a *period*. The analysis tools read the latest
month or one account; these are warehouse questions, so they become SQL the guard runs.

Periods are anchored on the data, not the clock: "last quarter" is the last complete
calendar quarter before the warehouse's latest month, "last 3 months" the latest three months
with data, "this year" the latest month's year to date, "since March" the latest March up to
the latest month. Every query returns the period it covers (`period_start`, `period_end`,
'YYYY-MM') and the currency of its amounts (`currency`), so the answer states both from the
result itself (agent/offline/narratives.py), never from the planner's guess.

Definitions, stated in the narrative: a churned account has had no revenue for the last
three months of data (as the trend scan defines it), counted in the month after its last
revenue; revenue is net invoiced revenue (monthly_revenue); MRR over several months is the
average per month; NRR is the latest month's revenue of accounts billed 12 months earlier
over their revenue then; GRR the same with each account's revenue capped at what it was then;
ARR is 12 x the latest month's revenue; MRR movements split the change from the month before
the period to its last month into new, expansion, contraction and churned revenue; DSO is the
mean days from invoice issue to the first successful payment; seat utilisation is active over
licensed seats in the latest month.

Comparisons: two quarters or half years ("Q3 signups vs Q2") span both and get a row each;
two values of one column ("legacy vs core", "EMEA vs APAC") group by that column instead of
filtering on both at once. A month without a year ("in April", "april this year", "Oct-26")
is the latest such month in the data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from agent.offline.lexicon import Lexicon, Phrase, entity_table, find_phrase, has_phrase, tokenize
from agent.offline.sqlwords import period as named_period

LATEST = (
    "(SELECT max(month) FROM (SELECT max(period) AS month FROM invoices "
    "UNION ALL SELECT max(month) FROM revenue_imports))"
)
"""The warehouse's latest month (from the view's sources: the view itself is slow)."""
EARLIEST = (
    "(SELECT min(month) FROM (SELECT min(period) AS month FROM invoices "
    "UNION ALL SELECT min(month) FROM revenue_imports))"
)
"""The warehouse's first month: with `LATEST`, the range a period must lie in."""

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_N_MONTHS = re.compile(r"\b(?:last|past|previous|trailing|latest|prior)\s+(\d{1,2})\s+months?\b")
_SINCE = re.compile(
    r"\bsince\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?:\s+((?:19|20)\d\d))?"
)
_QUARTER = re.compile(r"\bq([1-4])(?:\s*((?:19|20)\d\d)|\s*fy\s*((?:19|20)\d\d))?\b")
_HALF = re.compile(r"\bh([12])(?:\s*((?:19|20)\d\d)|\s*fy\s*((?:19|20)\d\d))?\b")
_MONTH_NAME = (
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)(?:uary|ruary|tember|ember|ober|ust|ch"
    r"|il|e|y|t)?(?![a-z])\.?"
)
_MONTH_ALONE = re.compile(
    rf"\b(?:in|for|during|of|as of|as at|at|over|through|thru|until|by end of|end of)\s+"
    rf"{_MONTH_NAME}(?:\s*[-/' ]\s*(\d\d)\b(?!\d))?(?:\s+(this|last|previous) year)?"
    rf"|\b{_MONTH_NAME}(?:\s*[-/']\s*(\d\d)\b(?!\d)|\s+(this|last|previous) year)"
)
"""A month named without a four-digit year: "in April", "april this year", "as of october",
"Oct-26". Anchored like a quarter: the latest such month in the data ("last year": the one
before)."""
_WITH_YEAR = re.compile(rf"\b{_MONTH_NAME}\s+(?:of\s+)?(?:19|20)\d\d\b")
"""A month with its year ("April 2026"): read by agent/offline/sqlwords.py `period`."""
_RELATIVE = (
    (re.compile(r"\b(?:last|previous|prior|past)\s+quarter\b"), "last_quarter"),
    (
        re.compile(r"\b(?:this|current|latest)\s+quarter\b|\bqtd\b|\bquarter to date\b"),
        "this_quarter",
    ),
    (
        re.compile(r"\b(?:this|current)\s+year\b|\bytd\b|\byear to date\b|\bso far this year\b"),
        "this_year",
    ),
    (re.compile(r"\b(?:last|previous|prior)\s+year\b"), "last_year"),
    (
        re.compile(
            r"\b(?:last|past|trailing)\s+(?:twelve|12)\s+months\b|\bpast year\b|\bttm\b"
            r"|\bover the (?:last|past) year\b"
        ),
        "last_12",
    ),
    (re.compile(r"\b(?:last|latest|this|current|most recent)\s+month\b"), "latest_month"),
)
_OFF_TOPIC = 4.0
"""An off-topic cue this strong ("poem", "joke") makes a metric word the topic of something
else, not a question for the warehouse."""


@dataclass(frozen=True)
class Period:
    """[start, end) as SQL date expressions, and how the answer should name it."""

    start: str
    end: str


@dataclass(frozen=True)
class MetricSpec:
    """What a period/dimension question asks; None fields are filled by an earlier question."""

    metric: str | None = None
    group: str | None = None
    period: Period | None = None
    filters: tuple[str, ...] = ()
    monthly: bool = False  # "MRR": the average per month, not the period's total


@dataclass(frozen=True)
class MetricWords:
    """The `[metrics]` vocabulary of lexicon.toml."""

    metrics: tuple[tuple[Phrase, str], ...]
    dimensions: tuple[tuple[Phrase, str], ...]
    group_words: tuple[Phrase, ...]
    blockers: tuple[Phrase, ...]
    monthly: tuple[Phrase, ...]
    standalone: frozenset[str]
    filters: tuple[tuple[Phrase, str], ...]


@lru_cache(maxsize=4)
def words(lexicon: Lexicon) -> MetricWords:
    raw: Mapping[str, Any] = lexicon.raw["metrics"]
    filters = [
        (phrase, f"{column} = '{value}'")
        for column, values in raw["filters"].items()
        for phrase, value in entity_table(values)
    ]
    return MetricWords(
        metrics=entity_table(raw["names"]),
        dimensions=entity_table(raw["dimensions"]),
        group_words=tuple(tuple(w.split()) for w in raw["group_words"]),
        blockers=tuple(tuple(w.split()) for w in raw["blockers"]),
        monthly=tuple(tuple(w.split()) for w in raw["monthly"]),
        standalone=frozenset(raw["standalone"]),
        filters=tuple(sorted(filters, key=lambda pair: -len(pair[0]))),
    )


def _shift(expression: str, months: int) -> str:
    if months == 0:
        return expression
    sign = "+" if months > 0 else "-"
    return f"CAST({expression} {sign} INTERVAL {abs(months)} MONTH AS DATE)"


def _month_of(month: int, year: str | None, span: int = 1) -> str:
    """The 1st of `month`: of `year`, else of the latest year in which the `span` months
    from it are all in the data (a quarter without a year is the latest complete one)."""
    if year:
        return f"DATE '{int(year):04d}-{month:02d}-01'"
    last = month + span - 1
    return (
        f"make_date(year({LATEST}) - CASE WHEN {last} > month({LATEST}) THEN 1 ELSE 0 END, "
        f"{month}, 1)"
    )


def _month_alone(lowered: str) -> Period | None:
    """The month "in April" / "april this year" / "Oct-26" names (see `_MONTH_ALONE`)."""
    match = _MONTH_ALONE.search(lowered)
    if match is None:
        return None
    name = match.group(1) or match.group(4)
    short_year = match.group(2) or match.group(5)
    which = match.group(3) or match.group(6)
    month = _MONTHS[name[:3]]
    if short_year:
        start = f"DATE '20{short_year}-{month:02d}-01'"
    elif which in ("last", "previous"):
        start = f"make_date(year({LATEST}) - 1, {month}, 1)"
    elif which == "this":
        start = f"make_date(year({LATEST}), {month}, 1)"
    else:
        start = _month_of(month, None)
    return Period(start, _shift(start, 1))


def _quarters(lowered: str) -> list[Period]:
    """Every quarter (or half year) the text names, in order: "Q3 vs Q2", "H1 and H2"."""
    found = []
    for pattern, months in ((_QUARTER, 3), (_HALF, 6)):
        for match in pattern.finditer(lowered):
            first = (int(match.group(1)) - 1) * months + 1
            start = _month_of(first, match.group(2) or match.group(3), span=months)
            found.append((match.start(), Period(start, _shift(start, months))))
    return [period for _, period in sorted(found, key=lambda pair: pair[0])]


def read_periods(text: str) -> tuple[Period, ...]:
    """The periods a comparison names ("Q3 signups vs Q2", "H1 vs H2"): two or more distinct
    quarters or half years; () otherwise."""
    periods = list(dict.fromkeys(_quarters(text.lower())))
    return tuple(periods) if len(periods) >= 2 else ()


def read_period(text: str) -> Period | None:
    """The period a question names, anchored on the data's latest month (see the module
    docstring); None when it names none.

    Examples:
        >>> read_period("revenue in March 2026")
        Period(start="DATE '2026-03-01'", end="DATE '2026-04-01'")
        >>> read_period("by tier") is None
        True
    """
    lowered = text.lower()
    after = _shift(LATEST, 1)
    if match := _N_MONTHS.search(lowered):
        return Period(_shift(LATEST, 1 - int(match.group(1))), after)
    if match := _SINCE.search(lowered):
        return Period(_month_of(_MONTHS[match.group(1)[:3]], match.group(2)), after)
    if compared := read_periods(lowered):  # "Q3 vs Q2": from the earliest to the latest
        starts = ", ".join(p.start for p in compared)
        ends = ", ".join(p.end for p in compared)
        return Period(f"least({starts})", f"greatest({ends})")
    if quarters := _quarters(lowered):
        return quarters[0]
    if (named := _month_alone(lowered)) is not None and not _WITH_YEAR.search(lowered):
        return named
    for pattern, name in _RELATIVE:
        if pattern.search(lowered):
            quarter, year = f"date_trunc('quarter', {LATEST})", f"date_trunc('year', {LATEST})"
            return {
                "last_quarter": Period(_shift(quarter, -3), f"CAST({quarter} AS DATE)"),
                "this_quarter": Period(f"CAST({quarter} AS DATE)", after),
                "this_year": Period(f"CAST({year} AS DATE)", after),
                "last_year": Period(_shift(year, -12), f"CAST({year} AS DATE)"),
                "last_12": Period(_shift(LATEST, -11), after),
                "latest_month": Period(LATEST, after),
            }[name]
    when, _ = named_period(lowered)
    if when is not None:
        return Period(f"DATE '{when[0]}'", f"DATE '{when[1]}'")
    return None


def parse(text: str, lexicon: Lexicon) -> MetricSpec:
    """The metric question in `text`, possibly partial (a follow-up names what changes)."""
    vocab = words(lexicon)
    tokens = tokenize(text)
    metric = _first(tokens, vocab.metrics)
    group = None
    for phrase, dimension in vocab.dimensions:
        index = find_phrase(tokens, phrase)
        if index >= 1 and has_phrase(tokens[max(index - 2, 0) : index], vocab.group_words):
            group = dimension
            break
    filters = tuple(dict.fromkeys(c for p, c in vocab.filters if find_phrase(tokens, p) >= 0))
    compared = read_periods(text)
    if group is None and compared:  # "Q3 signups vs Q2": one row per period
        group = (
            "half"
            if _HALF.search(text.lower()) and not _QUARTER.search(text.lower())
            else "quarter"
        )
    columns = [condition.split(" = ")[0] for condition in filters]
    several = next((c for c in dict.fromkeys(columns) if columns.count(c) > 1), None)
    if several is not None and group in (None, several):  # "legacy vs core": one row each
        group = several
        filters = tuple(f for f in filters if not f.startswith(f"{several} = "))
    return MetricSpec(
        metric=metric,
        group=group,
        period=read_period(text),
        filters=filters,
        monthly=has_phrase(tokens, vocab.monthly),
    )


def _first(tokens: list[str], table: Sequence[tuple[Phrase, str]]) -> str | None:
    best: tuple[int, str] | None = None
    for phrase, value in table:
        index = find_phrase(tokens, phrase)
        if index >= 0 and (best is None or index < best[0]):
            best = (index, value)
    return best[1] if best else None


def applies(text: str, lexicon: Lexicon) -> bool:
    """Whether `text` is a metric question this module writes: a metric, no blocker word
    (a prediction, a trend, one account), and a dimension, a period or a metric only the
    warehouse can compute (churned accounts, NRR, DSO, seat utilisation, signups)."""
    vocab = words(lexicon)
    tokens = tokenize(text)
    if has_phrase(tokens, vocab.blockers) or re.search(r"\bacc[\s#_-]*\d", text, re.I):
        return False
    if lexicon.intents["off_topic"].score(tokens, set()) >= _OFF_TOPIC:  # "a poem about churn"
        return False
    spec = parse(text, lexicon)
    if spec.metric is None:
        return False
    if spec.metric == "leakage":  # leakage by type or tier, or of a month: the domain tools
        return (
            spec.group not in (None, "tier")
            or bool(spec.filters)
            or (spec.group == "tier" and spec.period is not None)
        )
    return bool(spec.group or spec.period or spec.metric in vocab.standalone)


def fold(earlier: MetricSpec, later: MetricSpec) -> MetricSpec:
    """`later` as a follow-up of `earlier` ("and by region?", "and last year?")."""
    return replace(
        earlier,
        metric=later.metric or earlier.metric,
        group=later.group or earlier.group,
        period=later.period or earlier.period,
        filters=later.filters or earlier.filters,
        monthly=later.monthly or earlier.monthly,
    )


def write(questions: Sequence[str], lexicon: Lexicon) -> str | None:
    """The query for the last of `questions` (each a follow-up of the ones before), or None
    when the last is no metric question.

    Examples:
        >>> sql = write(["How many accounts churned in 2026?"], lexicon)
        >>> "n_churned_accounts" in sql and "DATE '2026-01-01'" in sql
        True
    """
    if not questions:
        return None
    last = questions[-1]
    if not applies(last, lexicon):
        earlier = [q for q in questions[:-1] if applies(q, lexicon)]
        later = parse(last, lexicon)
        if not earlier or not (later.group or later.period or later.filters):
            return None
    spec = MetricSpec()
    for question in questions:
        if applies(question, lexicon) or spec.metric is not None:
            spec = fold(spec, parse(question, lexicon))
    return to_sql(spec)


# ------------------------------------------------------------------------------ SQL
_DIMENSIONS = {
    "tier": "a.tier",
    "region": "a.region",
    "billing_system": "a.billing_system",
    "currency": "a.currency",
}


def _bounds(period: Period | None, default: Period) -> Period:
    return period or default


def _in(column: str, period: Period) -> str:
    """`column` in [start, end): one month as an equality, which DuckDB pushes into the
    monthly_revenue view's invoice scan (a range over the view aggregates every line first)."""
    if period.end == _shift(period.start, 1):
        return f"{column} = {period.start}"
    return f"{column} >= {period.start} AND {column} < {period.end}"


def _where(filters: Sequence[str], extra: Sequence[str] = ()) -> str:
    clauses = [*(f"a.{condition}" for condition in filters), *extra]
    return " AND ".join(clauses) if clauses else "TRUE"


def _select(group: str | None, month_expression: str) -> tuple[str, str, str]:
    """(select prefix, group by, order by) for a dimension (or none): periods in time order,
    other dimensions by the first measure, largest first."""
    if group == "month":
        return f"strftime({month_expression}, '%Y-%m') AS month, ", " GROUP BY 1", " ORDER BY 1"
    if group in ("quarter", "half"):
        part = (
            f"'-Q' || quarter({month_expression})"
            if group == "quarter"
            else f"'-H' || CASE WHEN month({month_expression}) <= 6 THEN 1 ELSE 2 END"
        )
        label = f"strftime({month_expression}, '%Y') || {part} AS {group}, "
        return label, " GROUP BY 1", " ORDER BY 1"
    if group in _DIMENSIONS:
        return f"{_DIMENSIONS[group]} AS {group}, ", " GROUP BY 1", " ORDER BY 2 DESC"
    return "", "", ""


def _span(start: str, end: str) -> str:
    return (
        f"strftime({start}, '%Y-%m') AS period_start, "
        f"strftime(least(CAST({end} - INTERVAL 1 MONTH AS DATE), {LATEST}), '%Y-%m') "
        f"AS period_end, strftime({EARLIEST}, '%Y-%m') AS data_from, "
        f"strftime({LATEST}, '%Y-%m') AS data_to"
    )


def to_sql(spec: MetricSpec) -> str | None:
    """The query for a complete spec; None without a metric."""
    builder = _BUILDERS.get(spec.metric or "")
    return builder(spec) if builder else None


def _period_select(
    spec: MetricSpec,
    default: Period,
    month_expression: str,
    value: str,
    source: str,
    *,
    within: str | None = None,
    prefix: str = "",
) -> str:
    """The query every period measure shares: `value` (and the period's span) over `source`
    in the spec's period (else `default`) and filters, grouped and sorted by `_select`.
    `within` is the period condition on its own column ("{start}"/"{end}" filled in): by
    default `_in` on `month_expression`. `prefix` holds the CTEs the source reads."""
    p = _bounds(spec.period, default)
    head, group_by, sort = _select(spec.group, month_expression)
    condition = within.format(start=p.start, end=p.end) if within else _in(month_expression, p)
    return (
        f"{prefix}SELECT {head}{value}, {_span(p.start, p.end)} "
        f"FROM {source} WHERE {condition} AND {_where(spec.filters)}{group_by}{sort}"
    )


_TWELVE_MONTHS = Period(_shift(LATEST, -11), _shift(LATEST, 1))
_LATEST_MONTH = Period(LATEST, _shift(LATEST, 1))


def _revenue(spec: MetricSpec) -> str:
    by_month = spec.group == "month" and spec.period is None
    value = "round(sum(r.net_revenue), 2) AS net_revenue"
    if spec.monthly and spec.group != "month":
        value = "round(sum(r.net_revenue) / count(DISTINCT r.month), 2) AS avg_monthly_revenue"
    return _period_select(
        spec,
        _TWELVE_MONTHS if by_month else _LATEST_MONTH,
        "r.month",
        f"{value}, string_agg(DISTINCT r.currency, ', ') AS currency",
        "monthly_revenue r JOIN accounts a USING (account_id)",
    )


def _leakage(spec: MetricSpec) -> str:
    return _period_select(
        spec,
        _LATEST_MONTH,
        "d.month",
        "round(sum(d.amount), 2) AS detected_leakage, "
        "count(DISTINCT d.account_id) AS n_accounts, "
        "string_agg(DISTINCT a.currency, ', ') AS currency",
        "detected_leakage d JOIN accounts a USING (account_id)",
    )


def _churn(spec: MetricSpec) -> str:
    return _period_select(
        spec,
        _TWELVE_MONTHS,
        "c.churn_month",
        "count(*) AS n_churned_accounts",
        "c JOIN accounts a USING (account_id)",
        within="c.churn_month >= {start} AND c.churn_month < {end}",
        prefix="WITH last_revenue AS (SELECT account_id, max(month) AS last_month "
        "FROM monthly_revenue WHERE net_revenue > 0 GROUP BY 1), "
        "c AS (SELECT account_id, CAST(last_month + INTERVAL 1 MONTH AS DATE) AS churn_month "
        f"FROM last_revenue WHERE last_month <= {_shift(LATEST, -3)}) ",
    )


def _signups(spec: MetricSpec) -> str:
    return _period_select(
        spec,
        _TWELVE_MONTHS,
        "date_trunc('month', a.signup_date)",
        "count(*) AS n_new_accounts",
        "accounts a",
        within="a.signup_date >= {start} AND a.signup_date < {end}",
    )


def _seats(spec: MetricSpec) -> str:
    return _period_select(
        spec,
        _LATEST_MONTH,
        "u.month",
        "round(sum(u.active_seats) / sum(c.licensed_seats), 4) AS seat_utilisation, "
        "sum(u.active_seats) AS active_seats, sum(c.licensed_seats) AS licensed_seats",
        "usage_monthly u JOIN contracts c ON c.account_id = u.account_id "
        "AND c.start_date <= u.month AND (c.end_date IS NULL OR c.end_date >= u.month) "
        "JOIN accounts a ON a.account_id = u.account_id",
        within="u.month >= {start} AND u.month < {end}",
    )


def _nrr(spec: MetricSpec) -> str:
    end = spec.period.end if spec.period else _shift(LATEST, 1)
    month = _shift(end, -1)
    year_before = _shift(month, -12)
    head, group_by, _ = _select(spec.group if spec.group != "month" else None, "r.month")
    sort = " ORDER BY 2 DESC" if group_by else ""
    return (
        f"SELECT {head}round(sum(r.net_revenue) FILTER (WHERE r.month = {month}) / "
        f"sum(r.net_revenue) FILTER (WHERE r.month = {year_before}), 4) AS nrr, "
        f"round(sum(r.net_revenue) FILTER (WHERE r.month = {year_before}), 2) "
        "AS revenue_year_before, "
        f"round(sum(r.net_revenue) FILTER (WHERE r.month = {month}), 2) AS revenue_now, "
        f"string_agg(DISTINCT r.currency, ', ') AS currency, "
        f"strftime({year_before}, '%Y-%m') AS period_start, "
        f"strftime({month}, '%Y-%m') AS period_end "
        f"FROM monthly_revenue r JOIN accounts a USING (account_id) "
        f"WHERE r.account_id IN (SELECT account_id FROM monthly_revenue "
        f"WHERE month = {year_before} AND net_revenue > 0) "
        f"AND r.month IN ({year_before}, {month}) AND {_where(spec.filters)}{group_by}{sort}"
    )


def _grr(spec: MetricSpec) -> str:
    """Gross revenue retention, on NRR's two months: each account's revenue now, capped at
    what it paid 12 months earlier (expansion does not count), over their revenue then."""
    end = spec.period.end if spec.period else _shift(LATEST, 1)
    month = _shift(end, -1)
    year_before = _shift(month, -12)
    head, group_by, _ = _select(spec.group if spec.group in _DIMENSIONS else None, "b.month")
    head = head.replace("a.", "b.")
    sort = " ORDER BY 2 DESC" if group_by else ""
    columns = ", ".join(f"a.{c}" for c in _DIMENSIONS)
    return (
        f"WITH b AS (SELECT r.account_id, {columns}, "
        f"sum(r.net_revenue) FILTER (WHERE r.month = {year_before}) AS revenue_then, "
        f"coalesce(sum(r.net_revenue) FILTER (WHERE r.month = {month}), 0) AS revenue_now "
        f"FROM monthly_revenue r JOIN accounts a USING (account_id) "
        f"WHERE r.month IN ({year_before}, {month}) AND {_where(spec.filters)} "
        f"GROUP BY ALL HAVING revenue_then > 0) "
        f"SELECT {head}round(sum(least(b.revenue_now, b.revenue_then)) / sum(b.revenue_then), 4) "
        f"AS grr, round(sum(b.revenue_then), 2) AS revenue_year_before, "
        f"round(sum(least(b.revenue_now, b.revenue_then)), 2) AS retained_revenue, "
        f"count(*) AS n_accounts, any_value(b.currency) AS currency, "
        f"strftime({year_before}, '%Y-%m') AS period_start, "
        f"strftime({month}, '%Y-%m') AS period_end FROM b{group_by}{sort}"
    )


def _arr(spec: MetricSpec) -> str:
    """Annual recurring revenue: 12 x the net revenue of the period's last month (the
    latest month by default)."""
    end = spec.period.end if spec.period else _shift(LATEST, 1)
    month = _shift(end, -1)
    group = spec.group if spec.group in _DIMENSIONS else None
    head, group_by, _ = _select(group, "r.month")
    sort = " ORDER BY 2 DESC" if group_by else ""
    return (
        f"SELECT {head}round(12 * sum(r.net_revenue), 2) AS arr, "
        f"round(sum(r.net_revenue), 2) AS mrr, string_agg(DISTINCT r.currency, ', ') AS currency, "
        f"strftime({month}, '%Y-%m') AS period_start, strftime({month}, '%Y-%m') AS period_end "
        f"FROM monthly_revenue r JOIN accounts a USING (account_id) "
        f"WHERE r.month = {month} AND {_where(spec.filters)}{group_by}{sort}"
    )


def _movements(spec: MetricSpec) -> str:
    """MRR movements between the month before the period and its last month (the last 12
    months by default): new, expansion, contraction and churned revenue per account, and
    the net change that adds them up."""
    p = _bounds(spec.period, Period(_shift(LATEST, -11), _shift(LATEST, 1)))
    opening, closing = _shift(p.start, -1), _shift(p.end, -1)
    group = spec.group if spec.group in _DIMENSIONS else None
    head, group_by, _ = _select(group, "b.month")
    head = head.replace("a.", "b.")
    columns = ", ".join(f"a.{c}" for c in _DIMENSIONS)
    return (
        f"WITH b AS (SELECT r.account_id, {columns}, "
        f"coalesce(sum(r.net_revenue) FILTER (WHERE r.month = {opening}), 0) AS opening, "
        f"coalesce(sum(r.net_revenue) FILTER (WHERE r.month = {closing}), 0) AS closing "
        f"FROM monthly_revenue r JOIN accounts a USING (account_id) "
        f"WHERE r.month IN ({opening}, {closing}) AND {_where(spec.filters)} GROUP BY ALL) "
        f"SELECT {head}round(sum(b.opening), 2) AS opening_mrr, "
        "round(sum(CASE WHEN b.opening = 0 THEN b.closing ELSE 0 END), 2) AS new_mrr, "
        "round(sum(CASE WHEN b.opening > 0 AND b.closing > b.opening "
        "THEN b.closing - b.opening ELSE 0 END), 2) AS expansion_mrr, "
        "round(-sum(CASE WHEN b.closing > 0 AND b.closing < b.opening "
        "THEN b.opening - b.closing ELSE 0 END), 2) AS contraction_mrr, "
        "round(-sum(CASE WHEN b.opening > 0 AND b.closing = 0 THEN b.opening ELSE 0 END), 2) "
        "AS churned_mrr, round(sum(b.closing) - sum(b.opening), 2) AS net_change_mrr, "
        "round(sum(b.closing), 2) AS closing_mrr, any_value(b.currency) AS currency, "
        f"strftime({opening}, '%Y-%m') AS period_start, strftime({closing}, '%Y-%m') AS period_end "
        f"FROM b{group_by}{' ORDER BY 2 DESC' if group_by else ''}"
    )


def _dso(spec: MetricSpec) -> str:
    return _period_select(
        spec,
        Period(_shift(LATEST, -2), _shift(LATEST, 1)),
        "i.period",
        "round(avg(date_diff('day', i.issue_date, p.paid_date)), 1) AS dso_days, "
        "count(*) AS n_paid_invoices",
        "invoices i JOIN paid p USING (invoice_id) JOIN accounts a ON a.account_id = i.account_id",
        within="i.period >= {start} AND i.period < {end}",
        prefix="WITH paid AS (SELECT invoice_id, min(attempted_date) AS paid_date FROM payments "
        "WHERE status = 'succeeded' GROUP BY 1) ",
    )


_BUILDERS = {
    "revenue": _revenue,
    "leakage": _leakage,
    "churn": _churn,
    "signups": _signups,
    "seat_utilisation": _seats,
    "nrr": _nrr,
    "grr": _grr,
    "arr": _arr,
    "movements": _movements,
    "dso": _dso,
}


_ISO_MONTH = re.compile(r"\b((?:19|20)\d\d)-(0[1-9]|1[0-2])\b(?!-\d)")
_NAMED_MONTH = re.compile(
    rf"\b{_MONTH_NAME}\s*(?:of\s+)?(?:((?:19|20)\d\d)\b|['’‘`]\s?(\d\d)\b|[-/](\d\d)\b(?!\d))"
)
_OPENS = re.compile(r"\b(?:since|from|starting(?:\s+in|\s+from)?|after|as of|between)\s*$")
_CLOSES = re.compile(r"\b(?:until|till|up to|upto|through|thru|to|and|by)\s*$")
_BEFORE = 16
"""Characters before a month searched for the word that opens or closes a range."""
_JOINED = r"\s*(?:,\s*|,?\s*and|to|through|thru|until|till|-|–|—)\s*"
_RANGE = re.compile(rf"\b{_MONTH_NAME}(?:{_JOINED}{_MONTH_NAME})+\s*(?:of\s+)?((?:19|20)\d\d)\b")
"""Months joined as a range or a list, the year named once at its end: "between March and
May 2026", "Mar–May 2026", "March, April and May 2026", "Nov to Jan 2026" (the first month
of a range that wraps a year end falls in the year before)."""
_MONTH_WORD = re.compile(rf"\b{_MONTH_NAME}")


def _range(lowered: str) -> dict[str, str]:
    """`since`/`until` of the first month range whose year is named once, at its end."""
    match = _RANGE.search(lowered)
    if match is None:
        return {}
    names = [m.group(1) for m in _MONTH_WORD.finditer(match.group(0))]
    first, last, year = (
        _MONTHS[names[0]],
        _MONTHS[names[-1]],
        int(match.group(_RANGE.groups)),
    )
    start_year = year if first <= last else year - 1
    return {"since": f"{start_year}-{first:02d}", "until": f"{year}-{last:02d}"}


def _stated_months(lowered: str) -> list[tuple[int, str]]:
    """(position, 'YYYY-MM') of every month named with its year, in order."""
    found = [(m.start(), f"{m.group(1)}-{m.group(2)}") for m in _ISO_MONTH.finditer(lowered)]
    for match in _NAMED_MONTH.finditer(lowered):
        year = match.group(2) or f"20{match.group(3) or match.group(4)}"
        found.append((match.start(), f"{year}-{_MONTHS[match.group(1)]:02d}"))
    return sorted(found)


def tool_months(text: str) -> dict[str, str]:
    """The month arguments (`month`, or `since`/`until`, as 'YYYY-MM') a message states for
    the tools that take them (detect_leakage, portfolio_summary): "in Oct 2026", "October
    2026", "Oct '26", "in 2026-10" set `month`; "since June 2026" sets `since`, "until"/"up
    to" `until`, "from May 2026 to Aug 2026" both. Only months named with their year: the
    tools take a calendar month, and a bare "in March" is anchored on the data (the latest
    March in the warehouse), which only the SQL route knows (`read_period`).

    Examples:
        >>> tool_months("billing system errors in Oct 2026")
        {'month': '2026-10'}
        >>> tool_months("overages since June 2026")
        {'since': '2026-06'}
        >>> tool_months("leakage in March") == {}
        True
        >>> tool_months("downgrades missed between March and May 2026")
        {'since': '2026-03', 'until': '2026-05'}
    """
    lowered = text.lower()
    if ranged := _range(lowered):  # "between March and May 2026": both ends
        return ranged
    stated = _stated_months(lowered)
    if not stated:
        return {}
    months: dict[str, str] = {}
    for position, month in stated:
        before = lowered[max(position - _BEFORE, 0) : position]
        if _OPENS.search(before) and "since" not in months:
            months["since"] = month
        elif _CLOSES.search(before) and ("since" in months or len(stated) == 1):
            months["until"] = month
        elif not months:
            months["month"] = month
    if "month" in months and len(months) > 1:
        months.pop("month")
    if months.get("since", "") > months.get("until", "9999"):
        return {}
    return months


_WHOLE_YEAR = re.compile(
    r"\b(?:in|for|during|throughout|over|of|calendar(?: year)?|fy|cy)\s+((?:19|20)\d\d)\b"
    r"(?!\s*-\s*\d)"
)
"""A calendar year named on its own ("in 2025", "for FY 2025"); "2026-05" is a month."""


def tool_year(text: str) -> dict[str, str]:
    """`since`/`until` ('YYYY-MM') of a whole calendar year the message names ("lost to
    expired cards in 2025") when it names no month with its year (`tool_months` reads
    those): for the tools that take a month range (detect_leakage).

    Examples:
        >>> tool_year("How much did we lose to expired cards in 2025?")
        {'since': '2025-01', 'until': '2025-12'}
        >>> tool_year("leakage in March 2025")
        {}
    """
    lowered = text.lower()
    if _stated_months(lowered) or _range(lowered):
        return {}
    match = _WHOLE_YEAR.search(lowered)
    if match is None:
        return {}
    return {"since": f"{match.group(1)}-01", "until": f"{match.group(1)}-12"}


_ANY_YEAR = re.compile(r"(?<![\w$€£.-])(?:19|20)\d\d(?:-(?:0[1-9]|1[0-2]))?(?![\w.%-])")
_COMPARED = re.compile(r"\b(?:compar\w*|vs\.?|versus|against|than)\b")


def named_periods(text: str) -> tuple[str, ...]:
    """The periods a message names, as written ("2025", "last quarter", "in March", "Q3"),
    in order; a period that is the latest month ("this month", "last month") only when the
    message compares periods (those are what every tool reports by default).

    Examples:
        >>> named_periods("Which region has the highest detected leakage this year?")
        ('this year',)
        >>> named_periods("How does this month's leakage compare with last month?")
        ('this month', 'last month')
        >>> named_periods("Which accounts are most at risk this month?")
        ()
    """
    lowered = text.lower()
    found: list[tuple[int, str]] = []
    patterns = [_N_MONTHS, _SINCE, _QUARTER, _HALF, _MONTH_ALONE, _ANY_YEAR, _WITH_YEAR]
    compares = bool(_COMPARED.search(lowered))
    for pattern, name in _RELATIVE:
        if name != "latest_month" or compares:
            patterns.append(pattern)
    for pattern in patterns:
        for match in pattern.finditer(lowered):
            found.append((match.start(), match.group(0).strip()))
    kept: list[tuple[int, str]] = []
    for start, phrase in sorted(found, key=lambda pair: (pair[0], -len(pair[1]))):
        if kept and start < kept[-1][0] + len(kept[-1][1]):
            continue  # inside a longer phrase already kept ("March 2026" holds "2026")
        kept.append((start, phrase))
    return tuple(dict.fromkeys(phrase for _, phrase in kept))


def compares_periods(text: str) -> bool:
    """Whether the message compares two periods ("this month vs last month")."""
    return bool(_COMPARED.search(text.lower())) and len(named_periods(text)) >= 2
