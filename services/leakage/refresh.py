"""Scoring a warehouse and refreshing the leakage caches the chat reads.

`refresh_leakage_cache` runs the detectors over every month, finds a model that fits this
warehouse (reuses the current one when it was trained on the same data, else trains both
feature sets here; falls back to any compatible stored model when the warehouse is too short
to train on), scores every account as of the latest month with the latest month's detected
leakage, and writes `detected_leakage`, `leakage_scores` and `leakage_factors` in one
transaction together with the data version they were built from.

A warehouse whose data cannot give risk scores (fewer than 7 months of usage, a Stripe export
without engagement meters, a book of monthly revenue only) still gets its detected leakage:
the caches are written with no scores and the reason in their info (`SCORES_UNAVAILABLE`), and
`ScoresUnavailableError` says so. Measured (rt12 T-M7): on a 40-customer Stripe export
`revrisk detect` found 44 findings ($19,232.58) while the chat's "where are we leaking now?"
failed on the model's missing login column, because one failed step discarded both.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from analytics.leakage.explain import factor_rows
from analytics.leakage.scoring import RiskThresholds, ScoreResult, score_accounts
from data.progress import Progress, stepper
from data.warehouse import connect, set_meta, transaction, writer_lock
from services.leakage import pipeline
from services.leakage.store import (
    FAILED_KEY,
    SCORES_UNAVAILABLE,
    USAGE_GAP,
    ModelMismatchError,
    ModelMissingError,
    StoredModel,
    current_version,
    load_model,
    save_model,
    write_caches,
)
from services.leakage.training import TrainingPlan, fit_from_warehouse, warehouse_fingerprint

REFRESH_STEPS = 4
"""Steps reported to `progress`: detect, model, score, write."""
REFRESH_PLAN = TrainingPlan(max_train_cutoffs=12, n_boot=300)
"""Training inside a refresh: at most 20,000 sampled accounts over the latest 12 training
months (features are computed for every account of a month, so months bound the cost on big
warehouses), 300 bootstrap resamples for the AUC interval that decides `signal`
(`revrisk model train` uses every month and 1,000)."""


@dataclass(frozen=True)
class CacheReport:
    """Outcome of `refresh_leakage_cache`."""

    data_version: str
    model_version: str
    trained: bool
    signal: bool
    as_of_month: str
    n_accounts: int
    n_findings: int
    seconds: float
    info: dict[str, Any]


def latest_detected(findings: pd.DataFrame, month: date) -> tuple[pd.Series, pd.Series]:
    """Detected leakage in `month` per account: total amount and largest type."""
    now = findings[pd.to_datetime(findings["month"]) == pd.Timestamp(month)]
    total = now.groupby("account_id")["amount"].sum()
    largest = now.sort_values("amount").drop_duplicates("account_id", keep="last")
    return total, largest.set_index("account_id")["leakage_type"]


def score_warehouse(
    con: duckdb.DuckDBPyConnection,
    stored: StoredModel,
    findings: pd.DataFrame,
    thresholds: RiskThresholds | None = None,
) -> tuple[ScoreResult, pd.DataFrame, date]:
    """Score every account as of the latest month (features, detected leakage, result)."""
    month = pipeline.usage_months(con)[-1]
    features = pipeline.features_at(con, month)
    amount, kind = latest_detected(findings, month)
    features["detected_type"] = features["account_id"].map(kind)
    result = score_accounts(stored.model, features, thresholds, stored.signal, amount)
    return result, features, month


def _model_for_warehouse(
    con: duckdb.DuckDBPyConnection,
    model_dir: Path,
    findings: pd.DataFrame,
    db_path: Path,
    plan: TrainingPlan,
    retrain: bool,
) -> tuple[StoredModel, bool]:
    fingerprint = warehouse_fingerprint(con)
    try:
        stored = load_model(model_dir, "full")
        if not retrain and stored.manifest.get("source", {}).get("fingerprint") == fingerprint:
            return stored, False
    except (ModelMissingError, ModelMismatchError):
        stored = None
    try:
        fitted = fit_from_warehouse(con, findings, plan)
    except ValueError:
        if stored is not None:  # too little history here: keep the compatible model we have
            return stored, False
        raise
    source = {
        "kind": "warehouse",
        "path": str(db_path),
        "data_version": current_version(con),
        "fingerprint": fingerprint,
    }
    saved = {
        fs: save_model(model_dir, f.model, f.training_sha256, f.card, source)
        for fs, f in fitted.items()
    }
    return saved["full"], True


def cache_frames(
    findings: pd.DataFrame,
    result: ScoreResult,
    features: pd.DataFrame,
    month: date,
    stored: StoredModel,
) -> dict[str, pd.DataFrame]:
    """The three cache tables from one refresh's results."""
    scores = result.table.copy()
    scores["tier"] = features["tier"].to_numpy()
    scores["mrr"] = features["mrr"].to_numpy(dtype=float)
    scores["detected_leakage_type"] = features["detected_type"].to_numpy(dtype=object)
    scores["as_of_month"] = pd.Timestamp(month)
    scores["feature_set"] = stored.model.feature_set
    scores["model_version"] = stored.version
    factors = factor_rows(scores["account_id"].to_numpy(), result.attribution)
    return {
        "detected_leakage": _detected(findings),
        "leakage_scores": scores,
        "leakage_factors": factors,
    }


def refresh_leakage_cache(
    db_path: Path | str,
    model_dir: Path | str,
    progress: Progress | None = None,
    *,
    plan: TrainingPlan | None = None,
    thresholds: RiskThresholds | None = None,
    retrain: bool = False,
) -> CacheReport:
    """Detect, train or reuse a model, score, and write the caches in one transaction, all
    under the warehouse's writer lock (readers keep answering from the previous caches)."""
    db_path, model_dir = Path(db_path), Path(model_dir)
    with writer_lock(db_path):
        try:
            return _refresh(db_path, model_dir, progress, plan, thresholds, retrain)
        except ValueError as exc:  # the data cannot give these caches (too few months, ...)
            with connect(db_path) as con:
                set_meta(con, **{FAILED_KEY: str(exc)})
            raise


def _refresh(
    db_path: Path,
    model_dir: Path,
    progress: Progress | None,
    plan: TrainingPlan | None,
    thresholds: RiskThresholds | None,
    retrain: bool,
) -> CacheReport:
    started = time.perf_counter()
    step = stepper(progress, REFRESH_STEPS)
    with connect(db_path, read_only=True) as con:
        version = current_version(con)
        findings = pipeline.find_leakage(con)
        gap = pipeline.months_without_usage(con)
        step()
        try:
            stored, trained = _model_for_warehouse(
                con, model_dir, findings, db_path, plan or REFRESH_PLAN, retrain
            )
            step()
            result, features, month = score_warehouse(con, stored, findings, thresholds)
        except ValueError as exc:  # no scores from this data: keep what was detected
            billed = bool(pipeline.scalar(con, "SELECT count(*) FROM invoices"))
            unscored: tuple[ValueError, str] | None = (exc, scores_reason(con, exc, billed))
        else:
            unscored = None
        step()
    if unscored is not None:
        _write_detected_only(db_path, findings, version, unscored[1], started, gap)
        raise ScoresUnavailableError(unscored[1], billed=billed) from unscored[0]
    frames = cache_frames(findings, result, features, month, stored)
    info = {
        "model_version": stored.version,
        "feature_set": stored.model.feature_set,
        "signal": stored.signal,
        "trained": trained,
        "as_of_month": str(month),
        "n_accounts": len(result.table),
        "n_findings": len(findings),
        USAGE_GAP: list(gap),
        "warning": result.warning,
        "risk_thresholds": (thresholds or RiskThresholds()).__dict__,
        "built_at": pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
    }
    with connect(db_path) as con, transaction(con):
        write_caches(con, frames, info, version)
    step()
    seconds = round(time.perf_counter() - started, 2)
    info["seconds"] = seconds
    return CacheReport(
        version,
        stored.version,
        trained,
        stored.signal,
        str(month),
        len(result.table),
        len(findings),
        seconds,
        info,
    )


class ScoresUnavailableError(ValueError):
    """The refresh wrote the detected leakage but could not score accounts (the reason, in a
    finance lead's words, is the message and the caches' `SCORES_UNAVAILABLE` info).
    `billed` says whether there were invoices to check (a book of monthly revenue has none)."""

    def __init__(self, reason: str, *, billed: bool = True) -> None:
        super().__init__(reason)
        self.billed = billed


def scores_reason(con: duckdb.DuckDBPyConnection, error: ValueError, billed: bool) -> str:
    """Why this warehouse cannot be scored, in words a finance lead can act on: what the
    model needs and what the data lacks (the model's own message names a feature column);
    `billed`: whether it holds invoices."""
    if not billed:
        return (
            "it holds monthly revenue only, and scores need billing records (accounts, "
            "contracts, invoices, payments and monthly usage)"
        )
    months, needed = (
        len(pipeline.usage_months(con)),
        pipeline.months_needed(REFRESH_PLAN.test_months),
    )
    if months < needed:
        lacks = f"scores need at least {needed} months of usage and this data has {months}"
    elif "empty value" in str(error):
        lacks = (
            "scores need monthly engagement for every account (logins, support tickets, "
            "feature adoption), which this data does not hold (a Stripe export needs "
            "`--engagement` meters)"
        )
    else:
        lacks = f"the model could not use this data ({error})"
    return f"{lacks}; the leakage detected in its invoices is still reported"


def _write_detected_only(
    db_path: Path,
    findings: pd.DataFrame,
    version: str,
    reason: str,
    started: float,
    gap: tuple[int, int],
) -> None:
    """Caches with the detected leakage and no scores or factors; readers of scores name
    `reason` (services.leakage.common.cached)."""
    with connect(db_path) as con, transaction(con):
        frames = {"detected_leakage": _detected(findings)} | {
            table: con.execute(f"SELECT * FROM {table} LIMIT 0").df()
            for table in ("leakage_scores", "leakage_factors")
        }
        info = {
            SCORES_UNAVAILABLE: reason,
            "n_findings": len(findings),
            USAGE_GAP: list(gap),
            "built_at": pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - started, 2),
        }
        write_caches(con, frames, info, version)


def _detected(findings: pd.DataFrame) -> pd.DataFrame:
    return findings.assign(invoice_id=findings["invoice_id"].astype("Int64"))


__all__ = [
    "REFRESH_PLAN",
    "REFRESH_STEPS",
    "CacheReport",
    "ScoresUnavailableError",
    "cache_frames",
    "latest_detected",
    "refresh_leakage_cache",
    "score_warehouse",
    "scores_reason",
]
