"""Parsing a column of cells into typed values, vectorised (pandas, with Arrow's strict
number cast as the fast path). Amounts and months in finance-export forms ('$1,234.50',
'1.234,50 €', '31/05/2025', Excel month-end dates) are read by one convention per column
(data.imports.finance_formats); cells it refuses for a reason of the column carry `notes`.

Missing-value tokens: an empty cell is missing everywhere; in non-text columns NA, N/A, NaN,
null and None are too. In text columns those words are data ("None" and "N/A" are values of
the reference leakage format).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data.imports.column_specs import ColumnSpec
from data.imports.finance_formats import CellNotes, parse_amounts, parse_months

NULL_WORDS = frozenset({"na", "n/a", "nan", "nat", "null", "none", "#n/a"})
NUMERIC_DTYPES = ("int", "float", "decimal")
_BOOL_WORDS = {
    "true": True,
    "t": True,
    "yes": True,
    "y": True,
    "1": True,
    "false": False,
    "f": False,
    "no": False,
    "n": False,
    "0": False,
}
MAX_EXACT_INT = 2**53
"""Integers beyond this lose precision as float64: refused rather than silently rounded."""


@dataclass(frozen=True)
class ParsedCells:
    """One column parsed: `typed` values, `null` (empty cells), `bad` (present but not of
    the column's type), `text` (stripped cells; None for an already typed column) and
    `too_large` (whole numbers beyond `MAX_EXACT_INT`, also `bad`: of the type, out of its
    range)."""

    typed: pd.Series
    null: pd.Series
    bad: pd.Series
    text: pd.Series | None
    too_large: pd.Series
    notes: tuple[CellNotes, ...] = field(default=())
    currency: str | None = None


def parse_cells(cells: pd.Series, col: ColumnSpec) -> ParsedCells:
    """Parse one column's cells as `col.dtype` (no logging, no domain rules).

    Examples:
        >>> parsed = parse_cells(pd.Series(["1", "x", "", "N/A"]), ColumnSpec("n", "int"))
        >>> parsed.typed.tolist()[:2], parsed.bad.tolist(), parsed.null.tolist()
        ([1.0, nan], [False, True, False, False], [False, False, True, True])
    """
    text: pd.Series | None = None
    notes: tuple[CellNotes, ...] = ()
    currency = None
    if col.dtype in NUMERIC_DTYPES and _is_plain_number(cells):
        typed: pd.Series = cells.astype("float64")
        null = typed.isna()
    else:
        text = _as_text(cells)
        null = text.eq("")
        if col.dtype != "text":
            null |= text.str.lower().isin(NULL_WORDS)
        typed, notes, currency = _parse_formats(text.where(~null), col)
    bad = ~null & typed.isna()
    too_large = pd.Series(False, index=cells.index)
    if col.dtype in NUMERIC_DTYPES:
        numbers = typed.astype("float64")
        finite = np.isfinite(numbers.fillna(0))
        bad |= ~null & ~finite
        if col.dtype == "int":
            too_large = ~null & finite & (numbers % 1 == 0) & (numbers.abs() > MAX_EXACT_INT)
            bad |= ~null & (numbers % 1 != 0) | too_large
    if col.dtype == "month":
        bad |= ~null & typed.notna() & (pd.to_datetime(typed).dt.day != 1)
    return ParsedCells(typed, null, bad, text, too_large, notes, currency)


def _parse_formats(
    present: pd.Series, col: ColumnSpec
) -> tuple[pd.Series, tuple[CellNotes, ...], str | None]:
    """`_parse`, with amounts and months that plain parsing misses read by the column's
    finance convention: (typed values, notes, the amounts' currency hint)."""
    typed = _parse(present, col)
    missed = present.notna() & typed.isna()
    if col.dtype == "month":
        missed |= typed.notna() & (pd.to_datetime(typed).dt.day != 1)  # a month-end date
    if not missed.any() or col.dtype not in ("decimal", "float", "month"):
        return typed, (), None
    if col.dtype == "month":
        months, notes = parse_months(present)
        return months.where(months.notna(), typed), notes, None
    amounts = parse_amounts(present)
    refused = pd.Series(False, index=present.index)
    for note in amounts.notes:
        refused |= note.mask
    plain = typed.where(amounts.values.isna() & ~refused)  # '1e5' and the like
    currency = amounts.currency if col.dtype == "decimal" else None  # money columns only
    return amounts.values.where(amounts.values.notna(), plain), amounts.notes, currency


def _is_plain_number(cells: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(cells) and not pd.api.types.is_bool_dtype(cells)


def _as_text(cells: pd.Series) -> pd.Series:
    """Cells as stripped strings, missing as ''."""
    if not (pd.api.types.is_string_dtype(cells) or cells.dtype == object):
        cells = cells.astype("str").where(cells.notna(), "")
    return cells.fillna("").astype("str").str.strip()


def _parse(present: pd.Series, col: ColumnSpec) -> pd.Series:
    """Typed values of non-missing text; unparseable cells missing."""
    if col.dtype in NUMERIC_DTYPES:
        return _to_numbers(present)
    if col.dtype == "bool":
        return present.str.lower().map(_BOOL_WORDS).astype("boolean")
    if col.dtype in ("date", "month"):
        try:
            dates = pd.to_datetime(present, format="ISO8601", errors="coerce")
        except ValueError:  # mixed time zones: compare them in UTC
            dates = pd.to_datetime(present, format="ISO8601", errors="coerce", utc=True)
        if getattr(dates.dt, "tz", None) is not None:
            dates = dates.dt.tz_localize(None)
        return dates.dt.normalize() if col.dtype == "date" else dates
    return present


def _to_numbers(present: pd.Series) -> pd.Series:
    """float64 of number-like text, unparseable cells NaN. Arrow's strict cast is ~10x
    faster than pandas' coercing parser, so it runs first and the coercing one only when
    some cell is not a number."""
    try:
        values = pc.cast(pa.array(present, from_pandas=True), pa.float64())
        return pd.Series(values.to_numpy(zero_copy_only=False), index=present.index)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pd.to_numeric(present, errors="coerce").astype("float64")
