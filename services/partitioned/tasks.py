"""The per-partition work of a partitioned run: what one worker does with one partition.

Each function takes the run's `RunPlan` and a partition number, writes that partition's
results as Parquet files (temporary name, then an atomic rename: a reader never sees half a
partition) and returns a small summary for the driver; `run_stage` adds the seconds, CPU
seconds and pid and writes the partition's stage marker. The code each step runs is the
single-file path's own: `find_leakage`, `features_at`, `training_rows`, `score_accounts`,
`cache_frames`, `scan_trends`, `series_frame`; only the book-wide inputs (usage months, the
training sample, the model, feature medians, trend months and the partial-month decision) come
from the plan instead of the partition, which is why every engine and the single-file path
give the same numbers.

- `detect_partition` (stage A): loads the partition into an in-memory DuckDB, writes
  `detected_leakage`, and stashes under `_work/` the scoring features as of the book's last
  usage month, the rows of its accounts in the training sample (the driver builds the
  training rows from them in one small warehouse: 16 feature queries for the whole sample
  instead of 16 per partition, measured 4.4 s per partition) and the monthly revenue.
- `score_partition` (stage B): scores the stashed features with the book's model and medians
  (`leakage_scores`, `leakage_factors`) and scans the revenue trends (`trend_series`, and the
  metrics stashed for segment assignment in the driver), `SCORE_CHUNK` accounts at a time:
  every row it writes depends only on its own account's inputs and the plan, so each chunk's
  rows are appended to the partition's files (`ResultFile`) and the numbers are those of the
  whole partition at once (the equality test runs both).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

STAGES = ("a", "b")
WORKER_MODULES = (
    "analytics.leakage.scoring",
    "analytics.trends",
    "data.partitioned",
    "data.warehouse",
    "pyarrow.parquet",
    "services.leakage.pipeline",
    "services.leakage.refresh",
    "services.leakage.store",
    "services.partitioned.tasks",
    "services.trends.input",
    "services.trends.store",
)
"""What a worker imports to run a task (the local engine's fork server imports them once)."""
LEDGER_CHUNK = 4_000
"""Accounts per ledger query in a partition (bounds the pandas ledger; findings are per account).
Measured on a partition of a 1M-account book (31k accounts, loaded at ~400 MB): the worker
peaked at 994 MB in `find_leakage` with 8,000, 800 MB with 4,000 and 731 MB with 2,000, for
4.9, 5.1 and 6.6 CPU s; the same findings each time."""

SCORE_CHUNK = 16_000
"""Accounts per chunk in stage B (scores, factors, trend scan, forecast drivers; every output
row is a function of its own account's rows, so chunks give the same numbers). Measured on a
62.5k-account partition (1M book in 16 partitions, the size of a 2M/32 partition; one task
in-process, RSS sampled every 20 ms, load average ~7): the whole partition at once peaked at
1,261 MB for 17.9 CPU s; 16,000 at 858 MB for 12.0 s, 8,000 at 808 MB for 13.9 s (the peak
is then reading the partition's revenue, not the chunks)."""


@dataclass(frozen=True)
class RunPlan:
    """Everything a task needs besides its partition number (small; sent to every worker)."""

    input_dir: str
    out_dir: str
    usage_months: tuple[date, ...]
    score_month: date
    train_cutoffs: tuple[date, ...]
    test_cutoffs: tuple[date, ...]
    sample: frozenset[str] | None  # None: every account trains
    model_dir: str = ""
    medians: tuple[float, ...] = ()
    trend_months: tuple[str, ...] = ()
    partial_last_month: bool = False
    thresholds: tuple[float, float] | None = None
    forecaster: Any = None  # the decline forecast fitted on the book (None: too little history)
    chunk_accounts: int = SCORE_CHUNK  # stage B's accounts per chunk
    extra: dict[str, Any] = field(default_factory=dict)


def part_name(partition: int) -> str:
    return f"part-{partition:05d}.parquet"


def result_path(out_dir: str | Path, table: str, partition: int) -> Path:
    return Path(out_dir) / table / part_name(partition)


def work_path(out_dir: str | Path, kind: str, partition: int) -> Path:
    return Path(out_dir) / "_work" / kind / part_name(partition)


def marker_path(out_dir: str | Path, stage: str, partition: int) -> Path:
    return Path(out_dir) / "_work" / "done" / stage / f"part-{partition:05d}.json"


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write `frame` to `path` atomically (a temporary name in the same folder, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def write_arrow(table: Any, path: Path) -> None:
    """Write an Arrow table to `path` atomically."""
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


class ResultFile:
    """One result table's Parquet file, built from frames appended chunk by chunk: each
    frame's rows as the single-file cache `table` would hold them (its columns, order and
    DuckDB types, rows by account_id), kept in a single-threaded in-memory DuckDB until
    `close` writes them atomically (temporary name, then rename). Frames appended in account
    order give the same file as one frame of all their rows."""

    def __init__(self, table: str, path: Path) -> None:
        import duckdb

        from data.warehouse import ensure_schema

        self.table, self.path = table, path
        self._con = duckdb.connect()
        self._con.execute("SET threads = 1")
        self._con.execute("SET enable_progress_bar = false")  # a worker's bar would garble
        ensure_schema(self._con)

    def append(self, frame: pd.DataFrame) -> None:
        from data.warehouse import insert_rows

        order = None if self.table == "segments" else "account_id"
        insert_rows(self._con, self.table, frame, order_by=order)

    def close(self) -> None:
        """Write the file (the rows appended so far) and release the connection."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self._con.execute(
                f"COPY {self.table} TO '{tmp.as_posix()}' (FORMAT parquet, COMPRESSION zstd)"
            )
        finally:
            self._con.close()
        os.replace(tmp, self.path)


def write_result(frame: pd.DataFrame, table: str, path: Path) -> None:
    """Write `frame` as the single-file cache `table` would hold it, as one Parquet file
    (see `ResultFile`)."""
    result = ResultFile(table, path)
    result.append(frame)
    result.close()


def mark_done(out_dir: str | Path, stage: str, partition: int, summary: dict[str, Any]) -> None:
    """Record that a partition's stage is complete (after all its files are in place)."""
    path = marker_path(out_dir, stage, partition)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(summary, default=str), encoding="utf-8")
    os.replace(tmp, path)


@lru_cache(maxsize=4)
def _book(input_dir: str, mtime: float) -> Any:
    from data.partitioned import Book

    manifest = json.loads((Path(input_dir) / "manifest.json").read_text(encoding="utf-8"))
    return Book(Path(input_dir), manifest)


def open_book(input_dir: str) -> Any:
    """The book's manifest, read once per worker process."""
    return _book(input_dir, (Path(input_dir) / "manifest.json").stat().st_mtime)


# ---------------------------------------------------------------------------- stage A
def revenue_frame(revenue: dict[str, Any], accounts: list[str]) -> pd.DataFrame:
    """The stashed revenue: `revenue_rows`' rows, then one row per account with no month (so
    `wide_revenue` in stage B sees accounts without revenue too)."""
    return pd.DataFrame(
        {
            "account_id": np.concatenate([revenue["account_id"], np.asarray(accounts, object)]),
            "month": np.concatenate([revenue["month"], np.full(len(accounts), None, dtype=object)]),
            "revenue": np.concatenate([revenue["revenue"], np.full(len(accounts), np.nan)]),
        }
    )


def release_memory() -> None:
    """Hand the memory a step freed back to the system before the next step: glibc keeps
    freed heap pages (its mmap threshold rises to the size of the first large block freed,
    so later blocks of that size come from the heap), and retained memory would sit beside
    the next step's (a task's steps; the driver's phases beside the next stage's workers)."""
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def detect_partition(plan: RunPlan, partition: int) -> dict[str, Any]:
    """Stage A of one partition (see module docstring); returns its own summary fields."""
    from data.partitioned import load_partition, subset_tables
    from data.warehouse import latest_month
    from services.leakage.pipeline import features_at, find_leakage
    from services.trends.input import revenue_rows

    started = time.perf_counter()
    con = load_partition(open_book(plan.input_dir), partition)
    try:
        loaded = time.perf_counter()
        revenue, accounts = revenue_rows(con)
        last, n_accounts = latest_month(con), len(accounts)
        totals = pd.Series(revenue["revenue"]).groupby(pd.Series(revenue["month"])).sum()
        write_parquet(
            revenue_frame(revenue, accounts), work_path(plan.out_dir, "revenue", partition)
        )
        del revenue, accounts
        release_memory()
        findings = find_leakage(con, chunk_accounts=LEDGER_CHUNK)
        findings = findings.sort_values(["account_id", "month", "leakage_type"], kind="stable")
        findings = findings.reset_index(drop=True)
        detected = findings.assign(invoice_id=findings["invoice_id"].astype("Int64"))
        write_parquet(findings, work_path(plan.out_dir, "findings", partition))
        write_result(
            detected, "detected_leakage", result_path(plan.out_dir, "detected_leakage", partition)
        )
        del detected
        release_memory()
        features = features_at(con, plan.score_month)
        write_parquet(features, work_path(plan.out_dir, "features", partition))
        del features
        ids = [r[0] for r in con.execute("SELECT account_id FROM accounts").fetchall()]
        if plan.sample is not None:
            ids = [i for i in ids if i in plan.sample]
        for table, rows in subset_tables(con, ids).items():
            write_arrow(rows, work_path(plan.out_dir, f"sample/{table}", partition))
    finally:
        con.close()
    return {
        "n_accounts": n_accounts,
        "n_findings": len(findings),
        "detected_amount_cents": round(float(findings["amount"].sum()) * 100),
        "n_sampled_accounts": len(ids),
        "revenue_totals": {str(k): float(v) for k, v in totals.items()},
        "latest_month": last,
        "load_seconds": round(loaded - started, 2),
    }


# ---------------------------------------------------------------------------- stage B
def _chunks(n_rows: int, size: int) -> list[slice]:
    """Row ranges of at most `size` rows covering `n_rows` (one empty range for none)."""
    return [slice(first, first + size) for first in range(0, n_rows, size)] or [slice(0, 0)]


def score_partition(plan: RunPlan, partition: int) -> dict[str, Any]:
    """Stage B of one partition (see module docstring), `plan.chunk_accounts` accounts at a
    time; returns its own summary fields."""
    from analytics.leakage.scoring import RiskThresholds, score_accounts
    from analytics.trends import TrendConfig, scan_trends, with_forecast
    from services.leakage.refresh import cache_frames, latest_detected
    from services.leakage.store import load_model
    from services.trends.input import wide_revenue
    from services.trends.store import series_frame

    started = time.perf_counter()
    features = pd.read_parquet(work_path(plan.out_dir, "features", partition))
    findings = pd.read_parquet(work_path(plan.out_dir, "findings", partition))
    stored = load_model(Path(plan.model_dir), "full")
    amount, kind = latest_detected(findings, plan.score_month)
    features["detected_type"] = features["account_id"].map(kind)
    thresholds = RiskThresholds(*plan.thresholds) if plan.thresholds else None
    medians = np.asarray(plan.medians, dtype=float)
    no_findings = findings.iloc[:0]  # detected_leakage is stage A's: not rebuilt per chunk
    outputs = {
        table: ResultFile(table, result_path(plan.out_dir, table, partition))
        for table in ("leakage_scores", "leakage_factors")
    }
    n_scored = 0
    for span in _chunks(len(features), plan.chunk_accounts):
        chunk = features.iloc[span].reset_index(drop=True)
        result = score_accounts(
            stored.model, chunk, thresholds, stored.signal, amount, medians=medians
        )
        frames = cache_frames(no_findings, result, chunk, plan.score_month, stored)
        for table in ("leakage_scores", "leakage_factors"):
            outputs[table].append(frames[table])
        n_scored += len(result.table)
    for output in outputs.values():
        output.close()
    del features, findings, chunk, result, frames, outputs
    release_memory()
    scored = time.perf_counter()

    long = pd.read_parquet(work_path(plan.out_dir, "revenue", partition))
    has = long["month"].notna()
    rows = {
        "account_id": long.loc[has, "account_id"].to_numpy(dtype=object),
        "month": long.loc[has, "month"].to_numpy(dtype=object),
        "revenue": long.loc[has, "revenue"].to_numpy(dtype=float),
    }
    accounts = long.loc[~has, "account_id"].tolist()
    revenue = wide_revenue(rows, accounts, list(plan.trend_months))
    del long, rows, accounts
    release_memory()
    series = ResultFile("trend_series", result_path(plan.out_dir, "trend_series", partition))
    metrics = []
    for block in _chunks(len(revenue), plan.chunk_accounts):
        scan = scan_trends(revenue.iloc[block], partial_last_month=plan.partial_last_month)
        complete = revenue.iloc[block, : len(scan.months)]  # without a partial last month
        scores, _ = forecast_decline_with(plan.forecaster, complete)
        series.append(series_frame(scan))
        metrics.append(with_forecast(scan.metrics, scores, TrendConfig().min_history_months))
    series.close()
    trend = pd.concat(metrics).reset_index().rename(columns={"customer_id": "account_id"})
    write_parquet(trend, work_path(plan.out_dir, "metrics", partition))
    return {
        "n_scored": n_scored,
        "n_customers": len(trend),
        "score_seconds": round(scored - started, 2),
    }


def forecast_decline_with(forecaster: Any, values: pd.DataFrame) -> tuple[pd.DataFrame, Any]:
    """The book's decline forecast applied to a partition's revenue (the single-file
    `forecast_decline` without its fit; drivers are written for every row)."""
    from analytics.trends import DeclineBands, forecast_decline

    if forecaster is None:
        return forecast_decline(values)  # too little history: statuses only, as the file path
    matrix = values.to_numpy(dtype=float)
    scores = forecaster.predict_at(matrix, matrix.shape[1] - 1, driver_rows=len(matrix))
    scores["decline_level"] = DeclineBands().level(scores["decline_probability"].to_numpy())
    scores.index = pd.Index(values.index.astype(str), name="customer_id")
    return scores, forecaster


TASKS = {"a": detect_partition, "b": score_partition}


def run_stage(stage: str, plan: RunPlan, partition: int) -> dict[str, Any]:
    """Run `stage` of `partition` (the function every engine ships to its workers): the
    stage's work, then its summary (with seconds, CPU seconds and the worker's pid) written
    as the partition's stage marker and returned."""
    started, cpu = time.perf_counter(), time.process_time()
    summary = {"partition": partition, **TASKS[stage](plan, partition)}
    summary |= {
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "pid": os.getpid(),
    }
    mark_done(plan.out_dir, stage, partition, summary)
    return summary


__all__ = [
    "SCORE_CHUNK",
    "STAGES",
    "ResultFile",
    "RunPlan",
    "detect_partition",
    "mark_done",
    "marker_path",
    "part_name",
    "release_memory",
    "result_path",
    "run_stage",
    "score_partition",
    "work_path",
    "write_parquet",
    "write_result",
]
