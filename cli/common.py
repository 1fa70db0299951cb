"""Options and output helpers shared by every `revrisk` command."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Protocol

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="Warehouse file (default: REVRISK_WAREHOUSE or the checkout's var/revrisk.duckdb).",
    ),
]
ResultsOption = Annotated[
    Path | None,
    typer.Option("--results", help="Results folder of `revrisk run` (instead of --db)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]


def results_catalog(results: Path) -> Path:
    """The warehouse file through which a `revrisk run` results folder is read."""
    from data.partitioned import RESULTS_CATALOG

    path = Path(results) / RESULTS_CATALOG
    if not path.exists():
        raise fail(f"no results at {results}: run `revrisk run --input BOOK --out {results}`", 2)
    return path


def default_db() -> Path:
    """The configured warehouse path."""
    from settings import get_settings

    return get_settings().warehouse_path


def existing_warehouse(db: Path | None) -> Path:
    """The warehouse a read command uses (`--db` or the configured one). A path with no
    warehouse ends the command with exit 2 (a missing input) and "No warehouse at …",
    creating nothing."""
    from data.warehouse import WarehouseMissingError, require_warehouse

    try:
        return require_warehouse(db or default_db())
    except WarehouseMissingError as error:
        raise fail(str(error), 2) from None


MONTH_FORMAT = "YYYY-MM, e.g. 2026-09"


def month_option(value: str | None) -> str | None:
    """Callback of an option that takes a month: 'YYYY-MM' (or 'YYYY-MM-01'), else exit 2
    with the accepted form.

    Examples:
        >>> month_option("2026-09"), month_option(None)
        ('2026-09', None)
        >>> try:
        ...     month_option("13-2026")
        ... except typer.BadParameter as error:
        ...     print(error)
        expected a month as YYYY-MM, e.g. 2026-09; got '13-2026'
    """
    if value is None:
        return None
    found = re.fullmatch(r"(\d{4})-(\d{2})(?:-01)?", value.strip())
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise typer.BadParameter(f"expected a month as {MONTH_FORMAT}; got {value!r}")
    return f"{found.group(1)}-{found.group(2)}"


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def to_json(payload: Any) -> str:
    """Strict JSON (NaN/inf become null) with dates, decimals and numpy values converted."""
    return json.dumps(_finite(json.loads(json.dumps(payload, default=_default))), indent=2)


def emit_json(payload: Any) -> None:
    """Print `payload` as JSON on stdout, nothing else."""
    typer.echo(to_json(payload))


@contextmanager
def progress_bar(
    label: str, total: int, quiet: bool = False
) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr; yields `advance(done, total)`. Silent when `quiet`."""
    if quiet:
        yield lambda done, total: None
        return
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    with progress:
        task = progress.add_task(label, total=total)
        yield lambda done, total: progress.update(task, completed=done, total=total)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error on stderr and return the Exit to raise. `message` is printed as it is:
    file names, cell values and error text may hold `[...]`, never read as rich markup."""
    Console(stderr=True).print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(code)


class Report(Protocol):
    """What an import or a refusal reports: a JSON-able dict and plain text."""

    def to_dict(self) -> dict[str, Any]: ...

    def render(self) -> str: ...


def refused_file(report: Report, as_json: bool) -> typer.Exit:
    """Print why a file was refused (JSON on stdout with --json, else plain text on stderr)
    and return the Exit (code 2) to raise. The text is printed as it is, never as markup."""
    if as_json:
        emit_json(report.to_dict())
    else:
        typer.echo(report.render(), err=True)
    return typer.Exit(2)


RefreshOption = Annotated[
    bool,
    typer.Option(
        "--refresh/--no-refresh",
        help="Rebuild the leakage and trend caches afterwards (else run `revrisk refresh`).",
    ),
]


def refresh_derived_caches(db_path: Path, quiet: bool) -> dict[str, Any]:
    """Refresh the warehouse's caches after its data changed, with a progress bar.

    The data change is already committed, so a refresh that fails is reported as a warning
    (readers answer from the previous caches until `revrisk refresh` succeeds) rather than
    as a failed command.
    """
    from rich.markup import escape

    from services.refresh import STEPS, PartialRefreshError, refresh_caches

    try:
        with progress_bar("Refreshing caches", total=STEPS, quiet=quiet) as advance:
            return refresh_caches(db_path, progress=advance)
    except PartialRefreshError as exc:  # the data allows no more: refreshing again won't help
        Console(stderr=True).print(f"[yellow]warning:[/yellow] {escape(str(exc))}.")
        return {"error": str(exc)}
    except ValueError as exc:  # the data allows no trends yet (too few months, …): said in words
        Console(stderr=True).print(
            f"[yellow]warning:[/yellow] caches not refreshed: {escape(str(exc))}."
        )
        return {"error": str(exc)}
    except Exception:  # reported, never fatal: the import/build itself succeeded
        reason = "an internal error stopped the refresh; the data you stored is not affected"
        Console(stderr=True).print(
            f"[yellow]warning:[/yellow] caches not refreshed ({reason}); run `revrisk refresh`."
        )
        return {"error": reason}
