"""The decline forecast: no look-ahead, calibration, short histories, churn, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.trends import (
    DeclineBands,
    DeclineForecaster,
    DeclineOutcome,
    features_at,
    forecast_backtest,
    forecast_decline,
    outcome_at,
)
from analytics.trends.forecast.backtest import calibration_error, cluster_weights, roc_auc
from analytics.trends.forecast.estimator import features_in_blocks
from analytics.trends.forecast.features import CYCLE_FEATURES


def stationary_panel(n_customers: int = 4000, n_months: int = 20, seed: int = 0) -> np.ndarray:
    """Subscription-like revenue in which a decline starts with a monthly hazard that depends on
    tenure and size only: the same process at every cut-off, so a forecast fitted on earlier
    cut-offs should be calibrated on a later one."""
    rng = np.random.default_rng(seed)
    start = np.where(rng.random(n_customers) < 0.7, 0, rng.integers(1, n_months - 4, n_customers))
    size = rng.normal(6.0, 1.2, n_customers)
    sigma = rng.uniform(0.05, 0.3, n_customers)
    onset = np.full(n_customers, -1)
    values = np.zeros((n_customers, n_months))
    for t in range(n_months):
        tenure = t - start
        hazard = 1 / (1 + np.exp(-(-4.0 + 2.0 * np.exp(-tenure / 4) - 0.6 * (size - 6.0))))
        new = (onset < 0) & (tenure >= 1) & (rng.random(n_customers) < hazard)
        onset = np.where(new, t, onset)
        level = np.exp(size) * np.where((onset >= 0) & (t >= onset), 0.2, 1.0)
        noise = np.exp(sigma * rng.normal(size=n_customers))
        values[:, t] = np.where(t >= start, level * noise, 0.0)
    return np.round(values, 2)


def test_features_at_t_never_read_later_months() -> None:
    values = stationary_panel(500, 14)
    changed = values.copy()
    rng = np.random.default_rng(1)
    changed[:, 9:] = rng.gamma(1.0, 500.0, size=changed[:, 9:].shape)  # rewrite the future
    pd.testing.assert_frame_equal(features_at(values, 8), features_at(changed, 8))
    model = DeclineForecaster(model="logistic").fit(values[:, :9])
    before = model.predict_at(values, 8)
    after = model.predict_at(changed, 8)
    pd.testing.assert_frame_equal(before, after)
    # ... while the outcome after T does read them (the test could fail).
    assert not np.array_equal(outcome_at(values, 8).declined, outcome_at(changed, 8).declined)


def test_forecast_is_calibrated_and_ranks_on_a_stationary_synthetic_process() -> None:
    values = stationary_panel()
    position = 15  # fitted on cut-offs <= 12, scored at 15 against months 16..18
    model = DeclineForecaster().fit(values[:, : position + 1])
    scores = model.predict_at(values, position)["decline_probability"].to_numpy()
    rows = outcome_at(values, position)
    keep = rows.in_population
    assert calibration_error(rows.declined[keep], scores[keep]) <= 0.05
    assert roc_auc(rows.declined[keep], scores[keep]) >= 0.65


def test_short_history_customers_are_scored_and_churned_ones_are_not() -> None:
    values = stationary_panel(600, 12)
    values[0] = 0.0
    values[0, -2:] = [120.0, 80.0]  # a customer two months old
    values[1] = 0.0
    values[1, :4] = 300.0  # silent for the last eight months: churned
    values[2] = 0.0  # never had revenue
    table = pd.DataFrame(values, index=[f"C{i}" for i in range(len(values))])
    scores, model = forecast_decline(table)
    assert model is not None
    assert 0.0 <= scores.loc["C0", "decline_probability"] <= 1.0
    assert scores.loc["C0", "decline_status"] == "scored"
    assert np.isnan(scores.loc["C1", "decline_probability"])
    assert scores.loc["C1", "decline_status"] == "churned"
    assert pd.isna(scores.loc["C1", "decline_level"])
    assert scores.loc["C2", "decline_status"] == "no_revenue"


def test_forecast_and_backtest_are_deterministic() -> None:
    values = stationary_panel(800, 14)
    table = pd.DataFrame(values)
    first, model = forecast_decline(table)
    second, _ = forecast_decline(table)
    pd.testing.assert_frame_equal(first, second)
    assert model is not None and model.model_ in ("logistic", "lightgbm")
    assert (
        first["decline_drivers"].str.len().gt(0).sum() == first["decline_probability"].notna().sum()
    )
    one = forecast_backtest(values, [9, 10], n_boot=50, random_state=3)
    two = forecast_backtest(values, [9, 10], n_boot=50, random_state=3)
    assert one == two


def test_too_little_history_gives_statuses_and_no_probability() -> None:
    table = pd.DataFrame([[10.0, 20.0, 30.0], [0.0, 0.0, 0.0]], index=["a", "b"])
    scores, model = forecast_decline(table)
    assert model is None
    assert scores["decline_probability"].isna().all()
    assert scores["decline_status"].tolist() == ["scored", "no_revenue"]


def test_outcome_definition_and_bands() -> None:
    outcome = DeclineOutcome.named("half_of_baseline", horizon=2, baseline_months=3)
    values = np.array([[10.0, 10, 10, 4, 4], [10, 10, 10, 6, 6]])
    assert outcome_at(values, 2, outcome).declined.tolist() == [True, False]
    assert "next 2 months" in outcome.describe() and "previous 3 months" in outcome.describe()
    with pytest.raises(ValueError, match="unknown outcome"):
        DeclineOutcome.named("halved")
    assert DeclineBands((0.2, 0.4, 0.6)).level(np.array([0.1, 0.3, 0.5, 0.9])).tolist() == [
        0,
        1,
        2,
        3,
    ]
    with pytest.raises(ValueError, match="increasing"):
        DeclineBands((0.5, 0.4, 0.6))


def test_cluster_bootstrap_draws_whole_customers() -> None:
    clusters = np.array(["a", "a", "b", "c", "c", "c"])
    weights = cluster_weights(clusters, n_boot=30, random_state=0)
    assert weights.shape == (30, 6)
    assert (weights[:, 0] == weights[:, 1]).all() and (weights[:, 3] == weights[:, 5]).all()


class _StackedForecaster(DeclineForecaster):
    """The fit's former path: features of every (customer, cut-off) row, then the sample."""

    def _training_sample(self, values, cutoffs, names):  # type: ignore[no-untyped-def]
        features, labels, positions = self.training_rows(values, cutoffs)
        matrix = features[list(names)].to_numpy(dtype=float)
        if len(matrix) > self.max_rows:
            rng = np.random.default_rng(self.random_state)
            keep = np.sort(rng.choice(len(matrix), self.max_rows, replace=False))
            matrix, labels, positions = matrix[keep], labels[keep], positions[keep]
        return matrix, labels, positions


@pytest.mark.parametrize("max_rows", [700, 100_000])
def test_fit_builds_features_for_the_kept_rows_only_and_learns_the_same(max_rows: int) -> None:
    rng = np.random.default_rng(7)
    values = stationary_panel(1500, 26, seed=3)
    values[rng.random(values.shape) < 0.15] = 0.0  # gaps, churn and re-starts
    values[:40] = rng.gamma(1.5, 80.0, size=(40, 26)) * (rng.random((40, 26)) < 0.5)
    matrix = np.round(values, 2)
    options = {"max_rows": max_rows, "random_state": 5}
    new, old = DeclineForecaster(**options), _StackedForecaster(**options)
    cutoffs = list(range(1, 23))
    names = new._feature_names(matrix.shape[1])
    assert "log_last_year_ratio" in names
    got, expected = (
        new._training_sample(matrix, cutoffs, names),
        old._training_sample(matrix, cutoffs, names),
    )
    assert len(old.training_rows(matrix, cutoffs)[1]) > 20_000  # sampling is exercised at 700
    for mine, theirs in zip(got, expected, strict=True):
        assert mine.dtype == theirs.dtype and mine.shape == theirs.shape
        assert mine.tobytes() == theirs.tobytes()  # same rows, same order, bit for bit
    new.fit(matrix)
    old.fit(matrix)
    assert new.validation_auc_ == old.validation_auc_ and new.validation_auc_
    assert (new.model_, new.n_rows_, new.base_rate_) == (old.model_, old.n_rows_, old.base_rate_)
    pd.testing.assert_frame_equal(new.predict_at(matrix, 25), old.predict_at(matrix, 25))


def test_features_in_blocks_equal_the_whole_book_s_features_bit_for_bit() -> None:
    rng = np.random.default_rng(11)
    values = stationary_panel(1000, 26, seed=4)
    values[rng.random(values.shape) < 0.2] = 0.0
    whole = features_at(values, 25, DeclineOutcome())
    blocks = features_in_blocks(values, 25, DeclineOutcome(), block=97)
    pd.testing.assert_frame_equal(blocks, whole, check_exact=True)
    assert blocks.to_numpy(dtype=float).tobytes() == whole.to_numpy(dtype=float).tobytes()


def seasonal_panel(n_customers: int = 600, n_months: int = 24, seed: int = 0) -> np.ndarray:
    """Half the customers follow a yearly cycle of amplitude 0.4 (random phase), the others
    are flat; lognormal noise of 0.1 on every month."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_months)
    phase = rng.uniform(0, 12, n_customers)[:, None]
    amplitude = np.where(rng.random(n_customers) < 0.5, 0.4, 0.0)[:, None]
    cycle = 1 + amplitude * np.sin(2 * np.pi * (t[None, :] + phase) / 12)
    noise = np.exp(0.1 * rng.normal(size=(n_customers, n_months)))
    return np.round(100 * cycle * noise, 2), amplitude[:, 0], phase[:, 0]


def test_season_outlook_reads_no_later_month_and_follows_the_cycle() -> None:
    values, amplitude, phase = seasonal_panel()
    position = 16
    changed = values.copy()
    changed[:, position + 1 :] = np.random.default_rng(2).gamma(1.0, 500.0, (600, 7))
    before, after = features_at(values, position), features_at(changed, position)
    pd.testing.assert_frame_equal(before, after)
    assert before["has_season"].all()
    ahead = np.arange(position + 1, position + 4)[:, None]
    before_months = np.arange(position - 5, position + 1)[:, None]
    truth = np.log(
        (1 + amplitude * np.sin(2 * np.pi * (ahead + phase) / 12)).mean(axis=0)
        / (1 + amplitude * np.sin(2 * np.pi * (before_months + phase) / 12)).mean(axis=0)
    )
    seasonal = amplitude > 0
    estimate = before["season_outlook"].to_numpy()
    assert np.corrcoef(estimate[seasonal], truth[seasonal])[0, 1] > 0.95
    assert np.abs(estimate[~seasonal]).max() < 0.1  # no cycle is read into flat revenue


def test_season_outlook_is_the_ridge_least_squares_fit() -> None:
    """The batched normal equations against numpy's lstsq on the ridge-augmented system."""
    from analytics.trends.forecast.features import (
        _CYCLE_RIDGE,
        _level_shift_rss,
        _window,
        season_features,
    )

    values, _, _ = seasonal_panel(30, 15, seed=4)
    values[3, :5] = 0.0  # a late start
    values[7, 9] = 0.0  # a gap month is left out of the fit
    position = 14
    window, _, _ = _window(values[:, : position + 1])
    cycle = season_features(window, np.ones(len(window)), position, DeclineOutcome())
    got, known = cycle["season_outlook"], cycle["has_season"].astype(bool)
    t = np.arange(position + 1, dtype=float)
    angle = 2 * np.pi * t / 12
    design = np.stack([np.ones_like(t), (t - t.mean()) / 12, np.sin(angle), np.cos(angle)], axis=1)
    penalty = np.sqrt(np.diag([1e-9, 1e-9, _CYCLE_RIDGE, _CYCLE_RIDGE]))
    t_all = np.arange(18.0)
    shifted = 0
    for row in range(len(values)):
        used = np.nan_to_num(window[row]) > 0
        system = np.vstack([design[used], penalty])
        target = np.concatenate([np.log(window[row, used]), np.zeros(4)])
        coef = np.linalg.lstsq(system, target, rcond=None)[0]
        wave = np.exp(
            coef[2] * np.sin(2 * np.pi * t_all / 12) + coef[3] * np.cos(2 * np.pi * t_all / 12)
        )
        expected = np.log(wave[15:18].mean() / wave[9:15].mean())
        rss = np.sum((design[used] @ coef - np.log(window[row, used])) ** 2)
        logs = np.log(np.where(used, window[row], 1.0))[None]  # gap months weigh 0
        shift = _level_shift_rss(logs, used[None].astype(float), design[:, :2])
        if expected > 0 and shift[0] < rss:  # a rebound a level shift explains better
            expected, shifted = 0.0, shifted + 1
        assert known[row] == (row != 3)
        if known[row]:
            assert got[row] == pytest.approx(expected, abs=1e-9)
    assert 0 < shifted < 10  # the panel holds both kinds of rebound


def test_season_snr_separates_a_cycle_from_noise_and_fitted_fall_follows_the_trend() -> None:
    values, amplitude, _ = seasonal_panel()
    features = features_at(values, 16)
    snr = features["season_snr"].to_numpy()
    assert snr[amplitude > 0].min() > snr[amplitude == 0].max()
    t = np.arange(17.0)
    noise = np.exp(0.05 * np.random.default_rng(3).normal(size=(3, 17)))
    trends = 100 * np.stack([np.ones_like(t), 0.94**t, 1.05**t]) * noise  # flat, falling, growing
    fall = features_at(trends, 16)["fitted_fall"].to_numpy()
    assert abs(fall[0]) < 0.05
    assert fall[1] > 0.15 and fall[2] < -0.15  # a fit that keeps falling expects less ahead
    short = features_at(trends[:, :11], 10)  # under CYCLE_MIN_MONTHS: no cycle, no columns
    assert (short[["season_snr", "fitted_fall", "has_season"]].to_numpy() == 0).all()


def test_cycle_features_join_once_a_training_cut_off_can_follow_a_full_year() -> None:
    model = DeclineForecaster()
    assert "season_outlook" not in model._feature_names(15)
    assert set(CYCLE_FEATURES) <= set(model._feature_names(16))


def test_a_fall_after_a_flat_year_is_not_read_as_a_season_with_a_rebound() -> None:
    """rt8 D3: 20,000 a month for a year, then 9,000 falling to 4,000. A yearly harmonic fits
    the fall as half a cycle and expects a rebound; a level shift explains it better, so the
    forecast sees no season. A true cycle at its trough keeps its rebound."""
    t = np.arange(18.0)
    fallen = np.r_[np.full(12, 20_000.0), np.linspace(9_000, 4_000, 6)]
    seasonal = 10_000 * (1 + 0.4 * np.sin(2 * np.pi * (t - 6) / 12))  # trough at 15, then up
    features = features_at(np.stack([fallen, seasonal]), 17)
    assert features["has_season"].tolist() == [1.0, 1.0]
    assert features.loc[0, ["season_outlook", "season_snr"]].tolist() == [0.0, 0.0]
    assert features.loc[0, "fitted_fall"] > 0.1  # level and trend alone: a further fall (was 0.01)
    assert features.loc[1, "season_outlook"] > 0.2
