"""`revrisk import`: read a CSV, Excel or Parquet file, tell which kind of data it holds,
validate every cell, and write it to the warehouse all-or-nothing.

Kinds (data.imports.column_specs): the seven raw billing tables (appended to their table; a key that
already exists is an error unless `replace`, which upserts by primary key), and three
batch-style kinds stored per import with an `import_id`: `leakage_accounts` (the reference
leakage project's account format -> account_snapshots), `monthly_revenue` (pivot or long ->
revenue_imports, seen by the monthly_revenue view) and `trend_reference`
(-> trend_reference). Re-importing a file with the same content (sha256) replaces its
earlier batch instead of duplicating it. Revenue (customer, month) pairs must be new unless
`replace`, which overwrites them.

The kind is detected by matching the header against each kind's required columns; pass
`kind` when that is ambiguous. Problems are collected across the whole file (capped in the
report, all counted) and raised as one `ImportValidationError`; nothing is written then.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from data.imports.column_specs import KINDS, SPECS, KindSpec, specs_for
from data.imports.headers import match_headers
from data.imports.limits import ReadLimits
from data.imports.readers import RawTable, check_size, file_format, read_cells
from data.imports.report import ImportReport, ImportValidationError, ProblemLog, Source, refuse
from data.imports.shape import revenue_layout
from data.imports.staging import ImportOutcome, ImportRequest, check_and_write
from data.imports.validation import ValidatedRows, validate_rows
from data.progress import Progress, stepper
from data.warehouse import connect, ensure_schema, transaction

DEFAULT_MAX_IMPORT_MB = 200.0
"""Size limit when the caller passes none (the CLI passes Settings.max_import_mb)."""
MIN_MATCH_SHARE = 0.5
"""A file must have at least this share of a kind's required columns to be detected as it."""
IMPORT_STEPS = 4
"""Steps reported to `progress`: read, validate, check and write, done."""


def rank_kinds(
    headers: tuple[str, ...], kind: str | None = None
) -> list[tuple[float, int, KindSpec]]:
    """Every spec (of `kind`, or all) with its fit to `headers`, best first.

    Fit is (share of required columns present, columns matched); ties keep `SPECS` order.

    Examples:
        >>> [(share, spec.kind) for share, _, spec in rank_kinds(("CustomerID", "2011-01"))][:1]
        [(1.0, 'monthly_revenue')]
    """
    candidates = specs_for(kind) if kind else SPECS
    scored = [(*match_headers(headers, spec).score(spec), i) for i, spec in enumerate(candidates)]
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    return [(share, matched, candidates[i]) for share, matched, i in scored]


def detect_kind(
    headers: tuple[str, ...], kind: str | None = None, source: Source | None = None
) -> KindSpec:
    """The spec that fits `headers` best; with `kind`, the best of its sub-formats.

    Without `kind`, refuses (naming the closest kinds) when no kind has at least half of
    its required columns or two kinds fit equally well.

    Examples:
        >>> detect_kind(("account_id", "month", "active_seats", "logins", "last_login_date",
        ...              "feature_adoption_pct", "support_tickets")).kind
        'usage_monthly'
        >>> detect_kind(("customer", "month", "revenue")).sub_format
        'long'
    """
    ranked = rank_kinds(headers, kind)
    best = ranked[0]
    if kind is not None:
        return best[2]
    rival = next((r for r in ranked[1:] if r[2].kind != best[2].kind), None)
    tied = rival is not None and rival[:2] == best[:2]
    if best[0] >= MIN_MATCH_SHARE and not tied:
        return best[2]
    log = ProblemLog(source or Source("file"))
    closest = ", ".join(
        f"{spec.kind} ({share:.0%} of its required columns)" for share, _, spec in ranked[:3]
    )
    reason = "fits two kinds equally well" if tied else "matches no kind"
    log.add(
        "unknown_kind",
        f"the header {reason}; closest: {closest}. Pass --kind, one of: {', '.join(KINDS)}",
        row=log.source.header_row,
        value=", ".join(headers),
    )
    raise refuse(log)


def read_table(
    path: Path | str,
    *,
    max_mb: float = DEFAULT_MAX_IMPORT_MB,
    sheet: str | None = None,
    kind: str | None = None,
    limits: ReadLimits | None = None,
) -> RawTable:
    """Read an import file's cells (size, extension and emptiness checked first).

    `limits` bound the file (default: `ReadLimits` with `max_mb`). For Excel, reads `sheet`,
    or else the sheet whose header fits a kind (`kind` if given) best. Raises
    `ImportValidationError` (or a subclass) for a file that cannot be read.
    """
    path = Path(path)
    limits = limits or ReadLimits(max_mb=max_mb)
    fmt = file_format(path)
    check_size(path, limits.max_mb)
    return read_cells(path, fmt, lambda headers: _header_fit(headers, kind), sheet, limits)


def _header_fit(headers: tuple[str, ...], kind: str | None) -> tuple[float, int]:
    """(share of required columns, columns matched) of the best-fitting kind."""
    share, matched, _ = rank_kinds(headers, kind)[0]
    return share, matched


def file_sha256(path: Path) -> str:
    """Hex sha256 of the file's bytes (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class _Checked:
    """A file read and validated: its cells, kind, problem log and typed rows."""

    table: RawTable
    spec: KindSpec
    log: ProblemLog
    rows: ValidatedRows

    @property
    def context(self) -> dict[str, str | None]:
        return {
            "kind": self.spec.kind,
            "sub_format": self.spec.sub_format,
            "table": self.spec.table,
        }


def _read_and_validate(
    path: Path, kind: str | None, sheet: str | None, limits: ReadLimits
) -> _Checked:
    """Read, detect the kind and validate every cell; refuses a broken header at once."""
    table = read_table(path, sheet=sheet, kind=kind, limits=limits)
    spec = detect_kind(table.headers, kind, table.source)
    if match_headers(table.headers, spec).score(spec)[0] < 1:
        # the header misses columns of the sub-format it fits best: report against the one the
        # cells are shaped as, if of the same kind (a long revenue file whose 'Mnth' and 'Amt'
        # match no alias is told what a long one misses, not that it has no month columns)
        shaped = revenue_layout(table)
        spec = shaped if shaped is not None and shaped.kind == (kind or spec.kind) else spec
    log = ProblemLog(table.source)
    for note in table.notes:
        log.add("read_note", note, warning=True)
    rows = validate_rows(table.cells, table.headers, spec, log, table.title)
    checked = _Checked(table, spec, log, rows)
    if rows.header_problems:
        raise refuse(log, **checked.context)
    return checked


def _check_args(kind: str | None, currency: str | None) -> None:
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; known kinds: {', '.join(KINDS)}")
    if currency is not None and not re.fullmatch(r"[A-Z]{3}", currency):
        raise ValueError(f"currency must be a 3-letter ISO code like GBP, got {currency!r}")


def import_file(
    path: Path | str,
    db_path: Path | str,
    kind: str | None = None,
    replace: bool = False,
    progress: Progress | None = None,
    *,
    sheet: str | None = None,
    currency: str | None = None,
    max_mb: float = DEFAULT_MAX_IMPORT_MB,
    limits: ReadLimits | None = None,
) -> ImportReport:
    """Import one file into the warehouse at `db_path`, all or nothing.

    `kind` overrides detection (one of `KINDS`); `replace` upserts raw rows by primary key
    and overwrites imported revenue for the same (customer, month); `currency` applies to
    revenue files without a currency column (None: the customer's or the warehouse's only
    currency, or USD (`domain.DEFAULT_CURRENCY`) in a warehouse without money, with a warning; see
    data.imports.revenue_checks); `max_mb` (or `limits`) refuses larger files unread.
    `progress(done, total)` is called after each of `IMPORT_STEPS` steps. On success
    the data version is bumped and the batch logged in import_log. Raises
    `ImportValidationError` (its `report` lists every problem) when the file is refused;
    the warehouse is then unchanged (and not created, if it did not exist).
    """
    started = time.perf_counter()
    _check_args(kind, currency)
    step = stepper(progress, IMPORT_STEPS)
    path = Path(path)
    checked = _read_and_validate(path, kind, sheet, limits or ReadLimits(max_mb=max_mb))
    step()
    step()
    request = _request(checked, path, replace, currency)
    outcome = _write(Path(db_path), request, checked.log)
    step()
    report = checked.log.report(
        **checked.context,
        n_rows=outcome.n_rows,
        import_id=outcome.import_id,
        sha256=request.sha256,
        replaced_import_ids=outcome.replaced_import_ids,
        seconds=round(time.perf_counter() - started, 3),
    )
    step()
    return report


def _request(checked: _Checked, path: Path, replace: bool, currency: str | None) -> ImportRequest:
    return ImportRequest(
        checked.spec,
        checked.rows,
        path.name,
        file_sha256(path),
        checked.table.source.sheet,
        replace,
        currency,
    )


@dataclass(frozen=True)
class CheckedFile:
    """A file that `import_file` would accept: its typed rows (canonical column names; for
    a pivot, one row per cell) and the report (warnings; `n_rows`; no import id)."""

    frame: pd.DataFrame
    report: ImportReport


def check_file(
    path: Path | str,
    kind: str,
    *,
    sheet: str | None = None,
    currency: str | None = None,
    limits: ReadLimits | None = None,
) -> CheckedFile:
    """Every check `import_file` makes, nothing stored: for callers that use a file without
    importing it (`revrisk score`, the chat's upload), so they accept exactly what
    `revrisk import --kind KIND` would accept into an empty warehouse.

    The rows are staged, checked and written into a private in-memory warehouse inside a
    transaction that is always rolled back. Raises `ImportValidationError` like the import.
    """
    _check_args(kind, currency)
    path = Path(path)
    checked = _read_and_validate(path, kind, sheet, limits or ReadLimits())
    request = _request(checked, path, False, currency)
    with _scratch() as con:
        con.execute("BEGIN TRANSACTION")
        try:
            outcome = check_and_write(con, request, checked.log)
        finally:
            con.execute("ROLLBACK")
    rows = checked.rows.frame
    frame = rows.drop(columns=[c for c in rows.columns if c.startswith("__")])
    return CheckedFile(frame, checked.log.report(**checked.context, n_rows=outcome.n_rows))


_SCRATCH_LOCK = threading.Lock()


@contextmanager
def _scratch() -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a process-wide in-memory warehouse with the schema (built once: the
    schema takes ~0.15 s to create), one caller at a time."""
    with _SCRATCH_LOCK:
        con = _scratch_warehouse().cursor()
        try:
            yield con
        finally:
            con.close()


@functools.cache
def _scratch_warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    ensure_schema(con)
    return con


def _write(db_path: Path, request: ImportRequest, log: ProblemLog) -> ImportOutcome:
    """Check and write in one transaction; a warehouse this call created is removed again
    when the import fails."""
    existed = db_path.exists()
    try:
        with connect(db_path) as con, transaction(con):
            return check_and_write(con, request, log)
    except BaseException:
        if not existed:
            for leftover in (db_path, db_path.with_name(db_path.name + ".wal")):
                leftover.unlink(missing_ok=True)
        raise


__all__ = [
    "DEFAULT_MAX_IMPORT_MB",
    "IMPORT_STEPS",
    "CheckedFile",
    "ImportReport",
    "ImportValidationError",
    "ReadLimits",
    "check_file",
    "detect_kind",
    "file_sha256",
    "import_file",
    "rank_kinds",
    "read_table",
]
