"""Monthly revenue tables from a file or the warehouse, as the wide frame analytics expect.

Minimal, pure-pandas reader for `revrisk trends --input FILE`; the validated importer of
`data/imports/loaders.py` can replace `read_revenue_file` later without touching the callers.

Accepted layouts (CSV, Excel or Parquet):
- pivot: one id column, then one column per month named 'YYYY-MM' (or 'YYYY-MM-DD');
- long: columns for customer, month and revenue (names matched case-insensitively, see
  `_ID_NAMES`, `_MONTH_NAMES`, `_REVENUE_NAMES`); several rows per month are summed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from data.warehouse import latest_month

_MONTH_COLUMN = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
_ID_NAMES = ("customer_id", "customerid", "customer", "account_id", "accountid", "account", "id")
_MONTH_NAMES = ("month", "period", "date", "invoice_month")
_REVENUE_NAMES = ("revenue", "net_revenue", "amount", "value", "total")


def _read_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(path)
    if suffix in (".xlsx", ".xls"):
        return pd.read_excel(path)
    if suffix == ".parquet":
        return pd.read_parquet(path)
    raise ValueError(f"unsupported input file type {suffix!r} (use .csv, .xlsx or .parquet)")


def _find(columns: pd.Index, names: tuple[str, ...], what: str) -> str:
    lookup = {re.sub(r"[^a-z_]", "", str(c).lower()): str(c) for c in columns}
    for name in names:
        if name in lookup:
            return lookup[name]
    raise ValueError(f"no {what} column: expected one of {', '.join(names)}; got {list(columns)}")


def _from_pivot(table: pd.DataFrame, month_columns: list[str]) -> pd.DataFrame:
    others = [c for c in table.columns if c not in month_columns]
    if not others:
        raise ValueError("pivot file needs an id column before the month columns")
    ids = table[others[0]].astype(str).str.strip()
    wide = table[month_columns].apply(pd.to_numeric, errors="raise")
    wide.columns = [c[:7] for c in month_columns]
    wide.index = pd.Index(ids, name="customer_id")
    wide = wide.T.groupby(level=0).sum().T  # duplicate month labels (a -DD variant) add up
    return _complete_months(wide.groupby(level=0).sum())


def _from_long(table: pd.DataFrame) -> pd.DataFrame:
    id_col = _find(table.columns, _ID_NAMES, "customer id")
    month_col = _find(table.columns, _MONTH_NAMES, "month")
    revenue_col = _find(table.columns, _REVENUE_NAMES, "revenue")
    months = pd.to_datetime(table[month_col].astype(str), errors="coerce")
    if months.isna().any():
        bad = table.loc[months.isna(), month_col].iloc[0]
        raise ValueError(f"month column {month_col!r} holds an unreadable value {bad!r}")
    frame = pd.DataFrame(
        {
            "customer_id": table[id_col].astype(str).str.strip(),
            "month": months.dt.strftime("%Y-%m"),
            "revenue": pd.to_numeric(table[revenue_col], errors="raise"),
        }
    )
    wide = frame.pivot_table(
        index="customer_id", columns="month", values="revenue", aggfunc="sum", fill_value=0.0
    )
    return _complete_months(wide)


def _complete_months(wide: pd.DataFrame) -> pd.DataFrame:
    """Every month from the first to the last column, missing months as 0 revenue."""
    months = pd.period_range(min(wide.columns), max(wide.columns), freq="M").strftime("%Y-%m")
    wide = wide.reindex(columns=list(months), fill_value=0.0).fillna(0.0).astype(float)
    wide.columns.name = None
    return wide


def read_revenue_file(path: Path | str) -> pd.DataFrame:
    """Wide revenue table (index customer_id, columns 'YYYY-MM') from a pivot or long file.

    Raises `ValueError` naming the problem (type, missing column, unreadable value) and
    `FileNotFoundError` when the file does not exist.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no input file at {path}")
    table = _read_table(path)
    month_columns = [str(c) for c in table.columns if _MONTH_COLUMN.match(str(c))]
    wide = _from_pivot(table, month_columns) if month_columns else _from_long(table)
    if wide.empty:
        raise ValueError(f"{path} holds no revenue rows")
    return wide


def warehouse_revenue(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Wide revenue table of every account, first invoiced month to the warehouse's last month.

    `monthly_revenue` is sparse (no invoice, no row); those months become 0. Accounts without
    any invoice get a row of zeros (status "no_revenue").
    """
    rows, accounts = revenue_rows(con)
    last = latest_month(con)
    if last is None or len(rows["month"]) == 0:
        raise ValueError("the warehouse holds no revenue yet: build the demo or import data first")
    months = pd.period_range(min(rows["month"]), last[:7], freq="M").strftime("%Y-%m")
    return wide_revenue(rows, accounts, list(months))


def revenue_rows(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, Any], list[str]]:
    """Monthly revenue per account as columns (account_id, month 'YYYY-MM', revenue), and
    every account id: the two inputs of `wide_revenue`."""
    rows = con.execute(
        "SELECT account_id, strftime(month, '%Y-%m') AS month, "
        "CAST(sum(net_revenue) AS DOUBLE) AS revenue FROM monthly_revenue GROUP BY ALL"
    ).fetchnumpy()
    accounts = [r[0] for r in con.execute("SELECT account_id FROM accounts ORDER BY 1").fetchall()]
    return rows, accounts


def wide_revenue(rows: dict[str, Any], accounts: list[str], months: list[str]) -> pd.DataFrame:
    """Accounts (sorted) x `months` revenue table; months without a row are 0.

    Examples:
        >>> rows = {"account_id": np.array(["B", "A"]), "month": np.array(["2026-02", "2026-01"]),
        ...         "revenue": np.array([5.0, 7.0])}
        >>> wide_revenue(rows, ["A", "B", "C"], ["2026-01", "2026-02"]).to_numpy().tolist()
        [[7.0, 0.0], [0.0, 5.0], [0.0, 0.0]]
    """
    ids = pd.Index(sorted(set(accounts) | set(rows["account_id"].tolist())), name="customer_id")
    values = np.zeros((len(ids), len(months)))
    row_at = ids.get_indexer(pd.Index(rows["account_id"]))
    col_at = pd.Index(months).get_indexer(pd.Index(rows["month"]))
    np.add.at(values, (row_at, col_at), rows["revenue"])
    return pd.DataFrame(values, index=ids, columns=list(months))
