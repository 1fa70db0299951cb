"""Monthly-revenue files dropped in the chat: recognised, and imported (after the user
confirms) into the session's own warehouse with the same checks as `revrisk import`.

Contract:
- `upload_kind(path)` tells what an uploaded spreadsheet holds, from its header, the way
  `revrisk import` does (`data.imports.detect_kind`): kind "monthly_revenue" (sub-format
  "pivot", a column per month, or "long", customer/month/revenue rows), "leakage_accounts",
  another import kind, or None when no kind fits (the scorer then reports what is missing).
- `import_revenue(path, session_folder, current_db)` imports the file, all or nothing, with
  `data.imports.import_file` (kind monthly_revenue, the CLI's defaults) into the session's
  warehouse: the one an earlier upload of this session made (a Stripe export, another revenue
  file), else a new `<session folder>/revenue.duckdb`. The shared warehouse is never written.
  A refused file leaves the session's warehouse as it was (and creates none); the report —
  every bad month, duplicate, empty id or unreadable amount by file, row, column and value —
  is the CLI's own text (`ImportReport.render`).

Method and measured reason (rt8 D4): the chat sent every spreadsheet to the account scorer, so
a revenue export was refused with 17 "required column is missing" lines and its real problems
were never shown. Plain Python (no Chainlit), so it is unit-tested; `ui.chat` asks for the
confirmation and switches the session's `db_path`, as it does for a Stripe export
(`ui.stripe_upload`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from data.imports import (
    ImportValidationError,
    detect_kind,
    import_file,
    read_table,
    revenue_layout,
)
from data.imports.limits import describe_error
from data.imports.spec_types import KindSpec
from ui.stripe_upload import SessionImport

logger = logging.getLogger(__name__)

REVENUE_KIND = "monthly_revenue"
SESSION_DB = "revenue.duckdb"
CHAT_REPLACE_NOTE = (
    "\nThe chat does not overwrite revenue already imported in this session (`--replace` is "
    "the CLI's option): start a new chat to import a corrected file."
)
"""Added under a report that names `--replace` (a customer-month already imported here)."""


def upload_kind(path: Path, max_mb: float = 200.0) -> KindSpec | None:
    """The import kind (and sub-format: pivot or long for revenue) the file's header fits, or
    None when it fits none or cannot be read.

    A revenue file is told from its header as `revrisk import` tells it: a customer column
    and month columns (pivot), or customer, month and revenue columns (long); a header that
    fits no kind is revenue when its cells have a revenue file's shape (months and amounts,
    `data.imports.revenue_layout`), so the import's report names what is missing (rt11 R-M4:
    such a file was scored as an account list and refused with the account columns).
    """
    try:
        table = read_table(path, max_mb=max_mb)
        try:
            return detect_kind(table.headers)
        except ImportValidationError:  # no kind fits: None unless shaped as revenue
            return revenue_layout(table)
    except ImportValidationError:
        return None  # unreadable: the scorer reports the file's problems
    except Exception:  # never block an upload on the sniffing: scoring reports the rest
        logger.warning("could not tell the kind of %s", path.name, exc_info=True)
        return None


def session_warehouse(session_folder: Path, current_db: Path | None) -> Path:
    """Where this session's imports go: the warehouse an earlier upload of this session made,
    else a new one in the session's folder (never the shared warehouse)."""
    if current_db is not None and current_db.resolve().is_relative_to(session_folder.resolve()):
        return current_db
    return session_folder / SESSION_DB


def import_revenue(path: Path, session_folder: Path, current_db: Path | None) -> SessionImport:
    """Import the revenue file at `path` into the session's warehouse (`session_warehouse`)
    and refresh its caches; a refused file returns the import's report and no warehouse."""
    db = session_warehouse(session_folder, current_db)
    existed = db.exists()
    try:
        report = import_file(path, db, REVENUE_KIND)
    except ImportValidationError as error:
        replace = any("--replace" in problem.message for problem in error.report.problems)
        return SessionImport(None, error.report.render() + (CHAT_REPLACE_NOTE if replace else ""))
    except Exception as exc:
        logger.exception("revenue import of %s failed", path.name)
        if not existed:
            for partial in (db, db.with_name(db.name + ".wal")):
                partial.unlink(missing_ok=True)
        return SessionImport(
            None, f"{path.name}: the import failed ({describe_error(exc)}); nothing was imported."
        )
    return SessionImport(db, report.render() + _refresh(db))


def _refresh(db: Path) -> str:
    """Rebuild the caches; a line saying what could not be computed ('' when all were)."""
    from services.refresh import PartialRefreshError, refresh_caches

    try:
        refresh_caches(db)
    except PartialRefreshError:
        return (
            "\nRevenue trends and declines are ready; leakage figures need billing data "
            "(a Stripe export, or `revrisk import` of accounts, invoices and usage)."
        )
    except Exception as exc:  # the caches rebuild on first use; the import itself stands
        logger.warning("refresh after a revenue import failed", exc_info=True)
        return f"\n(figures not refreshed yet: {describe_error(exc)})"
    return ""


__all__ = [
    "REVENUE_KIND",
    "SESSION_DB",
    "import_revenue",
    "session_warehouse",
    "upload_kind",
]
