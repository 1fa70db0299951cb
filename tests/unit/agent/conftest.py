"""Fixtures for agent tests (test doubles live in agent_fakes.py).

The environment is isolated by the autouse `isolated_env` fixture of tests/conftest.py.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from langchain_core.tools import BaseTool

from cli import agent_cmds
from tools import query_duckdb
from tools.schemas import TOOL_ARGS

# The test doubles sit next to this file; pytest puts the folder on sys.path for the test
# modules, but not always before the conftest is imported (e.g. when one file is selected).
if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

from agent_fakes import make_warehouse, stub_tool


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> Any:
    """Mark this folder's coroutine tests (langchain-tests has some) for pytest-asyncio.

    Runs inside pytest-asyncio's own wrapper, so the mark is there when it converts items;
    the project runs pytest-asyncio in strict mode.
    """
    outcome = yield
    here = Path(__file__).parent
    if not inspect.iscoroutinefunction(obj) or here not in collector.path.parents:
        return
    result = outcome.get_result()
    for item in result if isinstance(result, list) else [result]:
        if isinstance(item, pytest.Function):
            item.add_marker(pytest.mark.asyncio)


@pytest.fixture
def tool_log() -> list[tuple[str, dict[str, Any]]]:
    """(tool name, arguments) of every stand-in tool call, in order."""
    return []


@pytest.fixture
def all_tools(tool_log: list[tuple[str, dict[str, Any]]]) -> list[BaseTool]:
    """Stand-ins for the nine domain tools plus the real query_duckdb."""
    stubs = [stub_tool(name, tool_log) for name in TOOL_ARGS if name != "query_duckdb"]
    return [*stubs, query_duckdb]


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A tiny warehouse: three accounts, two invoices."""
    return make_warehouse(tmp_path / "w.duckdb")


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, all_tools: list[BaseTool]) -> typer.Typer:
    """The agent commands (`revrisk ask`, `revrisk chat`), with stand-ins for the domain
    tools."""
    monkeypatch.setattr(importlib.import_module("agent.graph"), "TOOLS", all_tools)
    application = typer.Typer()
    agent_cmds.register(application)
    return application
