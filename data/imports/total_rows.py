"""Total rows of finance exports: a 'Total' (or 'Grand total', 'Sum', 'Subtotal …') row, or an
unlabelled row holding the column sums, at the foot of a revenue or account file.

Contract: `find_total_rows` looks at a file's cells before validation and returns the rows to
leave out. A row is a total row when its id is a total word (`TOTAL_WORDS`, or a 'Subtotal …' /
'Grand total …' label), or its id is empty and its money values equal the sums of the other
rows (per column; per month in a long file). Those rows are skipped with a warning naming file,
row and column, so the rest of the file imports as it would without them: a total row carries
no customer, and refusing the whole file would only make the user delete a line every export
has. A row with a customer-like id whose values equal the sums of the other rows is refused
(a problem naming the row): it may be a total under another label or a real customer, and
guessing either way could double or drop revenue.

Method: money columns (the kind's `decimal` columns, a pivot's month columns) are parsed with
the importer's own cell parser; sums are compared to within half a cent per summed row, the
rounding an export's two-decimal cells can carry. Hand-written because no library knows a
spreadsheet's total-row conventions; it is ~100 lines over pandas. Cost: 0.74 s CPU for a
500,000-row long file (per-month sums), measured on this loaded machine.
"""

from __future__ import annotations

import re

import pandas as pd

from data.imports.cell_parsing import parse_cells
from data.imports.headers import HeaderMatch
from data.imports.report import ProblemLog
from data.imports.spec_types import ColumnSpec, KindSpec

TOTAL_WORDS = frozenset(
    {"total", "totals", "grand total", "sum", "subtotal", "sub total", "overall"}
    | {"total revenue", "total mrr", "all customers", "all accounts", "overall total"}
)
"""Ids that label an aggregate row, compared lower-case with punctuation dropped."""
_LABEL_PREFIX = re.compile(r"(sub ?totals?|grand totals?)\b")
"""'Subtotal EMEA', 'Grand total 2025': no customer is called that ('Total X' may be: Total
Energies, so a bare 'Total …' prefix is not taken as a label)."""
MIN_OTHER_ROWS = 2
"""A row is compared with column sums only when at least this many other rows add up."""
_MONEY = ColumnSpec("money", "decimal", required=False, nullable=True)


def is_total_label(value: object) -> bool:
    """True when a cell's id labels an aggregate row.

    Examples:
        >>> [is_total_label(v) for v in ("Total", "GRAND TOTAL:", "Sub-total EMEA", "Total SA")]
        [True, True, True, False]
    """
    words = re.sub(r"[^a-z0-9]+", " ", str(value).lower().replace("-", "")).strip()
    return words in TOTAL_WORDS or bool(_LABEL_PREFIX.match(words))


def find_total_rows(
    cells: pd.DataFrame,
    headers: tuple[str, ...],
    spec: KindSpec,
    match: HeaderMatch,
    log: ProblemLog,
) -> pd.Index:
    """The rows of `cells` (index = file row numbers) that are total rows, logged: skipped
    ones as warnings, refused ones as problems. Kinds whose id is free text only."""
    id_name = spec.keys[0][0] if spec.keys else None
    if id_name is None or id_name not in match.positions:
        return cells.index[:0]
    if spec.column(id_name).pattern is not None:  # 'ACC000001': a total word fails it anyway
        return cells.index[:0]
    ids = cells[match.positions[id_name]].fillna("").astype("str").str.strip()
    labelled = ids.map(is_total_label).astype(bool)
    money = _money(cells, headers, spec, match)
    if money.empty:
        return ids.index[labelled]
    groups = _groups(cells, spec, match)
    summed = _equals_others(money, groups, ~labelled)
    # a labelled row is a total by its label: its warning states the fact, over even one other
    # row (rt12 T-L5: Oscorp 1000/1200 under Total 1000/1200 was told "do not equal")
    stated = _equals_others(money, groups, ~labelled, min_others=1)
    header = headers[match.positions[id_name]]
    for row in ids.index[labelled]:
        how = "equal" if stated.get(row, False) else "do not equal"
        log.add(
            "total_row",
            f"a total row, skipped (it names no customer); its amounts {how} the sums of the "
            "other rows",
            row=int(row),
            column=header,
            value=ids[row],
            warning=True,
        )
    blank = summed & ids.eq("") & ~labelled
    for row in ids.index[blank]:
        message = "no id and amounts equal to the sums of the other rows: a total row, skipped"
        log.add("total_row", message, row=int(row), column=header, warning=True)
    named = _named_totals(summed, money, ids) & ids.ne("") & ~labelled
    for row in ids.index[named]:
        message = (
            "amounts equal the sums of the other rows: a total row? Remove it, or label it "
            "'Total' to have it skipped"
        )
        log.add("total_row", message, row=int(row), column=header, value=ids[row])
    return ids.index[labelled | blank | named]


def _named_totals(summed: pd.Series, money: pd.DataFrame, ids: pd.Series) -> pd.Series:
    """Rows of ids all of whose rows equal the sums, over at least two non-zero amounts (one
    matching amount is too easily a coincidence to refuse a customer for)."""
    amounts = money.notna().mul(money.fillna(0).ne(0)).sum(axis=1)
    every = summed.groupby(ids).transform("all")
    n_amounts = amounts.groupby(ids).transform("sum")
    return summed & every & n_amounts.ge(2)


def _money(
    cells: pd.DataFrame, headers: tuple[str, ...], spec: KindSpec, match: HeaderMatch
) -> pd.DataFrame:
    """Money cells parsed as numbers (NaN when empty or not a number), one column each."""
    if spec.pivot is not None:
        positions = list(match.pivot_positions)
    else:
        positions = [p for n, p in match.positions.items() if spec.column(n).dtype == "decimal"]
    return pd.DataFrame(
        {headers[p]: parse_cells(cells[p], _MONEY).typed.astype("float64") for p in positions},
        index=cells.index,
    )


def _groups(cells: pd.DataFrame, spec: KindSpec, match: HeaderMatch) -> pd.Series:
    """The rows that add up together: one group per month in a long file, else one."""
    if spec.pivot is None and "month" in match.positions:
        month = cells[match.positions["month"]].fillna("").astype("str").str.strip()
        return month.str[:7]
    return pd.Series("", index=cells.index)


def _equals_others(
    money: pd.DataFrame, groups: pd.Series, counted: pd.Series, min_others: int = MIN_OTHER_ROWS
) -> pd.Series:
    """Rows whose every present amount equals the sum of the other counted rows of its group
    (at least `min_others` of them, and one amount not zero)."""
    present = money.notna()
    values = money.fillna(0.0)
    weight = counted.astype(float)
    totals = values.mul(weight, axis=0).groupby(groups).transform("sum")
    counts = present.mul(weight, axis=0).groupby(groups).transform("sum")
    others = totals.sub(values.mul(weight, axis=0))
    n_others = counts.sub(present.mul(weight, axis=0))
    tolerance = 0.005 * n_others.clip(lower=1) + 1e-9 * others.abs()
    close = (values - others).abs().le(tolerance) & n_others.ge(min_others)
    agree = (close | ~present).all(axis=1)
    some = (present & values.ne(0)).any(axis=1)
    return agree & some
