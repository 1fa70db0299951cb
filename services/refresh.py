"""Bring every derived cache of a warehouse up to date after its data changed.

`revrisk demo`, `revrisk import` and `revrisk refresh` call this, under the warehouse's
writer lock: caches (leakage detections and scores, trend metrics and segments) are built by
writers only. Readers never rebuild them; they answer from the last complete caches (marked
stale when the data changed since) while an update runs. The two refreshes stand apart: a
warehouse too short to train the leakage model (fewer than 7 months, say a new Stripe export)
still gets its trends and segments, and `PartialRefreshError` says what was not computed.
"""

from __future__ import annotations

import time
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

from data.progress import Progress

STEPS = 2


def refresh_caches(db_path: Path | str, progress: Progress | None = None) -> dict[str, Any]:
    """Refresh the leakage and trend caches of `db_path`; returns what each refresh did."""
    from data.warehouse import writer_lock
    from services.leakage import ScoresUnavailableError, model_dir_for, refresh_leakage_cache
    from services.trends import refresh_trend_cache

    db_path = Path(db_path)
    started = time.perf_counter()
    with writer_lock(db_path):
        try:
            leakage = _plain(refresh_leakage_cache(db_path, model_dir_for(db_path)))
            failed = None
        except ValueError as exc:  # the data cannot give leakage figures: trends still can
            leakage, failed = {"error": str(exc)}, exc
        if progress is not None:
            progress(1, STEPS)
        trends = refresh_trend_cache(db_path)
    if progress is not None:
        progress(2, STEPS)
    if isinstance(failed, ScoresUnavailableError) and failed.billed:  # findings were written
        raise PartialRefreshError(
            f"risk scores not computed ({failed}); leakage findings and trend figures computed",
            reason=str(failed),
            findings=True,
        )
    if failed is not None:
        raise PartialRefreshError(
            f"leakage figures not computed ({failed}); trend figures computed",
            reason=str(failed),
            findings=False,
        )
    return {
        "leakage": leakage,
        "trends": _plain(trends),
        "seconds": round(time.perf_counter() - started, 2),
    }


def caches_are_current(db_path: Path | str) -> bool:
    """Whether the leakage and trend caches were built from the warehouse's current data and
    the current versions of their methods (read-only; False for a cache never built).

    `revrisk demo --if-missing` (what `make run` starts with) refreshes a warehouse only when
    this is False: after an upgrade that changed a method, its figures are recomputed, and an
    up-to-date warehouse is not written to at all.
    """
    from data.warehouse import connect
    from services.leakage import is_fresh as leakage_fresh
    from services.trends import store as trend_store

    with connect(db_path, read_only=True) as con:
        return leakage_fresh(con) and trend_store.is_fresh(con)


class PartialRefreshError(ValueError):
    """The trend caches were refreshed, the leakage caches could not be (the reason is in the
    message and in the warehouse, where readers name it). `reason` is why, on its own;
    `findings` says that the leakage findings were written all the same (only the risk scores
    are missing)."""

    def __init__(self, message: str, *, reason: str, findings: bool) -> None:
        super().__init__(message)
        self.reason = reason
        self.findings = findings


def _plain(report: Any) -> dict[str, Any]:
    if is_dataclass(report) and not isinstance(report, type):
        return {k: v for k, v in asdict(report).items() if not isinstance(v, dict | list)}
    return {"result": str(report)}
