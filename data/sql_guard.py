"""Guarded, read-only, bounded SQL over the warehouse for the agent's `query_duckdb` tool.

Contract: `run_query(db_path, sql)` runs one SELECT over an allow-list of warehouse tables and
views and returns at most `row_cap` rows, or raises a typed error: `SqlRejected` (the query is
not allowed or cannot be read — reason plus close names), `SqlLimitError` (time, memory
or result size), `SqlExecutionError` (DuckDB refused it: unknown column, bad type, …),
`WarehouseBusyError` (an update holds the file), `WarehouseMissingError`. No message carries
a path.

Method — three fences, so that a gap in one is closed by another:

1. **The text, before parsing**: at most `MAX_SQL_CHARS` characters and `MAX_NESTING` levels
   of brackets; every parser failure (sqlglot's `ParseError` and `TokenError`, Python's
   `RecursionError`, anything else) becomes `SqlRejected`. Measured (issue 11): an
   unterminated string raised a raw `TokenError`, 3,000 nested brackets a `RecursionError`.
2. **Names, resolved by scope** (sqlglot): exactly one SELECT / set operation / PIVOT
   statement; every table reference is either a CTE *visible in its scope* (a CTE covers its
   own query and the later CTEs of its WITH, nothing outside) or an allow-listed relation
   (`AGENT_RELATIONS`, `AGENT_TABLE_MACROS`); no CTE may take the name of any table or view
   the connection knows, system views and the evaluation-only truth tables included.
   Measured (issue 11): `WITH trend_truth AS (SELECT * FROM trend_truth) SELECT * FROM
   trend_truth` returned the truth rows when names were matched as strings. What runs is the
   statement sqlglot regenerates from the checked tree, never the raw text.
3. **DuckDB's own parse of that statement** (`json_serialize_sql`): every function, window
   function and table function it names must be on `data.sql_functions`' allow-list
   (settings, variables, metadata, file readers and size-building functions are not); every
   base table an allow-listed relation or a CTE of the statement. Checking DuckDB's parse
   leaves no gap between how sqlglot and DuckDB read the same text.

The connection (`_locked_connection`) is in-memory: it attaches the warehouse READ_ONLY under
a random, never-shown name and exposes only allow-listed views of it in its own `main`
schema, so the truth tables, `meta` and `import_log` are not names a query can resolve.
External access, extensions and Python replacement scans are off and the configuration is
locked. Each query runs with DuckDB's `memory_limit`, `threads` and
`max_temp_directory_size` from `SqlLimits`, and a watchdog thread calls
`connection.interrupt()` when the time limit passes or the process's resident memory grows by
more than the memory limit (DuckDB's own limit does not cover every allocation: issue 11
measured `SELECT repeat('x', 10000000) FROM range(1000)` at 9.7 GB).
"""

from __future__ import annotations

import difflib
import json
import logging
import os
import re
import secrets
import tempfile
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from data.monitor import Sampler
from data.sql_functions import (
    FORMAT_FUNCTIONS,
    MAX_SIZE_ARGUMENT,
    SCALAR_AND_AGGREGATE_FUNCTIONS,
    SIZE_ARGUMENTS,
    TABLE_FUNCTIONS,
)
from data.warehouse import (
    CACHE_TABLES,
    RAW_TABLES,
    READERS,
    WarehouseBusyError,
    WarehouseMissingError,
    is_lock_conflict,
    writer_waiting,
)
from settings import Settings, get_settings

MAX_SQL_CHARS = 10_000
"""Longest query text accepted (checked before parsing)."""
MAX_NESTING = 40
"""Deepest bracket nesting accepted (checked before parsing)."""
AGENT_RELATIONS: tuple[str, ...] = (
    *RAW_TABLES,
    "monthly_revenue",
    "account_features",
    *CACHE_TABLES,
    "revenue_imports",
    "account_snapshots",
    "trend_reference",
)
"""Tables and views the agent may read. Not here: ground truth (`TRUTH_TABLES`), `meta`,
`import_log`, and anything a later schema adds until it is listed."""
AGENT_TABLE_MACROS: tuple[str, ...] = ("account_features_at",)
"""Table macros of the warehouse the agent may call in FROM."""

_ALLOWED_ROOTS = (exp.Select, exp.SetOperation, exp.Subquery, exp.Pivot)
_FORBIDDEN_NODES: tuple[type[exp.Expr], ...] = (
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
_NAME_IN_ERROR = re.compile(r'(?:column|name|Table)\s+"?([A-Za-z_][\w.]*)"?', re.IGNORECASE)
_PATH = re.compile(r"(?:[A-Za-z]:)?[\\/](?:[\w.~-]+[\\/])+[\w.~-]*")
_WIDE_FORMAT = re.compile(r"\d{4,}")
_VALUE_FUNCTIONS = [
    [name]
    for name in (
        "current_catalog",
        "current_schema",
        "current_user",
        "current_role",
        "session_user",
        "user",
        "current_database",
        "current_query",
    )
]
"""Names DuckDB reads as session values when no column has them (a bare `current_schema`)."""

_logger = logging.getLogger(__name__)


class SqlRejected(ValueError):  # noqa: N818  (the name the issue and callers use)
    """The query is not allowed; `reason` says why, `suggestions` lists close valid names."""

    def __init__(self, reason: str, suggestions: Collection[str] = ()) -> None:
        self.reason = reason
        self.suggestions = list(suggestions)
        super().__init__(reason)


class SqlExecutionError(RuntimeError):
    """An allowed query failed in DuckDB (unknown column, type error, …).

    `schema` (table → columns) and `suggestions` (closest names) help the model fix it.
    """

    def __init__(
        self, message: str, schema: dict[str, list[str]], suggestions: Collection[str] = ()
    ) -> None:
        self.message = message
        self.schema = schema
        self.suggestions = list(suggestions)
        super().__init__(message)


LimitKind = Literal["time", "memory", "result_size"]


class SqlLimitError(SqlExecutionError):
    """An allowed query was stopped by a bound: `limit` is 'time', 'memory' or 'result_size'."""

    def __init__(self, limit: LimitKind, message: str, schema: dict[str, list[str]]) -> None:
        self.limit = limit
        super().__init__(message, schema)


_SETTINGS_BOUNDS = ("timeout_s", "memory_limit_mb", "threads", "max_temp_mb", "max_result_mb")
"""The `SqlLimits` fields an installation sets: field `x` is `Settings.sql_x`."""


def _setting_default(field_name: str) -> Any:
    return Settings.model_fields[f"sql_{field_name}"].default


@dataclass(frozen=True)
class SqlLimits:
    """Bounds of one query; the defaults are `settings.Settings`' defaults for its sql_* fields.

    Examples:
        >>> SqlLimits().timeout_s == Settings.model_fields["sql_timeout_s"].default
        True
    """

    row_cap: int = 200
    timeout_s: float = _setting_default("timeout_s")
    memory_limit_mb: int = _setting_default("memory_limit_mb")
    threads: int = _setting_default("threads")
    max_temp_mb: int = _setting_default("max_temp_mb")
    max_result_mb: float = _setting_default("max_result_mb")
    temp_dir: Path | None = None

    @classmethod
    def from_settings(cls, **overrides: Any) -> SqlLimits:
        """The installation's limits (`Settings`), with `overrides` (row_cap, timeout_s, …)."""
        settings = get_settings()
        values = {name: getattr(settings, f"sql_{name}") for name in _SETTINGS_BOUNDS}
        values["temp_dir"] = settings.var_dir / "tmp" / "sql"
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


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
    """What a query may read (relations with their columns, table macros) and which names no
    CTE may take (`reserved`: every table and view the connection knows)."""

    tables: dict[str, list[str]] = field(default_factory=dict)
    table_macros: frozenset[str] = frozenset()
    reserved: frozenset[str] = frozenset()

    def close_names(self, name: str, n: int = 5) -> list[str]:
        """Table, view and column names that look like `name`."""
        columns = {column for names in self.tables.values() for column in names}
        pool = sorted(set(self.tables) | columns | self.table_macros)
        return difflib.get_close_matches(name.lower(), pool, n=n, cutoff=0.5)


# ------------------------------------------------------------------------------ fence 1
def _nesting_depth(sql: str) -> int:
    """Deepest bracket nesting of the raw text (brackets inside strings count too)."""
    depth = deepest = 0
    for char in sql:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth = max(depth - 1, 0)
    return deepest


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
    if not isinstance(sql, str) or not sql.strip():
        raise SqlRejected("Empty query: write one SELECT statement.")
    if len(sql) > MAX_SQL_CHARS:
        raise SqlRejected(f"Query longer than {MAX_SQL_CHARS:,} characters: write a shorter one.")
    if "\x00" in sql:
        raise SqlRejected("The query contains a NUL character.")
    if _nesting_depth(sql) > MAX_NESTING:
        raise SqlRejected(f"Query nested deeper than {MAX_NESTING} brackets: simplify it.")
    try:
        with _quiet_sqlglot():
            parsed = sqlglot.parse(sql, read="duckdb")
    except ParseError as exc:
        detail = exc.errors[0].get("description", "syntax error") if exc.errors else "syntax error"
        raise SqlRejected(f"Could not parse the query: {str(detail)[:200]}.") from None
    except RecursionError:
        raise SqlRejected("Query nested too deeply to read: simplify it.") from None
    except Exception as exc:  # TokenError (unterminated string/comment) and anything else
        raise SqlRejected(
            f"Could not read the query ({type(exc).__name__}): check quotes and comments."
        ) from None
    statements = [s for s in parsed if s is not None and not isinstance(s, exp.Semicolon)]
    if len(statements) != 1:
        raise SqlRejected(f"Exactly one statement is allowed; found {len(statements)}.")
    return statements[0]


# ------------------------------------------------------------------------------ fence 2
def _check_node_types(tree: exp.Expr) -> None:
    if not isinstance(tree, _ALLOWED_ROOTS):
        raise SqlRejected(f"Only SELECT / WITH queries are allowed, not {tree.key.upper()}.")
    for node in tree.walk():
        if isinstance(node, _FORBIDDEN_NODES):
            raise SqlRejected(f"{node.key.upper()} is not allowed: the warehouse is read-only.")
        if (
            isinstance(node, exp.Anonymous)
            and not isinstance(node.parent, exp.Table)
            and str(node.name).lower() not in SCALAR_AND_AGGREGATE_FUNCTIONS
        ):
            raise SqlRejected(f"Function {str(node.name).lower()}() is not allowed here.")


def _function_name(node: exp.Expr) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    if isinstance(node, exp.GenerateSeries):
        return "range" if node.args.get("is_end_exclusive") else "generate_series"
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return node.key.lower()


def _check_table(table: exp.Table, visible: frozenset[str], catalog: Catalog) -> None:
    if isinstance(table.this, exp.Func | exp.Anonymous):
        name = _function_name(table.this)
        allowed = TABLE_FUNCTIONS | catalog.table_macros
        if table.db or table.catalog or name not in allowed:
            raise SqlRejected(
                f"Table function {name}() is not allowed; allowed: {', '.join(sorted(allowed))}."
            )
        return
    if not isinstance(table.this, exp.Identifier):
        raise SqlRejected(
            f"Unsupported table reference {table.sql(dialect='duckdb')[:80]}: name a table."
        )
    name, schema, catalog_name = table.name.lower(), table.db.lower(), table.catalog.lower()
    if not schema and not catalog_name and name in visible:
        return  # a CTE of an enclosing scope
    if schema in {"", "main"} and catalog_name in {"", "memory"} and name in catalog.tables:
        return
    raise SqlRejected(
        f"Unknown table {table.sql(dialect='duckdb')[:80]}: only these tables, views and the "
        f"query's own CTEs can be read: {', '.join(sorted(catalog.tables))}.",
        catalog.close_names(name),
    )


def _resolve(node: exp.Expr, visible: frozenset[str], catalog: Catalog) -> None:
    """Check every table reference under `node` against the CTEs in scope and the catalog."""
    with_ = node.args.get("with_") if isinstance(node, exp.Expr) else None
    if isinstance(with_, exp.With):
        recursive = bool(with_.args.get("recursive"))
        defined: list[str] = []
        for cte in with_.expressions:
            name = cte.alias_or_name.lower()
            if name in catalog.reserved or name in catalog.tables or name in catalog.table_macros:
                raise SqlRejected(
                    f"A CTE may not be named {name!r}: that is the name of a table or view. "
                    "Choose another name."
                )
            if name in defined:
                raise SqlRejected(f"Two CTEs are named {name!r}.")
            own = frozenset({name}) if recursive else frozenset()
            _resolve(cte.this, visible | frozenset(defined) | own, catalog)
            defined.append(name)
        visible = visible | frozenset(defined)
    for key, value in node.args.items():
        if key == "with_":
            continue
        for child in value if isinstance(value, list) else [value]:
            if not isinstance(child, exp.Expr):
                continue
            if isinstance(child, exp.Table):
                _check_table(child, visible, catalog)
            _resolve(child, visible, catalog)


def _duckdb_probe(tree: exp.Expr, statement: str) -> str:
    """What fence 3 serialises: the statement, or for a PIVOT (which DuckDB cannot serialise)
    a SELECT of its aggregates, ON and GROUP BY expressions over the same source."""
    if not isinstance(tree, exp.Pivot):
        return statement
    using = tree.args.get("using")
    parts = [*(using if isinstance(using, list) else []), *tree.expressions]
    group = tree.args.get("group")
    if group is not None:
        parts.extend(group.expressions)
    copies = [p.copy() for p in parts] or [exp.Star()]
    probe = exp.select(*copies).from_(tree.this.copy())
    return probe.sql(dialect="duckdb", comments=False)


def check_sql(sql: str, catalog: Catalog) -> str:
    """Fences 1 and 2: validate `sql`; return the statement to execute (regenerated).

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
        >>> check_sql("WITH accounts AS (SELECT 1) SELECT * FROM accounts", cat)
        Traceback (most recent call last):
        ...
        data.sql_guard.SqlRejected: A CTE may not be named 'accounts': that is the name of a table or view. Choose another name.
    """  # noqa: E501
    tree = _parse_one(sql)
    _check_node_types(tree)
    try:
        _resolve(tree, frozenset(), catalog)
        statement = tree.sql(dialect="duckdb", comments=False)
    except RecursionError:
        raise SqlRejected("Query nested too deeply to check: simplify it.") from None
    if isinstance(tree, exp.Pivot):  # DuckDB runs (and serialises) PIVOT as a subquery
        statement = f"SELECT * FROM ({statement})"
    if len(statement) > 2 * MAX_SQL_CHARS:
        raise SqlRejected("Query too long once expanded: write a shorter one.")
    return statement


# ------------------------------------------------------------------------------ fence 3
def _literal_int(expression: Any) -> int | None:
    if not isinstance(expression, dict) or expression.get("class") != "CONSTANT":
        return None
    literal = expression.get("literal") or {}
    try:
        return int(str(literal.get("text")))
    except ValueError:
        return None


def _check_sized(name: str, node: dict[str, Any]) -> None:
    arguments = [a.get("expression") for a in node.get("arguments") or []]
    if name in SIZE_ARGUMENTS:
        position = SIZE_ARGUMENTS[name]
        size = _literal_int(arguments[position]) if len(arguments) > position else None
        if size is None or size > MAX_SIZE_ARGUMENT:
            raise SqlRejected(
                f"{name}() needs a literal size of at most {MAX_SIZE_ARGUMENT:,} here."
            )
    if name in FORMAT_FUNCTIONS:
        first = arguments[0] if arguments else None
        literal = (first or {}).get("literal") or {}
        text = literal.get("text") if (first or {}).get("class") == "CONSTANT" else None
        if not isinstance(text, str) or _WIDE_FORMAT.search(text):
            raise SqlRejected(f"{name}() needs a literal format string without huge widths.")


def _cte_names(node: Any, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        for entry in (node.get("cte_map") or {}).get("map") or []:
            found.add(str(entry.get("key", "")).lower())
        for value in node.values():
            _cte_names(value, found)
    elif isinstance(node, list):
        for value in node:
            _cte_names(value, found)
    return found


def _walk_duckdb(node: Any, catalog: Catalog, ctes: set[str]) -> None:
    if isinstance(node, list):
        for value in node:
            _walk_duckdb(value, catalog, ctes)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "TABLE_FUNCTION":
        function = node.get("function") or {}
        name = str(function.get("function_name", "")).lower()
        if (
            function.get("schema")
            or function.get("catalog")
            or name not in TABLE_FUNCTIONS | catalog.table_macros
        ):
            raise SqlRejected(f"Table function {name}() is not allowed.")
        _walk_duckdb(function.get("arguments"), catalog, ctes)
        for key, value in node.items():
            if key != "function" and isinstance(value, dict | list):
                _walk_duckdb(value, catalog, ctes)
        return
    if kind == "BASE_TABLE":
        name = str(node.get("table_name", "")).lower()
        schema, catalog_name = node.get("schema_name") or "", node.get("catalog_name") or ""
        plain = not schema and not catalog_name
        if not (
            (plain and name in ctes)
            or (
                schema.lower() in {"", "main"}
                and catalog_name.lower() in {"", "memory"}
                and name in catalog.tables
            )
        ):
            raise SqlRejected(f"Unknown table {name!r}.", catalog.close_names(name))
    if (
        node.get("class") == "COLUMN_REF"
        and [str(n).lower() for n in node.get("column_names") or []] in _VALUE_FUNCTIONS
    ):
        raise SqlRejected("Session values (current catalog, schema, user, …) are not available.")
    if node.get("class") in {"FUNCTION", "WINDOW"} and not node.get("is_operator"):
        name = str(node.get("function_name", "")).lower()
        if node.get("schema") or node.get("catalog"):
            raise SqlRejected(f"Function {name}() may not be qualified by a schema or catalog.")
        if name not in SCALAR_AND_AGGREGATE_FUNCTIONS:
            raise SqlRejected(
                f"Function {name}() is not allowed here (only analysis functions; no settings, "
                "variables, metadata, files or value generators)."
            )
        _check_sized(name, node)
    for value in node.values():
        if isinstance(value, dict | list):
            _walk_duckdb(value, catalog, ctes)


def check_with_duckdb(con: duckdb.DuckDBPyConnection, statement: str, catalog: Catalog) -> None:
    """Fence 3: DuckDB's own parse of `statement` names only allowed functions and tables."""
    if statement.startswith("SELECT * FROM (PIVOT ") or statement.startswith(
        "SELECT * FROM (UNPIVOT "
    ):
        statement = _duckdb_probe(_parse_one(statement[15:-1]), statement)
    try:
        row = con.execute("SELECT json_serialize_sql(?)", [statement]).fetchone()
        tree = json.loads(row[0]) if row else {"error": True}
    except (duckdb.Error, RecursionError, ValueError):
        raise SqlRejected("DuckDB could not read the query: simplify it.") from None
    statements = tree.get("statements")
    if tree.get("error") or not isinstance(statements, list) or len(statements) != 1:
        raise SqlRejected("Only one SELECT statement is allowed.")
    try:
        _walk_duckdb(statements, catalog, _cte_names(tree, set()))
    except RecursionError:
        raise SqlRejected("Query nested too deeply to check: simplify it.") from None


# ------------------------------------------------------------------------------ connection
@dataclass
class _Connection:
    con: duckdb.DuckDBPyConnection
    alias: str
    scrub: tuple[str, ...]


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@contextmanager
def _locked_connection(db_path: Path, limits: SqlLimits | None = None) -> Iterator[_Connection]:
    """In-memory DuckDB exposing allow-listed views of the read-only warehouse, locked down
    (opened for the `with` block and closed after it)."""
    locked = _open_locked(db_path, limits)
    try:
        yield locked
    finally:
        locked.con.close()


def _close_locked(locked: _Connection) -> None:
    locked.con.close()


def _open_locked(db_path: Path, limits: SqlLimits | None = None) -> _Connection:
    """See `_locked_connection`; the caller closes `.con`."""
    limits = limits or SqlLimits()
    if not db_path.exists():
        raise WarehouseMissingError(
            "No warehouse yet. Build the demo with `revrisk demo` or import data "
            "with `revrisk import FILE`."
        )
    temp_dir = Path(limits.temp_dir or Path(tempfile.gettempdir()) / "revrisk-sql")
    temp_dir.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = {
        "memory_limit": f"{int(limits.memory_limit_mb * DUCKDB_MEMORY_SHARE)}MB",
        "threads": limits.threads,
        "max_temp_directory_size": f"{limits.max_temp_mb}MB",
        "temp_directory": str(temp_dir),
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }
    con = duckdb.connect(":memory:", config=config)
    alias = "w" + secrets.token_hex(12)
    resolved = str(db_path.resolve())
    try:
        con.execute("SET python_enable_replacements = false")
        con.execute("SET enable_progress_bar = false")
        _attach(con, resolved, alias)
        for name in _present(con, alias, AGENT_RELATIONS, "relations"):
            con.execute(f'CREATE VIEW memory.main."{name}" AS SELECT * FROM {alias}.main."{name}"')
        for name in _present(con, alias, AGENT_TABLE_MACROS, "macros"):
            parameters = con.execute(
                "SELECT parameters FROM duckdb_functions() WHERE database_name = ? "
                "AND function_name = ? AND function_type = 'table_macro' LIMIT 1",
                [alias, name],
            ).fetchone()
            params = ", ".join(str(p) for p in (parameters[0] if parameters else []))
            con.execute(
                f'CREATE MACRO memory.main."{name}"({params}) AS TABLE '
                f'SELECT * FROM {alias}.main."{name}"({params})'
            )
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return _Connection(con, alias, (alias, resolved, str(db_path), str(temp_dir)))


def _attach(con: duckdb.DuckDBPyConnection, path: str, alias: str) -> None:
    deadline = time.monotonic() + 5.0
    delay = 0.01
    while True:
        if not writer_waiting(Path(path)):
            try:
                con.execute(f"ATTACH {_sql_string(path)} AS {alias} (READ_ONLY)")
                return
            except duckdb.Error as error:
                if not is_lock_conflict(error):
                    raise SqlExecutionError("The warehouse could not be opened.", {}) from None
        if time.monotonic() >= deadline:
            raise WarehouseBusyError() from None
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def _present(
    con: duckdb.DuckDBPyConnection, alias: str, names: tuple[str, ...], what: str
) -> list[str]:
    if what == "macros":
        query = (
            "SELECT DISTINCT function_name FROM duckdb_functions() WHERE database_name = ? "
            "AND function_type = 'table_macro'"
        )
    else:
        query = (
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = "
            "'main' UNION SELECT view_name FROM duckdb_views() WHERE database_name = ? AND "
            "schema_name = 'main'"
        )
    params = [alias] if what == "macros" else [alias, alias]
    existing = {str(row[0]).lower() for row in con.execute(query, params).fetchall()}
    return [name for name in names if name in existing]


_CATALOG_CACHE: dict[tuple[str, int, int], Catalog] = {}
_CATALOG_CACHE_SIZE = 8


def _catalog_key(db_path: Path) -> tuple[str, int, int]:
    stat = db_path.stat()
    return (str(db_path.resolve()), stat.st_size, stat.st_mtime_ns)


def _cached_catalog(con: duckdb.DuckDBPyConnection, db_path: Path) -> Catalog:
    """`read_catalog`, remembered per file version (path, size, mtime): it costs ~50 ms."""
    key = _catalog_key(db_path)
    if key not in _CATALOG_CACHE:
        if len(_CATALOG_CACHE) >= _CATALOG_CACHE_SIZE:
            _CATALOG_CACHE.pop(next(iter(_CATALOG_CACHE)))
        _CATALOG_CACHE[key] = read_catalog(con)
    return _CATALOG_CACHE[key]


def read_catalog(con: duckdb.DuckDBPyConnection) -> Catalog:
    """What the locked connection exposes (its `memory.main` views and macros), and every
    table or view name of every attached catalog (no CTE may take one)."""
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_catalog = 'memory' AND table_schema = 'main' "
        "ORDER BY table_name, ordinal_position"
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(str(table).lower(), []).append(str(column))
    macros = con.execute(
        "SELECT DISTINCT function_name FROM duckdb_functions() "
        "WHERE database_name = 'memory' AND function_type = 'table_macro'"
    ).fetchall()
    reserved = con.execute(
        "SELECT table_name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views()"
    ).fetchall()
    return Catalog(
        tables=tables,
        table_macros=frozenset(str(m[0]).lower() for m in macros),
        reserved=frozenset(str(r[0]).lower() for r in reserved),
    )


# ------------------------------------------------------------------------------ execution
def _resident_bytes() -> int | None:
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


INTERRUPT_MARGIN_S = 1.5
"""DuckDB stops up to ~1 s after `interrupt()` (measured on a 2-core machine at load 23), so the
watchdog interrupts this long before the time limit, counted from the start of `run_query`."""
MEMORY_TRIP_SHARE = 0.8
"""The watchdog interrupts when resident memory has grown by this share of the memory limit:
memory keeps growing while the interrupt takes effect (measured peaks: 1,035 MB with the trip
at 100 %)."""
DUCKDB_MEMORY_SHARE = 0.6
"""DuckDB's own `memory_limit` (its buffer manager: sorts, joins, aggregates spill or fail)
is this share of the limit; the rest is headroom for what it does not count."""


class _Watchdog(Sampler):
    """Interrupts the connection when the time limit nears or resident memory grows by more
    than `MEMORY_TRIP_SHARE` of the memory limit, and again every tick until the query's block
    ends (an interrupt sent before DuckDB starts the query is cleared); `tripped` says which."""

    def __init__(self, con: duckdb.DuckDBPyConnection, limits: SqlLimits, started: float) -> None:
        super().__init__(0.01, "sql-watchdog")
        self._con = con
        self._limits = limits
        self._deadline = started + max(limits.timeout_s - INTERRUPT_MARGIN_S, 0.05)
        self._budget = limits.memory_limit_mb * 1024 * 1024 * MEMORY_TRIP_SHARE
        self.tripped: LimitKind | None = None
        self.peak_growth = 0

    def on_start(self) -> None:
        self._baseline = _resident_bytes()

    def tick(self) -> bool:
        if self.tripped is not None:
            # again on every tick until the block ends: DuckDB clears an interrupt that lands
            # before the query has started (a 1.5 s limit trips 0.05 s after `run_query`
            # begins, which can be before `execute`), and then the query ran for 80 s
            self._con.interrupt()
            return False
        resident = _resident_bytes()
        if resident is not None and self._baseline is not None:
            self.peak_growth = max(self.peak_growth, resident - self._baseline)
            if resident - self._baseline > self._budget:
                self._trip("memory")
                return False
        if time.monotonic() > self._deadline:
            self._trip("time")
        return False

    def _trip(self, kind: LimitKind) -> None:
        self.tripped = kind
        self._con.interrupt()


def _scrub(message: str, scrub: tuple[str, ...]) -> str:
    for secret in sorted(scrub, key=len, reverse=True):
        if secret:
            message = message.replace(secret, "warehouse")
    return _PATH.sub("<path>", message)


def _limit_error(kind: LimitKind, limits: SqlLimits, catalog: Catalog) -> SqlLimitError:
    text = {
        "time": f"Query stopped after the {limits.timeout_s:g} s time limit",
        "memory": f"Query stopped at the {limits.memory_limit_mb:,} MB memory limit",
        "result_size": (
            f"Result larger than {limits.max_result_mb:g} MB: select fewer or shorter columns"
        ),
    }[kind]
    return SqlLimitError(kind, f"{text}; aggregate, filter or add LIMIT.", catalog.tables)


def _execution_error(
    exc: duckdb.Error, catalog: Catalog, limits: SqlLimits, scrub: tuple[str, ...]
) -> SqlExecutionError:
    if isinstance(exc, duckdb.OutOfMemoryException) or "Out of Memory" in str(exc):
        return _limit_error("memory", limits, catalog)
    if isinstance(exc, duckdb.InterruptException):
        return _limit_error("time", limits, catalog)
    message = _scrub(str(exc).split("\n")[0], scrub)[:500]
    match = _NAME_IN_ERROR.search(message)
    suggestions = catalog.close_names(match.group(1).split(".")[-1]) if match else []
    return SqlExecutionError(message, catalog.tables, suggestions)


def _result_bytes(rows: list[tuple[Any, ...]]) -> int:
    return sum(len(str(value)) for row in rows for value in row)


def _checked(sql: str, catalog: Catalog) -> str:
    """`check_sql`, with any unexpected failure of the checker itself refused, typed."""
    try:
        return check_sql(sql, catalog)
    except SqlRejected:
        raise
    except Exception as exc:
        _logger.warning("SQL check failed unexpectedly (%s)", type(exc).__name__)
        raise SqlRejected("The query could not be checked: simplify it.") from None


def _checked_by_duckdb(con: duckdb.DuckDBPyConnection, statement: str, catalog: Catalog) -> None:
    try:
        check_with_duckdb(con, statement, catalog)
    except SqlRejected:
        raise
    except Exception as exc:
        _logger.warning("SQL check failed unexpectedly (%s)", type(exc).__name__)
        raise SqlRejected("The query could not be checked: simplify it.") from None


def _reusable(exc: BaseException) -> bool:
    """A connection whose query was refused or failed in DuckDB is as good as before; one
    that a limit stopped (interrupted, near its memory bound) is closed."""
    return isinstance(exc, SqlRejected | SqlExecutionError) and not isinstance(exc, SqlLimitError)


def outer_limit(statement: str) -> tuple[int, str] | None:
    """(n, the statement without it) when a checked statement ends in a plain `LIMIT n`
    (a literal, no OFFSET), else None: so a caller can tell whether the limit cut the
    answer and count the rows it cut from, with a query that passes the same fences.

    Examples:
        >>> outer_limit("SELECT a FROM t ORDER BY a DESC LIMIT 200")
        (200, 'SELECT a FROM t ORDER BY a DESC')
        >>> outer_limit("SELECT a FROM t LIMIT 5 OFFSET 5"), outer_limit("SELECT a FROM t")
        (None, None)
    """
    try:
        with _quiet_sqlglot():
            tree = sqlglot.parse_one(statement, read="duckdb")
    except Exception:  # a statement this module produced always parses; stay safe anyway
        return None
    limit = tree.args.get("limit")
    if not isinstance(limit, exp.Limit) or tree.args.get("offset") is not None:
        return None
    value = limit.expression
    if not (isinstance(value, exp.Literal) and value.is_int):
        return None
    inner = tree.copy()
    inner.set("limit", None)
    return int(value.this), inner.sql(dialect="duckdb")


def run_query(db_path: Path | str, sql: str, *, limits: SqlLimits | None = None) -> QueryResult:
    """Check and run one read-only query within `limits` (default: the installation's,
    `SqlLimits.from_settings()`; `SqlLimits.from_settings(row_cap=50)` changes one of them).

    Raises:
        SqlRejected: the query is not allowed or cannot be read.
        SqlLimitError: the time, memory or result-size limit stopped it.
        SqlExecutionError: DuckDB failed (with schema and close names).
        WarehouseBusyError: an update holds the warehouse; ask again in a moment.
        WarehouseMissingError: no warehouse file at `db_path`.
    """
    limits = limits or SqlLimits.from_settings()
    started = time.monotonic()
    db_path = Path(db_path)
    known = _CATALOG_CACHE.get(_catalog_key(db_path)) if db_path.exists() else None
    statement = _checked(sql, known) if known is not None else None  # fail fast, no connection
    if not db_path.exists():
        raise WarehouseMissingError(
            "No warehouse yet. Build the demo with `revrisk demo` or import data "
            "with `revrisk import FILE`."
        )
    with READERS.borrow(
        db_path, ("sql", limits), lambda: _open_locked(db_path, limits), _close_locked, _reusable
    ) as locked:
        con = locked.con
        catalog = known or _cached_catalog(con, db_path)
        statement = statement or _checked(sql, catalog)
        _checked_by_duckdb(con, statement, catalog)
        with _Watchdog(con, limits, started) as watchdog:
            try:
                cursor = con.execute(statement)
                columns = [d[0] for d in cursor.description or []]
                rows = cursor.fetchmany(limits.row_cap + 1)
            except duckdb.Error as exc:
                if watchdog.tripped is not None:
                    raise _limit_error(watchdog.tripped, limits, catalog) from None
                raise _execution_error(exc, catalog, limits, locked.scrub) from None
        if watchdog.tripped is not None:
            raise _limit_error(watchdog.tripped, limits, catalog)
        con.execute("SELECT NULL")  # frees the rows past row_cap before the connection idles
    elapsed_ms = (time.monotonic() - started) * 1000
    if _result_bytes(rows[: limits.row_cap]) > int(limits.max_result_mb * 1024 * 1024):
        raise _limit_error("result_size", limits, catalog)
    _logger.debug("query_duckdb ran in %.1f ms: %s", elapsed_ms, statement)
    return QueryResult(
        statement, columns, rows[: limits.row_cap], len(rows) > limits.row_cap, elapsed_ms
    )
