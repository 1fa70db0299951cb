"""Kept-open readers (data.warehouse.READERS): a read-only connection is reused by the next
unit of work of the process, and never when the file may have changed or a writer wants it.

The other process is the point of two tests (DuckDB's lock and the writer's flock are per
process), so they start a child that takes the writer lock or waits for the file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import data.warehouse as warehouse
from data.sql_guard import SqlExecutionError, SqlLimitError, SqlLimits, run_query
from data.warehouse import READERS, connect


def _idle(path: Path) -> int:
    key = str(path.resolve())
    return sum(len(items) for (p, _), items in READERS._idle.items() if p == key)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with connect(path) as con:
        con.execute("INSERT INTO meta VALUES ('k', '1')")
    yield path
    READERS.release(path)


def _child(code: str) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    return child


def _finish(child: subprocess.Popen[str]) -> str:
    out, _ = child.communicate("\n", timeout=120)
    return out


def test_a_read_only_connection_is_reused(db: Path) -> None:
    with connect(db, read_only=True) as first:
        pass
    assert _idle(db) == 1
    with connect(db, read_only=True) as second:
        assert second is first
        assert second.execute("SELECT value FROM meta WHERE key = 'k'").fetchall() == [("1",)]


def test_a_unit_of_work_that_raised_closes_its_connection(db: Path) -> None:
    with pytest.raises(KeyError), connect(db, read_only=True):
        raise KeyError("boom")
    assert _idle(db) == 0


def test_a_write_in_this_process_closes_kept_readers_and_is_seen(db: Path) -> None:
    with connect(db, read_only=True):
        pass
    with connect(db) as con:  # would fail with a kept read-only connection open
        con.execute("UPDATE meta SET value = '2' WHERE key = 'k'")
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'k'").fetchall() == [("2",)]


def test_a_replaced_file_is_not_read_through_the_old_connection(db: Path, tmp_path: Path) -> None:
    with connect(db, read_only=True) as old:
        pass
    other = tmp_path / "other.duckdb"
    with connect(other) as con:
        con.execute("INSERT INTO meta VALUES ('k', 'new')")
    READERS.release(other)
    os.replace(other, db)  # as `revrisk demo` moves a finished file into place
    with connect(db, read_only=True) as con:
        assert con is not old
        assert con.execute("SELECT value FROM meta WHERE key = 'k'").fetchall() == [("new",)]


def test_a_writer_in_another_process_gets_the_file_at_once(db: Path) -> None:
    """The kept reader is closed when the writer announces itself, so the writer's open
    succeeds within a few watcher periods instead of timing out."""
    with connect(db, read_only=True):
        pass
    assert _idle(db) == 1
    writer = _child(
        f"""
        import sys, time
        from data.warehouse import connect
        print("ready", flush=True)
        started = time.monotonic()
        with connect({str(db)!r}) as con:
            con.execute("UPDATE meta SET value = '3' WHERE key = 'k'")
        print(round(time.monotonic() - started, 2), flush=True)
        sys.stdin.readline()
        """
    )
    waited = float(_finish(writer).strip())
    assert waited < 10, waited  # WRITE_WAIT_S is 120 s; the reader was let go
    assert _idle(db) == 0
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'k'").fetchall() == [("3",)]


def test_no_reader_is_kept_while_another_process_holds_the_writer_lock(db: Path) -> None:
    holder = _child(
        f"""
        import sys
        from data.warehouse import writer_lock
        with writer_lock({str(db)!r}):
            print("ready", flush=True)
            sys.stdin.readline()
        """
    )
    try:
        with connect(db, read_only=True):
            pass
        assert _idle(db) == 0
    finally:
        _finish(holder)


def test_idle_readers_close_after_keep_open_s(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warehouse, "KEEP_OPEN_S", 0.1)
    with connect(db, read_only=True):
        pass
    deadline = time.monotonic() + 10
    while _idle(db) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _idle(db) == 0


def test_sql_guard_reuses_its_locked_connection_but_not_after_a_limit(
    small_world: Path, tmp_path: Path
) -> None:
    limits = SqlLimits(timeout_s=2.0, temp_dir=tmp_path / "sqltmp")
    assert run_query(small_world, "SELECT count(*) FROM accounts", limits=limits).rows == [(300,)]
    assert _idle(small_world) == 1
    with pytest.raises(SqlExecutionError):
        run_query(small_world, "SELECT no_such_column FROM accounts", limits=limits)
    assert _idle(small_world) == 1  # DuckDB refused the query; the connection is as before
    with pytest.raises(SqlLimitError):
        run_query(
            small_world,
            "SELECT count(*) FROM range(100000) a, range(100000) b, range(1000) c",
            limits=limits,
        )
    assert _idle(small_world) == 0  # interrupted: closed, not kept
    assert run_query(small_world, "SELECT count(*) FROM accounts", limits=limits).rows == [(300,)]
    READERS.release(small_world)
