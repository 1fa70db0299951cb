"""Segments: k by silhouette, revenue-ordered ids, stability, profiles and names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.segments import FEATURES, feature_table, segment_customers, segment_name


def _metrics(groups: list[dict[str, float]], n: int = 80, seed: int = 0) -> pd.DataFrame:
    """Customers drawn around a few well-separated centres (one dict of means per group)."""
    rng = np.random.default_rng(seed)
    frames = []
    for g, centre in enumerate(groups):
        frames.append(
            pd.DataFrame(
                {
                    "status": "ok",
                    "mean_revenue": 10 ** rng.normal(centre["log_rev"], 0.1, n),
                    "relative_slope": rng.normal(centre["slope"], 0.4, n),
                    "volatility": np.abs(rng.normal(centre["vol"], 0.03, n)),
                    "active_months": np.round(rng.normal(centre["months"], 0.5, n)),
                    "resid_volatility": np.abs(rng.normal(centre["vol"] / 2, 0.02, n)),
                },
                index=[f"g{g}_{i}" for i in range(n)],
            )
        )
    return pd.concat(frames)


GROUPS = [
    {"log_rev": 4.0, "slope": 3.0, "vol": 0.15, "months": 24},  # large & growing
    {"log_rev": 1.5, "slope": 0.0, "vol": 0.9, "months": 20},  # small & volatile
    {"log_rev": 2.7, "slope": -5.0, "vol": 0.2, "months": 24},  # mid & declining
]


def test_k_is_chosen_by_silhouette_and_ids_follow_revenue() -> None:
    seg = segment_customers(_metrics(GROUPS), random_state=0)
    assert seg.k == 3
    assert seg.silhouette == pytest.approx(max(seg.silhouette_by_k.values()), abs=0.02)
    assert set(seg.silhouette_by_k) == set(range(2, 9))
    revenue = seg.profiles["mean_revenue"].to_numpy()
    assert np.all(np.diff(revenue) < 0)  # id 0 = largest mean revenue
    by_group = seg.labels.groupby(seg.labels.index.str[:2]).agg(lambda s: s.mode()[0])
    assert by_group.to_dict() == {"g0": 0, "g1": 2, "g2": 1}


def test_stability_and_determinism() -> None:
    metrics = _metrics(GROUPS, seed=1)
    first = segment_customers(metrics, random_state=4)
    again = segment_customers(metrics, random_state=4)
    assert first.stability_ari > 0.95
    pd.testing.assert_series_equal(first.labels, again.labels)
    pd.testing.assert_frame_equal(first.profiles, again.profiles)


def test_names_describe_profiles() -> None:
    seg = segment_customers(_metrics(GROUPS), random_state=0)
    assert seg.profiles["name"].tolist() == [
        "Large & growing, smooth",
        "Mid-size & declining",
        "Small & volatile, recent",
    ]
    assert seg.profiles["name"].is_unique


def test_profiles_hold_radar_values() -> None:
    seg = segment_customers(_metrics(GROUPS), k=2, random_state=0)
    assert seg.k == 2 and list(seg.silhouette_by_k) == [2]
    z_columns = [f"z_{f}" for f in FEATURES]
    assert set(z_columns) <= set(seg.profiles.columns)
    weights = seg.profiles["n_customers"]
    pooled = (seg.profiles[z_columns].mul(weights, axis=0)).sum() / weights.sum()
    assert np.allclose(pooled, 0, atol=1e-9)  # z-scores centre on the portfolio
    assert seg.profiles["share"].sum() == pytest.approx(1.0)


def test_only_judged_customers_are_segmented() -> None:
    metrics = _metrics(GROUPS[:2], n=30)
    metrics.iloc[0, metrics.columns.get_loc("status")] = "new"
    metrics.iloc[1, metrics.columns.get_loc("mean_revenue")] = -5.0
    metrics.iloc[2, metrics.columns.get_loc("relative_slope")] = np.nan
    seg = segment_customers(metrics, random_state=0)
    assert seg.labels.iloc[:3].isna().all()
    assert seg.labels.iloc[3:].notna().all()
    assert len(feature_table(metrics)) == len(metrics) - 3


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="relative_slope"):
        feature_table(pd.DataFrame({"status": ["ok"], "mean_revenue": [1.0]}))
    with pytest.raises(ValueError, match="k must be"):
        segment_customers(_metrics(GROUPS, n=10), k=500)
    with pytest.raises(ValueError, match="at least 3"):
        segment_customers(_metrics(GROUPS[:2], n=1))


def test_segment_name_rules() -> None:
    base = {
        "z_log_mean_revenue": -1.0,
        "z_relative_slope": 0.1,
        "z_volatility": 1.5,
        "z_resid_volatility": 0.2,
        "z_active_months": 0.0,
        "relative_slope": 0.2,
    }
    assert segment_name(pd.Series(base)) == "Small & volatile"
    flat = base | {"z_relative_slope": -2.0, "relative_slope": -0.4}
    assert segment_name(pd.Series(flat)) == "Small & flat, volatile"  # strong z, no real slope
    assert segment_name(pd.Series(flat), n_traits=1) == "Small & flat"


def test_customers_with_identical_series_give_no_sklearn_warning() -> None:
    """rt13 U-L6: a book whose customers share a series put 5 ConvergenceWarnings ("Number of
    distinct clusters (1) found smaller than n_clusters (2)"), with site-packages paths, in
    the server log. Three distinct customers, four times each: k is chosen among real ones."""
    import warnings

    base = _metrics(GROUPS, n=1, seed=1)
    metrics = pd.concat([base] * 4)
    metrics.index = [f"c{i}" for i in range(len(metrics))]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        seg = segment_customers(metrics, random_state=0)
    assert seg.k <= 3
