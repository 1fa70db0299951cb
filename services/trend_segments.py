"""Segments as a service: the cached segmentation, one segment's group statistics.

Re-exported by `services.trends`, which is where callers import them from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from services import trend_store as store
from services.trend_scan import DECLINING_FROM_LEVEL, TrendResult, cached, segment_table


@dataclass(frozen=True)
class SegmentOverview:
    """The cached segmentation: quality numbers and one profile row per segment.

    `segments` columns: segment_id, label (the segment's name), n_customers, share,
    revenue_mean (mean monthly revenue), share_declining, raw feature means and `z_*` mean
    z-scores (radar chart values).
    """

    k: int | None
    silhouette: float | None
    silhouette_by_k: dict[str, float]
    stability_ari: float | None
    segments: pd.DataFrame

    def summary(self) -> dict[str, Any]:
        """Scalars for a compact result."""
        return {
            "n_segments": len(self.segments),
            "k": self.k,
            "silhouette": self.silhouette,
            "stability_ari": self.stability_ari,
        }


def _segment_rows(profiles: pd.DataFrame) -> pd.DataFrame:
    return profiles.reset_index().rename(columns={"name": "label", "mean_revenue": "revenue_mean"})


def segment_overview(result: TrendResult) -> SegmentOverview:
    """The same overview for an in-memory scan (`scan_file`, `scan_warehouse`)."""
    seg = result.segmentation
    if seg is None:
        raise ValueError("too few customers with a judged trend to form segments")
    return SegmentOverview(
        seg.k,
        seg.silhouette,
        {str(k): v for k, v in seg.silhouette_by_k.items()},
        seg.stability_ari,
        _segment_rows(segment_table(result)),
    )


def list_segments(db_path: Path | str, segment_id: int | None = None) -> SegmentOverview:
    """Segments with names, sizes and profiles; one segment when `segment_id` is given."""
    with cached(db_path) as con:
        profiles = store.read_segments(con)
        info = store.cache_info(con)
    if segment_id is not None:
        if segment_id not in profiles.index:
            raise ValueError(f"no segment {segment_id}; segments are {list(profiles.index)}")
        profiles = profiles.loc[[segment_id]]
    return SegmentOverview(
        info.get("k"),
        info.get("silhouette"),
        info.get("silhouette_by_k", {}),
        info.get("stability_ari"),
        _segment_rows(profiles),
    )


@dataclass(frozen=True)
class SegmentReport:
    """Group statistics of one segment (optionally one decline level in it).

    The reference project's group report fed exactly such numbers to its LLM summary.
    `customers` lists the group's members by revenue (customer_id, decline_level,
    monthly_change, relative_slope, revenue_mean, status, n_anomalies).
    """

    segment_id: int
    label: str
    decline_level: int | None
    stats: dict[str, Any]
    profile: dict[str, float]
    customers: pd.DataFrame

    def summary(self) -> dict[str, Any]:
        """Scalars for a compact result."""
        return {
            "segment_id": self.segment_id,
            "label": self.label,
            "decline_level": self.decline_level,
            **self.stats,
        }


def _group_stats(
    group: pd.DataFrame, segment: pd.DataFrame, total_revenue: float
) -> dict[str, Any]:
    revenue = group["mean_revenue"].fillna(0.0)
    levels = group["decline_level"].fillna(0)
    return {
        "n_customers": len(group),
        "share_of_segment": len(group) / max(len(segment), 1),
        "revenue_mean": float(revenue.mean()) if len(group) else 0.0,
        "total_monthly_revenue": float(revenue.sum()),
        "share_of_revenue": float(revenue.sum() / total_revenue) if total_revenue else 0.0,
        "share_declining": float((levels >= DECLINING_FROM_LEVEL).mean()) if len(group) else 0.0,
        "median_relative_slope": float(group["relative_slope"].median()),
        "median_volatility": float(group["volatility"].median()),
        "median_resid_volatility": float(group["resid_volatility"].median()),
        "mean_active_months": float(group["active_months"].mean()),
        "mean_anomalies": float(group["n_anomalies"].mean()),
        "decline_level_counts": {
            int(str(k)): int(v) for k, v in levels.astype(int).value_counts().sort_index().items()
        },
    }


def segment_report(
    db_path: Path | str, segment_id: int, decline_level: int | None = None
) -> SegmentReport:
    """Statistics of a segment (and decline level) for a group report."""
    with cached(db_path) as con:
        metrics = store.read_metrics(con)
        profiles = store.read_segments(con)
    if segment_id not in profiles.index:
        raise ValueError(f"no segment {segment_id}; segments are {list(profiles.index)}")
    segment = metrics[metrics["segment_id"] == segment_id]
    group = segment if decline_level is None else segment[segment["decline_level"] == decline_level]
    stats = _group_stats(group, segment, float(metrics["mean_revenue"].fillna(0).sum()))
    members = (
        group.sort_values("mean_revenue", ascending=False)
        .reset_index()
        .rename(columns={"slope": "monthly_change", "mean_revenue": "revenue_mean"})
    )
    profile = profiles.loc[segment_id]
    z_columns = [str(c) for c in profiles.columns if str(c).startswith("z_")]
    z_values = np.asarray(profiles.loc[segment_id, z_columns], dtype=float)
    return SegmentReport(
        segment_id=segment_id,
        label=str(profile["name"]),
        decline_level=decline_level,
        stats=stats,
        profile={c: float(v) for c, v in zip(z_columns, z_values, strict=True)},
        customers=members[
            [
                "customer_id",
                "decline_level",
                "monthly_change",
                "relative_slope",
                "revenue_mean",
                "status",
                "n_anomalies",
            ]
        ],
    )
