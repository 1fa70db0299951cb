"""Cross-validated Platt calibration of a margin (log-odds) model.

Method: split the training rows into folds (by cutoff month when groups are given, so a fold
never trains on the month it calibrates), fit the model on the other folds, collect the
out-of-fold margins, and fit `logit(p) = slope * margin + intercept` on them. The deployed model
is refit on all rows and mapped through that line.

Why Platt (sigmoid) rather than isotonic: the map is linear in log-odds, so TreeSHAP
contributions scaled by `slope` (plus `intercept` in the bias) still sum *exactly* to the
calibrated log-odds of the probability that is reported. Gradient-boosted log-loss models are
close to calibrated already; the fitted slope and intercept are recorded in the model manifest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PlattCalibration:
    """logit(probability) = slope * margin + intercept."""

    slope: float = 1.0
    intercept: float = 0.0

    def logit(self, margin: np.ndarray) -> np.ndarray:
        """Calibrated log-odds."""
        return self.slope * np.asarray(margin, dtype=float) + self.intercept

    def probability(self, margin: np.ndarray) -> np.ndarray:
        """Calibrated probability in [0, 1].

        Examples:
            >>> PlattCalibration(2.0, 0.0).probability(np.array([0.0])).tolist()
            [0.5]
        """
        return 1.0 / (1.0 + np.exp(-self.logit(margin)))


def fit_platt(margins: np.ndarray, labels: np.ndarray) -> PlattCalibration:
    """Maximum-likelihood Platt scaling (essentially unregularised).

    Examples:
        >>> rng = np.random.default_rng(0)
        >>> m = rng.normal(size=4000); y = rng.random(4000) < 1 / (1 + np.exp(-2 * m))
        >>> round(fit_platt(m, y).slope, 1)
        2.0
    """
    from sklearn.linear_model import LogisticRegression

    labels = np.asarray(labels).astype(int)
    if labels.min() == labels.max():
        raise ValueError("calibration needs both classes among the labels")
    model = LogisticRegression(C=1e6, max_iter=1000)
    model.fit(np.asarray(margins, dtype=float).reshape(-1, 1), labels)
    return PlattCalibration(float(model.coef_[0, 0]), float(model.intercept_[0]))


def out_of_fold_margins(
    fit_predict: Callable[[np.ndarray, np.ndarray], np.ndarray],
    labels: np.ndarray,
    groups: np.ndarray | None = None,
    n_splits: int = 3,
    random_state: int = 0,
) -> np.ndarray:
    """Margins for every row from a model that did not see the row's fold.

    `fit_predict(train_index, test_index)` fits on the train rows and returns margins for the
    test rows. Folds are whole groups (e.g. cutoff months) when `groups` is given, else
    stratified random folds.
    """
    from sklearn.model_selection import GroupKFold, StratifiedKFold

    labels = np.asarray(labels).astype(int)
    if n_splits < 2:
        raise ValueError(f"n_splits must be >= 2, got {n_splits}")
    if groups is not None and len(np.unique(groups)) >= n_splits:
        splits = GroupKFold(n_splits=n_splits).split(labels, labels, groups)
    else:
        splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
        splits = splitter.split(labels, labels)
    margins = np.empty(labels.size)
    for train_index, test_index in splits:
        margins[test_index] = fit_predict(train_index, test_index)
    return margins


__all__ = ["PlattCalibration", "fit_platt", "out_of_fold_margins"]
