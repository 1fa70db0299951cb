"""Trends and segments as a service: reading revenue from a file or the warehouse, the trend
scan and its cache (`trend_metrics`, `trend_series`, `segments`), reports and segment stats.

`service` is what the CLI and the tools call. May import analytics, data and domain.
"""

from __future__ import annotations

from services.trends.forecast import OutdatedTruthError, backtest_file, forward_evaluation
from services.trends.input import read_revenue_file, warehouse_revenue
from services.trends.reports import evaluate_trends, output_table, write_output
from services.trends.scan import cached, refresh_trend_cache
from services.trends.service import (
    SegmentOverview,
    UnknownCustomerError,
    analyse_revenue,
    customer_metrics,
    customer_trend,
    decline_level_counts,
    find_declining,
    find_declining_in,
    level_labels,
    list_segments,
    record_of,
    segment_report,
)
from services.trends.store import read_metrics

__all__ = [
    "OutdatedTruthError",
    "SegmentOverview",
    "UnknownCustomerError",
    "analyse_revenue",
    "backtest_file",
    "cached",
    "customer_metrics",
    "customer_trend",
    "decline_level_counts",
    "evaluate_trends",
    "find_declining",
    "find_declining_in",
    "forward_evaluation",
    "level_labels",
    "list_segments",
    "output_table",
    "read_metrics",
    "read_revenue_file",
    "record_of",
    "refresh_trend_cache",
    "segment_report",
    "warehouse_revenue",
    "write_output",
]
