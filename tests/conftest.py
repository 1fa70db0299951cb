"""Fixtures every test gets: an isolated environment and, on request, small demo warehouses.

No test may see the developer's keys, `.env`, or warehouse: the autouse fixture strips
OPENAI_*/REVRISK_*/CHAINLIT_* variables, ignores `.env`, and points the warehouse and var
directory at a temporary folder.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from settings import Settings, get_settings

_PREFIXES = ("OPENAI_", "REVRISK_", "CHAINLIT_", "LANGCHAIN_", "LANGSMITH_")


def _isolate(monkeypatch: pytest.MonkeyPatch, var_dir: Path) -> None:
    for name in list(os.environ):
        if name.startswith(_PREFIXES):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setitem(Settings.model_config, "env_file", None)
    monkeypatch.setenv("REVRISK_VAR_DIR", str(var_dir))
    monkeypatch.setenv("REVRISK_WAREHOUSE", str(var_dir / "revrisk.duckdb"))
    get_settings.cache_clear()


@pytest.fixture(autouse=True, scope="session")
def isolated_session_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The same isolation for session- and module-scoped fixtures, which are set up before
    the per-test one: a fixture that forgets its warehouse finds none instead of the
    developer's `var/revrisk.duckdb`."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        _isolate(monkeypatch, tmp_path_factory.mktemp("session_var"))
        yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Clean environment, no `.env`, warehouse and var dir under this test's tmp_path."""
    var_dir = tmp_path / "var"
    _isolate(monkeypatch, var_dir)
    yield var_dir
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 300-account, 24-month synthetic warehouse (seed 11), built once per session. Read-only."""
    from data.build import build_demo_warehouse
    from data.synth import WorldConfig

    path = tmp_path_factory.mktemp("small_world") / "small.duckdb"
    build_demo_warehouse(path, WorldConfig(n_accounts=300, seed=11))
    return path


@pytest.fixture(scope="session")
def demo_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default demo world (2,000 accounts, seed 7), built once per session. Read-only."""
    from data.build import build_demo_warehouse
    from data.synth import WorldConfig

    path = tmp_path_factory.mktemp("demo_world") / "demo.duckdb"
    build_demo_warehouse(path, WorldConfig(n_accounts=2000, seed=7))
    return path


def pytest_unconfigure(config: pytest.Config) -> None:
    """Close every DuckDB connection still alive before the interpreter finalises.

    Three of five full runs in one session aborted after the summary ("terminate called after
    throwing an instance of '' / FATAL: exception not rethrown", rc 2) with every test passed.
    That is DuckDB's open issue duckdb/duckdb#13904: a connection's destructor releases the GIL
    (pybind11), and when that destructor runs during finalisation the thread cannot take the
    GIL back and is unwound through C++ code, which aborts. A probe at the end of a full run
    found no Python thread in DuckDB; connections left to finalisation were what remained, so
    they are closed here, in the main thread, while the interpreter is whole."""
    import gc

    import duckdb

    from data.warehouse import READERS

    READERS.stop()
    gc.collect()
    for obj in gc.get_objects():
        if type(obj) is duckdb.DuckDBPyConnection:  # not isinstance: proxies resolve __class__
            with contextlib.suppress(duckdb.Error):
                obj.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say how many doctests of the source packages ran (`make test` collects them)."""
    counts: dict[str, int] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") == "call" and "::" in report.nodeid:
                path = report.nodeid.split("::", 1)[0]
                if not path.startswith("tests/"):
                    counts[outcome] = counts.get(outcome, 0) + 1
    if counts:
        terminalreporter.write_line(
            "doctests of the source packages: "
            + ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
        )
