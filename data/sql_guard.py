"""Guarded, read-only SQL over the warehouse for the agent's `query_duckdb` tool.

Two independent fences, so that a gap in one is closed by the other:

1. **Allow-list on the parsed query** (`check_sql`, pure): sqlglot parses the text as DuckDB;
   exactly one SELECT / WITH / set-operation statement; no DDL, DML, ATTACH, COPY, EXPORT,
   PRAGMA, INSTALL, LOAD, SET, CALL, …; tables must be warehouse tables, views or CTEs (so
   `FROM 'file.csv'` replacement scans fail); table functions must be on an allow-list and file,
   network and SQL-string functions (read_csv, glob, query, …) are refused anywhere. What runs is
   the statement sqlglot re-generates from the checked tree, never the raw text.
2. **A locked-down connection** (`run_query`): an in-memory DuckDB that attaches the warehouse
   READ_ONLY, then disables external access (no files, no network, no extensions) and locks its
   configuration; a timer interrupts queries past the time limit; rows are capped.

Ground-truth tables (`TRUTH_TABLES`) are evaluation-only and not queryable here.
"""

from __future__ import annotations

import difflib
import logging
import re
import threading
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from data.warehouse import TRUTH_TABLES, WarehouseMissingError

MAX_SQL_CHARS = 10_000
SAFE_TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})
_ALLOWED_ROOTS = (exp.Select, exp.SetOperation, exp.Subquery)
_FORBIDDEN_NODES: tuple[type[exp.Expression], ...] = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.Command,
    exp.Copy,
    exp.Attach,
    exp.Detach,
    exp.Pragma,
    exp.Set,
    exp.Use,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Into,
    exp.Install,
    exp.Describe,
    exp.Show,
    exp.Summarize,
    exp.LoadData,
    exp.TruncateTable,
    exp.Grant,
    exp.Revoke,
    exp.Comment,
    exp.Export,
    exp.Kill,
    exp.Analyze,
    exp.Refresh,
    exp.Cache,
    exp.Uncache,
    exp.Lock,
)
_FORBIDDEN_FUNCTION = re.compile(
    r"^(read_\w*|\w*_scan|glob|query|query_table|getenv|pragma_\w*|duckdb_secrets?|sniff_csv"
    r"|parquet_\w*|iceberg_\w*|delta_\w*|sqlite_\w*|postgres_\w*|mysql_\w*|http\w*|load\w*"
    r"|install\w*|json_execute_serialized_sql|system|checkpoint|force_checkpoint|export\w*)$"
)
_SCHEMAS = frozenset({"", "main"})
_ALIAS = "warehouse"
_NAME_IN_ERROR = re.compile(r'(?:column|name|Table)\s+"?([A-Za-z_][\w.]*)"?', re.IGNORECASE)

_logger = logging.getLogger(__name__)


class SqlRejected(ValueError):  # noqa: N818  (the name the issue and callers use)
    """The query is not allowed; `reason` says why, `suggestions` lists close valid names."""

    def __init__(self, reason: str, suggestions: Collection[str] = ()) -> None:
        self.reason = reason
        self.suggestions = list(suggestions)
        super().__init__(reason)


class SqlExecutionError(RuntimeError):
    """An allowed query failed in DuckDB (unknown column, type error, time limit, …).

    `schema` (table → columns) and `suggestions` (closest names) help the model fix it.
    """

    def __init__(
        self, message: str, schema: dict[str, list[str]], suggestions: Collection[str] = ()
    ) -> None:
        self.message = message
        self.schema = schema
        self.suggestions = list(suggestions)
        super().__init__(message)


@dataclass(frozen=True)
class QueryResult:
    """Rows of a guarded query: at most `row_cap` rows; `truncated` when more existed."""

    sql: str
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool
    elapsed_ms: float


@dataclass(frozen=True)
class Catalog:
    """What a query may read: tables/views with their columns, and table macros."""

    tables: dict[str, list[str]] = field(default_factory=dict)
    table_macros: frozenset[str] = frozenset()

    def close_names(self, name: str, n: int = 5) -> list[str]:
        """Table, view and column names that look like `name`."""
        columns = {column for names in self.tables.values() for column in names}
        pool = sorted(set(self.tables) | columns | self.table_macros)
        return difflib.get_close_matches(name.lower(), pool, n=n, cutoff=0.5)


def _function_name(node: exp.Func) -> str:
    return (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()


@contextmanager
def _quiet_sqlglot() -> Iterator[None]:
    """sqlglot logs a warning for every statement it cannot fully parse; the caller decides."""
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _parse_one(sql: str) -> exp.Expr:
    if not sql.strip():
        raise SqlRejected("Empty query: write one SELECT statement.")
    if len(sql) > MAX_SQL_CHARS:
        raise SqlRejected(f"Query longer than {MAX_SQL_CHARS} characters.")
    try:
        with _quiet_sqlglot():
            parsed = sqlglot.parse(sql, read="duckdb")
    except ParseError as exc:
        detail = exc.errors[0].get("description", "syntax error") if exc.errors else "syntax error"
        raise SqlRejected(f"Could not parse the query: {detail}.") from exc
    statements = [s for s in parsed if s is not None and not isinstance(s, exp.Semicolon)]
    if len(statements) != 1:
        raise SqlRejected(f"Exactly one statement is allowed; found {len(statements)}.")
    return statements[0]


def _check_node_types(tree: exp.Expr) -> None:
    if not isinstance(tree, _ALLOWED_ROOTS):
        raise SqlRejected(f"Only SELECT / WITH queries are allowed, not {tree.key.upper()}.")
    for node in tree.walk():
        if isinstance(node, _FORBIDDEN_NODES):
            raise SqlRejected(f"{node.key.upper()} is not allowed: the warehouse is read-only.")
        if isinstance(node, exp.Func) and _FORBIDDEN_FUNCTION.match(_function_name(node)):
            raise SqlRejected(
                f"Function {_function_name(node)}() is not allowed (file/SQL access)."
            )


def _check_tables(tree: exp.Expr, catalog: Catalog) -> None:
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    allowed_functions = SAFE_TABLE_FUNCTIONS | catalog.table_macros
    for table in tree.find_all(exp.Table):
        if isinstance(table.this, exp.Func):
            name = _function_name(table.this)
            if name not in allowed_functions:
                raise SqlRejected(
                    f"Table function {name}() is not allowed; allowed: "
                    f"{', '.join(sorted(allowed_functions))}."
                )
            continue
        name, schema, catalog_name = table.name.lower(), table.db.lower(), table.catalog.lower()
        if schema == "information_schema" and catalog_name in {"", _ALIAS}:
            continue
        known = name in ctes or name in catalog.tables
        if not known or schema not in _SCHEMAS or catalog_name not in {"", _ALIAS}:
            raise SqlRejected(
                f"Unknown table {table.sql(dialect='duckdb')}: only warehouse tables, views and "
                "CTEs can be queried.",
                catalog.close_names(name),
            )


def check_sql(sql: str, catalog: Catalog) -> str:
    """Validate `sql` against the allow-list; return the statement to execute.

    Raises:
        SqlRejected: with a reason the model can act on.

    Examples:
        >>> cat = Catalog(tables={"accounts": ["account_id", "tier"]})
        >>> check_sql("select tier, count(*) n from ACCOUNTS group by 1 -- hi", cat)
        'SELECT tier, COUNT(*) AS n FROM ACCOUNTS GROUP BY 1'
        >>> check_sql("DROP TABLE accounts", cat)
        Traceback (most recent call last):
        ...
        data.sql_guard.SqlRejected: Only SELECT / WITH queries are allowed, not DROP.
    """
    tree = _parse_one(sql)
    _check_node_types(tree)
    _check_tables(tree, catalog)
    return tree.sql(dialect="duckdb", comments=False)


@contextmanager
def _locked_connection(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """In-memory DuckDB with the warehouse attached read-only and outside access switched off."""
    if not db_path.exists():
        raise WarehouseMissingError(
            f"No warehouse at {db_path}. Build the demo with `revrisk demo` or import data "
            "with `revrisk import FILE`."
        )
    con = duckdb.connect(":memory:")
    try:
        escaped = str(db_path.resolve()).replace("'", "''")
        con.execute(f"ATTACH '{escaped}' AS {_ALIAS} (READ_ONLY)")
        con.execute(f"USE {_ALIAS}")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        yield con
    finally:
        con.close()


_CATALOG_CACHE: dict[tuple[str, int, int], Catalog] = {}
_CATALOG_CACHE_SIZE = 8


def _cached_catalog(con: duckdb.DuckDBPyConnection, db_path: Path) -> Catalog:
    """`read_catalog`, remembered per file version (path, size, mtime): it costs ~50 ms."""
    stat = db_path.stat()
    key = (str(db_path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _CATALOG_CACHE:
        if len(_CATALOG_CACHE) >= _CATALOG_CACHE_SIZE:
            _CATALOG_CACHE.pop(next(iter(_CATALOG_CACHE)))
        _CATALOG_CACHE[key] = read_catalog(con)
    return _CATALOG_CACHE[key]


def read_catalog(con: duckdb.DuckDBPyConnection) -> Catalog:
    """Queryable tables/views (ground truth excluded) with columns, and table macros."""
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_catalog = ? AND table_schema = 'main' ORDER BY table_name, ordinal_position",
        [_ALIAS],
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        if table not in TRUTH_TABLES:
            tables.setdefault(str(table).lower(), []).append(str(column))
    macros = con.execute(
        "SELECT DISTINCT function_name FROM duckdb_functions() "
        "WHERE database_name = ? AND function_type = 'table_macro'",
        [_ALIAS],
    ).fetchall()
    return Catalog(tables=tables, table_macros=frozenset(str(m[0]).lower() for m in macros))


def _execution_error(exc: duckdb.Error, catalog: Catalog, timeout_s: float) -> SqlExecutionError:
    if isinstance(exc, duckdb.InterruptException):
        message = f"Query stopped after the {timeout_s:g} s time limit; aggregate or filter more."
        return SqlExecutionError(message, catalog.tables)
    message = str(exc).split("\n")[0]
    match = _NAME_IN_ERROR.search(message)
    suggestions = catalog.close_names(match.group(1).split(".")[-1]) if match else []
    return SqlExecutionError(message, catalog.tables, suggestions)


def run_query(
    db_path: Path | str, sql: str, *, row_cap: int = 200, timeout_s: float = 10.0
) -> QueryResult:
    """Check and run one read-only query; at most `row_cap` rows, at most `timeout_s` seconds.

    Raises:
        SqlRejected: the query is not allowed.
        SqlExecutionError: DuckDB failed or the time limit hit (with schema and close names).
        WarehouseMissingError: no warehouse file at `db_path`.
    """
    with _locked_connection(Path(db_path)) as con:
        catalog = _cached_catalog(con, Path(db_path))
        statement = check_sql(sql, catalog)
        timer = threading.Timer(timeout_s, con.interrupt)
        started = time.perf_counter()
        timer.start()
        try:
            cursor = con.execute(statement)
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchmany(row_cap + 1)
        except duckdb.Error as exc:
            raise _execution_error(exc, catalog, timeout_s) from exc
        finally:
            timer.cancel()
        elapsed_ms = (time.perf_counter() - started) * 1000
    _logger.debug("query_duckdb ran in %.1f ms: %s", elapsed_ms, statement)
    return QueryResult(statement, columns, rows[:row_cap], len(rows) > row_cap, elapsed_ms)


CATALOG_NAME = _ALIAS
"""Name the warehouse is attached under: `read_catalog` lists the tables of this catalog
(data/schema_doc.py attaches an in-memory schema under it to describe what may be queried)."""
