"""Finance-export formats of amounts, months and headers, decided per column (rt8 D5).

Contract: nothing is guessed cell by cell. Amounts ('$10,000.00', '10.000,00 €', '£1,234',
'(1,234.50)', '1 234,50') are read by one number convention for the whole column: point
decimals with comma grouping, or comma decimals with point grouping. A column holding cells
only one convention reads (or, for cells both read, a '$' or '£' sign) takes that convention; a
column with cells of both is refused ('mixes number conventions'), and a cell both read
differently ('1,234': 1234 or 1.234) in a column that does not decide is refused as ambiguous,
each with the accepted forms. Currency signs and ISO codes around amounts are kept as the
column's currency hint ('$' as '$': the importer reads it as USD unless --currency says which
dollar); a column of two currencies is refused. A title row above the header names the currency
like a header does ('ACME - revenue by customer (USD)': `title_currencies`). Months are
'YYYY-MM', or a date on the first or last day of its month (a month-end date names its month:
Excel period-end cells), ISO or dd/mm/yyyy or mm/dd/yyyy: the column takes the order under
which every date is a first or last of its month, and is refused when no order or each order
fits only some dates. A header such as 'Revenue (USD)' names its column ('revenue') and its
currency.

Method: only when Arrow's plain-number cast failed (plain files never come here), each distinct
text is split by one regex (sign, number, minus) and read under both conventions by pandas
string operations: the strict forms babel's `parse_decimal(strict=True)` accepts for en_US and
de_DE, checked against babel in the tests. babel itself, per cell, cost 30 µs a text (3.0 s
CPU for 100,000 distinct '$1,234.56' amounts, both locales) against 0.7 s vectorised; babel
supplies the ISO 4217 codes. Dates: pandas on the extracted day, month and year. The
per-column decision is hand-written: no library decides a convention from a column (babel
needs the locale given).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pandas as pd

CONVENTIONS = {"point": "en_US", "comma": "de_DE"}
"""Number conventions: decimal point (1,234.56) and decimal comma (1.234,56), and the babel
locale that writes each."""
ACCEPTED_AMOUNTS = "1234.56, 1,234.56, $1,234.56, 1.234,56 €, 1234,56, (1,234.56) for negatives"
ACCEPTED_MONTHS = (
    "2026-05, 2026-05-01, 2026-05-31, 01/05/2026 or 31/05/2026 (first or last day), "
    "May-2026 or May 2026"
)
_SIGNS = {"$": "$", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_POINT_SIGNS = frozenset({"$", "US$", "£", "¥"})
"""Signs whose countries write decimal points: a '£1,234' is 1234, never 1.234."""
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_SIGN = "|".join(re.escape(s) for s in sorted(_SIGNS, key=len, reverse=True))
_AMOUNT = re.compile(
    rf"^(?P<neg1>-)?\s*(?P<pre>{_SIGN}|[A-Z]{{3}})?\s*(?P<neg2>-)?\s*(?P<num>[\d.,\s\u00a0\u202f\u2009']+)"
    rf"\s*(?P<post>{_SIGN}|[A-Z]{{3}})?\s*(?P<neg3>-)?$"
)
_SLASH_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?: 00:00:00)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?(?:[ T]00:00:00)?$")
MONTH_NAMES = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
"""English month names and their usual abbreviations ("Jan", "Sept", "January")."""
NAMED_MONTH = rf"(?i:(?:{MONTH_NAMES})[ \-/.,]*\d{{4}})"
"""A month written with its name and a four-digit year: "Jan-2025", "January 2025" (rt11
R-M4: a billing export's "Jan-2025" months were refused)."""
_MONTH_NUMBER = {
    name: number
    for number, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}  # English whatever the locale (calendar.month_abbr follows it)
_NAMED_DATE = re.compile(rf"^(?i:({MONTH_NAMES}))[ \-/.,]*(\d{{4}})$")
_HEADER_CURRENCY = re.compile(
    r"^(?P<name>.*?)[\s_]*(?:[(\[]\s*(?P<code>[A-Z]{3}|[$€£¥])\s*[)\]]|\bin\s+(?P<code2>[A-Z]{3}))\s*$"
)


@cache
def currency_codes() -> frozenset[str]:
    """ISO 4217 codes babel knows ('MRR' and 'ARR' are not among them)."""
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def header_currency(header: str) -> tuple[str, str | None]:
    """(header without its currency, the currency) of 'Revenue (USD)', 'MRR [€]', 'Amount in
    EUR'; the header itself and None otherwise.

    Examples:
        >>> header_currency("Revenue (USD)"), header_currency("MRR (ARR)")
        (('Revenue', 'USD'), ('MRR (ARR)', None))
    """
    found = _HEADER_CURRENCY.match(str(header).strip())
    if found is None:
        return str(header), None
    code = found.group("code") or found.group("code2")
    code = _SIGNS.get(code, code)
    if code != "$" and code not in currency_codes():
        return str(header), None
    return found.group("name"), code


_TITLE_CURRENCY = re.compile(
    r"[(\[]\s*(?P<code>[A-Z]{3}|[$€£¥]|US\$)\s*[)\]]"
    r"|\b(?:in|currency:?)\s+(?P<code2>[A-Z]{3})\b"
    r"|(?P<sign>[€£¥]|US\$)"
)


def title_currencies(title: tuple[str, ...]) -> set[str]:
    """The currencies a title above the header names as a header would ('(USD)', '[€]', 'in
    EUR'; anywhere in the line) or by a sign ('£'); ISO codes only, '$' as '$'.

    Examples:
        >>> title_currencies(("ACME Corp — monthly recurring revenue by customer (USD)",))
        {'USD'}
        >>> title_currencies(("Revenue in EUR, FY 2026", "Prepared by ALL STAFF (CEO)"))
        {'EUR'}
        >>> sorted(title_currencies(("Umsatz [€]", "Revenue report 2026"))), title_currencies(())
        (['EUR'], set())
    """
    found: set[str] = set()
    for line in title:
        for match in _TITLE_CURRENCY.finditer(str(line)):
            code = match.group("code") or match.group("code2") or match.group("sign")
            code = _SIGNS.get(code, code)
            if code == "$" or code in currency_codes():
                found.add(code)
    return found


def one_currency(hints: set[str | None]) -> tuple[str | None, str | None]:
    """(the currency a file's amounts name, or None; a refusal when they name several). '$'
    agrees with any dollar code ('$' and 'USD' are USD).

    Examples:
        >>> one_currency({"$", "USD", None}), one_currency({"$"}), one_currency({"EUR", "GBP"})[1]
        (('USD', None), ('$', None), 'the amounts name several currencies (EUR, GBP): one per file')
    """
    codes = {h for h in hints if h}
    iso = codes - {"$"}
    if len(iso) > 1 or (len(iso) == 1 and "$" in codes and not next(iter(iso)).endswith("D")):
        return (
            None,
            f"the amounts name several currencies ({', '.join(sorted(codes))}): one per file",
        )
    if iso:
        return next(iter(iso)), None
    return ("$" if codes else None), None


@dataclass(frozen=True)
class CellNotes:
    """Cells refused for a reason of their column (`code`, `message`, `mask`)."""

    code: str
    message: str
    mask: pd.Series


@dataclass(frozen=True)
class Amounts:
    """A column of amount texts read: float values (NaN unread), its currency hint, notes."""

    values: pd.Series
    currency: str | None
    notes: tuple[CellNotes, ...]


def parse_amounts(present: pd.Series) -> Amounts:
    """Amounts of non-missing text cells (see the module docstring).

    Examples:
        >>> read = parse_amounts(pd.Series(["$10,000.00", "$1,234", "(5.50)"]))
        >>> read.values.tolist(), read.currency
        ([10000.0, 1234.0, -5.5], '$')
        >>> parse_amounts(pd.Series(["10.000,00 €", "1.234"])).values.tolist()
        [10000.0, 1234.0]
        >>> [n.code for n in parse_amounts(pd.Series(["1,234.50", "1.234,50"])).notes]
        ['mixed_number_format']
    """
    text = present.dropna().astype(str)
    distinct = pd.Series(text.unique(), dtype="object")
    parts = _split_amounts(distinct)
    readings = {name: _read(parts, name) for name in CONVENTIONS}
    point, comma = readings["point"], readings["comma"]
    only_point = point.notna() & comma.isna()
    only_comma = comma.notna() & point.isna()
    differ = point.notna() & comma.notna() & (point != comma)
    signs = set(parts["sign"].dropna())
    notes: list[CellNotes] = []
    convention = None
    if only_point.any() and only_comma.any():
        example = f"{distinct[only_point].iloc[0]!r} and {distinct[only_comma].iloc[0]!r}"
        message = f"the column mixes number conventions ({example}); write one: {ACCEPTED_AMOUNTS}"
        notes.append(CellNotes("mixed_number_format", message, text.notna() & (text == text)))
    elif only_point.any() or (differ.any() and signs and signs <= _POINT_SIGNS):
        convention = "point"
    elif only_comma.any():
        convention = "comma"
    elif differ.any():
        ambiguous = set(distinct[differ])
        message = (
            "ambiguous amount: a point or comma may be a decimal or a thousands separator here; "
            f"write it as {ACCEPTED_AMOUNTS}"
        )
        notes.append(CellNotes("ambiguous_number", message, text.isin(ambiguous)))
        convention = "point"
    chosen = readings[convention or "point"]
    if convention is None:  # every cell reads alike under both conventions
        chosen = point.where(point.notna(), comma)
    lookup = dict(zip(distinct, chosen, strict=True))
    values = text.map(lookup).astype("float64").reindex(present.index)
    codes = {_SIGNS.get(s, s) for s in signs}
    if len(codes) > 1:  # first: '$1,000.00' and '€1.000,00' differ in currency before format
        message = f"the column mixes currencies ({', '.join(sorted(codes))}): one per column"
        notes.insert(0, CellNotes("mixed_currency", message, text.notna() & (text == text)))
    if notes:
        for note in notes:
            values = values.where(~note.mask.reindex(present.index, fill_value=False))
    currency = next(iter(codes)) if len(codes) == 1 else None
    return Amounts(values, currency, tuple(_align(n, present.index) for n in notes))


def _align(note: CellNotes, index: pd.Index) -> CellNotes:
    return CellNotes(note.code, note.message, note.mask.reindex(index, fill_value=False))


def _split_amounts(texts: pd.Series) -> pd.DataFrame:
    """Each amount text as `number` (digits and separators, spaces dropped; missing when the
    text is no amount), `sign` (currency sign or code) and `negative` ('-' or parentheses)."""
    text = texts.astype(str).str.strip()
    wrapped = text.str.startswith("(") & text.str.endswith(")")
    found = text.where(~wrapped, text.str[1:-1].str.strip()).str.extract(_AMOUNT)
    sign = found["pre"].fillna(found["post"])
    minus = found[["neg1", "neg2", "neg3"]].notna().sum(axis=1) + wrapped.astype(int)
    ok = (
        found["num"].notna()
        & ~(found["pre"].notna() & found["post"].notna())
        & (sign.isna() | sign.isin(set(_SIGNS) | currency_codes()))
        & minus.le(1)
    )
    number = found["num"].str.replace(_SPACES, "", regex=True)
    return pd.DataFrame(
        {"number": number.where(ok), "sign": sign.where(ok), "negative": minus.eq(1)}
    )


_GROUPING = {
    "point": (r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", ",", "."),
    "comma": (r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?", ".", ","),
}
"""Per convention: the strict form of a number (groups of three, or none), the group and the
decimal separator; what babel's `parse_decimal(strict=True)` accepts for en_US and de_DE
(tests/unit/data/test_finance_formats.py checks the two agree)."""


def _read(parts: pd.DataFrame, convention: str) -> pd.Series:
    """The amounts `parts` hold under `convention` ('point' or 'comma'); NaN where its strict
    form does not fit."""
    pattern, group, decimal = _GROUPING[convention]
    number = parts["number"].astype("object")
    fits = number.str.fullmatch(pattern).fillna(False).astype(bool)
    plain = number.str.replace(group, "", regex=False).str.replace(decimal, ".", regex=False)
    values = pd.to_numeric(plain.where(fits), errors="coerce").astype("float64")
    return values.where(~parts["negative"], -values)


def parse_months(present: pd.Series) -> tuple[pd.Series, tuple[CellNotes, ...]]:
    """First-of-month timestamps of month texts (NaT when unread), and column notes.

    Examples:
        >>> months, notes = parse_months(pd.Series(["31/05/2025", "30/06/2025", "2025-07"]))
        >>> [m.strftime("%Y-%m") for m in months], notes
        (['2025-05', '2025-06', '2025-07'], ())
        >>> parse_months(pd.Series(["05/01/2025", "06/01/2025"]))[0].dt.month.tolist()
        [5, 6]
        >>> [m.strftime("%Y-%m") for m in parse_months(pd.Series(["Jan-2025", "Sept 2025"]))[0]]
        ['2025-01', '2025-09']
    """
    text = present.dropna().astype(str).str.strip()
    iso = text.str.extract(_ISO_DATE)
    result = _boundary_month(iso[0], iso[1], iso[2].fillna("01"))
    named = text.str.extract(_NAMED_DATE)
    if named[0].notna().any():
        number = named[0].str[:3].str.lower().map(_MONTH_NUMBER)
        result = result.where(
            named[0].isna(), _boundary_month(named[1], number, pd.Series("01", index=named.index))
        )
    slashed = text.str.extract(_SLASH_DATE)
    has_slash = slashed[0].notna()
    notes: tuple[CellNotes, ...] = ()
    if has_slash.any():
        day_first = _boundary_month(slashed[2], slashed[1], slashed[0])
        month_first = _boundary_month(slashed[2], slashed[0], slashed[1])
        fits_day = day_first[has_slash].notna().all()
        fits_month = month_first[has_slash].notna().all()
        if fits_day or fits_month:
            chosen = day_first if fits_day else month_first
            result = result.where(~has_slash, chosen)
        else:
            message = (
                "dates of this column are no month under one day/month order: write "
                f"each month as one of {ACCEPTED_MONTHS}"
            )
            notes = (
                CellNotes(
                    "ambiguous_month", message, has_slash.reindex(present.index, fill_value=False)
                ),
            )
    return result.reindex(present.index), notes


def _boundary_month(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    """The month of each (year, month, day) that is its month's first or last day, else NaT."""
    parts = pd.DataFrame({"year": year, "month": month, "day": day}).apply(
        pd.to_numeric, errors="coerce"
    )
    dates = (
        pd.to_datetime(parts, errors="coerce") if len(parts) else pd.Series(dtype="datetime64[ns]")
    )
    boundary = (dates.dt.day == 1) | dates.dt.is_month_end
    return dates.dt.to_period("M").dt.to_timestamp().where(boundary)
