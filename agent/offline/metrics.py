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

Comparisons: two quarters, half years or months ("Q3 signups vs Q2", "Compare revenue in
September 2026 with August 2026") get a row each, only the periods named (not the ones
between), and revenue and leakage rows carry their change on the row before, absolute and in
percent ("month over month" groups by month the same way); two values of one column ("legacy
vs core", "EMEA vs APAC") group by that column instead of filtering on both at once. A month
without a year ("in April", "april this year", "Oct-26") is the latest such month in the data.
A quarter, half or named period the data cover only in part returns how many of its months
have data (`n_months_with_data` of `n_months_in_period`), so the answer flags it ("2024-Q4
covers 2 of its 3 months") instead of comparing it with a full one. One period against
another ("revenue by tier this year vs last year", "last month … how does it compare with a
year ago?", "this quarter vs the same quarter last year", "2026 vs 2025 by region", "this
month compared to last month", "October vs September", `read_compared`; a follow-up "and
against a year ago?" compares the thread's period) gets both figures per group, the change
and the change in percent, and both periods (`compared_start`/`compared_end`, as the revenue
movers state theirs); the period compared covers as many months as the one asked has data
for (a year to date against the same months a year earlier), so the change is like for like
(rt10 N-M2).

Shares (rt10 N-M2): "what share of revenue comes from Enterprise customers this year?", "EMEA's
percentage of total revenue", "what share does each tier make up?", "what share do the top 10
customers make up?" return the part, the whole and `share_of_total`, per currency
(`_share`); a share of no part, or of another metric, is said by agent/offline/limits.py.

Who is counted (rt8 D1, D18): revenue reads monthly_revenue LEFT JOINed to accounts, so the
customers of an imported revenue file (which has no account rows) are in every total; a split
or filter by tier, region or billing system needs the account row and returns how many revenue
customers it leaves out (`n_left_out_customers`). Amounts are grouped by currency, never
added across two. A customer named in any id form ("CUST-001", "cus_8812", "customer 12347";
one ACC id alone goes to agent/offline/sqlgen.py) filters the query, compared on upper-case
letters and digits, and shows as the row's `customer`; one the data lack answers "… (no revenue
found)". Two or more customers named, ACC ids included ("revenue of ACC000042 and CUST-001 in
2026", "X vs Y revenue last quarter"), get a row each per currency, in the order named, one
without revenue keeping its row (rt9 N3).

Customers named by a name without a digit ("Globex Ltd", "DROP-F": `customer_names`) filter
the same way, and one the warehouse lacks is said to have no revenue, never answered with the
book's total (rt10 N-H1); "how much did X bill" is X's revenue (N-M1). A revenue question about
the accounts the thread just listed ("how much revenue did they bring in?") gets a row per
listed account and their total (`listed_revenue`, N-H3). "Which customers lost the most
revenue over the last 6 months?", "… grew the most this year?" and "revenue down more than
30 % on a year ago" compare each customer's revenue in the period with the months before it
(or the same months a year earlier, when the question says so or the period is a year to date)
and rank or filter by the change, never by the level (`movement_sql`, N-H5, N-M4). A filter a
query applies is returned as `filtered_to`, so the answer names it (N-H4, N-L2); a churn
question that asks what it cost returns the churned accounts' last monthly revenue too.

Rankings (rt8 D10, D22, D23): "top 10 customers by revenue", "which 5 customers have the
highest MRR?" and "top 5 accounts by detected leakage" are one row per account, summed over
the period, the N largest (smallest for "bottom"/"lowest"); MRR without a period is the
contracted MRR in force (account_features). Accounts ranked by detected leakage ("which
accounts are leaking the most?", "who leaked the most in 2025?", "which customers lost us the
most to failed payments?": the type named limits it) sum every finding so far when no period is
named, as detect_leakage does (rt9 D23). "Which … churned" lists the accounts; "average
revenue per account" divides by the accounts billed; a message asking two metric questions
("revenue by tier and churn by region") is split into one query each (`parts`).

Lists, rates and ratios (rt12 T-H5, T-H8, T-H9, T-H10, T-M3, T-M4): "revenue by account for
2026", "every account's revenue", "accounts with revenue over $50k in October" are a row per
account, largest first (a threshold keeps those past it; a list stops at 200 and the query
tool says how many there are); "how much do customers owe us?" counts and sums the invoices
with no successful payment (`receivables`); "average invoice size" is the mean invoice total
and how many invoices it averages; "what percentage of revenue is leaking?" is detected
leakage over net revenue (the period asked, else the latest month and the year to date, a row
each); "churn rate" is the accounts churned in the period over those billed in the month
before it, and per month; "how did APAC do last quarter vs the quarter before?" is APAC's
revenue compared.

Invoice lines, cohorts and receivables by age (rt14 V-H2..V-H5, V-H7; lexicon
`[line_metrics]`): "overage revenue billed in 2026", "credits in 2026" and "gross revenue
before discounts and credits" total their invoice lines (gross beside the discounts, credits
and net revenue), never the book's net revenue; "how much did we lose from downgrades?" is
that leakage type's findings (detect_leakage), not revenue; "revenue from customers that
signed up in 2025" filters that cohort's accounts (each year's revenue, or the period asked)
and takes 2025 as no period of revenue; "average revenue per Enterprise account" divides by
the accounts billed; "leakage this year vs last year" compares detected leakage like for like;
"invoices more than 60 days overdue" are the unpaid ones due more than 60 days before the
last day of the data's latest month, the as-of date the row states.

Hand-written: the questions are the planner's lexicon words mapped onto a fixed schema, and
each query is the one the guard (data/sql_guard.py) runs; no text-to-SQL library runs offline.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from typing import Annotated, Any

import duckdb
from pydantic import BaseModel, BeforeValidator, ConfigDict

from agent.offline.lexicon import (
    NUMBER_WORDS,
    Lexicon,
    Phrase,
    entity_table,
    find_phrase,
    has_phrase,
    tokenize,
)
from agent.offline.sqlwords import period as named_period
from domain import normalise_account_id

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
_COUNTED = "|".join(sorted((w for w, n in NUMBER_WORDS.items() if 2 <= n <= 60), key=len)[::-1])
_N_MONTHS = re.compile(
    rf"\b(?:last|past|previous|trailing|latest|prior)[\s-]+(\d{{1,2}}|{_COUNTED})[\s-]+months?\b"
)
"""The last N months, N in digits or words ("the past six months", "trailing-twelve-month")."""
_N_DAYS = re.compile(r"\b(?:last|past|previous|trailing|latest|prior)\s+(\d{2,3})\s+days\b")
"""The last N days, read as the whole months nearest (the data are monthly): "the last 90
days" is the last 3 months (rt11 R-H3)."""
_YEAR = r"(?:19|20)\d\d"
"""A four-digit year of this century or the last, in the patterns below."""
_DAY = r"(?:(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?)?"
"""An optional day of the month before a month's name ("since the 3rd of March")."""
_SINCE = re.compile(
    rf"\bsince\s+{_DAY}"
    rf"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?:\s+({_YEAR}))?"
)
_OF_YEAR = rf"(?:\s*({_YEAR})|\s*fy\s*({_YEAR}))?\b"
"""The calendar or fiscal year after a quarter or half ("Q2 2026", "H1 FY2026")."""
_QUARTER = re.compile(rf"\bq([1-4]){_OF_YEAR}")
_HALF = re.compile(rf"\bh([12]){_OF_YEAR}")
_MONTH_NAME = (
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)(?:uary|ruary|tember|ember|ober|ust|ch"
    r"|il|e|y|t)?(?![a-z])\.?"
)
_MONTH_ALONE = re.compile(
    rf"\b(?:in|for|during|of|as of|as at|at|over|through|thru|until|by end of|end of|from|about)\s+"
    rf"{_MONTH_NAME}(?:\s*[-/' ]\s*(\d\d)\b(?!\d))?(?:\s+(this|last|previous) year)?"
    rf"|\b{_MONTH_NAME}(?:\s*[-/']\s*(\d\d)\b(?!\d)|\s+(this|last|previous) year)"
    # a terse message's last word ("unbilled overage oct?"); "may" ends questions as a verb
    rf"|(?<=[a-z] )(?!may\b){_MONTH_NAME}(?=\s*\?*\s*$)"
    # a terse message's first word, before what it asks about ("sept leaks? biggest 3",
    # holdout15); not "may I …", "march on", nor a person ("Jan from finance wants …")
    rf"|^\s*(?!may\b|march\b){_MONTH_NAME}(?=\s+(?!(?:from|said|says|asked|asks|wants|needs"
    rf"|here|and|is|was|wrote|thinks|mentioned|told|on|i|we)\b)[a-z])"
)
"""A month named without a four-digit year: "in April", "april this year", "as of october",
"Oct-26", "findings from October". Anchored like a quarter: the latest such month in the data
("last year": the one before). "from May to August" is a range, not May (`_month_alone`)."""
_RANGE_END = re.compile(r"\s*(?:to|through|thru|until|till|and|[-–])\s")
"""What follows a month that opens a range ("from May to August")."""
_WITH_YEAR = re.compile(rf"\b{_MONTH_NAME}\s+(?:of\s+)?{_YEAR}\b")
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
    (re.compile(r"\bmonth before last\b|\b(?:two|2) months ago\b"), "month_before_last"),
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
    customers: tuple[str, ...] = ()  # ids named ("CUST-001"), as written: filter and show them
    rank: int | None = None  # "top 10 customers by revenue": one row per account, N largest
    ascending: bool = False  # "bottom 5 …", "lowest …": the N smallest
    periods: tuple[Period, ...] = ()  # "Sep 2026 vs Aug 2026": only these, one row each
    changes: bool = False  # "compare", "month over month": each row's change on the one before
    lists: bool = False  # "which Enterprise customers churned?": the accounts, not a count
    per_account: bool = False  # "average revenue per account": over the accounts billed
    counted: bool = False  # "revenue by tier with the number of paying accounts in each"
    leakage_type: str | None = None  # "lost us the most to failed payments": that type only
    lost_revenue: bool = False  # "how many churned and how much revenue did we lose?"
    share: bool = False  # "what share of revenue comes from Enterprise": part, whole, share
    compared: Period | None = None  # "this year vs last year": what `period` is compared with
    back: int | None = None  # "how does that compare with a year ago?": 12 months before it
    values: tuple[str, ...] = ()  # "EMEA and APAC": the values of `group` named (a share's rows)
    each_account: bool = False  # "revenue by account for 2026": a row per account (rt12 T-H5)
    threshold: tuple[str, float] | None = None  # "accounts with revenue over $50k": (op, amount)
    rate: bool = False  # "churn rate": churned over the accounts billed before (rt12 T-M4)
    peak: bool = False  # "which month had the highest revenue?": the periods, largest first
    overdue_days: int | None = None  # "invoices more than 60 days overdue": past due by > N


def _word_phrases(words: Sequence[str]) -> tuple[Phrase, ...]:
    """A `[metrics]` word list as phrases: each entry's words, split on white space."""
    return tuple(tuple(w.split()) for w in words)


Phrases = Annotated[tuple[Phrase, ...], BeforeValidator(_word_phrases)]
"""A word list of `[metrics]`, read as its phrases."""


class MetricWords(BaseModel):
    """The `[metrics]` vocabulary of lexicon.toml, read by pydantic: each word list becomes
    its phrases in one place (`Phrases`), where ten lines of the reader repeated the same
    conversion, and a list missing from the lexicon is named when it loads."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    metrics: tuple[tuple[Phrase, str], ...]
    dimensions: tuple[tuple[Phrase, str], ...]
    group_words: Phrases
    blockers: Phrases
    monthly: Phrases
    standalone: frozenset[str]
    filters: tuple[tuple[Phrase, str], ...]
    rank_words: Phrases
    """Blockers a ranking uses for itself ("which 5 customers", "the biggest accounts")."""
    changes: Phrases
    per_account: Phrases
    counted: Phrases
    """Words that ask how many accounts each revenue row counts."""
    lists: Phrases
    ranked_leakage: Phrases
    """Words that rank accounts by the leakage detected ("by detected leakage")."""
    billed: Phrases
    """Words that, in a "how much" question, ask what a customer was billed: revenue."""


@lru_cache(maxsize=4)
def words(lexicon: Lexicon) -> MetricWords:
    raw: Mapping[str, Any] = lexicon.raw["metrics"]
    tables = dict(raw["filters"])
    for shared in lexicon.raw["sql"]["filters"]:  # one region vocabulary: the SQL filters'
        if shared["key"] == "accounts.region":
            tables["region"] = shared["values"]
        if shared["key"] == "accounts.currency":  # "revenue in euros": EUR's, none if no
            tables["currency"] = shared["values"]  # account bills in EUR (rt13 U-L5)
    filters = [
        (phrase, f"{column} = '{value}'")
        for column, values in tables.items()
        for phrase, value in entity_table(values)
    ]
    return MetricWords.model_validate(
        {
            **raw,  # the word lists, by their names
            "metrics": entity_table(raw["names"]),
            "dimensions": entity_table(raw["dimensions"]),
            "filters": tuple(sorted(filters, key=lambda pair: -len(pair[0]))),
        }
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
    if match.group(0).startswith("from") and _RANGE_END.match(lowered, match.end()):
        return None  # "from May to August": a range, read elsewhere or not at all
    name = match.group(1) or match.group(4) or match.group(7) or match.group(8)
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


def anchored_months(text: str, last_month: str) -> dict[str, str]:
    """The months ('YYYY-MM') of the period `text` names relative to the data ("this year",
    "YTD", "last quarter", "since June", "in H1", "last 3 months", "last month"), with
    `last_month` the data's last month, for the tools that take `month` or `since`/`until`
    (detect_leakage; rt9 D22: "how much did we lose to expired cards this year?" got every
    finding so far). `since` alone for a period that runs to the end of the data, as "since
    July 2026" reads (`tool_months`); `month` for one month; {} when `text` names no period.

    Method: `read_period`'s own date expressions, with `last_month` in place of `LATEST`,
    evaluated by an in-memory DuckDB (no file is opened): the tools and the SQL route read a
    relative period from one definition, and no second calendar arithmetic can drift from it.
    The expressions hold only dates and numbers `read_period` built, never the user's text.

    Examples:
        >>> anchored_months("how much did we lose to expired cards this year?", "2026-10")
        {'since': '2026-01'}
        >>> anchored_months("leakage last quarter", "2026-10")
        {'since': '2026-07', 'until': '2026-09'}
        >>> anchored_months("leakage by tier", "2026-10")
        {}
    """
    period = read_period(text)
    if period is None or not re.fullmatch(rf"{_YEAR}-(?:0[1-9]|1[0-2])", last_month):
        return {}
    first, last = _evaluated(period, last_month)
    if not first or first > last or first > last_month:
        return {}
    if first == last:
        return {"month": first}
    return {"since": first} if last >= last_month else {"since": first, "until": last}


@lru_cache(maxsize=256)
def _evaluated(period: Period, last_month: str) -> tuple[str, str]:
    """(first, last month) of `period` when the data end in `last_month`: a DuckDB connection
    costs ~15 ms of CPU, and a thread asks the same few periods again (once to plan a turn,
    once to narrate it)."""
    anchor = f"DATE '{last_month}-01'"
    start, end = (part.replace(LATEST, anchor) for part in (period.start, period.end))
    with duckdb.connect() as con:
        row = con.execute(
            f"SELECT strftime({start}, '%Y-%m'), strftime({_month_before(end)}, '%Y-%m')"
        ).fetchone()
    return (str(row[0]), str(row[1])) if row else ("", "")


_SHARED_YEAR = re.compile(
    rf"\b{_MONTH_NAME}(?=\s*(?:,|and|&|vs\.?|versus|with|against)\s*{_MONTH_NAME}\s+({_YEAR})\b)"
)
"""A month whose year is the next month's ("September and October 2026", "Sep vs Oct 2026"):
both months of 2026 (rt13 U-H2: September was read as the month asked and October as its
baseline, so a fall read as growth)."""


def _shared_year(lowered: str) -> str:
    """`lowered` with a month that shares the next month's year given it (`_SHARED_YEAR`).

    Examples:
        >>> _shared_year("compare revenue in september and october 2026")
        'compare revenue in september 2026 and october 2026'
    """
    return _SHARED_YEAR.sub(lambda m: f"{m.group(0)} {m.group(m.lastindex or 0)}", lowered)


def compared_months(text: str) -> tuple[Period, ...]:
    """The months a comparison names with their years ("Compare revenue in September 2026
    with August 2026", "Oct 2026 vs Oct 2025"), oldest first; () unless it names two or
    more and compares them (a range "from May 2026 to Aug 2026" is one period).

    Examples:
        >>> [p.start for p in compared_months("Compare revenue in Sep 2026 with Aug 2026")]
        ["DATE '2026-08-01'", "DATE '2026-09-01'"]
        >>> compared_months("revenue from May 2026 to Aug 2026")
        ()
    """
    lowered = _shared_year(text.lower())
    if not _COMPARED.search(lowered) and not re.search(r"\b(?:with|and)\b", lowered):
        return ()
    months = sorted({month for _, month in _stated_months(lowered)})
    if len(months) < 2 or _range(lowered) or "since" in tool_months(lowered):
        return ()
    return tuple(Period(f"DATE '{month}-01'", _shift(f"DATE '{month}-01'", 1)) for month in months)


_WHOLES = r"(?:the\s+|our\s+|all\s+)?(?:total\b|revenue|mrr|income|sales|billings|the whole)"
_SHARE = re.compile(
    r"\b(?:what|which)\s+(?:share|proportion|fraction|portion|percentage|percent|part|%)\s*"
    r"(?:of|do|does|did|is|are|was|were)\b"
    r"|\b(?:as|by)\s+a\s+(?:share|proportion|fraction|percentage|percent)\b"
    rf"|\b(?:share|percentage|per ?cent|proportion|fraction)\s+of\s+{_WHOLES}"
    rf"|%\s*of\s+{_WHOLES}|\bhow much of\s+{_WHOLES}"
    r"|\b(?:customers?|accounts?|clients?)\s+make\s+up\b"
)
"""A question about a part's share of a whole: "what share of revenue comes from Enterprise",
"Enterprise's percentage of total revenue", "how much of our revenue is from EMEA, as a
share", "what % of revenue", "what do the top 10 customers make up". "The percentage change"
is a comparison; "what makes up our leakage" and "how much of the leakage is recoverable"
ask no share."""
_YEAR_BEFORE = re.compile(
    r"\b(?:a|one|1)\s+year\s+(?:ago|earlier|before)\b|\byear[- ]over[- ]year\b|\byoy\b"
    r"|\b(?:than|on|with|against|versus|vs\.?|to)\s+(?:the\s+)?(?:last|previous|prior)\s+year\b"
    r"|\bsame\s+(?:\w+\s+)?(?:(?:of\s+)?(?:last|previous|prior)\s+year|a\s+year\s+(?:ago|earlier))\b"
    r"|\b(?:12|twelve)\s+months\s+(?:ago|earlier|before)\b"
)
"""A comparison with the same months a year earlier: "how does it compare with a year ago",
"this year vs last year", "this quarter vs the same quarter last year", "year over year"."""
_PERIOD_BEFORE = re.compile(
    r"\b(?:previous|prior|preceding)\s+(?:month|quarter|period|half|\d+\s+months)\b"
    r"|\b(?:month|quarter|period)\s+before\b|\bthe\s+(?:\w+\s+)?months\s+before\b"
)
"""A comparison with as many months just before: "last month vs the month before", "this
quarter compared with the previous quarter"."""
_YEAR_ON_YEAR = re.compile(r"\byear[- ]over[- ]year\b|\byoy\b")
_SHIFT_ONLY = re.compile(
    r"^\W*(?:(?:and|so|ok|okay|now|what about|how about|same for|same but for)\W+)*"
    r"(?:(?:for|in|over)\s+)?(?:the\s+)?(?:(?P<year>year\s+before|(?:previous|prior)\s+year"
    r"|same\s+(?:\w+\s+)?(?:(?:of\s+)?(?:last|previous|prior)\s+year|a\s+year\s+(?:ago|earlier))"
    r"|(?:a|one)\s+year\s+(?:ago|earlier|before)|year\s+earlier)"
    r"|(?P<just>(?:month|quarter|period|half)\s+before|(?:previous|prior|preceding)\s+"
    r"(?:month|quarter|period|half)))\W*(?:then|instead|too)?\W*$"
)
"""A follow-up that only shifts the thread's period ("and the year before?", "what about the
same quarter last year?", "and the previous quarter?", rt11 R-H6): answered as that period
against the thread's, both figures and the change."""
_COMPARING_WORD = re.compile(r"^(?:than|on|with|against|versus|vs\.?|to)\s+")
_LAST_YEAR = re.compile(r"(?:last|previous|prior)\s+year")
_BARE_YEAR = re.compile(rf"(?:in\s+)?({_YEAR})")


_ACCOUNT_NOUN = r"(?:customers?|accounts?|clients?|logos?)"
_EACH_ACCOUNT = re.compile(
    rf"\b(?:by|for each|for every|of each|of every|each|every|broken down by|split by|"
    rf"breakdown by)\s+(?:single\s+|individual\s+)?{_ACCOUNT_NOUN}(?:'s|s')?(?![\w-])"
    rf"|\b{_ACCOUNT_NOUN}\s+(?:ranked|sorted|ordered|listed)\s+by\s+(?:their\s+)?(?:net\s+)?"
    r"(?:revenues?|mrr|billings|sales)\b"
    rf"|\b{_ACCOUNT_NOUN}\s+(?:and|with|alongside)\s+(?:their|its)\s+(?:net\s+)?"
    r"(?:revenues?|mrr|billings|sales)\b"
    r"|\b(?:account|customer|client)\s+by\s+(?:account|customer|client)\b"
    rf"|\bper[- ]{_ACCOUNT_NOUN}\s+(?:breakdown|list|table|split)\b"
    rf"|^\W*(?:please\s+)?(?:list|show|show me|give me|display|pull|get me)\s+(?:all\s+)?"
    rf"(?:(?:of\s+)?(?:the|our)\s+)?{_ACCOUNT_NOUN}(?:'s|s'|')?\s+"
    rf"(?:(?:and|with)\s+(?:their|its)\s+)?(?:net\s+)?(?:revenues?|mrr|billings|sales)\b"
)
"""A row per account asked ("list every account's revenue in 2026", "show revenue by
account", "revenue for each customer", "list all customers and their revenue"), not the
book's total (rt12 T-H5); "revenue per account" is the average per account."""
_AMOUNT = (
    r"(?:[$€£]\s*)?(?P<amount>\d[\d,]*(?:\.\d+)?)\s*(?P<scale>k|m|mn|thousand|million)?"
    r"(?![\w.,]*\s*%)"
)
_THRESHOLD = re.compile(
    rf"\b(?:over|above|more than|greater than|exceeding|in excess of|at least|upwards of|"
    rf"north of|>=?|(?P<below>under|below|less than|fewer than|<=?))\s*{_AMOUNT}"
)
"""A money threshold on each account ("accounts with revenue over $50k", "customers billed
more than 100,000 in 2025", "under $1k"): the accounts past it, a row each."""
_SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6}


def read_threshold(text: str) -> tuple[str, float] | None:
    """(">" or "<", amount) of a money threshold on accounts, else None (a percentage is a
    change, `read_movement`'s).

    Examples:
        >>> read_threshold("show me accounts with revenue over $50k in October 2026")
        ('>', 50000.0)
        >>> read_threshold("customers that billed less than 1,500 last month")
        ('<', 1500.0)
        >>> read_threshold("revenue down more than 30 % on a year ago") is None
        True
    """
    lowered = text.lower()
    if not re.search(rf"\b{_ACCOUNT_NOUN}\b", lowered):
        return None
    match = _THRESHOLD.search(lowered)
    if match is None:
        return None
    scale = _SCALES.get(match.group("scale") or "", 1.0)
    amount = float(match.group("amount").replace(",", "")) * scale
    return ("<" if match.group("below") else ">"), amount


_PERFORMED = re.compile(
    r"\bhow\s+(?:did|has|have|does|do|is|are|was|were)\s+(?:[\w&'-]+\s+){1,4}?"
    r"(?:do|done|doing|perform|performed|performing|fare|fared|faring|go|gone|going)\b"
)
"""How a part of the book did ("how did APAC do last quarter vs the quarter before?"): its
revenue, the headline figure (rt12 T-H9), when the question names a period and the part, or
compares the period with another ("how did we do this year vs last year?")."""
_RATE = re.compile(
    r"\b(?:churn|attrition|cancellation|logo churn|customer churn)\s+(?:rate|ratio|%|percent\w*)"
    r"|(?:\b(?:rate|ratio|percent\w*|share|proportion|fraction)|%)\s+of\s+(?:our\s+|the\s+)?"
    rf"(?:churn|attrition|{_ACCOUNT_NOUN}\s+(?:(?:that|who|which)\s+)?(?:have\s+|has\s+)?"
    r"(?:churn|churned|left|cancel))"
    r"|\b(?:what|which)\s+(?:percent\w*|share|proportion|fraction|%)\s+of\s+(?:our\s+)?"
    rf"{_ACCOUNT_NOUN}\s+(?:churn|churned|left|cancel)"
)
"""A churn *rate* ("what is our churn rate", "attrition rate", "what % of customers churned"),
not a count: churned accounts over the accounts billed just before the period (rt12 T-M4)."""
_LEAK_SHARE = re.compile(
    r"(?:\b(?:share|percent\w*|per ?cent|proportion|fraction|portion)|%)\s+of\s+"
    r"(?:our\s+|the\s+|total\s+|all\s+|net\s+)*(?:revenue|mrr|income|sales|billings)\b"
    r"|\b(?:relative to|as a share of|compared (?:to|with)|against|versus|vs\.?)\s+"
    r"(?:our\s+|the\s+|total\s+|net\s+)*(?:revenue|mrr|income|sales|billings)\b"
    r"|\bleak\w*\s+(?:rate|ratio)\b"
    r"|\bas\s+an?\s+(?:share|percent\w*|proportion|fraction|%|ratio)\b"
    r"|\bhow\s+much\s+of\s+(?:our\s+|the\s+|total\s+)*(?:revenue|mrr|income|sales|billings)\b"
)
"""Leakage as a share of revenue ("what percentage of revenue is leaking?", "leakage as a %
of revenue", "our leakage rate", "how much of our revenue leaks?"): detected leakage over net
revenue of the same months (rt12 T-M3), not one of the two alone; "how much revenue are we
leaking a month?" asks the amount."""
_PEAK = re.compile(
    r"\b(?:which|what)\s+(?P<which>month|quarter)\b[^?]*?\b(?:(?P<low>lowest|least|worst|weakest"
    r"|smallest|fewest)|highest|most|best|biggest|largest|strongest|peak|top)\b"
    r"|\b(?:(?P<low2>worst|lowest|weakest|smallest)|best|highest|strongest|peak|biggest|largest|top)"
    r"\s+(?:revenue\s+|sales\s+|billing\s+)?(?P<which2>month|quarter)\b"
)
"""A question for the month (or quarter) with the most or least revenue: "which month in 2026
had the highest revenue?", "our best month this year", "what was the lowest quarter?" (rt13
U-H6: answered with the year's total)."""


def read_peak(text: str) -> tuple[str, bool] | None:
    """(the period kind, whether the least is asked) of a question for the peak month or
    quarter (`_PEAK`); None otherwise.

    Examples:
        >>> read_peak("which month in 2026 had the highest revenue?")
        ('month', False)
        >>> read_peak("what was our weakest quarter last year?")
        ('quarter', True)
        >>> read_peak("revenue by month in 2026") is None
        True
    """
    match = _PEAK.search(text.lower())
    if match is None:
        return None
    which = match.group("which") or match.group("which2")
    return which, bool(match.group("low") or match.group("low2"))


def read_share(text: str) -> bool:
    """Whether the question asks for a part as a share of the whole (see `_SHARE`).

    Examples:
        >>> read_share("what share of revenue comes from Enterprise customers this year?")
        True
        >>> read_share("Enterprise's percentage of total revenue")
        True
        >>> read_share("what was the percentage change in revenue?")
        False
    """
    return _SHARE.search(text.lower()) is not None


def read_compared(text: str) -> tuple[Period, Period] | None:
    """(the period asked, the period it is compared with) of a question that compares one
    period with another ("this year vs last year", "last month and how does it compare with a
    year ago", "this quarter vs the same quarter last year", "2026 vs 2025", "this month
    compared to last month"); None when it compares none, or only quarters, halves or months
    named with their years (`read_periods`, `compared_months` give those a row each).

    Like for like: the compared period covers as many months as the period asked has data
    for (the data end in October, so "this year" is January to October, and "last year" is
    compared on its January to October), a year earlier for "a year ago" / "last year", just
    before for "the previous period" or when both name the same month ("this month vs last
    month": the data's latest month, and the one before). The query states both periods.

    Examples:
        >>> now, then = read_compared("compare revenue by tier this year vs last year")
        >>> now == read_period("this year") and "INTERVAL 12 MONTH" in then.start
        True
        >>> read_compared("revenue in Q3 2026 vs Q3 2025") is None
        True
        >>> read_compared("revenue by tier this year") is None
        True
    """
    lowered = text.lower()
    year_before = _YEAR_BEFORE.search(lowered) is not None
    if not (_COMPARED.search(lowered) or year_before) or read_periods(lowered):
        return None
    if compared_months(text):
        return None
    phrases = named_periods(text)
    years = sorted({int(m.group(1)) for p in phrases if (m := _BARE_YEAR.fullmatch(p))})
    if len(years) >= 2:  # "2026 vs 2025": the later one against the earlier
        year = Period(f"DATE '{years[-1]}-01-01'", f"DATE '{years[-1] + 1}-01-01'")
        return year, _like_for_like(year, Period(f"DATE '{years[0]}-01-01'", year.start))
    months = list(dict.fromkeys(_MONTHS[m.group(1)] for m in _MONTH_WORD.finditer(lowered)))
    if len(months) >= 2 and not _stated_months(lowered) and not _range(lowered):
        first, second = (_month_of(month, None) for month in months[:2])  # "October vs
        later, earlier = f"greatest({first}, {second})", f"least({first}, {second})"  # Sep"
        return Period(later, _shift(later, 1)), Period(earlier, _shift(earlier, 1))
    back = months_back(text)
    now = read_period(_without_back(lowered))
    if now is None:
        return None
    if back is not None or any(_LAST_YEAR.fullmatch(p) for p in phrases[1:]):
        return now, _shifted(now, back if back is not None else 12)
    others = [
        found
        for p in phrases
        if (found := read_period(f"in {p}" if _BARE_YEAR.fullmatch(p) else p)) is not None
    ]
    if len(others) < 2:
        return None
    # the later period is the one asked, whichever is named first ("compare this quarter
    # with last quarter", "… last quarter with this quarter": rt13 U-H2)
    now, then = others[0], others[1]
    if then == now:  # "this month vs last month": both the latest month
        return now, _shifted(now, 0)
    now, then = _later_first(now, then)
    return now, _like_for_like(now, then)


def _later_first(first: Period, second: Period) -> tuple[Period, Period]:
    """(the later, the earlier) of two periods, chosen by the query (a relative period's
    dates are the data's): a comparison's change is the later period's on the earlier's."""
    later = f"{first.start} >= {second.start}"
    return (
        Period(
            f"CASE WHEN {later} THEN {first.start} ELSE {second.start} END",
            f"CASE WHEN {later} THEN {first.end} ELSE {second.end} END",
        ),
        Period(
            f"CASE WHEN {later} THEN {second.start} ELSE {first.start} END",
            f"CASE WHEN {later} THEN {second.end} ELSE {first.end} END",
        ),
    )


def period_shift(text: str) -> int | None:
    """How far back a follow-up that only shifts the thread's period looks (`_SHIFT_ONLY`):
    12 for "the year before" / "the same quarter last year", 0 for "the month before" / "the
    previous quarter" (as many months as the period has, just before it); None otherwise.

    Examples:
        >>> period_shift("and the year before?"), period_shift("what about the previous quarter?")
        (12, 0)
        >>> period_shift("revenue in the previous quarter") is None
        True
    """
    shift = _SHIFT_ONLY.match(text.lower())
    return None if shift is None else 12 if shift.group("year") else 0


def months_back(text: str) -> int | None:
    """How far back a comparison that names no period of its own looks ("how does that
    compare with a year ago?": 12; "… with the previous period": 0, as many months as the
    period has, just before it); None when it names neither.

    Examples:
        >>> months_back("and how does that compare with a year ago?")
        12
        >>> months_back("and the year before?"), months_back("and the previous quarter?")
        (12, 0)
        >>> months_back("revenue by tier last quarter") is None
        True
    """
    lowered = text.lower()
    if (shift := period_shift(text)) is not None:  # "and the year before?": the thread's
        return shift  # period against it
    if not (_COMPARED.search(lowered) or _YEAR_ON_YEAR.search(lowered)):
        return None  # "revenue a year ago", "in the previous quarter": a period, not a comparison
    if _YEAR_BEFORE.search(lowered):
        return 12
    return 0 if _PERIOD_BEFORE.search(lowered) else None


def compared_phrases(text: str) -> tuple[str, ...]:
    """The periods a message compares, as written ("this year", "last year"; "last month",
    "a year ago"), for the answer to name when no call compared them; () when it compares
    none.

    Examples:
        >>> compared_phrases("how many accounts churned this year vs last year?")
        ('this year', 'last year')
        >>> compared_phrases("revenue last month and how does it compare with a year ago?")
        ('last month', 'a year ago')
        >>> compared_phrases("revenue by tier last quarter")
        ()
    """
    lowered = text.lower()
    back = months_back(text) is not None
    if not (back or compares_periods(text) or read_compared(text) is not None):
        return ()
    found = [(lowered.find(p), p) for p in named_periods(text)]
    for pattern in (_YEAR_BEFORE, _PERIOD_BEFORE) if back else ():
        found += [
            (m.start(), _COMPARING_WORD.sub("", m.group(0))) for m in pattern.finditer(lowered)
        ]
    kept = [p for _, p in sorted(found) if not any(p != q and p in q for _, q in found)]
    return tuple(dict.fromkeys(kept))


def _without_back(text: str) -> str:
    """`text` without the words that name the period compared with ("vs last year", "a year
    ago", "the previous quarter"): what is left names the period asked, if any."""
    return _PERIOD_BEFORE.sub(" ", _YEAR_BEFORE.sub(" ", text.lower()))


def _with_data(period: Period) -> tuple[str, str]:
    """(end within the data, months of `period` with data) of a period asked."""
    end = f"least({period.end}, {_shift(LATEST, 1)})"
    return end, f"date_diff('month', {period.start}, {end})"


def _shifted(now: Period, months: int) -> Period:
    """The months of `now` that have data, `months` earlier (0: as many as it has, just
    before it)."""
    end, span = _with_data(now)
    if not months:
        return Period(f"CAST({now.start} - to_months({span}) AS DATE)", now.start)
    return Period(_shift(now.start, -months), _shift(end, -months))


def _like_for_like(now: Period, then: Period) -> Period:
    """`then` cut to as many months as `now` has data for."""
    _, span = _with_data(now)
    return Period(then.start, f"least({then.end}, CAST({then.start} + to_months({span}) AS DATE))")


_WHO = r"(?:customers?|accounts?|clients?|logos?|payers?|companies|company)"
_RANKED = re.compile(
    rf"\b(?:top|bottom|biggest|largest|highest|smallest|lowest|best|worst|leading)\s+"
    rf"(?:(\d{{1,3}})\s+)?(?:[a-z]+\s+)?{_WHO}\b"
    rf"|\b(\d{{1,3}})\s+(?:biggest|largest|highest|top|smallest|lowest|best|worst|leading)\s+"
    rf"(?:[a-z]+\s+)?{_WHO}\b"
    rf"|\b(?:which|what|who are (?:the|our))\s+(?:(\d{{1,3}})\s+)?{_WHO}\b"
    rf"(?=.*\b(?:highest|largest|biggest|most|top|lowest|smallest|least|fewest)\b)"
    rf"|\b{_WHO}\s+(?:with|having|that have|that had)\s+the\s+"
    rf"(?=(?:highest|largest|biggest|most|lowest|smallest|least|fewest)\b)"
    rf"|^\s*who\b(?=.*\b(?:highest|largest|biggest|most|lowest|smallest|least|fewest)\b)"
)
"""A ranking of accounts: "top 10 customers", "which 5 accounts … most", "accounts with the most
leakage", "who leaked the most" (rt9 D23: the last two listed single findings)."""
_ASCENDING = re.compile(r"\b(?:bottom|smallest|lowest|least|fewest|worst)\b")
_RANK_DEFAULT = 10
"""Rows of a ranking that names no number ("our biggest customers by revenue")."""


def read_rank(text: str) -> tuple[int | None, bool]:
    """(N, ascending) of a ranking of customers ("top 10 customers by revenue", "which 5
    customers have the highest MRR?", "bottom 3 accounts by leakage"); (None, False) when the
    text ranks none. "which customer has …" without a number asks for one.

    Examples:
        >>> read_rank("top 10 customers by revenue this year")
        (10, False)
        >>> read_rank("which 5 customers have the highest MRR?")
        (5, False)
        >>> read_rank("which customer had the lowest revenue in 2025?")
        (1, True)
        >>> read_rank("accounts with the most leakage in 2025")
        (10, False)
        >>> read_rank("revenue by tier")
        (None, False)
        >>> read_rank("who are our 5 smallest customers by revenue this year?")
        (5, True)
        >>> read_rank("who is our single largest customer on revenue?")
        (1, False)
    """
    lowered = text.lower()
    match = _RANKED.search(lowered)
    if match is None:
        return None, False
    numbers = (g for m in _RANKED.finditer(lowered) for g in m.groups() if g)
    number = next(numbers, None)  # "who are our 5 smallest customers": the 5 (rt11 R-L5)
    ascending = bool(_ASCENDING.search(lowered))
    if number is not None:
        return int(number), ascending
    # "who is our single largest customer …": the ranking's noun, not the opening "who"
    worded = (re.search(_WHO, m.group(0)) for m in _RANKED.finditer(lowered))
    singular = next((word for word in worded if word is not None), None)
    one = singular is not None and not singular.group(0).endswith(("s", "companies"))
    return (1 if one else _RANK_DEFAULT), ascending


_CUSTOMER_ID = re.compile(
    r"(?<![\w@./-])([a-z]{1,12}[-_#]?\d{2,}(?:[-_][a-z0-9]+)*)(?![\w@/-])", re.IGNORECASE
)
_NOT_IDS = frozenset(
    ["q", "h", "fy", "cy", "top", "last", "next", "past", "ytd", "qtd", "mtd", "ttm"]
)
"""Letters before a number that make a period or a count, not an id ("Q4", "FY2025", "top10");
month names ("Oct-26") are read by `_MONTH_NAME`."""


_NUMBERED = re.compile(
    r"\b(?:customer|client|account)(?:\s+id)?\s*(?:#|no\.?|number)?\s*(\d{2,})\b"
)
"""A number the text calls a customer's ("customer 12347", "client #5521"): retail exports
number their customers."""


def customer_ids(text: str) -> tuple[str, ...]:
    """Customer ids the text names in a form other than ACC… (agent/offline/sqlgen.py reads
    those): "CUST-001", "cus_8812", "C-10442", as written, and numbers called a customer's
    ("customer 12347"). Periods ("Q4", "FY2025", "Oct-26", "2026-10") are not ids.

    Examples:
        >>> customer_ids("What was total revenue of CUST-001 in 2026?")
        ('CUST-001',)
        >>> customer_ids("revenue of customer 12347 last quarter")
        ('12347',)
        >>> customer_ids("revenue in Q4 2025 vs FY2024, Oct-26 and 2026-10")
        ()
    """
    found = [match.group(1) for match in _NUMBERED.finditer(text.lower())]
    for match in _CUSTOMER_ID.finditer(text):
        word = match.group(1)
        letters = re.match(r"[a-z]+", word.lower())
        if letters is None or letters.group(0) in (*_NOT_IDS, "acc"):
            continue
        if re.fullmatch(_MONTH_NAME, letters.group(0)):
            continue
        found.append(word)
    return tuple(dict.fromkeys(found))


_CAPITAL_ID = re.compile(r"(?<![\w-])([A-Z]{2,}(?:-[A-Z]+)+)(?![\w-])")
"""An id in capitals joined by hyphens, without a digit ("DROP-F", "SLIDE-B"): an export's
customer code."""
_PROPER_NAME = re.compile(
    r"(?:\b(?:of|for|did|does|do|is|was|has|had|customer|client|account|from|with|about|and|or"
    r"|vs\.?|versus|between|bill|billed|invoiced|charged|compare|comparing)\s+|,\s*|^\s*)"
    r"([A-Z][\w&'.]*(?:\s+(?:[A-Z][\w&'.]*|&)){0,3}(?:\s*\([A-Z][\w&'. ]*\))?)(?![\w&'-])"
)
"""Capitalised words after a lower-case word that introduces a customer ("revenue of Globex
Ltd", "how much did Acme Corp bill", "is Acme Corp declining?", "compare Wayne Enterprises
and …"), with a qualifier in brackets that is part of the name ("Soylent (EU)")."""
_COMPANY_NAME = re.compile(
    r"(?:\b(?:of|for|did|does|do|is|was|from|with|about|and|or|vs\.?|versus|bill|billed"
    r"|invoiced|charged)\s+|^\s*)((?:[a-z][\w&'-]*\s+){1,3}"
    r"(?:ltd|limited|corp|corporation|inc|llc|llp|gmbh|plc))\b\.?"
)
"""A company's name typed in lower case, ending in a company word ("revenue of globex ltd")."""
_COMPANY_WORDS = frozenset(
    [
        "ltd",
        "limited",
        "corp",
        "corporation",
        "inc",
        "llc",
        "llp",
        "gmbh",
        "plc",
        "co",
        "ag",
        "sa",
        "bv",
        "nv",
        "oy",
        "ab",
        "pty",
        "group",
        "holdings",
        "industries",
        "company",
        "enterprises",
        "systems",
        "technologies",
        "solutions",
        "partners",
        "ventures",
    ]
)
_INDUSTRY_WORDS = frozenset(["labs", "analytics", "logistics", "health", "retail"])
"""Last words of a name of two words or more (the demo book's "Swift River Health #1446",
rt12 T-H2), but alone a segment of the market ("Retail customers")."""
"""A last word that makes capitalised words a company's name even when the lexicon knows
every other word ("Enterprise Holdings")."""


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CALENDAR_WORDS = frozenset((*_WEEKDAYS, "christmas", "easter"))


@lru_cache(maxsize=1)
def _not_names(lexicon: Lexicon) -> frozenset[str]:
    """Words no customer name is made of alone: the lexicon's known words and its filter
    values ("APAC", "enterprise")."""
    from agent.offline.spelling import speller  # the speller reads this module's words

    filters = {
        word for table in lexicon.entities.values() for phrase, _ in table for word in phrase
    }
    return speller(lexicon).known | filters


_SUBJECT_NAME = re.compile(
    r"\b(?:how\s+much|what)\s+(?:(?:revenue|money|income|sales)\s+)?(?:did|does|has|have|had)\s+"
    r"(?P<name>[\w&'%.-]+(?:\s+[\w&'%.-]+){0,4}?)\s+"
    r"(?=(?:generate|generated|bring|brought|make|made|earn|earned|bill|billed|pay|paid|spend"
    r"|spent|contribute|contributed|invoice|invoiced)\b)"
    r"|\b(?:revenue|sales|income|billings?)\s+(?:of|from|for)\s+"
    r"(?P<owner>[\w&'%.-]+(?:\s+[\w&'%.-]+){1,4}?)"
    r"(?=\s+(?:in|during|over|since|last|this|so\s+far|ytd|year|between|for)\b|\s*[?.!]?\s*$)",
    re.IGNORECASE,
)
"""A customer as the subject of what it earned or as the owner of revenue, in any case
("how much did swift river health generate in 2025?", "how much did 100% Juice Co bring in?",
"revenue of swift river health last year"): rt13 U-H1, where the name, typed in lower case or
holding "%", was dropped and the book's total shown as the customer's."""
_NOT_SUBJECT = frozenset(
    [
        "we",
        "us",
        "i",
        "you",
        "they",
        "them",
        "it",
        "he",
        "she",
        "our",
        "my",
        "your",
        "their",
        "his",
        "her",
        "its",
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "each",
        "every",
        "all",
        "any",
        "other",
        "others",
        "some",
        "everyone",
        "anyone",
        "customers",
        "customer",
        "accounts",
        "account",
        "clients",
        "client",
        "logos",
        "companies",
        "company",
        "users",
        "subscribers",
        "payers",
        "people",
        "one",
        "ones",
        "total",
        "overall",
        "new",
        "existing",
        "active",
        "churned",
        "paying",
        "legacy",
        "modern",
        "billing",
        "system",
        "top",
        "bottom",
        "biggest",
        "largest",
        "smallest",
        "by",
        "per",
        "month",
        "months",
        "quarter",
        "quarters",
        "year",
        "years",
        "week",
        "weeks",
        "day",
        "days",
        "ytd",
        "qtd",
        "mtd",
        "region",
        "regions",
        "tier",
        "tiers",
        "segment",
        "segments",
    ]
)
"""Words that make a subject no customer's name: pronouns, determiners, populations."""


@lru_cache(maxsize=1)
def _lexicon_words(lexicon: Lexicon) -> frozenset[str]:
    """Words the lexicon's phrases use (the speller's `known` adds English words as well)."""
    from agent.offline.spelling import speller

    filters = {w for table in lexicon.entities.values() for phrase, _ in table for w in phrase}
    return frozenset(speller(lexicon).frequency) | filters


def _subject_names(text: str, lexicon: Lexicon) -> list[tuple[int, str]]:
    """(position, name) of the customers `_SUBJECT_NAME` finds: a subject or owner with a word
    the lexicon does not use (nor a slip of one), and no pronoun, period or population."""
    from agent.offline.spelling import speller

    spell = speller(lexicon)
    used = _lexicon_words(lexicon)
    found = []
    for match in _SUBJECT_NAME.finditer(text):
        group = "name" if match.group("name") else "owner"
        name = match.group(group).strip(" .")
        words = [w.strip(".'") for w in name.lower().split()]
        if any(w in _NOT_SUBJECT for w in words):  # a filter value alone ("emea", "north
            # america") is a word the lexicon uses, so no name: "north river labs" is one
            continue
        if any(re.fullmatch(_MONTH_NAME, w) or re.search(r"\d(?!\d*%$)", w) for w in words):
            continue  # "revenue for march 2026": a period; "top 10": a count; an id is read
            # as one (`customer_ids`); "100%" is a word of a name ("100% Juice Co")
        if any(w in _CALENDAR_WORDS for w in words):
            continue
        foreign = [w for w in words if w not in used and spell.word(w) is None]
        if foreign and (len(words) > 1 or not re.fullmatch(r"[a-z]{1,2}", words[0])):
            found.append((match.start(group), name))
    return found


@lru_cache(maxsize=1024)  # one message is read for names by the speller, the safety check,
def customer_names(text: str, lexicon: Lexicon) -> tuple[str, ...]:  # entities and metrics
    """Customers the text names by a name without a digit, as written (rt10 N-H1: a revenue
    file keyed "Globex Ltd", "DROP-F"): capitals joined by hyphens, or capitalised words after
    a word such as "of", "did" or "customer" of which one is a word the lexicon does not know
    or the last is a company word ("Ltd", "Corp"). The planner cannot look a name up, so
    the query compares it with the warehouse's ids (`_id_key`) and says when none matches.

    Examples:
        >>> customer_names("what was revenue of Globex Ltd in 2026?", lexicon)
        ('Globex Ltd',)
        >>> customer_names("is DROP-F declining?", lexicon)
        ('DROP-F',)
        >>> customer_names("revenue of Enterprise customers in EMEA in 2026", lexicon)
        ()
        >>> customer_names("Analyse how ACC-0937's revenue has developed", lexicon)
        ()
    """
    known = _not_names(lexicon)
    found: list[tuple[int, str]] = []
    for match in _CAPITAL_ID.finditer(text):
        head = match.group(1).split("-")[0].lower()
        if head not in _NOT_IDS:
            found.append((match.start(1), match.group(1)))
    for match in _COMPANY_NAME.finditer(text):  # "globex ltd": its words the lexicon lacks
        *words, company = match.group(1).split()
        while words and words[0] in known:
            words.pop(0)
        if words:
            name = " ".join([*words, company])
            found.append((match.start(1) + match.group(1).rfind(name), name))
    for match in _PROPER_NAME.finditer(text):
        name = re.sub(r"(?:'s|’s|[.'])$", "", match.group(1))
        words = name.lower().replace("&", " ").split()
        if not words or any(c.isdigit() for c in name) or _CAPITAL_ID.fullmatch(name):
            continue
        if any(re.fullmatch(_MONTH_NAME, w) or w in _CALENDAR_WORDS for w in words):
            continue  # "with August 2026" names a month
        if len(words) == 1 and len(words[0]) < 3:
            continue  # "did I", "for Q"
        opens = not match.group(0)[: match.start(1) - match.start(0)].strip()
        listed = text[match.end(1) :].lstrip().startswith(",")  # "Initech, Globex and …"
        if opens and len(words) == 1 and words[0] not in _COMPANY_WORDS and not listed:
            continue  # "Analyse how ACC-0937's revenue …": a first word is mostly a verb
        plain = [re.sub(r"['’.]", "", w) for w in words]  # as the tokenizer reads them
        start = match.start(1)
        while opens and len(plain) > 1 and plain[0] in known:  # "How's APAC looking": the
            start += name.index(name.split()[1], len(name.split()[0]))  # question's words
            name, words, plain = " ".join(name.split()[1:]), words[1:], plain[1:]
        industry = len(words) > 1 and words[-1] in _INDUSTRY_WORDS
        if words[-1] in _COMPANY_WORDS or industry or any(w not in known for w in plain):
            found.append((start, name))
    spans = [(start, start + len(name)) for start, name in found]
    for start, name in _subject_names(text, lexicon):  # lower case, or holding "%"
        if not any(a <= start < b or start <= a < start + len(name) for a, b in spans):
            found.append((start, name))
    return tuple(dict.fromkeys(name for _, name in sorted(found)))


def company_named(text: str, lexicon: Lexicon) -> str | None:
    """The one company the text names by a name of two words or more ending in a company or
    industry word ("Quiet Beacon Logistics", "Acme Corp"), else None: what a status question
    ("how is Quiet Beacon Logistics doing?") asks about.

    Examples:
        >>> company_named("how is Quiet Beacon Logistics doing?", lexicon)
        'Quiet Beacon Logistics'
        >>> company_named("how is Rome doing?", lexicon) is None
        True
    """
    names = customer_names(text, lexicon)
    if len(names) != 1:
        return None
    words = names[0].lower().split()
    last = words[-1] if words else ""
    return names[0] if len(words) >= 2 and last in _COMPANY_WORDS | _INDUSTRY_WORDS else None


def _named_account(name: str) -> tuple[str, str]:
    """The `asked` CTE holding `name`'s key, and the id column that says when no account has
    the name: the two parts of a lookup of one account by its name (`_named_join`)."""
    key = re.sub(r"[^A-Z0-9]", "", name.upper())
    shown = re.sub(r"[^\w .#&-]", "", name)
    found = f"coalesce(a.account_id, '{shown} (no account found)') AS account_id"
    return f"WITH asked(key) AS (VALUES ('{key}')) ", found


def _named_join() -> str:
    """The accounts whose name, with or without the demo's "#1265", has the asked key."""
    bare = _id_key(r"regexp_replace(a.name, '\s*#\s*\d+\s*$', '')")
    return (
        f"FROM asked LEFT JOIN accounts a ON {bare} = asked.key OR {_id_key('a.name')} = asked.key "
    )


def status_sql(name: str) -> str:
    """How one account named by its name is doing ("how is Quiet Beacon Logistics doing?",
    rt12 T-M1: refused as off-topic): its id, tier and region, its revenue in the latest
    month and the same month a year earlier, its leakage found so far, and its leakage risk
    level and decline level from the caches; a name no account has gets one row saying
    so. The name is matched as `_is_named` matches it (with or without the demo's "#1265").
    Revenue is the latest month's (the period columns) and that month a year earlier; the
    leakage is every finding so far, as detect_leakage sums them."""
    asked, found = _named_account(name)
    year_ago = _shift(LATEST, -12)
    return (
        f"{asked}SELECT {found}, a.name, a.tier, a.region, "
        "(SELECT round(sum(r.net_revenue), 2) FROM monthly_revenue r WHERE r.account_id = "
        f"a.account_id AND r.month = {LATEST}) AS net_revenue, "
        "(SELECT round(sum(r.net_revenue), 2) FROM monthly_revenue r WHERE r.account_id = "
        f"a.account_id AND r.month = {year_ago}) AS revenue_a_year_before, "
        "(SELECT round(sum(d.amount), 2) FROM detected_leakage d WHERE d.account_id = "
        "a.account_id) AS detected_leakage, s.risk_level, t.decline_level, "
        f"{_as_months(period_start=LATEST, period_end=LATEST)} "
        f"{_named_join()}LEFT JOIN leakage_scores s ON s.account_id = a.account_id "
        "LEFT JOIN trend_metrics t ON t.account_id = a.account_id ORDER BY 1 LIMIT 5"
    )


def book_name(name: str) -> bool:
    """Whether `name` has the shape of the book's account names: its last word names a line
    of business (`_INDUSTRY_WORDS`: "Quiet Beacon Logistics"), not a legal form ("Northwind
    Quarry Partners", "Acme Corp"), whose holder the planner cannot tell from another
    company's.

    Examples:
        >>> book_name("Quiet Beacon Logistics"), book_name("Northwind Quarry Partners")
        (True, False)
    """
    words = name.lower().split()
    return len(words) >= 2 and words[-1] in _INDUSTRY_WORDS


def factors_sql(name: str) -> str:
    """Why one account named by its name is scored as it is ("why does Quiet Beacon Logistics
    look risky to the model?", holdout15: asked which account): its id, its leakage risk
    level and probability, the factors behind the score and the recommended action, from the
    scores cache; the name is matched as `status_sql` matches it, and a name no account has
    gets one row saying so."""
    asked, found = _named_account(name)
    return (
        f"{asked}SELECT {found}, a.name, a.tier, s.risk_level, s.leakage_probability, "
        "s.predicted_leakage_type, s.expected_monthly_loss, s.top_factors, "
        f"s.recommended_action {_named_join()}"
        "LEFT JOIN leakage_scores s ON s.account_id = a.account_id ORDER BY 1 LIMIT 5"
    )


def without_names(text: str, lexicon: Lexicon) -> str:
    """`text` with the customer names it holds blanked: the "drop" of "DROP-F" is no trend
    word and no metric."""
    for name in customer_names(text, lexicon):
        text = text.replace(name, " ")
    return text


_ACC_ID = re.compile(r"\bacc[\s#_-]*\d+", re.IGNORECASE)
"""An ACC account id in any typed form ("ACC000042", "acc 42"), as agent/offline/sqlgen.py
reads it."""


def named_customers(text: str, lexicon: Lexicon | None = None) -> tuple[str, ...]:
    """Every customer the text names, in the order named: ACC ids as the warehouse spells them
    and the other ids as written (`customer_ids`). A question naming two or more ("revenue of
    ACC000042 and CUST-001 in 2026") is answered one row per customer here (rt9 N3); one ACC
    id alone is agent/offline/sqlgen.py's.

    Examples:
        >>> named_customers("what was revenue of acc42 and CUST-001 in 2026?")
        ('ACC000042', 'CUST-001')
    """
    found = [(m.start(), normalise_account_id(m.group(0))) for m in _ACC_ID.finditer(text)]
    lowered = text.lower()
    found += [(lowered.find(name.lower()), name) for name in customer_ids(text)]
    if lexicon is not None:  # names without a digit ("Globex Ltd", "DROP-F")
        found += [(text.find(name), name) for name in customer_names(text, lexicon)]
    return tuple(dict.fromkeys(name for _, name in sorted(found)))


def _several(text: str, lexicon: Lexicon | None = None) -> tuple[str, ...]:
    """The customers `text` names when it names two or more, else ()."""
    named = named_customers(text, lexicon)
    return named if len(named) >= 2 else ()


def _id_key(expression: str) -> str:
    """`expression` as an id compares: upper case, letters and digits only ("cust 001",
    "CUST-001" and "cust001" name one customer)."""
    return f"regexp_replace(upper({expression}), '[^A-Z0-9]', '', 'g')"


def _is_named(column: str, keys: str) -> str:
    """The condition that `column` (an account id) is one of the customers whose keys (see
    `_id_key`) are `keys` (SQL values): by its id, or by its account's name, with or without
    the "#528" the demo book ends names with (rt12 T-H1: "how much did Green Grove Systems
    generate last year?" found no revenue; the name is ACC000528's)."""
    name = _id_key(r"regexp_replace(name, '\s*#\s*\d+\s*$', '')")
    return (
        f"({_id_key(column)} IN ({keys}) OR {column} IN (SELECT account_id FROM accounts "
        f"WHERE {name} IN ({keys}) OR {_id_key('name')} IN ({keys})))"
    )


def _id_values(name: str) -> list[str]:
    """The keys (see `_id_key`) an id the text names may have in the warehouse: as written,
    and a number also as the account id it names ("customer 42": 42 or ACC000042)."""
    keys = [re.sub(r"[^A-Z0-9]", "", name.upper())]
    if name.isdigit():
        keys.append(normalise_account_id(name))
    return [f"'{key}'" for key in keys]


_ORDINAL_PERIOD = re.compile(
    r"\b(?:the\s+)?(first|1st|second|2nd|third|3rd|fourth|4th|last)\s+(quarter|half)"
    r"(?=\s+(?:of\s+)?(?:this|last|the|previous|20\d\d)\b|\s*[,?.!]|\s+(?:and|with|on|for)\b|\s*$)"
)
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4}


def _ordinal_periods(lowered: str) -> str:
    """Quarters and halves in words as their short names ("the first quarter" -> "q1", "the
    second half of last year" -> "h2 of last year"), so one reading serves both; "the last
    quarter" stays a relative period.

    Examples:
        >>> _ordinal_periods("findings in the second half of last year")
        'findings in h2 of last year'
        >>> _ordinal_periods("the first quarter, and on which account?")
        'q1, and on which account?'
    """

    def short(match: re.Match[str]) -> str:
        which, kind = match.group(1), match.group(2)
        number = _ORDINALS.get(which.replace("4th", "fourth"))
        if number is None or (kind == "half" and number > 2):
            return match.group(0)
        return f"{kind[0]}{number}"

    return _ORDINAL_PERIOD.sub(short, lowered)


_FISCAL_YEAR = re.compile(
    r"\b(?:fy|fiscal(?:\s+year)?)\s*['’]?\s*(?:(20\d\d)|(\d\d))\b", re.IGNORECASE
)
"""A fiscal year written short ("FY2025", "FY25", "fiscal 2025"): the calendar year, as "for
FY 2025" already reads (rt13 U-M3: "revenue for FY2025" got the declining customers)."""


def _fiscal_years(text: str) -> str:
    """`text` with a short fiscal year written as "fy 2025" (`_FISCAL_YEAR`).

    Examples:
        >>> _fiscal_years("revenue for FY2025 and fy26")
        'revenue for fy 2025 and fy 2026'
    """
    return _FISCAL_YEAR.sub(lambda m: f"fy {m.group(1) or '20' + m.group(2)}", text)


def read_period(text: str) -> Period | None:
    """The period a question names, anchored on the data's latest month (see the module
    docstring); None when it names none.

    Examples:
        >>> read_period("revenue in March 2026")
        Period(start="DATE '2026-03-01'", end="DATE '2026-04-01'")
        >>> read_period("by tier") is None
        True
        >>> read_period("revenue from May 2026 to Aug 2026").start
        "DATE '2026-05-01'"
    """
    text = _fiscal_years(text)
    lowered = _ordinal_periods(text.lower())
    after = _shift(LATEST, 1)
    if match := _N_MONTHS.search(lowered):
        count = match.group(1)
        return Period(_shift(LATEST, 1 - int(NUMBER_WORDS.get(count) or count)), after)
    if (match := _N_DAYS.search(lowered)) and (months := round(int(match.group(1)) / 30.4)):
        return Period(_shift(LATEST, 1 - months), after)  # "the last 90 days": 3 months
    stated = tool_months(text)
    if "since" in stated and "until" in stated:  # "from May 2026 to Aug 2026", "Mar-Jun 2026"
        return Period(f"DATE '{stated['since']}-01'", _shift(f"DATE '{stated['until']}-01'", 1))
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
                "month_before_last": Period(_shift(LATEST, -1), LATEST),
            }[name]
    when, _ = named_period(lowered)
    if when is not None:
        end = f"DATE '{when[1]}'" if when[1] else after  # "since 2030": to the data's end
        return Period(f"DATE '{when[0]}'", end)
    return None


def relative_period(lowered: str) -> tuple[tuple[str, str] | None, str]:
    """([start, end) of the period `lowered` names relative to the data, as SQL date
    expressions (`read_period`), and the text without the numbers that named it ("last 3
    months"), for agent/offline/sqlgen.py: "how many invoices did we issue last quarter?" is
    counted over that quarter, never over all time. (None, `lowered`) when it names none.

    Examples:
        >>> relative_period("failed payments last 3 months")[1].split()
        ['failed', 'payments']
    """
    found = read_period(lowered)
    if found is None:
        return None, lowered
    rest = lowered
    for pattern in (_N_MONTHS, _N_DAYS, _SINCE, _MONTH_ALONE, _QUARTER, _HALF):
        rest = pattern.sub(" ", rest)
    return (found.start, found.end), rest


def parse(text: str, lexicon: Lexicon) -> MetricSpec:
    """The metric question in `text`, possibly partial (a follow-up names what changes). A
    cohort ("customers that signed up in 2025", `_cohort`) is a filter on the accounts, and
    its period is not the period of the question (rt14 V-H3)."""
    if (cohort := _cohort(text)) is not None:
        rest, condition = cohort
        spec = _parse(rest, lexicon)
        if spec.metric not in (None, "signups"):
            if spec.period is None and not spec.periods and spec.group is None:
                spec = replace(spec, period=_ALL_MONTHS, group="year")  # what they billed
            return replace(spec, filters=(*spec.filters, condition))  # each year since
    return _parse(text, lexicon)


def _parse(text: str, lexicon: Lexicon) -> MetricSpec:
    vocab = words(lexicon)
    tokens = tokenize(without_names(text, lexicon))
    metric = _first(tokens, vocab.metrics)
    if metric is None and _bills(tokens, vocab):
        metric = "revenue"  # "how much did CUST-001 bill this year?" (rt10 N-M1)
    if metric == "revenue" and _first(tokens, _named(vocab, "movements")):
        metric = "movements"  # "customers we billed …, how many billed less?": the movement
    lowered = text.lower()
    leak_share = (
        metric in (None, "revenue", "leakage")
        and re.search(r"\bleak", lowered) is not None
        and _LEAK_SHARE.search(lowered) is not None
    )
    if leak_share:  # "what percentage of revenue is leaking?": leakage over revenue
        metric = "leakage"
    if (
        metric == "revenue"
        and _asks_lost_revenue(tokens)
        and _first(tokens, _named(vocab, "churn"))
    ):
        metric = "churn"  # "how much MRR did we lose to churn?": what the churned accounts
        # billed in their last month, not the book's MRR (rt13 U-H5)
    line = line_metric(tokens, lexicon)
    # "overage revenue billed in 2026": its invoice lines (rt14 V-H2, V-H7); "how many
    # invoices had a service credit?" counts invoices (agent/offline/sqlgen.py)
    amount = line == "overdue" or metric is not None or not _COUNTS_ROWS.search(lowered)
    if metric in (None, "revenue", "discounts", "receivables") and line is not None and amount:
        metric = line
    group = _grouped_by(tokens, vocab)
    filters = tuple(dict.fromkeys(c for p, c in vocab.filters if find_phrase(tokens, p) >= 0))
    compared: tuple[Period, ...] = read_periods(text)
    if group is None and compared:  # "Q3 signups vs Q2": one row per period
        group = (
            "half"
            if _HALF.search(text.lower()) and not _QUARTER.search(text.lower())
            else "quarter"
        )
    months = compared_months(text)
    if months and group in (None, "month"):  # "Sep 2026 vs Aug 2026": one row per month
        group, compared = "month", months
    columns = [condition.split(" = ")[0] for condition in filters]
    several = next((c for c in dict.fromkeys(columns) if columns.count(c) > 1), None)
    values: tuple[str, ...] = ()
    if several is not None and group in (None, several):  # "legacy vs core": one row each
        group = several
        values = tuple(f for f in filters if f.startswith(f"{several} = "))
        filters = tuple(f for f in filters if f not in values)
    period = read_period(text)
    customers = named_customers(text, lexicon)
    grew = _grew_by(lowered, metric, group, customers)
    if grew:  # "which tier grew fastest this year?": each tier's revenue against the same
        metric = "revenue"  # months before (rt13 U-M3: the leakage overview answered)
    if (
        metric == "revenue"
        and group is None
        and not customers
        and _BY_MONTH.search(lowered)
        and (period is not None or "monthly" in lowered)  # "can you look at revenue trends?"
        and not _POINTER.search(lowered)  # "… for the first customer on that list": its own
        and not has_phrase(tokens, (("how", "much"), *_LOST))  # an amount, not its months
    ):
        group = "month"  # "show me the monthly revenue trend for 2026": a row per month
    if metric is None and _ONE_BIGGEST.search(lowered) and not customers:
        metric = "revenue"  # "what's our biggest customer?": by revenue this year (rt13 U-M3)
        period = period or read_period("this year")
    if (
        metric is None
        and _PERFORMED.search(lowered)
        and (period is not None or compared)
        and (filters or group or values or _COMPARED.search(lowered))
    ):  # "how did APAC do last quarter vs the quarter before?" (rt12 T-H9), "how did we do
        metric = "revenue"  # this year vs last year?": the part's (the book's) revenue
    if compared and group in ("month", "quarter", "half"):
        starts, ends = ", ".join(p.start for p in compared), ", ".join(p.end for p in compared)
        period = Period(f"least({starts})", f"greatest({ends})")
    changes = has_phrase(tokens, vocab.changes)
    if (
        changes
        and group is None
        and has_phrase(tokens, (("month", "over", "month"), ("month", "on", "month"), ("mom",)))
    ):
        group = "month"  # "how did revenue change month over month?"
    rank, ascending = read_rank(text)
    share = read_share(text)
    if metric is None and share and (rank or filters or group or customers):
        metric = "revenue"  # "what share do the top 10 customers make up?": of revenue
    comparable = metric in (None, "revenue", "leakage")  # "leakage this year vs last year"
    against = read_compared(text) if comparable and group not in _PERIODS else None
    if against is not None:  # "this year vs last year": the first, compared with the second
        period = against[0]
    if grew and against is None and months_back(text) is None:
        now = period or read_period("this year")
        year_ago = period is None or _YEAR_AGO.search(lowered) is not None
        if now is not None:  # a year to date against the same months a year earlier, else
            against = (now, _shifted(now, 12 if year_ago else 0))  # the months just before
            period = now
    back = months_back(text) if against is None else None
    if back is not None:  # "how does that compare with last year?": the thread's period, back
        period = read_period(_without_back(text))
    if back == 12 and period is None and metric == "revenue" and _YEAR_ON_YEAR.search(text.lower()):
        this_year = read_period("this year")  # "revenue growth year over year": this year so
        if this_year is not None:  # far against the same months of last year (rt11 R-H3)
            against, back, period = (this_year, _shifted(this_year, 12)), None, this_year
    peak = read_peak(text) if not customers else None
    if peak is not None and group not in (None, peak[0]):  # "which month …": split by it too
        peak = None
    if peak is not None and metric in (None, "revenue") and rank is None:
        metric, group, ascending = "revenue", peak[0], peak[1]  # "which month had the most
        # revenue?": each month, the largest first (rt13 U-H6)
    leakage_type = _first(tokens, lexicon.entities.get("leakage_type", ()))
    if group == "billing_system" and leakage_type == "Billing_System_Error":
        leakage_type = None  # "leakage by billing system": the dimension, not the type
    if metric is None and leakage_type and rank and has_phrase(tokens, vocab.ranked_leakage):
        metric = "leakage"  # "which customers lost us the most to failed payments?"
    per_account_rows = metric in ("revenue", "leakage") and not leak_share
    threshold = read_threshold(text) if per_account_rows else None
    return MetricSpec(
        metric=metric,
        group=group,
        period=period,
        filters=filters,
        monthly=has_phrase(tokens, vocab.monthly),
        customers=customers,
        rank=rank,
        ascending=ascending,
        periods=tuple(compared) if group in ("month", "quarter", "half") else (),
        changes=changes or bool(compared),
        lists=has_phrase(tokens[:2], vocab.lists) and re.search(_WHO, text.lower()) is not None,
        per_account=(has_phrase(tokens, vocab.per_account) or bool(_AVERAGE_PER.search(lowered)))
        and not _EACH_ACCOUNT.search(lowered),
        counted=metric == "revenue" and has_phrase(tokens, vocab.counted),
        leakage_type=leakage_type if metric == "leakage" else None,
        lost_revenue=metric == "churn" and _asks_lost_revenue(tokens),
        share=(share and metric in (None, "revenue")) or leak_share,
        values=values,
        compared=against[1] if against else None,
        back=back,
        each_account=per_account_rows
        and (threshold is not None or _EACH_ACCOUNT.search(lowered) is not None),
        threshold=threshold,
        rate=metric == "churn" and _RATE.search(lowered) is not None,
        peak=peak is not None and metric == "revenue" and group == (peak or ("",))[0],
        overdue_days=_days_overdue(lowered) if metric == "overdue" else None,
    )


_COUNTS_ROWS = re.compile(r"\b(?:how many|number of|count|which|list|show)\b")
"""A question that counts or lists rows ("how many invoices had a service credit?"): not an
amount of invoice lines."""

_AVERAGE_PER = re.compile(
    r"\b(?:average|avg|mean|typical)\b.*\bper\s+(?:[a-z][\w-]*\s+){1,2}"
    r"(?:accounts?|customers?|clients?)\b"
)
"""An average per account with a filter between ("average revenue per Enterprise account",
rt14 V-H4: the Enterprise total was answered as the average)."""

_COHORT = re.compile(
    r"\b(?:customers?|accounts?|clients?|logos?)\s+(?:that|who|which)\s+(?:have\s+|had\s+)?"
    r"(?:signed\s+up|joined(?:\s+us)?|onboarded|were\s+onboarded|were\s+acquired|came\s+on\s+board"
    r"|signed\s+on|started)\s+"
    r"((?:in|during)\s+(?:(?:q[1-4]|h[12]|[a-z]{3,9})\s+(?:of\s+)?)?(?:19|20)\d\d\b"
    r"|(?:in\s+|during\s+)?(?:this|last)\s+(?:year|quarter))"
)
"""Accounts named by when they signed up ("customers that signed up in 2025"): a cohort,
whose period says which accounts, not which months of revenue (rt14 V-H3)."""


def _cohort(text: str) -> tuple[str, str] | None:
    """(`text` without the cohort's period, the filter on the accounts' signup date) of a
    question about a cohort ("how much revenue comes from customers that signed up in
    2025?"); None without one.

    Examples:
        >>> _cohort("how much revenue comes from customers that signed up in 2025?")[1]
        "signup_date >= DATE '2025-01-01' AND a.signup_date < DATE '2026-01-01'"
    """
    match = _COHORT.search(text.lower())
    if match is None:
        return None
    period = read_period(match.group(1))
    if period is None:
        return None
    rest = text[: match.start()] + "customers" + text[match.end() :]  # no period of its own
    return rest, f"signup_date >= {period.start} AND a.signup_date < {period.end}"


_DAYS_OVERDUE = re.compile(
    r"\b(?:more\s+than|over|above|at\s+least|beyond|by\s+more\s+than|by\s+over|>\s*)\s*"
    r"(\d{1,3})\s*\+?\s*days?\b|\b(\d{1,3})\s*\+\s*days?\b"
)


def _days_overdue(lowered: str) -> int:
    """The days past due a question asks about ("more than 60 days overdue", "90+ days past
    due"); 0 (any invoice past its due date) when it names none."""
    match = _DAYS_OVERDUE.search(lowered)
    return int(match.group(1) or match.group(2)) if match else 0


_GREW = re.compile(
    r"\b(?:grew|grown|growing|grow|grows|growth|expanded|expanding)\b"
    r"(?=.*\b(?:fastest|most|quickest|best|biggest|largest|highest)\b)"
    r"|\b(?:fastest|quickest|biggest|largest|highest|most)\b(?:\s+\w+)?\s+(?:growth|growing)\b"
)
"""A ranking by growth ("which tier grew fastest", "the region with the most growth")."""
_BY_MONTH = re.compile(
    r"(?<!average )\bmonthly\s+(?:net\s+)?revenue\b(?!\s+per\b)"
    r"|\brevenue\s+(?:trend|over\s+time|month\s+by\s+month)"
    r"|\btrend\s+(?:of|in|for)\s+(?:our\s+|the\s+|total\s+)?revenue\b"
)
"""Revenue asked month by month ("monthly revenue for 2026", "the revenue trend this year")."""
_POINTER = re.compile(
    r"\b(?:its|it|their|his|her|them|those|these|that one|this one)\b"
    r"|\b(?:first|second|third|fourth|fifth|last|top|next|\d+(?:st|nd|rd|th))\s+"
    r"(?:one|customer|account|client)\b|\b(?:that|this|the)\s+(?:list|customer|account|client)\b"
)
"""A pronoun for an account the thread named ("show its revenue trend"): its own tools'."""
_ONE_BIGGEST = re.compile(
    r"\b(?:biggest|largest|top|most valuable|best)\s+(?:single\s+)?(?:customer|account|client)\b"
    r"(?!\s*(?:s\b|'s|by\b))"
)
"""One biggest customer asked with no measure ("what's our biggest customer?"): by revenue."""


def _grew_by(lowered: str, metric: str | None, group: str | None, customers: Sequence[str]) -> bool:
    """Whether the message ranks a dimension's values by revenue growth ("which tier grew
    fastest this year?"), naming no metric of its own."""
    if metric not in (None, "revenue") or group not in _ACCOUNT_DIMENSIONS or customers:
        return False
    return _GREW.search(lowered) is not None


_HOW_MUCH = (("how", "much"), ("what", "did"), ("what", "does"), ("what", "has"))
"""How a message asks for an amount ("how much did …", "what did ACC1 earn us …")."""
_LOST = (("lose",), ("lost",), ("losing",), ("cost",), ("costs",))
_REVENUE_WORDS = (("revenue",), ("mrr",), ("money",), ("income",), ("billings",))


def _asks_lost_revenue(tokens: list[str]) -> bool:
    """Asks what churn cost ("… and how much monthly revenue did we lose with them?")."""
    return has_phrase(tokens, _LOST) and has_phrase(tokens, _REVENUE_WORDS)


def _bills(tokens: list[str], vocab: MetricWords) -> bool:
    """Asks how much a customer was billed ("how much did CUST-001 bill this year?"): the
    revenue it brought in, not its risk or trend (rt10 N-M1)."""
    return has_phrase(tokens, _HOW_MUCH) and has_phrase(tokens, vocab.billed)


def _grouped_by(tokens: list[str], vocab: MetricWords) -> str | None:
    """The dimension the message groups by ("by region", "per tier"), else None."""
    for phrase, dimension in vocab.dimensions:
        index = find_phrase(tokens, phrase)
        if index >= 1 and has_phrase(tokens[max(index - 2, 0) : index], vocab.group_words):
            return dimension
        if 1 <= index <= 2 and tokens[index - 1] in _WHICH:  # "which region has the most
            return dimension  # leakage?": one row per region, ranked (rt12 T-M2)
    return None


_WHICH = frozenset(["which", "what"])


def _named(vocab: MetricWords, metric: str) -> tuple[tuple[Phrase, str], ...]:
    """The phrases that name `metric`."""
    return tuple(pair for pair in vocab.metrics if pair[1] == metric)


def _first(tokens: list[str], table: Sequence[tuple[Phrase, str]]) -> str | None:
    best: tuple[int, str] | None = None
    for phrase, value in table:
        index = find_phrase(tokens, phrase)
        if index >= 0 and (best is None or index < best[0]):
            best = (index, value)
    return best[1] if best else None


_TOOL_FILTERS = ("region = ", "tier = ")
"""Filters the leakage tools apply themselves ("leakage in EMEA": detect_leakage's region)."""


_LIST_ASKS = (("which", "customers"), ("which", "accounts"), ("which", "clients"), ("who",))
"""Blockers that ask for a list: the tools' lists for a forecast, the warehouse's for churn."""
_RECORDED_LISTS = ("churn", "expired_cards", "late_payments", "failed_payments")
"""Metrics whose "which accounts …" lists what the records hold, not a forecast."""


def applies(text: str, lexicon: Lexicon) -> bool:
    """Whether `text` is a metric question this module writes: a metric, no blocker word
    (a prediction, a trend, one account), and a dimension, a period or a metric only the
    warehouse can compute (churned accounts, NRR, DSO, seat utilisation, signups)."""
    vocab = words(lexicon)
    tokens = tokenize(without_names(text, lexicon))
    # "biggest first" orders the rows of a grouped question ("leakage per region, biggest
    # first") as it picks the top of a ranked one
    spec = parse(text, lexicon)
    ranked = (
        read_rank(text)[0] is not None
        or _grouped_by(tokens, vocab) is not None
        or spec.each_account  # "which accounts had revenue over $50k?": a row each
    )
    blockers = [b for b in vocab.blockers if not (ranked and b in vocab.rank_words)]
    several = bool(_several(text, lexicon))  # "revenue of ACC000042 and CUST-001": a row each
    one_account = _ACC_ID.search(text) is not None and not several and not _bills(tokens, vocab)
    book_months = spec.metric == "revenue" and spec.group == "month"
    if book_months and _BY_MONTH.search(text.lower()) and not _POINTER.search(text.lower()):
        blockers = [b for b in blockers if b[0] not in ("trend*", "trends")]  # "the revenue
        # trend for 2026": the book's months; "its revenue trend" is the account's tool's
    if spec.metric in _RECORDED_LISTS:  # "which customers churned last quarter?" asks what
        blockers = [b for b in blockers if b not in _LIST_ASKS]  # happened, no forecast (rt11
        # R-M2); "which accounts have expired cards?" what the records hold (rt12 T-M5)
    if spec.metric == "leakage" and spec.share:  # "what share of revenue did we lose to
        blockers = [b for b in blockers if b[0] not in ("lose", "lost", "losing")]  # leakage?"
    if has_phrase(_asked(tokens), blockers):
        return False
    if lexicon.intents["off_topic"].score(tokens, set()) >= _OFF_TOPIC:  # "a poem about churn"
        return False
    if spec.metric is None:
        return False
    if spec.metric == "revenue" and lost_to_type(text, lexicon):
        return False  # "how much did we lose from downgrades?": that type's findings
    if one_account:  # one account's revenue over a period the data anchors ("in H1", "last
        # year"): a sum here; with its year ("in 2026") agent/offline/sqlgen.py writes it;
        # anything else about one account is its own tools' (its trend)
        relative = spec.period is not None and named_period(text.lower())[0] is None
        # "revenue of ACC001446 in 2025 vs 2024": two periods of its revenue, a row each
        compared = spec.compared is not None or bool(spec.periods)
        return spec.metric == "revenue" and (
            (relative and spec.group is None) or (compared and spec.back is None)
        )
    if spec.metric == "leakage":  # leakage by type or tier, or of a month: the domain tools
        return (
            spec.group not in (None, "tier")
            or any(not f.startswith(_TOOL_FILTERS) for f in spec.filters)  # "legacy": no tool
            or (spec.group == "tier" and spec.period is not None)
            or (spec.rank is not None and has_phrase(tokens, vocab.ranked_leakage))
            or spec.share  # "what percentage of revenue is leaking?" (rt12 T-M3)
            or spec.each_account  # "accounts with leakage over $10k in 2026": a row each
            or spec.compared is not None  # "leakage this year vs last year" (rt14 V-H5)
        )  # "top 5 accounts by detected leakage": per account; "3 biggest leaking": the tools
    if spec.customers and spec.metric != "revenue":
        return False  # one customer's churn or NRR: no query here names its id
    ranks_or_averages = spec.rank is not None or spec.per_account or spec.each_account
    return bool(
        spec.group
        or spec.period
        or spec.metric in vocab.standalone
        or ranks_or_averages
        or several
        or spec.share
        # "how much revenue comes from the legacy billing system?": revenue of a part of the
        # book (rt12 T-H7 answered it with leakage, "… from Enterprise?" with risk scores)
        or (spec.metric == "revenue" and bool(spec.filters) and _PART_AMOUNT.search(text))
    )


_PART_AMOUNT = re.compile(
    r"^(?!.*\b(?:how many|number of|count)\b)"
    r"(?=.*\b(?:how much|total)\b).*\brevenues?\b",
    re.IGNORECASE | re.DOTALL,
)
"""An amount of revenue asked ("how much revenue comes from the legacy billing system?"),
not a count of accounts ("how many Enterprise accounts are billed through legacy?"), a
forecast ("whose revenue looks set to halve") or MRR at risk ("how much MRR is exposed")."""


def compares_only(text: str, lexicon: Lexicon) -> bool:
    """Whether `text` asks only to compare periods, naming no metric of its own ("how does
    this month compare to last month?", "and against a year ago?"): a follow-up of the
    thread's metric question, compared."""
    spec = parse(text, lexicon)
    # "compare Q3 2026 to Q2 2026", "Sep 2026 vs Aug 2026": two periods named, a row each
    periods = len(spec.periods) >= 2
    return spec.metric is None and (spec.compared is not None or spec.back is not None or periods)


def compared_revenue(text: str, lexicon: Lexicon) -> str | None:
    """The query for a message that only compares periods (`compares_only`) as a question of
    its own: revenue's. None for any other message.

    Examples:
        >>> "compared_start" in compared_revenue("how does this month compare to last month?",
        ...                                       lexicon)
        True
    """
    if not compares_only(text, lexicon):
        return None
    return to_sql(fold(MetricSpec(metric="revenue"), parse(text, lexicon)))


def _asked(tokens: Sequence[str]) -> list[str]:
    """`tokens` without a relative "who" ("the APAC customers who stopped paying"): only the
    question word "who" ("who are our biggest customers?") asks for another reading."""
    return [
        token
        for i, token in enumerate(tokens)
        if not (token == "who" and i > 0 and re.fullmatch(_WHO, tokens[i - 1]))
    ]


_PARTS = re.compile(r"\s*(?:;|,?\s+and\s+(?:also\s+)?|,?\s+plus\s+|,?\s+as well as\s+)\s*")


def parts(text: str, lexicon: Lexicon) -> tuple[str, ...]:
    """The clauses of a message that asks two or more metric questions at once ("revenue by
    tier and churn by region"), each a question of its own with its own metric; () when it
    asks one (a clause without a metric of its own, "revenue by tier and region", narrows).

    Examples:
        >>> parts("revenue by tier and churn by region", lexicon)
        ('revenue by tier', 'churn by region')
        >>> parts("revenue by tier and region", lexicon)
        ()
    """
    clauses = [c for c in _PARTS.split(text.strip().rstrip("?.!")) if c]
    if len(clauses) < 2 or parse(text, lexicon).metric == "gross_revenue":
        return ()  # "gross revenue before discounts and credits" is one measure
    named = [parse(clause, lexicon).metric for clause in clauses]
    if None in named or len(set(named)) < len(named):
        return ()
    if not all(applies(clause, lexicon) for clause in clauses):
        return ()
    return tuple(clauses)


def fold(earlier: MetricSpec, later: MetricSpec) -> MetricSpec:
    """`later` as a follow-up of `earlier` ("and by region?", "and last year?"): each field the
    later question sets, else the earlier one's; the order of a ranking and the periods
    compared go with the ranking and the period they belong to."""
    folded = {f.name: getattr(later, f.name) or getattr(earlier, f.name) for f in fields(later)}
    folded |= {
        "ascending": later.ascending if later.rank or later.peak else earlier.ascending,
        "periods": later.periods if later.period else earlier.periods,
        "compared": later.compared if later.period else earlier.compared,
    }
    revenue = (later.metric or earlier.metric) == "revenue" and earlier.group not in _PERIODS
    if later.back is not None and later.period is None and revenue and not earlier.periods:
        now = earlier.period or _LATEST_MONTH  # "how does that compare with a year ago?"
        folded |= {"period": now, "compared": _shifted(now, later.back), "back": None}
    return MetricSpec(**folded)


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
    complete = [applies(question, lexicon) for question in questions]
    if not complete[-1]:
        later = parse(questions[-1], lexicon)
        asks_more = later.back is not None or later.share  # "… compare with a year ago?"
        if not any(complete[:-1]) or not (
            later.group or later.period or later.filters or asks_more
        ):
            return None
    fresh = [i for i, q in enumerate(questions) if complete[i] and not _POINTS_BACK.search(q)]
    start = fresh[-1] if fresh else 0
    spec = MetricSpec()
    for question, own in zip(questions[start:], complete[start:], strict=True):
        if own or spec.metric is not None:
            spec = fold(spec, parse(question, lexicon))
    sql = to_sql(spec)
    last = questions[-1].lower()
    if sql and spec.compared and spec.group and _GREW.search(last) and "pct_revenue_change" in sql:
        sql = f"SELECT * FROM ({sql}) AS compared ORDER BY pct_revenue_change DESC NULLS LAST"
    return sql


_POINTS_BACK = re.compile(
    r"^\W*(?:and|also|plus|so|ok|okay|now|then|what about|how about|same)\b"
    r"|\b(?:those|these|them|they|their|that list|the same)\b",
    re.IGNORECASE,
)
"""A question that builds on the thread's ("and by region?", "how many of those churned?"):
the folding goes back past it. A question complete on its own that points at nothing starts
the fold afresh: "which accounts are leaking the most?" after "what share of revenue comes
from Enterprise this year?" keeps none of that question's period (rt11 R-H1 in a longer
thread)."""


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
    if group == "year":
        return f"strftime({month_expression}, '%Y') AS year, ", " GROUP BY 1", " ORDER BY 1"
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


_EQUALS = re.compile(r"^(?:\w+\.)?(\w+) = '([\w .&/-]+)'$")
"""A filter on one value of a column ("tier = 'Enterprise'"), as the queries write them."""


def filtered_to(filters: Sequence[str], name: str = "filtered_to") -> str:
    """The column that names the filters a query applies on one value of a column ("tier
    Enterprise"), so the answer says whose figures they are (rt10 N-H4, N-L2); "" without.
    `name`: the column's name (a share names its part: `share_of`).

    Examples:
        >>> filtered_to(["tier = 'Enterprise'", "region = 'EMEA'"])
        ", 'tier Enterprise; region EMEA' AS filtered_to"
    """
    matched = [m for f in filters if (m := _EQUALS.match(f.strip())) is not None]
    cohorts = [m for f in filters if (m := _SIGNED_UP.match(f.strip())) is not None]
    if not matched and not cohorts:
        return ""
    named = "; ".join(f"{m.group(1).replace('_', ' ')} {m.group(2)}" for m in matched)
    if not cohorts:
        return f", '{named}' AS {name}"
    parts = [f"'{named}; '"] if named else []
    for m in cohorts:  # "accounts that signed up 2025-01 to 2025-12" (rt14 V-H3)
        first, last = m.group(1), _month_before(m.group(2))
        parts.append(
            f"'accounts that signed up ' || strftime({first}, '%Y-%m') || CASE WHEN "
            f"{first} < {last} THEN ' to ' || strftime({last}, '%Y-%m') ELSE '' END"
        )
    return f", {' || '.join(parts)} AS {name}"


_SIGNED_UP = re.compile(r"^signup_date >= (.+) AND a\.signup_date < (.+)$")
"""A cohort filter (`_cohort`): the accounts that signed up in [start, end)."""


def _as_months(**columns: str) -> str:
    """Each date expression as a 'YYYY-MM' column of its name (the answer's period columns).

    Examples:
        >>> _as_months(period_start="DATE '2026-01-01'")
        "strftime(DATE '2026-01-01', '%Y-%m') AS period_start"
    """
    return ", ".join(f"strftime({expr}, '%Y-%m') AS {name}" for name, expr in columns.items())


def _month_before(end: str) -> str:
    """The last month of a period that ends (exclusive) at `end`."""
    return f"CAST({end} - INTERVAL 1 MONTH AS DATE)"


_DATA_SPAN = _as_months(data_from=EARLIEST, data_to=LATEST)
"""The first and last month of the data, beside a period (to say what it could cover)."""


def _span(start: str, end: str) -> str:
    last = f"least({_month_before(end)}, {LATEST})"
    return f"{_as_months(period_start=start, period_end=last)}, {_DATA_SPAN}"


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
    currency: str | None = None,
    change: str | None = None,
    extra: Sequence[str] = (),
    keys: Sequence[tuple[str, str, str]] = (),
) -> str:
    """The query every period measure shares: `value` (and the period's span) over `source`
    in the spec's period (else `default`) and filters, grouped and sorted by `_select`.
    `within` is the period condition on its own column ("{start}"/"{end}" filled in): by
    default `_in` on `month_expression`; compared periods ("Sep vs Aug") keep only theirs.
    `prefix` holds the CTEs the source reads. `currency`: the amounts' currency column,
    grouped by, so no total adds two currencies. `change` (an aggregate): each period row's
    change on the row before, absolute and in percent. `extra`: more WHERE conditions;
    `keys`: more columns to group by, first, as (expression, name, text of the one row a
    period without rows answers): ("r.account_id", "customer", "CUST-9 (no revenue found)")."""
    p = _bounds(spec.period, default)
    head, group_by, sort = _select(spec.group, month_expression)
    periods = spec.periods or (p,)
    conditions = [
        within.format(start=q.start, end=q.end) if within else _in(month_expression, q)
        for q in periods
    ]
    condition = conditions[0] if len(conditions) == 1 else f"(({') OR ('.join(conditions)}))"
    if currency is not None:
        if spec.group == "currency":
            head = ""
        n_keys = head.count(" AS ") + len(keys)
        named = "".join(
            f"CASE WHEN grouping({e}) = 1 THEN '{missing}' ELSE {e} END AS {name}, "
            for e, name, missing in keys
        )
        head = f"{named}{head}{currency} AS currency, "
        group_by = f" GROUP BY {', '.join(str(i) for i in range(1, n_keys + 2))}"
        if not spec.group:  # a period with no rows still answers one row, saying what it covers
            grouped = ", ".join([*(e for e, _, _ in keys), currency])
            group_by = (
                f" GROUP BY GROUPING SETS (({grouped}), ()) HAVING grouping({currency}) = 0 "
                "OR count(*) = 0"
            )
        ordered = (spec.group in (*_PERIODS, "year") or keys) and not spec.peak
        direction = "ASC" if spec.peak and spec.ascending else "DESC"
        sort = " ORDER BY 1, 2" if ordered else f" ORDER BY {n_keys + 2} {direction}, 1"
    if change is not None and spec.group in _PERIODS:
        partition = f"PARTITION BY {currency} " if currency else ""
        window = f"OVER ({partition}ORDER BY min({month_expression}))"
        name = value.split(" AS ", 1)[1].split(",")[0].strip()
        value += (
            f", round({change} - lag({change}) {window}, 2) AS {name}_change, "
            f"round({change} / lag({change}) {window} - 1, 6) AS pct_change"
        )
    return (
        f"{prefix}SELECT {head}{value}, {_span(p.start, p.end)}{filtered_to(spec.filters)} "
        f"FROM {source} WHERE {condition} AND {_where(spec.filters, extra)}{group_by}{sort}"
    )


_PERIODS = ("month", "quarter", "half")
_ACCOUNT_DIMENSIONS = ("tier", "region", "billing_system")
_TWELVE_MONTHS = Period(_shift(LATEST, -11), _shift(LATEST, 1))
_TWELVE_MONTHS_OF_DATA = Period(f"greatest({_shift(LATEST, -11)}, {EARLIEST})", _shift(LATEST, 1))
"""The last 12 months, from the data's first month when they start later: "revenue by month"
of a book holding 2026-01..06 states that span, not 2025-07 (rt12 T-L14)."""
_LATEST_MONTH = Period(LATEST, _shift(LATEST, 1))
_MOVEMENT_WINDOW = Period(_shift(LATEST, -2), _shift(LATEST, 1))
"""The latest 3 months: how customers' revenue moved when the question names no period."""
_ALL_MONTHS = Period(EARLIEST, _shift(LATEST, 1))
"""Every month of the data: a ranking of accounts by detected leakage with no period sums every
finding so far, as detect_leakage reads its findings (rt9 D23)."""


def _months_covered(spec: MetricSpec, month_expression: str) -> str:
    """Columns that say how much of each row's period the data cover: a quarter, a half or
    the whole period asked ("in 2026" with data to 2026-10: 10 of its 12 months)."""
    if spec.group in ("quarter", "half"):
        span = 3 if spec.group == "quarter" else 6
        return (
            f", count(DISTINCT {month_expression}) AS n_months_with_data, "
            f"{span} AS n_months_in_period"
        )
    if spec.group == "month" or spec.period is None or spec.periods:
        return ""
    p = spec.period
    return (
        f", date_diff('month', greatest({p.start}, {EARLIEST}), "
        f"least({p.end}, {_shift(LATEST, 1)})) AS n_months_with_data, "
        f"date_diff('month', {p.start}, {p.end}) AS n_months_in_period"
    )


def _uses_accounts(spec: MetricSpec) -> bool:
    """Whether the question reads an account attribute (tier, region, billing system):
    revenue customers without an account row (imported revenue files) cannot be placed."""
    return bool(spec.filters) or spec.group in _ACCOUNT_DIMENSIONS


def _left_out(spec: MetricSpec, default: Period) -> str:
    """The count of revenue customers in the period that have no account row (an imported
    revenue file's customers) and so fall outside a split by tier or region."""
    p = _bounds(spec.period, default)
    inside = " OR ".join(f"({_in('i.month', q)})" for q in spec.periods or (p,))
    return (
        f", (SELECT count(DISTINCT i.customer_id) FROM revenue_imports i WHERE ({inside}) "
        "AND i.customer_id NOT IN (SELECT account_id FROM accounts)) AS n_left_out_customers"
    )


def _ranked(
    spec: MetricSpec,
    default: Period,
    value: str,
    month: str,
    source: str,
    currency: str,
    extra: Sequence[str] = (),
    amount: str | None = None,
) -> str:
    """The N accounts with the largest (or smallest) `value` in the period, one row each:
    "top 10 customers by revenue this year", "top 5 accounts by detected leakage". With no N
    (`each_account`: "revenue by account for 2026") every account, largest first, as many as
    a list shows (the query tool says how many there are when it cuts them); a threshold
    ("accounts with revenue over $50k") keeps those whose `amount` (the aggregate) is past it."""
    p = _bounds(spec.period, default)
    condition = " OR ".join(f"({_in(month, q)})" for q in spec.periods or (p,))
    order = "ASC" if spec.ascending else "DESC"
    having = ""
    if spec.threshold is not None and amount is not None:
        operator, limit = spec.threshold
        having = f" HAVING {amount} {operator} {limit:.2f}"
    rows = spec.rank if spec.rank is not None else _LIST_ROWS
    return (
        f"SELECT account_id, any_value(a.name) AS name, {currency} AS currency, {value}, "
        f"{_span(p.start, p.end)} FROM {source} WHERE ({condition}) "
        f"AND {_where(spec.filters, extra)} GROUP BY 1, 3{having} ORDER BY 4 {order}, 1 "
        f"LIMIT {rows}"
    )


_LIST_ROWS = 200
"""Rows a list of every account asks for (the planner's lists stop at 200; the query tool
counts the rest and says so)."""


def _contracted_mrr(spec: MetricSpec) -> str:
    """ "Which 5 customers have the highest MRR?": MRR as contracted (licensed seats x
    contracted price of the contract in force, account_features), the N largest; imported
    revenue customers have no contract and are counted as left out."""
    order = "ASC" if spec.ascending else "DESC"
    left_out = _left_out(spec, _LATEST_MONTH)
    return (
        "SELECT f.account_id, a.name, a.currency AS currency, round(f.mrr, 2) AS contracted_mrr"
        f"{left_out}, "
        f"{_as_months(period_start='f.as_of_month', period_end='f.as_of_month')}, {_DATA_SPAN} "
        f"FROM account_features f JOIN accounts a USING (account_id) WHERE {_where(spec.filters)} "
        f"ORDER BY 4 {order}, 1 LIMIT {spec.rank}"
    )


def _missing(customers: Sequence[str]) -> str:
    """The text of the row that answers for named customers with no revenue in the period."""
    named = ", ".join(re.sub(r"[^\w .#%-]", "", c) for c in customers)
    return f"{named} (no revenue found)"


_PAYING = "count(DISTINCT r.account_id) FILTER (WHERE r.net_revenue > 0)"
"""The customers an average per customer divides by and a count of paying ones counts: those
with revenue above zero in the period, as "active customers" counts them (rt12 T-M11: a
customer billed $0.00 was counted in "average revenue per customer")."""


def _revenue(spec: MetricSpec) -> str:
    by_month = spec.group == "month" and spec.period is None
    default = _TWELVE_MONTHS_OF_DATA if by_month else _LATEST_MONTH
    amount, name = "sum(r.net_revenue)", "net_revenue"
    if spec.per_account:
        amount, name = f"sum(r.net_revenue) / nullif({_PAYING}, 0)", "revenue_per_account"
    elif spec.monthly and spec.group != "month":
        amount, name = "sum(r.net_revenue) / count(DISTINCT r.month)", "avg_monthly_revenue"
    join = "JOIN" if _uses_accounts(spec) else "LEFT JOIN"
    source = f"monthly_revenue r {join} accounts a USING (account_id)"
    value = f"round({amount}, 2) AS {name}"
    if spec.rank is not None and spec.monthly and spec.period is None and not spec.customers:
        return _contracted_mrr(spec)
    parted = spec.filters or spec.group or spec.rank is not None or spec.customers
    if spec.share and parted and spec.group not in _PERIODS and not spec.per_account:
        return _share(spec, default)  # a share of no part named is said, not 100 % (limits.py)
    if (spec.rank is not None or spec.each_account) and not spec.customers:
        return _ranked(
            spec, default, value, "r.month", source, "r.currency", amount="sum(r.net_revenue)"
        )
    if len(spec.customers) == 1 and len(spec.periods) == 2 and not spec.per_account:
        # "revenue of ACC001446 in Q3 2026 vs Q2 2026": the first period against the second,
        # as "this year vs last year" (one customer's row has no period to group by)
        first, second = spec.periods
        return _compared(replace(spec, period=first, compared=second, group=None), source)
    if spec.compared and spec.period and spec.group not in _PERIODS and not spec.per_account:
        return _compared(spec, source)
    if spec.per_account or spec.counted:
        value += f", {_PAYING} AS n_accounts"
    value += _months_covered(spec, "r.month")
    if join == "JOIN":
        value += _left_out(spec, default)
    if len(spec.customers) >= 2 and not (spec.group or spec.periods or _uses_accounts(spec)):
        return _each_customer(spec, default, value)
    extra, keys = _named_customers(spec)  # "revenue of CUST-001 in 2026": shown by its id
    value += _unknown_customers(spec)
    if spec.values and spec.group:  # "compare EMEA and APAC revenue": their rows alone (rt12
        extra.append(f"({' OR '.join(f'a.{v}' for v in spec.values)})")  # T-L9)
    return _period_select(
        replace(spec, group=None) if spec.customers else spec,
        default,
        "r.month",
        value,
        source,
        currency="r.currency",
        change="sum(r.net_revenue)" if spec.changes else None,
        extra=extra,
        keys=keys,
    )


def _compared(spec: MetricSpec, source: str) -> str:
    """Revenue in the period asked against the period it is compared with ("this year vs
    last year", "last month … compared with a year ago", `read_compared`), per group and
    currency: both figures, the change and the change in percent, and both periods
    (`compared_start`/`compared_end`, as the revenue movers state theirs, `movement_sql`)."""
    assert spec.period is not None and spec.compared is not None
    prefix, now, then = _bounds_cte(spec.period, spec.compared)
    amounts = []
    measure = "mrr" if spec.monthly else "revenue"
    for q, name in ((now, f"{measure}_in_period"), (then, f"{measure}_compared")):
        amount = f"sum(r.net_revenue) FILTER (WHERE {_in('r.month', q)})"
        if spec.monthly:  # "MRR this year vs last year": each period's average month
            amount += f" / nullif(count(DISTINCT r.month) FILTER (WHERE {_in('r.month', q)}), 0)"
        amounts.append((f"coalesce({amount}, 0)", name))
    value = _changed(amounts, "revenue", then)
    if _uses_accounts(spec):
        value += _left_out(replace(spec, periods=(then, now)), _LATEST_MONTH)
    value += _unknown_customers(spec)
    extra, keys = _named_customers(spec)
    return _period_select(
        replace(
            spec, period=now, periods=(then, now), group=None if spec.customers else spec.group
        ),
        _LATEST_MONTH,
        "r.month",
        value,
        source,
        prefix=prefix,
        currency="r.currency",
        extra=extra,
        keys=keys,
    )


def _changed(amounts: Sequence[tuple[str, str]], measure: str, then: Period) -> str:
    """The columns of a comparison: both amounts (`amounts`: (aggregate, name), now first),
    `<measure>_change`, `pct_<measure>_change` and the compared period's months."""
    (now_sum, _), (then_sum, _) = amounts
    return (
        ", ".join(f"round({amount}, 2) AS {name}" for amount, name in amounts)
        + f", round({now_sum} - {then_sum}, 2) AS {measure}_change, "
        f"CASE WHEN {then_sum} > 0 THEN round({now_sum} / {then_sum} - 1, 6) END "
        f"AS pct_{measure}_change, "
        + _as_months(compared_start=then.start, compared_end=_month_before(then.end))
    )


def _bounds_cte(now: Period, then: Period) -> tuple[str, Period, Period]:
    """(a `bounds` CTE, the two periods read from it) of a comparison: each bound written
    once (a bound repeats the data's latest month), so the query stays short."""
    bounds = {"now_start": now.start, "now_end": now.end}
    bounds |= {"then_start": then.start, "then_end": then.end}
    prefix = f"WITH bounds AS (SELECT {', '.join(f'{e} AS {n}' for n, e in bounds.items())}) "
    read_now, read_then = (
        Period(*(f"(SELECT {n}_{e} FROM bounds)" for e in ("start", "end")))
        for n in ("now", "then")
    )
    return prefix, read_now, read_then


def _named_customers(spec: MetricSpec) -> tuple[list[str], list[tuple[str, str, str]]]:
    """(the WHERE condition, the key column) that limit a revenue query to the customers the
    question names and show each by its id; ([], []) when it names none."""
    if not spec.customers:
        return [], []
    keys = ", ".join(key for c in spec.customers for key in _id_values(c))
    starts = _name_starts(spec.customers)
    if not starts:
        return (
            [_is_named("r.account_id", keys)],
            [("r.account_id", "customer", _missing(spec.customers))],
        )
    return (  # "Green Grove": each customer whose name starts with it, by id and name
        [f"({_is_named('r.account_id', keys)} OR ({_none_named(keys)} AND {starts}))"],
        [("r.account_id", "customer", _missing(spec.customers)), ("a.name", "name", "")],
    )


def _spaced(expression: str) -> str:
    """`expression` upper-cased, each run of other characters one space ("GREEN GROVE 528")."""
    return f"regexp_replace(upper({expression}), '[^A-Z0-9]+', ' ', 'g')"


def _name_starts(customers: Sequence[str]) -> str:
    """The condition that r.account_id is a customer whose name (or imported id) begins with
    the words of a name the question gives without a digit ("Green Grove" for "Green Grove
    Systems #528", rt13 U-M5: "(no revenue found)"); "" when every name has a digit."""
    words = [
        spaced
        for c in customers
        if not re.search(r"\d", c)
        if (spaced := re.sub(r"[^A-Z0-9]+", " ", c.upper()).strip())
    ]
    if not words:
        return ""
    begins = " OR ".join(f"starts_with({_spaced('{c}')} || ' ', '{w} ')" for w in words)
    return (
        f"(r.account_id IN (SELECT account_id FROM accounts WHERE {begins.format(c='name')}) "
        f"OR {begins.format(c='r.account_id')})"
    )


def _none_named(keys: str) -> str:
    """No account and no imported customer is named exactly by one of `keys` (then a name's
    beginning picks the customers, `_name_starts`)."""
    bare = _id_key(r"regexp_replace(name, '\s*#\s*\d+\s*$', '')")
    return (
        "NOT EXISTS (SELECT 1 FROM accounts WHERE "
        f"{_id_key('account_id')} IN ({keys}) OR {bare} IN ({keys}) OR {_id_key('name')} IN "
        f"({keys})) AND NOT EXISTS (SELECT 1 FROM revenue_imports WHERE "
        f"{_id_key('customer_id')} IN ({keys}))"
    )


def _unknown_customers(spec: MetricSpec) -> str:
    """The column naming the customers the question names that no account (by id, name or a
    name's beginning) and no imported customer matches: the answer says there is no such
    customer rather than "no revenue found" (rt13 U-M5: "Wayne Enterprises" on the demo book)."""
    if not spec.customers:
        return ""
    named = ", ".join(
        f"({position}, '{_shown(c)}', {key})"
        for position, c in enumerate(spec.customers)
        for key in _id_values(c)
    )
    bare = _id_key(r"regexp_replace(x.name, '\s*#\s*\d+\s*$', '')")
    found = (
        f"EXISTS (SELECT 1 FROM accounts x WHERE {_id_key('x.account_id')} = n.k OR {bare} = n.k "
        f"OR {_id_key('x.name')} = n.k OR (n.shown NOT SIMILAR TO '.*[0-9].*' AND starts_with("
        f"{_spaced('x.name')} || ' ', trim({_spaced('n.shown')}) || ' '))) "
        f"OR EXISTS (SELECT 1 FROM revenue_imports x WHERE {_id_key('x.customer_id')} = n.k)"
    )
    return (
        f", (SELECT string_agg(shown, ', ' ORDER BY position) FROM (SELECT n.position, "
        f"any_value(n.shown) AS shown FROM (VALUES {named}) AS n(position, shown, k) "
        f"GROUP BY n.position HAVING NOT bool_or({found}))) AS unknown_accounts"
    )


def _shown(customer: str) -> str:
    """A customer's name as a query may quote it."""
    return re.sub(r"[^\w .#%&-]", "", customer)


def _share(spec: MetricSpec, default: Period) -> str:
    """A part's revenue as a share of the whole in the period ("what share of revenue comes
    from Enterprise customers this year?", "EMEA's percentage of total revenue", "what share
    does each tier make up?", "what share do the top 10 customers make up?"): the part, the
    whole and the share, per currency (no share adds two currencies). A part by tier, region
    or billing system is a share of the customers those can place: customers of an imported
    revenue file have no account row, so they are counted as left out, not in the whole (the
    shares of a split add up to 100 %); a filter the split does not name ("by tier in EMEA")
    limits the whole too. Named customers' and the top N customers' share (`_top_share`) is
    of every customer's revenue."""
    if spec.rank is not None and not spec.customers:
        return _top_share(spec, default)
    p = _bounds(spec.period, default)
    grouped = spec.group is not None and not spec.customers
    kept = spec.filters if grouped else ()  # "share of EMEA revenue by tier": of EMEA's
    part = [] if grouped else [f"a.{f}" for f in spec.filters]
    placed = bool(spec.filters) or (grouped and spec.group in _ACCOUNT_DIMENSIONS)
    join = "JOIN" if placed else "LEFT JOIN"  # of the customers a tier or region can place
    whole = (
        f"(SELECT r.currency, sum(r.net_revenue) AS total_revenue FROM monthly_revenue r "
        f"{join} accounts a USING (account_id) WHERE {_in('r.month', p)} AND {_where(kept)} "
        "GROUP BY 1) w"
    )
    source = (
        f"monthly_revenue r {join} accounts a USING (account_id) "
        f"JOIN {whole} ON w.currency = r.currency"
    )
    value = (
        "round(sum(r.net_revenue), 2) AS net_revenue, "
        "round(any_value(w.total_revenue), 2) AS total_revenue, "
        "round(sum(r.net_revenue) / any_value(w.total_revenue), 6) AS share_of_total"
        + _months_covered(spec, "r.month")
        + (_left_out(spec, default) if placed else "")
    )
    if not grouped:
        value = (
            filtered_to(spec.filters, "share_of").removeprefix(", ")
            + (", " if spec.filters else "")
            + value
        )
    extra, keys = _named_customers(spec)
    if grouped and spec.values:  # "share of revenue from EMEA and APAC": their rows alone
        extra.append(f"({' OR '.join(f'a.{value}' for value in spec.values)})")
    return _period_select(
        replace(spec, filters=kept, group=spec.group if grouped else None),
        default,
        "r.month",
        value,
        source,
        currency="r.currency",
        extra=[*part, *extra],
        keys=keys,
    )


def _top_share(spec: MetricSpec, default: Period) -> str:
    """The top (or bottom) N customers' revenue in the period as a share of every customer's
    revenue then ("what share do the top 10 customers make up?"), per currency; with a filter
    ("… of Enterprise revenue") both are of the customers it keeps."""
    p = _bounds(spec.period, default)
    join = "JOIN" if spec.filters else "LEFT JOIN"
    order = "ASC" if spec.ascending else "DESC"
    side = "Bottom" if spec.ascending else "Top"
    top = f"sum(revenue) FILTER (WHERE position <= {spec.rank})"
    return (
        "WITH per AS (SELECT r.account_id, r.currency, sum(r.net_revenue) AS revenue "
        f"FROM monthly_revenue r {join} accounts a USING (account_id) "
        f"WHERE {_in('r.month', p)} AND {_where(spec.filters)} GROUP BY 1, 2), "
        "ranked AS (SELECT *, row_number() OVER (PARTITION BY currency "
        f"ORDER BY revenue {order}, account_id) AS position FROM per) "
        f"SELECT '{side} {spec.rank} customers' AS share_of, currency, "
        f"round({top}, 2) AS net_revenue, round(sum(revenue), 2) AS total_revenue, "
        f"round({top} / sum(revenue), 6) AS share_of_total, "
        f"count(*) AS n_customers_billed, {_span(p.start, p.end)}{filtered_to(spec.filters)} "
        "FROM ranked GROUP BY currency ORDER BY 3 DESC"
    )


def listed_revenue(question: str, listed: Sequence[str], lexicon: Lexicon) -> str | None:
    """The query for a revenue question about the accounts the thread just listed ("how much
    revenue did they bring in last quarter?" after four declining Enterprise customers, rt10
    N-H3): a row per listed account and, for two or more, their total; None when `question`
    is no revenue question of its own (a split, a ranking) or nothing is listed.

    Examples:
        >>> sql = listed_revenue("how much revenue did they bring in last quarter?",
        ...                      ["ACC000042", "ACC000784"], lexicon)
        >>> "'ACC000042'" in sql and "listed_total" in sql
        True
    """
    spec = parse(question, lexicon)
    if spec.metric != "revenue" or not listed or spec.customers:
        return None
    if spec.group or spec.rank is not None or spec.periods or spec.per_account:
        return None
    spec = replace(spec, customers=tuple(listed), filters=(), monthly=False, changes=False)
    if len(listed) == 1:
        return _revenue(spec)
    default = _LATEST_MONTH
    each = _each_customer(spec, default, "round(sum(r.net_revenue), 2) AS net_revenue")
    head, _, rest = each.partition(" SELECT ")
    body, _, _ = rest.rpartition(" ORDER BY ")
    total = f"Total of the {len(listed)} listed"
    return (
        f"{head}, each AS (SELECT min(n.position) AS position, {body}) "
        "SELECT customer, currency, net_revenue, period_start, period_end, data_from, data_to "
        "FROM (SELECT * FROM each UNION ALL "
        f"SELECT 1000000 AS position, '{total}' AS customer, currency, "
        "round(sum(net_revenue), 2) AS net_revenue, any_value(period_start), "
        "any_value(period_end), any_value(data_from), any_value(data_to) "
        "FROM each WHERE currency IS NOT NULL GROUP BY currency) AS listed_total "
        "ORDER BY position, currency"
    )


_FALLS = r"(?:lost|dropped|fell|fallen|declined|shrank|shrunk|decreased|down)"
_RISES = r"(?:grew|grown|growing|gained|increased|increasing|rose|risen|expanded|up)"
"""Words of a change that happened; "declining", "shrinking" (the decline forecast's words)
and "losing us" (leakage) stay with their tools."""
_MOVED_MOST = re.compile(
    rf"\b(?:({_FALLS})|({_RISES}))\b(?:\s+\w+){{0,3}}?\s+(?:the\s+)?most\b"
    r"|\b(?:biggest|largest|steepest|sharpest|greatest)\s+(?:revenue\s+)?"
    r"()(growth|increases?|gains?|rises?)\b"
    r"|\b(?:fastest|quickest)[- ]+(?:growing|rising|expanding)\b"
    r"|\b(?:drove|drive|driving|drives|behind)\s+(?:the\s+|our\s+|this\s+)?(?:revenue\s+)?"
    r"(?:(decline|drop|fall|loss)|growth|increase|rise)\b"
    r"|\b(?:growing|grew|grown|expanding|expanded)\s+(?:the\s+)?fastest\b"
)
"""A ranking by the change of revenue: "lost the most revenue", "grew the most", "the
biggest growth", "our fastest growing accounts" (rt11 R-H3). "The biggest revenue drop"
stays with the decline forecast (rt9 D24 ranks those decliners by probability)."""
_FALLS_BY = rf"{_FALLS}|falls?|falling|drops?|dropping|declin\w*|shrinking"
_RISES_BY = rf"{_RISES}|grow|grows|rises?"
_MOVED_BY = re.compile(
    rf"\b(?:({_FALLS_BY})|({_RISES_BY}))\s+(?:by\s+)?(?:more than|over|at least|above|>=?)\s*"
    r"(\d{1,3}(?:\.\d+)?)\s*(?:%|percent|per cent|pct)"
)
"""A threshold on the change: "revenue down more than 30 %", "grew by over 50 percent"."""
_YEAR_AGO = re.compile(
    rf"{_YEAR_BEFORE.pattern}|\b(?:this|current)\s+year\b|\bytd\b|\byear to date\b"
)
"""A comparison with the same months a year earlier ("compared with a year ago"); a year to
date is compared with the same months of the year before."""


@dataclass(frozen=True)
class Movement:
    """A question about how customers' revenue moved: `falls` (True: losses, the largest
    first) or gains; `threshold`: a change in percent it asks beyond ("down more than 30 %")."""

    falls: bool
    threshold: float | None = None


def read_movement(text: str) -> Movement | None:
    """The change of revenue a question about customers ranks or filters by (rt10 N-H5, N-M4),
    None when it asks none.

    Examples:
        >>> read_movement("which customers lost the most revenue over the last 6 months?")
        Movement(falls=True, threshold=None)
        >>> read_movement("which customers grew the most this year?")
        Movement(falls=False, threshold=None)
        >>> read_movement("customers with revenue down more than 30 % on a year ago")
        Movement(falls=True, threshold=30.0)
        >>> read_movement("which customers are declining?") is None
        True
    """
    lowered = text.lower()
    if not re.search(_WHO, lowered):
        return None
    if match := _MOVED_BY.search(lowered):
        return Movement(falls=match.group(1) is not None, threshold=float(match.group(3)))
    if match := _MOVED_MOST.search(lowered):
        return Movement(falls=bool(match.group(1) or match.group(3) or match.group(5)))
    return None


def movement_sql(text: str, lexicon: Lexicon) -> str | None:
    """The query for a question about how customers' revenue moved (`read_movement`): each
    customer's revenue in the period asked (the latest month by default) against the same
    months a year earlier (when the question says so, or the period is a year to date) or the
    months just before (as many), the change in money and percent, the largest losses (or
    gains) first; a threshold keeps the customers beyond it. None when the question names no
    such change, or is about leakage or one customer.

    Examples:
        >>> sql = movement_sql("which customers lost the most revenue over the last 6 months?",
        ...                    lexicon)
        >>> "revenue_change" in sql and "ORDER BY revenue_change ASC" in sql
        True
    """
    movement = read_movement(text)
    if movement is None:
        return None
    spec = parse(text, lexicon)
    if spec.metric not in (None, "revenue") or spec.customers or spec.leakage_type:
        return None
    year_ago = _YEAR_AGO.search(text.lower()) is not None
    # no period: the latest 3 months against the 3 before, so that one month's spike does not
    # make a customer "the fastest growing" (rt12 T-M10); the answer states both periods
    p = _bounds(spec.period, _LATEST_MONTH if year_ago else _MOVEMENT_WINDOW)
    start, end = p.start, f"least({p.end}, {_shift(LATEST, 1)})"
    if year_ago:
        then_start, then_end = _shift(start, -12), _shift(end, -12)
    else:
        months = f"date_diff('month', {start}, {end})"
        then_start, then_end = f"CAST({start} - to_months({months}) AS DATE)", start
    join = "JOIN" if spec.filters else "LEFT JOIN"
    where = ["now_revenue < then_revenue" if movement.falls else "now_revenue > then_revenue"]
    if movement.threshold is not None:
        sign = "-" if movement.falls else ""
        compare = "<=" if movement.falls else ">="
        where.append(f"pct_revenue_change {compare} {sign}{movement.threshold / 100:.4f}")
    order = "ASC" if movement.falls else "DESC"
    ranked_by = "revenue_change" if movement.threshold is None else "pct_revenue_change"
    limit = spec.rank or (200 if movement.threshold is not None else _RANK_DEFAULT)
    filters = _where(spec.filters)
    return (
        "WITH moved AS (SELECT r.account_id AS customer, any_value(a.name) AS name, "
        "r.currency AS currency, "
        f"round(coalesce(sum(r.net_revenue) FILTER (WHERE r.month >= {start} "
        f"AND r.month < {end}), 0), 2) AS now_revenue, "
        f"round(coalesce(sum(r.net_revenue) FILTER (WHERE r.month >= {then_start} "
        f"AND r.month < {then_end}), 0), 2) AS then_revenue "
        f"FROM monthly_revenue r {join} accounts a USING (account_id) "
        f"WHERE ((r.month >= {start} AND r.month < {end}) OR (r.month >= {then_start} "
        f"AND r.month < {then_end})) AND {filters} GROUP BY 1, 3) "
        "SELECT customer, name, currency, round(now_revenue - then_revenue, 2) AS revenue_change, "
        "CASE WHEN then_revenue > 0 THEN round(now_revenue / then_revenue - 1, 6) END "
        "AS pct_revenue_change, now_revenue AS revenue_in_period, "
        "then_revenue AS revenue_compared, "
        + _as_months(
            period_start=start,
            period_end=_month_before(end),
            compared_start=then_start,
            compared_end=_month_before(then_end),
        )
        + f", {_DATA_SPAN}"
        f"{filtered_to(spec.filters)} "
        f"FROM moved WHERE {' AND '.join(where)} "
        f"ORDER BY {ranked_by} {order}, customer LIMIT {limit}"
    )


def _each_customer(spec: MetricSpec, default: Period, value: str) -> str:
    """Revenue of each customer the question names (rt9 N3: "revenue of ACC000042 and
    CUST-001 in 2026"): a row per customer and currency, in the order named, shown by the id
    the warehouse holds; a customer without revenue in the period keeps its row, saying so,
    so none is dropped. The ids are matched as `_id_key` compares them."""
    p = _bounds(spec.period, default)
    named = ", ".join(
        f"({position}, {key}, '{_missing([customer])}')"
        for position, customer in enumerate(spec.customers)
        for key in _id_values(customer)
    )
    return (
        f"WITH named(position, customer_key, missing) AS (VALUES {named}) "
        f"SELECT coalesce(any_value(r.account_id), any_value(n.missing)) AS customer, "
        f"r.currency AS currency, {value}, {_span(p.start, p.end)} "
        "FROM named n LEFT JOIN monthly_revenue r ON "
        f"{_is_named('r.account_id', 'n.customer_key')} "
        f"AND {_in('r.month', p)} GROUP BY n.position, r.currency "
        "HAVING r.currency IS NOT NULL OR count(r.account_id) = 0 ORDER BY n.position, 2"
    )


def _leakage(spec: MetricSpec) -> str:
    source = "detected_leakage d JOIN accounts a USING (account_id)"
    extra = [f"d.leakage_type = '{spec.leakage_type}'"] if spec.leakage_type else []
    if spec.share:  # "what percentage of revenue is leaking?": over revenue (rt12 T-M3)
        return _leakage_share(spec, extra)
    if spec.compared is not None and spec.period is not None and spec.rank is None:
        return _leakage_compared(spec, source, extra)  # "this year vs last year" (rt14 V-H5)
    if spec.rank is not None or spec.each_account:  # "top 5 accounts by detected leakage"
        value = "round(sum(d.amount), 2) AS detected_leakage, count(*) AS n_findings"
        if spec.leakage_type:  # the type it is limited to, on every row
            value += ", any_value(d.leakage_type) AS leakage_type"
        return _ranked(
            spec, _ALL_MONTHS, value, "d.month", source, "a.currency", extra, "sum(d.amount)"
        )
    # "which region has the most leakage?" with no period: every finding so far, as the
    # leakage tools and the ranking of accounts sum them (rt12 T-M2)
    split = spec.group is not None and spec.group not in _PERIODS
    return _period_select(
        spec,
        _ALL_MONTHS if split else _LATEST_MONTH,
        "d.month",
        "round(sum(d.amount), 2) AS detected_leakage, count(DISTINCT d.account_id) AS n_accounts"
        + _months_covered(spec, "d.month"),
        source,
        currency="a.currency",
        change="sum(d.amount)" if spec.changes else None,
        extra=extra,
    )


def _leakage_compared(spec: MetricSpec, source: str, extra: Sequence[str]) -> str:
    """Detected leakage in the period asked against the period it is compared with ("compare
    leakage this year vs last year": like for like, `read_compared`), per group and currency:
    both amounts, the change and the change in percent, both periods named, as revenue's
    comparison (`_compared`) states them (rt14 V-H5: the declining customers answered)."""
    assert spec.period is not None and spec.compared is not None
    prefix, now, then = _bounds_cte(spec.period, spec.compared)
    amounts = [
        (f"coalesce(sum(d.amount) FILTER (WHERE {_in('d.month', q)}), 0)", name)
        for q, name in ((now, "leakage_in_period"), (then, "leakage_compared"))
    ]
    value = (
        f"{_changed(amounts, 'leakage', then)}, "
        f"count(*) FILTER (WHERE {_in('d.month', now)}) AS n_findings_in_period, "
        f"count(*) FILTER (WHERE {_in('d.month', then)}) AS n_findings_compared"
    )
    return _period_select(
        replace(spec, period=now, periods=(then, now)),
        _LATEST_MONTH,
        "d.month",
        value,
        source,
        prefix=prefix,
        currency="a.currency",
        extra=extra,
    )


def _leakage_share(spec: MetricSpec, extra: Sequence[str]) -> str:
    """Detected leakage over net revenue of the same months, per currency: the period asked,
    or with none the latest month and the year to date, a row each, each naming its months
    ("what percentage of revenue is leaking?", rt12 T-M3). Revenue counts the accounts the
    filters place (all of the book without a filter), leakage the findings of those accounts."""
    periods = (
        [(spec.period, "")]
        if spec.period
        else [
            (_LATEST_MONTH, "latest month"),
            (Period(f"date_trunc('year', {LATEST})", _shift(LATEST, 1)), "year to date"),
        ]
    )
    join = "JOIN" if spec.filters else "LEFT JOIN"
    selects = []
    for p, label in periods:
        last = f"least({_month_before(p.end)}, {LATEST})"
        months = (
            f"strftime({p.start}, '%Y-%m') || CASE WHEN {p.start} < {last} THEN ' to ' || "
            f"strftime({last}, '%Y-%m') ELSE '' END"
        )
        named = f"'{label}' AS period, {months} AS months, " if label else ""
        shown = "" if label else f", {_span(p.start, p.end)}"
        selects.append(
            f"SELECT {named}v.currency AS currency, round(coalesce(l.amount, 0), 2) "
            "AS detected_leakage, round(v.amount, 2) AS net_revenue, "
            "round(coalesce(l.amount, 0) / nullif(v.amount, 0), 6) AS leakage_share_of_revenue"
            f"{shown}{filtered_to(spec.filters)} FROM (SELECT r.currency, sum(r.net_revenue) "
            f"AS amount FROM monthly_revenue r {join} accounts a USING (account_id) WHERE "
            f"{_in('r.month', p)} AND {_where(spec.filters)} GROUP BY 1) v LEFT JOIN (SELECT "
            "a.currency, sum(d.amount) AS amount FROM detected_leakage d JOIN accounts a USING "
            f"(account_id) WHERE {_in('d.month', p)} AND {_where(spec.filters, extra)} GROUP BY 1) "
            "l USING (currency)"
        )
    sql = " UNION ALL ".join(f"({select})" for select in selects)
    return sql if spec.period else f"SELECT * FROM ({sql}) ORDER BY period, currency"


_CHURNED = (
    "WITH last_revenue AS (SELECT account_id, max(month) AS last_month, "
    "arg_max(net_revenue, month) AS last_amount, arg_max(currency, month) AS last_currency "
    "FROM monthly_revenue WHERE net_revenue > 0 GROUP BY 1), "
    "c AS (SELECT account_id, CAST(last_month + INTERVAL 1 MONTH AS DATE) AS churn_month, "
    "last_amount, last_currency "
    f"FROM last_revenue WHERE last_month <= {_shift(LATEST, -3)}) "
)
"""Churned accounts: no revenue for the last three months of data, churned in the month
after their last revenue (imported revenue customers included); `last_amount` is the
revenue of that last month, what the churn lost per month."""


def _churn(spec: MetricSpec) -> str:
    join = "JOIN" if _uses_accounts(spec) else "LEFT JOIN"
    if spec.lists and spec.group is None:  # "which Enterprise customers churned?": them
        p = _bounds(spec.period, _TWELVE_MONTHS)
        return (
            f"{_CHURNED}SELECT c.account_id, a.name, a.tier, a.region, "
            "strftime(c.churn_month, '%Y-%m') AS churn_month, "
            f"{_span(p.start, p.end)} FROM c {join} accounts a USING (account_id) "
            f"WHERE c.churn_month >= {p.start} AND c.churn_month < {p.end} "
            f"AND {_where(spec.filters)} ORDER BY c.churn_month, c.account_id LIMIT 200"
        )
    if spec.rate and spec.group not in _PERIODS:  # "what is our churn rate?" (rt12 T-M4)
        return _churn_rate(spec, join)
    value = "count(*) AS n_churned_accounts"
    if spec.lost_revenue:  # "… and how much monthly revenue did we lose with them?"
        value += ", round(sum(c.last_amount), 2) AS lost_monthly_revenue"
    return _period_select(
        spec,
        _TWELVE_MONTHS,
        "c.churn_month",
        value,
        f"c {join} accounts a USING (account_id)",
        within="c.churn_month >= {start} AND c.churn_month < {end}",
        prefix=_CHURNED,
        currency="c.last_currency" if spec.lost_revenue else None,
    )


def _churn_rate(spec: MetricSpec, join: str) -> str:
    """Churned accounts in the period (the last 12 months by default) over the accounts
    billed in the month before it, and that rate per month of the period, per tier, region
    or billing system when asked: "what is our churn rate?" is a rate with its definition,
    not a count (rt12 T-M4)."""
    p = _bounds(spec.period, _TWELVE_MONTHS)
    opening = _shift(p.start, -1)
    months = f"date_diff('month', {p.start}, least({p.end}, {_shift(LATEST, 1)}))"
    group = spec.group if spec.group in _DIMENSIONS else None
    key = _DIMENSIONS[group] if group else "1"
    shown = f"b.g AS {group}, " if group else ""
    rate = "coalesce(k.n, 0) / b.n"
    return (
        f"{_CHURNED}, k AS (SELECT {key} AS g, count(*) AS n FROM c {join} accounts a "
        f"USING (account_id) WHERE c.churn_month >= {p.start} AND c.churn_month < {p.end} "
        f"AND {_where(spec.filters)} GROUP BY 1), "
        f"b AS (SELECT {key} AS g, count(DISTINCT r.account_id) AS n FROM monthly_revenue r "
        f"{join} accounts a USING (account_id) WHERE r.month = {opening} "
        f"AND r.net_revenue > 0 AND {_where(spec.filters)} GROUP BY 1) "
        f"SELECT {shown}coalesce(k.n, 0) AS n_churned_accounts, b.n AS n_accounts_billed_before, "
        f"strftime({opening}, '%Y-%m') AS billed_month, round({rate}, 6) AS churn_rate, "
        f"round({rate} / nullif({months}, 0), 6) AS monthly_churn_rate, "
        f"{_span(p.start, p.end)}{filtered_to(spec.filters)} FROM b LEFT JOIN k USING (g) "
        "ORDER BY 4 DESC"
    )


_PAID = "WITH paid AS (SELECT DISTINCT invoice_id FROM payments WHERE status = 'succeeded') "


@dataclass(frozen=True)
class _PeriodMeasure:
    """A measure that is one `_period_select` of fixed parts (each as there): `value` over
    `source` in the spec's period (else `default`), a row's month `month_expression`.
    `covered`: `value` also says how much of each row's period the data cover."""

    default: Period
    month_expression: str
    value: str
    source: str
    within: str | None = None
    prefix: str = ""
    currency: str | None = None
    extra: tuple[str, ...] = ()
    covered: bool = False

    def __call__(self, spec: MetricSpec) -> str:
        value = self.value
        if self.covered:
            value += _months_covered(spec, self.month_expression)
        return _period_select(
            spec,
            self.default,
            self.month_expression,
            value,
            self.source,
            within=self.within,
            prefix=self.prefix,
            currency=self.currency,
            extra=self.extra,
        )


_PERIOD_MEASURES = {
    # What customers owe: invoices with a positive total and no successful payment so far,
    # counted and summed per currency, over every month of the data unless a period is asked
    # ("how much do customers owe us in unpaid invoices?", rt12 T-H8: it was answered with
    # the failed-payment leakage, a part of it).
    "receivables": _PeriodMeasure(
        _ALL_MONTHS,
        "i.period",
        "count(*) AS n_unpaid_invoices, round(sum(i.total), 2) AS unpaid_amount, "
        "count(DISTINCT i.account_id) AS n_accounts",
        "invoices i JOIN accounts a ON a.account_id = i.account_id",
        within="i.period >= {start} AND i.period < {end}",
        prefix=_PAID,
        currency="i.currency",
        extra=("i.total > 0", "i.invoice_id NOT IN (SELECT invoice_id FROM paid)"),
    ),
    # The average invoice: the mean invoice total of the period (the last 12 months by
    # default), with how many invoices it averages and their total, per currency ("average
    # invoice size in 2026", rt12 T-H10).
    "invoice_size": _PeriodMeasure(
        _TWELVE_MONTHS,
        "i.period",
        "round(avg(i.total), 2) AS avg_invoice_total, count(*) AS n_invoices, "
        "round(sum(i.total), 2) AS invoiced_total",
        "invoices i JOIN accounts a ON a.account_id = i.account_id",
        within="i.period >= {start} AND i.period < {end}",
        currency="i.currency",
        covered=True,
    ),
    # New accounts by signup date (the last 12 months by default).
    "signups": _PeriodMeasure(
        _TWELVE_MONTHS,
        "date_trunc('month', a.signup_date)",
        "count(*) AS n_new_accounts",
        "accounts a",
        within="a.signup_date >= {start} AND a.signup_date < {end}",
    ),
    # Active over licensed seats of the contracts in force (the latest month by default).
    "seat_utilisation": _PeriodMeasure(
        _LATEST_MONTH,
        "u.month",
        "round(sum(u.active_seats) / sum(c.licensed_seats), 6) AS seat_utilisation, "
        "sum(u.active_seats) AS active_seats, sum(c.licensed_seats) AS licensed_seats",
        "usage_monthly u JOIN contracts c ON c.account_id = u.account_id "
        "AND c.start_date <= u.month AND (c.end_date IS NULL OR c.end_date >= u.month) "
        "JOIN accounts a ON a.account_id = u.account_id",
        within="u.month >= {start} AND u.month < {end}",
    ),
    # Days from issue to the first successful payment, over the invoices paid (the latest
    # 3 months by default).
    "dso": _PeriodMeasure(
        Period(_shift(LATEST, -2), _shift(LATEST, 1)),
        "i.period",
        "round(avg(date_diff('day', i.issue_date, p.paid_date)), 1) AS dso_days, "
        "count(*) AS n_paid_invoices",
        "invoices i JOIN paid p USING (invoice_id) JOIN accounts a ON a.account_id = i.account_id",
        within="i.period >= {start} AND i.period < {end}",
        prefix="WITH paid AS (SELECT invoice_id, min(attempted_date) AS paid_date FROM payments "
        "WHERE status = 'succeeded' GROUP BY 1) ",
    ),
    # The discount lines invoiced in the period ("how much discount did we give in 2026?"):
    # their total (negative, as the invoices carry it) and how many, per currency. Not the
    # Contract_Terms_Error leakage, which is a discount billed wrongly (rt13 U-H4).
    "discounts": _PeriodMeasure(
        _LATEST_MONTH,
        "i.period",
        "round(sum(l.amount), 2) AS discount_total, count(*) AS n_discount_lines, "
        "count(DISTINCT i.account_id) AS n_accounts",
        "invoice_lines l JOIN invoices i USING (invoice_id) "
        "LEFT JOIN accounts a ON a.account_id = i.account_id",
        within="i.period >= {start} AND i.period < {end}",
        currency="i.currency",
        extra=("l.line_type = 'discount'",),
    ),
}
"""The measures that are one `_period_select` of fixed parts, by metric name."""


def _nrr(spec: MetricSpec) -> str:
    end = spec.period.end if spec.period else _shift(LATEST, 1)
    month = _shift(end, -1)
    year_before = _shift(month, -12)
    head, group_by, _ = _select(spec.group if spec.group != "month" else None, "r.month")
    sort = " ORDER BY 2 DESC" if group_by else ""
    return (
        f"SELECT {head}round(sum(r.net_revenue) FILTER (WHERE r.month = {month}) / "
        f"sum(r.net_revenue) FILTER (WHERE r.month = {year_before}), 6) AS nrr, "
        f"round(sum(r.net_revenue) FILTER (WHERE r.month = {year_before}), 2) "
        "AS revenue_year_before, "
        f"round(sum(r.net_revenue) FILTER (WHERE r.month = {month}), 2) AS revenue_now, "
        f"string_agg(DISTINCT r.currency, ', ') AS currency, "
        f"{_as_months(period_start=year_before, period_end=month)} "
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
        f"SELECT {head}round(sum(least(b.revenue_now, b.revenue_then)) / sum(b.revenue_then), 6) "
        f"AS grr, round(sum(b.revenue_then), 2) AS revenue_year_before, "
        f"round(sum(least(b.revenue_now, b.revenue_then)), 2) AS retained_revenue, "
        f"count(*) AS n_accounts, any_value(b.currency) AS currency, "
        f"{_as_months(period_start=year_before, period_end=month)} FROM b{group_by}{sort}"
    )


def _arr(spec: MetricSpec) -> str:
    """Annual recurring revenue: 12 x the net revenue of the period's last month (the
    latest month by default), per currency, imported revenue customers included unless a
    split or filter needs their account row."""
    end = spec.period.end if spec.period else _shift(LATEST, 1)
    month = _shift(end, -1)
    group = spec.group if spec.group in _DIMENSIONS else None
    one_month = replace(spec, group=group, period=Period(month, end), periods=(), changes=False)
    value = "round(12 * sum(r.net_revenue), 2) AS arr, round(sum(r.net_revenue), 2) AS net_revenue"
    if _uses_accounts(one_month):
        value += _left_out(one_month, _LATEST_MONTH)
    join = "JOIN" if _uses_accounts(one_month) else "LEFT JOIN"
    return _period_select(
        one_month,
        _LATEST_MONTH,
        "r.month",
        value,
        f"monthly_revenue r {join} accounts a USING (account_id)",
        currency="r.currency",
    )


def _movements(spec: MetricSpec) -> str:
    """MRR movements between the month before the period and its last month (the last 12
    months by default): new, expansion, contraction and churned revenue per account, the
    net change that adds them up, and how many accounts each movement counts ("of the
    customers billed in September and October, how many contracted?")."""
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
        "round(sum(b.closing), 2) AS closing_mrr, "
        "count(*) FILTER (WHERE b.opening = 0 AND b.closing > 0) AS n_new_revenue_accounts, "
        "count(*) FILTER (WHERE b.opening > 0 AND b.closing > b.opening) AS n_expanded_accounts, "
        "count(*) FILTER (WHERE b.closing > 0 AND b.closing < b.opening) "
        "AS n_contracted_accounts, "
        "count(*) FILTER (WHERE b.opening > 0 AND b.closing = 0) AS n_stopped_accounts, "
        "any_value(b.currency) AS currency, "
        f"strftime({opening}, '%Y-%m') AS period_start, strftime({closing}, '%Y-%m') AS period_end "
        f"FROM b{group_by}{' ORDER BY 2 DESC' if group_by else ''}"
    )


def _failed_invoices(spec: MetricSpec) -> str:
    """The invoices of the period with a failed payment attempt ("how many invoices failed
    payment in October 2026?"): how many had one or more, the failed attempts, and of those
    invoices how many were never paid and what they hold (rt13 U-H3: every invoice of an
    account that had ever failed a payment was counted)."""
    p = _bounds(spec.period, _LATEST_MONTH)
    return _period_select(
        spec,
        _LATEST_MONTH,
        "i.period",
        "count(*) AS n_invoices_with_failed_payment, sum(f.n_failed) AS n_failed_attempts, "
        "count(*) FILTER (WHERE NOT f.paid) AS n_never_paid, "
        "round(coalesce(sum(i.total) FILTER (WHERE NOT f.paid), 0), 2) AS never_paid_amount, "
        f"(SELECT count(*) FROM invoices x WHERE {_in('x.period', p)}) AS n_invoices_in_period",
        "invoices i JOIN failed f USING (invoice_id) "
        "LEFT JOIN accounts a ON a.account_id = i.account_id",
        within="i.period >= {start} AND i.period < {end}",
        prefix="WITH failed AS (SELECT invoice_id, count(*) FILTER (WHERE status = 'failed') "
        "AS n_failed, bool_or(status = 'succeeded') AS paid FROM payments GROUP BY 1 "
        "HAVING count(*) FILTER (WHERE status = 'failed') > 0) ",
        currency="i.currency",
    )


_LINE_METRICS = ("overage_billed", "credits", "gross_revenue")
"""Metrics that total invoice lines of a kind (lexicon `[line_metrics]`, rt14 V-H2)."""


@lru_cache(maxsize=4)
def _line_words(lexicon: Lexicon) -> Mapping[str, tuple[Phrase, ...]]:
    raw: Mapping[str, Sequence[str]] = lexicon.raw["line_metrics"]
    return {key: _word_phrases(words) for key, words in raw.items()}


def line_metric(tokens: list[str], lexicon: Lexicon) -> str | None:
    """The invoice-line metric a message asks for (`[line_metrics]`): "overdue" for invoices
    past their due date; else the line kind named first ("overage revenue", "credits", "gross
    revenue"), unless the message asks what was not billed or lost (the leakage tools') or
    names a card; None otherwise.

    Examples:
        >>> line_metric(tokenize("how much overage revenue did we bill in 2026?"), lexicon)
        'overage_billed'
        >>> line_metric(tokenize("how much overage went unbilled in 2026?"), lexicon) is None
        True
    """
    table = _line_words(lexicon)
    if has_phrase(tokens, table["overdue"]):
        return "overdue"
    if has_phrase(tokens, table["not_billed"]):
        return None
    found = [
        (index, key)
        for key in _LINE_METRICS
        for phrase in table[key]
        if (index := find_phrase(tokens, phrase)) >= 0
    ]
    return min(found)[1] if found else None


def lost_to_type(text: str, lexicon: Lexicon) -> bool:
    """Whether a revenue question asks what a leakage type cost ("how much revenue did we
    lose from downgrades this year?", "… lost on expired cards"): a loss verb, a word of
    `lost_via`, and a leakage type named after it: detect_leakage's findings of that type,
    never the book's revenue (rt14 V-H2; "lose to …" is a blocker already).

    Examples:
        >>> [lost_to_type(f"how much revenue did we lose from {cause}?", lexicon)
        ...  for cause in ("downgrades this year", "churned customers")]
        [True, False]
    """
    tokens = tokenize(text)
    via = _line_words(lexicon)["lost_via"]
    types = lexicon.entities.get("leakage_type", ())
    for index, token in enumerate(tokens):
        if token not in ("lose", "lost", "losing"):
            continue
        for start in range(index + 1, min(index + 4, len(tokens))):
            if any(find_phrase(tokens[start : start + len(v)], v) == 0 for v in via):
                return any(find_phrase(tokens[start : start + 7], p) >= 0 for p, _ in types)
    return False


def _line_amounts(spec: MetricSpec) -> str:
    """The invoice lines of a kind in the period (the latest month by default), per currency:
    the overage billed, the credits given (negative, as the invoices carry them), or gross
    revenue (subscription and overage lines) beside the discounts, credits and net revenue
    that take it to net (rt14 V-H2: each was answered with the book's net revenue)."""
    kinds = {"overage_billed": ("overage", "overage"), "credits": ("credit", "credit")}
    if spec.metric in kinds:
        kind, name = kinds[spec.metric or ""]
        total = "overage_revenue" if kind == "overage" else "credit_total"
        value = (
            f"round(sum(l.amount), 2) AS {total}, count(*) AS n_{name}_lines, "
            "count(DISTINCT i.account_id) AS n_accounts"
        )
        extra = [f"l.line_type = '{kind}'"]
    else:
        value = (
            "round(coalesce(sum(l.amount) FILTER (WHERE l.line_type IN ('subscription', "
            "'overage')), 0), 2) AS gross_revenue, round(coalesce(sum(l.amount) FILTER (WHERE "
            "l.line_type = 'discount'), 0), 2) AS discount_total, round(coalesce(sum(l.amount) "
            "FILTER (WHERE l.line_type = 'credit'), 0), 2) AS credit_total, "
            "round(sum(l.amount), 2) AS net_revenue"
        )
        extra = []
    return _period_select(
        spec,
        _LATEST_MONTH,
        "i.period",
        value + _months_covered(spec, "i.period"),
        "invoice_lines l JOIN invoices i USING (invoice_id) "
        "LEFT JOIN accounts a ON a.account_id = i.account_id",
        within="i.period >= {start} AND i.period < {end}",
        currency="i.currency",
        extra=extra,
    )


_AS_OF = f"last_day({LATEST})"
"""The date receivables are aged at: the last day of the data's latest month (no payment
after it is in the data, so a later date would age invoices the data cannot say are unpaid)."""


def _overdue(spec: MetricSpec) -> str:
    """Invoices past their due date by more than N days ("how many invoices are more than 60
    days overdue?"; N = 0 without a number) as of the data's last day, stated in the row
    (`as_of_date`): a positive total and no successful payment, counted and summed per
    currency over every month of the data unless a period is asked (rt14 V-H7: every invoice
    of every month was listed)."""
    days = spec.overdue_days or 0
    return _period_select(
        spec,
        _ALL_MONTHS,
        "i.period",
        "count(*) AS n_overdue_invoices, round(sum(i.total), 2) AS overdue_amount, "
        "count(DISTINCT i.account_id) AS n_accounts, "
        f"{days} AS days_past_due_over, strftime({_AS_OF}, '%Y-%m-%d') AS as_of_date",
        "invoices i LEFT JOIN accounts a ON a.account_id = i.account_id",
        within="i.period >= {start} AND i.period < {end}",
        prefix=_PAID,
        currency="i.currency",
        extra=[
            "i.total > 0",
            "i.invoice_id NOT IN (SELECT invoice_id FROM paid)",
            f"date_diff('day', i.due_date, {_AS_OF}) > {days}",
        ],
    )


def _collections(spec: MetricSpec) -> str:
    """Cash collected in the period (the latest month by default): the successful payments
    made in it, by the day they were made, counted and summed per currency ("how much cash
    did we collect in October 2026?", rt13 U-M3: answered with the leakage overview)."""
    return _period_select(
        spec,
        _LATEST_MONTH,
        "CAST(date_trunc('month', x.attempted_date) AS DATE)",
        "round(sum(amount), 2) AS cash_collected, count(*) AS n_successful_payments, "
        "count(DISTINCT x.account_id) AS n_accounts",
        "payments x JOIN invoices i ON i.invoice_id = x.invoice_id "
        "LEFT JOIN accounts a ON a.account_id = x.account_id",
        within="x.attempted_date >= {start} AND x.attempted_date < {end}",
        currency="i.currency",
        extra=["status = 'succeeded'"],  # amount and status: the payments' own columns
    )


def _late_payments(spec: MetricSpec) -> str:
    """Accounts ranked by how often they paid late (rt13 U-M3: "which customers pay late most
    often?" got the decline list): per account, the invoices of the period (every month by
    default) paid after their due date plus those past due with no successful payment by the
    data's last day, beside how many invoices it had; the most late invoices first."""
    p = _bounds(spec.period, _ALL_MONTHS)
    end_of_data = _shift(LATEST, 1)
    order = "ASC" if spec.ascending else "DESC"
    return (
        "WITH settled AS (SELECT i.invoice_id, i.account_id, i.due_date, i.total, i.currency, "
        "min(x.attempted_date) FILTER (WHERE x.status = 'succeeded') AS paid_date "
        "FROM invoices i LEFT JOIN payments x ON x.invoice_id = i.invoice_id "
        f"WHERE i.total > 0 AND {_in('i.period', p)} GROUP BY ALL), "
        "late AS (SELECT *, paid_date > due_date AS paid_late, "
        f"paid_date IS NULL AND due_date < {end_of_data} AS unpaid_past_due FROM settled) "
        "SELECT l.account_id, any_value(a.name) AS name, l.currency AS currency, "
        "count(*) FILTER (WHERE l.paid_late OR l.unpaid_past_due) AS n_late_invoices, "
        "count(*) FILTER (WHERE l.paid_late) AS n_paid_late, "
        "count(*) FILTER (WHERE l.unpaid_past_due) AS n_unpaid_past_due, "
        "count(*) AS n_invoices, "
        "round(coalesce(sum(l.total) FILTER (WHERE l.unpaid_past_due), 0), 2) AS past_due_amount, "
        f"{_span(p.start, p.end)}{filtered_to(spec.filters)} "
        "FROM late l LEFT JOIN accounts a ON a.account_id = l.account_id "
        f"WHERE {_where(spec.filters)} GROUP BY 1, 3 "
        "HAVING count(*) FILTER (WHERE l.paid_late OR l.unpaid_past_due) > 0 "
        f"ORDER BY 4 {order}, 8 {order}, 1 LIMIT {spec.rank or _RANK_DEFAULT}"
    )


def _failed_payments(spec: MetricSpec) -> str:
    """Failed payment attempts (rt13 U-M4: "which accounts have the most failed payments?"
    ranked the Failed_Payment_Retry findings by amount): ranked, per account, the failed
    attempts of the period (every month by default), with the invoices they hit and how
    many of those were never paid; asked as a total, their count per currency."""
    value = "count(*) AS n_failed_payments, count(DISTINCT x.invoice_id) AS n_invoices_affected"
    source = (
        "payments x JOIN invoices i ON i.invoice_id = x.invoice_id "
        "LEFT JOIN accounts a ON a.account_id = x.account_id"
    )
    if spec.rank is None and not spec.lists:
        return _period_select(
            spec,
            _ALL_MONTHS,
            "CAST(date_trunc('month', x.attempted_date) AS DATE)",
            value + ", count(DISTINCT x.account_id) AS n_accounts",
            source,
            within="x.attempted_date >= {start} AND x.attempted_date < {end}",
            currency="i.currency",
            extra=["x.status = 'failed'"],
        )
    p = _bounds(spec.period, _ALL_MONTHS)
    order = "ASC" if spec.ascending else "DESC"
    never_paid = (
        "count(DISTINCT x.invoice_id) FILTER (WHERE x.invoice_id NOT IN "
        "(SELECT invoice_id FROM paid)) AS n_invoices_never_paid"
    )
    return (
        f"{_PAID}SELECT x.account_id, any_value(a.name) AS name, i.currency AS currency, "
        f"{value}, {never_paid}, {_span(p.start, p.end)}{filtered_to(spec.filters)} "
        f"FROM {source} WHERE x.status = 'failed' AND x.attempted_date >= {p.start} "
        f"AND x.attempted_date < {p.end} AND {_where(spec.filters)} GROUP BY 1, 3 "
        f"ORDER BY 4 {order}, 1 LIMIT {spec.rank or _RANK_DEFAULT}"
    )


def _expired_cards(spec: MetricSpec) -> str:
    """Accounts whose card on file has expired now (account_features.card_expired: the card
    expires before next month's charge), largest MRR first (rt12 T-M5: "which accounts have
    expired cards?" got the Expired_Payment_Method findings of every month). Each row also
    carries the account's Expired_Payment_Method findings so far, the related leakage."""
    order = "ASC" if spec.ascending else "DESC"
    return (
        "WITH found AS (SELECT account_id, count(*) AS n, sum(amount) AS amount "
        "FROM detected_leakage WHERE leakage_type = 'Expired_Payment_Method' GROUP BY 1) "
        "SELECT f.account_id, a.name, a.tier, a.currency AS currency, "
        "strftime(CAST(f.as_of_month + to_months(f.months_to_card_expiry) AS DATE), '%Y-%m') "
        "AS card_valid_until, round(f.mrr, 2) AS contracted_mrr, "
        "coalesce(d.n, 0) AS n_expired_card_findings, "
        "round(coalesce(d.amount, 0), 2) AS expired_card_leakage, "
        f"{_as_months(period_start='f.as_of_month', period_end='f.as_of_month')}, {_DATA_SPAN}"
        f"{filtered_to(spec.filters)} "
        "FROM account_features f JOIN accounts a USING (account_id) "
        "LEFT JOIN found d USING (account_id) "
        f"WHERE f.card_expired AND {_where(spec.filters)} "
        f"ORDER BY 6 {order}, 1 LIMIT {spec.rank or _LIST_ROWS}"
    )


_BUILDERS: dict[str, Callable[[MetricSpec], str]] = {
    "overage_billed": _line_amounts,
    "credits": _line_amounts,
    "gross_revenue": _line_amounts,
    "overdue": _overdue,
    **_PERIOD_MEASURES,
    "collections": _collections,
    "late_payments": _late_payments,
    "failed_payments": _failed_payments,
    "expired_cards": _expired_cards,
    "failed_invoices": _failed_invoices,
    "revenue": _revenue,
    "leakage": _leakage,
    "churn": _churn,
    "nrr": _nrr,
    "grr": _grr,
    "arr": _arr,
    "movements": _movements,
}


_ISO_MONTH = re.compile(rf"\b({_YEAR})-(0[1-9]|1[0-2])\b(?!-\d)")
_NUMERIC_DATE = re.compile(
    rf"(?<![\d/.-])(?:(0?[1-9]|1[0-2])/(?:(0?[1-9]|[12]\d|3[01])/)?({_YEAR})|({_YEAR})-(0[1-9]|1[0-2]))"
    r"\b(?![/-]\d)"
)
"""A month written in digits: month first with slashes ("10/2026"; a day between,
"3/15/2026"), or ISO ("2026-10"; not a day, "2026-10-05")."""
_MONTH_ABBREVIATIONS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def worded_months(text: str) -> str:
    """`text` with each month written in digits as its name and year ("Oct 2026"), which every
    period reader here knows; a day keeps ISO form. Before (holdout14), "Leakage findings for
    10/2026?" read no month, "revenue in 9/2026" took the 9 for account ACC000009, and
    "revenue in 2026-09" was read as the whole of 2026. A message written as SQL is left as
    it is.

    Examples:
        >>> worded_months("findings for 10/2026, revenue in 2026-09 and on 3/15/2026")
        'findings for Oct 2026, revenue in Sep 2026 and on 2026-03-15'
        >>> worded_months("a 50/50 split, 1/3 of 2026, 2026-10-05")
        'a 50/50 split, 1/3 of 2026, 2026-10-05'
    """
    if re.match(r"\s*(?:select|with)\b", text, re.IGNORECASE):
        return text

    def worded(match: re.Match[str]) -> str:
        month, day, year, iso_year, iso_month = match.groups()
        if day:
            return f"{year}-{int(month):02d}-{int(day):02d}"
        number, year = (int(month), year) if month else (int(iso_month), iso_year)
        return f"{_MONTH_ABBREVIATIONS[number - 1]} {year}"

    return _NUMERIC_DATE.sub(worded, text)


_NAMED_MONTH = re.compile(
    rf"\b{_MONTH_NAME}\s*(?:of\s+)?(?:({_YEAR})\b|['’‘`]\s?(\d\d)\b|[-/](\d\d)\b(?!\d))"
)
_OPENS = re.compile(rf"\b(?:since|from|starting(?:\s+in|\s+from)?|after|as of|between)\s*{_DAY}$")
_CLOSES = re.compile(r"\b(?:until|till|up to|upto|through|thru|to|and|by)\s*$")
_THROUGH = re.compile(r"\b(?:until|till|up to|upto|through|thru|to)\s*$")
"""The words between two months that make them a range ("Mar 2026 through May 2026"), not a
pair ("September 2026 and October 2026" are compared)."""
_BEFORE = 24
"""Characters before a month searched for the word that opens or closes a range."""
_JOINED = r"\s*(?:,\s*|,?\s*and|to|through|thru|until|till|-|–|—)\s*"
_RANGE = re.compile(rf"\b{_MONTH_NAME}(?:{_JOINED}{_MONTH_NAME})+\s*(?:of\s+)?({_YEAR})\b")
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
        >>> tool_months("contract terms errors Mar 2026 through May 2026")
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
        elif _THROUGH.search(before) and "month" in months:  # "Mar 2026 through May 2026"
            months["since"], months["until"] = months.pop("month"), month
        elif not months:
            months["month"] = month
    if "month" in months and len(months) > 1:
        months.pop("month")
    if months.get("since", "") > months.get("until", "9999"):
        return {}
    return months


_WHOLE_YEAR = re.compile(
    rf"\b(?:in|for|during|throughout|over|of|calendar(?: year)?|fy|cy)\s+({_YEAR})\b"
    r"(?!\s*-\s*\d)"
)
"""A calendar year named on its own ("in 2025", "for FY 2025"); "2026-05" is a month."""


def tool_year(text: str) -> dict[str, str]:
    """`since`/`until` ('YYYY-MM') of a whole calendar year, quarter or half the message
    names ("lost to expired cards in 2025", "in Q2 2026") when it names no month with its
    year (`tool_months` reads those): for the tools that take a month range (detect_leakage).

    Examples:
        >>> tool_year("How much did we lose to expired cards in 2025?")
        {'since': '2025-01', 'until': '2025-12'}
        >>> tool_year("leakage in March 2025")
        {}
        >>> tool_year("what did missed downgrades cost in Q3 2026?")
        {'since': '2026-07', 'until': '2026-09'}
    """
    lowered = text.lower()
    if _stated_months(lowered) or _range(lowered):
        return {}
    for pattern, span in ((_QUARTER, 3), (_HALF, 6)):  # "in Q2 2026", "H1 2026"
        if (part := pattern.search(lowered)) is not None and part.group(2):
            first = (int(part.group(1)) - 1) * span + 1
            year = part.group(2)
            return {"since": f"{year}-{first:02d}", "until": f"{year}-{first + span - 1:02d}"}
    match = _WHOLE_YEAR.search(lowered)
    if match is None:
        return {}
    return {"since": f"{match.group(1)}-01", "until": f"{match.group(1)}-12"}


_ANY_YEAR = re.compile(rf"(?<![\w$€£.-]){_YEAR}(?:-(?:0[1-9]|1[0-2]))?(?![\w.%-])")
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
    lowered = _fiscal_years(text).lower()
    found: list[tuple[int, str]] = []
    patterns = [_N_MONTHS, _N_DAYS, _SINCE, _QUARTER, _HALF, _MONTH_ALONE, _ANY_YEAR, _WITH_YEAR]
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
