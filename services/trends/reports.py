"""Trend outputs for people: the per-customer table, file export, and evaluation on truth.

`evaluate_trends` is the only code that reads `trend_truth` / `anomaly_truth`, and it does so
after the cache was computed, only to score it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analytics.trends import (
    OUTPUT_COLUMNS,
    backtest_outcomes,
    detect_partial_last_month,
    detection_scores,
    summarise_backtest,
)
from data.warehouse import connect
from services.trends import store
from services.trends.input import read_revenue_file
from services.trends.scan import DECLINING_FROM_LEVEL, cached

TABLE_COLUMNS: tuple[str, ...] = ("customer_id", *OUTPUT_COLUMNS, "segment_id")
EXTRA_COLUMNS: tuple[str, ...] = (
    "segment_name",
    "months_observed",
    "active_months",
    "months_since_last_revenue",
    "mean_revenue",
    "volatility",
    "resid_volatility",
    "recent_ratio",
    "recent_drop_z",
    "seasonal",
    "first_month",
)


def output_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per customer: the issue's columns first, then supporting metrics."""
    frame = metrics.reset_index()
    extras = [c for c in EXTRA_COLUMNS if c in frame.columns]
    return frame[[*TABLE_COLUMNS, *extras]]


def write_output(table: pd.DataFrame, path: Path | str) -> Path:
    """Write the table as .csv, .xlsx or .parquet (by suffix)."""
    path = Path(path)
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        table.to_csv(path, index=False)
    elif suffix == ".xlsx":
        plain = table.astype(object).where(table.notna(), None)
        plain.to_excel(path, index=False)
    elif suffix == ".parquet":
        table.to_parquet(path, index=False)
    else:
        raise ValueError(f"unsupported output type {suffix!r} (use .csv, .xlsx or .parquet)")
    return path


BACKTEST_OUTCOMES = ("lost_vs_run_rate", "lost_vs_previous")


def backtest_file(
    path: Path | str, cutoffs: list[str] | None = None, horizon: int = 3, n_cutoffs: int = 4
) -> dict[str, Any]:
    """Is the decline level predictive on a revenue file? (see analytics.trends.backtest)

    A partial last month is dropped first (as the scan does). Default cut-offs: the last
    `n_cutoffs` months that leave `horizon` complete months after them. Returns the cut-offs,
    and per outcome the table per decline level (customers, lost, share, Wilson 95 % CI)
    and whether level 3 loses revenue more often than level 0 (intervals apart).
    """
    revenue = read_revenue_file(path)
    partial = None
    if detect_partial_last_month(revenue.sum(axis=0).to_numpy()):
        partial = str(revenue.columns[-1])[:7]
        revenue = revenue.iloc[:, :-1]
    labels = [str(c)[:7] for c in revenue.columns]
    if cutoffs is None:
        last = len(labels) - 1 - horizon
        cutoffs = labels[max(horizon - 1, last - n_cutoffs + 1) : last + 1]
    outcomes = backtest_outcomes(revenue, cutoffs, horizon=horizon)
    result: dict[str, Any] = {
        "source": str(path),
        "partial_month_dropped": partial,
        "cutoffs": cutoffs,
        "horizon_months": horizon,
        "n_customer_cutoffs": len(outcomes),
    }
    for outcome in BACKTEST_OUTCOMES:
        table = summarise_backtest(outcomes, outcome)
        low = dict(zip(table["decline_level"], table["ci_low"], strict=True))
        high = dict(zip(table["decline_level"], table["ci_high"], strict=True))
        separated = bool(low[3] > high[0]) if 0 in low and 3 in low else None
        result[outcome] = {
            "levels": table.to_dict("records"),
            "level_3_above_level_0": separated,
        }
    return result


def _truth(db_path: Path | str) -> tuple[pd.DataFrame, pd.DataFrame]:
    with connect(db_path, read_only=True) as con:
        trend = con.execute("SELECT account_id, archetype, is_declining FROM trend_truth").df()
        anomalies = con.execute(
            "SELECT account_id, strftime(month, '%Y-%m') AS month, cause FROM anomaly_truth"
        ).df()
    if trend.empty:
        raise ValueError("this warehouse has no trend_truth: evaluation needs the synthetic demo")
    return trend.set_index("account_id"), anomalies


def evaluate_trends(db_path: Path | str) -> dict[str, Any]:
    """Decline and anomaly detection scored against the synthetic world's ground truth.

    Declining = decline_level >= DECLINING_FROM_LEVEL (customers without a level count as not
    flagged); truth = `trend_truth.is_declining`. Anomalies: flagged (account, month) pairs
    against `anomaly_truth`.
    """
    with cached(db_path) as con:
        metrics = store.read_metrics(con)
        flagged = con.execute("SELECT account_id, month FROM trend_series WHERE is_anomaly").df()
    trend_truth, anomaly_truth = _truth(db_path)
    joined = trend_truth.join(metrics[["decline_level", "status"]], how="left")
    predicted = joined["decline_level"].fillna(0).to_numpy(dtype=int) >= DECLINING_FROM_LEVEL
    decline = detection_scores(predicted, joined["is_declining"].to_numpy(dtype=bool))
    keys = set(zip(flagged["account_id"], flagged["month"], strict=True))
    truth_keys = list(zip(anomaly_truth["account_id"], anomaly_truth["month"], strict=True))
    hits = np.array([key in keys for key in truth_keys], dtype=bool)
    anomaly = {
        "precision": float(hits.sum() / len(keys)) if keys else 0.0,
        "recall": float(hits.mean()) if len(hits) else 0.0,
        "n_flagged": len(keys),
        "n_true": len(truth_keys),
    }
    p, r = anomaly["precision"], anomaly["recall"]
    anomaly["f1"] = 2 * p * r / (p + r) if p + r else 0.0
    by_archetype = joined.assign(flagged=predicted).groupby("archetype")["flagged"].mean()
    by_cause = pd.Series(hits, index=anomaly_truth["cause"]).groupby(level=0).mean()
    return {
        "decline": decline,
        "anomaly": anomaly,
        "n_accounts": len(joined),
        "declining_rule": f"decline_level >= {DECLINING_FROM_LEVEL}",
        "flagged_share_by_archetype": by_archetype.round(3).to_dict(),
        "anomaly_recall_by_cause": by_cause.round(3).to_dict(),
        "status_counts": joined["status"].value_counts().to_dict(),
    }
