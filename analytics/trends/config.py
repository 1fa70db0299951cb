"""Knobs of the trend scan: one frozen dataclass every module of the scan reads.

Its own module so that the vectorised pieces (window, anomalies) and the scan that drives them
share it without importing each other in a circle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analytics.trends.decline import DeclineThresholds


@dataclass(frozen=True)
class TrendConfig:
    """Knobs of the trend scan (months are calendar months).

    Attributes:
        min_history_months: fewer months since first revenue -> status "new".
        min_active_months: fewer months with positive revenue -> "insufficient_history".
        churn_months: this many trailing months without positive revenue -> "churned".
        seasonal_min_months: months needed before a period-12 seasonal component is fitted.
        seasonal_alpha: significance a seasonal component needs to be removed.
        anomaly_z: |robust z| above which a month is an anomaly.
        clean_z: |z| of the clear outliers left out when the noise is estimated again.
        gap_max_months, gap_min_billed_share: a run of at most this many months without
            revenue, between billed months, in an account billed in at least this share of
            its months, is an anomaly (a missing invoice); see `analytics.trends.anomalies`.
        recent_months: length of the "recent activity" window.
        partial_month_ratio: last-month portfolio total below this x the median of the three
            months before marks the last month partial.
        knee_fraction: asinh scale knee as a fraction of the customer's typical month.
        confidence: level of the slope interval.
        chunk_size: customers per vectorised chunk (bounds memory: ~3 kB per customer-chunk
            row at 24 months).
        decline: thresholds of the decline score and level.
    """

    min_history_months: int = 6
    min_active_months: int = 3
    churn_months: int = 3
    seasonal_min_months: int = 24
    seasonal_alpha: float = 0.001
    anomaly_z: float = 3.5
    clean_z: float = 5.0
    gap_max_months: int = 3
    gap_min_billed_share: float = 0.8
    recent_months: int = 3
    partial_month_ratio: float = 0.6
    knee_fraction: float = 0.05
    confidence: float = 0.95
    chunk_size: int = 10_000
    decline: DeclineThresholds = field(default_factory=DeclineThresholds)

    def __post_init__(self) -> None:
        if self.min_history_months <= self.recent_months:
            raise ValueError("min_history_months must exceed recent_months")
        if min(self.min_active_months, self.churn_months, self.chunk_size) < 1:
            raise ValueError("month counts and chunk_size must be >= 1")
        if self.seasonal_min_months < 24 or self.anomaly_z <= 0:
            raise ValueError("seasonal_min_months must be >= 24 and anomaly_z > 0")
