"""Revenue trends, pure: the vectorised per-customer scan (robust slope, seasonality,
anomalies) as the explanation, the decline forecast (`decline_probability`, its bands as
`decline_level`) as the verdict, and their backtests.

Imports numpy, pandas, scipy and statsmodels only; no I/O, no DuckDB. Used by `services.trends`.
"""

from __future__ import annotations

from analytics.trends.backtest import backtest_outcomes, detection_scores, summarise_backtest
from analytics.trends.decline import DeclineThresholds, decline_scores, with_forecast
from analytics.trends.evidence import SeasonalEvidence, recent_change, seasonal_evidence
from analytics.trends.forecast import (
    BASELINES,
    MIN_CLASS_ROWS,
    MIN_EVENTS_PER_FEATURE,
    OUTCOME_NAMES,
    DeclineBands,
    DeclineForecaster,
    DeclineOutcome,
    NotEnoughHistoryError,
    compare_with_truth,
    cutoff_positions,
    enough_history,
    features_at,
    forecast_backtest,
    forecast_decline,
    outcome_at,
    probabilities_at,
)
from analytics.trends.scan import (
    COMPONENTS,
    OUTPUT_COLUMNS,
    TrendConfig,
    TrendScan,
    detect_partial_last_month,
    scan_trends,
    stl_components,
)
from analytics.trends.seasonal import harmonic_seasonal
from analytics.trends.stats import difference_scale, running_level, trend_tests

__all__ = [
    "BASELINES",
    "COMPONENTS",
    "MIN_CLASS_ROWS",
    "MIN_EVENTS_PER_FEATURE",
    "OUTCOME_NAMES",
    "OUTPUT_COLUMNS",
    "DeclineBands",
    "DeclineForecaster",
    "DeclineOutcome",
    "DeclineThresholds",
    "NotEnoughHistoryError",
    "SeasonalEvidence",
    "TrendConfig",
    "TrendScan",
    "backtest_outcomes",
    "compare_with_truth",
    "cutoff_positions",
    "decline_scores",
    "detect_partial_last_month",
    "detection_scores",
    "difference_scale",
    "enough_history",
    "features_at",
    "forecast_backtest",
    "forecast_decline",
    "harmonic_seasonal",
    "outcome_at",
    "probabilities_at",
    "recent_change",
    "running_level",
    "scan_trends",
    "seasonal_evidence",
    "stl_components",
    "summarise_backtest",
    "trend_tests",
    "with_forecast",
]
