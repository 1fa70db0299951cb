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
from data.imports.stripe import RESOURCES, TRUTH_FILE, StripeImportReport, import_stripe
from domain import plural
from domain.markdown import literal
from ui import copy

logger = logging.getLogger(__name__)

STRIPE_STEMS: frozenset[str] = frozenset(
    {stem for resource in RESOURCES.values() for stem in resource.files} | {TRUTH_FILE}
)
"""File names (without extension) of the Stripe resources the import reads."""
_OBJECT_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv")


@dataclass(frozen=True)
class SessionImport:
    """Outcome shown in the chat: the new warehouse (None when refused) and the report text
    (`revrisk import`'s, in full); `summary` says it for a CFO when there is one."""

    db_path: Path | None
    text: str
    summary: str = ""


_TABLE_WORDS = {
    "accounts": "customer",
    "contracts": "subscription",
    "invoices": "invoice",
    "invoice_lines": "invoice line",
    "payments": "payment attempt",
    "payment_methods": "payment method",
    "usage_monthly": "customer-month of usage",
}
"""How the summary names one row of each warehouse table, in this order (`_counted` makes
the plural: "customer-months of usage")."""


def _counted(n: int, one: str) -> str:
    """`n` rows named by `one` row's noun, plural past one.

    Examples:
        >>> _counted(1, "invoice"), _counted(2, "customer-month of usage")
        ('1 invoice', '2 customer-months of usage')
    """
    head, of, tail = one.partition(" of ")
    return plural(n, head) + of + tail


@dataclass(frozen=True)
class Shortfall:
    """What the refresh after an import could not compute, and why (`why`); `trends` and
    `findings` say that the revenue trends, and the leakage findings, were computed all the
    same (rt14 V-H1: an export without meter files has invoices to check, but no scores)."""

    why: str
    trends: bool = False
    findings: bool = False


def cfo_summary(
    report: StripeImportReport, shortfall: Shortfall | None = None, *, source: str | None = None
) -> str:
    """The import in a CFO's words (rt12 T-L16: the chat showed the developer report, with
    "leakage_events (ground truth, for --evaluate): 44" and "fields not used …"): what was
    imported, what was computed from it, and what was not used and why. The full report
    stays available (the chat's details, `revrisk import --from stripe`). `source` names the
    upload (default: the report's folder name, never its server path); `shortfall`, what the
    refresh could not compute.

    Examples:
        >>> r = StripeImportReport("export.zip", {"accounts": 60, "invoices": 1}, {}, {}, 44,
        ...                        (1,), 0.5, {"customers.jsonl": {"address": 60}})
        >>> print(cfo_summary(r))  # doctest: +NORMALIZE_WHITESPACE
        **Imported** from export.zip: 60 customers and 1 invoice.
        **Computed:** leakage findings, next month's leakage risk per customer, and revenue
        trends.
        **Not used:** 44 labelled leakage events in the export (kept to check the detection,
        not used in answers); Stripe fields the mapping does not need (addresses, metadata, …).
    """
    parts = [
        _counted(report.rows[table], one)
        for table, one in _TABLE_WORDS.items()
        if report.rows.get(table)
    ]
    listed = ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)
    name = source or Path(report.folder).name
    lines = [f"**Imported** from {literal(name)}: {listed or 'no billing rows'}."]
    if shortfall is None:
        computed = "all"
    elif shortfall.trends:
        computed = "findings and trends" if shortfall.findings else "trends"
    else:
        computed = "nothing"
    lines.append(copy.STRIPE_COMPUTED[computed].format(why=shortfall.why if shortfall else ""))
    unused = []
    if report.truth_rows:
        unused.append(
            f"{report.truth_rows:,} labelled leakage events in the export (kept to check the "
            "detection, not used in answers)"
        )
    if report.unused:
        top = sorted(report.unused.items(), key=lambda item: -item[1])[:3]
        shown = "; ".join(f"{what}: {count:,}" for what, count in top)
        more = len(report.unused) - len(top)
        unused.append(
            f"{sum(report.unused.values()):,} Stripe objects that do not bear on billing "
            f"figures ({shown}{f'; {more} more kinds' if more > 0 else ''})"
        )
    if report.unused_fields:
        unused.append("Stripe fields the mapping does not need (addresses, metadata, …)")
    if unused:
        lines.append("**Not used:** " + "; ".join(unused) + ".")
    return "\n".join(lines)


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
    from services.refresh import PartialRefreshError, refresh_caches

    name = source.name if source.suffix.lower() == ".zip" else "your Stripe files"

    try:
        refresh_caches(db)
    except Exception as exc:  # the caches rebuild on first use; the import itself stands
        why = _not_computed(exc)
        shortfall = (
            Shortfall(exc.reason, trends=True, findings=exc.findings)
            if isinstance(exc, PartialRefreshError)
            else Shortfall(why)
        )
        summary = cfo_summary(report, shortfall, source=name)
        return SessionImport(db, f"{report.render()}\n(caches not refreshed: {why})", summary)
    return SessionImport(db, report.render(), cfo_summary(report, source=name))


def _not_computed(exc: Exception) -> str:
    """Why the caches were not built, in words: a ValueError says what the data lacks; any
    other failure is logged, and said without its text (it may name a server path)."""
    if isinstance(exc, ValueError) and str(exc).strip():
        return str(exc).strip().rstrip(".")
    logger.warning("Stripe caches not refreshed: %s", type(exc).__name__)
    return "an internal error stopped the computation"


__all__ = [
    "STRIPE_STEMS",
    "SessionImport",
    "import_into_session",
    "looks_like_stripe",
    "stage_stripe",
]
