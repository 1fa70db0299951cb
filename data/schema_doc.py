"""The queryable schema with column types and the schema file's own column notes.

Contract: `queryable_schema()` lists every table and view that `query_duckdb` may read —
exactly what the SQL guard's catalog (`data.sql_guard.read_catalog`, the one allow-list)
admits — with each column's DuckDB type and the `--` note written next to it in
`data/schema.sql`, plus the table macros. Method: the schema file is executed in an
in-memory DuckDB attached under the guard's catalog name, so types come from DuckDB itself
and a table added to the schema shows up here (and in the tool description built from it)
without a second list to update. Reason: the hand-written table list in the old tool
description had fallen six tables behind the warehouse (issue 13).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import duckdb

from data import sql_guard
from data.warehouse import schema_sql

_COLUMN_NOTE = re.compile(r"^\s{2,}([a-z_][a-z0-9_]*)\s+[A-Z][^\n]*?--\s*(.+?)\s*$")
_TABLE = re.compile(r"^CREATE TABLE IF NOT EXISTS ([a-z_]+)", re.IGNORECASE)


@dataclass(frozen=True)
class QueryableColumn:
    """One column: name, DuckDB type, and the schema file's note (empty when none)."""

    name: str
    type: str
    note: str = ""


@dataclass(frozen=True)
class QueryableSchema:
    """Tables and views the guard admits (name → columns), views named, table macros."""

    tables: dict[str, tuple[QueryableColumn, ...]]
    views: frozenset[str]
    table_macros: frozenset[str]


def column_notes(sql: str) -> dict[tuple[str, str], str]:
    """`(table, column) → note` from lines such as `    slope  DOUBLE,  -- Theil–Sen`.

    Examples:
        >>> column_notes("CREATE TABLE IF NOT EXISTS t (\\n  amount  DECIMAL,  -- lost\\n);")
        {('t', 'amount'): 'lost'}
    """
    notes: dict[tuple[str, str], str] = {}
    table = ""
    for line in sql.splitlines():
        if started := _TABLE.match(line):
            table = started.group(1).lower()
        elif match := _COLUMN_NOTE.match(line):
            notes[(table, match.group(1))] = match.group(2)
    return notes


@cache
def queryable_schema() -> QueryableSchema:
    """What `query_duckdb` may read, from the schema file (no warehouse needed)."""
    sql = schema_sql()
    notes = column_notes(sql)
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH ':memory:' AS {sql_guard.CATALOG_NAME}")
        con.execute(f"USE {sql_guard.CATALOG_NAME}")
        con.execute(sql)
        catalog = sql_guard.read_catalog(con)
        rows = con.execute(
            "SELECT c.table_name, c.column_name, c.data_type, t.table_type "
            "FROM information_schema.columns c JOIN information_schema.tables t "
            "USING (table_catalog, table_schema, table_name) "
            "WHERE c.table_catalog = ? AND c.table_schema = 'main' "
            "ORDER BY c.table_name, c.ordinal_position",
            [sql_guard.CATALOG_NAME],
        ).fetchall()
    finally:
        con.close()
    tables: dict[str, list[QueryableColumn]] = {}
    views: set[str] = set()
    for table, column, dtype, kind in rows:
        name = str(table).lower()
        if name not in catalog.tables:
            continue
        tables.setdefault(name, []).append(
            QueryableColumn(str(column), str(dtype), notes.get((name, str(column)), ""))
        )
        if kind == "VIEW":
            views.add(name)
    return QueryableSchema(
        {name: tuple(columns) for name, columns in tables.items()},
        frozenset(views),
        catalog.table_macros,
    )


__all__ = ["QueryableColumn", "QueryableSchema", "column_notes", "queryable_schema"]
