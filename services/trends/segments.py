"""Segments as a service: the cached segmentation, one segment's group statistics.

Re-exported by `services.trends.service`, which is where callers import them from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from services.trends import store
from services.trends.scan import DECLINING_FROM_LEVEL, TrendResult, cached, segment_table


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


_GROUP_STATS = """
SELECT count(*), coalesce(sum(coalesce(m.mean_revenue, 0)), 0),
       avg(coalesce(m.mean_revenue, 0)),
       avg(CASE WHEN coalesce(m.decline_level, 0) >= ? THEN 1.0 ELSE 0.0 END),
       median(m.relative_slope), median(m.volatility), median(m.resid_volatility),
       avg(m.active_months), avg(m.n_anomalies)
FROM trend_metrics m WHERE {where}"""
_MEMBER_COLUMNS = (
    "decline_level",
    "slope",
    "relative_slope",
    "mean_revenue",
    "status",
    "n_anomalies",
)


def _number(value: Any) -> float:
    """A SQL aggregate as a float; NULL (no rows, or no values) becomes NaN as in pandas."""
    return float("nan") if value is None else float(value)


def _group_stats(
    con: duckdb.DuckDBPyConnection, where: str, params: list[Any], segment_id: int
) -> dict[str, Any]:
    """The group's statistics, aggregated in DuckDB. A customer without a mean revenue
    counts 0 and one without a decline level counts as level 0, as they always have."""
    row = con.execute(_GROUP_STATS.format(where=where), [DECLINING_FROM_LEVEL, *params]).fetchone()
    n, total, mean, declining, slope, volatility, resid, active, anomalies = row or (0,) * 9
    n_segment = store.count_metrics(con, "m.segment_id = ?", [segment_id])[0]
    _, total_revenue = store.count_metrics(con)
    levels = store.decline_level_counts(con, where, params)
    counts: dict[int, int] = {}
    for level, count in levels.items():  # not judged (None) counts as level 0
        counts[level or 0] = counts.get(level or 0, 0) + count
    return {
        "n_customers": int(n),
        "share_of_segment": int(n) / max(n_segment, 1),
        "revenue_mean": float(mean) if n else 0.0,
        "total_monthly_revenue": float(total),
        "share_of_revenue": float(total) / total_revenue if total_revenue else 0.0,
        "share_declining": float(declining) if n else 0.0,
        "median_relative_slope": _number(slope),
        "median_volatility": _number(volatility),
        "median_resid_volatility": _number(resid),
        "mean_active_months": _number(active),
        "mean_anomalies": _number(anomalies),
        "decline_level_counts": dict(sorted(counts.items())),
    }


def segment_report(
    db_path: Path | str,
    segment_id: int,
    decline_level: int | None = None,
    limit: int | None = None,
) -> SegmentReport:
    """Statistics of a segment (and decline level) for a group report.

    Aggregates run in DuckDB and only the group's members are read (id, level, trend,
    revenue, status, anomalies), largest mean revenue first (ties by id); with `limit`, only
    the first `limit` of them (the top-N runs in DuckDB; `stats["n_customers"]` still counts
    them all). Measured (issue 13, 100k accounts): reading all ~23k members of a segment for
    a chat whose table shows 1,000 of them cost ~60 ms a turn.
    """
    where, params = "m.segment_id = ?", [segment_id]
    if decline_level is not None:
        where, params = f"{where} AND m.decline_level = ?", [segment_id, decline_level]
    with cached(db_path) as con:
        profiles = store.read_segments(con)
        if segment_id not in profiles.index:
            raise ValueError(f"no segment {segment_id}; segments are {list(profiles.index)}")
        stats = _group_stats(con, where, params, segment_id)
        members = store.read_metrics(
            con,
            where,
            params,
            columns=_MEMBER_COLUMNS,
            order_by="m.mean_revenue DESC NULLS LAST, m.account_id",
            limit=limit,
        )
    members = members.reset_index().rename(
        columns={"slope": "monthly_change", "mean_revenue": "revenue_mean"}
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
