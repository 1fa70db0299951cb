"""`revrisk demo` and `revrisk info` through the installed console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from domain import LEAKAGE_TYPES

pytestmark = pytest.mark.integration
REVRISK = [str(Path(sys.executable).with_name("revrisk"))]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(REVRISK + list(args), capture_output=True, text=True, timeout=120)


def test_demo_json_then_info(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    built = _run("demo", "--accounts", "200", "--seed", "3", "--db", str(db), "--json")
    assert built.returncode == 0, built.stderr
    report = json.loads(built.stdout)
    assert report["rows"]["accounts"] == 200
    assert report["seconds"] > 0 and report["file_size_mb"] > 0
    assert set(report["leakage_accounts_pct"]) == set(LEAKAGE_TYPES)
    described = _run("info", "--db", str(db), "--json")
    assert described.returncode == 0, described.stderr
    info = json.loads(described.stdout)
    assert info["tables"]["accounts"] == 200
    assert info["source"] == "synthetic"
    assert info["last_month"] == "2026-10-01"
    assert not list(tmp_path.glob("*.building*"))


def test_if_missing_keeps_an_existing_warehouse(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    assert _run("demo", "--accounts", "50", "--db", str(db), "--json").returncode == 0
    before = db.stat().st_mtime_ns
    again = _run("demo", "--accounts", "80", "--db", str(db), "--if-missing")
    assert again.returncode == 0
    assert db.stat().st_mtime_ns == before


def test_if_missing_brings_caches_of_an_older_method_up_to_date(tmp_path: Path) -> None:
    """`make run` runs `demo --if-missing`: a warehouse whose trend figures came from an older
    version of the method (here: its version key rewritten) is refreshed, its data kept."""
    import duckdb

    from services.trends import store

    db = tmp_path / "demo.duckdb"
    assert _run("demo", "--accounts", "50", "--db", str(db), "--json").returncode == 0
    with duckdb.connect(str(db)) as con:
        current = con.execute(
            "SELECT value FROM meta WHERE key = ?", [store.VERSION_KEY]
        ).fetchone()
        con.execute("UPDATE meta SET value = ? WHERE key = ?", ["0/old", store.VERSION_KEY])
        n_accounts = con.execute("SELECT count(*) FROM accounts").fetchone()
    again = _run("demo", "--accounts", "80", "--db", str(db), "--if-missing")
    assert again.returncode == 0, again.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        version = con.execute(
            "SELECT value FROM meta WHERE key = ?", [store.VERSION_KEY]
        ).fetchone()
        assert con.execute("SELECT count(*) FROM accounts").fetchone() == n_accounts == (50,)
    assert version == current


def test_info_on_missing_warehouse_says_how_to_build_one(tmp_path: Path) -> None:
    result = _run("info", "--db", str(tmp_path / "nothing.duckdb"))
    assert result.returncode == 2  # a missing input (rt8 D30)
    assert "revrisk demo" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_end_month_is_a_usage_error(tmp_path: Path) -> None:
    result = _run("demo", "--end-month", "October", "--db", str(tmp_path / "x.duckdb"))
    assert result.returncode == 2
    assert "2026-10" in result.stderr
