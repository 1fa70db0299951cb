"""Decline-forecast rows: features at a cut-off T (months <= T only) and the outcome after T.

Contract. `values` is a (customers x months) matrix of net revenue per month (money in the
customer's currency, NaN read as 0, rounded to cents), months consecutive. `features_at(values,
position)` reads only `values[:, : position + 1]`; the tests change every later month and
check that no feature moves. `outcome_at` is the only function that reads months after T.

Outcome (`DeclineOutcome`, defaults H = 3, B = 6, threshold 0.5). For a customer with revenue
in the history and cut-off T:

    baseline  = mean monthly revenue over the last B months up to T, counting only months
                since the customer's first positive month (a customer first seen two months
                ago has a two-month baseline; the first month of the data counts as a start);
    declined  = mean monthly revenue over T+1 .. T+H  <  threshold x baseline.

A customer whose baseline revenue is not positive (no net revenue over the baseline window)
is *churned*: a status outside the forecast population, never "declining". Customers without
any positive month up to T have no revenue and are not scored either.

Features (all from months <= T; why each is there is measured on the UCI retail data,
cut-offs 2011-05/06 used for development): purchase frequency (log active months, active share
of tenure, active months of the last 3 and of the baseline window) - frequency is the strongest
single signal (33 % of customers with 3 active months declined against 8 % with 9); recency
(months since the last positive month); tenure (log months since the first positive month, and
whether the first month is the first month of the data, i.e. tenure is censored); spend level
(log baseline); volatility (CV of the monthly revenue since the first month); relative slope
(least-squares slope / mean, per month); recent ratio (log of (last 3 + 1) / (prior 3 + 1))
and last month over the baseline; the revenue kind (`is_subscription`: billed in >= 90 % of
at least 6 months with CV <= 0.5, the lasting MRR state, against sparse and lumpy purchases;
both kinds share one model, the kind being a feature). With at least 24 months in the matrix,
the same months one year earlier: log of last year's horizon months over last year's baseline.
A largest-month-over-baseline "lumpiness" feature lowered the development AUC and was dropped.

The yearly cycle (`CYCLE_FEATURES`; the forecaster adds them once the table has a
training cut-off after a full year, >= 12 + H + 1 months, so the UCI file's 12 months never
see them): an account with a yearly season halves when the next H months fall into its trough
after a baseline at its peak, and no feature above says where in the year an account is - the
same-months-last-year pair needs a whole year before the baseline. Each account's positive
months since its first (>= `CYCLE_MIN_MONTHS`, three quarters of them positive) are fitted on
the log scale by level + trend + one period-12 harmonic (ridge on the harmonic), and the
feature is the log of the fitted cycle's mean over the H months ahead over its mean over the
baseline months - Fourier terms of a yearly season as in Prophet or TBATS, solved for all
accounts at once (batched 4 x 4 normal equations; the unit test checks them against numpy's
lstsq). Measured on the demo (seeds 7 and 11, `data/synth/decline.py`): with the generator's
exact cycle ratio as a feature the forecast reached 0.957 / 0.959 of the near-Bayes AUC,
without any 0.924 / 0.926, with this estimate 0.946 / 0.954; on seasonal accounts alone (seed 7)
its AUC rose from 0.73 to 0.80 (near-Bayes 0.885). The estimate correlates 0.81-0.91 with the
exact ratio on seasonal accounts (12-21 months of history); the ridge of 4 (against 1) keeps
that and halves the cycle read into non-seasonal accounts (RMSE to the exact ratio 0.148
against 0.218 at 12 months); the forward ratios of the two differ by less than their noise
(0.946 / 0.954 against 0.940 / 0.956). The same fit gives two more features (issue 14):
`season_snr`, the harmonic's amplitude over the SD of the fit's residuals, so the trees can
tell a real season from a cycle read into noise, and `fitted_fall`, the log of the baseline
over the fit's expected horizon (level + trend + harmonic, lognormal with that SD), the
fit's own forecast of the outcome. Together they raised the forward ratio to 0.951 / 0.959
(mean over five LightGBM seeds 0.946 -> 0.953 / 0.956 -> 0.959; each alone less; what else
was tried: `analytics.trends.forecast.estimator`).

A better estimate of the cycle, tried and not kept (issue 14). Yardstick: the estimated
outlook against the generator's exact one (`1 + amplitude x sin`, per account, from
`data.synth.population`), every cut-off of the demo's matrix with the history cut to the last
12 / 18 / 24 months, seeds 7 and 11 alike; correlation on the seasonal accounts, RMSE on the
others (exact 0). The ridge fit here: 0.80 / 0.90 / 0.92 and 0.13 / 0.15 / 0.13. A
Huber-weighted fit (two reweightings) shrunk by an empirical-Bayes prior fitted on the book's
accounts at each cut-off (months <= T; each account's own sampling covariance, so noisy
accounts shrink more): a normal prior N(0, tau^2 I) reached 0.85 / 0.93 / 0.95 and 0.11 /
0.11 / 0.09, a spike-and-slab prior (a share of accounts with a cycle) 0.83 / 0.92 / 0.94 and
0.11 / 0.11 / 0.08 (RMSE over all accounts 0.15 / 0.15 / 0.13 -> 0.13 / 0.11 / 0.09); a second
harmonic lowered the correlation (0.75 / 0.90 / 0.92). The more accurate feature did not
rank halvings better: forward ratio 0.946 / 0.954 -> 0.944 / 0.950 (normal prior) and 0.942 /
0.942 (spike-and-slab; paired cluster bootstrap of the change [-0.013, +0.003] / [-0.024,
-0.001]); within archetypes the AUC moved little (seasonal 0.795 / 0.823 -> 0.787 / 0.812,
volatile 0.924 / 0.914 -> 0.923 / 0.906), the loss is in the pooled ranking. Both also made
the prior a property of the whole book (a subset's features need the book's prior passed in).
So the ridge fit stays; what the forecast still lacks on seasonal accounts (near-Bayes 0.885 /
0.925) is not the accuracy of this estimate as measured here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

BASE_FEATURES: tuple[str, ...] = (
    "log_active_months",
    "active_share",
    "active_last_3",
    "active_baseline_share",
    "recency_months",
    "log_tenure",
    "tenure_censored",
    "log_baseline",
    "revenue_cv",
    "relative_slope",
    "log_recent_ratio",
    "last_to_baseline",
    "is_subscription",
)
SEASONAL_FEATURES: tuple[str, ...] = ("log_last_year_ratio", "has_last_year")
"""Added when the matrix holds at least `SEASONAL_MIN_MONTHS` months."""
SEASONAL_MIN_MONTHS = 24
CYCLE_FEATURES: tuple[str, ...] = ("season_outlook", "has_season", "season_snr", "fitted_fall")
"""Added when some training cut-off can hold a full year of an account's months (see
`CYCLE_MIN_MONTHS`): the yearly cycle's outlook for the horizon, from a harmonic fit."""
CYCLE_MIN_MONTHS = 12
"""Months since the first revenue a customer needs for its yearly cycle to be estimated."""
_CYCLE_RIDGE = 4.0
"""Ridge on the harmonic's two coefficients (log scale): shrinks the cycle read into noise."""
OutcomeName = Literal["half_of_baseline", "below_baseline", "no_revenue"]
OUTCOME_NAMES: tuple[str, ...] = get_args(OutcomeName)
_THRESHOLDS: dict[str, float] = {"half_of_baseline": 0.5, "below_baseline": 1.0, "no_revenue": 0.0}


@dataclass(frozen=True)
class DeclineOutcome:
    """What "decline" means: next `horizon` months below `threshold` x the baseline mean.

    Attributes:
        horizon: months after the cut-off whose mean revenue is compared (H).
        baseline_months: months up to the cut-off whose mean is the baseline (B).
        threshold: fraction of the baseline below which the customer has declined (0.5: lost
            half; 1.0: any fall; 0.0 is read as "no revenue at all", i.e. <= 0).
    """

    horizon: int = 3
    baseline_months: int = 6
    threshold: float = 0.5

    def __post_init__(self) -> None:
        if not 1 <= self.horizon <= 12 or not 1 <= self.baseline_months <= 24:
            raise ValueError(
                f"horizon must be 1-12 and baseline_months 1-24 months, got "
                f"{self.horizon} and {self.baseline_months}"
            )
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {self.threshold}")

    @classmethod
    def named(cls, name: str, horizon: int = 3, baseline_months: int = 6) -> DeclineOutcome:
        """The outcome called `name` (one of `OUTCOME_NAMES`).

        Examples:
            >>> DeclineOutcome.named("below_baseline", 2).threshold
            1.0
        """
        if name not in _THRESHOLDS:
            raise ValueError(f"unknown outcome {name!r}: use one of {', '.join(OUTCOME_NAMES)}")
        return cls(horizon, baseline_months, _THRESHOLDS[name])

    def describe(self) -> str:
        """The definition in one sentence (for tools and reports).

        Examples:
            >>> DeclineOutcome().describe()[:59]
            'probability that revenue over the next 3 months falls below'
        """
        level = {0.5: "half of", 1.0: "", 0.0: "zero, from"}.get(self.threshold)
        share = f"{self.threshold:.0%} of" if level is None else level
        return (
            f"probability that revenue over the next {self.horizon} months falls below "
            f"{share} the mean of the previous {self.baseline_months} months"
        ).replace("below  the", "below the")


def _safe_divide(top: FloatArray, bottom: FloatArray) -> FloatArray:
    return np.divide(top, bottom, out=np.full(np.shape(top), np.nan), where=bottom > 0)


def _window(seen: FloatArray) -> tuple[FloatArray, NDArray[np.int64], NDArray[np.bool_]]:
    """Months before the first positive month masked (NaN); first index; has any revenue."""
    positive = seen > 0
    has_any = positive.any(axis=1)
    first = np.where(has_any, positive.argmax(axis=1), seen.shape[1])
    inside = np.arange(seen.shape[1])[None, :] >= first[:, None]
    return np.where(inside, seen, np.nan), first.astype(np.int64), np.asarray(has_any, bool)


def baseline_mean(values: FloatArray, position: int, baseline_months: int) -> FloatArray:
    """Mean monthly revenue over the (up to) `baseline_months` months ending at `position`,
    counting only months since each customer's first positive month (NaN: none).

    Examples:
        >>> baseline_mean(np.array([[0.0, 0, 10, 20, 30], [5.0, 5, 5, 5, 0]]), 4, 3)
        array([20.        ,  3.33333333])
    """
    seen, _, _ = _window(np.asarray(values, dtype=float)[:, : position + 1])
    recent = seen[:, -baseline_months:]
    count = np.sum(~np.isnan(recent), axis=1)
    return _safe_divide(np.nansum(recent, axis=1), count.astype(float))


def _slope(window: FloatArray, mean: FloatArray) -> FloatArray:
    """Least-squares slope per month over each row's window, divided by its mean revenue."""
    x = np.where(np.isnan(window), np.nan, np.arange(window.shape[1], dtype=float))
    count = np.sum(~np.isnan(window), axis=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        x_mean = np.nansum(x, axis=1) / count
        y_mean = np.nansum(window, axis=1) / count
        sxy = np.nansum((x - x_mean[:, None]) * (window - y_mean[:, None]), axis=1)
        sxx = np.nansum((x - x_mean[:, None]) ** 2, axis=1)
    return _safe_divide(_safe_divide(sxy, sxx), mean)


def _last_year(values: FloatArray, position: int, outcome: DeclineOutcome) -> FloatArray:
    """log((last year's horizon months + 1) / (last year's baseline x H + 1)); NaN if unseen."""
    year_ago = position - 12
    if year_ago - outcome.baseline_months + 1 < 0:
        return np.full(values.shape[0], np.nan)
    horizon = values[:, year_ago + 1 : year_ago + 1 + outcome.horizon].sum(axis=1)
    base = baseline_mean(values, year_ago, outcome.baseline_months)
    ratio = np.log((np.maximum(horizon, 0) + 1) / (np.maximum(base, 0) * outcome.horizon + 1))
    return np.where(np.isnan(base), np.nan, ratio)


def season_features(
    window: FloatArray, baseline: FloatArray, position: int, outcome: DeclineOutcome
) -> dict[str, FloatArray]:
    """`CYCLE_FEATURES` per row of `window` (months 0..`position`, NaN before the first
    revenue; `baseline` the baseline mean), from months <= `position` only.

    Each row's positive months since its first are fitted by least squares on the log scale:
    level + linear trend + one yearly harmonic (sin and cos of 2 pi t / 12, ridge
    `_CYCLE_RIDGE` on the harmonic). `season_outlook` is the fitted harmonic alone over the
    horizon against the baseline months (growth stays the slope features'); `season_snr` the
    harmonic's amplitude over the SD of the fit's residuals (log scale), how far the cycle
    stands out of the account's noise; `fitted_fall` the log of the baseline over the whole
    fit's expected mean of the horizon months (level + trend + harmonic, lognormal with the
    residual SD). Customers with fewer than `CYCLE_MIN_MONTHS` months since the first, or
    fewer than three quarters of them positive, get 0 in every column.

    Examples:
        >>> t = np.arange(18.0)
        >>> season = 100 * (1 + 0.4 * np.sin(2 * np.pi * (t - 12) / 12))  # peak at month 15
        >>> window = np.stack([season, 50 * 1.03**t])
        >>> got = season_features(window, window[:, -6:].mean(axis=1), 17, DeclineOutcome())
        >>> got["season_outlook"].round(2).tolist(), got["has_season"].tolist()  # exact -0.42
        ([-0.3, -0.0], [1.0, 1.0])
    """
    n_months = window.shape[1]
    t = np.arange(n_months, dtype=float)
    design = np.stack(
        [
            np.ones(n_months),
            (t - t.mean()) / 12,
            np.sin(2 * np.pi * t / 12),
            np.cos(2 * np.pi * t / 12),
        ],
        axis=1,
    )
    weight = (np.nan_to_num(window) > 0).astype(float)
    target = np.log(np.where(weight > 0, window, 1.0)) * weight
    gram = np.einsum("rt,ti,tj->rij", weight, design, design)
    gram += np.diag([1e-9, 1e-9, _CYCLE_RIDGE, _CYCLE_RIDGE])
    coef = np.linalg.solve(gram, np.einsum("rt,ti->ri", target, design)[..., None])[..., 0]
    used = weight.sum(axis=1)
    residual = (target - coef @ design.T) * weight
    noise = np.sqrt(np.sum(residual**2, axis=1) / np.maximum(used - 4, 1))

    def cycle(months: NDArray[np.int64]) -> FloatArray:
        angle = 2 * np.pi * months / 12
        return np.outer(coef[:, 2], np.sin(angle)) + np.outer(coef[:, 3], np.cos(angle))

    horizon = np.arange(position + 1, position + 1 + outcome.horizon)
    baseline_months = np.arange(position - outcome.baseline_months + 1, position + 1)
    rebound = np.exp(cycle(horizon)).mean(axis=1) > np.exp(cycle(baseline_months)).mean(axis=1)
    if rebound.any():  # a rebound read into a level shift is no season: `_level_shift_rss`
        shifted = np.flatnonzero(rebound)[
            _level_shift_rss(target[rebound], weight[rebound], design[:, :2])
            < np.sum(residual[rebound] ** 2, axis=1)
        ]
        coef[shifted, 2:] = 0.0
    ahead, before = cycle(horizon), cycle(baseline_months)
    trend = coef[:, :1] + np.outer(coef[:, 1], (horizon - t.mean()) / 12)
    expected = np.exp(trend + ahead + noise[:, None] ** 2 / 2).mean(axis=1)
    tenure = np.sum(~np.isnan(window), axis=1)
    known = (tenure >= CYCLE_MIN_MONTHS) & (used >= 0.75 * tenure)
    with np.errstate(divide="ignore", invalid="ignore"):
        columns = {
            "season_outlook": np.log(np.exp(ahead).mean(axis=1) / np.exp(before).mean(axis=1)),
            "season_snr": np.hypot(coef[:, 2], coef[:, 3]) / np.maximum(noise, 1e-3),
            "fitted_fall": np.log(np.nan_to_num(baseline) / expected),
        }
    clip = {"season_outlook": 3.0, "season_snr": 10.0, "fitted_fall": 5.0}
    out = {
        name: np.where(known, np.clip(np.nan_to_num(value), -clip[name], clip[name]), 0.0)
        for name, value in columns.items()
    }
    out["has_season"] = known.astype(float)
    return out


def _level_shift_rss(target: FloatArray, weight: FloatArray, base: FloatArray) -> FloatArray:
    """Least weighted residual sum of squares of level + trend (`base`) + one level shift, over
    every month the shift may start in with at least three used months on each side (inf
    where no month has).

    Why (rt8 D3): with under two years of history a yearly harmonic cannot tell its season from
    a one-time fall. A customer at 20,000 a month for a year, then 9,000 falling to 4,000, was
    fitted as half a cycle with a rebound ahead (`season_outlook` +0.29), and the forecast gave
    2.3 % inside the demo book (18 % in a book of its own) while its revenue kept falling. A
    cycle that promises a rebound is kept only where it fits the account's months better than
    this level-shift model (both have four parameters, the shift's month being the fourth);
    else its harmonic is set to 0 (no outlook, no signal-to-noise, `fitted_fall` from level
    and trend alone). A cycle that foresees a fall is kept as it is: a wrongly trusted rebound
    hides a decline, a wrongly trusted trough only flags one. That customer: level shift 0.41
    against the harmonic's 0.78, so no season; 8.3 % in the demo book, 35 % in its own.
    On the synthetic demo, whose seasons are exact sinusoids and which has no level shifts
    (mean forward ratio over LightGBM seeds 0-4, `services.trends.forecast`): seed 7 0.9533 ->
    0.9553, seed 11 0.9587 -> 0.9579, inside one seed's spread (0.952-0.960, 0.952-0.962).
    An earlier variant that dropped the cycle features of every account the level shift fits
    better, falls included, cost 0.9510 / 0.9476 and took `fitted_fall` from steady falls.
    The UCI retail backtest cannot test it: its 13 months hold no cut-off after a full year.
    Cost: the forecast for 100k customers x 24 months took 5.48 CPU s against 3.02 without it
    (`python -m benchmarks --only trends`, load 1.2): one batched 3 x 3 solve per month.

    Examples:
        >>> t = np.arange(18.0)
        >>> base = np.stack([np.ones(18), (t - t.mean()) / 12], axis=1)
        >>> step = np.log(np.r_[np.full(12, 20_000.0), np.linspace(9_000, 4_000, 6)])
        >>> _level_shift_rss(step[None], np.ones((1, 18)), base).round(2)
        array([0.41])
    """
    n_months = base.shape[0]
    best = np.full(len(target), np.inf)
    used_before = np.cumsum(weight, axis=1)
    for start in range(3, n_months - 2):
        design = np.column_stack([base, np.arange(n_months) >= start])
        gram = np.einsum("rt,ti,tj->rij", weight, design, design) + np.diag([1e-9] * 3)
        coef = np.linalg.solve(gram, np.einsum("rt,ti->ri", target, design)[..., None])[..., 0]
        rss = np.sum(((target - coef @ design.T) * weight) ** 2, axis=1)
        sides = (used_before[:, start - 1] >= 3) & (
            used_before[:, -1] - used_before[:, start - 1] >= 3
        )
        best = np.where(sides, np.minimum(best, rss), best)
    return best


def features_at(
    values: FloatArray, position: int, outcome: DeclineOutcome | None = None
) -> pd.DataFrame:
    """Feature frame (one row per matrix row) from months 0..`position` only.

    Columns: `BASE_FEATURES`, `CYCLE_FEATURES` (0 for customers with under 12 months),
    `SEASONAL_FEATURES` (0 where last year is not in the table; the forecaster uses them only
    for tables of >= 24 months), plus the unscaled
    `baseline_revenue` and `has_revenue` used for the population.

    Examples:
        >>> f = features_at(np.array([[0.0, 10, 10, 0, 10, 99], [0, 0, 0, 0, 5, 99]]), 4)
        >>> f[["log_active_months", "recency_months", "tenure_censored"]].round(2).values.tolist()
        [[1.1, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    outcome = outcome or DeclineOutcome()
    seen = np.round(np.nan_to_num(np.asarray(values, dtype=float)[:, : position + 1]), 2)
    window, first, has_any = _window(seen)
    n_months = seen.shape[1]
    positive = seen > 0
    tenure = np.where(has_any, n_months - first, 0).astype(float)
    active = positive.sum(axis=1).astype(float)
    last = n_months - 1 - positive[:, ::-1].argmax(axis=1)
    base_window = window[:, -outcome.baseline_months :]
    base_count = np.sum(~np.isnan(base_window), axis=1).astype(float)
    baseline = _safe_divide(np.nansum(base_window, axis=1), base_count)
    mean = _safe_divide(np.nansum(window, axis=1), tenure)
    spread = np.sqrt(
        _safe_divide(np.nansum((window - mean[:, None]) ** 2, axis=1), np.maximum(tenure - 1, 1))
    )
    last_3 = np.nansum(window[:, -3:], axis=1)
    prior_3 = np.nansum(window[:, -6:-3], axis=1) if n_months > 3 else np.zeros(len(seen))
    cv = _safe_divide(spread, mean)
    frame = {
        "log_active_months": np.log(np.maximum(active, 1.0)),
        "active_share": _safe_divide(active, tenure),
        "active_last_3": positive[:, -3:].sum(axis=1).astype(float),
        "active_baseline_share": _safe_divide((base_window > 0).sum(axis=1) * 1.0, base_count),
        "recency_months": np.where(has_any, n_months - 1 - last, 0).astype(float),
        "log_tenure": np.log(np.maximum(tenure, 1.0)),
        "tenure_censored": (has_any & (first == 0)).astype(float),
        "log_baseline": np.log1p(np.maximum(baseline, 0.0)),
        "revenue_cv": np.clip(cv, 0.0, 5.0),
        "relative_slope": np.clip(_slope(window, mean), -1.0, 1.0),
        "log_recent_ratio": np.clip(
            np.log((np.maximum(last_3, 0) + 1) / (np.maximum(prior_3, 0) + 1)), -5, 5
        ),
        "last_to_baseline": np.clip(_safe_divide(seen[:, -1], baseline), -1.0, 5.0),
        "is_subscription": ((tenure >= 6) & (active >= 0.9 * tenure) & (cv <= 0.5)).astype(float),
    }
    last_year = _last_year(seen, position, outcome)  # NaN (then 0, has_last_year 0) if unseen
    frame["log_last_year_ratio"] = np.clip(last_year, -5, 5)
    frame["has_last_year"] = (~np.isnan(last_year)).astype(float)
    frame.update(season_features(window, baseline, position, outcome))
    features = pd.DataFrame(frame).fillna(0.0)
    features["baseline_revenue"] = baseline
    features["has_revenue"] = has_any
    return features


@dataclass(frozen=True)
class OutcomeRows:
    """Outcome at one cut-off: `declined` (bool), `in_population`, `churned` per matrix row."""

    declined: NDArray[np.bool_]
    in_population: NDArray[np.bool_]
    churned: NDArray[np.bool_]


def population_at(features: pd.DataFrame) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """(scored, churned): scored = revenue in the history and a positive baseline."""
    has_revenue = features["has_revenue"].to_numpy(dtype=bool)
    positive_base = features["baseline_revenue"].fillna(0.0).to_numpy() > 0
    return has_revenue & positive_base, has_revenue & ~positive_base


def outcome_at(
    values: FloatArray, position: int, outcome: DeclineOutcome | None = None
) -> OutcomeRows:
    """Whether each customer's revenue after `position` fell below the threshold (see module).

    Examples:
        >>> out = outcome_at(np.array([[10.0, 10, 10, 2, 2, 2], [10, 10, 10, 9, 9, 9],
        ...                            [5, 0, 0, 0, 0, 0]]), 2, DeclineOutcome(3, 2))
        >>> out.declined.tolist(), out.in_population.tolist(), out.churned.tolist()
        ([True, False, False], [True, True, False], [False, False, True])
    """
    outcome = outcome or DeclineOutcome()
    values = np.round(np.nan_to_num(np.asarray(values, dtype=float)), 2)
    baseline = baseline_mean(values, position, outcome.baseline_months)
    return outcome_from_baseline(values, position, baseline, outcome)


def outcome_from_baseline(
    values: FloatArray, position: int, baseline: FloatArray, outcome: DeclineOutcome
) -> OutcomeRows:
    """`outcome_at` given the baseline already computed (the forecaster's features hold it)."""
    if position + outcome.horizon >= values.shape[1]:
        raise ValueError(
            f"cut-off at column {position} needs {outcome.horizon} later months; "
            f"the table has {values.shape[1]} months"
        )
    has_revenue = (values[:, : position + 1] > 0).any(axis=1)
    scored = has_revenue & (np.nan_to_num(baseline) > 0)
    following = values[:, position + 1 : position + 1 + outcome.horizon].mean(axis=1)
    if outcome.threshold == 0.0:
        declined = following <= 0
    else:
        declined = following < outcome.threshold * np.nan_to_num(baseline)
    return OutcomeRows(declined & scored, scored, has_revenue & ~scored)
