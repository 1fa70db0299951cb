"""Entities of a message: ids, tiers, regions, leakage types, risk and decline levels,
segments, top-n.

Regexes find what has a shape (account ids, numbers, SQL, file paths); the lexicon finds what
is named by words (tiers, leakage types, levels). Numbers written as words count ("top five").
An id typed with a letter for a digit ("ACC00O042") is read as the id it resembles and the
typing is kept (`typed_id`) so the answer can say so. A bare number ("is 1234 shrinking?") is
only a candidate id (`bare_id`), and only as a word of its own: a digit inside markup or code
("<img onerror=alert(1)>", "x=1") is no account. The planner uses it where an account is
expected. Every account named is kept (`account_ids`): "account 7 and account 9" asks about
both. An id of another shape than ACC… ("CUST-003", "C-1042", "acme-001": every id of a real
finance export) is read as typed, never as a number of "customer 3"; the tool looks it up and
answers an unknown one with close matches. A number read as a count ("the 3 biggest
declining customers", "top 5") is never a candidate id (rt8 D2, D24), nor is a count with
an adjective or two before its noun ("fifteen moderately declining accounts"). A leakage type
is also named by two words near each other (lexicon `[leakage_near]`: "their card is
lapsing"). A message that names a decline level gets no SQL recipe: the warehouse holds no
decline level, so "how many EMEA accounts are in steep decline?" is the decline tool's.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from agent.offline import sqlgen
from agent.offline.lexicon import (
    NUMBER_WORDS,
    Lexicon,
    find_all,
    find_phrase,
    has_phrase,
    tokenize,
)
from agent.offline.metrics import without_names as _without_names
from agent.offline.sqlwords import vocabulary
from domain import normalise_account_id

_NUMBER_WORDS = NUMBER_WORDS
_NUMBER_WORD = re.compile(r"\b(" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b")
_ACCOUNT = re.compile(r"\b(?i:acc)(?:[\s#_-]|\.(?=\d))*((?=[\dOoIl]*\d)[\dOoIl]{1,9})\b")
_LOOKALIKES = str.maketrans("OoIl", "0011")
_ACCOUNT_WORD = re.compile(
    r"\b(?:account|acct|customer|client)(?:\s+(?:id|number|no\.?))?\s*#?\s*(\d{1,9})\b"
    r"|(?<![\w#])#\s?(\d{3,9})\b"
)
"""An id after "account"/"customer" ("customer 1265"), or after "#" with three digits or more
("#1265", "North Pixel Labs #321"): one or two digits after "#" are a position ("#2")."""
_SEGMENT = re.compile(
    r"\b(?:segment|cluster|group|cohort|seg)s?\s*(?:#|no\.?|number)?\s*(\d{1,3}|one)\b"
)
_COUNT_AFTER = (
    r"(?<![\w#$€£.])(\d{1,3})(?:['’]s\b|\s+is\b)?\s*(?:max(?:imum)?|tops|at most|or fewer|or less"
    r"|(?:is |will be |would be )?(?:fine|enough|plenty|ok|okay|will do|would do|is plenty))\b"
)
"""A count stated as a limit after the number: "five max", "five's fine", "10 tops"."""
_TOP_N = (
    re.compile(r"\btop\s*-?\s*(\d{1,3})\b"),
    re.compile(
        r"\b(?:first|show(?: me)?|list|give me|the|which)\s+(\d{1,3})\b"
        r"(?!\s*(?:months?|days?|%))"  # "which three are trending down?": a count
    ),
    re.compile(
        r"\b(\d{1,3})\s+(?:riskiest|most|largest|biggest|highest|worst|top|accounts|customers"
        r"|clients|rows|names|results|findings|cases|of them|of those|in total)\b"
    ),
    re.compile(  # "15 moderately declining accounts": a count, up to two words before the noun
        r"\b(\d{1,3})\s+(?:(?!(?:months?|days?|weeks?|years?|quarters?|of|in|for|from|since)\b)"
        r"[a-z-]+\s+){1,2}(?:accounts|customers|clients)\b"
    ),
    re.compile(r"\b(?:up to|limit(?: to)?|at most|max(?:imum)?(?: of)?)\s+(\d{1,3})\b"),
    re.compile(  # "biggest three we've found", "the worst 5"
        r"\b(?:biggest|largest|worst|highest|riskiest|heaviest|costliest)\s+(\d{1,3})\b"
        r"(?!\s*(?:months?|days?|weeks?|years?|%|percent|tiers?|regions?|segments?))"
    ),
    re.compile(_COUNT_AFTER),
)
_ONE_ASKED = re.compile(
    r"(?:^\W*|\b(?:who|which|what)(?:s|'s|’s|\s+is|\s+was)\s+(?:\w+\s+)?)(?:(?:the|our)\s+)?"
    r"(?:single\s+)?(?:worst|biggest|greatest|main|largest|number one|no\.?\s*1|#1)\s+"
    r"(?:offender|culprit|leaker|leak|finding)\b(?!s|\s+(?:types?|kinds?|sources?|categor))"
)
"""One asked for by a singular superlative ("who's the worst offender?", "biggest leak we
caught in september?", holdout15): a list of one, so a follow-up's "why" or "that account"
means it."""
_NOT_COUNT_BEFORE = re.compile(r"\b(?:level|segment|cluster|group|cohort|seg)\s*[-#:]?\s*$")
"""A number after these words names a level or segment ("segment 1 customers"), not a count."""
_BARE = re.compile(
    r"(?:^|(?<=[\s\"'“‘]))(\d{1,7})(?![\w%]|[.,]\d|\s*(?:%|percent|months?|days?|weeks?|years?"
    r"|quarters?|qtrs?|hours?|periods?|times?|invoices?|tickets?|contracts?"
    r"|seats?|accounts?|customers?|clients?|rows?|results?|names?|of\b|k\b|m\b|x\b|dollars?"
    r"|usd|eur|gbp|[$€£]))"
)
_LIMIT_AFTER = re.compile(_COUNT_AFTER)
_NOT_ID_BEFORE = re.compile(
    r"(?:top|first|last|level|segment|cluster|group|cohort|seg|number|no\.?|more than|less than"
    r"|fewer than|over|under|above|below|at least|at most|up to|limit|than|give me|show me"
    r"|those|these|all|the other|next|past|previous|prior|within|every"
    r"|list|[$€£]|\d)\s*$"
)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_DECLINE_LEVEL = re.compile(r"\b(?<!risk )(?:decline\s+)?level\s*[-#:]?\s*([0-3])\b")
""""level 3", "level-3", "level #2"; a risk level is no decline level."""
_FILE = re.compile(
    r"(?:^|[\s'\"`(])((?:[\w.~-]*[/\\])*[\w.-]+\.(?:csv|tsv|xlsx|xls|parquet|json))\b", re.I
)
_SQL_BLOCK = re.compile(r"```(?:sql)?\s*(.+?)```", re.IGNORECASE | re.DOTALL)
_SQL_INLINE = re.compile(r"`((?:select|with)\b[^`]+)`", re.IGNORECASE)
_SQL_START = re.compile(
    r"(?:^|(?<=[:\s]))(?:select|with)\b|(?:^|(?<=[:\n]))\s*from\b", re.IGNORECASE
)
"""Where bare SQL may start. DuckDB's `FROM table …` only opens a message or follows a colon:
inside a sentence "from" is a preposition ("pull it from monthly_revenue")."""
_TABLE_NAMES = (
    "accounts|contracts|usage_monthly|invoices|invoice_lines|payment_methods|payments"
    "|monthly_revenue|account_features|account_features_at|information_schema|meta"
)
_SQL_SHAPE = re.compile(
    rf"^(?:select\b.+\bfrom\s+(?:{_TABLE_NAMES}|\w+\s*\()|select\s+\*\s+from\b"
    rf"|with\s+\w+(?:\s*\([^)]*\))?\s+as\s*\(|from\s+(?:{_TABLE_NAMES}|\w+\s*\())",
    re.IGNORECASE | re.DOTALL,
)
"""Bare text counts as SQL only when it reads a warehouse table, a table function
(`read_csv_auto('…')`) or `select * from` anything: "select the riskiest" does not. The SQL
guard then answers for what may not be read, with its own reason."""
_SELECT_VALUES = re.compile(
    r"^select\s+(?:'|\"|-?\d+(?:\.\d+)?\s*(?:[-+*/%,)]|::|as\b|$)|[a-z_]+\s*\()",
    re.IGNORECASE,
)
"""A SELECT of values with no table ("select 1/0 as x, 'a'::int as y", "select getenv('HOME')",
rt12 T-L12: refused as off-topic): a literal or a function call right after SELECT; "select
10 riskiest accounts" is no query."""
_ORDINAL = re.compile(
    r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|bottom|top"
    r"|(?:10|[1-9])(?:st|nd|rd|th))\s+(?:one|account|customer|client|row|result|entry|name"
    r"|logo|company|(?:on|in|of) (?:the|that|this) list)\b|#\s*(\d{1,2})\b|\bnumber\s+(\d{1,2})\b"
)
_ORDINALS = {
    "first": 0,
    "top": 0,
    "second": 1,
    "third": 2,
    "fourth": 3,
    "fifth": 4,
    "sixth": 5,
    "seventh": 6,
    "eighth": 7,
    "ninth": 8,
    "tenth": 9,
    "last": -1,
    "bottom": -1,
}
_ORDINAL_WORD = (
    r"(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last"
    r"|(?:10|[1-9])(?:st|nd|rd|th))"
)
_LISTED_ORDINAL = re.compile(
    rf"\b(?:the\s+)?{_ORDINAL_WORD}(?=\s*(?:ones?\b|,|&|\band\b|\bor\b|[-–—?.:;!)]|$))"
)
"""A position in a list of positions: "the 2nd and the 4th", "first, third & fifth"."""
_GROUP = re.compile(
    r"\b(?:those|these|all)\s+(?:(?:top|first)\s+)?(two|three|four|five|six|seven|eight"
    r"|nine|ten|[2-9]|10)\b(?!\s*(?:months?|days?|weeks?|years?|quarters?|%|percent|tiers?"
    r"|regions?|segments?|types?|levels?|factors?|reasons?|things?|actions?|bullets?|points?))"
)
"""The first N rows of the last list: "those three", "both", "the top five", "all 4"."""
_GROUP_SIZES = {word: n for word, n in _NUMBER_WORDS.items() if 2 <= n <= 10}
_RISK_WORD = re.compile(
    r"\b(?:(?:only|just|the)\s+(high|medium|moderate|low)\b(?!\s+(?:mrr|revenue|value"
    r"|spend|spenders|growth|decline|churn|usage))"
    r"|(high|medium|moderate|low)\s+(?:ones?|risk ones?)\b)"
)
"""A risk level named by its word alone ("only the high ones"): one where the thread is about
leakage risk."""
_RISK_LEVELS = {"high": "High", "medium": "Medium", "moderate": "Medium", "low": "Low"}


@dataclass(frozen=True)
class Entities:
    """What a message names explicitly (None: not named)."""

    account_id: str | None = None
    tier: str | None = None
    region: str | None = None
    """A region of the accounts ("in APAC", "EMEA accounts"), the lexicon's words for the
    `[[sql.filters]]` values of `accounts.region`."""
    risk_level: str | None = None
    leakage_type: str | None = None
    decline_level: int | None = None
    segment_id: int | None = None
    top_n: int | None = None
    order_by: str | None = None
    file_path: str | None = None
    sql: str | None = None
    recipe: str | None = None
    ordinal: int | None = None
    ordinals: tuple[int, ...] = ()
    """Several positions in the last list ("the 2nd and the 4th", "those three"), zero-based."""
    bare_id: str | None = None
    hash_id: str | None = None
    """"#7" or "#65": a position in the thread's last list, else (nothing listed) an account."""
    typed_id: str | None = None
    account_ids: tuple[str, ...] = ()
    """Every account the message names ("account 7 and account 9", "ACC000007 and
    ACC000009"), in order: the planner answers each, never only the first."""
    risk_word: str | None = None
    """A risk level named by its word alone ("only the high ones")."""
    degree: int | None = None
    """A decline degree named without a decline word ("only the sharp ones"): a decline level
    where the thread is about declines."""
    data_question: bool = False
    """A question about the raw data that `recipe` could not be written for."""

    def named(self) -> dict[str, Any]:
        """The entities present, by kind (references and candidates are not entities)."""
        return {k: v for k, v in asdict(self).items() if v is not None and k not in _NOT_NAMED}


_NOT_NAMED = frozenset(
    {
        "ordinal",
        "ordinals",
        "bare_id",
        "hash_id",
        "typed_id",
        "account_ids",
        "risk_word",
        "degree",
        "data_question",
    }
)


def digits(text: str) -> str:
    """Lower-case text with number words replaced by digits ("top five" -> "top 5")."""
    return _digits(text)


def _digits(text: str) -> str:
    """Lower-case text with number words replaced by digits ("top five" -> "top 5"), and
    "single" before a superlative read as one ("our single riskiest account": the top 1)."""
    lowered = _SINGLE.sub("1 ", text.lower())
    lowered = _SPOKEN_ID.sub(_spoken_id, lowered)
    return _NUMBER_WORD.sub(lambda m: str(_NUMBER_WORDS[m.group(1)]), lowered)


_DIGIT_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "oh",
)
_DIGIT_WORD = "(?:" + "|".join(_DIGIT_WORDS) + ")"
_SPOKEN_ID = re.compile(
    rf"\b(acc(?:ount)?|acct|customer|client|id|number)(\s+){_DIGIT_WORD}(?:[\s-]+{_DIGIT_WORD}){{2,}}\b"
)
"""An id read out digit by digit after an id word, as dictation writes it ("account one four
four eight": ACC001448); three digits at least, so "customer one or two" stays words."""


def _spoken_id(match: re.Match[str]) -> str:
    spoken = re.findall(_DIGIT_WORD, match.group(0)[len(match.group(1)) :])
    number = "".join(str(_DIGIT_WORDS.index(word) % 10) for word in spoken)
    return f"{match.group(1)}{match.group(2)}{number}"


_SINGLE = re.compile(
    r"\bsingle\s+(?=(?:most\s+)?(?:riskiest|biggest|largest|highest|worst|costliest|leakiest)\b)"
    # "the one account in LATAM most likely to leak" (holdout13): the top 1
    r"|\b(?<=the )one(?=\s+(?:account|customer|client)\b[^?.]{0,40}?\b(?:most|riskiest|biggest"
    r"|largest|highest|worst|likeliest)\b)"
)


def _first_int(
    patterns: tuple[re.Pattern[str], ...],
    text: str,
    low: int,
    high: int,
    not_after: re.Pattern[str] | None = None,
) -> int | None:
    """The first number a pattern captures within [low, high], unless `not_after` matches
    the text before it."""
    for pattern in patterns:
        for match in pattern.finditer(text):
            value = int(match.group(1))
            if not_after is not None and not_after.search(text[: match.start(1)]):
                continue
            if low <= value <= high:
                return value
    return None


def _named(lexicon: Lexicon, kind: str, tokens: list[str]) -> str | None:
    """The earliest lexicon phrase of `kind` in the message (longest phrase on ties)."""
    best: tuple[int, str] | None = None
    for phrase, value in lexicon.entities.get(kind, ()):
        index = find_phrase(tokens, phrase)
        if index >= 0 and (best is None or index < best[0]):
            best = (index, value)
    return best[1] if best else None


_ORDER_STATED = (("first",), ("on", "top"), ("at", "the", "top"))
"""Words after an order that state it as the ranking asked ("biggest expected loss first")."""


def _order_by(lexicon: Lexicon, tokens: list[str]) -> str | None:
    """The ranking asked: one stated with "… first" ("which accounts are we most likely to
    lose money on …? Biggest expected loss first.", holdout15: ranked by probability) wins
    over the likelihood words of the question; else the earliest named."""
    for phrase, value in lexicon.entities.get("order_by", ()):
        for index in find_all(tokens, phrase):
            after = tokens[index + len(phrase) :]
            if any(tuple(after[: len(words)]) == words for words in _ORDER_STATED):
                return value
    return _named(lexicon, "order_by", tokens)


def _names_type_itself(lexicon: Lexicon, tokens: list[str]) -> bool:
    """Whether the message names a leakage type by the type's own name ("failed payment
    retries" for Failed_Payment_Retry, "expired payment methods"): a question about those
    findings, which the leakage tool counts, not about raw payments."""
    values = {value for _, value in lexicon.entities.get("leakage_type", ())}
    for value in values:
        words = value.lower().split("_")
        phrase = (*words[:-1], words[-1][: max(len(words[-1]) - 2, 3)] + "*")
        if find_phrase(tokens, phrase) >= 0:
            return True
    return False


def _named_near(lexicon: Lexicon, tokens: list[str]) -> str | None:
    """The leakage type two words near each other name ("their card is lapsing": a card word
    and an expiry word within lexicon `[leakage_near]` window words), the earliest first."""
    near = lexicon.raw["leakage_near"]
    window = int(near["window"])
    found: list[tuple[int, str]] = []
    for value, (firsts, seconds) in ((k, v) for k, v in near.items() if k != "window"):
        others = [tuple(p.split()) for p in seconds]
        for one in (tuple(p.split()) for p in firsts):
            for index in find_all(tokens, one):
                around = tokens[max(index - window, 0) : index + len(one) + window]
                if has_phrase(around, others):
                    found.append((index, value))
    return min(found)[1] if found else None


def _sql(text: str) -> str | None:
    """SQL in a code block or backticks, or bare SQL (to the end) that reads a warehouse table."""
    for pattern in (_SQL_BLOCK, _SQL_INLINE):
        if match := pattern.search(text):
            return match.group(1).strip().rstrip(";").strip()
    for start in _SQL_START.finditer(text):
        candidate = text[start.start() :].strip().rstrip(";").strip()
        if _SQL_SHAPE.match(candidate) or _SELECT_VALUES.match(candidate):
            return candidate
    return None


def _recipe(lexicon: Lexicon, text: str, tokens: list[str]) -> str | None:
    """SQL for a data question (agent/offline/sqlgen.py), or of the first recipe whose every word
    group occurs in the message, unless the message also uses an analytics word of its own
    (risk, leakage, at stake, …): that is a question for an analysis tool, or names a filter
    (a region, tier, …) the recipe's fixed query would silently drop."""
    if (written := sqlgen.write([text], lexicon)) is not None:
        return written
    analytics = [i for phrase in vocabulary(lexicon).analytics for i in find_all(tokens, phrase)]
    if sqlgen.parse(text, lexicon).filters:  # a fixed query would drop "in EMEA", "Starter"
        return None
    for groups, sql in lexicon.recipes:
        if not all(any(find_phrase(tokens, phrase) >= 0 for phrase in group) for group in groups):
            continue
        own = {i for group in groups for phrase in group for i in find_all(tokens, phrase)}
        if all(i in own for i in analytics):  # "top 5 accounts by money at stake" is no count
            return sql
    return None


def _ordinal(text: str) -> int | None:
    """Zero-based position named by "the second one", "#3", "number 2", … (-1: "the last one")."""
    match = _ORDINAL.search(text)
    if not match:  # "same for the third", "the 2nd - why?": one position standing alone
        alone = [m.group(1) for m in _LISTED_ORDINAL.finditer(text) if "the" in m.group(0)]
        return _position(alone[0]) if len(alone) == 1 else None
    word, hashed, numbered = match.groups()
    if word is None:
        return max(int(hashed or numbered) - 1, 0)
    if word[0].isdigit():
        return int(word[:-2]) - 1
    return _ORDINALS[word]


def _position(word: str) -> int:
    if word[0].isdigit():
        return int(word[:-2]) - 1
    return _ORDINALS[word]


def _ordinals(text: str) -> tuple[int, ...]:
    """Positions in the last list when the message names two or more ("the 2nd and the
    4th — why?") or a group of its first rows ("those three", "both of them"); else ()."""
    lowered = text.lower()
    listed = [_position(m.group(1)) for m in _LISTED_ORDINAL.finditer(lowered)]
    listed = list(dict.fromkeys(listed))
    if len(listed) >= 2:
        return tuple(listed)
    if re.search(r"\bboth\b(?!\s+(?:tiers?|regions?|types?|months?))", lowered):
        return (0, 1)
    if match := _GROUP.search(lowered):
        word = match.group(1)
        size = int(word) if word.isdigit() else _GROUP_SIZES[word]
        return tuple(range(size))
    return ()


def _risk_word(lowered: str) -> str | None:
    match = _RISK_WORD.search(lowered)
    return _RISK_LEVELS[match.group(1) or match.group(2)] if match else None


def _account(text: str, lowered: str) -> tuple[str | None, str | None]:
    """(account id, the id as typed when a look-alike letter stood for a digit)."""
    if match := _ACCOUNT.search(text):
        digits = match.group(1)
        fixed = normalise_account_id(digits.translate(_LOOKALIKES))
        return fixed, (match.group(0) if not digits.isdigit() else None)
    if other := _other_ids(text):  # "CUST-003" is that customer, never "customer 3"
        return min(other)[1], None
    if match := _ACCOUNT_WORD.search(lowered):
        return normalise_account_id(match.group(1) or match.group(2)), None
    return None, None


_HASH_NUMBER = re.compile(r"(?<![\w#])#\s?(\d{1,2})\b")
_OTHER_ID = re.compile(
    r"(?<![\w/\\.#$€£-])((?=[A-Za-z0-9_-]*\d)[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)+"
    r"|[A-Z]{2,8}\d{3,9})(?![\w/\\-]|\.\w|%)"
)
"""An id of another shape than ACC…: letters then a separated part with a digit ("CUST-003",
"C-1042", "acme-001", "cust_17"), or capitals then three digits or more ("CUST0042"): the
ids of a finance export. Periods, counts and levels written with a hyphen are no ids (their
first word is in `_NOT_ID_WORDS`)."""
_NOT_ID_WORDS = frozenset(
    [
        "q",
        "h",
        "fy",
        "cy",
        "ytd",
        "qtd",
        "mtd",
        "top",
        "bottom",
        "first",
        "last",
        "next",
        "past",
        "prev",
        "previous",
        "level",
        "lvl",
        "tier",
        "segment",
        "seg",
        "cluster",
        "group",
        "cohort",
        "year",
        "yr",
        "month",
        "mo",
        "week",
        "wk",
        "day",
        "quarter",
        "qtr",
        "half",
        "mid",
        "end",
        "early",
        "late",
        "pre",
        "post",
        "covid",
        "sars",
        "h1n1",
        "utf",
        "iso",
        "sha",
        "md",
        "p",
        "x",
        "y",
        "n",
        "t",
        "v",
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "mrr",
        "arr",
        "nrr",
        "grr",
        "ltv",
        "cac",
        "kpi",
        "okr",
        "net",
        "soc",
        "days",
        "gpt",
    ]
)
_ID_AFTER_WORD = re.compile(
    r"\b(?:account|acct|customer|client|id)\b(?:\s+(?:id|number|no\.?))?\s*[#:]?\s*"
    r"((?=[A-Za-z0-9_-]*\d)[A-Za-z][\w-]*)"
)
"""An id of letters and digits after "customer"/"account" ("customer cust003"); the word ends
there: "accounts5.csv" names no account "s5" (rt12 T-L4)."""


def _other_ids(text: str) -> list[tuple[int, str]]:
    """(position, id as typed) of every id of another shape than ACC… (`_OTHER_ID`)."""
    found = []
    for pattern in (_OTHER_ID, _ID_AFTER_WORD):
        for match in pattern.finditer(text):
            value = match.group(1)
            head = re.match(r"[A-Za-z]+", value)
            if head is None or head.group(0).lower() in _NOT_ID_WORDS:
                continue
            if _ACCOUNT.fullmatch(value):  # ACC… is read by `_ACCOUNT`
                continue
            found.append((match.start(1), value))
    return found


def _accounts(text: str, lowered: str) -> tuple[str, ...]:
    """Every account id the message names, in order of mention (look-alike letters read as
    digits, as `_account` does)."""
    found = [
        (m.start(), normalise_account_id(m.group(1).translate(_LOOKALIKES)))
        for m in _ACCOUNT.finditer(text)
    ]
    found += _other_ids(text)
    covered = {start for start, _ in found}
    found += [
        (m.start(), normalise_account_id(m.group(1) or m.group(2)))
        for m in _ACCOUNT_WORD.finditer(lowered)
        if not any(m.start() <= start <= m.end() for start in covered)
    ]
    return tuple(dict.fromkeys(account for _, account in sorted(found)))


def _hash_id(lowered: str) -> str | None:
    """The account a short "#7" would be when no list is on the thread."""
    match = _HASH_NUMBER.search(lowered)
    return normalise_account_id(match.group(1)) if match else None


def _bare_id(lowered: str) -> str | None:
    """A number standing alone that may be an account ("the same for 1210"), not a year,
    amount, count or position."""
    counts = {m.start(1) for pattern in _TOP_N for m in pattern.finditer(lowered)}
    for match in _BARE.finditer(lowered):
        number = match.group(1)
        if _YEAR.match(number) or _NOT_ID_BEFORE.search(lowered[: match.start()]):
            continue
        if match.start(1) in counts:  # "the 3 biggest declining customers" is a count
            continue
        if _LIMIT_AFTER.match(lowered, match.start()):  # "five's fine" is a count
            continue
        return normalise_account_id(number)
    return None


def _decline_level(lexicon: Lexicon, tokens: list[str], lowered: str) -> int | None:
    """The decline level: "level 2", a named level ("sharply declining"), or a degree next to
    a decline word ("a mild downward drift", "dropping steeply")."""
    if (level := _first_int((_DECLINE_LEVEL,), lowered, 0, 3)) is not None:
        return level
    if named := _named(lexicon, "decline_level", tokens):
        return int(named)
    for phrase, degree in lexicon.decline_degrees:  # "sharp decline", "dropping steeply"
        for index in find_all(tokens, phrase):
            if has_phrase(tokens[max(index - 2, 0) : index + 3], lexicon.decline_words):
                return int(degree)
    return None


def _degree(lexicon: Lexicon, tokens: list[str]) -> int | None:
    """The decline degree of a message without a decline word ("just the steep ones")."""
    if has_phrase(tokens, lexicon.decline_words):
        return None
    for phrase, degree in lexicon.decline_degrees:
        if find_phrase(tokens, phrase) >= 0:
            return int(degree)
    return None


def _segment(lowered: str) -> int | None:
    match = _SEGMENT.search(lowered)
    if match is None:
        return None
    return 1 if match.group(1) == "one" else int(match.group(1))


def extract_entities(text: str, tokens: list[str], lexicon: Lexicon) -> Entities:
    """Everything `text` names explicitly; `tokens` is `lexicon.tokenize(text)`."""
    sql = _sql(text)
    if sql is not None:  # a query is data: do not read tiers or ids out of it
        return Entities(sql=sql)
    lowered = _digits(text)
    account, typed = _account(text, lowered)
    file_match = _FILE.search(text)
    level = _decline_level(lexicon, tokens, lowered)
    # the warehouse holds no decline level: SQL for "how many EMEA accounts are in steep
    # decline?" would count every EMEA account, so the decline tool answers it
    recipe = None if level is not None else _recipe(lexicon, text, tokens)
    if recipe is not None and _names_type_itself(lexicon, tokens):
        recipe = None  # "failed payment retries since July": the leakage type, not payments
    # a customer's name is no filter: "and Wayne Enterprises?" names no tier (rt11 R-H4)
    plain = _without_names(text, lexicon)
    named = tokens if plain == text else tokenize(plain)
    risk = _named(lexicon, "risk_level", named)
    return Entities(
        account_id=account,
        tier=_named(lexicon, "tier", named),
        region=_named(lexicon, "region", named),
        risk_level=risk,
        leakage_type=_named(lexicon, "leakage_type", named) or _named_near(lexicon, named),
        decline_level=level,
        segment_id=_segment(lowered),
        top_n=_first_int(_TOP_N, lowered, 1, 100, _NOT_COUNT_BEFORE)
        or (1 if _ONE_ASKED.search(lowered) else None),
        order_by=_order_by(lexicon, tokens),
        file_path=file_match.group(1) if file_match else None,
        recipe=recipe,
        ordinal=_ordinal(lowered),
        ordinals=_ordinals(text),
        bare_id=None if account or file_match else _bare_id(lowered),
        hash_id=None if account or file_match else _hash_id(lowered),
        typed_id=typed,
        account_ids=_accounts(text, lowered) if account else (),
        risk_word=None if risk else _risk_word(lowered),
        degree=_degree(lexicon, tokens) if level is None else None,
        data_question=recipe is None and sqlgen.asks_for_data(text, lexicon),
    )
