"""Checks of a staged import batch against the warehouse, each problem naming its file row.

The batch is a temporary table (`BATCH`) holding the target table's columns, cast to their
types, plus `__row` (the file's row number) and `__col` (a pivot cell's column header, else
''). Rules come from the schema itself (CHECK and NOT NULL constraints, read from DuckDB's
catalog) and from data.imports.integrity (references, keys), so none is restated here.
"""

from __future__ import annotations

import re

import duckdb
import pandas as pd

from data.imports.column_specs import KindSpec
from data.imports.integrity import FOREIGN_KEYS, orphans_query
from data.imports.report import ProblemLog

BATCH = "_import_batch"
_FRAME = "_import_frame"


REPLACE_HINT = "; use --replace to overwrite"
"""Added to a key already stored (the Stripe import, which cannot replace, drops it)."""


def target_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str, str]]:
    """(name, SQL type, default expression or None) of each column of `table`, in order."""
    rows = con.execute(
        "SELECT column_name, data_type, column_default FROM information_schema.columns "
        "WHERE table_name = ? AND table_schema = current_schema() ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [(str(name), str(dtype), default) for name, dtype, default in rows]


def stage_batch(
    con: duckdb.DuckDBPyConnection,
    frame: pd.DataFrame,
    table: str,
    headers: dict[str, str],
    log: ProblemLog,
) -> None:
    """Create BATCH from `frame`: every column of `table` cast to its type, defaults (or NULL)
    for columns the file lacks. Logs values that do not fit their type (a seat count too
    large for INTEGER, an amount too large for DECIMAL(12, 2))."""
    con.register(_FRAME, frame)
    try:
        items = ["__row", "__col"]
        items += [f'"{c}"' for c in frame.columns if c.startswith("__") and c not in items]
        misfits: dict[str, tuple[str, str]] = {}
        for name, dtype, default in target_columns(con, table):
            if name not in frame:
                items.append(f'CAST({default or "NULL"} AS {dtype}) AS "{name}"')
                continue
            items.append(f'TRY_CAST("{name}" AS {dtype}) AS "{name}"')
            if dtype != "VARCHAR":
                condition = f'"{name}" IS NOT NULL AND TRY_CAST("{name}" AS {dtype}) IS NULL'
                misfits[name] = (dtype, condition)
        for name in _hits(con, _FRAME, {n: c for n, (_, c) in misfits.items()}):
            dtype, condition = misfits[name]
            misfit = f'SELECT __row, __col, "{name}" FROM {_FRAME} WHERE {condition}'
            message = f"does not fit the column's type {dtype}"
            report_rows(con, log, "out_of_range", message, misfit, (name,), headers)
        select = f"SELECT {', '.join(items)} FROM {_FRAME}"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {BATCH} AS {select}")
    finally:
        con.unregister(_FRAME)


def _hits(con: duckdb.DuckDBPyConnection, table: str, conditions: dict[str, str]) -> list[str]:
    """The keys of `conditions` that some row of `table` meets, counted in one scan (one
    query per rule took ~0.3 s of a 100-row import: issue 11's fuzzing measured it)."""
    if not conditions:
        return []
    counts = ", ".join(f"count(*) FILTER (WHERE {c})" for c in conditions.values())
    found = con.execute(f"SELECT {counts} FROM {table}").fetchall()[0]
    return [key for key, n in zip(conditions, found, strict=True) if n]


def check_constraints(
    con: duckdb.DuckDBPyConnection,
    spec: KindSpec,
    headers: dict[str, str],
    log: ProblemLog,
    *,
    reported: frozenset[str] = frozenset(),
) -> None:
    """The target table's CHECK constraints, and NOT NULL where validation has not already
    reported the empty cell (columns the file lacks, nullable specs; `reported` names
    columns whose empty cells a check already reported for the whole file)."""
    rows = con.execute(
        "SELECT constraint_type, expression, constraint_text, constraint_column_names "
        "FROM duckdb_constraints() WHERE table_name = ? AND schema_name = current_schema() "
        "AND constraint_type IN ('CHECK', 'NOT NULL') ORDER BY constraint_index",
        [spec.table],
    ).fetchall()
    reported = reported | {c.name for c in spec.columns if not c.nullable}
    rules: dict[str, tuple[str, tuple[str, ...], str]] = {}
    for index, (kind, expression, text, names) in enumerate(rows):
        columns = tuple(dict.fromkeys(names))
        if kind == "NOT NULL":
            if columns[0] in reported:
                continue
            condition, message = f'"{columns[0]}" IS NULL', "empty; the warehouse needs a value"
        else:
            condition, message = f"NOT ({expression})", f"breaks the warehouse rule {text}"
        rules[str(index)] = (condition, columns, message)
    for key in _hits(con, BATCH, {k: rule[0] for k, rule in rules.items()}):
        condition, columns, message = rules[key]
        query = f"SELECT __row, __col, {quoted(columns)} FROM {BATCH} WHERE {condition}"
        report_rows(con, log, "constraint", message, query, columns, headers)


def check_existing_keys(
    con: duckdb.DuckDBPyConnection,
    spec: KindSpec,
    headers: dict[str, str],
    log: ProblemLog,
    *,
    replace: bool,
    replaced: tuple[int, ...],
) -> None:
    """Keys of the batch already held by other rows of the table.

    With `replace`, rows sharing the primary key are overwritten, not conflicts; rows of
    `replaced` batches (earlier imports of the same file) are about to go and do not count.
    """
    if not spec.keys_span_imports:
        return
    primary = spec.stored_keys[0]
    for index, key in enumerate(spec.stored_keys):
        if replace and (spec.per_import or index == 0):
            continue
        keep = "TRUE"
        if replace:
            keep = f"NOT EXISTS (SELECT 1 FROM {BATCH} r WHERE {joined('r', 't', primary)})"
        if replaced:
            keep = f"t.import_id NOT IN {id_list(replaced)}"
        query = (
            f"SELECT b.__row, b.__col, {quoted(key, 'b')} FROM {BATCH} b WHERE EXISTS "
            f'(SELECT 1 FROM "{spec.table}" t WHERE {joined("t", "b", key)} AND {keep})'
        )
        hint = REPLACE_HINT if index == 0 else ""
        message = f"{', '.join(key)} already in {spec.table}{hint}"
        report_rows(con, log, "duplicate_key", message, query, key, headers)


def check_references(
    con: duckdb.DuckDBPyConnection, table: str, headers: dict[str, str], log: ProblemLog
) -> None:
    """References from the batch to parent rows that do not exist (data.imports.integrity)."""
    for fk in FOREIGN_KEYS:
        if fk.child == table:
            query = orphans_query(fk, BATCH, extra="c.__row, c.__col")
            message = f"no such {', '.join(fk.parent_columns)} in {fk.parent} (import it first)"
            report_rows(con, log, "unknown_reference", message, query, fk.columns, headers)


def report_insert_error(
    con: duckdb.DuckDBPyConnection, error: duckdb.Error, headers: dict[str, str], log: ProblemLog
) -> None:
    """Log a DuckDB error raised while inserting, finding the row by the key it quotes."""
    message = str(error).splitlines()[0]
    quoted_key = re.search(r'key "([^"]*)"', message)
    pairs = re.findall(r"(\w+): ([^,]+)", quoted_key.group(1)) if quoted_key else []
    columns = tuple(name for name, _ in pairs)
    rows: list[tuple[object, ...]] = []
    if columns:
        condition = " AND ".join(f'CAST("{name}" AS VARCHAR) = ?' for name in columns)
        query = f"SELECT __row, __col FROM {BATCH} WHERE {condition} ORDER BY 1 LIMIT 1"
        rows = con.execute(query, [value for _, value in pairs]).fetchall()
    row = int(str(rows[0][0])) if rows else None
    column = (
        str(rows[0][1]) if rows and rows[0][1] else ", ".join(headers.get(c, c) for c in columns)
    )
    value = " / ".join(value for _, value in pairs) or None
    log.add("constraint", message, row=row, column=column or None, value=value)


def report_rows(
    con: duckdb.DuckDBPyConnection,
    log: ProblemLog,
    code: str,
    message: str,
    query: str,
    columns: tuple[str, ...],
    headers: dict[str, str],
) -> None:
    """Log every row `query` returns as (__row, __col, *values of `columns`); all are
    counted, the first ones (up to the log's cap) listed."""
    total = int(con.execute(f"SELECT count(*) FROM ({query})").fetchall()[0][0])
    if not total:
        return
    room = max(0, log.cap - len(log.problems))
    found = con.execute(f"{query} ORDER BY 1, 2 LIMIT {room}").fetchall()
    for file_row, cell_column, *values in found:
        column = cell_column or ", ".join(headers.get(c) or c for c in columns)
        shown = ["empty" if v is None else str(v) for v in values]
        value = (
            shown[0]
            if len(shown) == 1
            else ", ".join(f"{c}={v}" for c, v in zip(columns, shown, strict=True))
        )
        log.add(code, message, row=file_row, column=column, value=value)
    log.add_cells(code, message, None, [], total=total - len(found))


def quoted(columns: tuple[str, ...], alias: str | None = None) -> str:
    """'"a", "b"' (or 'x."a", x."b"' with an alias).

    Examples:
        >>> quoted(("account_id", "month"), "b")
        'b."account_id", b."month"'
    """
    prefix = f"{alias}." if alias else ""
    return ", ".join(f'{prefix}"{c}"' for c in columns)


def joined(left: str, right: str, columns: tuple[str, ...]) -> str:
    """Equality of `columns` between two aliases, for a join or EXISTS condition."""
    return " AND ".join(f'{left}."{c}" = {right}."{c}"' for c in columns)


def id_list(ids: tuple[int, ...]) -> str:
    """An SQL list of integer ids: '(3, 4)'."""
    return "(" + ", ".join(str(int(i)) for i in ids) + ")"
