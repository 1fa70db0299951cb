"""The trend cache in the warehouse: tables `trend_metrics`, `trend_series`, `segments`.

A refresh replaces the three tables in one transaction and records, in `meta`, the
`data_version` it was computed from (and `METHOD_VERSION`); `is_fresh` compares it with the
current one so readers know when imports, or a new method, made it stale. Column lists come
from the tables themselves, so the schema (data/schema.sql, section "Caches: trends") stays
the single definition.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from analytics.trends import COMPONENTS, TrendScan
from data.warehouse import get_meta, get_meta_json, replace_rows, set_meta, transaction

VERSION_KEY = "trends_data_version"
"""meta key: '<data_version>/<METHOD_VERSION>' the cache was built from."""
METHOD_VERSION = "6"
"""Bump when the trend or segment method changes, so existing caches are rebuilt.
2: decline_level became the band of the forecast's decline_probability (issue 14).
3: the cache info records the declines the forecast learned from (its thin-history caveat).
4: the yearly cycle's level-shift check. 5: descriptive levels for thin books.
6: the local level's end-point rule (no lag at the last month of a steady fall)."""
_ADDED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("decline_probability", "DOUBLE"),
    ("decline_drivers", "VARCHAR DEFAULT ''"),
)
"""trend_metrics columns added after the first release: added to older warehouses on rebuild."""
INFO_KEY = "trends_cache_info"
"""meta key: JSON with build time, months, partial month, k, silhouette, stability."""


def current_version(con: duckdb.DuckDBPyConnection) -> str:
    """The warehouse's data version ("0" before any import) and the method version."""
    return f"{get_meta(con, 'data_version', '0') or '0'}/{METHOD_VERSION}"


def is_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the cache exists and was built from the current data version."""
    return get_meta(con, VERSION_KEY) == current_version(con)


def cache_info(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What the last refresh recorded (empty before the first one)."""
    return get_meta_json(con, INFO_KEY)


def series_frame(scan: TrendScan) -> pd.DataFrame:
    """Long table (account_id, month, components...) of the months inside each window."""
    months = np.asarray(scan.months.strftime("%Y-%m"), dtype=object)
    ids = np.asarray(scan.metrics.index, dtype=object)
    inside = ~np.isnan(scan.components["revenue"])
    rows, cols = np.nonzero(inside)
    data: dict[str, Any] = {"account_id": ids[rows], "month": months[cols]}
    for name in COMPONENTS:
        data[name] = scan.components[name][rows, cols]
    return pd.DataFrame(data)


def write_cache(
    con: duckdb.DuckDBPyConnection,
    metrics: pd.DataFrame,
    series: pd.DataFrame,
    segments: pd.DataFrame,
    info: dict[str, Any],
    data_version: str,
) -> None:
    """Replace the cache tables and record the data version, all or nothing."""
    metrics = metrics.reset_index().rename(columns={"customer_id": "account_id"})
    segments = segments.reset_index()
    with transaction(con):
        for name, kind in _ADDED_COLUMNS:
            con.execute(f"ALTER TABLE trend_metrics ADD COLUMN IF NOT EXISTS {name} {kind}")
        replace_rows(con, "trend_metrics", metrics)
        replace_rows(con, "trend_series", series)
        if len(segments):
            replace_rows(con, "segments", segments)
        else:  # too few customers to segment: no profile columns to write, no stale rows kept
            con.execute("DELETE FROM segments")
        set_meta(con, **{VERSION_KEY: data_version, INFO_KEY: json.dumps(info)})


def read_metrics(
    con: duckdb.DuckDBPyConnection,
    where: str = "",
    params: list[Any] | None = None,
    *,
    columns: Sequence[str] | None = None,
    order_by: str = "m.account_id",
    limit: int | None = None,
    segment_names: bool = False,
) -> pd.DataFrame:
    """Cached metrics joined with segment names, index customer_id.

    `where` (SQL on alias `m`, with `params`), `order_by` and `limit` run in DuckDB, so a
    question about a few customers never moves the whole table (100k rows take ~130 ms to
    read). `columns` picks metric columns (default: all of them plus segment_name; with
    `segment_names`, the picked ones plus segment_name). Picking matters for a top-N over
    partitioned results: DuckDB's top-N carries every selected column of every row (measured
    at 200k accounts over Parquet: 48 ms CPU for all 26 columns, 33 ms for the 13 that
    `find_declining` shows).
    """
    picked = ", ".join(["m.account_id", *(f"m.{c}" for c in columns or () if c != "account_id")])
    select = (
        "m.*, s.name AS segment_name"
        if columns is None
        else picked + (", s.name AS segment_name" if segment_names else "")
    )
    join = "LEFT JOIN segments s USING (segment_id) " if columns is None or segment_names else ""
    sql = (
        f"SELECT {select} FROM trend_metrics m {join}"
        + (f"WHERE {where} " if where else "")
        + f"ORDER BY {order_by}"
        + (f" LIMIT {int(limit)}" if limit is not None else "")
    )
    frame = con.execute(sql, params or []).df()
    frame = frame.rename(columns={"account_id": "customer_id"}).set_index("customer_id")
    for column in ("decline_level", "segment_id"):
        if column in frame.columns:
            frame[column] = frame[column].astype("Int64")
    return frame


def count_metrics(
    con: duckdb.DuckDBPyConnection, where: str = "", params: list[Any] | None = None
) -> tuple[int, float]:
    """Customers matching `where` (SQL on alias `m`) and their mean monthly revenue, summed
    (a customer without one counts 0)."""
    row = con.execute(
        "SELECT count(*), coalesce(sum(coalesce(m.mean_revenue, 0)), 0) FROM trend_metrics m "
        + (f"WHERE {where}" if where else ""),
        params or [],
    ).fetchone()
    return (int(row[0]), float(row[1])) if row else (0, 0.0)


_CUSTOMER_CURRENCY = (
    "SELECT account_id, min(currency) AS currency FROM monthly_revenue "
    "GROUP BY 1 HAVING count(DISTINCT currency) = 1"
)


def _rows_or_none(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> list[tuple[Any, ...]]:
    """The rows of a query over the revenue tables, or none where the warehouse has no such
    table (a results folder): the currency readers below answer "no currency" there."""
    try:
        return con.execute(sql, params or []).fetchall()
    except duckdb.Error:
        return []


def revenue_currencies(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The currencies the warehouse's revenue is in, sorted ([] where there is no revenue
    table, as in a results folder): invoices and imported revenue, read without the
    `monthly_revenue` view's per-month sums."""
    rows = _rows_or_none(
        con,
        "SELECT DISTINCT currency FROM (SELECT currency FROM invoices UNION ALL "
        "SELECT currency FROM revenue_imports) WHERE currency IS NOT NULL ORDER BY 1",
    )
    return [str(row[0]) for row in rows]


def customer_currencies(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> dict[str, str]:
    """The currency of each of `ids` whose revenue is in one currency ({} without a revenue
    table)."""
    if not ids:
        return {}
    rows = _rows_or_none(
        con,
        f"SELECT account_id, currency FROM ({_CUSTOMER_CURRENCY}) "
        "WHERE account_id IN (SELECT unnest(?))",
        [list(ids)],
    )
    return {str(key): str(value) for key, value in rows}


def revenue_by_currency(
    con: duckdb.DuckDBPyConnection, where: str = "", params: list[Any] | None = None
) -> dict[str, float]:
    """`count_metrics`'s summed mean monthly revenue, split by the customers' currency (a
    customer whose revenue is in several currencies, or none, is left out)."""
    rows = _rows_or_none(
        con,
        "SELECT c.currency, coalesce(sum(coalesce(m.mean_revenue, 0)), 0) "
        f"FROM trend_metrics m JOIN ({_CUSTOMER_CURRENCY}) c USING (account_id) "
        + (f"WHERE {where} " if where else "")
        + "GROUP BY 1 ORDER BY 1",
        params or [],
    )
    return {str(key): float(value) for key, value in rows}


def decline_level_counts(
    con: duckdb.DuckDBPyConnection, where: str = "", params: list[Any] | None = None
) -> dict[int | None, int]:
    """Customers per decline level (None: not judged, too new), levels ascending."""
    rows = con.execute(
        "SELECT m.decline_level, count(*) FROM trend_metrics m "
        + (f"WHERE {where} " if where else "")
        + "GROUP BY 1 ORDER BY 1 NULLS LAST",
        params or [],
    ).fetchall()
    return {None if level is None else int(level): int(n) for level, n in rows}


def read_series(con: duckdb.DuckDBPyConnection, customer_id: str) -> pd.DataFrame:
    """One customer's cached monthly components, index month ('YYYY-MM')."""
    frame = con.execute(
        "SELECT * EXCLUDE (account_id) FROM trend_series WHERE account_id = ? ORDER BY month",
        [customer_id],
    ).df()
    return frame.set_index("month")


def read_segments(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Cached segment profiles, index segment_id."""
    return con.execute("SELECT * FROM segments ORDER BY segment_id").df().set_index("segment_id")


def customer_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every customer id in the cache (for close-match suggestions)."""
    return [r[0] for r in con.execute("SELECT account_id FROM trend_metrics").fetchall()]
