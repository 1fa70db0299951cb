"""`revrisk ask --json` end to end through the console script, offline, on the demo world.

A CFO's thread: "Why is ACC000042 flagged?" → explain_risk_factors; "show its revenue
trend" on the same `--thread` → decompose_trend for the same account; then a file scored with
score_file, whose artifact (read back from the thread's checkpoint) carries the scored files
and a risk-distribution chart. Numbers in every answer are checked independently against the
tool results alone (not the question) with `agent.faithfulness`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import ToolMessage
from reference_data import SAMPLE_ACCOUNTS

from agent.faithfulness import check_answer
from agent.memory import checkpoint_path
from agent.run import Agent

pytestmark = pytest.mark.integration
REVRISK = str(Path(sys.executable).with_name("revrisk"))
REPO = Path(__file__).resolve().parents[2]
SAMPLE = str(SAMPLE_ACCOUNTS)
_ENV_PREFIXES = ("OPENAI_", "REVRISK_", "CHAINLIT_", "LANGCHAIN_", "LANGSMITH_")


@pytest.fixture(scope="module")
def env_and_db(demo_world: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    """A copy of the demo world with fresh caches, and an offline environment for the CLI."""
    from services.leakage.service import model_dir_for, refresh_leakage_cache
    from services.leakage.training import TrainingPlan
    from services.trends.service import refresh_trend_cache

    folder = tmp_path_factory.mktemp("ask_e2e")
    db = folder / "demo.duckdb"
    shutil.copy(demo_world, db)
    refresh_leakage_cache(db, model_dir_for(db), plan=TrainingPlan(n_boot=200))
    refresh_trend_cache(db)
    env = {k: v for k, v in os.environ.items() if not k.startswith(_ENV_PREFIXES)}
    env |= {"REVRISK_VAR_DIR": str(folder / "var"), "REVRISK_WAREHOUSE": str(db)}
    return env, db


def ask(env: dict, db: Path, question: str, thread: str) -> dict[str, Any]:
    """One `revrisk ask --json` run from the repository root (paths in questions are relative)."""
    done = subprocess.run(
        [REVRISK, "ask", "--json", question, "--db", str(db), "--thread", thread],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    print(json.dumps(result, indent=1)[:4000])  # shown with -s: the report quotes it
    return result


def assert_numbers_come_from_the_tools(result: dict[str, Any]) -> None:
    sources = [json.dumps(r["content"]) for r in result["tool_results"]]
    report = check_answer(result["answer"], sources)
    assert report.faithful and report.n_checked > 0, report.unsupported
    assert result["faithful"] is True


def test_why_flagged_then_its_trend(env_and_db: tuple[dict, Path]) -> None:
    env, db = env_and_db
    first = ask(env, db, "Why is ACC000042 flagged?", "cfo-1")
    assert first["tool_calls"] == [
        {"name": "explain_risk_factors", "args": {"account_id": "ACC000042"}}
    ]
    assert first["answer"].strip() and "ACC000042" in first["answer"]
    assert first["model"] == "offline-planner"
    assert "error" not in first["tool_results"][0]["content"]
    assert_numbers_come_from_the_tools(first)

    second = ask(env, db, "show its revenue trend", "cfo-1")
    assert [c["name"] for c in second["tool_calls"]] == ["decompose_trend"]
    assert second["tool_calls"][0]["args"]["account_id"] == "ACC000042"  # issue 13: one id name
    assert "ACC000042" in second["answer"]
    assert_numbers_come_from_the_tools(second)


def test_a_scored_file_comes_back_with_files_and_a_chart(env_and_db: tuple[dict, Path]) -> None:
    env, db = env_and_db
    result = ask(env, db, f"Score {SAMPLE}", "cfo-2")
    assert [c["name"] for c in result["tool_calls"]] == ["score_file"]
    summary = result["tool_results"][0]["content"]["summary"]
    assert summary["n_accounts"] == 100 and "100 accounts scored" in result["answer"]
    assert_numbers_come_from_the_tools(result)

    checkpoint = checkpoint_path(env["REVRISK_VAR_DIR"])
    with Agent.open(db_path=db, checkpoint=checkpoint) as agent:
        messages = agent.graph.get_state({"configurable": {"thread_id": "cfo-2"}}).values[
            "messages"
        ]
    artifact = next(m.artifact for m in messages if isinstance(m, ToolMessage))
    assert {f["name"] for f in artifact["files"]} == {
        "sample_accounts_scored.csv",
        "sample_accounts_scored.xlsx",
    }
    assert all(Path(f["path"]).is_file() for f in artifact["files"])
    chart = artifact["chart"]
    assert chart["kind"] == "risk_distribution" and sum(chart["data"]["counts"].values()) == 100


def documented_examples() -> list[str]:
    """The questions chainlit.md's "Try" list and the capability reply suggest."""
    tried = [
        span
        for line in (REPO / "chainlit.md").read_text().splitlines()
        if line.startswith("- *")
        for span in re.findall(r"(?<!\*)\*([^*\n]+)\*(?!\*)", line)
    ]
    replied = re.findall(r'_"([^"\n]+)"_', (REPO / "prompts/reply_capabilities.md").read_text())
    return list(dict.fromkeys(tried + replied))


def test_every_documented_example_answers_on_the_demo(
    env_and_db: tuple[dict, Path], tmp_path: Path
) -> None:
    """An example the help suggests must work on the world `make run` builds (the red team
    found "Give me the report for segment 2" failing: the demo has segments 0 and 1)."""
    _, db = env_and_db
    examples = documented_examples()
    assert len(examples) >= 7, examples
    with Agent.open(db_path=db, checkpoint=tmp_path / "threads.sqlite") as agent:
        for number, question in enumerate(examples):
            result = agent.ask(question, f"docs-{number}")
            errors = [r["content"] for r in result.tool_results if "error" in r["content"]]
            assert result.tool_calls and not errors, (question, errors or result.answer[:200])
