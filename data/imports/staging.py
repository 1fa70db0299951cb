"""Database side of an import: stage validated rows, check them against the warehouse, write.

Runs inside the caller's transaction (data.imports.loaders). The rows are staged in a temporary
table cast to the target table's types and checked for what the file alone cannot tell
(data.imports.batch_checks: schema constraints, keys already stored, references). Only when nothing
is wrong are they written; data.imports.integrity then verifies the warehouse, the batch is logged
in import_log and the data version bumped, all before the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pandas as pd

from data.imports.batch_checks import (
    BATCH,
    check_constraints,
    check_existing_keys,
    check_references,
    id_list,
    joined,
    quoted,
    report_insert_error,
    stage_batch,
    target_columns,
)
from data.imports.column_specs import KindSpec
from data.imports.integrity import check_integrity
from data.imports.report import ProblemLog, refuse
from data.imports.revenue_checks import align_ids, check_against_billing, fill_currency
from data.imports.validation import ValidatedRows
from data.warehouse import bump_data_version


@dataclass(frozen=True)
class ImportRequest:
    """What to write: validated rows of one kind from one file (`sha256` of its bytes).

    `replace` upserts by primary key (raw kinds) or overwrites (customer, month) revenue;
    `currency` is the revenue currency when the file has no currency column (None:
    data.imports.revenue_checks.resolve_currency decides).
    """

    spec: KindSpec
    rows: ValidatedRows
    file_name: str
    sha256: str
    sheet: str | None = None
    replace: bool = False
    currency: str | None = None


@dataclass(frozen=True)
class ImportOutcome:
    """What was written: the batch's import_id, rows stored, earlier batches replaced."""

    import_id: int
    n_rows: int
    replaced_import_ids: tuple[int, ...]


def check_and_write(
    con: duckdb.DuckDBPyConnection, request: ImportRequest, log: ProblemLog
) -> ImportOutcome:
    """Check the rows against the warehouse, then write them, verify and log the batch.

    Raises `ImportValidationError` with every problem in `log` (file-level ones included)
    instead of writing; the caller's transaction then rolls back.
    """
    spec, headers = request.spec, request.rows.headers
    import_id = _next_import_id(con)
    replaced = _earlier_batches(con, spec, request.sha256)
    frame = _with_batch_columns(request, import_id)
    stage_batch(con, frame, spec.table, headers, log)
    reported: frozenset[str] = frozenset()
    if spec.table == "revenue_imports":
        align_ids(con, log)
        if fill_currency(con, request.currency, log):
            reported = frozenset({"currency"})  # "pass --currency", said once for the file
    check_constraints(con, spec, headers, log, reported=reported)
    check_existing_keys(con, spec, headers, log, replace=request.replace, replaced=replaced)
    if spec.table == "revenue_imports":
        check_against_billing(con, headers, log)
    check_references(con, spec.table, headers, log)
    if log.n_problems:
        raise refuse(log, **_context(spec))
    _write(con, request, replaced, log)
    _verify(con, spec, log)
    _log_import(con, request, import_id, len(frame), replaced)
    bump_data_version(con)
    con.execute(f"DROP TABLE IF EXISTS {BATCH}")
    return ImportOutcome(import_id, len(frame), replaced)


def _context(spec: KindSpec) -> dict[str, str | None]:
    return {"kind": spec.kind, "sub_format": spec.sub_format, "table": spec.table}


def _next_import_id(con: duckdb.DuckDBPyConnection) -> int:
    rows = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM import_log").fetchall()
    return int(rows[0][0])


def _earlier_batches(
    con: duckdb.DuckDBPyConnection, spec: KindSpec, sha256: str
) -> tuple[int, ...]:
    """Live batches of the same kind and file content: this import replaces them."""
    if not spec.per_import:
        return ()
    rows = con.execute(
        "SELECT import_id FROM import_log WHERE kind = ? AND sha256 = ? AND replaced_by IS NULL "
        "ORDER BY import_id",
        [spec.kind, sha256],
    ).fetchall()
    return tuple(int(r[0]) for r in rows)


def _with_batch_columns(request: ImportRequest, import_id: int) -> pd.DataFrame:
    """The rows plus import_id (batch kinds) and __col (if absent); a revenue row's missing
    currency is filled once staged (data.imports.revenue_checks.fill_currency)."""
    frame = request.rows.frame
    extra: dict[str, pd.Series | int | str] = {}
    if request.spec.per_import:
        extra["import_id"] = import_id
    if "__col" not in frame:
        extra["__col"] = ""
    return frame.assign(**extra)


def _write(
    con: duckdb.DuckDBPyConnection,
    request: ImportRequest,
    replaced: tuple[int, ...],
    log: ProblemLog,
) -> None:
    spec = request.spec
    table = f'"{spec.table}"'
    if replaced:
        con.execute(f"DELETE FROM {table} WHERE import_id IN {id_list(replaced)}")
    if spec.per_import and request.replace and spec.keys_span_imports:
        match = joined("b", "t", spec.stored_keys[0])
        con.execute(f"DELETE FROM {table} t WHERE EXISTS (SELECT 1 FROM {BATCH} b WHERE {match})")
    verb = "INSERT OR REPLACE" if request.replace and not spec.per_import else "INSERT"
    columns = quoted(tuple(name for name, _, _ in target_columns(con, spec.table)))
    try:
        con.execute(f"{verb} INTO {table} BY NAME SELECT {columns} FROM {BATCH}")
    except duckdb.Error as error:
        report_insert_error(con, error, request.rows.headers, log)
        raise refuse(log, **_context(spec)) from error


def _verify(con: duckdb.DuckDBPyConnection, spec: KindSpec, log: ProblemLog) -> None:
    """Warehouse-wide integrity after the write, still inside the transaction."""
    for violation in check_integrity(con, [spec.table]):
        keys = "; ".join(" / ".join(map(str, key)) for key in violation.keys)
        message = f"warehouse rule {violation.rule} broken for {violation.n_keys} key(s)"
        log.add("integrity", message, column=", ".join(violation.columns), value=keys)
    if log.n_problems:
        raise refuse(log, **_context(spec))


def _log_import(
    con: duckdb.DuckDBPyConnection,
    request: ImportRequest,
    import_id: int,
    n_rows: int,
    replaced: tuple[int, ...],
) -> None:
    spec = request.spec
    imported_at = datetime.now(UTC).replace(tzinfo=None)
    con.execute(
        "INSERT INTO import_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
        [
            import_id,
            request.file_name,
            spec.kind,
            spec.sub_format,
            request.sheet,
            n_rows,
            request.sha256,
            imported_at,
        ],
    )
    if replaced:
        con.execute(
            f"UPDATE import_log SET replaced_by = ? WHERE import_id IN {id_list(replaced)}",
            [import_id],
        )


__all__ = ["ImportOutcome", "ImportRequest", "check_and_write"]
