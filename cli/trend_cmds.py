"""`revrisk trends` and `revrisk segments`: per-customer trend flags and behavioural segments.

Both read the warehouse's trend cache (refreshed when the data changed) unless told to scan a
file (`--input`, read with the importer's reader and checks) or a cut of history (`--until`),
which are computed in memory.

Exit codes: 0 done; 2 bad input (an option, an unknown customer, a month outside the data, a
refused or missing input file, no warehouse at --db: nothing is created then), with a typed
message; 1 any other failure.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cli import common

if TYPE_CHECKING:
    import pandas as pd

    from analytics.trends import DeclineOutcome
    from services.trends import SegmentOverview

err = Console(stderr=True)
InputOption = Annotated[
    Path | None,
    typer.Option(
        "--input",
        help="Revenue file instead of the warehouse: pivot (id + 'YYYY-MM' "
        "columns) or long (customer, month, revenue); .csv, .xlsx or .parquet.",
    ),
]


def register(app: typer.Typer) -> None:
    """Add `trends` and `segments`."""
    app.command("trends")(trends)
    app.command("segments")(segments)


def _source(db: Path | None, input_file: Path | None) -> Path:
    if db is not None and input_file is not None:
        raise common.fail("use either --db or --input, not both", 2)
    return input_file if input_file is not None else common.existing_warehouse(db)


def _metrics(
    db: Path | None,
    input_file: Path | None,
    until: str | None,
    quiet: bool,
    outcome: DeclineOutcome | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Per-customer metrics (index customer_id) and a description of where they came from.

    `outcome` (a non-default decline definition) applies to in-memory scans only: the cache
    keeps the default one."""
    from data.warehouse import connect
    from services.trends import scan as trend_scan
    from services.trends import store as trend_store

    source = _source(db, input_file)
    with common.progress_bar("Scanning revenue trends", total=0, quiet=quiet) as advance:
        if input_file is not None or until is not None:
            scan = trend_scan.scan_file if input_file is not None else trend_scan.scan_warehouse
            result = scan(source, until=until, outcome=outcome, progress=advance)
            months = result.scan.months
            partial = result.scan.partial_month
            return result.metrics, {
                **result.forecast_info(),
                "source": str(source),
                "cached": False,
                "first_month": str(months[0]),
                "last_month": str(months[-1]),
                "partial_month": None if partial is None else str(partial),
            }
        status = trend_scan.refresh_trend_cache(source, progress=advance)
    with connect(source, read_only=True) as con:
        metrics = trend_store.read_metrics(con)
    info = status.info
    return metrics, {
        "source": str(source),
        "cached": True,
        "refreshed": status.refreshed,
        **{k: info.get(k) for k in ("first_month", "last_month", "partial_month")},
        "decline_verdict": info.get("decline_verdict", "forecast"),
    }


def _counts(series: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in series.value_counts(dropna=False).sort_index().items()}


def _summary(metrics: pd.DataFrame, origin: dict[str, Any]) -> dict[str, Any]:
    from services.trends import find_declining_in, level_labels

    levels = metrics["decline_level"].astype("Int64").astype("string").fillna("not judged")
    return {
        **origin,
        "n_customers": len(metrics),
        "status_counts": _counts(metrics["status"]),
        "decline_level_counts": _counts(levels),
        "n_segments": int(metrics["segment_id"].nunique()),
        "decline_verdict": origin.get("decline_verdict", "forecast"),
        "top_declining": find_declining_in(metrics, top_n=10, labels=level_labels(origin)).to_dict(
            "records"
        ),
    }


def trends(
    db: common.DbOption = None,
    input_file: InputOption = None,
    customer: Annotated[
        str | None, typer.Option("--customer", help="One customer's detail.")
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            help="Use only months up to this one (YYYY-MM).",
            callback=common.month_option,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Write the per-customer table (.csv, .xlsx or .parquet)."
        ),
    ] = None,
    evaluate: Annotated[
        bool,
        typer.Option(
            "--evaluate",
            help="Score decline and anomaly detection against the synthetic world's ground truth.",
        ),
    ] = False,
    backtest: Annotated[
        bool,
        typer.Option(
            "--backtest",
            help="With --input: the decline forecast fitted on months <= T against the "
            "outcome after T, for the last 3 cut-offs, beside simple baselines.",
        ),
    ] = False,
    outcome: Annotated[
        str,
        typer.Option(
            "--outcome",
            help="What counts as decline: half_of_baseline (mean of the next months below "
            "half the baseline mean), below_baseline, or no_revenue.",
        ),
    ] = "half_of_baseline",
    horizon: Annotated[
        int, typer.Option("--horizon", min=1, max=12, help="Months after the cut-off.")
    ] = 3,
    baseline_months: Annotated[
        int,
        typer.Option("--baseline-months", min=1, max=24, help="Months whose mean is the baseline."),
    ] = 6,
    as_json: common.JsonOption = False,
) -> None:
    """Per-customer decline forecast (decline_probability, its level 0-3, drivers) and the
    revenue trend that explains it: Theil–Sen slope, significance, anomalies."""
    from analytics.trends import DeclineOutcome
    from data.imports import ImportValidationError
    from services.trends import UnknownCustomerError

    try:
        if evaluate:
            _evaluate(db, input_file, until, as_json)
            return
        if backtest:
            _backtest(input_file, outcome, horizon, baseline_months, as_json)
            return
        definition = DeclineOutcome.named(outcome, horizon, baseline_months)
        if definition != DeclineOutcome() and input_file is None and until is None:
            raise ValueError(
                "--outcome/--horizon/--baseline-months change the forecast of an in-memory scan: "
                "add --input FILE or --until YYYY-MM (the cache keeps the default definition)"
            )
        metrics, origin = _metrics(db, input_file, until, as_json, definition)
        if customer is not None:
            _show_customer(metrics, origin, customer, as_json)
            return
        if output is not None:
            from services.trends import output_table, write_output

            written = write_output(output_table(metrics), output)
            origin["output"] = str(written)
            err.print(f"Wrote {len(metrics):,} customers to {written}")
        summary = _summary(metrics, origin)
    except ImportValidationError as error:
        raise common.refused_file(error.report, as_json) from None
    except (ValueError, FileNotFoundError, UnknownCustomerError) as exc:
        raise common.fail(str(exc), 2) from None
    if as_json:
        common.emit_json(summary)
    else:
        _print_summary(summary)


def _evaluate(db: Path | None, input_file: Path | None, until: str | None, as_json: bool) -> None:
    from services.trends import OutdatedTruthError, evaluate_trends, refresh_trend_cache

    if input_file is not None or until is not None:
        raise common.fail(
            "--evaluate scores the warehouse's synthetic world: drop --input/--until", 2
        )
    path = common.existing_warehouse(db)
    with common.progress_bar("Scanning revenue trends", total=0, quiet=as_json) as advance:
        refresh_trend_cache(path, progress=advance)
    try:
        scores = evaluate_trends(path)
    except OutdatedTruthError as error:
        raise common.fail(str(error), 2) from None
    if as_json:
        common.emit_json(scores)
        return
    table = Table(title=f"Trend detection against ground truth ({scores['n_accounts']:,} accounts)")
    for column in ("task", "precision", "recall", "f1"):
        table.add_column(column, justify="right" if column != "task" else "left")
    for task in ("decline", "anomaly"):
        row = scores[task]
        table.add_row(task, *(f"{row[k]:.3f}" for k in ("precision", "recall", "f1")))
    Console().print(table)
    forward = scores.get("forward")
    if forward:
        low, high = forward["forward_auc_ci"]
        onset = forward["onset_only"]
        Console().print(
            f"Forecast forward AUC {forward['forward_auc']:.3f} [{low:.3f}, {high:.3f}] against "
            f"the near-Bayes AUC {forward['bayes_auc']:.3f} (ratio {forward['ratio']:.3f}), "
            f"cut-offs {', '.join(forward['cutoffs'])}, {forward['n_declined']} halvings; "
            f"onsets alone ({onset['n_declined']}): {onset['forward_auc']:.3f} against the "
            f"hazard's {onset['bayes_auc']:.3f}"
        )


def _backtest(
    input_file: Path | None, outcome: str, horizon: int, baseline_months: int, as_json: bool
) -> None:
    from analytics.trends import DeclineOutcome
    from services.trends import backtest_file

    if input_file is None:
        raise common.fail("--backtest needs a revenue history: --input FILE", 2)
    definition = DeclineOutcome.named(outcome, horizon, baseline_months)
    with common.progress_bar("Backtesting the decline forecast", total=0, quiet=as_json):
        result = backtest_file(input_file, definition)
    if as_json:
        common.emit_json(result)
        return
    out = Console()
    if result["warning"]:
        out.print(f"[bold]{result['warning']}[/bold]")
    dropped = result["partial_month_dropped"]
    out.print(
        f"Outcome: {result['outcome']}. Held-out cut-offs {', '.join(result['cutoffs'])}"
        + (f" (partial {dropped} dropped)" if dropped else "")
    )
    table = Table(title="decline_probability against baselines (95% customer-cluster bootstrap)")
    for column in (
        "cut-off",
        "n",
        "base rate",
        "scorer",
        "AUC [CI]",
        "top 10%",
        "Brier",
        "ECE",
        "AUC diff to forecast [CI]",
    ):
        table.add_column(column, justify="right")
    for label, summary in [*result["per_cutoff"].items(), ("overall", result["overall"])]:
        for row in _backtest_rows(summary):
            n = f"{summary['n_rows']:,}" + (" (too few)" if summary["too_small"] else "")
            table.add_row(label, n, f"{summary['base_rate']:.3f}", *row)
    out.print(table)


def _backtest_rows(summary: dict[str, Any]) -> list[list[str]]:
    forecast = summary["decline_probability"]
    rows = [
        [
            "decline_probability",
            _auc_text(forecast),
            f"{forecast['top10_precision']:.3f}",
            f"{forecast['brier']:.3f}",
            f"{forecast['ece']:.3f}",
            "",
        ]
    ]
    for name in ("active_months", "recent_ratio", "seed_stl"):
        base = summary[name]
        low, high = base["auc_difference_ci"]
        rows.append(
            [
                name,
                _auc_text(base),
                f"{base['top10_precision']:.3f}",
                "",
                "",
                f"{base['auc_difference']:+.3f} [{low:+.3f}, {high:+.3f}]",
            ]
        )
    return rows


def _auc_text(metrics: dict[str, Any]) -> str:
    low, high = metrics["auc_ci"]
    return f"{metrics['auc']:.3f} [{low:.3f}, {high:.3f}]"


def _show_customer(
    metrics: pd.DataFrame, origin: dict[str, Any], customer: str, as_json: bool
) -> None:
    from services.trends import customer_trend, level_labels, record_of

    if origin["cached"]:
        detail = customer_trend(origin["source"], customer)
        record, series = detail.metrics, detail.series
    else:
        record = record_of(metrics, customer, level_labels(origin))
        series = None
    if as_json:
        payload: dict[str, Any] = {**origin, "customer": record}
        if series is not None:
            payload["series"] = series.reset_index().to_dict("records")
        common.emit_json(payload)
        return
    table = Table(title=f"Customer {customer}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in record.items():
        table.add_row(key, f"{value:.4g}" if isinstance(value, float) else str(value))
    Console().print(table)


def _print_summary(summary: dict[str, Any]) -> None:
    out = Console()
    out.print(
        f"[bold]{summary['n_customers']:,} customers[/bold] from {summary['source']} "
        f"({summary.get('first_month')} to {summary.get('last_month')}"
        + (f", partial {summary['partial_month']} excluded" if summary.get("partial_month") else "")
        + ")"
    )
    for title, counts in (
        ("Status", summary["status_counts"]),
        ("Decline level", summary["decline_level_counts"]),
    ):
        table = Table(title=title)
        table.add_column(title.lower())
        table.add_column("customers", justify="right")
        for key, value in counts.items():
            table.add_row(key, f"{value:,}")
        out.print(table)
    top = Table(title="Most likely to decline (decline_probability, then largest revenue)")
    for column in (
        "customer_id",
        "decline_probability",
        "decline_level",
        "top drivers",
        "relative_slope",
        "revenue_mean",
    ):
        top.add_column(column)
    for row in summary["top_declining"]:
        top.add_row(
            str(row["customer_id"]),
            f"{row['decline_probability']:.2f}",
            str(row["decline_level"]),
            str(row["decline_drivers"]),
            f"{row['relative_slope']:.1f} %/mo",
            f"{row['revenue_mean']:,.0f}",
        )
    out.print(top)


def segments(
    db: common.DbOption = None,
    input_file: InputOption = None,
    k: Annotated[
        int | None,
        typer.Option(
            "--k", min=2, max=20, help="Number of segments (default: best silhouette in 2-8)."
        ),
    ] = None,
    as_json: common.JsonOption = False,
) -> None:
    """Behavioural segments (KMeans on trend metrics): k, silhouette, stability, named profiles."""
    from data.imports import ImportValidationError

    try:
        overview = _overview(db, input_file, k, as_json)
    except ImportValidationError as error:
        raise common.refused_file(error.report, as_json) from None
    except (ValueError, FileNotFoundError) as exc:
        raise common.fail(str(exc), 2) from None
    payload = _segments_payload(overview)
    if as_json:
        common.emit_json(payload)
        return
    out = Console()
    out.print(
        f"k = {payload['k']}, silhouette {payload['silhouette']:.3f}, "
        f"stability (ARI across seeds) {payload['stability_ari']:.3f}"
    )
    table = Table(title="Segments (0 = largest mean revenue)")
    for column in ("id", "name", "customers", "mean revenue", "rel. slope %/mo", "declining"):
        table.add_column(column)
    for seg in payload["segments"]:
        table.add_row(
            str(seg["segment_id"]),
            seg["name"],
            f"{seg['n_customers']:,}",
            f"{seg['mean_revenue']:,.0f}",
            f"{seg['profile']['relative_slope']:.2f}",
            f"{seg['share_declining']:.0%}",
        )
    out.print(table)


def _overview(
    db: Path | None, input_file: Path | None, k: int | None, quiet: bool
) -> SegmentOverview:
    from services.trends import scan as trend_scan
    from services.trends import service as trends

    source = _source(db, input_file)
    if input_file is None and k is None:
        with common.progress_bar("Scanning revenue trends", total=0, quiet=quiet) as advance:
            trend_scan.refresh_trend_cache(source, progress=advance)
        return trends.list_segments(source)
    scan = trend_scan.scan_file if input_file is not None else trend_scan.scan_warehouse
    with common.progress_bar("Scanning revenue trends", total=0, quiet=quiet) as advance:
        result = scan(source, k=k, progress=advance)
    return trends.segment_overview(result)


def _segments_payload(overview: SegmentOverview) -> dict[str, Any]:
    from analytics.segments import FEATURES

    rows = []
    for seg in overview.segments.to_dict("records"):
        rows.append(
            {
                "segment_id": int(seg["segment_id"]),
                "name": seg["label"],
                "n_customers": int(seg["n_customers"]),
                "share": seg["share"],
                "mean_revenue": seg["revenue_mean"],
                "share_declining": seg["share_declining"],
                "profile": {f: seg[f] for f in FEATURES},
                "z_profile": {f: seg[f"z_{f}"] for f in FEATURES},
            }
        )
    return {
        "k": overview.k,
        "silhouette": overview.silhouette,
        "silhouette_by_k": overview.silhouette_by_k,
        "stability_ari": overview.stability_ari,
        "segments": rows,
    }
