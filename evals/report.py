"""What an evaluation run says to people: failure descriptions, JSON payload, Markdown report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evals.metrics import TurnOutcome
from evals.run import EvalRun

METRIC_KEYS = (
    "tool_selection_accuracy",
    "argument_accuracy",
    "numeric_faithfulness",
    "refusal_accuracy",
    "no_tool_accuracy",
    "wrong_tool_rate",
    "clarification_rate",
    "clarification_accuracy",
    "answer_contains_accuracy",
    "turn_pass_rate",
    "pass_hat_k",
    "latency_ms_p50",
    "latency_ms_p95",
)
DEFINITIONS = {
    "tool_selection_accuracy": "turns whose expected tools were all called and whose "
    "`tools_not_called` were not / turns with `tools`, `tools_not_called` or `args`",
    "argument_accuracy": "(turn, tool) `args` expectations met by some call of that tool "
    "(subset match, normalised) / such expectations whose tool was called",
    "numeric_faithfulness": "tool-calling turns whose every answer number traces to the "
    "question, tool arguments or tool outputs (agent.faithfulness, re-checked) / turns "
    "with a tool call",
    "refusal_accuracy": "turns with `refuse` set where refused (no tool and a decline in the "
    "answer's opening) equals the expectation / turns with `refuse` set",
    "no_tool_accuracy": "turns with `no_tool` set where (no tool called) equals the "
    "expectation / turns with `no_tool` set",
    "wrong_tool_rate": "turns where a tool was called and it was the wrong one (tool "
    "expectation failed, or any tool where `no_tool`/`refuse`/`clarify` is true) / turns with "
    "any tool expectation; asking instead of calling is not counted",
    "clarification_rate": "turns with `clarify: true` where the agent asked (no tool, a "
    "question in the answer) / turns with `clarify: true`",
    "clarification_accuracy": "turns with `clarify` set where asked equals the expectation / "
    "turns with `clarify` set",
    "answer_contains_accuracy": "turns whose answer holds every `answer_contains` text "
    "(case-insensitive) / turns with `answer_contains`",
    "turn_pass_rate": "turns meeting every expectation (and faithful, no error) / turns",
    "pass_hat_k": "cases whose every turn passed in all K repeats / cases",
    "latency_ms_p50": "median wall-clock ms per turn (nearest rank)",
    "latency_ms_p95": "95th-percentile wall-clock ms per turn (nearest rank)",
}
EXCERPT = 300


def problems(outcome: TurnOutcome) -> list[str]:
    """Why a turn failed, one phrase per unmet expectation."""
    detail, found = outcome.detail, []
    if outcome.error:
        found.append(f"error: {outcome.error}")
    if detail.get("missing_tools"):
        found.append(f"expected tools not called: {', '.join(detail['missing_tools'])}")
    if detail.get("forbidden_called"):
        found.append(f"called tools it must not: {', '.join(detail['forbidden_called'])}")
    for failure in detail.get("arg_failures", []):
        found.append(
            f"{failure['tool']} args: expected {failure['expected']}, got {failure['actual']}"
        )
    if outcome.faithful is False:
        found.append(f"unsupported numbers: {', '.join(detail.get('unsupported_numbers', []))}")
    if outcome.refuse_ok is False:
        found.append("expected a refusal" if outcome.refuse_expected else "refused wrongly")
    if outcome.no_tool_ok is False:
        found.append("expected no tool call" if outcome.no_tool_expected else "expected a tool")
    if outcome.clarify_ok is False:
        found.append(
            "expected a clarifying question" if outcome.clarify_expected else "asked needlessly"
        )
    if detail.get("missing_text"):
        found.append(f"answer lacks: {', '.join(map(repr, detail['missing_text']))}")
    return found


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[:EXCERPT] + "…"


def failures(run: EvalRun) -> list[dict[str, Any]]:
    """Every failed turn with what was expected and what happened."""
    return [
        {
            "case": o.case_id,
            "file": o.file,
            "repeat": o.repeat,
            "turn": o.turn_index,
            "question": o.detail.get("question", ""),
            "expected": o.detail.get("expect", {}),
            "tool_calls": o.detail.get("tool_calls", []),
            "answer": _excerpt(o.detail.get("answer", "")),
            "problems": problems(o),
        }
        for o in run.outcomes
        if not o.passed
    ]


def payload(run: EvalRun, report_path: Path | None = None) -> dict[str, Any]:
    """What `revrisk eval --json` prints."""
    return {
        **run.summary,
        "model": run.model,
        "files": run.files,
        "per_file": run.per_file,
        "report": None if report_path is None else str(report_path),
        "failures": failures(run),
    }


def _fmt(value: Any, key: str = "") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.1f}" if key.startswith("latency") else f"{value:.3f}"
    return str(value)


def _metric_table(run: EvalRun) -> list[str]:
    lines = ["| metric | value | definition |", "|---|---|---|"]
    for key in METRIC_KEYS:
        lines.append(f"| {key} | {_fmt(run.summary.get(key), key)} | {DEFINITIONS[key]} |")
    return lines


def _file_table(run: EvalRun) -> list[str]:
    short = (
        "tool_selection_accuracy",
        "argument_accuracy",
        "numeric_faithfulness",
        "refusal_accuracy",
        "turn_pass_rate",
        "pass_hat_k",
    )
    lines = [
        "| file | cases | turns | " + " | ".join(short) + " |",
        "|---" * (3 + len(short)) + "|",
    ]
    for file, summary in run.per_file.items():
        cells = [Path(file).name, summary["n_cases"], summary["n_turns"]]
        cells += [_fmt(summary.get(key)) for key in short]
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    return lines


def _failure_lines(run: EvalRun) -> list[str]:
    lines: list[str] = []
    for item in failures(run):
        calls = ", ".join(
            f"{c['name']}({json.dumps(c.get('args', {}), default=str)})" for c in item["tool_calls"]
        )
        lines += [
            f"### {item['case']} · turn {item['turn']} · repeat {item['repeat']} "
            f"({Path(item['file']).name})",
            f"- **asked**: {item['question']}",
            f"- **expected**: `{json.dumps(item['expected'], default=str)}`",
            f"- **called**: {calls or 'no tools'}",
            f"- **answer**: {item['answer'] or '(empty)'}",
            f"- **problems**: {'; '.join(item['problems'])}",
            "",
        ]
    return lines or ["None."]


def markdown(run: EvalRun) -> str:
    """The whole report as Markdown."""
    s = run.summary
    head = [
        "# Agent evaluation report",
        "",
        f"Model `{run.model}`, {s['n_cases']} cases, {s['n_turns']} turns, "
        f"repeat {s['repeat']}; {s['n_errors']} turn errors; "
        f"{s['faithfulness_disagreements']} turns where the agent's own faithfulness flag "
        "disagreed with the re-check.",
        "",
        "Files: " + ", ".join(f"`{f}`" for f in run.files),
        "",
        "## Metrics",
        "",
    ]
    body = [*_metric_table(run), "", "## Per file", "", *_file_table(run), ""]
    body += ["## Failures", "", *_failure_lines(run)]
    return "\n".join([*head, *body]).rstrip() + "\n"


def write_report(run: EvalRun, path: Path) -> Path:
    """Write the Markdown report to `path` (folders created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(markdown(run), encoding="utf-8")
    return path


__all__ = [
    "DEFINITIONS",
    "METRIC_KEYS",
    "failures",
    "markdown",
    "payload",
    "problems",
    "write_report",
]
