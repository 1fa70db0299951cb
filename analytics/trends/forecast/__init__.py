"""The decline forecast: the calibrated probability that a customer's revenue over the next H
months falls below half of its own baseline, learned from the book's own history.

`features` computes features as of a cut-off T (reading only months ≤ T) and the outcome from
T+1…T+H; `models` holds the two candidates (regularised logistic regression, small LightGBM);
`estimator.DeclineForecaster` fits both on earlier cut-offs and keeps the one that ranks
better on the latest cut-off whose outcome is known; `backtest` is the forward backtest with
customer-cluster bootstrap intervals and paired differences to the baselines. Pure: numpy,
pandas, scikit-learn and LightGBM only.
"""

from __future__ import annotations

from analytics.trends.forecast.backtest import (
    BASELINES,
    MIN_CLASS_ROWS,
    calibration_error,
    cluster_weights,
    compare_with_truth,
    forecast_backtest,
    probabilities_at,
    roc_auc,
)
from analytics.trends.forecast.estimator import (
    MIN_EVENTS_PER_FEATURE,
    DeclineBands,
    DeclineForecaster,
    NotEnoughHistoryError,
    cutoff_positions,
    enough_history,
    forecast_decline,
)
from analytics.trends.forecast.features import (
    OUTCOME_NAMES,
    DeclineOutcome,
    features_at,
    outcome_at,
)

__all__ = [
    "BASELINES",
    "MIN_CLASS_ROWS",
    "MIN_EVENTS_PER_FEATURE",
    "OUTCOME_NAMES",
    "DeclineBands",
    "DeclineForecaster",
    "DeclineOutcome",
    "NotEnoughHistoryError",
    "calibration_error",
    "cluster_weights",
    "compare_with_truth",
    "cutoff_positions",
    "enough_history",
    "features_at",
    "forecast_backtest",
    "forecast_decline",
    "outcome_at",
    "probabilities_at",
    "roc_auc",
]
