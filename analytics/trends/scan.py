"""Per-customer revenue trends: decomposition, robust slope, anomalies, decline level.

Input is a wide revenue table: one row per customer, one column per calendar month (money in
the customer's currency per month, returns as negative values, NaN read as no revenue). The
whole portfolio is processed as one (customers x months) matrix, in chunks, with the
vectorised statistics of `analytics.trends.stats` and `analytics.trends.seasonal`; a single
customer is a one-row portfolio, so the detail view and the portfolio scan always agree.

Method, per customer:

1. Window. Months before the first non-zero month are ignored (the customer did not exist yet);
   later months without revenue count as 0 (a missing invoice or churn is information).
   Amounts are rounded to cents first, so float residue of summed purchases and returns
   (1e-13) is no revenue.
2. Partial last month. A month cut short by the data extract (the retail data stops on
   9 Dec 2011) looks like a portfolio-wide collapse. `detect_partial_last_month` flags the last
   month when the portfolio total falls below `partial_month_ratio` x the median of the three
   months before; a flagged month is dropped from every fit and reported as `partial_month`.
   Callers who know the cut-off date pass `partial_last_month=True/False` instead.
3. Seasonality. With at least `seasonal_min_months` (24) months in the window, a period-12
   seasonal component is fitted robustly to the deviations from a 13-month running median
   (`harmonic_seasonal`) and removed when significant and strong.
   With less, no seasonal model is fitted: one cycle cannot separate season from trend, and
   short-period STL on 13 points (the reference project's period 6) only fits noise.
   The service's detail view also shows statsmodels' robust STL(period=12) trend for
   customers with two years; the tests check both lead to the same decline flags.
4. Trend. Theil–Sen slope of the seasonally adjusted series with Sen's 95 % interval and the
   Mann–Kendall p-value (billing gaps, i.e. missing invoices, left out of the fit);
   `relative_slope` = slope / mean monthly revenue x 100 (% per month), so a £50k and a £50
   account are judged on the same scale.
5. Anomalies. Residuals from a running median of 5 months, on an asinh ("log that accepts
   zero and negatives") scale because revenue noise is multiplicative; z = residual / robust
   noise scale (trimmed RMS of month-to-month changes / sqrt 2, re-estimated without the clear
   outliers); |z| > `anomaly_z` flags a month, and so does a short billing gap in a regularly
   billed account. Details in `analytics.trends.anomalies`.
6. Recent activity. Mean of the last `recent_months` months against the mean before them,
   anomaly months replaced by the running median (billing gaps by the month before them),
   and the fall in units of noise.
7. Status. "no_revenue": no positive month in the window; "churned": no positive revenue for
   the last `churn_months` months, longer than any earlier silence of the customer, after at
   least `min_active_months` active months; "new": fewer than `min_history_months` months
   since the first revenue; "insufficient_history": fewer than `min_active_months` months
   with positive revenue; otherwise "ok". Every customer keeps a row; only "ok" and
   "churned" get a decline level (`analytics.trends.decline`), churned ones level 3.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from analytics.trends.config import TrendConfig
from analytics.trends.decline import decline_scores
from analytics.trends.window import MetricArrays, scan_matrix

STATUSES: tuple[str, ...] = ("ok", "new", "churned", "insufficient_history", "no_revenue")
COMPONENTS: tuple[str, ...] = (
    "revenue",
    "seasonal",
    "adjusted",
    "trend",
    "level",
    "moving_avg_3",
    "resid_z",
    "is_anomaly",
)
OUTPUT_COLUMNS: tuple[str, ...] = (
    "status",
    "slope",
    "slope_ci_low",
    "slope_ci_high",
    "relative_slope",
    "p_value",
    "decline_level",
    "decline_score",
    "resid_std",
    "n_anomalies",
    "anomaly_months",
)


@dataclass(frozen=True)
class TrendScan:
    """Result of `scan_trends`.

    Attributes:
        metrics: one row per customer (index `customer_id`): `OUTPUT_COLUMNS` then supporting
            metrics (months_observed, active_months, mean_revenue, volatility, ...).
        months: the analysed months (partial month excluded).
        partial_month: the dropped partial month, or None.
        components: per-month arrays (customers x months) named in `COMPONENTS`; empty when the
            scan was asked not to keep them.
    """

    metrics: pd.DataFrame
    months: pd.PeriodIndex
    partial_month: pd.Period | None
    components: dict[str, np.ndarray]

    def series(self, customer_id: str) -> pd.DataFrame:
        """One customer's monthly components for charting (index: month)."""
        if not self.components:
            raise ValueError("this scan was run with keep_components=False")
        row = self.metrics.index.get_loc(customer_id)
        data = {name: self.components[name][row] for name in COMPONENTS}
        frame = pd.DataFrame(data, index=self.months.rename("month"))
        frame["is_anomaly"] = frame["is_anomaly"].astype(bool)
        return frame


def _check_revenue(revenue: pd.DataFrame) -> pd.PeriodIndex:
    if revenue.shape[1] == 0:
        raise ValueError("revenue table has no month columns")
    try:
        months = pd.PeriodIndex([pd.Period(str(c)[:7], freq="M") for c in revenue.columns])
    except (ValueError, TypeError) as exc:
        raise ValueError(f"month columns must look like 'YYYY-MM': {exc}") from None
    steps = np.diff(months.asi8)
    if (steps != 1).any():
        bad = months[1:][steps != 1][0]
        raise ValueError(f"month columns must be consecutive and sorted; gap or disorder at {bad}")
    if revenue.index.has_duplicates:
        dup = revenue.index[revenue.index.duplicated()][0]
        raise ValueError(f"customer_id {dup!r} appears more than once")
    values = revenue.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(values).any():
        col = revenue.columns[np.isinf(values).any(axis=0)][0]
        raise ValueError(f"revenue column {col!r} holds an infinite value")
    return months


def detect_partial_last_month(totals: ArrayLike, ratio: float = 0.6) -> bool:
    """Whether the last monthly portfolio total looks cut short by the extract.

    True when the last total is below `ratio` x the median of the (up to) three totals before
    it. Needs at least four months; with fewer it answers False.

    Examples:
        >>> detect_partial_last_month([1000, 1100, 1050, 340])
        True
        >>> detect_partial_last_month([1000, 1100, 1050, 900])
        False
    """
    values = np.asarray(totals, dtype=float)
    if values.size < 4:
        return False
    reference = float(np.median(values[-4:-1]))
    return reference > 0 and float(values[-1]) < ratio * reference


def _anomaly_month_text(flags: np.ndarray, months: pd.PeriodIndex) -> list[str]:
    labels = np.asarray(months.strftime("%Y-%m"), dtype=object)
    rows, cols = np.nonzero(flags)  # row-major: each row's months are contiguous
    text = [""] * flags.shape[0]
    if rows.size == 0:
        return text
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    for row, group in zip(rows[starts], np.split(cols, starts[1:]), strict=True):
        text[row] = ";".join(labels[group])
    return text


def _metrics_frame(
    arrays: MetricArrays, ids: pd.Index, months: pd.PeriodIndex, config: TrendConfig
) -> pd.DataFrame:
    frame = pd.DataFrame(arrays.columns, index=ids)
    frame.index.name = "customer_id"
    frame.insert(0, "status", arrays.status)
    frame["anomaly_months"] = _anomaly_month_text(arrays.anomalies, months)
    first = frame.pop("first_index").to_numpy()
    labels = np.asarray(months.strftime("%Y-%m"), dtype=object)
    frame["first_month"] = pd.Series(
        np.where(first >= 0, labels[np.maximum(first, 0)], None), index=frame.index
    )
    frame = frame.join(decline_scores(frame, config.decline))
    ordered = [c for c in OUTPUT_COLUMNS if c in frame.columns]
    return frame[ordered + [c for c in frame.columns if c not in ordered]]


def scan_trends(
    revenue: pd.DataFrame,
    config: TrendConfig | None = None,
    *,
    partial_last_month: bool | None = None,
    keep_components: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> TrendScan:
    """Trend metrics, statuses and decline levels for every customer of a revenue table.

    `revenue`: index = customer ids, columns = consecutive months ('YYYY-MM', Timestamp or
    Period), values = net revenue per month. `partial_last_month=None` detects a partial last
    month from the portfolio totals (see `detect_partial_last_month`). `progress(done, total)`
    is called after each chunk of customers.

    Examples:
        >>> months = [f"2024-{m:02d}" for m in range(1, 13)]
        >>> table = pd.DataFrame([[100.0 - 6 * i for i in range(12)], [50.0] * 12,
        ...                       [0.0] * 10 + [80.0, 90.0]], index=["A", "B", "C"],
        ...                      columns=months)
        >>> scan = scan_trends(table, partial_last_month=False)
        >>> scan.metrics["status"].tolist(), scan.metrics["slope"].tolist()
        (['ok', 'ok', 'new'], [-6.0, 0.0, nan])
        >>> scan.metrics["decline_level"].tolist()
        [3, 0, <NA>]
    """
    config = config or TrendConfig()
    months = _check_revenue(revenue)
    values = revenue.to_numpy(dtype=float, na_value=np.nan)
    values = np.round(np.nan_to_num(values, nan=0.0), 2)  # float residue such as 1e-13 is 0
    if partial_last_month is None:
        partial_last_month = detect_partial_last_month(
            values.sum(axis=0), config.partial_month_ratio
        )
    partial = months[-1] if partial_last_month and len(months) > 1 else None
    if partial is not None:
        values, months = values[:, :-1], months[:-1]
    arrays = scan_matrix(values, np.asarray(months.month - 1), config, keep_components, progress)
    ids = pd.Index(revenue.index.astype(str), name="customer_id")
    metrics = _metrics_frame(arrays, ids, months, config)
    return TrendScan(metrics, months, partial, arrays.components)


def stl_components(revenue: ArrayLike, period: int = 12) -> pd.DataFrame:
    """statsmodels' robust STL of one monthly series (trend, seasonal, resid), for charts.

    Only meaningful with at least two full periods; raises ValueError otherwise. The scan
    itself uses `harmonic_seasonal` (vectorised, two parameters); STL is the familiar
    reference shown beside it in the detail view, and the tests check that removing either
    seasonal component leads to the same decline flags.

    Examples:
        >>> y = [100 + 20 * ((m % 12) in (10, 11)) for m in range(24)]
        >>> parts = stl_components(y)
        >>> list(parts.columns), len(parts)
        (['trend', 'seasonal', 'resid'], 24)
    """
    from statsmodels.tsa.seasonal import STL

    values = np.asarray(revenue, dtype=float)
    if values.size < 2 * period or np.isnan(values).any():
        raise ValueError(f"STL needs {2 * period} complete months, got {values.size}")
    fit = STL(values, period=period, robust=True).fit()
    return pd.DataFrame({"trend": fit.trend, "seasonal": fit.seasonal, "resid": fit.resid})
