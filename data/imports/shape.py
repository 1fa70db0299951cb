"""Telling a revenue file by its cells when its header names no kind.

Contract: `revenue_layout(table)` is the monthly-revenue spec (pivot or long) a file's cells
have the shape of, or None. Pivot: two or more headers are months (2025-01, Jan-2025, ...).
Long: at most `MAX_LONG_COLUMNS` columns, one whose cells are months and another whose cells
are amounts (nine in ten of the first `SAMPLE_ROWS` non-empty cells read as such, with the
importer's own month and amount readers).

Method and measured reason (rt11 R-M4): the chat sent every file whose header matched no kind
to the account scorer, so a revenue export with unfamiliar column names ("Cust. Name,
Billing Period, Net Amount ($)") was answered "Scoring it now…" and refused with the
leakage-account columns it never meant to have. With this shape the chat offers the revenue
import instead, whose report names the missing column and the closest one the file has.
"""

from __future__ import annotations

import re

import pandas as pd

from data.imports.column_specs import specs_for
from data.imports.finance_formats import parse_amounts, parse_months
from data.imports.readers import RawTable
from data.imports.spec_types import MONTH_HEADER, KindSpec

SAMPLE_ROWS = 200
"""Non-empty cells of a column read to tell its shape."""
MAX_LONG_COLUMNS = 5
"""Customer, month, amount, currency and one more: wider files are other kinds (usage)."""
SHARE = 0.9
"""Share of a column's sampled cells that must read as months (or amounts)."""


def revenue_layout(table: RawTable) -> KindSpec | None:
    """The monthly-revenue spec whose shape the file's cells have, else None.

    Examples:
        >>> from data.imports.report import Source
        >>> cells = pd.DataFrame([["Acme", "Jan-2025", "$1,200.00"], ["Acme", "Feb-2025", "$9"]])
        >>> headers = ("Client Ref", "Invoice Period", "Gross")
        >>> revenue_layout(RawTable(Source("r.csv"), headers, cells, "csv")).sub_format
        'long'
        >>> revenue_layout(RawTable(Source("a.csv"), ("colour", "shape"), cells.iloc[:, :2], "csv"))
    """
    pivot, long = (
        next(spec for spec in specs_for("monthly_revenue") if spec.sub_format == layout)
        for layout in ("pivot", "long")
    )
    if sum(1 for header in table.headers if re.fullmatch(MONTH_HEADER, header.strip())) >= 2:
        return pivot
    if not 2 <= len(table.headers) <= MAX_LONG_COLUMNS:
        return None
    months = [position for position in table.cells.columns if _share_months(table.cells[position])]
    amounts = [
        position for position in table.cells.columns if _share_amounts(table.cells[position])
    ]
    if months and any(position not in months for position in amounts):
        return long
    return None


def _sample(column: pd.Series) -> pd.Series:
    text = column.astype("str").str.strip()
    return text[text != ""].head(SAMPLE_ROWS)


def _share_months(column: pd.Series) -> bool:
    sample = _sample(column)
    return bool(len(sample)) and parse_months(sample)[0].notna().mean() >= SHARE


def _share_amounts(column: pd.Series) -> bool:
    sample = _sample(column)
    return bool(len(sample)) and parse_amounts(sample).values.notna().mean() >= SHARE


__all__ = ["MAX_LONG_COLUMNS", "SAMPLE_ROWS", "revenue_layout"]
