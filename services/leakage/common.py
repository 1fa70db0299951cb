"""Shared pieces of the leakage service: account and filter validation, cache access.

`cached` opens the warehouse read-only and never writes: the caches are built by the writers
(`revrisk demo`, `revrisk import`, `revrisk refresh`, training) under the warehouse's writer
lock. A reader answers from the last complete caches (with a warning when the data changed
since), or raises `WarehouseBusyError` ("the data is being updated — ask again in a moment")
when none exist yet while an update runs, or `CachesNotBuiltError` naming the command that
builds them. Measured (issue 11): readers that rebuilt stale caches made 6 of 10 concurrent
questions fail with DuckDB's raw lock error during an import.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from analytics.leakage.scoring import RiskThresholds
from data.warehouse import (
    CachesNotBuiltError,
    WarehouseBusyError,
    connect,
    get_meta,
    writer_active,
)
from services.leakage import store
from services.lookup import UnknownAccountError, canonical, population

NOT_BUILT = (
    "The leakage figures of this warehouse have not been computed yet: run `revrisk refresh` "
    "(`revrisk demo` and `revrisk import` compute them too)."
)
NOT_POSSIBLE = (
    "The leakage figures of this warehouse could not be computed: {reason}. Detected leakage, "
    "risk scores and the overview need them; trends, segments and questions answered in SQL "
    "still work."
)
NO_SCORES = (
    "Risk scores are not available for this warehouse: {reason}. Trends, segments and "
    "questions answered in SQL still work."
)
STALE = (
    "The billing data changed after these figures were computed; they are the last complete "
    "version and are recomputed by the running update or `revrisk refresh`."
)


def model_dir_for(db_path: Path | str) -> Path:
    """Where the leakage model of a warehouse lives: `<its folder>/models/<its stem>/`.

    A model belongs to the warehouse it was trained on (its manifest records that data's
    hash), so two warehouses in one folder never overwrite or reject each other's model.

    Examples:
        >>> model_dir_for("var/revrisk.duckdb").as_posix()
        'var/models/revrisk'
    """
    path = Path(db_path)
    return path.parent / "models" / path.stem


def not_scored(account_id: str) -> ValueError:
    """The error for an account that exists but has no score (no usage in the latest month,
    e.g. imported with no contracts or usage yet): it says so, instead of "no match"."""
    return ValueError(
        f"account {account_id} exists but has no usage in the latest month, so it is not scored"
    )


def check_account(con: duckdb.DuckDBPyConnection, account_id: str) -> None:
    if con.execute("SELECT 1 FROM accounts WHERE account_id = ?", [account_id]).fetchall():
        return
    near = (
        con.execute(
            "SELECT account_id FROM accounts ORDER BY jaro_winkler_similarity(account_id, ?) DESC "
            "LIMIT 50",
            [account_id],
        )
        .df()["account_id"]
        .tolist()
    )
    raise UnknownAccountError(
        account_id, difflib.get_close_matches(account_id, near, n=5, cutoff=0.6)
    )


class NoScoresError(CachesNotBuiltError):
    """The caches hold the detected leakage but no risk scores: this warehouse's data cannot
    give them (the message says why, in words a finance lead can act on)."""


@contextmanager
def cached(
    db_path: Path | str, model_dir: Path | str | None = None, *, scores: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to a warehouse with leakage caches (the last complete ones;
    `cache_warning` says when they are stale). Never writes: see the module docstring.
    `model_dir` is accepted for callers that pass one; reading needs no model. A reader of
    risk scores (`scores`, the default) gets `NoScoresError` where the last refresh could
    only detect leakage; a reader of detected leakage alone passes `scores=False`."""
    db_path = Path(db_path)
    with connect(db_path, read_only=True) as con:
        if get_meta(con, store.VERSION_KEY) is None:
            if writer_active(db_path):
                raise WarehouseBusyError()
            reason = get_meta(con, store.FAILED_KEY)
            raise CachesNotBuiltError(NOT_POSSIBLE.format(reason=reason) if reason else NOT_BUILT)
        unscored = store.cache_info(con).get(store.SCORES_UNAVAILABLE)
        if scores and unscored:
            raise NoScoresError(NO_SCORES.format(reason=unscored))
        yield con


def cache_warning(con: duckdb.DuckDBPyConnection) -> str | None:
    """The model's warning (no signal, …), and a note when the caches are stale."""
    notes = [store.cache_info(con).get("warning")]
    if not store.is_fresh(con):
        notes.append(STALE)
    return " ".join(n for n in notes if n) or None


_RECUT = (
    "(SELECT * REPLACE (CASE WHEN leakage_probability >= ? THEN 'High' "
    "WHEN leakage_probability >= ? THEN 'Medium' ELSE 'Low' END AS risk_level) "
    "FROM leakage_scores) AS leakage_scores"
)


def scores_source(
    con: duckdb.DuckDBPyConnection, thresholds: RiskThresholds | None
) -> tuple[str, list[Any]]:
    """What to read the scores FROM, and its parameters: `leakage_scores` as cached, or with
    `risk_level` re-cut from the cached probabilities at `thresholds` (as `export_scores`
    does), so filters and counts by risk level use the re-cut levels.

    The cached levels stand when `thresholds` is None or the pair they were cut with, and when
    the model had no signal: its levels come from billing-rule evidence, not probabilities.
    """
    if thresholds is None:
        return "leakage_scores", []
    info = store.cache_info(con)
    cut = info.get("risk_thresholds") or {}
    if info.get("warning") or (cut.get("high"), cut.get("medium")) == (
        thresholds.high,
        thresholds.medium,
    ):
        return "leakage_scores", []
    return _RECUT, [thresholds.high, thresholds.medium]


# ------------------------------------------------------------------------------ portfolio
def money(value: Any) -> float:
    return round(float(value or 0.0), 2)


__all__ = [
    "NoScoresError",
    "UnknownAccountError",
    "cache_warning",
    "cached",
    "canonical",
    "check_account",
    "model_dir_for",
    "money",
    "population",
    "scores_source",
]
