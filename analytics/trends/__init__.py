"""Revenue trends, pure: the vectorised per-customer scan (robust slope, seasonality,
anomalies, decline level) and the backtest of its decline flags.

Imports numpy, pandas, scipy and statsmodels only; no I/O, no DuckDB. Used by `services.trends`.
"""

from __future__ import annotations

from analytics.trends.backtest import backtest_outcomes, detection_scores, summarise_backtest
from analytics.trends.decline import DeclineThresholds, decline_scores
from analytics.trends.evidence import SeasonalEvidence, seasonal_evidence
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
    "COMPONENTS",
    "OUTPUT_COLUMNS",
    "DeclineThresholds",
    "SeasonalEvidence",
    "TrendConfig",
    "TrendScan",
    "backtest_outcomes",
    "decline_scores",
    "detect_partial_last_month",
    "detection_scores",
    "difference_scale",
    "harmonic_seasonal",
    "running_level",
    "scan_trends",
    "seasonal_evidence",
    "stl_components",
    "summarise_backtest",
    "trend_tests",
]
