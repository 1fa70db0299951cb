"""The vectorised core of the trend scan: a (customers x months) matrix in, metric arrays out.

Split from `analytics.trends.scan` (which documents the method) to keep modules small. Work is done
in chunks of `config.chunk_size` customers so that the pairwise-slope matrix (276 columns at
24 months) stays a few tens of megabytes whatever the portfolio size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from analytics.trends.anomalies import anomaly_scores
from analytics.trends.seasonal import harmonic_seasonal
from analytics.trends.stats import (
    difference_scale,
    running_level,
    trailing_mean,
    trend_tests,
)

if TYPE_CHECKING:
    from analytics.trends.config import TrendConfig

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class MetricArrays:
    """Per-customer metric columns, status, anomaly flags and (optionally) components."""

    status: NDArray[np.object_]
    columns: dict[str, np.ndarray]
    anomalies: NDArray[np.bool_]
    components: dict[str, np.ndarray]


def _window(values: FloatArray) -> tuple[FloatArray, NDArray[np.int64]]:
    """Mask months before the first non-zero month with NaN; index of that month (-1: none)."""
    nonzero = values != 0
    has_any = nonzero.any(axis=1)
    first = np.where(has_any, nonzero.argmax(axis=1), -1)
    start = np.where(has_any, first, values.shape[1])
    inside = np.arange(values.shape[1])[None, :] >= start[:, None]
    return np.where(inside, values, np.nan), first


def _longest_earlier_silence(y: FloatArray) -> NDArray[np.int64]:
    """Longest run of months without positive revenue before each row's last positive month."""
    run = np.zeros(y.shape[0], dtype=np.int64)
    longest = np.zeros(y.shape[0], dtype=np.int64)
    pending = np.zeros(y.shape[0], dtype=np.int64)  # longest run seen, not yet closed
    for month in range(y.shape[1]):
        column = y[:, month]
        positive = column > 0
        longest = np.where(positive, np.maximum(longest, pending), longest)
        run = np.where(positive | np.isnan(column), 0, run + 1)
        pending = np.where(positive, 0, np.maximum(pending, run))
    return longest


def _status(y: FloatArray, cols: dict[str, np.ndarray], config: TrendConfig) -> NDArray[np.object_]:
    """Status of each row; the rules are in the `analytics.trends.scan` module docstring (7)."""
    observed, active = cols["months_observed"], cols["active_months"]
    silent = cols["months_since_last_revenue"]
    churned = (
        (silent >= config.churn_months)
        & (silent > _longest_earlier_silence(y))
        & (active >= config.min_active_months)
    )
    return np.select(
        [
            active == 0,
            churned,
            observed < config.min_history_months,
            active < config.min_active_months,
        ],
        ["no_revenue", "churned", "new", "insufficient_history"],
        "ok",
    ).astype(object)


def _row_mean(values: FloatArray) -> FloatArray:
    """Mean of each row's non-NaN values; NaN for an all-NaN row (without a warning)."""
    count = np.sum(~np.isnan(values), axis=1)
    total = np.nansum(values, axis=1)
    return np.divide(total, count, out=np.full(total.shape, np.nan), where=count > 0)


def _activity(y: FloatArray) -> dict[str, np.ndarray]:
    n_months = y.shape[1]
    positive = y > 0
    last_positive = n_months - 1 - positive[:, ::-1].argmax(axis=1)
    active = positive.sum(axis=1)
    mean = _row_mean(y)
    count = np.sum(~np.isnan(y), axis=1)
    deviations = np.nansum((y - mean[:, None]) ** 2, axis=1)
    spread = np.sqrt(
        np.divide(deviations, count - 1, out=np.full(count.shape, np.nan), where=count > 1)
    )
    return {
        "months_observed": np.sum(~np.isnan(y), axis=1),
        "active_months": active,
        "months_since_last_revenue": np.where(active > 0, n_months - 1 - last_positive, -1),
        "mean_revenue": mean,
        "volatility": np.divide(spread, mean, out=np.full(mean.shape, np.nan), where=mean > 0),
    }


def _seasonal(
    y: FloatArray, month_of_year: np.ndarray, status: np.ndarray, config: TrendConfig
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Seasonal component where two years of an active ("ok") history show one; else 0."""
    seasonal = np.where(np.isnan(y), np.nan, 0.0)
    found = np.zeros(y.shape[0], dtype=bool)
    long_rows = np.sum(~np.isnan(y), axis=1) >= config.seasonal_min_months
    long_rows &= status == "ok"
    if long_rows.any():
        part, significant = harmonic_seasonal(
            y[long_rows], month_of_year, alpha=config.seasonal_alpha
        )
        seasonal[long_rows], found[long_rows] = part, significant
    return seasonal, found


def _carry_over_gaps(values: FloatArray, gaps: np.ndarray) -> FloatArray:
    """Gap months take the value of the month before the gap (forward fill)."""
    out = values.copy()
    for month in range(1, out.shape[1]):
        out[:, month] = np.where(gaps[:, month], out[:, month - 1], out[:, month])
    return out


def _recent(
    cleaned: FloatArray, noise: np.ndarray, months_observed: np.ndarray, recent_months: int
) -> dict[str, np.ndarray]:
    recent = cleaned[:, -recent_months:].mean(axis=1)
    before = _row_mean(cleaned[:, :-recent_months])
    with np.errstate(invalid="ignore", divide="ignore"):
        n_before = np.maximum(months_observed - recent_months, 1)
        spread = np.maximum(noise, 0.02 * np.abs(before))
        drop_z = (before - recent) / (spread * np.sqrt(1 / recent_months + 1 / n_before))
        ratio = np.where(before > 0, recent / before, np.nan)
    enough = months_observed >= recent_months + 3
    return {
        "recent_ratio": np.where(enough, ratio, np.nan),
        "recent_drop_z": np.where(enough, drop_z, np.nan),
    }


def _scan_chunk(
    values: FloatArray, month_of_year: np.ndarray, config: TrendConfig
) -> tuple[NDArray[np.object_], dict[str, np.ndarray], dict[str, np.ndarray]]:
    y, first = _window(values)
    cols = _activity(y) | {"first_index": first}
    status = _status(y, cols, config)
    seasonal, found = _seasonal(y, month_of_year, status, config)
    adjusted = y - seasonal
    mean = cols["mean_revenue"]
    level = running_level(adjusted)
    eligible = np.isin(status, ("ok", "churned"))
    z, flags, gaps = anomaly_scores(adjusted, level, eligible, config)
    # A missing invoice says nothing about the trend: billing gaps stay out of the fit.
    tests = trend_tests(np.where(gaps, np.nan, adjusted), confidence=config.confidence)
    noise = difference_scale(adjusted)
    cleaned = _carry_over_gaps(np.where(flags, level, adjusted), gaps)
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = np.where(mean > 0, 100.0 * tests.slope / mean, np.nan)
        resid_volatility = np.where(mean > 0, noise / mean, np.nan)
    cols |= {
        "slope": tests.slope,
        "slope_ci_low": tests.slope_ci_low,
        "slope_ci_high": tests.slope_ci_high,
        "relative_slope": relative,
        "p_value": tests.p_value,
        "mk_z": tests.mk_z,
        "resid_std": noise,
        "resid_volatility": resid_volatility,
        "n_anomalies": flags.sum(axis=1),
        "seasonal": found,
    } | _recent(cleaned, noise, cols["months_observed"], config.recent_months)
    line = tests.intercept[:, None] + tests.slope[:, None] * np.arange(y.shape[1])
    components = {
        "revenue": y,
        "seasonal": seasonal,
        "adjusted": adjusted,
        "trend": np.where(np.isnan(y), np.nan, line),
        "level": level,
        "moving_avg_3": trailing_mean(y),
        "resid_z": z,
        "is_anomaly": flags,
    }
    return status, cols, components


def scan_matrix(
    values: FloatArray,
    month_of_year: np.ndarray,
    config: TrendConfig,
    keep_components: bool,
    progress: Callable[[int, int], None] | None = None,
) -> MetricArrays:
    """Run the scan chunk by chunk and stitch the pieces together.

    `progress(done, total)` is called after each chunk (customers done so far).
    """
    total = values.shape[0]
    parts = []
    for start in range(0, max(total, 1), config.chunk_size):
        parts.append(_scan_chunk(values[start : start + config.chunk_size], month_of_year, config))
        if progress is not None:
            progress(min(start + config.chunk_size, total), total)
    status = np.concatenate([p[0] for p in parts])
    columns = {k: np.concatenate([p[1][k] for p in parts]) for k in parts[0][1]}
    anomalies = np.concatenate([p[2]["is_anomaly"] for p in parts])
    components: dict[str, np.ndarray] = {}
    if keep_components:
        components = {k: np.concatenate([p[2][k] for p in parts]) for k in parts[0][2]}
    return MetricArrays(status, columns, anomalies, components)
