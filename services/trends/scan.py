"""Scanning the portfolio and keeping the trend cache in the warehouse up to date.

Portfolio questions read the cache (`services.trends.store`) through `cached`, which never
writes: writers (`revrisk demo`, `revrisk import`, `revrisk refresh`, `revrisk trend scan`)
rebuild it under the warehouse's writer lock, and readers answer from the last complete cache
meanwhile (issue 11: readers that rebuilt it failed with DuckDB's raw lock error during an
import). One-off scans
(`--input FILE`, `--until`) compute in memory and leave the cache alone.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from analytics.segments import Segmentation, segment_customers
from analytics.trends import (
    DeclineBands,
    DeclineForecaster,
    DeclineOutcome,
    TrendConfig,
    TrendScan,
    detect_partial_last_month,
    forecast_decline,
    scan_trends,
    with_forecast,
)
from data.progress import Progress
from data.warehouse import (
    CachesNotBuiltError,
    WarehouseBusyError,
    connect,
    get_meta,
    writer_active,
    writer_lock,
)
from services.trends import store
from services.trends.input import read_revenue_file, warehouse_revenue

DECLINING_FROM_LEVEL = 1
"""A customer counts as declining (flags, shares, evaluation) from this decline level up."""


@dataclass(frozen=True)
class TrendResult:
    """A full scan: metrics (with segment_id/segment_name and the decline forecast), the scan,
    the segmentation and the fitted forecaster (None when the history is too short).

    `decline_level` is the band of the forecast's probability when the forecast learned from
    enough declines; without a forecast, or with a thin one (a small company's book: rt10's six
    customers, three of them falling 5-15 % a month, all read 1 % and "0 customers declining"),
    it is the scan's descriptive level of the revenue so far (`analytics.trends.decline`: how
    clearly it is already falling, F1 0.922 against the demo's archetypes), and
    `forecast_info()["decline_verdict"]` says "so_far"."""

    metrics: pd.DataFrame
    scan: TrendScan
    segmentation: Segmentation | None
    forecaster: DeclineForecaster | None = None
    outcome: DeclineOutcome = field(default_factory=DeclineOutcome)

    def forecast_info(self) -> dict[str, Any]:
        """What the forecast predicts and which model it chose (for reports and the cache)."""
        model = self.forecaster
        return {
            "decline_definition": self.outcome.describe(),
            "horizon_months": self.outcome.horizon,
            "baseline_months": self.outcome.baseline_months,
            "forecast_model": None if model is None else model.model_,
            "forecast_validation_auc": {} if model is None else model.validation_auc_,
            "forecast_training_rows": None if model is None else model.n_rows_,
            "forecast_training_declines": None if model is None else model.n_events_,
            "forecast_events_per_feature": (
                None if model is None else round(model.events_per_feature, 1)
            ),
            "forecast_thin": model is not None and model.thin,
            "decline_verdict": "forecast" if model is not None and not model.thin else "so_far",
        }


@dataclass(frozen=True)
class CacheStatus:
    """Outcome of `refresh_trend_cache`."""

    data_version: str
    refreshed: bool
    n_customers: int
    seconds: float
    info: dict[str, Any]


def _limit(
    revenue: pd.DataFrame, until: str | None, config: TrendConfig
) -> tuple[pd.DataFrame, bool]:
    """Months up to `until` ('YYYY-MM'); whether the (kept) last month is partial."""
    partial = detect_partial_last_month(revenue.sum(axis=0).to_numpy(), config.partial_month_ratio)
    if until is None:
        return revenue, partial
    labels = [str(c)[:7] for c in revenue.columns]
    label = str(pd.Period(until, freq="M")) if until else ""
    if label not in labels:
        raise ValueError(f"--until {until} is outside the data ({labels[0]} to {labels[-1]})")
    position = labels.index(label)
    return revenue.iloc[:, : position + 1], partial and position == len(labels) - 1


MIN_TREND_MONTHS = 2
"""A scan of one month has no month-to-month change to measure (it failed inside numpy)."""


def analyse_revenue(
    revenue: pd.DataFrame,
    *,
    until: str | None = None,
    k: int | None = None,
    random_state: int = 0,
    config: TrendConfig | None = None,
    outcome: DeclineOutcome | None = None,
    bands: DeclineBands | None = None,
    progress: Progress | None = None,
) -> TrendResult:
    """Trend scan, decline forecast and segmentation of a wide revenue table.

    The scan (`analytics.trends.scan`) is the explanation; the forecast
    (`analytics.trends.forecast`, fitted on this table's own past) gives `decline_probability`,
    its band `decline_level` and the churned status.
    """
    config = config or TrendConfig()
    outcome = outcome or DeclineOutcome()
    revenue, partial = _limit(revenue, until, config)
    if revenue.shape[1] < MIN_TREND_MONTHS:
        covered = ", ".join(str(c)[:7] for c in revenue.columns) or "none"
        raise ValueError(
            f"too few months for trends: the revenue covers {revenue.shape[1]} month(s) "
            f"({covered}); a trend needs at least {MIN_TREND_MONTHS}"
        )
    scan = scan_trends(revenue, config, partial_last_month=partial, progress=progress)
    complete = revenue.iloc[:, : len(scan.months)]  # without a partial last month
    scores, forecaster = forecast_decline(complete, outcome, bands)
    try:
        segmentation: Segmentation | None = segment_customers(
            scan.metrics, k, random_state=random_state
        )
    except ValueError:
        if k is not None:
            raise
        segmentation = None  # too few judged customers to segment
    metrics = with_forecast(scan.metrics, scores, config.min_history_months)
    if forecaster is None or forecaster.thin:  # the verdict falls back to the revenue so far
        described = scan.metrics["decline_level"].reindex(metrics.index).astype("Int64")
        described[metrics["status"] == "churned"] = None  # outside the forecast too (NA)
        metrics["decline_level"] = described
    if segmentation is None:
        metrics["segment_id"] = pd.Series(pd.NA, index=metrics.index, dtype="Int64")
        metrics["segment_name"] = None
    else:
        metrics["segment_id"] = segmentation.labels
        names = segmentation.profiles["name"]
        metrics["segment_name"] = metrics["segment_id"].map(names.to_dict()).astype(object)
    return TrendResult(metrics, scan, segmentation, forecaster, outcome)


def scan_file(path: Path | str, **options: Any) -> TrendResult:
    """`analyse_revenue` on a pivot or long revenue file (see `services.trends.input`)."""
    return analyse_revenue(read_revenue_file(path), **options)


def scan_warehouse(db_path: Path | str, **options: Any) -> TrendResult:
    """`analyse_revenue` on the warehouse's monthly revenue, in memory (cache untouched)."""
    with connect(db_path, read_only=True) as con:
        revenue = warehouse_revenue(con)
    return analyse_revenue(revenue, **options)


def segment_table(result: TrendResult) -> pd.DataFrame:
    """Segment profiles plus each segment's share of declining customers (cache layout)."""
    if result.segmentation is None:
        return pd.DataFrame(
            columns=["name", "n_customers", "share", "mean_revenue", "share_declining"]
        ).rename_axis("segment_id")
    profiles = result.segmentation.profiles.copy()
    levels = result.metrics["decline_level"].fillna(0)
    declining = (levels >= DECLINING_FROM_LEVEL).groupby(result.metrics["segment_id"]).mean()
    profiles.insert(4, "share_declining", declining.reindex(profiles.index).fillna(0.0))
    return profiles


def refresh_trend_cache(
    db_path: Path | str,
    *,
    force: bool = False,
    random_state: int = 0,
    progress: Progress | None = None,
) -> CacheStatus:
    """Rebuild `trend_metrics`, `trend_series` and `segments` if the data changed (or `force`),
    under the warehouse's writer lock."""
    started = time.perf_counter()
    with writer_lock(db_path), connect(db_path) as con:
        version = store.current_version(con)
        if store.is_fresh(con) and not force:
            count = con.execute("SELECT count(*) FROM trend_metrics").fetchone()
            return CacheStatus(
                version,
                False,
                int(count[0]) if count else 0,
                time.perf_counter() - started,
                store.cache_info(con),
            )
        result = analyse_revenue(
            warehouse_revenue(con), random_state=random_state, progress=progress
        )
        seg = result.segmentation
        info = {
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "first_month": str(result.scan.months[0]),
            "last_month": str(result.scan.months[-1]),
            "partial_month": None
            if result.scan.partial_month is None
            else str(result.scan.partial_month),
            "k": seg.k if seg else None,
            "silhouette": seg.silhouette if seg else None,
            "silhouette_by_k": {str(k): v for k, v in seg.silhouette_by_k.items()} if seg else {},
            "stability_ari": seg.stability_ari if seg else None,
            "random_state": random_state,
            **result.forecast_info(),
        }
        store.write_cache(
            con,
            result.metrics.drop(columns="segment_name"),
            store.series_frame(result.scan),
            segment_table(result),
            info,
            version,
        )
    return CacheStatus(version, True, len(result.metrics), time.perf_counter() - started, info)


@contextmanager
def cached(db_path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the last complete trend cache (never rebuilt here).

    Raises:
        WarehouseBusyError: no cache yet and an update is running.
        CachesNotBuiltError: no cache and no update running (names the command).
    """
    with connect(db_path, read_only=True) as con:
        if get_meta(con, store.VERSION_KEY) is None:
            if writer_active(db_path):
                raise WarehouseBusyError()
            raise CachesNotBuiltError(
                "The trend figures of this warehouse have not been computed yet: run "
                "`revrisk refresh` (`revrisk demo` and `revrisk import` compute them too)."
            )
        yield con
