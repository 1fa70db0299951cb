"""`revrisk ask` / `revrisk chat` through typer's test runner."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner


def ask(app: typer.Typer, *args: str) -> dict[str, object]:
    result = CliRunner().invoke(app, ["ask", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_ask_json_and_follow_up(app: typer.Typer, warehouse: Path) -> None:
    first = ask(app, "Why is ACC000042 flagged?", "--thread", "t1", "--db", str(warehouse))
    assert list(first) == ["answer", "tool_calls", "tool_results", "model", "faithful", "ms"]
    assert first["tool_calls"] == [
        {"name": "explain_risk_factors", "args": {"account_id": "ACC000042"}}
    ]
    assert first["model"] == "offline-planner" and first["faithful"] is True
    second = ask(app, "show its revenue trend", "--thread", "t1", "--db", str(warehouse))
    assert second["tool_calls"] == [
        {"name": "decompose_trend", "args": {"account_id": "ACC000042"}}
    ]


def test_ask_sql_on_the_warehouse(app: typer.Typer, warehouse: Path) -> None:
    out = ask(app, "Run this SQL: SELECT count(*) AS n FROM accounts", "--db", str(warehouse))
    assert out["tool_results"][0]["content"]["rows"] == [{"n": 3}]  # type: ignore[index]


def test_ask_plain_output(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["ask", "hello"])
    assert result.exit_code == 0
    assert "RevRisk Copilot" in result.stdout and "offline-planner" in result.stdout


def test_chat_loop(app: typer.Typer) -> None:
    result = CliRunner().invoke(
        app, ["chat", "--thread", "c"], input="hi\nwhat can you do?\nexit\n"
    )
    assert result.exit_code == 0, result.output
    assert "Offline planner active" in result.stdout
    assert "Here is what I can do" in result.stdout
