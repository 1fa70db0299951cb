"""Stripe exports dropped in the chat: recognised, imported (after the user confirms) into a new
warehouse for that session only, which the session's answers then come from.

Plain Python (no Chainlit), so it is unit-tested; `ui.chat` asks for the confirmation and
switches the session's `db_path`. The import is `data.imports.stripe.import_stripe`, all or
nothing: a refused folder leaves no warehouse behind and its report (file, line, field of
each problem) is shown as it is. The session warehouse lives in the session's upload folder,
so it goes when the session's uploads go.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from data.imports.limits import describe_error
from data.imports.report import ImportValidationError
from data.imports.stripe import RESOURCES, TRUTH_FILE, import_stripe

logger = logging.getLogger(__name__)

STRIPE_STEMS: frozenset[str] = frozenset(
    {stem for resource in RESOURCES.values() for stem in resource.files} | {TRUTH_FILE}
)
"""File names (without extension) of the Stripe resources the import reads."""
_OBJECT_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv")


@dataclass(frozen=True)
class SessionImport:
    """Outcome shown in the chat: the new warehouse (None when refused) and the report text."""

    db_path: Path | None
    text: str


def looks_like_stripe(names: list[str]) -> bool:
    """True for a zip, or files named like Stripe resources (customers.jsonl, invoices.csv, …).

    Examples:
        >>> looks_like_stripe(["export.zip"]), looks_like_stripe(["customers.jsonl"])
        (True, True)
        >>> looks_like_stripe(["accounts.csv"])
        False
    """
    for name in names:
        path = Path(name)
        suffix = path.suffix.lower()
        if suffix == ".zip":
            return True
        if suffix in _OBJECT_SUFFIXES and path.stem.lower() in STRIPE_STEMS:
            return True
    return False


def stage_stripe(files: list[tuple[Path, str]], session_folder: Path) -> Path:
    """Copy the dropped files into a fresh folder of the session; a single zip is returned as
    the zip (the import unpacks it)."""
    target = session_folder / "stripe-upload"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for source, name in files:
        shutil.copyfile(source, target / Path(name.replace("\\", "/")).name)
    zips = [p for p in target.iterdir() if p.suffix.lower() == ".zip"]
    return zips[0] if len(zips) == 1 and len(list(target.iterdir())) == 1 else target


def import_into_session(source: Path, session_folder: Path) -> SessionImport:
    """Import `source` into `<session folder>/stripe.duckdb` (replacing an earlier one) and
    refresh its caches; a refused import returns its report and no warehouse."""
    db = session_folder / "stripe.duckdb"
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)
    try:
        report = import_stripe(source, db)
    except ImportValidationError as error:
        return SessionImport(None, error.report.render())
    except Exception as exc:  # never silent: the chat showed nothing when this escaped (rt6 #2)
        logger.exception("Stripe import of %s failed", source.name)
        for partial in (db, db.with_name(db.name + ".wal")):
            partial.unlink(missing_ok=True)
        return SessionImport(
            None,
            f"{source.name}: the import failed ({describe_error(exc)}); nothing was imported.",
        )
    from services.refresh import refresh_caches

    try:
        refresh_caches(db)
    except Exception as exc:  # the caches rebuild on first use; the import itself stands
        return SessionImport(db, f"{report.render()}\n(caches not refreshed: {exc})")
    return SessionImport(db, report.render())


__all__ = [
    "STRIPE_STEMS",
    "SessionImport",
    "import_into_session",
    "looks_like_stripe",
    "stage_stripe",
]
