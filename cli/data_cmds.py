"""Warehouse commands: `revrisk demo` builds the synthetic world, `revrisk info` describes one."""

from __future__ import annotations

import os
import resource
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cli.common import (
    DbOption,
    JsonOption,
    RefreshOption,
    default_db,
    emit_json,
    existing_warehouse,
    fail,
    progress_bar,
    refresh_derived_caches,
)

err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    """Add `demo` and `info`."""
    app.command("demo")(demo)
    app.command("info")(info)
    app.command("refresh")(refresh_caches_cmd)


_OTHER_OUTPUTS = "Instead of a warehouse: Stripe objects or a partitioned book"
"""`revrisk demo --help` shows the options of its two other outputs apart from the warehouse's:
eleven options of three modes in one list did not say which went together."""


def demo(
    accounts: Annotated[int, typer.Option(help="Number of accounts.", min=1)] = 2000,
    months: Annotated[int, typer.Option(help="Months of history.", min=3, max=120)] = 24,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same world.")] = 7,
    end_month: Annotated[str, typer.Option(help="Last complete month, YYYY-MM.")] = "2026-10",
    db: DbOption = None,
    if_missing: Annotated[
        bool, typer.Option("--if-missing", help="Do nothing when the warehouse already exists.")
    ] = False,
    refresh: RefreshOption = True,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="duckdb: a warehouse (--db); stripe: a folder of Stripe objects (--out) that "
            "`revrisk import --from stripe` reads.",
            rich_help_panel=_OTHER_OUTPUTS,
        ),
    ] = "duckdb",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for --format stripe, or of the --partitions book.",
            rich_help_panel=_OTHER_OUTPUTS,
        ),
    ] = None,
    engagement: Annotated[
        bool,
        typer.Option(
            "--engagement",
            help="--format stripe: also write meters for logins, support tickets, feature "
            "adoption and last login (Stripe holds only billable usage; the leakage model needs "
            "them to score).",
            rich_help_panel=_OTHER_OUTPUTS,
        ),
    ] = False,
    partitions: Annotated[
        int | None,
        typer.Option(
            "--partitions",
            help="Write a book of Parquet files hash-partitioned by account (needs --out).",
            min=1,
            rich_help_panel=_OTHER_OUTPUTS,
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            help="Processes generating a partitioned book.", min=1, rich_help_panel=_OTHER_OUTPUTS
        ),
    ] = 2,
    as_json: JsonOption = False,
) -> None:
    """Build the synthetic billing world (with ground truth) into a fresh warehouse.

    The file is written beside the target and moved into place only when complete, so an
    existing warehouse is never left half-replaced. With --format stripe the world is written as Stripe API objects (JSON Lines) into --out instead. With --partitions P --out DIR the same world (same seed, same rows) is written as a book of Parquet files hash-partitioned by account, generator chunk by chunk, so memory stays bounded at any size (then `revrisk run`).
    """  # noqa: E501 (typer shows docstring lines as they are)
    from data.build import build_demo_warehouse
    from data.synth import WorldConfig

    if output_format not in ("duckdb", "stripe"):
        raise typer.BadParameter(f"--format is duckdb or stripe, got {output_format!r}")
    if output_format == "stripe":
        _demo_stripe(out, accounts, months, seed, end_month, engagement, as_json)
        return
    if partitions is not None:
        _demo_partitioned(
            accounts, months, seed, _month(end_month), partitions, out, workers, as_json
        )
        return
    path = db or default_db()
    if if_missing and path.exists():
        err.print(f"Warehouse {path} exists; leaving its data as it is.")
        from services.refresh import caches_are_current

        if refresh and not caches_are_current(path):  # an upgrade changed a method, or data
            err.print("Its figures predate its data or this version's methods: recomputing.")
            refresh_derived_caches(path, quiet=as_json)
        return
    end = _month(end_month)
    from data.warehouse import writer_lock

    started = time.perf_counter()
    with writer_lock(path):  # readers wait or answer "being updated" until the caches exist
        with progress_bar("Simulating accounts", total=accounts, quiet=as_json) as advance:
            world = WorldConfig(accounts, months, seed, end)
            report = build_demo_warehouse(path, world, progress=advance)
        report["build_seconds"] = round(time.perf_counter() - started, 2)
        if refresh:
            report["refresh"] = refresh_derived_caches(path, quiet=as_json)
    report["seconds"] = round(time.perf_counter() - started, 2)
    report["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    report["file_size_mb"] = round(os.path.getsize(path) / 1e6, 1)
    if as_json:
        emit_json(report)
        return
    err.print(
        f"[green]Built[/green] {path}: {accounts:,} accounts x {months} months (seed {seed}) in "
        f"{report['seconds']} s, {report['file_size_mb']} MB."
    )
    _print_coverage(report["leakage_accounts_pct"])


def refresh_caches_cmd(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Recompute the warehouse's leakage and trend caches (readers keep answering from the
    previous ones meanwhile)."""
    from data.warehouse import writer_lock

    path = existing_warehouse(db)
    with writer_lock(path):
        report = refresh_derived_caches(path, quiet=as_json)
    if as_json:
        emit_json(report)
        return
    err.print(f"Caches refreshed in {report.get('seconds', '?')} s.")


def _demo_stripe(
    out: Path | None,
    accounts: int,
    months: int,
    seed: int,
    end_month: str,
    engagement: bool,
    as_json: bool,
) -> None:
    from data.build import build_demo_stripe
    from data.synth import WorldConfig

    if out is None:
        raise typer.BadParameter("--format stripe needs --out DIR")
    started = time.perf_counter()
    with progress_bar("Simulating accounts", total=accounts, quiet=as_json) as advance:
        world = WorldConfig(accounts, months, seed, _month(end_month))
        report = build_demo_stripe(out, world, advance, engagement=engagement)
    report["seconds"] = round(time.perf_counter() - started, 2)
    if as_json:
        emit_json(report)
        return
    objects = sum(report["objects"].values())
    err.print(
        f"[green]Wrote[/green] {out}: {accounts:,} accounts x {months} months (seed {seed}) as "
        f"{objects:,} Stripe objects in {report['seconds']} s."
    )


def _month(text: str) -> date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise typer.BadParameter(f"--end-month must look like 2026-10, got {text!r}") from None


def _demo_partitioned(
    accounts: int,
    months: int,
    seed: int,
    end: date,
    partitions: int,
    out: Path | None,
    workers: int,
    as_json: bool,
) -> None:
    from cli.partition_cmds import TreeMemory, peak_memory
    from data.partitioned import build_partitioned_world
    from data.synth import WorldConfig

    if out is None:
        raise fail("--partitions needs --out DIR, the folder of the partitioned book", code=2)
    config = WorldConfig(n_accounts=accounts, n_months=months, seed=seed, end_month=end)
    started = time.perf_counter()
    with (
        TreeMemory() as tree,
        progress_bar("Simulating accounts", total=accounts, quiet=as_json) as advance,
    ):
        book = build_partitioned_world(out, config, partitions, workers, progress=advance)
    size = sum(f.stat().st_size for f in book.root.rglob("*.parquet"))
    report = {
        "book": str(book.root),
        "accounts": accounts,
        "months": months,
        "seed": seed,
        "partitions": partitions,
        "rows": book.manifest["rows"],
        "seconds": round(time.perf_counter() - started, 2),
        "size_mb": round(size / 1e6, 1),
        **peak_memory(tree),
    }
    if as_json:
        emit_json(report)
        return
    err.print(
        f"[green]Built[/green] {book.root}: {accounts:,} accounts x {months} months (seed {seed}) "
        f"in {partitions} partitions in {report['seconds']} s, {report['size_mb']} MB; peak "
        f"memory {report['peak_rss_mb_all_processes']} MB over all processes."
    )


def info(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Tables of the warehouse with their row counts, and what the data covers."""
    from data.build import describe_warehouse
    from data.warehouse import WarehouseMissingError

    path = db or default_db()
    try:
        description = describe_warehouse(path)
    except WarehouseMissingError as exc:  # a missing input: exit 2, as every read command
        raise fail(str(exc), 2) from None
    if as_json:
        emit_json(description)
        return
    table = Table(title=f"Warehouse {path}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in description["tables"].items():
        table.add_row(name, f"{count:,}")
    Console().print(table)
    for key in ("source", "first_month", "last_month", "data_version", "built_at"):
        if description.get(key) is not None:
            Console().print(f"{key.replace('_', ' ')}: {description[key]}")


def _print_coverage(coverage: dict[str, Any]) -> None:
    table = Table(title="Injected leakage (share of accounts with at least one event)")
    table.add_column("type")
    table.add_column("% accounts", justify="right")
    for kind, pct in coverage.items():
        table.add_row(kind, f"{pct:.1f}")
    err.print(table)


__all__ = ["demo", "info", "register"]
