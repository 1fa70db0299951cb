"""Building hostile and malformed input files, and running one through every way a file
comes in (issue 11): `revrisk import --kind leakage_accounts` (`import_file`) and the scoring
path that the chat's upload and `revrisk score` share (`service.score_file`).

`run_both` classifies the outcome: accepted or refused by each path, untyped errors (any
exception that is not an `ImportValidationError`), problems that do not name their file, row
and column, non-finite scores, and the time (wall and CPU) and peak-memory growth of the file.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from reference_data import SAMPLE_ACCOUNTS

from data.imports import ImportReport, ImportValidationError, import_file
from services.leakage import service

KIND = "leakage_accounts"
SAMPLE = pd.read_csv(SAMPLE_ACCOUNTS, dtype=str, keep_default_na=False)
HEADERS: tuple[str, ...] = tuple(SAMPLE.columns)
REQUIRED: tuple[str, ...] = (
    "account_id",
    "tier",
    "mrr",
    "payment_reliability_score",
    "customer_health_score",
    "last_login_days_ago",
    "support_tickets_90d",
    "feature_adoption_pct",
    "payment_failure_rate",
    "user_utilization_ratio",
    "days_since_contract_start",
    "revenue_per_user",
    "engagement_score",
    "payment_risk",
    "health_risk",
    "engagement_risk",
    "overutilization",
)
"""The kind's required columns (data.imports.column_specs; a test keeps the two equal)."""

CELL_CODES = frozenset(
    {
        "bad_type",
        "formula",
        "missing_value",
        "not_allowed",
        "bad_format",
        "out_of_range",
        "duplicate_key",
        "constraint",
        "cell_too_long",
    }
)
"""Problems about one cell: they must name a row and a column."""
HEADER_CODES = frozenset({"missing_column", "duplicate_column", "bad_header"})
"""Problems about one column of the header: they must name the column."""

LIMIT_SECONDS = 10.0
LIMIT_BYTES = 1 << 30


def rows_of(n: int, columns: tuple[str, ...] = HEADERS) -> list[list[str]]:
    """The first `n` sample accounts as text cells, in `columns` order."""
    return SAMPLE.loc[: n - 1, list(columns)].astype(str).values.tolist()


def csv_text(
    headers: list[str] | tuple[str, ...],
    rows: list[list[str]],
    sep: str = ",",
    newline: str = "\n",
    quote_all: bool = False,
) -> str:
    """A CSV document (the csv module's quoting, so any cell round-trips)."""
    buffer = io.StringIO()
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    writer = csv.writer(buffer, delimiter=sep, lineterminator=newline, quoting=quoting)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()


def write_csv(path: Path, headers: Any, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    path.write_bytes(csv_text(headers, rows).encode(encoding, errors="replace"))
    return path


def write_xlsx(
    path: Path,
    headers: Any,
    rows: list[list[Any]],
    title: str = "Sheet1",
    blank_rows_above: int = 0,
) -> Path:
    """A workbook (openpyxl, write-only) with one sheet: the header, then the rows."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for _ in range(blank_rows_above):
        sheet.append([])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_parquet(path: Path, columns: dict[str, Any]) -> Path:
    """A Parquet file from Arrow arrays (or lists Arrow can type)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table(columns), path)
    return path


def rewrite_zip(path: Path, replace: dict[str, bytes], drop: tuple[str, ...] = ()) -> Path:
    """Rewrite a workbook with some members replaced or dropped."""
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members.update(replace)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            if name not in drop:
                archive.writestr(name, data)
    return path


@dataclass
class Outcome:
    """One file through both paths."""

    name: str
    import_refusal: ImportReport | None = None
    score_refusal: ImportReport | None = None
    import_accepted: bool = False
    score_accepted: bool = False
    untyped: list[str] = field(default_factory=list)
    unnamed: list[str] = field(default_factory=list)
    non_finite: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_growth_bytes: int = 0

    @property
    def agree(self) -> bool:
        """Both paths accept, or both refuse."""
        return self.import_accepted == self.score_accepted

    @property
    def same_problems(self) -> bool:
        """Refused by both with the same problems (code, row, column, value)."""
        if self.import_refusal is None or self.score_refusal is None:
            return self.import_refusal is self.score_refusal
        return _keys(self.import_refusal) == _keys(self.score_refusal)

    def failures(self) -> list[str]:
        """Every broken invariant, as text (empty when the file was handled well)."""
        found = [f"untyped: {u}" for u in self.untyped]
        found += [f"unnamed problem: {u}" for u in self.unnamed]
        found += [f"non-finite score: {u}" for u in self.non_finite]
        if not self.untyped and not self.agree:
            found.append(f"import accepted={self.import_accepted}, score={self.score_accepted}")
        if not self.untyped and not self.same_problems:
            found.append("import and score report different problems")
        if self.cpu_seconds > LIMIT_SECONDS:
            found.append(f"took {self.cpu_seconds:.1f} s of CPU ({self.seconds:.1f} s wall)")
        if self.peak_growth_bytes > LIMIT_BYTES:
            found.append(f"peak memory grew {self.peak_growth_bytes / 2**20:.0f} MiB")
        return found


def _keys(report: ImportReport) -> list[tuple[Any, ...]]:
    return [(p.code, p.row, p.column, p.value) for p in report.problems]


def peak_rss_bytes() -> int:
    """This process's peak resident memory so far (Linux VmHWM)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def run_both(path: Path, db: Path, models: Path) -> Outcome:
    """`import_file(path, db, kind=leakage_accounts)` and `service.score_file(None, path)`."""
    outcome = Outcome(path.name)
    before = peak_rss_bytes()
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        import_file(path, db, kind=KIND)
        outcome.import_accepted = True
    except ImportValidationError as error:
        outcome.import_refusal = error.report
    except Exception as error:  # the point of the test: anything else is a finding
        outcome.untyped.append(f"import: {type(error).__name__}: {str(error)[:200]}")
    try:
        result = service.score_file(None, path, model_dir=models)
        outcome.score_accepted = True
        outcome.non_finite = _non_finite(result.table)
    except ImportValidationError as error:
        outcome.score_refusal = error.report
    except Exception as error:  # the point of the test: anything else is a finding
        outcome.untyped.append(f"score: {type(error).__name__}: {str(error)[:200]}")
    outcome.seconds = time.perf_counter() - started
    outcome.cpu_seconds = time.process_time() - cpu_started
    outcome.peak_growth_bytes = max(0, peak_rss_bytes() - before)
    for report in (outcome.import_refusal, outcome.score_refusal):
        if report is not None:
            outcome.unnamed += unnamed_problems(report, path.name)
    return outcome


def unnamed_problems(report: ImportReport, file_name: str) -> list[str]:
    """Problems that do not name the file, or (cell and header problems) the row/column."""
    bad = []
    for problem in report.problems:
        if problem.file != file_name:
            bad.append(f"{problem.code}: file {problem.file!r}")
        elif problem.code in CELL_CODES and (problem.row is None or problem.column is None):
            bad.append(f"{problem.code}: row {problem.row}, column {problem.column!r}")
        elif problem.code in HEADER_CODES and problem.column is None:
            bad.append(f"{problem.code}: no column")
    if not report.problems:
        bad.append("a refusal without any problem listed")
    return bad


def _non_finite(table: pd.DataFrame) -> list[str]:
    """Numeric columns of a scored table holding inf (NaN only where a value may be absent)."""
    bad = []
    for name in table.columns:
        column = table[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            values = column.to_numpy(dtype="float64", na_value=np.nan)
            if np.isinf(values).any():
                bad.append(name)
    for name in ("leakage_probability", "expected_monthly_loss", "est_monthly_leakage"):
        if name in table and not all(math.isfinite(float(v)) for v in table[name]):
            bad.append(name)
    return sorted(set(bad))


__all__ = [
    "CELL_CODES",
    "HEADERS",
    "KIND",
    "REQUIRED",
    "Outcome",
    "csv_text",
    "peak_rss_bytes",
    "rewrite_zip",
    "rows_of",
    "run_both",
    "unnamed_problems",
    "write_csv",
    "write_parquet",
    "write_xlsx",
]


@functools.cache
def trained_models() -> Path:
    """A leakage model trained once per process on the reference training file (small
    bootstrap: the tests need a model, not a good card)."""
    from reference_data import TRAINING_DATA

    from services.leakage.training import TrainingPlan, train_file_model

    folder = Path(tempfile.mkdtemp(prefix="revrisk-redteam-models-"))
    train_file_model(TRAINING_DATA, folder, TrainingPlan(n_boot=30))
    return folder
