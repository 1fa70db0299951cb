"""Leakage commands: `revrisk detect`, `revrisk model train|evaluate`, `revrisk score`.

Heavy modules (pandas, LightGBM, the services) are imported inside the commands.

`revrisk score` exit codes, as `revrisk import`'s: 0 scored; 2 the input was refused (the
report names file, row, column and value of every problem) or an option is invalid; 1 any
other failure. `revrisk detect`: 2 for an unknown --type, a bad --month or no warehouse at
--db (nothing is created). Text from the input (file names, cells, warnings) is never read as
rich markup.
"""

from __future__ import annotations

import resource
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cli.common import (
    DbOption,
    JsonOption,
    default_db,
    emit_json,
    existing_warehouse,
    fail,
    month_option,
    progress_bar,
    refused_file,
)

err = Console(stderr=True)
out = Console()

ModelDirOption = Annotated[
    Path | None,
    typer.Option("--model-dir", help="Model folder (default: <var dir>/models/leakage)."),
]
BIG_INPUT_BYTES = 20_000_000
"""Inputs above this size get a progress bar."""


def register(app: typer.Typer) -> None:
    """Add `detect`, `model train|evaluate` and `score`."""
    app.command("detect")(detect)
    model_app = typer.Typer(help="Train and evaluate the leakage model.", no_args_is_help=True)
    model_app.command("train")(model_train)
    model_app.command("evaluate")(model_evaluate)
    app.add_typer(model_app, name="model")
    app.command("score")(score)


def _model_dir(model_dir: Path | None, db: Path | None) -> Path:
    from services.leakage import model_dir_for

    return model_dir or model_dir_for(db or default_db())


def peak_memory_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM belongs to the running program;
    `ru_maxrss` would also count what a parent held before exec (it survives exec)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def detect(
    db: DbOption = None,
    leakage_type: Annotated[
        str | None, typer.Option("--type", help="Only this leakage type.")
    ] = None,
    evaluate: Annotated[
        bool, typer.Option("--evaluate", help="Compare with the synthetic ground truth.")
    ] = False,
    month: Annotated[
        str | None, typer.Option(help="Only this month, YYYY-MM.", callback=month_option)
    ] = None,
    top: Annotated[int, typer.Option(help="Findings to list, largest first.", min=1)] = 10,
    as_json: JsonOption = False,
) -> None:
    """Find leakage in the billing records: each type, exact amount, with evidence."""
    from services.leakage import service as leakage

    path = existing_warehouse(db)
    try:
        if evaluate:
            report = leakage.evaluate_detectors(path, leakage_type)
        else:
            found = leakage.run_detectors(path, leakage_type, month=month, top_n=top)
    except ValueError as error:  # an unknown type, a month outside the data, no ground truth
        raise fail(str(error), 2) from None
    if evaluate:
        _show_evaluation(report, as_json)
        return
    if as_json:
        emit_json(
            {
                "summary": found.summary,
                "findings": found.table.drop(columns="evidence_json").to_dict(orient="records"),
            }
        )
        return
    summary = found.summary
    err.print(
        f"{summary['n_findings']:,} findings, {summary['n_accounts']:,} accounts, "
        f"{summary['total_amount']:,.2f} in total; latest month {summary['latest_month']}: "
        f"{summary['latest_month_amount']:,.2f}"
    )
    if summary.get("not_checked"):
        err.print(escape(summary["not_checked"]))
    table = Table(title="Largest findings")
    for column in ("account_id", "leakage_type", "month", "amount", "evidence"):
        table.add_column(column, justify="right" if column == "amount" else "left")
    for row in found.table.itertuples():
        table.add_row(  # cells from data: escaped, never read as markup
            escape(str(row.account_id)),
            escape(str(row.leakage_type)),
            str(row.month)[:7],
            f"{float(row.amount):,.2f}",  # type: ignore[arg-type]
            escape(str(row.evidence)),
        )
    out.print(table)


def _show_evaluation(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(report)
        return
    table = Table(title="Detectors vs ground truth")
    for column in ("type", "detected", "true", "precision", "recall", "amount error (mean / max)"):
        table.add_column(column)
    for kind, s in report["per_type"].items():
        table.add_row(
            kind,
            f"{s['n_detected']:,}",
            f"{s['n_true']:,}",
            f"{s['precision']:.4f}",
            f"{s['recall']:.4f}",
            f"{s['amount_error']:.2f} / {s['max_amount_error']:.2f}",
        )
    out.print(table)


def model_train(
    db: DbOption = None,
    data: Annotated[
        Path | None, typer.Option(help="Train on a reference-format file with has_leakage.")
    ] = None,
    model_dir: ModelDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Train, evaluate on held-out months and save a versioned model (both feature sets)."""
    from services.leakage import train_file_model, train_warehouse_models

    folder = _model_dir(model_dir, db)
    try:
        with progress_bar("Training", total=1, quiet=as_json) as advance:
            saved = (
                {"reference": train_file_model(data, folder)}
                if data
                else train_warehouse_models(db or default_db(), folder)
            )
            advance(1, 1)
    except (ValueError, FileNotFoundError) as error:
        raise fail(str(error)) from None
    report = {
        fs: {
            "version": s.version,
            "path": str(s.path),
            "signal": s.signal,
            **{
                k: s.manifest["model_card"].get(k)
                for k in ("roc_auc", "roc_auc_ci", "ece", "brier")
            },
        }
        for fs, s in saved.items()
    }
    if as_json:
        emit_json(report)
        return
    for fs, r in report.items():
        colour = "green" if r["signal"] else "red"
        err.print(
            f"[{colour}]{fs}[/{colour}] model {r['version']}: ROC-AUC {r['roc_auc']:.3f} "
            f"(95 % CI {r['roc_auc_ci'][0]:.3f}-{r['roc_auc_ci'][1]:.3f}), ECE {r['ece']:.4f}, "
            f"signal {r['signal']} -> {escape(str(r['path']))}"
        )


def model_evaluate(
    data: Annotated[
        Path | None, typer.Option(help="Reference-format file with has_leakage (random split).")
    ] = None,
    synthetic: Annotated[
        int | None, typer.Option(help="Simulate a world of N accounts and evaluate on it.", min=200)
    ] = None,
    db: DbOption = None,
    seed: Annotated[int, typer.Option(help="World seed for --synthetic.")] = 7,
    as_json: JsonOption = False,
) -> None:
    """Model card: ROC-AUC with bootstrap 95 % CI, PR-AUC, Brier, ECE, thresholds, amounts,
    baselines, Bayes ROC-AUC (synthetic) and whether there is any signal."""
    from services.leakage import evaluate_file, evaluate_synthetic, evaluate_warehouse

    if data is not None and synthetic is not None:
        raise fail("give either --data or --synthetic, not both")
    try:
        with progress_bar("Evaluating", total=1, quiet=as_json) as advance:
            if data is not None:
                card = evaluate_file(data)
            elif synthetic is not None:
                card = evaluate_synthetic(synthetic, seed=seed)
            else:
                card = evaluate_warehouse(db or default_db())
            advance(1, 1)
    except (ValueError, FileNotFoundError) as error:
        raise fail(str(error)) from None
    card["peak_memory_mb"] = peak_memory_mb()
    if as_json:
        emit_json(card)
        return
    _print_card(card)


def _print_card(card: dict[str, Any]) -> None:
    table = Table(title=f"Model card ({card.get('feature_set')} features)")
    table.add_column("model")
    for column in ("ROC-AUC [95 % CI]", "PR-AUC", "Brier", "ECE", "P / R / F1 @ thr"):
        table.add_column(column, justify="right")
    rows = {"leakage model": card, **card.get("baselines", {})}
    for name, m in rows.items():
        table.add_row(
            name,
            f"{m['roc_auc']:.3f} [{m['roc_auc_ci'][0]:.3f}, {m['roc_auc_ci'][1]:.3f}]",
            f"{m['pr_auc']:.3f}",
            f"{m['brier']:.4f}",
            f"{m['ece']:.4f}",
            f"{m['precision']:.2f} / {m['recall']:.2f} / {m['f1']:.2f} @ {m['threshold']:.2f}",
        )
    out.print(table)
    if "bayes_roc_auc" in card:
        out.print(
            f"Bayes ROC-AUC {card['bayes_roc_auc']:.3f}; "
            f"the model reaches {card['auc_to_bayes']:.1%} of it."
        )
    style = "green" if card["signal"] else "bold red"
    out.print(
        f"[{style}]signal: {card['signal']}[/{style}]"
        + (
            ""
            if card["signal"]
            else " (the AUC interval includes 0.5: no evidence the model beats chance)"
        )
    )


def score(
    input_path: Annotated[
        Path | None,
        typer.Argument(
            metavar="INPUT",
            help="Reference-format account file, or a directory/workbook of raw billing tables.",
        ),
    ] = None,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Output file: .csv, .xlsx or .parquet.")
    ] = Path("scores.csv"),
    db: DbOption = None,
    model_dir: ModelDirOption = None,
    high: Annotated[
        float, typer.Option("--high", help="Probability from which risk is High.", min=0, max=1)
    ] = 0.30,
    medium: Annotated[
        float, typer.Option("--medium", help="Probability from which risk is Medium.", min=0, max=1)
    ] = 0.10,
    as_json: JsonOption = False,
) -> None:
    """Batch scoring: probability, risk level, type, amounts, factors and an action per account.

    Risk levels: High from --high (default 0.30, about five times the ~6 % monthly base rate),
    Medium from --medium (default 0.10), Low below. A model that showed no signal in evaluation
    falls back to detected leakage and billing-rule evidence, with a warning."""
    from analytics.leakage.scoring import RiskThresholds
    from data.imports import ImportValidationError, ReadLimits
    from services.leakage import service as leakage
    from settings import get_settings

    try:
        thresholds = RiskThresholds(high=high, medium=medium)
    except ValueError as error:
        raise fail(str(error), code=2) from None
    folder = _model_dir(model_dir, db)
    had_model = folder.is_dir() and any(folder.iterdir())
    warehouse = db or default_db()
    big = (
        input_path is not None
        and input_path.is_file()
        and input_path.stat().st_size > BIG_INPUT_BYTES
    )
    try:
        with progress_bar("Scoring", total=3, quiet=as_json or not big) as advance:
            if input_path is None:
                result = leakage.export_scores(warehouse, output, folder, thresholds)
            else:
                result = leakage.score_file(
                    warehouse if warehouse.exists() else None,
                    input_path,
                    model_dir=folder,
                    output_path=output,
                    thresholds=thresholds,
                    progress=advance,
                    limits=ReadLimits(max_mb=get_settings().max_import_mb),
                )
    except ImportValidationError as error:
        if as_json:
            raise refused_file(error.report, as_json) from None
        typer.echo(error.report.render(purpose="score"), err=True)  # scoring words, not import's
        raise typer.Exit(2) from None
    except (ValueError, FileNotFoundError) as error:
        raise fail(str(error), code=2) from None
    except RuntimeError as error:
        raise fail(str(error)) from None
    summary = result.summary | {
        "output": [str(p) for p in result.outputs],
        "peak_memory_mb": peak_memory_mb(),
    }
    if result.warning:
        err.print(f"[bold red]WARNING:[/bold red] {escape(result.warning)}")
    if as_json:
        emit_json(summary)
        return
    levels = summary["risk_levels"]
    err.print(
        f"[green]Scored[/green] {summary['n_accounts']:,} accounts in {summary['seconds']} s "
        f"-> {escape(', '.join(summary['output']))}: High {levels['High']:,}, "
        f"Medium {levels['Medium']:,}, Low {levels['Low']:,}; "
        f"expected loss {summary['total_expected_monthly_loss']:,.2f}/month."
    )
    err.print(escape(_model_used(summary, folder, had_model)))


def _model_used(summary: dict[str, Any], folder: Path, had_model: bool) -> str:
    """Which model scored: the same file scores differently under another model, so the
    output says which one, and that it was trained just now when the folder had none."""
    trained_on = summary.get("model_trained_on")
    about = f"model {summary.get('model_version') or '?'}"
    if trained_on:
        about += f", trained on {trained_on}"
    if not had_model:
        return f"No model was in {folder}: trained one now ({about})."
    return f"Scored with the {about}, from {folder}."


__all__ = ["detect", "model_evaluate", "model_train", "peak_memory_mb", "register", "score"]
