"""Trend outputs for people: the per-customer table, file export, and evaluation on truth.

`evaluate_trends` is the only code that reads `trend_truth` / `anomaly_truth`, and it does so
after the cache was computed, only to score it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analytics.trends import OUTPUT_COLUMNS, DeclineThresholds, detection_scores
from data.warehouse import connect
from services.trends import store
from services.trends.forecast import forward_evaluation
from services.trends.scan import cached

_VERDICT = ("status", "decline_probability", "decline_level", "decline_drivers")
TABLE_COLUMNS: tuple[str, ...] = (
    "customer_id",
    *_VERDICT,
    *(c for c in OUTPUT_COLUMNS if c not in _VERDICT),
    "segment_id",
)
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


def _truth(db_path: Path | str) -> tuple[pd.DataFrame, pd.DataFrame]:
    with connect(db_path, read_only=True) as con:
        trend = con.execute("SELECT account_id, archetype, is_declining FROM trend_truth").df()
        anomalies = con.execute(
            "SELECT account_id, strftime(month, '%Y-%m') AS month, cause FROM anomaly_truth"
        ).df()
    if trend.empty:
        raise ValueError("this warehouse has no trend_truth: evaluation needs the synthetic demo")
    return trend.set_index("account_id"), anomalies


DETECTED_FROM_SCORE = DeclineThresholds().level_cuts[0]
"""Same-window detection: the descriptive `decline_score` from the first cut of the old levels."""


def evaluate_trends(db_path: Path | str, n_boot: int = 1000) -> dict[str, Any]:
    """Detection and forecast scored against the synthetic world's ground truth.

    `decline` is a *detection* test (did the scan see a decline the generator put into the same
    window): flagged = descriptive `decline_score` >= DETECTED_FROM_SCORE, truth =
    `trend_truth.is_declining`. `forward` is the forecast test: `decline_probability` at
    earlier cut-offs against the halvings that came afterwards, beside the near-Bayes AUC, and
    against the hazard's onsets alone (`services.trends.forecast.forward_evaluation`).
    Anomalies: flagged (account, month) pairs against `anomaly_truth`.
    """
    with cached(db_path) as con:
        metrics = store.read_metrics(con)
        flagged = con.execute("SELECT account_id, month FROM trend_series WHERE is_anomaly").df()
    trend_truth, anomaly_truth = _truth(db_path)
    joined = trend_truth.join(metrics[["decline_score", "status"]], how="left")
    predicted = joined["decline_score"].fillna(0).to_numpy(dtype=float) >= DETECTED_FROM_SCORE
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
        "forward": forward_evaluation(db_path, n_boot),
        "anomaly": anomaly,
        "n_accounts": len(joined),
        "declining_rule": f"decline_score >= {DETECTED_FROM_SCORE} (same-window detection)",
        "flagged_share_by_archetype": by_archetype.round(3).to_dict(),
        "anomaly_recall_by_cause": by_cause.round(3).to_dict(),
        "status_counts": joined["status"].value_counts().to_dict(),
    }
