"""`revrisk run`: the leakage and trend pipeline over a partitioned book, on any engine.

Order of work (each stage's per-partition half in `services.partitioned.tasks`):

1. verify: every file of the book against its manifest (`data.partitioned.verify_book`);
   a missing, truncated or schema-drifted partition stops the run here, named, before work.
2. plan: the book's usage months (the last one is "now" for scoring, the others give the
   training cutoffs of `REFRESH_PLAN`) and the training sample (`account_sample` over the
   sorted ids: the same accounts the single-file refresh samples), read with DuckDB from the
   Parquet files without loading the book.
3. stage A per partition: detectors, scoring features, training rows, revenue.
4. train (driver): the sampled accounts' rows of every partition loaded as one small
   warehouse, training rows built and fitted with the single-file recipe (`training_rows`,
   `fit_from_rows`); feature medians over the whole book.
5. stage B per partition: scores and factors with that model; trend scan with the book's
   months and partial-month decision.
6. segments (driver): fitted on a sample of the book's trend metrics (all of them up to
   `SEGMENT_SAMPLE`, so small books match the single-file path exactly), assigned partition by
   partition; segment sizes counted over the whole book.
7. catalog: `results.duckdb`, views over the result folders for the chat and `revrisk ask`.

When the run is complete the intermediate files under `OUT/_work/` are deleted (the stage
markers stay). Results are one Parquet file per partition and table,
`OUT/<table>/part-<p>.parquet`, written under a temporary name and renamed; a stage marker
`OUT/_work/done/<stage>/part-<p>.json` is written after a partition's files. `resume=True`
skips marked partitions and reuses the model of the interrupted run; since a partition always
writes the same file names, re-running one replaces its files and nothing is counted twice.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from analytics.leakage.features import FEATURE_SETS
from analytics.leakage.scoring import NO_SIGNAL_WARNING
from analytics.segments import FEATURES as SEGMENT_FEATURES
from analytics.segments import segment_customers
from analytics.trends import TrendConfig, detect_partial_last_month
from data.partitioned import (
    BOOK_TABLES,
    Book,
    load_tables,
    read_book_sql,
    verify_book,
    write_results_catalog,
)
from services.leakage.pipeline import account_sample, find_leakage, training_rows
from services.leakage.refresh import REFRESH_PLAN
from services.leakage.store import load_model, save_model
from services.leakage.training import TrainingPlan, fit_from_rows, training_cutoffs
from services.partitioned.engines import make_engine
from services.partitioned.tasks import (
    SCORE_CHUNK,
    RunPlan,
    marker_path,
    release_memory,
    result_path,
    run_stage,
    work_path,
    write_result,
)
from services.trends.scan import DECLINING_FROM_LEVEL
from services.trends.store import METHOD_VERSION

RESULT_TABLES = (
    "detected_leakage",
    "leakage_scores",
    "leakage_factors",
    "trend_metrics",
    "trend_series",
    "segments",
)
SEGMENT_SAMPLE = 100_000
"""Customers the segmentation is fitted on (KMeans x 10 inits x 5 seeds); the rest are assigned."""
MEDIAN_BATCH = 8
"""Feature columns read per pass over the partitions for the book's medians."""
MODEL_SUBDIR = "models/results"
"""Where the run's model lives: `model_dir_for(OUT/results.duckdb)`, so the chat finds it."""

Progress = Callable[[str, int, int], None]


class ResumeError(ValueError):
    """`--resume` on a folder that holds no run of this book."""


@dataclass
class RunReport:
    """What `run_book` did: seconds per phase, partitions run and skipped, result totals."""

    out_dir: str
    engine: str
    workers: int
    n_partitions: int
    phases: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    """CPU seconds: `driver_<phase>` in this process (all its threads), `workers_<stage>` the
    sum over the stage's partition tasks (run now, not skipped ones)."""
    ran: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    totals: dict[str, Any] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)
    segments: dict[str, Any] = field(default_factory=dict)


def _fingerprint(book: Book) -> str:
    return hashlib.sha256((book.root / "manifest.json").read_bytes()).hexdigest()


def _prepare_out(out: Path, book: Book, resume: bool) -> None:
    plan_file = out / "_work" / "plan.json"
    if resume:
        if not plan_file.exists():
            raise ResumeError(f"nothing to resume in {out}: no run was started there")
        started = json.loads(plan_file.read_text(encoding="utf-8"))
        if started.get("input_fingerprint") != _fingerprint(book):
            raise ResumeError(
                f"{out} holds a run of another book (or the book changed since); "
                "run again without --resume"
            )
        return
    for name in (*RESULT_TABLES, "_work", "models", "results.duckdb", "run.json"):
        target = out / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    plan_file.parent.mkdir(parents=True, exist_ok=True)
    plan_file.write_text(
        json.dumps({"input": str(book.root), "input_fingerprint": _fingerprint(book)}),
        encoding="utf-8",
    )


def _book_plan(book: Book, out: Path, training: TrainingPlan) -> RunPlan:
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        months = [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT month FROM {read_book_sql(book, 'usage_monthly')} ORDER BY 1"
            ).fetchall()
        ]
        if not months:
            raise ValueError(f"the book at {book.root} has no usage data to score")
        n_accounts = con.execute(
            f"SELECT count(*) FROM {read_book_sql(book, 'accounts')}"
        ).fetchall()[0][0]
        sample = None
        if training.max_accounts is not None and n_accounts > training.max_accounts:
            ids = con.execute(
                f"SELECT account_id FROM {read_book_sql(book, 'accounts')} ORDER BY 1"
            ).df()["account_id"]
            picked = account_sample(ids, training.max_accounts, training.random_state)
            sample = frozenset(picked.tolist()) if picked is not None else None
    finally:
        con.close()
    train_cutoffs, test_cutoffs = training_cutoffs(months, training)
    return RunPlan(
        input_dir=str(book.root),
        out_dir=str(out),
        usage_months=tuple(months),
        score_month=months[-1],
        train_cutoffs=tuple(train_cutoffs),
        test_cutoffs=tuple(test_cutoffs),
        sample=sample,
    )


def _run_stage(
    stage: str,
    plan: RunPlan,
    engine: Any,
    n_partitions: int,
    report: RunReport,
    progress: Progress | None,
) -> dict[int, dict[str, Any]]:
    results: dict[int, dict[str, Any]] = {}
    todo = []
    for p in range(n_partitions):
        marker = marker_path(plan.out_dir, stage, p)
        if marker.exists():
            results[p] = json.loads(marker.read_text(encoding="utf-8"))
        else:
            todo.append(p)
    report.skipped[stage] = len(results)
    report.ran[stage] = len(todo)
    worker_cpu = 0.0
    for partition, summary in engine.map(run_stage, todo, stage, plan):
        results[partition] = summary
        worker_cpu += summary.get("cpu_seconds", 0.0)
        report.cpu[f"workers_{stage}"] = round(worker_cpu, 2)
        if progress is not None:
            progress(stage, len(results), n_partitions)
    return dict(sorted(results.items()))


def _read_parts(
    out: Path, kind: str, n_partitions: int, columns: list[str] | None = None
) -> Iterator[pd.DataFrame]:
    """The stashed `kind` frames of every partition, read one at a time."""
    for p in range(n_partitions):
        yield pd.read_parquet(work_path(out, kind, p), columns=columns)


def _train(
    out: Path, plan: RunPlan, training: TrainingPlan, n_partitions: int, book: Book, resume: bool
) -> tuple[str, tuple[float, ...], dict[str, Any]]:
    """Fit (or on resume reuse) the model and compute the book's feature medians."""
    model_dir = out / MODEL_SUBDIR
    state = out / "_work" / "train.json"
    if resume and state.exists():
        saved = json.loads(state.read_text(encoding="utf-8"))
        stored = load_model(model_dir, "full")
        if stored.version == saved["model_version"]:
            return str(model_dir), tuple(saved["medians"]), saved["info"]
    folder = out / "_work" / "sample"
    files = {t: sorted((folder / t).glob("part-*.parquet")) for t in BOOK_TABLES}
    con = load_tables(files, memory_limit="2GB", threads=2)
    try:
        findings = find_leakage(con)
        months = plan.usage_months
        train = training_rows(con, findings, plan.train_cutoffs, months=months)
        test = training_rows(con, findings, plan.test_cutoffs, months=months)
    finally:
        con.close()
    del findings
    fitted = fit_from_rows(train, test, replace(training, feature_sets=("full",)))["full"]
    source = {
        "kind": "partitioned book",
        "path": str(book.root),
        "data": book.meta.get("source"),
        "data_version": book.meta.get("data_version"),
        "fingerprint": _fingerprint(book),
    }
    stored = save_model(model_dir, fitted.model, fitted.training_sha256, fitted.card, source)
    medians = book_medians(out, n_partitions, list(FEATURE_SETS["full"]))
    info = {
        "model_version": stored.version,
        "signal": stored.signal,
        "n_train_rows": len(train),
        "n_test_rows": len(test),
        "roc_auc": fitted.card.get("roc_auc"),
        "sampled_accounts": None if plan.sample is None else len(plan.sample),
    }
    state.write_text(
        json.dumps({"model_version": stored.version, "medians": medians, "info": info}),
        encoding="utf-8",
    )
    return str(model_dir), tuple(medians), info


def book_medians(out: Path, n_partitions: int, names: list[str]) -> list[float]:
    """Each feature's median over the book (NaN left out), `MEDIAN_BATCH` columns read at a
    time: holding all 29 columns of 2M accounts took 464 MB in the driver."""
    medians = []
    for first in range(0, len(names), MEDIAN_BATCH):
        batch = names[first : first + MEDIAN_BATCH]
        columns: dict[str, list[np.ndarray]] = {name: [] for name in batch}
        for frame in _read_parts(out, "features", n_partitions, batch):
            for name in batch:
                columns[name].append(frame[name].astype("float64").to_numpy())
        for name in batch:
            column = np.concatenate(columns.pop(name))
            column = column[~np.isnan(column)]
            medians.append(float(np.median(column)) if column.size else float("nan"))
    return medians


def book_revenue_matrix(
    out: Path, n_partitions: int, months: tuple[str, ...], n_columns: int
) -> np.ndarray:
    """The book's customers x `months[:n_columns]` revenue, rows in id order: what
    `wide_revenue` gives for the whole book, as one float matrix.

    Allocated once and filled partition by partition at each account's place in the book's id
    order (a first pass reads only the ids). Measured reason: concatenating the partitions'
    wide tables, sorting and rounding them held up to five copies (2M accounts x 23 months:
    ~370 MB each) and took the driver of a 2M-account run to 2.97 GB."""
    from services.trends.input import wide_revenue

    ids = [
        np.asarray(np.unique(frame["account_id"].to_numpy(dtype=object)), dtype=str)
        for frame in _read_parts(out, "revenue", n_partitions, ["account_id"])
    ]  # each partition's ids as `wide_revenue` orders them (partitions are disjoint)
    rank = np.empty(sum(len(part) for part in ids), dtype=np.int64)
    rank[np.argsort(np.concatenate(ids), kind="stable")] = np.arange(len(rank))
    matrix = np.zeros((len(rank), n_columns))
    start = 0
    for p, long in enumerate(_read_parts(out, "revenue", n_partitions)):
        has = long["month"].notna()
        rows = {c: long.loc[has, c].to_numpy() for c in ("account_id", "month", "revenue")}
        wide = wide_revenue(rows, long.loc[~has, "account_id"].tolist(), list(months))
        stop = start + len(ids[p])
        matrix[rank[start:stop]] = wide.to_numpy()[:, :n_columns]
        start = stop
    return matrix


def _fit_forecast(out: Path, n_partitions: int, months: tuple[str, ...], partial: bool) -> Any:
    """The decline forecast fitted as the single-file path fits it, on the book's complete
    months of revenue (every customer, in id order; the estimator samples its own rows)."""
    from analytics.trends import DeclineForecaster, DeclineOutcome
    from analytics.trends.forecast.estimator import NotEnoughHistoryError

    matrix = book_revenue_matrix(
        out, n_partitions, months, len(months) - 1 if partial else len(months)
    )
    np.nan_to_num(matrix, copy=False)
    np.round(matrix, 2, out=matrix)  # as the estimator rounds (in place: the same values)
    try:
        return DeclineForecaster(DeclineOutcome()).fit(matrix)
    except NotEnoughHistoryError:
        return None


def _trend_inputs(summaries: dict[int, dict[str, Any]]) -> tuple[tuple[str, ...], bool]:
    totals: dict[str, float] = {}
    for summary in summaries.values():
        for month, value in summary["revenue_totals"].items():
            totals[month] = totals.get(month, 0.0) + value
    lasts = [s["latest_month"] for s in summaries.values() if s["latest_month"]]
    if not totals or not lasts:
        raise ValueError("the book holds no revenue yet")
    months = pd.period_range(min(totals), max(lasts)[:7], freq="M").strftime("%Y-%m")
    series = np.array([totals.get(m, 0.0) for m in months])
    partial = detect_partial_last_month(series, TrendConfig().partial_month_ratio)
    return tuple(months), bool(partial)


def segment_sample(
    out: Path, n_partitions: int, columns: list[str], random_state: int
) -> pd.DataFrame:
    """The customers segmentation is fitted on, indexed and sorted by id: all of them up to
    `SEGMENT_SAMPLE`, else the rows at `SEGMENT_SAMPLE` random places of the book's id order.

    The same rows as concatenating every partition's metrics, sorting by id and taking those
    places, but only the ids of the book are held (then the picked rows): the whole table of
    2M customers and its sorted copy took ~0.5 GB in the driver."""
    ids = [
        np.asarray(frame["account_id"].to_numpy(dtype=object), dtype=str)
        for frame in _read_parts(out, "metrics", n_partitions, ["account_id"])
    ]
    sizes = [len(part) for part in ids]
    if sum(sizes) > SEGMENT_SAMPLE:
        rank = np.empty(sum(sizes), dtype=np.int64)
        rank[np.argsort(np.concatenate(ids), kind="stable")] = np.arange(len(rank))
        pick = np.random.default_rng(random_state).choice(len(rank), SEGMENT_SAMPLE, False)
        chosen = np.zeros(len(rank), dtype=bool)
        chosen[pick] = True
        keep = chosen[rank]  # in partition order: is this row one of the picked places?
        del rank, chosen
    else:
        keep = np.ones(sum(sizes), dtype=bool)
    del ids
    bounds = np.cumsum([0, *sizes])
    parts = [
        frame[keep[bounds[p] : bounds[p + 1]]]
        for p, frame in enumerate(_read_parts(out, "metrics", n_partitions, columns))
    ]
    return pd.concat(parts, ignore_index=True).set_index("account_id").sort_index()


def _segments(out: Path, n_partitions: int, random_state: int = 0) -> dict[str, Any]:
    """Fit segments on a sample of the book's trend metrics, assign every partition, write
    `trend_metrics` and `segments` (driver side: one partition's metrics in memory at once)."""
    needed = ["account_id", "status", "mean_revenue", *SEGMENT_FEATURES]
    needed = [c for c in needed if c != "log_mean_revenue"]
    table = segment_sample(out, n_partitions, needed, random_state)
    try:
        segmentation = segment_customers(table, None, random_state=random_state)
    except ValueError:
        segmentation = None
    counts: dict[int, list[int]] = {}
    for p in range(n_partitions):
        metrics = pd.read_parquet(work_path(out, "metrics", p)).set_index("account_id")
        if segmentation is None or segmentation.assigner is None:
            labels = pd.Series(pd.NA, index=metrics.index, dtype="Int64")
        else:
            labels = segmentation.assigner.assign(metrics)
        metrics["segment_id"] = labels
        levels = metrics["decline_level"].fillna(0)
        for segment, group in (levels >= DECLINING_FROM_LEVEL).groupby(labels):
            n, declining = counts.get(int(segment), [0, 0])
            counts[int(segment)] = [n + len(group), declining + int(group.sum())]
        write_result(metrics.reset_index(), "trend_metrics", result_path(out, "trend_metrics", p))
    if segmentation is None:
        profiles = pd.DataFrame(
            columns=["name", "n_customers", "share", "mean_revenue", "share_declining"]
        ).rename_axis("segment_id")
        info: dict[str, Any] = {"k": None}
    else:
        profiles = segmentation.profiles.copy()
        total = sum(n for n, _ in counts.values())
        profiles["n_customers"] = [counts.get(int(s), [0, 0])[0] for s in profiles.index]
        profiles["share"] = profiles["n_customers"] / total
        pairs = [counts.get(int(s), [0, 0]) for s in profiles.index]
        profiles.insert(4, "share_declining", [d / n if n else 0.0 for n, d in pairs])
        info = {
            "k": segmentation.k,
            "silhouette": segmentation.silhouette,
            "silhouette_by_k": {str(k): v for k, v in segmentation.silhouette_by_k.items()},
            "stability_ari": segmentation.stability_ari,
            "fitted_on": len(table),
            "random_state": random_state,
        }
    write_result(profiles.reset_index(), "segments", result_path(out, "segments", 0))
    return info


def _totals(out: Path) -> dict[str, Any]:
    con = duckdb.connect()
    try:
        folder = out.as_posix()
        row = con.execute(
            "SELECT count(*), sum(amount) FROM "
            f"read_parquet('{folder}/detected_leakage/part-*.parquet')"
        ).fetchall()[0]
        scores = con.execute(
            f"SELECT count(*), sum(expected_monthly_loss) FROM "
            f"read_parquet('{folder}/leakage_scores/part-*.parquet')"
        ).fetchall()[0]
        trends = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE decline_level >= {DECLINING_FROM_LEVEL}) "
            f"FROM read_parquet('{folder}/trend_metrics/part-*.parquet')"
        ).fetchall()[0]
    finally:
        con.close()
    assert row is not None and scores is not None and trends is not None
    return {
        "n_findings": int(row[0]),
        "detected_amount": float(row[1] or 0),
        "n_scored": int(scores[0]),
        "expected_monthly_loss": round(float(scores[1] or 0), 2),
        "n_trend_customers": int(trends[0]),
        "n_declining": int(trends[1]),
    }


def run_book(
    input_dir: Path | str,
    out_dir: Path | str,
    engine: str = "local",
    workers: int = 2,
    address: str | None = None,
    resume: bool = False,
    training: TrainingPlan | None = None,
    progress: Progress | None = None,
    chunk_accounts: int = SCORE_CHUNK,
) -> RunReport:
    """Run the pipeline over every partition of the book at `input_dir` into `out_dir`
    (stage B `chunk_accounts` accounts at a time: the same results at any size)."""
    training = training or REFRESH_PLAN
    out = Path(out_dir).resolve()
    clock, cpu_clock = time.perf_counter(), time.process_time()

    def lap(name: str) -> None:
        nonlocal clock, cpu_clock
        now, cpu_now = time.perf_counter(), time.process_time()
        report.phases[name] = round(now - clock, 2)
        report.cpu[f"driver_{name}"] = round(cpu_now - cpu_clock, 2)
        clock, cpu_clock = now, cpu_now

    book = verify_book(input_dir)
    report = RunReport(str(out), engine, workers, book.n_partitions)
    lap("verify")
    _prepare_out(out, book, resume)
    if resume and (out / "run.json").exists():  # the run had finished: nothing to redo
        finished = json.loads((out / "run.json").read_text(encoding="utf-8"))
        report.totals, report.model = finished["totals"], finished["model"]
        report.segments = finished["segments"]
        report.skipped = {stage: book.n_partitions for stage in ("a", "b")}
        report.ran = {stage: 0 for stage in ("a", "b")}
        return report
    plan = replace(_book_plan(book, out, training), chunk_accounts=chunk_accounts)
    lap("plan")
    runner = make_engine(engine, workers, address)
    try:
        lap("engine_start")
        detected = _run_stage("a", plan, runner, book.n_partitions, report, progress)
        lap("detect_features")
        model_dir, medians, report.model = _train(
            out, plan, training, book.n_partitions, book, resume
        )
        trend_months, partial = _trend_inputs(detected)
        plan = replace(
            plan,
            model_dir=model_dir,
            medians=medians,
            trend_months=trend_months,
            partial_last_month=partial,
            forecaster=_fit_forecast(out, book.n_partitions, trend_months, partial),
        )
        release_memory()
        lap("train")
        _run_stage("b", plan, runner, book.n_partitions, report, progress)
        lap("score_trends")
    finally:
        runner.close()
    report.segments = _segments(out, book.n_partitions)
    release_memory()
    lap("segments")
    report.totals = _totals(out)
    built = pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds")
    info = {
        "leakage": {
            "model_version": report.model.get("model_version"),
            "feature_set": "full",
            "signal": report.model.get("signal"),
            "trained": True,
            "as_of_month": str(plan.score_month),
            "n_accounts": report.totals["n_scored"],
            "n_findings": report.totals["n_findings"],
            "warning": None if report.model.get("signal") else NO_SIGNAL_WARNING,
            "risk_thresholds": (training.thresholds).__dict__,
            "built_at": built,
            "partitioned": {"book": str(book.root), "n_partitions": book.n_partitions},
        },
        "trends": {
            "built_at": built,
            "first_month": trend_months[0],
            "last_month": trend_months[-2] if partial else trend_months[-1],
            "partial_month": trend_months[-1] if partial else None,
            "random_state": 0,
            **{k: v for k, v in report.segments.items() if k != "fitted_on"},
        },
        "trend_method_version": METHOD_VERSION,
    }
    write_results_catalog(out, book, info, RESULT_TABLES)
    for stash in ("features", "findings", "revenue", "metrics", "sample"):
        shutil.rmtree(out / "_work" / stash, ignore_errors=True)
    lap("catalog")
    (out / "run.json").write_text(json.dumps(report.__dict__, indent=2, default=str))
    return report


__all__ = [
    "RESULT_TABLES",
    "SEGMENT_SAMPLE",
    "ResumeError",
    "RunReport",
    "book_medians",
    "book_revenue_matrix",
    "run_book",
    "segment_sample",
]
