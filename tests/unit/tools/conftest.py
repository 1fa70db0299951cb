"""Fixtures for tool tests: a tiny warehouse file, and a small world with fresh caches."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reference_data import SAMPLE_ACCOUNTS

from data.warehouse import connect

SAMPLE = SAMPLE_ACCOUNTS
"""The reference project's 100-account sample file."""

ToolCall = Callable[..., tuple[dict[str, Any], dict[str, Any]]]


def call_tool(
    name: str,
    args: dict[str, Any],
    context: Any,
    writer: Callable[[Any], None] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One tool call as the graph's ToolNode makes it (injected `ToolRuntime` with `context`):
    (parsed content, artifact)."""
    from langgraph.prebuilt import ToolRuntime

    from tools import TOOLS

    runtime = ToolRuntime(
        state={},
        context=context,
        config={},
        stream_writer=writer or (lambda _: None),
        tool_call_id="call_1",
        store=None,
    )
    tool = next(t for t in TOOLS if t.name == name)
    message = tool.invoke(
        {"type": "tool_call", "name": name, "id": "call_1", "args": {**args, "runtime": runtime}}
    )
    return json.loads(message.content), message.artifact


@pytest.fixture(scope="session")
def call() -> ToolCall:
    """`call(name, args, context, writer=None) -> (content, artifact)`; see `call_tool`."""
    return call_tool


@pytest.fixture(scope="session")
def sample_file() -> Path:
    return SAMPLE


@pytest.fixture(scope="module")
def tiny_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three accounts and two invoices, plus one ground-truth row. Built once per module;
    tests only read it (every query runs on a read-only attachment)."""
    tmp_path = tmp_path_factory.mktemp("tiny")
    path = tmp_path / "w.duckdb"
    with connect(path) as con:
        con.execute(
            "INSERT INTO accounts VALUES "
            "('ACC000042', 'Acme', 'Business', 'EMEA', 'EUR', '2023-01-05', 'core'),"
            "('ACC000043', 'Beta', 'Starter', 'APAC', 'USD', '2023-02-01', 'legacy'),"
            "('ACC000044', 'Gamma', 'Enterprise', 'EMEA', 'EUR', '2022-11-20', 'core')"
        )
        con.execute(
            "INSERT INTO invoices VALUES "
            "(1, 'ACC000042', NULL, '2025-01-01', '2025-01-01', '2025-01-31', 'EUR', 4990.00),"
            "(2, 'ACC000043', NULL, '2025-02-01', '2025-02-01', '2025-02-28', 'USD', 99.00)"
        )
        con.execute(
            "INSERT INTO leakage_events VALUES ('ACC000042', '2025-01-01', 'Failed_Payment_Retry', 10)"
        )
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    return path


@pytest.fixture(scope="session")
def fresh_world(small_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's small world (300 accounts) with fresh leakage and trend caches, built
    once per session: its folder holds `world.duckdb` and the leakage model where the tools
    look (`model_dir_for`). Never used directly: `world` hands each module its own copy."""
    import shutil

    from services.leakage.service import model_dir_for, refresh_leakage_cache
    from services.leakage.training import TrainingPlan
    from services.trends.service import refresh_trend_cache

    db = tmp_path_factory.mktemp("fresh_world") / "world.duckdb"
    shutil.copy(small_world, db)
    refresh_leakage_cache(db, model_dir_for(db), plan=TrainingPlan(n_boot=100))
    refresh_trend_cache(db)
    return db


@pytest.fixture(scope="module")
def world(fresh_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A writable copy of `fresh_world` (warehouse, caches and leakage model) for this module.

    The caches used to be refreshed in every module that asked (~4 s each on the 2-core CI
    machine, in ten modules); the refresh is deterministic, so a copy of one refresh holds
    the same rows and model, and modules still cannot see each other's writes."""
    import shutil

    folder = tmp_path_factory.mktemp("tools_world")
    shutil.copytree(fresh_world.parent, folder, dirs_exist_ok=True)
    return folder / fresh_world.name
