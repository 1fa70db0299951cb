"""Model-card metrics: discrimination with a bootstrap interval, calibration, thresholds, amounts.

- `roc_auc_score` uses average ranks (ties count one half), `bootstrap_auc_interval` resamples
  rows with replacement (`n_boot` resamples as row-count weights, fixed `random_state`) and takes
  percentiles; weighted AUCs are computed from one sort, so 1,000 resamples of 100k rows cost
  about a second.
- `expected_calibration_error`: equal-mass bins (each holds ~n/bins rows, sorted by predicted
  probability); ECE = sum over bins of (bin share) x |mean prediction - observed rate|. Equal
  mass, because with a ~6 % base rate equal-width bins leave the upper bins nearly empty.
- Amount errors are in money per month: `end_to_end` compares the expected monthly loss
  (probability x amount) with the realised leakage of every row (0 for none); `true_positives`
  compares the estimated amount with the realised one on rows that leaked and were flagged
  (at the operating threshold). `*_capped` repeat both against the realised amount capped at
  MRR, the most an estimate may say (see `amount_report`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np


def _check_binary(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    labels = np.asarray(labels).astype(float)
    scores = np.asarray(scores, dtype=float)
    if labels.shape != scores.shape or labels.ndim != 1:
        raise ValueError(
            f"labels and scores must be 1-D and equally long: {labels.shape} vs {scores.shape}"
        )
    if not np.isin(labels, (0.0, 1.0)).all():
        raise ValueError("labels must be 0/1")
    if np.isnan(scores).any():
        raise ValueError("scores contain NaN")
    return labels.astype(int), scores


def _weighted_auc(
    inverse: np.ndarray, labels: np.ndarray, weights: np.ndarray, n_unique: int
) -> np.ndarray:
    """AUC for each row of `weights` (n_boot, n) given rows' tie-group index `inverse`."""
    pos = np.zeros((weights.shape[0], n_unique))
    neg = np.zeros((weights.shape[0], n_unique))
    for b in range(weights.shape[0]):
        pos[b] = np.bincount(inverse, weights=weights[b] * labels, minlength=n_unique)
        neg[b] = np.bincount(inverse, weights=weights[b] * (1 - labels), minlength=n_unique)
    below = np.cumsum(neg, axis=1) - neg
    total = pos.sum(axis=1) * neg.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (pos * (below + 0.5 * neg)).sum(axis=1) / total


def roc_auc_score(labels: np.ndarray, scores: np.ndarray) -> float:
    """ROC-AUC with ties counted one half; NaN when only one class is present.

    Examples:
        >>> roc_auc_score(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
        0.75
    """
    labels, scores = _check_binary(labels, scores)
    unique, inverse = np.unique(scores, return_inverse=True)
    return float(_weighted_auc(inverse, labels, np.ones((1, labels.size)), unique.size)[0])


def bootstrap_auc_interval(
    labels: np.ndarray,
    scores: np.ndarray,
    n_boot: int = 1000,
    level: float = 0.95,
    random_state: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the ROC-AUC (rows resampled with replacement)."""
    labels, scores = _check_binary(labels, scores)
    unique, inverse = np.unique(scores, return_inverse=True)
    rng = np.random.default_rng(random_state)
    aucs: list[np.ndarray] = []
    for start in range(0, n_boot, 50):
        size = min(50, n_boot - start)
        draws = rng.integers(0, labels.size, size=(size, labels.size))
        weights = np.stack([np.bincount(d, minlength=labels.size) for d in draws]).astype(float)
        aucs.append(_weighted_auc(inverse, labels, weights, unique.size))
    values = np.concatenate(aucs)
    values = values[~np.isnan(values)]
    tail = (1 - level) / 2 * 100
    return float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail))


def expected_calibration_error(
    labels: np.ndarray, probabilities: np.ndarray, bins: int = 10
) -> float:
    """ECE with equal-mass bins (see module docstring).

    Examples:
        >>> expected_calibration_error(np.array([0, 1, 0, 1]), np.array([0.5, 0.5, 0.5, 0.5]), 2)
        0.0
    """
    labels, probabilities = _check_binary(labels, probabilities)
    order = np.argsort(probabilities, kind="stable")
    error = 0.0
    for chunk in np.array_split(order, min(bins, labels.size)):
        if chunk.size:
            error += (
                chunk.size / labels.size * abs(probabilities[chunk].mean() - labels[chunk].mean())
            )
    return float(error)


@dataclass(frozen=True)
class AmountErrors:
    """Errors of a monthly amount (money per month); r2 is NaN with fewer than two rows."""

    mae: float
    rmse: float
    r2: float
    n: int


def amount_errors(actual: np.ndarray, predicted: np.ndarray) -> AmountErrors:
    """MAE, RMSE and R^2 of predicted monthly amounts.

    Examples:
        >>> amount_errors(np.array([0.0, 10.0]), np.array([0.0, 8.0])).mae
        1.0
    """
    actual, predicted = np.asarray(actual, float), np.asarray(predicted, float)
    if actual.size == 0:
        return AmountErrors(float("nan"), float("nan"), float("nan"), 0)
    residual = actual - predicted
    spread = ((actual - actual.mean()) ** 2).sum()
    r2 = 1 - (residual**2).sum() / spread if actual.size > 1 and spread > 0 else float("nan")
    return AmountErrors(
        float(np.abs(residual).mean()),
        float(np.sqrt((residual**2).mean())),
        float(r2),
        int(actual.size),
    )


def classification_report(
    labels: np.ndarray,
    probabilities: np.ndarray,
    threshold: float,
    n_boot: int = 1000,
    random_state: int = 0,
) -> dict[str, Any]:
    """roc_auc (+ bootstrap 95 % interval), pr_auc, brier, ece, precision/recall/f1 at threshold."""
    from sklearn.metrics import average_precision_score

    labels, probabilities = _check_binary(labels, probabilities)
    flagged = probabilities >= threshold
    true_pos = int((flagged & (labels == 1)).sum())
    precision = true_pos / flagged.sum() if flagged.any() else 0.0
    recall = true_pos / labels.sum() if labels.any() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "roc_auc": roc_auc_score(labels, probabilities),
        "roc_auc_ci": list(
            bootstrap_auc_interval(labels, probabilities, n_boot, 0.95, random_state)
        ),
        "pr_auc": float(average_precision_score(labels, probabilities)),
        "brier": float(np.mean((probabilities - labels) ** 2)),
        "ece": expected_calibration_error(labels, probabilities),
        "threshold": threshold,
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "n": int(labels.size),
        "positive_rate": float(labels.mean()),
    }


def amount_report(
    actual: np.ndarray,
    expected_loss: np.ndarray,
    amount_if_leak: np.ndarray,
    flagged: np.ndarray,
    mrr: np.ndarray | None = None,
) -> dict[str, dict[str, float]]:
    """End-to-end (expected loss vs realised, all rows) and true-positive amount errors; with
    `mrr`, the same against the realised amount capped at MRR (`*_capped`), the most any
    estimate may say: a month that leaked more than its MRR (an overage spike, an invoice with
    overage that failed) is an error no bounded estimate can avoid."""
    actual = np.asarray(actual, float)
    amount_if_leak = np.asarray(amount_if_leak, float)
    true_positive = (actual > 0) & np.asarray(flagged, bool)
    report = {
        "end_to_end": asdict(amount_errors(actual, expected_loss)),
        "true_positives": asdict(
            amount_errors(actual[true_positive], amount_if_leak[true_positive])
        ),
    }
    if mrr is not None:
        capped = np.minimum(actual, np.asarray(mrr, float))
        report["end_to_end_capped"] = asdict(amount_errors(capped, expected_loss))
        report["true_positives_capped"] = asdict(
            amount_errors(capped[true_positive], amount_if_leak[true_positive])
        )
    return report


def has_signal(interval: tuple[float, float] | list[float]) -> bool:
    """False when the AUC interval includes 0.5 (no evidence of ranking better than chance).

    Examples:
        >>> has_signal((0.46, 0.58)), has_signal((0.81, 0.84))
        (False, True)
    """
    low, high = interval
    return not low <= 0.5 <= high


__all__ = [
    "AmountErrors",
    "amount_errors",
    "amount_report",
    "bootstrap_auc_interval",
    "classification_report",
    "expected_calibration_error",
    "has_signal",
    "roc_auc_score",
]
