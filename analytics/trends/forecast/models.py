"""The two candidate models of the decline forecast, behind one small interface.

`LogisticModel`: standardised features, L2-regularised logistic regression; a row's drivers
are coef x standardised value (they sum to the log-odds less the intercept).
`BoostedModel`: a small LightGBM (8 leaves, 120 trees of rate 0.08, deterministic); drivers are
LightGBM's TreeSHAP contributions (`pred_contrib`), which cost ~0.2-0.4 ms per row on this
machine, so callers ask for them only for the rows they show.
Both: `fit(matrix, labels) -> self`, `predict(matrix)` probabilities, `contributions(matrix)`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


class LogisticModel:
    """Standardised features, L2 logistic regression; contributions coef x z."""

    def __init__(self, C: float) -> None:  # noqa: N803
        self.C = C

    def fit(self, matrix: FloatArray, labels: NDArray[np.bool_]) -> LogisticModel:
        from sklearn.linear_model import LogisticRegression

        self.mean_ = matrix.mean(axis=0)
        scale = matrix.std(axis=0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        model = LogisticRegression(C=self.C, max_iter=1000)
        model.fit((matrix - self.mean_) / self.scale_, labels)
        self.coef_, self.intercept_ = model.coef_[0], float(model.intercept_[0])
        return self

    def contributions(self, matrix: FloatArray) -> FloatArray:
        return (matrix - self.mean_) / self.scale_ * self.coef_

    def predict(self, matrix: FloatArray) -> FloatArray:
        margin = self.contributions(matrix).sum(axis=1) + self.intercept_
        return 1.0 / (1.0 + np.exp(-margin))


class BoostedModel:
    """A small LightGBM; probabilities from LightGBM, drivers from its TreeSHAP."""

    def __init__(self, random_state: int) -> None:
        self.random_state = random_state

    def fit(self, matrix: FloatArray, labels: NDArray[np.bool_]) -> BoostedModel:
        from lightgbm import LGBMClassifier

        self.model_ = LGBMClassifier(
            n_estimators=120,
            learning_rate=0.08,
            num_leaves=8,
            min_child_samples=100,
            subsample=0.8,
            subsample_freq=1,
            reg_lambda=1.0,
            random_state=self.random_state,
            n_jobs=1,
            deterministic=True,
            force_row_wise=True,
            verbose=-1,
        ).fit(matrix, labels)
        return self

    def contributions(self, matrix: FloatArray) -> FloatArray:
        return np.asarray(self.model_.predict_proba(matrix, pred_contrib=True))[:, :-1]

    def predict(self, matrix: FloatArray) -> FloatArray:
        probability = np.asarray(self.model_.predict_proba(matrix), dtype=float)
        return probability[:, 1]


Model = LogisticModel | BoostedModel


def rank_auc(labels: NDArray[np.bool_], scores: FloatArray) -> float:
    """ROC-AUC by average ranks (ties one half)."""
    from scipy.stats import rankdata

    labels = np.asarray(labels, dtype=bool)
    ranks = rankdata(scores)
    positives, negatives = labels.sum(), (~labels).sum()
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))
