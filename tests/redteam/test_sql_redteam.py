"""SQL red team: every attack ends in a typed error and never in rows; analyst queries run.

`make test` runs the fast form: every attack and every analyst query through all three fences
on one shared locked connection (no per-query connection). `make fuzz` (marker `fuzz`) runs
each end to end through `run_query`, plus the resource queries with their time and memory
measured, and writes the figures to `artifacts/redteam/sql.json`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from redteam.sql_attacks import ATTACKS, LEGIT, SECRET_ACCOUNT, SECRET_META
from redteam.sql_resources import RESOURCE_QUERIES

from data.sql_guard import (
    SqlExecutionError,
    SqlLimitError,
    SqlLimits,
    SqlRejected,
    _locked_connection,
    check_sql,
    check_with_duckdb,
    read_catalog,
    run_query,
)
from data.warehouse import connect

TYPED = (SqlRejected, SqlExecutionError)
TIME_LIMIT_S = 10.0
MEMORY_LIMIT_BYTES = 1024 * 1024 * 1024
_ALIAS = re.compile(r"\bw[0-9a-f]{24}\b")


def _ids(items: list[Any]) -> list[str]:
    return [f"{item[0]}-{i}" for i, item in enumerate(items)]


@pytest.fixture(scope="module")
def shared(redteam_warehouse: Path) -> Iterator[Any]:
    with _locked_connection(redteam_warehouse, SqlLimits()) as locked:
        yield locked.con, read_catalog(locked.con)


def _through_fences(con: duckdb.DuckDBPyConnection, catalog: Any, sql: str) -> list[Any]:
    statement = check_sql(sql, catalog)
    check_with_duckdb(con, statement, catalog)
    try:
        return con.execute(statement).fetchmany(201)
    except duckdb.Error as exc:
        raise SqlExecutionError(str(exc), {}) from None


def _leaks(text: str, warehouse: Path) -> list[str]:
    """What a message or a result must never show: planted secrets, paths, the alias."""
    found = [s for s in (SECRET_ACCOUNT, SECRET_META) if s in text]
    found += [p for p in (str(warehouse.parent), "/tmp", "/home") if p in text]
    return found + _ALIAS.findall(text)


def test_the_corpus_is_big_and_varied() -> None:
    assert len(ATTACKS) >= 250
    assert len({kind for kind, _ in ATTACKS}) >= 10
    assert len(LEGIT) >= 40
    assert len(RESOURCE_QUERIES) >= 30
    assert len({sql for _, sql in ATTACKS}) == len(ATTACKS)


@pytest.mark.parametrize(("kind", "sql"), ATTACKS, ids=_ids(ATTACKS))
def test_attack_ends_in_a_typed_error(kind: str, sql: str, shared: Any) -> None:
    con, catalog = shared
    with pytest.raises(TYPED) as caught:
        rows = _through_fences(con, catalog, sql)
        pytest.fail(f"{kind}: returned {len(rows)} row(s): {rows[:3]!r}")
    message = str(getattr(caught.value, "reason", None) or getattr(caught.value, "message", ""))
    assert SECRET_ACCOUNT not in message and SECRET_META not in message


@pytest.mark.parametrize(("sql", "expected"), LEGIT, ids=[f"legit-{i}" for i in range(len(LEGIT))])
def test_analyst_query_runs(sql: str, expected: list[tuple[Any, ...]] | None, shared: Any) -> None:
    con, catalog = shared
    rows = _through_fences(con, catalog, sql)
    if expected is not None:
        assert _plain(rows) == _plain(expected)


def _plain(rows: list[Any]) -> list[tuple[Any, ...]]:
    return [tuple(float(v) if isinstance(v, Decimal) else v for v in row) for row in rows]


def test_cte_shadowing_is_scope_aware(shared: Any) -> None:
    """A CTE covers its own query only: the same name outside is an unknown table."""
    con, catalog = shared
    assert _through_fences(con, catalog, "SELECT (WITH q AS (SELECT 7 AS v) SELECT v FROM q)") == [
        (7,)
    ]
    with pytest.raises(SqlRejected, match="Unknown table"):
        check_sql("SELECT * FROM (WITH q AS (SELECT 7 AS v) SELECT v FROM q) s, q", catalog)


def test_limits_stop_a_query_fast(redteam_warehouse: Path) -> None:
    limits = SqlLimits(timeout_s=1.5, memory_limit_mb=256)
    started = time.monotonic()
    with pytest.raises(SqlLimitError) as caught:
        run_query(redteam_warehouse, "SELECT count(*) FROM range(1000000000000)", limits=limits)
    assert caught.value.limit == "time" and time.monotonic() - started < 1.5 + 1.0
    with pytest.raises(SqlLimitError) as caught:
        run_query(
            redteam_warehouse,
            "SELECT list(range) FROM range(500000000)",
            limits=SqlLimits(timeout_s=8, memory_limit_mb=256),
        )
    assert caught.value.limit == "memory"


def test_an_untyped_parse_failure_cannot_escape(shared: Any) -> None:
    """sqlglot's TokenError and Python's RecursionError become SqlRejected (issue 11)."""
    _, catalog = shared
    for sql in ("SELECT 'abc", "SELECT /* x", "SELECT " + "(" * 3000 + "1" + ")" * 3000):
        with pytest.raises(SqlRejected):
            check_sql(sql, catalog)


# ------------------------------------------------------------------------------ make fuzz
class _Peak:
    """Largest growth of this process's resident memory while the block runs."""

    def __init__(self) -> None:
        self.growth = 0
        self._stop = threading.Event()

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * 4096

    def __enter__(self) -> _Peak:
        self._base = self._rss()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.005):
            self.growth = max(self.growth, self._rss() - self._base)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _run_measured(db: Path, sql: str, limits: SqlLimits) -> dict[str, Any]:
    started = time.perf_counter()
    outcome: dict[str, Any] = {"sql": sql[:200]}
    with _Peak() as peak:
        try:
            result = run_query(db, sql, limits=limits)
            outcome.update(kind="rows", n_rows=len(result.rows), text=repr(result.rows)[:100_000])
        except SqlLimitError as exc:
            outcome.update(kind=f"limit:{exc.limit}", text=exc.message)
        except SqlRejected as exc:
            outcome.update(kind="rejected", text=exc.reason)
        except SqlExecutionError as exc:
            outcome.update(kind="sql_error", text=exc.message)
        except Exception as exc:  # an untyped error or a crash: what the suite counts
            outcome.update(kind="untyped", text=f"{type(exc).__name__}: {exc}"[:500])
    outcome.update(seconds=round(time.perf_counter() - started, 3), memory_mb=peak.growth / 2**20)
    return outcome


@pytest.mark.fuzz
def test_full_sql_red_team(redteam_warehouse: Path, tmp_path: Path) -> None:
    db = redteam_warehouse
    limits = SqlLimits.from_settings(temp_dir=tmp_path / "spill")
    with connect(db, read_only=True) as con:
        before = con.execute("SELECT count(*) FROM accounts").fetchall()
    attacks = [(kind, _run_measured(db, sql, limits)) for kind, sql in ATTACKS]
    legit = [(sql, expected, _run_measured(db, sql, limits)) for sql, expected in LEGIT]
    resources = [(want, _run_measured(db, sql, limits)) for sql, want in RESOURCE_QUERIES]
    with connect(db, read_only=True) as con:
        after = con.execute("SELECT count(*) FROM accounts").fetchall()
        secret = con.execute("SELECT value FROM meta WHERE key = 'planted'").fetchall()

    leaked_rows = [o for _, o in attacks if o["kind"] == "rows"]
    untyped = [o for _, o in [*attacks, *resources] if o["kind"] == "untyped"]
    untyped += [o for _, _, o in legit if o["kind"] == "untyped"]
    leaky_messages = [o for _, o in [*attacks, *resources] if _leaks(o["text"], db)]
    legit_failed = [o for _, _, o in legit if o["kind"] != "rows"]
    wrong_resource = [
        (want, o)
        for want, o in resources
        if (want == "rejected" and o["kind"] != "rejected")
        or (
            want == "bounded"
            and o["kind"] not in {"rows", "limit:time", "limit:memory", "limit:result_size"}
        )
        or (want == "ok" and o["kind"] != "rows")
    ]
    everything = [o for _, o in attacks] + [o for _, _, o in legit] + [o for _, o in resources]
    report = {
        "attacks_tried": len(attacks),
        "attack_classes": sorted({k for k, _ in attacks}),
        "rows_returned_that_should_not_be": len(leaked_rows),
        "untyped_errors_or_crashes": len(untyped),
        "messages_leaking_paths_or_secrets": len(leaky_messages),
        "legit_tried": len(legit),
        "legit_failed": len(legit_failed),
        "resource_queries_tried": len(resources),
        "resource_outcomes": {
            k: sum(1 for _, o in resources if o["kind"] == k)
            for k in sorted({o["kind"] for _, o in resources})
        },
        "resource_wrong_outcome": len(wrong_resource),
        "max_seconds": max(o["seconds"] for o in everything),
        "max_memory_growth_mb": round(max(o["memory_mb"] for o in everything), 1),
        "slowest": max(everything, key=lambda o: o["seconds"])["sql"][:120],
        "limits": {"timeout_s": limits.timeout_s, "memory_limit_mb": limits.memory_limit_mb},
    }
    out = Path("artifacts/redteam")
    out.mkdir(parents=True, exist_ok=True)
    (out / "sql.json").write_text(json.dumps(report, indent=2))
    print("\nSQL red team:", json.dumps(report, indent=2))
    assert before == after and secret, "the warehouse changed"
    assert not leaked_rows, leaked_rows[:5]
    assert not untyped, untyped[:5]
    assert not leaky_messages, leaky_messages[:5]
    assert not legit_failed, legit_failed[:5]
    assert not wrong_resource, wrong_resource[:5]
    assert report["max_seconds"] < TIME_LIMIT_S
    assert max(o["memory_mb"] for o in everything) * 2**20 < MEMORY_LIMIT_BYTES
