"""The queryable schema with column types and the schema file's own column notes.

Contract: `queryable_schema()` lists every table and view that `query_duckdb` may read —
exactly the SQL guard's allow-list (`data.sql_guard.AGENT_RELATIONS` and
`AGENT_TABLE_MACROS`, imported, never copied) — with each column's DuckDB type and the `--`
note written next to it in `data/schema.sql`. Method: the schema file is executed in an
in-memory DuckDB, so types come from DuckDB itself, and a relation added to the allow-list
shows up here (and in the tool description built from it) without a second list to update.
Reason: the hand-written table list in the old tool description had fallen six tables behind
the warehouse (issue 13).
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
        con.execute(sql)
        rows = con.execute(
            "SELECT c.table_name, c.column_name, c.data_type, t.table_type "
            "FROM information_schema.columns c JOIN information_schema.tables t "
            "USING (table_catalog, table_schema, table_name) "
            "WHERE c.table_schema = 'main' ORDER BY c.table_name, c.ordinal_position"
        ).fetchall()
        macros = {
            str(row[0]).lower()
            for row in con.execute(
                "SELECT function_name FROM duckdb_functions() WHERE function_type = 'table_macro'"
            ).fetchall()
        }
    finally:
        con.close()
    allowed = set(sql_guard.AGENT_RELATIONS)
    tables: dict[str, list[QueryableColumn]] = {}
    views: set[str] = set()
    for table, column, dtype, kind in rows:
        name = str(table).lower()
        if name not in allowed:
            continue
        tables.setdefault(name, []).append(
            QueryableColumn(str(column), str(dtype), notes.get((name, str(column)), ""))
        )
        if kind == "VIEW":
            views.add(name)
    ordered = {name: tuple(tables[name]) for name in sql_guard.AGENT_RELATIONS if name in tables}
    return QueryableSchema(
        ordered,
        frozenset(views),
        frozenset(name for name in sql_guard.AGENT_TABLE_MACROS if name in macros),
    )


__all__ = ["QueryableColumn", "QueryableSchema", "column_notes", "queryable_schema"]
