"""Monthly revenue tables from a file or the warehouse, as the wide frame analytics expect.

`read_revenue_file` (`revrisk trends --input FILE`, `--backtest`) reads a file with the
importer's reader and checks (`data.imports.check_file`, kind monthly_revenue): the same
header search (title rows above the header), layouts, id/month/amount parsing, total rows and
refusals, naming file, row and column, as `revrisk import` (rt8 D14: a pandas reader of its
own took a title row for the header). Accepted layouts (CSV/TSV, Excel or Parquet):
- pivot: one id column, then one column per month ('YYYY-MM', or a first or last day of
  the month: 2026-05-31, 31/05/2026, an Excel date);
- long: customer, month (the same forms) and revenue, one row per customer and month;
amounts as finance exports write them ('$1,234.50', '1.234,50 €'; data.imports.finance_formats).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from data.imports import ReadLimits
from data.warehouse import latest_month


def _complete_months(wide: pd.DataFrame) -> pd.DataFrame:
    """Every month from the first to the last column, missing months as 0 revenue."""
    months = pd.period_range(min(wide.columns), max(wide.columns), freq="M").strftime("%Y-%m")
    wide = wide.reindex(columns=list(months), fill_value=0.0).fillna(0.0).astype(float)
    wide.columns.name = None
    return wide


def read_revenue_file(path: Path | str, limits: ReadLimits | None = None) -> pd.DataFrame:
    """Wide revenue table (index customer_id, columns 'YYYY-MM') from a pivot or long file
    that `revrisk import --kind monthly_revenue` would accept (see the module docstring).

    Raises the importer's `ImportValidationError` (a `ValueError`) listing every problem,
    `ValueError` for a file of several currencies (a trend sums its months) or without revenue,
    and `FileNotFoundError` when the file does not exist.
    """
    from data.imports import check_file

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no input file at {path}")
    rows = check_file(path, "monthly_revenue", limits=limits).frame
    currencies = sorted(rows["currency"].dropna().unique()) if "currency" in rows else []
    if len(currencies) > 1:
        raise ValueError(
            f"{path.name} holds revenue in {', '.join(currencies)}: a trend adds months up, "
            "so give one currency per file"
        )
    if rows.empty:
        raise ValueError(f"{path.name} holds no revenue rows")
    frame = pd.DataFrame(
        {
            "customer_id": rows["customer_id"].astype(str),
            "month": pd.to_datetime(rows["month"]).dt.strftime("%Y-%m"),
            "revenue": rows["net_revenue"].astype("float64"),
        }
    )
    wide = frame.pivot_table(
        index="customer_id", columns="month", values="revenue", aggfunc="sum", fill_value=0.0
    )
    return _complete_months(wide)


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
