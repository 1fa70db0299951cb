"""Scored runs of the evaluation cases against the agent.

    from evals.run import run_eval
    run = run_eval(model="offline", repeat=3)         # every evals/cases/*.jsonl
    run.summary["tool_selection_accuracy"]

For each distinct `db` spec a demo warehouse is prepared (`evals.warehouse`); each case runs
on a fresh thread per repeat, its turns in order, and every turn is judged
(`evals.judge`) into a `TurnOutcome`; `evals.metrics` scores them. Metrics are reported,
not asserted: thresholds belong to the caller (`tests/integration/test_eval_smoke.py`).

Paths in questions (e.g. the `score_file` cases) are written relative to the repository
root, so runs are made from there (`make eval` does).
"""

from __future__ import annotations

import tempfile
import time
import traceback
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from data.progress import Progress
from evals.judge import TurnRecord, judge_turn
from evals.metrics import TurnOutcome, summarise
from evals.schema import DbSpec, LoadedCase, load_cases
from evals.warehouse import prepare_warehouse

MODELS = ("offline", "openai")


class EvalConfigError(ValueError):
    """The run cannot start as asked (e.g. `openai` without a configured key or endpoint)."""


@dataclass(frozen=True)
class EvalRun:
    """Outcomes of every turn of every repeat, with the metrics over them."""

    outcomes: list[TurnOutcome]
    summary: dict[str, Any]
    per_file: dict[str, dict[str, Any]]
    model: str
    files: list[str]


def resolve_model(model: str) -> str:
    """The agent's model spec for `offline` or `openai` (the configured OpenAI model)."""
    from settings import get_settings

    if model == "offline":
        return "offline"
    if model == "openai":
        settings = get_settings()
        if not settings.use_openai:
            raise EvalConfigError(
                "--model openai needs OPENAI_API_KEY or OPENAI_BASE_URL (and REVRISK_OFFLINE "
                "unset); see .env.example."
            )
        return f"openai:{settings.openai_model}"
    raise EvalConfigError(f"unknown model {model!r}; use one of: {', '.join(MODELS)}")


def _ask(agent: Any, question: str, thread_id: str) -> TurnRecord:
    started = time.perf_counter()
    try:
        result = agent.ask(question, thread_id).as_json()
    except Exception as exc:  # a crash is an outcome to report, not to raise
        detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return TurnRecord(question, error=detail, ms=(time.perf_counter() - started) * 1000)
    return TurnRecord(
        question=question,
        answer=result["answer"],
        tool_calls=result["tool_calls"],
        tool_results=result["tool_results"],
        agent_faithful=result["faithful"],
        ms=(time.perf_counter() - started) * 1000,
    )


def run_case(agent: Any, item: LoadedCase, repeat: int) -> list[TurnOutcome]:
    """All turns of one case on a fresh thread."""
    thread_id = f"eval-{item.case.id}-r{repeat}-{uuid.uuid4().hex[:8]}"
    outcomes = []
    for index, turn in enumerate(item.case.turns):
        record = _ask(agent, turn.user, thread_id)
        outcomes.append(
            judge_turn(
                turn.expect,
                record,
                case_id=item.case.id,
                turn_index=index,
                repeat=repeat,
                file=item.file,
            )
        )
    return outcomes


def _groups(cases: Sequence[LoadedCase]) -> dict[DbSpec, list[LoadedCase]]:
    groups: dict[DbSpec, list[LoadedCase]] = {}
    for item in cases:
        groups.setdefault(item.case.db, []).append(item)
    return groups


def run_cases(
    cases: Sequence[LoadedCase],
    *,
    model: str = "offline",
    repeat: int = 1,
    var_dir: Path | None = None,
    progress: Progress | None = None,
) -> EvalRun:
    """Run `cases` `repeat` times each with `model` (`offline` | `openai`) and score them."""
    from agent.run import Agent
    from settings import get_settings

    if repeat < 1:
        raise EvalConfigError(f"--repeat must be at least 1, got {repeat}")
    spec = resolve_model(model)
    var_dir = Path(var_dir) if var_dir is not None else get_settings().var_dir
    total, done = len(cases) * repeat, 0
    outcomes: list[TurnOutcome] = []
    with tempfile.TemporaryDirectory(prefix="revrisk-eval-") as scratch:
        for db_spec, items in _groups(cases).items():
            db_path = prepare_warehouse(db_spec, var_dir)
            checkpoint = Path(scratch) / f"threads-{db_spec.accounts}-{db_spec.seed}.sqlite"
            with Agent.open(db_path=db_path, model=spec, checkpoint=checkpoint) as agent:
                for rep in range(repeat):
                    for item in items:
                        outcomes.extend(run_case(agent, item, rep))
                        done += 1
                        if progress is not None:
                            progress(done, total)
    files = sorted({item.file for item in cases})
    per_file = {file: summarise([o for o in outcomes if o.file == file], repeat) for file in files}
    return EvalRun(outcomes, summarise(outcomes, repeat), per_file, spec, files)


def run_eval(
    paths: Iterable[Path | str] | None = None,
    *,
    model: str = "offline",
    repeat: int = 1,
    var_dir: Path | None = None,
    progress: Progress | None = None,
) -> EvalRun:
    """Load `paths` (default: the project's cases) and run them; see `run_cases`."""
    resolve_model(model)  # fail on configuration before loading and building anything
    cases = load_cases(paths)
    return run_cases(cases, model=model, repeat=repeat, var_dir=var_dir, progress=progress)


__all__ = [
    "MODELS",
    "EvalConfigError",
    "EvalRun",
    "resolve_model",
    "run_case",
    "run_cases",
    "run_eval",
]
