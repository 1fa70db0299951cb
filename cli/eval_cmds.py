"""`revrisk eval`: scored runs of the agent over evaluation case files (registered by cli.main).

Exit codes: 0 when the run happened (metrics are reported, not asserted), 2 on malformed
case files or an unusable configuration (`--model openai` without a key or endpoint).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cli.common import JsonOption, emit_json, fail, progress_bar

if TYPE_CHECKING:
    from evals.run import EvalRun

DEFAULT_REPORT = Path("artifacts/evals/report.md")
_SHOWN_FAILURES = 25


def register(app: typer.Typer) -> None:
    """Add `eval`."""
    app.command("eval")(evaluate)


def evaluate(
    cases: Annotated[
        list[Path] | None,
        typer.Option(
            "--cases",
            help="Case file (JSON Lines); repeat for several. Default: every evals/cases/*.jsonl.",
        ),
    ] = None,
    model: Annotated[
        str, typer.Option("--model", help="offline (default) or openai (the configured model).")
    ] = "offline",
    repeat: Annotated[
        int, typer.Option("--repeat", min=1, help="Runs per case; pass^k needs all to pass.")
    ] = 1,
    report: Annotated[
        Path, typer.Option("--report", help="Where to write the Markdown report.")
    ] = DEFAULT_REPORT,
    as_json: JsonOption = False,
) -> None:
    """Run the agent over evaluation cases and print tool-selection, argument, faithfulness and
    refusal scores, pass^k and latency, with every failure; also writes a Markdown report."""
    from evals.report import payload, write_report
    from evals.run import EvalConfigError, resolve_model, run_cases
    from evals.schema import CaseFileError, load_cases

    try:
        resolve_model(model)
        loaded = load_cases(cases)
    except (CaseFileError, EvalConfigError) as exc:
        raise fail(escape(str(exc)), code=2) from None
    with progress_bar("Evaluating cases", total=len(loaded) * repeat, quiet=as_json) as advance:
        run = run_cases(loaded, model=model, repeat=repeat, progress=advance)
    path = write_report(run, report)
    if as_json:
        emit_json(payload(run, path))
        return
    _print(run, path)


def _print(run: EvalRun, report: Path) -> None:
    from evals.report import METRIC_KEYS, failures

    console = Console()
    table = Table(title=f"Evaluation · {run.model} · repeat {run.summary['repeat']}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key in ("n_cases", "n_turns", *METRIC_KEYS, "n_errors", "faithfulness_disagreements"):
        value = run.summary.get(key)
        table.add_row(key, "n/a" if value is None else str(value))
    console.print(table)
    failed = failures(run)
    for item in failed[:_SHOWN_FAILURES]:
        console.print(
            f"[red]FAIL[/red] {item['case']} turn {item['turn']} (repeat {item['repeat']}): "
            f"{item['question']!r}\n  called: "
            f"{', '.join(c['name'] for c in item['tool_calls']) or 'no tools'}\n  "
            + "\n  ".join(item["problems"]),
            highlight=False,
        )
    if len(failed) > _SHOWN_FAILURES:
        console.print(f"… and {len(failed) - _SHOWN_FAILURES} more failed turns in the report.")
    console.print(f"Report: {report}")


__all__ = ["evaluate", "register"]
