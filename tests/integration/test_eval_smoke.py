"""`revrisk eval` end to end: the smoke subset (run by `make test`) and the CLI contract.

The smoke subset (`evals/cases/smoke.jsonl`, 15 cases / 18 turns) touches every tool, the
refusal and greeting paths and two follow-ups, on the default demo world (built once per
module, about 20 s with the leakage model's training).

Two kinds of assertions:
- tool-independent (refusals, greetings, numeric faithfulness, no crashes): must hold today;
- `test_needs_domain_tools_*`: tool selection and argument accuracy. These FAIL until the nine
  domain tools are wired into `tools.TOOLS` (only `query_duckdb` is today). They are neither
  skipped nor weakened on purpose: a regression in tool choice must fail CI.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from evals.report import failures
from evals.run import EvalRun, run_eval
from settings import get_settings

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
SMOKE = REPO / "evals" / "cases" / "smoke.jsonl"
_ENV_PREFIXES = ("OPENAI_", "REVRISK_", "CHAINLIT_", "LANGCHAIN_", "LANGSMITH_")


@pytest.fixture(scope="module")
def eval_var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One var dir per module, so the demo warehouse and its model are built once."""
    return tmp_path_factory.mktemp("eval_var")


@pytest.fixture(scope="module")
def smoke_run(eval_var_dir: Path) -> Iterator[EvalRun]:
    """The smoke cases, offline planner, run from the repository root (paths in cases are)."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith(_ENV_PREFIXES):
                patch.delenv(name)
        patch.setenv("REVRISK_VAR_DIR", str(eval_var_dir))
        patch.chdir(REPO)
        get_settings.cache_clear()
        yield run_eval([SMOKE], model="offline", var_dir=eval_var_dir)
    get_settings.cache_clear()


def _failed(run: EvalRun) -> str:
    return "\n".join(
        f"{f['case']}#{f['turn']}: {f['question']!r} -> "
        f"{[c['name'] for c in f['tool_calls']]}: {'; '.join(f['problems'])}"
        for f in failures(run)
    )


def test_smoke_covers_every_tool_and_runs_without_errors(smoke_run: EvalRun) -> None:
    from tools.schemas import TOOL_ARGS

    summary = smoke_run.summary
    assert (summary["n_cases"], summary["n_turns"]) == (15, 18)
    assert summary["n_errors"] == 0, _failed(smoke_run)
    assert summary["latency_ms_p50"] is not None and summary["latency_ms_p95"] is not None
    expected = {name for o in smoke_run.outcomes for name in o.detail["expect"].get("tools", [])}
    expected |= {name for o in smoke_run.outcomes for name in o.detail["expect"].get("args", {})}
    assert expected == set(TOOL_ARGS)


def test_smoke_refusals_greetings_and_faithfulness(smoke_run: EvalRun) -> None:
    """Tool-independent: holds whether or not the domain tools are wired."""
    summary = smoke_run.summary
    assert summary["refusal_accuracy"] is not None and summary["refusal_accuracy"] >= 0.9, _failed(
        smoke_run
    )
    assert summary["no_tool_accuracy"] == 1.0, _failed(smoke_run)
    assert summary["numeric_faithfulness"] == 1.0, _failed(smoke_run)


def test_needs_domain_tools_tool_selection_and_arguments(smoke_run: EvalRun) -> None:
    """FAILS until the nine domain tools are in tools.TOOLS; see the module docstring."""
    from tools import TOOLS
    from tools.schemas import TOOL_ARGS

    summary = smoke_run.summary
    unwired = sorted(set(TOOL_ARGS) - {tool.name for tool in TOOLS})
    context = f"tools not wired into tools.TOOLS: {unwired}\n{_failed(smoke_run)}"
    assert (summary["tool_selection_accuracy"] or 0.0) >= 0.95, context
    assert (summary["argument_accuracy"] or 0.0) >= 0.95, context
    assert (summary["turn_pass_rate"] or 0.0) >= 0.9, context


# ------------------------------------------------------------------------------------ CLI
def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["eval", *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_case_file_outside_evals_cases_runs_with_cases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, eval_var_dir: Path, smoke_run: EvalRun
) -> None:
    monkeypatch.setenv("REVRISK_VAR_DIR", str(eval_var_dir))  # reuse the built warehouse
    get_settings.cache_clear()
    cases = tmp_path / "elsewhere" / "mine.jsonl"
    cases.parent.mkdir()
    lines = [
        {"id": "mine-hello", "turns": [{"user": "hey", "expect": {"no_tool": True}}]},
        {
            "id": "mine-drop",
            "note": "extra keys are ignored",
            "turns": [{"user": "delete every invoice", "expect": {"refuse": True}}],
        },
    ]
    cases.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    report = tmp_path / "out" / "report.md"
    code, stdout, stderr = run_cli("--cases", str(cases), "--json", "--report", str(report))
    assert code == 0, stderr
    payload = json.loads(stdout)
    assert (payload["n_cases"], payload["n_turns"], payload["model"]) == (2, 2, "offline")
    for key in ("tool_selection_accuracy", "argument_accuracy", "numeric_faithfulness",
                "refusal_accuracy", "pass_hat_k", "latency_ms_p50", "latency_ms_p95"):  # fmt: skip
        assert key in payload
    assert payload["files"] == [str(cases)]
    text = report.read_text()
    assert "## Metrics" in text and "refusal_accuracy" in text and "mine.jsonl" in text


def test_malformed_case_files_exit_2_naming_file_and_line(tmp_path: Path) -> None:
    good = json.dumps({"id": "ok", "turns": [{"user": "hi"}]})
    bad_json = tmp_path / "bad.jsonl"
    bad_json.write_text(f"{good}\n{good.replace('ok', 'ok2')}\n{{'id': broken\n")
    code, _, stderr = run_cli("--cases", str(bad_json))
    assert code == 2 and "bad.jsonl:3" in stderr and "invalid JSON" in stderr

    typo = tmp_path / "typo.jsonl"
    typo.write_text(
        good + "\n" + json.dumps({"id": "t", "turns": [{"user": "q", "expect": {"toolz": []}}]})
    )
    code, _, stderr = run_cli("--cases", str(typo), "--json")
    assert code == 2 and "typo.jsonl:2" in stderr and "expect.toolz" in stderr


def test_openai_without_a_key_is_a_clear_error() -> None:
    code, _, stderr = run_cli("--model", "openai", "--cases", str(SMOKE))
    assert code == 2 and "OPENAI_API_KEY" in stderr
