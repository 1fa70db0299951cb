"""Batch scoring as a service: an uploaded or given file, or the warehouse's cached scores,
to a scored table and output files (CSV / Excel / Parquet, formula-safe).

Scored uploads are remembered per process (`_SCORED`, the last `SCORED_KEEP`): a follow-up
question about the same upload ("which of those are high risk?") is answered from the first
scoring instead of reading, validating and scoring the file again. The key is the file's
identity (resolved path, size, mtime_ns and the SHA-256 of its bytes), the model (version
folder and version id) and the risk thresholds, so an edited or replaced file, a retrained
model or other thresholds score anew; output files are rewritten when they are missing or
changed since they were written. Only reference-format files are remembered (raw tables go
through a scratch warehouse and the warehouse's own model). Measured (issue 13, 100k
warehouse, 100-row sample): a scoring costs ~120 ms CPU in validation alone and ~250 ms
wall per turn, repeated on every follow-up; a remembered one costs the hash of the file.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from analytics.leakage.scoring import RiskThresholds, score_accounts, score_summary
from data.imports import ReadLimits
from data.warehouse import connect
from services.leakage import files, pipeline, store
from services.leakage.common import cached
from services.leakage.refresh import score_warehouse


@dataclass(frozen=True)
class FileScore:
    """Batch scoring of one input: summary (counts, totals, top accounts, seconds), the full
    scored table and the files written."""

    summary: dict[str, Any]
    table: pd.DataFrame
    outputs: list[Path] = field(default_factory=list)
    warning: str | None = None


def export_scores(
    db_path: Path | str,
    output_path: Path | str,
    model_dir: Path | str | None = None,
    thresholds: RiskThresholds | None = None,
) -> FileScore:
    """Write the warehouse's cached scores (refreshed first when stale) to a file; with
    `thresholds`, risk levels are re-cut from the cached probabilities."""
    from analytics.leakage.scoring import SCORE_COLUMNS

    started = time.perf_counter()
    with cached(db_path, model_dir) as con:
        table = con.execute(
            f"SELECT {', '.join(SCORE_COLUMNS)}, detected_monthly_leakage "
            "FROM leakage_scores ORDER BY account_id"
        ).df()
        info = store.cache_info(con)
    warning = info.get("warning")
    if warning:
        table["warning"] = warning
    elif thresholds is not None:
        table["risk_level"] = thresholds.level(table["leakage_probability"].to_numpy())
    about = {
        "input": str(db_path),
        "input_kind": "warehouse",
        "feature_set": info.get("feature_set"),
        "model_version": info.get("model_version"),
        "signal": info.get("signal"),
        "as_of_month": info.get("as_of_month"),
        "warning": warning or "",
    }
    outputs = [files.write_table(table, Path(output_path), about)]
    summary = score_summary(table) | about | {"seconds": round(time.perf_counter() - started, 2)}
    return FileScore(summary, table, outputs, warning)


def _model(model_dir: Path, feature_set: str, db_path: Path | None) -> store.StoredModel:
    """The current model; when there is none, one trained on the warehouse, or (no warehouse
    either) on a freshly simulated demo world, so a first `revrisk score` works anywhere. The
    manifest's `source` records which."""
    from services.leakage.training import train_synthetic_models, train_warehouse_models

    try:
        return store.load_model(model_dir, feature_set)
    except store.ModelMissingError:
        if db_path is None or not Path(db_path).exists():
            return train_synthetic_models(model_dir)[feature_set]
    return train_warehouse_models(Path(db_path), model_dir)[feature_set]


def score_file(
    db_path: Path | str | None,
    file_path: Path | str,
    *,
    model_dir: Path | str,
    output_dir: Path | str | None = None,
    output_path: Path | str | None = None,
    thresholds: RiskThresholds | None = None,
    max_mb: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    limits: ReadLimits | None = None,
) -> FileScore:
    """Score an account file in the reference format, or raw billing tables (a directory or
    workbook), writing `output_path`, or CSV + Excel into `output_dir`. `progress(done, 3)`
    follows reading, scoring and writing.

    Input files go through the importer's reader and checks within `limits` (default: the
    importer's, with `max_mb`): a file is scored exactly when `revrisk import` would accept
    it, and refused with its `ImportValidationError` otherwise."""
    started = time.perf_counter()
    tick = progress or (lambda done, total: None)
    path, model_dir = Path(file_path), Path(model_dir)
    if limits is None:
        limits = ReadLimits() if max_mb is None else ReadLimits(max_mb=max_mb)
    kind = files.input_kind(path, limits)
    db = Path(db_path) if db_path is not None else None
    if kind == "reference":
        key = _file_key(path, limits, model_dir, thresholds, output_dir, output_path)
        remembered = _remembered(key)
        if remembered is not None:
            tick(3, 3)
            seconds = {"seconds": round(time.perf_counter() - started, 2)}
            return FileScore(
                remembered.summary | seconds,
                remembered.table.copy(),
                list(remembered.outputs),
                remembered.warning,
            )
        frame = files.read_reference_file(path, limits=limits)
        tick(1, 3)
        stored = _model(model_dir, "reference", db)
        if key is not None and key[-1] != (str(stored.path), stored.version):
            key = None  # the model changed meanwhile: not remembered under the old one
        result = score_accounts(stored.model, frame, thresholds, stored.signal, against=AGAINST)
        sums: dict[str, Any] = column_sums(frame)
        skipped = "; ".join(frame.attrs.get("skipped_rows", []))
        if skipped:
            result = replace(result, warning="; ".join(filter(None, [result.warning, skipped])))
    else:
        sums = {}  # raw billing tables: no account columns of their own to total
        with tempfile.TemporaryDirectory(prefix="revrisk-score-") as tmp:
            scratch = Path(tmp) / "input.duckdb"
            files.import_raw_tables(path, scratch, limits=limits)
            stored = _model(model_dir, "full", db if db is not None else scratch)
            with connect(scratch, read_only=True) as con:
                result, _, _ = score_warehouse(con, stored, pipeline.find_leakage(con), thresholds)
    tick(2, 3)
    about = {
        "input": path.name,
        "input_kind": kind,
        "feature_set": stored.model.feature_set,
        "model_version": stored.version,
        "model_trained_on": _trained_on(stored.manifest.get("source", {})),
        "signal": stored.signal,
        "warning": result.warning or "",
    }
    outputs = _write_outputs(result.table, path, output_dir, output_path, about)
    tick(3, 3)
    summary = (
        score_summary(result.table)
        | about
        | sums
        | {"file": path.name, "seconds": round(time.perf_counter() - started, 2)}
    )
    scored = FileScore(summary, result.table, outputs, result.warning)
    if kind == "reference":
        _remember(key, scored)
    return FileScore(summary, result.table.copy(), list(outputs), result.warning)


_TARGETS = ("has_leakage", "leakage_type", "monthly_leakage_amount")


def column_sums(frame: pd.DataFrame) -> dict[str, dict[str, float]]:
    """`column_sums` and `column_means`: the sum and the mean of each numeric column the
    account file itself has (its MRR, support tickets …; not the features derived from
    them, nor a labelled file's targets), over the rows scored (a total row is skipped
    before): what "the total MRR of the uploaded accounts" asks.
    `frame.attrs["file_columns"]` names the file's columns (`read_reference_file`).

    Examples:
        >>> frame = pd.DataFrame({"account_id": ["A", "B"], "mrr": [10.5, 2.0], "x": [1, 2]})
        >>> frame.attrs["file_columns"] = ["account_id", "mrr"]
        >>> column_sums(frame)
        {'column_sums': {'mrr': 12.5}, 'column_means': {'mrr': 6.25}}
    """
    own = [c for c in frame.attrs.get("file_columns", ()) if c in frame and c not in _TARGETS]
    numeric = [
        c
        for c in own
        if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    ]
    return {
        "column_sums": {c: round(float(frame[c].sum()), 2) for c in numeric},
        "column_means": {c: round(float(frame[c].mean()), 2) for c in numeric},
    }


AGAINST = "median of this file"
"""What an account file's factor texts compare with: its own accounts' medians, not the
warehouse portfolio's ("seat utilisation 115 % (median of this file 106 %)"). Raw billing
tables are scored as the portfolio they are (`score_warehouse`)."""

SCORED_KEEP = 8
"""Scored uploads remembered per process (a chat's uploads; each holds its scored table)."""
_SCORED: OrderedDict[tuple[Any, ...], tuple[FileScore, tuple[Any, ...]]] = OrderedDict()
_SCORED_LOCK = threading.Lock()


def _file_key(
    path: Path,
    limits: ReadLimits,
    model_dir: Path,
    thresholds: RiskThresholds | None,
    output_dir: Path | str | None,
    output_path: Path | str | None,
) -> tuple[Any, ...] | None:
    """The identity of a scoring: file (resolved path, size, mtime_ns, SHA-256), read limits,
    thresholds, where the outputs go and (last) the current model. None (never remembered)
    when there is no usable model yet (`_model` trains or refuses after the file is read, as
    before) or the file cannot be read here or is over the read limit (the reader refuses it
    with its own message)."""
    try:
        stored = store.load_model(model_dir, "reference")
    except (store.ModelMissingError, store.ModelMismatchError):
        return None
    try:
        resolved = path.resolve()
        before = resolved.stat()
        if before.st_size > limits.max_mb * 1_000_000:
            return None
        with resolved.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        after = resolved.stat()
    except OSError:
        return None
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        return None  # changed while hashed
    cut = None if thresholds is None else (thresholds.high, thresholds.medium)
    return (
        str(resolved),
        after.st_size,
        after.st_mtime_ns,
        digest,
        repr(limits),
        cut,
        None if output_dir is None else str(Path(output_dir).resolve()),
        None if output_path is None else str(Path(output_path).resolve()),
        (str(stored.path), stored.version),
    )


def _stamps(outputs: list[Path]) -> tuple[Any, ...] | None:
    """(path, size, mtime_ns) of each output file; None when one is missing."""
    try:
        return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in outputs)
    except OSError:
        return None


def _remembered(key: tuple[Any, ...] | None) -> FileScore | None:
    """The remembered scoring of `key` whose output files are still as written, else None."""
    if key is None:
        return None
    with _SCORED_LOCK:
        entry = _SCORED.get(key)
        if entry is None:
            return None
        scored, stamps = entry
        if _stamps(scored.outputs) != stamps:
            del _SCORED[key]
            return None
        _SCORED.move_to_end(key)
        return scored


def _remember(key: tuple[Any, ...] | None, scored: FileScore) -> None:
    stamps = _stamps(scored.outputs)
    if key is None or stamps is None:
        return
    with _SCORED_LOCK:
        _SCORED[key] = (scored, stamps)
        _SCORED.move_to_end(key)
        while len(_SCORED) > SCORED_KEEP:
            _SCORED.popitem(last=False)


def _trained_on(source: dict[str, Any]) -> str:
    """'warehouse (synthetic)', 'file training_data.csv', ... from a manifest's `source`."""
    if source.get("kind") == "file":
        return f"file {Path(str(source.get('path'))).name}"
    return f"{source.get('kind', 'unknown')} ({source.get('data') or 'imported'})"


def _write_outputs(
    table: pd.DataFrame,
    source: Path,
    output_dir: Path | str | None,
    output_path: Path | str | None,
    about: dict[str, Any],
) -> list[Path]:
    if output_path is not None:
        return [files.write_table(table, Path(output_path), about)]
    if output_dir is None:
        return []
    stem = Path(output_dir) / f"{source.stem}_scored"
    written = [files.write_table(table, stem.with_suffix(".csv"), about)]
    if len(table) <= 1_048_575:
        written.append(files.write_table(table, stem.with_suffix(".xlsx"), about))
    return written


__all__ = ["FileScore", "export_scores", "score_file"]
