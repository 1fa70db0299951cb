"""`revrisk import FILE`: load a CSV, Excel or Parquet file into the warehouse, all or nothing.

Exit codes: 0 imported; 2 the file was refused (the report names file, row, column and value
of every problem, capped) or an option is invalid; 1 the warehouse could not be opened.
Reports are printed as plain text (cell values quoted with repr), never as rich markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cli import common

HELP_KINDS = (
    "accounts, contracts, usage_monthly, invoices, invoice_lines, payment_methods, payments, "
    "leakage_accounts, monthly_revenue, trend_reference"
)
"""data.imports.column_specs.KINDS, spelled out so `revrisk --help` need not import DuckDB (a test
keeps the two equal)."""
_KIND_HELP = f"Kind of data (default: detected from the header): {HELP_KINDS}."


def register(app: typer.Typer) -> None:
    """Add `import`."""
    app.command("import")(import_)


def _cache_input_kinds() -> frozenset[str]:
    """Kinds whose rows feed the leakage or trend caches (importing one refreshes them)."""
    from data.warehouse import RAW_TABLES

    return frozenset((*RAW_TABLES, "monthly_revenue"))


def _check_kind(value: str | None) -> str | None:
    from data.imports import KINDS

    if value is not None and value not in KINDS:
        raise typer.BadParameter(f"{value!r} is not a kind; choose one of: {', '.join(KINDS)}")
    return value


def _check_currency(value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) != 3 or not value.isascii() or not value.isalpha() or not value.isupper():
        raise typer.BadParameter(f"expected a 3-letter ISO code like GBP, got {value!r}")
    return value


def import_(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV/TSV, Excel (.xlsx) or Parquet file; with --from stripe a folder (or .zip)."
        ),
    ],
    source: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="stripe: FILE is a folder of Stripe API objects (customers.jsonl, "
            "subscriptions.jsonl, invoices.jsonl, charges.jsonl, ...; JSON Lines, JSON lists "
            "or CSV), mapped to the billing tables as data/README.md shows.",
        ),
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help=_KIND_HELP, callback=_check_kind)
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option("--sheet", help="Excel sheet to read (default: the best-fitting header)."),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Upsert: overwrite billing rows with the same primary key, and imported "
            "revenue for the same customer and month, instead of refusing them (revenue for "
            "an invoiced account-month is always refused: it would count the month twice).",
        ),
    ] = False,
    currency: Annotated[
        str | None,
        typer.Option(
            help="Currency of revenue files without a currency column (default: the "
            "warehouse's only currency, or USD in an empty warehouse; said in a warning).",
            callback=_check_currency,
        ),
    ] = None,
    db: common.DbOption = None,
    refresh: common.RefreshOption = True,
    as_json: common.JsonOption = False,
) -> None:
    """Validate FILE completely, then store it in one transaction (nothing on any problem).

    Billing tables are appended to. Leakage accounts, monthly revenue and trend metrics are stored per import; re-importing the same file replaces its earlier batch.
    """  # noqa: E501 (typer shows docstring lines as they are)

    import duckdb

    from data.imports import IMPORT_STEPS, ImportValidationError, import_file
    from data.warehouse import writer_lock
    from settings import get_settings

    path = db or common.default_db()
    new_warehouse = _new_warehouse(db)
    with writer_lock(path):  # the data and the caches derived from it, as one update
        if source is not None:
            _import_stripe(file, source, path, refresh, as_json, new_warehouse)
            return
        try:
            with common.progress_bar(
                f"Importing {file.name}", IMPORT_STEPS, quiet=as_json
            ) as advance:
                report = import_file(
                    file,
                    path,
                    kind,
                    replace,
                    advance,
                    sheet=sheet,
                    currency=currency,
                    max_mb=get_settings().max_import_mb,
                )
        except ImportValidationError as error:
            raise common.refused_file(error.report, as_json) from None
        except duckdb.Error as error:
            raise common.fail(f"could not write to the warehouse {path}: {error}") from None
        refreshed = (
            common.refresh_derived_caches(path, quiet=as_json)
            if refresh and report.kind in _cache_input_kinds()
            else None
        )
    _print_imported(report, refreshed, as_json, new_warehouse)


def _new_warehouse(db: Path | None) -> bool:
    """Whether `--db` names a warehouse that is not there yet (the import creates it). One in
    a folder that does not exist is a mistyped path: exit 2, "No warehouse at …", and nothing
    is created (no folder, no file, no lock)."""
    if db is None or db.exists():
        return False
    if not db.parent.is_dir():
        raise common.fail(
            f"No warehouse at {db}, and the folder {db.parent} does not exist: check the "
            "path. A new warehouse is created only in an existing folder; nothing was written.",
            2,
        )
    return True


def _import_stripe(
    folder: Path, source: str, path: Path, refresh: bool, as_json: bool, new_warehouse: bool
) -> None:
    import duckdb

    from data.imports import ImportValidationError
    from data.imports.stripe import STRIPE_STEPS, import_stripe

    if source != "stripe":
        raise typer.BadParameter(f"--from knows one source, stripe; got {source!r}")
    try:
        with common.progress_bar(
            f"Importing {folder.name}", STRIPE_STEPS, quiet=as_json
        ) as advance:
            report = import_stripe(folder, path, advance)
    except ImportValidationError as error:
        raise common.refused_file(error.report, as_json) from None
    except duckdb.Error as error:
        raise common.fail(f"could not write to the warehouse {path}: {error}") from None
    refreshed = common.refresh_derived_caches(path, quiet=as_json) if refresh else None
    _print_imported(report, refreshed, as_json, new_warehouse)


def _print_imported(
    report: common.Report, refreshed: dict[str, Any] | None, as_json: bool, new_warehouse: bool
) -> None:
    """The import's report, with the cache refresh's outcome under `refresh` in JSON. A
    `--db` that held no warehouse got a new one: said (`new_warehouse` in JSON), so a
    mistyped file name is noticed."""
    if as_json:
        common.emit_json({**report.to_dict(), "refresh": refreshed, "new_warehouse": new_warehouse})
        return
    typer.echo(report.render())
    if new_warehouse:
        typer.echo("note: there was no warehouse at this --db; the import created a new one.")


__all__ = ["HELP_KINDS", "import_", "register"]
