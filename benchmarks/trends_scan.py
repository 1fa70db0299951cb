"""Trend scan at portfolio scale (issue 4): 100k customers x 24 months, wall seconds and memory;
and the decline forecast (issue 14) on the same panel, beside the scan's figure.

Measures the vectorised trend scan plus KMeans segmentation (what a cache refresh computes,
without the DuckDB write) on a generated panel, wall seconds and the process's peak resident
memory (`resource.getrusage`; tracemalloc is not used because it slows sklearn's many small
allocations several-fold), then the reference
project's approach on the same panel: a per-customer loop of robust STL with period 6 and
`scipy.stats.theilslopes` on the STL trend. The loop costs milliseconds per customer, so it
runs on a sample (`REFERENCE_SAMPLE` customers) and its full-portfolio time is extrapolated
linearly (reported as such).

Run: `make bench` (all benchmarks) or `python -m benchmarks --only trends [--quick]`.
"""

from __future__ import annotations

import resource
import time
from typing import Any

import numpy as np
import pandas as pd

N_CUSTOMERS, QUICK_CUSTOMERS = 100_000, 10_000
N_MONTHS = 24
REFERENCE_SAMPLE, QUICK_REFERENCE_SAMPLE = 2_000, 300


def synthetic_panel(n_customers: int, n_months: int = N_MONTHS, seed: int = 0) -> pd.DataFrame:
    """Wide revenue table with the demo world's archetype mix, late starts and anomalies."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_months)
    kind = rng.choice(7, size=n_customers, p=[0.20, 0.28, 0.15, 0.13, 0.06, 0.04, 0.14])
    growth = np.select(
        [kind == 0, kind == 3],
        [rng.uniform(0.015, 0.04, n_customers), -rng.uniform(0.025, 0.06, n_customers)],
        0.0,
    )
    season = np.where(kind == 2, rng.uniform(0.25, 0.45, n_customers), 0.0)[:, None] * np.sin(
        2 * np.pi * (t[None, :] + rng.uniform(0, 12, n_customers)[:, None]) / 12
    )
    sigma = np.where(
        kind == 6, rng.uniform(0.30, 0.45, n_customers), rng.uniform(0.08, 0.25, n_customers)
    )
    change = rng.integers(6, n_months - 3, n_customers)[:, None]
    step = np.where(
        (kind == 4)[:, None] & (t >= change), rng.uniform(0.25, 0.55, (n_customers, 1)), 1.0
    )
    alive = ~((kind == 5)[:, None] & (t >= change))
    level = rng.lognormal(6.5, 1.2, n_customers)[:, None]
    noise = np.exp(sigma[:, None] * rng.normal(size=(n_customers, n_months)))
    revenue = level * np.exp(growth[:, None] * t) * (1 + season) * step * noise * alive
    spikes = rng.random((n_customers, n_months)) < 0.012
    revenue = np.where(spikes, revenue * np.exp(5 * sigma)[:, None], revenue)
    revenue[rng.random((n_customers, n_months)) < 0.004] = 0.0  # missing invoices
    start = np.where(rng.random(n_customers) < 0.2, rng.integers(1, n_months - 2, n_customers), 0)
    revenue[t[None, :] < start[:, None]] = 0.0
    months = [str(p) for p in pd.period_range("2024-11", periods=n_months, freq="M")]
    ids = [f"C{i:07d}" for i in range(n_customers)]
    return pd.DataFrame(np.round(revenue, 2), index=ids, columns=months)


def _peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _measure(panel: pd.DataFrame) -> dict[str, Any]:
    from analytics.segments import segment_customers
    from analytics.trends import scan_trends

    rss_before = _peak_rss_mb()
    started = time.perf_counter()
    scan = scan_trends(panel, partial_last_month=False)
    scanned = time.perf_counter()
    segmentation = segment_customers(scan.metrics, random_state=0)
    finished = time.perf_counter()
    return {
        "customers": len(panel),
        "months": panel.shape[1],
        "trend_scan_seconds": round(scanned - started, 2),
        "segmentation_seconds": round(finished - scanned, 2),
        "full_scan_seconds": round(finished - started, 2),
        "process_peak_rss_mb": _peak_rss_mb(),
        "peak_rss_before_scan_mb": rss_before,
        "k": segmentation.k,
        "status_counts": scan.metrics["status"].value_counts().to_dict(),
    }


def _measure_forecast(panel: pd.DataFrame) -> dict[str, Any]:
    """The decline forecast (issue 14): features at the training cut-offs, the model choice on
    the latest one, the refit, and scoring every customer (drivers for the top 5,000)."""
    from analytics.trends import forecast_decline

    started, cpu_started = time.perf_counter(), time.process_time()
    scores, model = forecast_decline(panel)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(time.process_time() - cpu_started, 2),  # honest under load
        "customers_scored": int(scores["decline_probability"].notna().sum()),
        "model": None if model is None else model.model_,
        "training_rows": None if model is None else model.n_rows_,
        "validation_auc": {} if model is None else model.validation_auc_,
        "target_seconds": 15,
    }


def _reference_loop(panel: pd.DataFrame) -> float:
    """The reference project's per-customer method; returns wall seconds."""
    from scipy.stats import theilslopes
    from statsmodels.tsa.seasonal import STL

    started = time.perf_counter()
    x = np.arange(panel.shape[1])
    for values in panel.to_numpy(dtype=float):
        trend = STL(values, period=6, robust=True).fit().trend
        theilslopes(trend, x)
    return time.perf_counter() - started


def run(args: Any) -> dict[str, Any]:
    """Measure the scan and the reference loop; `args.quick` shrinks the sizes."""
    quick = bool(getattr(args, "quick", False))
    n_customers = QUICK_CUSTOMERS if quick else N_CUSTOMERS
    sample = QUICK_REFERENCE_SAMPLE if quick else REFERENCE_SAMPLE
    panel = synthetic_panel(n_customers)
    result = _measure(panel)
    result["decline_forecast"] = _measure_forecast(panel)
    result["decline_forecast"]["previous_figure"] = {
        "what": "the descriptive trend scan that set decline levels before issue 14",
        "trend_scan_seconds": result["trend_scan_seconds"],
    }
    result["process_peak_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    reference_seconds = _reference_loop(panel.iloc[:sample])
    result["reference"] = {
        "method": "per customer: statsmodels STL(period=6, robust=True) -> scipy theilslopes",
        "sample_customers": sample,
        "sample_seconds": round(reference_seconds, 2),
        "extrapolated_seconds_for_all": round(reference_seconds * n_customers / sample, 1),
    }
    result["speedup_vs_reference"] = round(
        result["reference"]["extrapolated_seconds_for_all"] / result["trend_scan_seconds"], 1
    )
    result["target_seconds"] = 15
    return result


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    print(json.dumps(run(parser.parse_args()), indent=2))
