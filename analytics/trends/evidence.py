"""Evidence for "is it declining, or just seasonal?": one customer's seasonal strength and
the same months a year earlier, or that the history is too short to tell.

Contract: `seasonal_evidence(revenue, seasonal, trend)` takes one customer's monthly series
(index 'YYYY-MM', oldest first) and returns a frozen `SeasonalEvidence`. Method: seasonal
strength F_S = max(0, 1 - Var(R) / Var(S + R)) with R = revenue - trend - seasonal
(Hyndman & Athanasopoulos, FPP3 §4.3; 0 = no seasonality, above ~0.6 strong), and the
latest `compare` months against the same calendar months twelve months earlier. Reason:
with fewer than two full years a seasonal pattern cannot be told from a trend (each
calendar month is seen once), so the answer says so instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_MONTHS = 24
"""Two full years: each calendar month seen twice."""


@dataclass(frozen=True)
class SeasonalEvidence:
    n_months: int
    enough_history: bool
    strength: float | None
    """F_S in [0, 1]; None without enough history."""
    same_months: tuple[tuple[str, float, float], ...]
    """(month, revenue, revenue twelve months earlier), latest months first."""


def seasonal_evidence(
    revenue: pd.Series, seasonal: pd.Series, trend: pd.Series, compare: int = 3
) -> SeasonalEvidence:
    """The seasonal evidence of one customer's revenue.

    Examples:
        >>> months = pd.period_range("2024-01", periods=24, freq="M").strftime("%Y-%m")
        >>> s = pd.Series(np.tile([0.0, 10.0] * 6, 2), index=months)
        >>> t = pd.Series(100.0, index=months)
        >>> e = seasonal_evidence(t + s, s, t)
        >>> e.enough_history, round(e.strength, 2), e.same_months[0]
        (True, 1.0, ('2025-12', 110.0, 110.0))
        >>> seasonal_evidence(t[:10], s[:10], t[:10]).strength is None
        True
    """
    values = pd.to_numeric(revenue, errors="coerce").astype(float)
    n_months = int(values.notna().sum())
    if n_months < MIN_MONTHS:
        return SeasonalEvidence(n_months, False, None, ())
    s = pd.to_numeric(seasonal, errors="coerce").astype(float).fillna(0.0)
    remainder = values - pd.to_numeric(trend, errors="coerce").astype(float) - s
    both = (s + remainder).dropna()
    spread = float(np.var(both)) if len(both) > 1 else 0.0
    strength = 0.0 if spread == 0 else max(0.0, 1.0 - float(np.var(remainder.dropna())) / spread)
    months = list(values.index)
    pairs = []
    for index in range(len(months) - 1, max(len(months) - 1 - compare, 11), -1):
        now, before = values.iloc[index], values.iloc[index - 12]
        if now == now and before == before:
            pairs.append((str(months[index]), round(float(now), 2), round(float(before), 2)))
    return SeasonalEvidence(n_months, True, round(min(strength, 1.0), 3), tuple(pairs))


def recent_change(revenue: pd.Series, months: int = 3) -> dict[str, float | None]:
    """What revenue has already done: the mean of the latest `months` months against the
    `months` before them and against the same months a year earlier (None where the history
    does not reach; a change is None when its earlier mean is not positive).

    Why: the decline forecast is about the months ahead, from the revenue of the last six
    months; a customer that already lost most of its revenue can score low there (rt8 D3:
    20,000 a month for a year, then 9,000 falling to 4,000). The answer says what happened,
    beside what the forecast expects.

    Examples:
        >>> revenue = pd.Series([20_000.0] * 12 + [9_000, 8_000, 7_000, 6_000, 5_000, 4_000])
        >>> [round(v, 3) for v in recent_change(revenue).values()]
        [5000.0, 8000.0, -0.375, 20000.0, -0.75]
        >>> short = recent_change(revenue[-6:])  # half a year: no year-earlier months
        >>> short["previous_mean"], short["year_ago_mean"], short["year_ago_change"]
        (8000.0, None, None)
    """
    values = revenue.fillna(0.0).to_numpy(dtype=float)

    def mean_at(end: int) -> float | None:
        return float(values[end - months : end].mean()) if end >= months else None

    recent = mean_at(len(values))
    previous = mean_at(len(values) - months)
    year_ago = mean_at(len(values) - 12)

    def change(before: float | None) -> float | None:
        return None if recent is None or not before or before <= 0 else recent / before - 1

    return {
        "recent_mean": recent,
        "previous_mean": previous,
        "previous_change": change(previous),
        "year_ago_mean": year_ago,
        "year_ago_change": change(year_ago),
    }
