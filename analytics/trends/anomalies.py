"""Anomaly months: robust residual z-scores on a log-like scale, plus billing gaps.

Rows are customers, columns months (NaN outside the window), values the seasonally adjusted
revenue; `level` is its running median (`analytics.trends.stats.running_level`).

1. Scale. Revenue noise is multiplicative, so residuals are taken on an asinh scale
   (asinh(y / 2c) ~ log(y / c) for y >> c, linear through zero and negatives; the knee c is
   `knee_fraction` of the customer's typical month): a +50 % month is as unusual for a
   £50k account as for a £50 one.
2. Noise. The robust noise sd comes from month-to-month changes (`difference_scale`), computed
   twice: once on the series, then again with the clear outliers (|z| > `clean_z`) and billing
   gaps replaced by the level, because each anomaly spoils two changes and inflates the first
   estimate (by ~25 % with one anomaly in 24 months, measured on the demo world).
   It never goes below `MIN_LOG_SCALE` nor below 0.7 x one billing unit (the smallest
   month-to-month change seen): for an account billed in whole seats, one seat more or less
   is not an anomaly on its own.
3. Flags. |z| > `anomaly_z` flags a month; so does a billing gap: up to `gap_max_months`
   months without revenue between billed months of an account billed in at least
   `gap_min_billed_share` of its months, or fewer than `churn_months` such months at the end
   (a missing invoice need not be statistically extreme to matter, and two or three in a row
   fool any running median). For the recent-activity evidence of decline, gap months count
   at the level before the gap: a short silence is an anomaly; it becomes churn, and decline,
   when it reaches `churn_months`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from analytics.trends.stats import FloatArray, difference_scale, row_median

if TYPE_CHECKING:
    from analytics.trends.config import TrendConfig

MIN_LOG_SCALE = 0.02
"""Smallest noise scale on the asinh (≈ log) scale: moves under ~2 % are never anomalies."""
RESOLUTION_SHARE = 0.7
"""Noise floor as a share of one billing unit (log size of the smallest change seen)."""


def _resolution_floor(adjusted: FloatArray, typical: FloatArray) -> FloatArray:
    """0.7 x log(1 + smallest non-zero month-to-month change / typical month), per row."""
    changes = np.abs(np.diff(adjusted, axis=1))
    tiny = 1e-9 * np.nan_to_num(typical)[:, None]
    changes = np.where(changes > tiny, changes, np.inf)  # NaN compares False: dropped too
    smallest = changes.min(axis=1, initial=np.inf)
    ratio = np.where(np.isfinite(smallest), smallest / np.maximum(typical, 1e-9), 0.0)
    return np.maximum(MIN_LOG_SCALE, RESOLUTION_SHARE * np.log1p(np.nan_to_num(ratio)))


def _run_lengths(mask: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Length of the run of True each True element belongs to (0 for False)."""
    forward = np.zeros(mask.shape, dtype=np.int64)
    backward = np.zeros(mask.shape, dtype=np.int64)
    count = np.zeros(mask.shape[0], dtype=np.int64)
    for month in range(mask.shape[1]):
        count = np.where(mask[:, month], count + 1, 0)
        forward[:, month] = count
    count[:] = 0
    for month in range(mask.shape[1] - 1, -1, -1):
        count = np.where(mask[:, month], count + 1, 0)
        backward[:, month] = count
    return np.where(mask, forward + backward - 1, 0)


def billing_gaps(
    values: FloatArray,
    max_months: int = 3,
    min_billed_share: float = 0.8,
    max_trailing: int = 2,
) -> NDArray[np.bool_]:
    """Months without revenue after a billed month, in regularly billed rows.

    A gap is a run of at most `max_months` empty months followed by a billed month, or a
    final run of at most `max_trailing` empty months (longer final silence is churn, see
    `TrendConfig.churn_months`). Rows billed in fewer than `min_billed_share` of their months
    buy intermittently: their empty months are normal and never gaps.

    Examples:
        >>> y = np.array([[5.0, 5, 0, 5, 5, 5, 5, 5, 5, 0], [5, 0, 0, 0, 0, 5, 0, 5, 0, 5]])
        >>> billing_gaps(y).astype(int)
        array([[0, 0, 1, 0, 0, 0, 0, 0, 0, 1],
               [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]])
    """
    valid = ~np.isnan(values)
    billed = valid & (values != 0)
    empty = valid & (values == 0)
    before = np.maximum.accumulate(billed, axis=1)
    after = np.maximum.accumulate(billed[:, ::-1], axis=1)[:, ::-1]
    share = billed.sum(axis=1) / np.maximum(valid.sum(axis=1), 1)
    runs = _run_lengths(empty)
    short = np.where(after, runs <= max_months, runs <= max_trailing)
    return empty & before & short & (share >= min_billed_share)[:, None]


def anomaly_scores(
    adjusted: FloatArray, level: FloatArray, eligible: NDArray[np.bool_], config: TrendConfig
) -> tuple[FloatArray, NDArray[np.bool_], NDArray[np.bool_]]:
    """Robust z of each month, the anomaly flags and the billing gaps (`eligible` rows only)."""
    typical = row_median(np.where(adjusted != 0, np.abs(adjusted), np.nan))
    knee = 2.0 * np.maximum(config.knee_fraction * np.nan_to_num(typical), 1e-9)[:, None]
    scaled = np.arcsinh(adjusted / knee)
    scaled_level = np.arcsinh(level / knee)
    floor = _resolution_floor(adjusted, typical)
    gaps = eligible[:, None] & billing_gaps(
        adjusted, config.gap_max_months, config.gap_min_billed_share, config.churn_months - 1
    )
    scale = np.maximum(np.nan_to_num(difference_scale(scaled)), floor)
    z = (scaled - scaled_level) / scale[:, None]
    clear = gaps | (np.abs(np.nan_to_num(z)) > config.clean_z)
    cleaned = np.where(clear, scaled_level, scaled)
    scale = np.maximum(np.nan_to_num(difference_scale(cleaned)), floor)
    z = (scaled - scaled_level) / scale[:, None]
    flags = eligible[:, None] & (gaps | (np.abs(np.nan_to_num(z)) > config.anomaly_z))
    return z, flags, gaps
