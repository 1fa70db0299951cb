"""DuckDB warehouse: opening connections, creating the schema, transactions, bookkeeping.

Writers (demo build, imports, cache refresh) take a short-lived read-write connection; every
reader, the agent's SQL tool included, opens the file read-only. DuckDB lets one process write
or many read, so nobody holds a connection longer than one unit of work.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:
    import pandas as pd

RAW_TABLES: tuple[str, ...] = (
    "accounts",
    "contracts",
    "usage_monthly",
    "invoices",
    "invoice_lines",
    "payment_methods",
    "payments",
)
"""Billing facts, in foreign-key order (parents first)."""

TRUTH_TABLES: tuple[str, ...] = (
    "leakage_events",
    "leakage_risk_truth",
    "trend_truth",
    "decline_truth",
    "anomaly_truth",
)
"""Ground truth of the synthetic world: evaluation only, never read to make a prediction."""


class WarehouseMissingError(FileNotFoundError):
    """Raised when a read-only open finds no warehouse file."""


def schema_sql() -> str:
    """The schema file's text (tables, ground truth, views)."""
    return resources.files("data").joinpath("schema.sql").read_text(encoding="utf-8")


@contextmanager
def connect(path: Path | str, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse at `path` for one unit of work and close it afterwards.

    A read-write open creates the file and its schema when missing; a read-only open of a
    missing file raises `WarehouseMissingError` with the command that builds one.
    """
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseMissingError(
            f"No warehouse at {path}. Build the demo with `revrisk demo` or import data "
            "with `revrisk import FILE`."
        )
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute("SET enable_progress_bar = false")
    try:
        if not read_only:
            ensure_schema(con)
        yield con
    finally:
        con.close()


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table and view that does not exist yet (idempotent)."""
    con.execute(schema_sql())


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing unit of work: commit on success, roll back on any exception."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every base table, sorted by name.

    Examples:
        >>> import duckdb
        >>> con = duckdb.connect()
        >>> ensure_schema(con)
        >>> table_counts(con)["accounts"]
        0
    """
    names = [
        row[0]
        for row in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_schema = current_schema() "
            "ORDER BY table_name"
        ).fetchall()
    ]
    counts: dict[str, int] = {}
    for name in names:
        row = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()
        counts[name] = int(row[0]) if row else 0
    return counts


def get_meta(con: duckdb.DuckDBPyConnection, key: str, default: str | None = None) -> str | None:
    """A bookkeeping value (data version, world seed, build time, ...)."""
    row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return str(row[0]) if row else default


def get_meta_json(con: duckdb.DuckDBPyConnection, key: str) -> dict[str, Any]:
    """A bookkeeping value stored as JSON (a cache's refresh report); empty when absent."""
    raw = get_meta(con, key)
    return json.loads(raw) if raw else {}


def replace_rows(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, order_by: str | None = None
) -> None:
    """Replace every row of a cache `table` with `frame`'s columns of the table's names, in
    the table's column order (call inside a transaction). ValueError naming the columns the
    frame lacks, before anything is deleted."""
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position",
        [table],
    ).fetchall()
    columns = [r[0] for r in rows]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"cache frame for {table} lacks column(s) {missing}")
    con.execute(f"DELETE FROM {table}")
    con.register("_incoming", frame[columns])
    try:
        order = f" ORDER BY {order_by}" if order_by else ""
        con.execute(f"INSERT INTO {table} SELECT * FROM _incoming{order}")
    finally:
        con.unregister("_incoming")


def set_meta(con: duckdb.DuckDBPyConnection, **values: object) -> None:
    """Insert or replace bookkeeping values."""
    for key, value in values.items():
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, str(value)])


def bump_data_version(con: duckdb.DuckDBPyConnection) -> int:
    """Mark the billing data as changed, so caches derived from it know they are stale."""
    version = int(get_meta(con, "data_version", "0") or 0) + 1
    set_meta(con, data_version=version)
    return version


def latest_month(con: duckdb.DuckDBPyConnection) -> str | None:
    """The latest month with usage, invoices or imported revenue, as 'YYYY-MM-01', or None."""
    row = con.execute(
        "SELECT max(m) FROM (SELECT max(month) AS m FROM usage_monthly "
        "UNION ALL SELECT max(period) FROM invoices "
        "UNION ALL SELECT max(month) FROM revenue_imports)"
    ).fetchone()
    return str(row[0]) if row and row[0] is not None else None
