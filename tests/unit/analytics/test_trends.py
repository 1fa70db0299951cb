"""Trend scan: statistics against references, statuses, edge cases, planted patterns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm, theilslopes

from analytics.trends.decline import DeclineThresholds, decline_scores
from analytics.trends.scan import (
    OUTPUT_COLUMNS,
    TrendConfig,
    detect_partial_last_month,
    scan_trends,
    stl_components,
)
from analytics.trends.seasonal import harmonic_seasonal
from analytics.trends.stats import difference_scale, running_level, trend_tests

MONTHS_24 = [str(p) for p in pd.period_range("2024-01", periods=24, freq="M")]


def table(rows: dict[str, list[float]], start: str = "2024-01") -> pd.DataFrame:
    """A wide revenue table from {customer: monthly values}."""
    width = len(next(iter(rows.values())))
    months = [str(p) for p in pd.period_range(start, periods=width, freq="M")]
    return pd.DataFrame(list(rows.values()), index=list(rows), columns=months, dtype=float)


def noisy(level: float, n: int, cv: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return level * np.exp(rng.normal(0.0, cv, n) - cv**2 / 2)


def _reference_mann_kendall(y: np.ndarray) -> float:
    """Textbook Mann–Kendall p-value with tie correction and continuity correction."""
    n = len(y)
    s = sum(np.sign(y[j] - y[i]) for i in range(n) for j in range(i + 1, n))
    _, counts = np.unique(y, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in counts)) / 18
    z = (s - np.sign(s)) / np.sqrt(var) if var > 0 else 0.0
    return float(2 * norm.sf(abs(z)))


# ------------------------------------------------------------------ vectorised statistics
def test_theil_sen_matches_scipy_including_ties_and_leading_gaps() -> None:
    rng = np.random.default_rng(3)
    rows, expected = [], []
    for _ in range(60):
        n = int(rng.integers(3, 25))
        y = np.round(rng.normal(5, 3, n)) * rng.integers(0, 2, n)  # many ties (zeros)
        rows.append(np.r_[np.full(24 - n, np.nan), y])
        ref = theilslopes(y, np.arange(n))
        expected.append((ref.slope, ref.low_slope, ref.high_slope, _reference_mann_kendall(y)))
    res = trend_tests(np.array(rows))
    got = np.column_stack([res.slope, res.slope_ci_low, res.slope_ci_high, res.p_value])
    np.testing.assert_allclose(got, np.array(expected), rtol=1e-9, atol=1e-12)


def test_short_rows_get_nan_statistics() -> None:
    res = trend_tests(np.array([[np.nan, 1.0, 2.0], [1.0, 2.0, 4.0]]))
    assert np.isnan(res.slope[0]) and np.isnan(res.p_value[0])
    assert res.slope[1] == pytest.approx(1.5)


def test_running_level_follows_steps_and_ignores_single_spikes() -> None:
    y = np.array([[10.0, 10, 10, 50, 10, 10, 3, 3, 3, 3, 0]])
    level = running_level(y)[0]
    assert level[3] == 10  # the spike is not the level
    assert list(level[6:10]) == [3, 3, 3, 3]  # the step is followed at once
    assert level[-1] == 3  # a last-month dip is judged against the months before


def test_running_level_does_not_lag_at_the_ends_of_a_steady_fall() -> None:
    """rt10 N-L7: revenue 9,000 falling 1,000 a month to 4,000 showed 'trend $5,000' beside
    '$4,000' at the last month (the median of the last three months lags one step). Tukey's
    end-point rule follows a steady trend at both ends; a last-month dip still is not level."""
    fall = np.array([[20_000.0, 20_000, 20_000, 9_000, 8_000, 7_000, 6_000, 5_000, 4_000]])
    assert running_level(fall)[0].tolist() == fall[0].tolist()
    rise = np.array([[np.nan, np.nan, 100.0, 110, 120, 130, 140]])
    assert running_level(rise)[0, 2:].tolist() == [100, 110, 120, 130, 140]
    dip = np.array([[np.nan, 10.0, 10, 10, 10, 2]])
    assert running_level(dip)[0, -1] == 10


def test_the_last_month_of_a_steady_fall_is_its_level_not_an_anomaly() -> None:
    """The scan's local level (the chart's trend and the anomaly test's centre) ends on the
    last month's revenue of a steady fall, whose residual is then no outlier."""
    months = 24
    fall = np.r_[np.full(18, 20_000.0), np.linspace(9_000, 4_000, 6)]
    flat = noisy(5_000, months, 0.05, 3)
    scan = scan_trends(table({"fall": list(fall), "flat": list(flat)}), keep_components=True)
    series = scan.series("fall")
    assert series["level"].iloc[-1] == pytest.approx(4_000)
    assert abs(series["resid_z"].iloc[-1]) < 1
    assert not series["is_anomaly"].iloc[-1]


def test_difference_scale_is_consistent_and_barely_moved_by_one_spike() -> None:
    rng = np.random.default_rng(0)
    values = 100 + rng.normal(0, 4, size=(3000, 24))
    assert np.median(difference_scale(values)) == pytest.approx(4, rel=0.05)
    values[:, 7] += 200  # one huge spike per row: a plain sd would be ~40
    assert np.median(difference_scale(values)) == pytest.approx(4, rel=0.2)


def test_harmonic_seasonal_finds_a_season_but_not_a_step() -> None:
    month = np.arange(24) % 12
    rng = np.random.default_rng(1)
    season = 100 * (1 + 0.3 * np.sin(2 * np.pi * (month + 2) / 12)) + rng.normal(0, 3, 24)
    step = np.where(np.arange(24) < 14, 100.0, 45.0) + rng.normal(0, 3, 24)
    seasonal, found = harmonic_seasonal(np.vstack([season, step]), month)
    assert found.tolist() == [True, False]
    assert np.all(seasonal[1] == 0)
    assert np.abs(seasonal[0] - 30 * np.sin(2 * np.pi * (month + 2) / 12)).max() < 6


# ------------------------------------------------------------------ validation
def test_months_must_be_consecutive() -> None:
    bad = pd.DataFrame([[1.0, 2.0, 3.0]], index=["a"], columns=["2024-01", "2024-02", "2024-04"])
    with pytest.raises(ValueError, match="2024-04"):
        scan_trends(bad)


def test_duplicate_customer_is_rejected() -> None:
    dup = pd.DataFrame([[1.0] * 6] * 2, index=["a", "a"], columns=MONTHS_24[:6])
    with pytest.raises(ValueError, match="'a'"):
        scan_trends(dup)


def test_bad_thresholds_are_rejected() -> None:
    with pytest.raises(ValueError, match="level_cuts"):
        DeclineThresholds(level_cuts=(0.5, 0.4, 0.9))
    with pytest.raises(ValueError, match="min_history_months"):
        TrendConfig(min_history_months=3)


# ------------------------------------------------------------------ issue edge cases
def test_partial_last_month_is_detected_and_excluded() -> None:
    rng = np.random.default_rng(2)
    full = {f"c{i}": list(noisy(100, 12, 0.1, i)) for i in range(40)}
    data = table(full)
    data.iloc[:, -1] *= 0.3  # the extract stopped on the 9th
    assert detect_partial_last_month(data.sum(axis=0).to_numpy())
    scan = scan_trends(data)
    assert str(scan.partial_month) == "2024-12"
    assert str(scan.months[-1]) == "2024-11"
    assert (scan.metrics["decline_level"] == 0).mean() > 0.9  # nobody "collapsed"
    assert (scan.metrics["n_anomalies"] == 0).mean() > 0.9
    kept = scan_trends(data, partial_last_month=False)
    assert kept.partial_month is None  # kept, the month reads as a dip for everyone
    assert kept.metrics["anomaly_months"].str.contains("2024-12").mean() > 0.9
    del rng


def test_leading_zero_months_are_ignored() -> None:
    body = list(noisy(200, 14, 0.1, 5) * np.exp(-0.05 * np.arange(14)))
    scan = scan_trends(table({"late": [0.0] * 10 + body, "same": body + [np.nan] * 0 + body[:10]}))
    late = scan.metrics.loc["late"]
    alone = scan_trends(table({"x": body}), partial_last_month=False).metrics.loc["x"]
    assert late["months_observed"] == 14 and late["first_month"] == "2024-11"
    assert late["slope"] == pytest.approx(alone["slope"])
    assert late["p_value"] == pytest.approx(alone["p_value"])


def test_negative_months_are_accepted() -> None:
    values = list(noisy(100, 12, 0.1, 7))
    values[4] = -80.0  # a return
    scan = scan_trends(table({"r": values, "only_returns": [0.0] * 6 + [-5.0] * 6}))
    r = scan.metrics.loc["r"]
    assert r["status"] == "ok" and np.isfinite(r["slope"])
    assert "2024-05" in r["anomaly_months"]
    assert scan.metrics.loc["only_returns", "status"] == "no_revenue"


def test_short_histories_get_a_status_not_dropped() -> None:
    rows = {
        "new": [0.0] * 20 + [50.0, 60, 55, 58],
        "sporadic": [0.0, 40, 0, 0, 0, 0, 0, 0, 0, 0, 35, 0] + [0.0] * 12,
        "churned": [80.0] * 14 + [0.0] * 10,
        "never": [0.0] * 24,
        "ok": list(noisy(80, 24, 0.1, 1)),
    }
    metrics = scan_trends(table(rows)).metrics
    assert metrics["status"].to_dict() == {
        "new": "new",
        "sporadic": "insufficient_history",
        "churned": "churned",
        "never": "no_revenue",
        "ok": "ok",
    }
    assert metrics["decline_level"].isna().tolist() == [True, True, False, True, False]
    assert metrics.loc["churned", "decline_level"] == 3
    assert list(metrics.columns[: len(OUTPUT_COLUMNS)]) == list(OUTPUT_COLUMNS)


def test_intermittent_buyer_silent_no_longer_than_usual_is_not_churned() -> None:
    rows = {"gappy": [50.0, 0, 0, 0, 60, 0, 0, 0, 55, 0, 0, 0]}
    assert scan_trends(table(rows), partial_last_month=False).metrics.iloc[0]["status"] == "ok"


def test_constant_series() -> None:
    scan = scan_trends(table({"flat": [120.0] * 24}))
    m = scan.metrics.loc["flat"]
    assert (m["slope"], m["p_value"], m["n_anomalies"], m["decline_level"]) == (0.0, 1.0, 0, 0)
    assert np.all(scan.series("flat")["resid_z"] == 0)


def test_seasonal_series_are_not_flagged_as_declining() -> None:
    rows = {
        f"s{i}": list(
            1000
            * (1 + 0.4 * np.sin(2 * np.pi * (np.arange(24) + i) / 12))
            * noisy(1, 24, 0.1, 100 + i)
        )
        for i in range(24)
    }
    metrics = scan_trends(table(rows)).metrics
    assert metrics["seasonal"].mean() > 0.9
    assert (metrics["decline_level"] >= 1).sum() <= 1


def test_planted_step_down_spike_and_missing_invoice_are_flagged() -> None:
    base = noisy(500, 24, 0.08, 11)
    step = base * np.where(np.arange(24) >= 17, 0.4, 1.0)
    spiky = base.copy()
    spiky[9] *= 3.0
    gap = base.copy()
    gap[13] = 0.0
    scan = scan_trends(table({"step": list(step), "spike": list(spiky), "gap": list(gap)}))
    metrics = scan.metrics
    assert metrics.loc["step", "decline_level"] >= 2
    assert metrics.loc["spike", "anomaly_months"] == "2024-10"
    assert metrics.loc["gap", "anomaly_months"] == "2025-02"
    assert metrics.loc[["spike", "gap"], "decline_level"].tolist() == [0, 0]


def test_determinism_and_independence_of_row_order_and_chunking() -> None:
    rng = np.random.default_rng(9)
    data = pd.DataFrame(
        rng.lognormal(5, 0.6, size=(57, 24)) * (rng.random((57, 24)) > 0.2),
        index=[f"c{i}" for i in range(57)],
        columns=MONTHS_24,
    )
    first = scan_trends(data).metrics
    pd.testing.assert_frame_equal(first, scan_trends(data).metrics)
    shuffled = scan_trends(data.sample(frac=1, random_state=1)).metrics.loc[first.index]
    pd.testing.assert_frame_equal(first, shuffled)
    chunked = scan_trends(data, TrendConfig(chunk_size=7)).metrics
    pd.testing.assert_frame_equal(first, chunked)


def test_stl_and_harmonic_adjustment_agree_on_decline_flags() -> None:
    """The detail view's STL and the scan's harmonic season lead to the same flags."""
    rows = {}
    for i in range(30):
        t = np.arange(24)
        growth = (-0.05, 0.0, 0.02)[i % 3]
        season = 1 + 0.35 * np.sin(2 * np.pi * (t + i) / 12)
        rows[f"c{i}"] = list(800 * np.exp(growth * t) * season * noisy(1, 24, 0.08, i))
    data = table(rows)
    scan_flags = scan_trends(data).metrics["decline_level"] >= 1
    stl_adjusted = data.apply(lambda r: r - stl_components(r.to_numpy())["seasonal"].values, axis=1)
    no_season = TrendConfig(seasonal_min_months=10_000)
    stl_flags = scan_trends(stl_adjusted, no_season).metrics["decline_level"] >= 1
    assert (scan_flags == stl_flags).mean() >= 0.9
    assert scan_flags[[f"c{i}" for i in range(0, 30, 3)]].all()  # the decliners


def test_decline_score_rules() -> None:
    m = pd.DataFrame(
        {
            "status": ["ok", "ok", "ok", "insufficient_history"],
            "relative_slope": [-6.0, -6.0, 2.0, -9.0],
            "p_value": [0.001, 0.5, 0.001, 0.001],
            "recent_ratio": [0.9, 0.9, 0.3, 0.2],
            "recent_drop_z": [1.0, 1.0, 5.0, 9.0],
        }
    )
    out = decline_scores(m)
    assert out["decline_level"].tolist()[:3] == [3, 0, 3]  # significance matters
    assert pd.isna(out["decline_level"].iloc[3])
