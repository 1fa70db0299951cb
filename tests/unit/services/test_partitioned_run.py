"""The partitioned pipeline against the single-file path, on every engine, and under faults.

World size: 1,500 accounts in 4 partitions (seed 7), not the issue's 20,000. It holds every
leakage type (106 to 634 findings each), trains on a 500-account sample (so the sampling path
runs), segments every customer, and scores each partition in several chunks. 3,000 accounts
(and a 1,000-account sample) made this file the suite's second slowest, ~2 min of `make test`
on the 2-core CI machine; 20,000 accounts took ~5 min. Nothing asserted depends on the size:
the numbers compared are the same at any size, every column of every result table, money to
the cent, floats to 1e-12, and the fault tests need only 4 partitions.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from data.build import build_demo_warehouse
from data.partitioned import PartitionError, build_partitioned_world, partition_of, verify_book
from data.synth import WorldConfig
from data.synth.writer import WRITE_ORDER
from services.leakage.refresh import refresh_leakage_cache
from services.leakage.training import TrainingPlan
from services.partitioned import run_book
from services.trends.scan import refresh_trend_cache

pytestmark = pytest.mark.timeout(900)  # three pipeline runs; ~1.5 min alone, far more when
# the machine is shared (measured 5 min for the Dask run at load average 20)

N_ACCOUNTS, N_PARTITIONS = 1_500, 4
PLAN = TrainingPlan(max_accounts=500, max_train_cutoffs=12, n_boot=300)
KEYS = {
    "detected_leakage": ["account_id", "month", "leakage_type"],
    "leakage_scores": ["account_id"],
    "leakage_factors": ["account_id", "rank"],
    "trend_metrics": ["account_id"],
    "trend_series": ["account_id", "month"],
    "segments": ["segment_id"],
}
SCORE_CHUNK_SMALL = 160
"""The local run's stage-B chunk: ~375-account partitions in 3 chunks, the last one short (the
Dask run keeps the default chunk, a whole partition at once: both must match the file)."""
SKIP = {"model_version"}  # the run's own model carries its own timestamped version id


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("single") / "world.duckdb"
    build_demo_warehouse(db, WorldConfig(N_ACCOUNTS))
    refresh_leakage_cache(db, db.parent / "models", plan=PLAN)
    refresh_trend_cache(db)
    return db


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("book") / "book"
    build_partitioned_world(root, WorldConfig(n_accounts=N_ACCOUNTS), N_PARTITIONS, workers=1)
    return root


@pytest.fixture(scope="module")
def local_run(book: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local") / "out"
    run_book(book, out, "local", 2, training=PLAN, chunk_accounts=SCORE_CHUNK_SMALL)
    return out


def _frame(con: duckdb.DuckDBPyConnection, source: str, table: str) -> pd.DataFrame:
    frame = con.execute(f"SELECT * FROM {source}").df()
    frame = frame.drop(columns=[c for c in SKIP if c in frame.columns])
    return frame.sort_values(KEYS[table], ignore_index=True)


def _tables(db: Path | None = None, out: Path | None = None) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(db) if db else ":memory:", read_only=db is not None)
    try:
        return {
            table: _frame(
                con, table if db else f"read_parquet('{out}/{table}/part-*.parquet')", table
            )
            for table in KEYS
        }
    finally:
        con.close()


def assert_same_tables(expected: dict[str, pd.DataFrame], got: dict[str, pd.DataFrame]) -> None:
    """Every column of every table: floats to 1e-12, everything else (money as Decimal, to
    the cent; ids, texts, dates) exactly."""
    for table in KEYS:
        left_frame, right_frame = expected[table], got[table]
        assert list(right_frame.columns) == list(left_frame.columns), table
        assert len(right_frame) == len(left_frame) > 0, table
        for column in left_frame.columns:
            left, right = left_frame[column], right_frame[column]
            if left.dtype.kind == "f" or right.dtype.kind == "f":
                a, b = left.to_numpy(float), right.to_numpy(float)
                assert (np.isnan(a) == np.isnan(b)).all(), (table, column)
                ok = ~np.isnan(a)
                assert np.abs(a[ok] - b[ok]).max(initial=0) <= 1e-12, (table, column)
            else:
                pd.testing.assert_series_equal(
                    left.astype(object), right.astype(object), check_names=False, obj=table
                )


def assert_same_results(db: Path, out: Path) -> None:
    assert_same_tables(_tables(db=db), _tables(out=out))


def _counts(out: Path) -> dict[str, int]:
    return {
        t: duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}/{t}/part-*.parquet')").fetchall()[
            0
        ][0]
        for t in KEYS
    }


# ------------------------------------------------------------------------------ layout
def test_partitioned_demo_has_the_single_file_rows(single: Path, book: Path) -> None:
    verify_book(book)
    con = duckdb.connect(str(single), read_only=True)
    try:
        for table in WRITE_ORDER:
            files = f"read_parquet('{book}/{table}/*/*.parquet', hive_partitioning = false)"
            for a, b in ((table, files), (files, table)):
                extra = con.execute(f"SELECT count(*) FROM (FROM {a} EXCEPT ALL FROM {b})")
                assert extra.fetchall()[0][0] == 0, table
    finally:
        con.close()


def test_partition_command_splits_a_warehouse(single: Path, book: Path, tmp_path: Path) -> None:
    out = tmp_path / "split"
    result = CliRunner().invoke(
        _app(), ["partition", "--db", str(single), "--out", str(out), "--partitions", "4"]
    )
    assert result.exit_code == 0, result.output
    split = verify_book(out)
    assert split.manifest["rows"] == json.loads((book / "manifest.json").read_text())["rows"]
    for table in ("accounts", "invoice_lines", "payments"):
        for p in range(N_PARTITIONS):
            a = f"read_parquet({[str(f) for f in split.files(p, table)]}, hive_partitioning=false)"
            b = f"read_parquet('{book}/{table}/partition={p}/*.parquet', hive_partitioning=false)"
            extra = duckdb.sql(f"SELECT count(*) FROM (FROM {a} EXCEPT ALL FROM {b})")
            assert extra.fetchall()[0][0] == 0, (table, p)


def test_every_row_of_an_account_is_in_its_partition(book: Path) -> None:
    rows = duckdb.sql(
        f"SELECT DISTINCT account_id, partition FROM read_parquet('{book}/payments/*/*.parquet', "
        "hive_partitioning = true)"
    ).fetchall()
    assert rows and all(partition_of(a, N_PARTITIONS) == int(p) for a, p in rows)


# ------------------------------------------------------------------------------ equality
def test_local_engine_matches_single_file(single: Path, local_run: Path) -> None:
    assert_same_results(single, local_run)


def test_dask_engine_matches_single_file(single: Path, book: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    out = tmp_path / "out"
    report = run_book(book, out, "dask", 2, training=PLAN)
    assert report.ran == {"a": N_PARTITIONS, "b": N_PARTITIONS}
    assert_same_results(single, out)


# ------------------------------------------------------------------------------ faults
def _children() -> list[int]:
    """The local engine's worker processes: forked by its fork server (a child of this
    process), so grandchildren of this process whose parent runs the fork server."""
    parents: dict[int, int] = {}
    commands: dict[int, bytes] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
                commands[int(entry.name)] = (entry / "cmdline").read_bytes()
            except (OSError, IndexError, ValueError):
                continue
    me = os.getpid()
    servers = {p for p, parent in parents.items() if parent == me and b"forkserver" in commands[p]}
    return [p for p, parent in parents.items() if parent in servers]


class StopRunError(Exception):
    """Stands for the run being stopped (Ctrl-C, a lost driver) midway."""


def test_bad_partition_is_named_before_work_and_resume_completes(
    book: Path, local_run: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    killed: list[int] = []

    def kill_a_worker_then_stop(stage: str, done: int, total: int) -> None:
        if stage == "a" and not killed:  # one partition done: kill a busy worker
            workers = _children()
            assert workers
            os.kill(workers[0], signal.SIGKILL)
            killed.append(workers[0])
        if stage == "b" and done == 2:
            raise StopRunError

    with pytest.raises(StopRunError):
        run_book(book, out, "local", 2, training=PLAN, progress=kill_a_worker_then_stop)
    assert killed
    done_b = sorted((out / "_work" / "done" / "b").glob("*.json"))
    assert len(done_b) >= 2 and len(done_b) < N_PARTITIONS + 1

    manifest = json.loads((book / "manifest.json").read_text())
    victim = manifest["files"]["2"]["invoices"][0]["file"]
    original = (book / victim).read_bytes()
    try:
        (book / victim).write_bytes(original[: len(original) // 2])  # truncated
        with pytest.raises(PartitionError, match=r"partition 2: .*truncated"):
            run_book(book, out, "local", 2, resume=True, training=PLAN)
        result = CliRunner().invoke(
            _app(), ["run", "--input", str(book), "--out", str(out), "--resume"]
        )
        assert result.exit_code == 2 and "partition 2" in result.output
        assert sorted((out / "_work" / "done" / "b").glob("*.json")) == done_b  # no work done
    finally:
        (book / victim).write_bytes(original)  # repaired

    report = run_book(book, out, "local", 2, resume=True, training=PLAN)
    assert report.skipped == {"a": N_PARTITIONS, "b": len(done_b)}
    assert report.ran["b"] == N_PARTITIONS - len(done_b)
    assert _counts(out) == _counts(local_run)  # no partition counted twice
    assert_same_tables(_tables(out=local_run), _tables(out=out))


def test_schema_drift_and_missing_partition_are_named(book: Path, tmp_path: Path) -> None:
    copy = tmp_path / "book"
    shutil.copytree(book, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    entry = manifest["files"]["1"]["payments"][0]
    path = copy / entry["file"]
    duckdb.sql(
        f"COPY (SELECT * REPLACE (CAST(amount AS DOUBLE) AS amount) FROM read_parquet('{path}', "
        f"hive_partitioning = false)) TO '{path}.new' (FORMAT parquet)"
    )
    os.replace(f"{path}.new", path)
    entry["bytes"] = path.stat().st_size  # even with the manifest's size matching
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(PartitionError, match=r"partition 1: .*schema drifted: column 'amount'"):
        verify_book(copy)
    shutil.rmtree(copy / "usage_monthly" / "partition=3")
    with pytest.raises(PartitionError, match=r"partition 1"):
        verify_book(copy)
    with pytest.raises(PartitionError, match=r"partition 3: usage_monthly/.* missing"):
        verify_book(copy, partitions=[3])


def _app():
    from cli.main import app

    return app
