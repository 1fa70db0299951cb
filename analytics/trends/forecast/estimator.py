"""`decline_probability`: a forecast that a customer's revenue halves, learned per portfolio.

Contract. `DeclineForecaster().fit(values)` learns from the matrix's own history: rows are
(customer, cut-off T) for every T whose outcome months T+1..T+H lie inside the matrix (see
`analytics.trends.forecast.features` for features and the outcome), the latest `max_cutoffs` of
them (default 12: a year of cut-offs, so every calendar quarter's outcome is learned once when
the history is long enough; at 6 the demo's forward AUC was 0.845 against 0.857 at 12, the UCI
retail backtest, with at most 5 labelled cut-offs, is unchanged, and the 100k bench's CPU time
did not grow: rows are capped by `max_rows`). `predict_at(values, position)` scores every
customer with revenue up to `position` (new and short histories included: tenure is a feature);
churned customers (no revenue over the baseline window) and customers without revenue get NaN
and a `decline_status`. `forecast_decline` fits on a table and scores its last month, with
`decline_level` as bands (`DeclineBands`) of the probability.

Method. Two plain candidates (`analytics.trends.forecast.models`): L2 logistic regression on
standardised features, and a small LightGBM. With `model="auto"` both are fitted on the
earlier training cut-offs and judged by ROC-AUC on the latest one - a cut-off whose outcome is
already known, never the one being forecast - and the winner is refitted on all of them. Both
are log-loss models, calibrated on the distribution they were trained on. A separate Platt or
isotonic step fitted on an earlier cut-off made calibration worse on the UCI retail data (ECE
0.084 -> 0.158 at 2011-08: the calibration fold's quarter declined more often than the
held-out one), so none is applied; the backtest reports ECE per held-out cut-off instead.
The ECE of 0.090 at 2011-08 is all calibration-in-the-large: the mean probability (0.568) less
the rate observed (0.478) is 0.090, so within the cut-off the probabilities are ordered and
spaced right and only the level is off. The level cannot be known at 2011-08: the outcome rate
of the labelled cut-offs was 0.60-0.67 (2011-01..05, none trending), the partial outcomes known
at 2011-08 were level with them (one month after 2011-07: 0.757 against 0.70-0.78; two months
after 2011-06: 0.659 against 0.62-0.70), and the fall comes from Sep-Nov, the pre-Christmas peak
(book revenue +51 % from August to September), a season 12 months of history cannot show. An
intercept refitted on the latest labelled cut-off would raise the level, not lower it (2011-05's
rate, 0.636, is above the training cut-offs' pooled 0.623). With >= 24 months the same-months-
last-year features and a year of training cut-offs carry the season.

Why two candidates, measured: on the UCI retail data the linear model ranks better (AUC 0.720
against 0.702 at 2011-08; trees cannot extrapolate frequency and tenure beyond the values the
earlier cut-offs hold), on the synthetic SaaS world, where declines of two kinds mix (already
falling accounts, and onsets driven by tenure and size), the trees reached 0.955 of the Bayes
AUC against 0.86 for the linear model (an earlier design of the onset-only truth, not re-run;
against the forecast's own outcome, `data/synth/decline.py`, the trees won every demo cut-off,
validation AUC 0.83-0.89 against 0.76-0.81). The validation cut-off picks per portfolio.
Tried on the demo and UCI and dropped (no gain on either): a detrended volatility feature
(residual CV around the least-squares line, or the SD of month-to-month log changes), and a
larger LightGBM (300 trees of 16 leaves, or min_child_samples 30).

Why the demo's forward ratio was 0.92 of the near-Bayes AUC, and what closed part of it
(issue 14; `decline_probability` against `decline_truth.halved`, ratio = forward AUC over
`p_halved`'s AUC, seeds 7 and 11 of `revrisk demo`, six truth cut-offs each):
- Not training size: every fit sees 12 cut-offs, ~21,000 rows and 1,100-1,650 halvings (the
  declining archetypes included); every cut-off with H months after it (`max_cutoffs=24`)
  gave 0.936 / 0.947 against 0.936 / 0.948 at 12, and 6 cut-offs 0.922 / 0.941 (with the
  same-months-a-year-ago ratio then under test). Per cut-off the forecast ranked 0.84-0.88
  against 0.91-0.95.
- Not the learner: LightGBM won every validation cut-off (0.84-0.89 against 0.76-0.84 for the
  logistic model). A spline additive model (SplineTransformer, 5 quantile knots, + L2
  logistic regression) reached 0.925 / 0.935, the average of it with the trees 0.940 / 0.951,
  the trees alone 0.940 / 0.956 (all three with the cycle feature at ridge 1); slower or
  smaller trees (300 at rate 0.03, 4 leaves, min_child_samples 40; measured with the year-ago
  ratio) and the mean of five subsample seeds moved the ratio by <= 0.007.
- The season: within archetypes the forecast ranked volatile accounts at 0.92 (near-Bayes
  0.95) but seasonal ones at 0.73 (0.885). With the generator's exact cycle ratio of the
  horizon over the baseline as a feature (beside the year-ago ratio; LightGBM) the forecast
  reached 0.957 / 0.959; the generator's per-account noise level instead added nothing
  (0.938 / 0.930), nor did a noise SD from the residuals of the harmonic fit (0.943 /
  0.944). So the cycle is estimated from revenue (`season_outlook`,
  `analytics.trends.forecast.features`): 0.946 [0.921, 0.968] / 0.954 [0.917, 0.986], the
  seasonal accounts ranked at 0.80, every cut-off at 0.87-0.90 (seed 7). Ranking one
  archetype's rows as `p_halved` does would still lift seed 7's ratio to 0.963 (seasonal),
  0.959 (volatile, flat) or 0.956 (growing): the cycle estimate is the largest gap left.
  Dropped (ratio change on seeds 7 / 11): the same months a year ago over today's baseline
  (+0.012 / +0.022 alone, -0.000 / -0.003 beside the cycle), the fitted level ahead over the
  baseline (+0.001 / -0.006 beside the cycle), a Huber-weighted cycle fit (+0.001 / -0.002),
  a median-over-mean baseline against spikes (-0.004 / +0.006), the slope and curvature of
  the baseline months (+0.003 / +0.007 alone, +0.002 / -0.002 beside the year-ago ratio).
  A monotone constraint (lower `season_outlook`, higher risk) changed it by -0.000 / -0.001.
- The cycle fit's quality and its whole forecast (kept; `season_snr`, `fitted_fall`,
  `analytics.trends.forecast.features`): 0.946 [0.921, 0.968] -> 0.951 [0.928, 0.972] on seed
  7, 0.954 [0.917, 0.986] -> 0.959 [0.927, 0.988] on seed 11 (`revrisk trends --evaluate`).
  One fit's ratio moves by up to +-0.005 with LightGBM's subsample seed alone, so every idea
  below was judged on the mean over seeds 0-4 of `random_state`: 0.946 -> 0.953 (seed 7) and
  0.956 -> 0.959 (seed 11), higher at each of the five on both; on demo seeds 13 and 5, not
  used to choose, 0.948 -> 0.952 and 0.930 -> 0.932. The paired cluster bootstrap of the
  change at `random_state` 0 still spans 0 ([-0.003, +0.014] / [-0.007, +0.019]).
  Unlike the fitted level dropped above, `fitted_fall` holds the harmonic and the lognormal
  term of the residual SD, and `season_snr` scales the cycle by that SD (the SD alone added
  nothing, above).
  Tried beside the cycle and dropped (ratio change on seeds 7 / 11, `random_state` 0 unless
  a mean is given): R^2 of the harmonic (+0.004 / -0.001; with `season_snr` +0.007 / +0.002,
  mean of three seeds +0.003 / -0.001); the months the fit used (it is `log_active_months`:
  no change); amplitude and phase-ahead (cos, and sin) as separate features (+0.001 / +0.003
  and +0.001 / +0.005; all of them with `season_snr` +0.000 / +0.002); the cycle ahead over
  the latest month (+0.003 / +0.000) or the latest 3 (+0.001 / +0.000), with `season_snr`
  mean of five seeds +0.002 / +0.001; a z-score of half the baseline under the fit's
  horizon (+0.006 / +0.003, mean of five +0.001 / -0.001); `fitted_fall` alone (mean of five
  +0.002 / +0.005). Training: recency-weighted rows (0.9 or 0.8 per cut-off back: -0.002 /
  -0.007, -0.005 / -0.012); monotone constraints on the 10 features with a clear direction
  (frequency, recency, CV, slope, ratios, outlook: -0.005 / -0.016) or on 4 (slope, recent
  ratio, last month, outlook: -0.004 / -0.012); a blend of the logistic model and the trees,
  weight (0-0.5) chosen on the validation cut-off (-0.000 / -0.005).
- The top decile (seed 7): 0.268 of the forecast's top 10 % halved (63 % of all halvings)
  against 0.361 (79 %) for `p_halved`; 0.298 (70 %) with the cycle. Its mean probability there
  is 0.37 against 0.30 observed: the forecast learns from every account, the declining
  archetypes included, and the truth scores only the accounts at risk of an onset.
- What is left is noise the forecast cannot see (onsets, spikes and seat noise of the months
  ahead) and sampling error: 345 and 309 halvings give the ratio a CI of about +-0.03.

Drivers: each row's largest contributions to the log-odds (coef x standardised value for the
linear model, TreeSHAP for the trees), computed for the `driver_rows` highest probabilities
only (TreeSHAP costs ~0.3 ms a row here).

Memory: `fit` builds features only for the `max_rows` rows it keeps (population and labels of
every cut-off first, then the sample, then `features_at` on the kept rows: the same rows and
model as stacking every cut-off), and `predict_at` computes features 100k customers at a time.
On a synthetic 1M x 24 matrix (0.51 GB held before the fit) the process peaked at 3.9 GB in
`fit` when it stacked all 12 cut-offs, 0.79 GB now; `predict_at` after it: 1.75 GB, ~1.0 GB now
(`python -m benchmarks --only forecast_memory`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from analytics.trends.forecast.features import (
    BASE_FEATURES,
    CYCLE_FEATURES,
    CYCLE_MIN_MONTHS,
    SEASONAL_FEATURES,
    SEASONAL_MIN_MONTHS,
    DeclineOutcome,
    baseline_mean,
    features_at,
    outcome_from_baseline,
    population_at,
)
from analytics.trends.forecast.models import BoostedModel, LogisticModel, Model, rank_auc

FloatArray = NDArray[np.float64]
DECLINE_STATUSES: tuple[str, ...] = ("scored", "churned", "no_revenue")
MODEL_KINDS: tuple[str, ...] = ("auto", "logistic", "lightgbm")


class NotEnoughHistoryError(ValueError):
    """The table's past holds no labelled cut-off with both outcomes: nothing to learn from."""


@dataclass(frozen=True)
class DeclineBands:
    """`decline_level` 0-3 as bands of `decline_probability`: level k from `cuts[k-1]` up."""

    cuts: tuple[float, float, float] = (0.3, 0.5, 0.7)

    def __post_init__(self) -> None:
        if len(self.cuts) != 3 or not 0 < self.cuts[0] < self.cuts[1] < self.cuts[2] < 1:
            raise ValueError(f"cuts must be 3 increasing values in (0, 1), got {self.cuts}")

    def level(self, probability: FloatArray) -> pd.Series:
        """Int64 levels, NA where the probability is NaN.

        Examples:
            >>> DeclineBands().level(np.array([0.1, 0.55, 0.9, np.nan])).tolist()
            [0, 2, 3, <NA>]
        """
        probability = np.asarray(probability, dtype=float)
        level = np.searchsorted(np.asarray(self.cuts), np.nan_to_num(probability), side="right")
        return pd.Series(level, dtype="Int64").mask(np.isnan(probability))


def cutoff_positions(n_months: int, outcome: DeclineOutcome, max_cutoffs: int) -> list[int]:
    """The most recent `max_cutoffs` cut-offs whose horizon lies inside `n_months` (>= 1).

    Examples:
        >>> cutoff_positions(12, DeclineOutcome(), 4)
        [5, 6, 7, 8]
    """
    last = n_months - 1 - outcome.horizon
    return list(range(max(1, last - max_cutoffs + 1), last + 1))


MIN_EVENTS_PER_FEATURE = 10
"""Fewer declines than this per feature and the forecast is flagged as learned from thin
history. The classic events-per-variable minimum for logistic risk models (Peduzzi et al.,
J Clin Epidemiol 1996: below 10, coefficients are biased and unstable). Measured here: an
80-account, 12-month book learned from 24 declines for 13 features (1.8 per feature) and
ranked an account that had stopped paying four months earlier at 45 %, below a $48 account
at 56 % (the demo world's 2,000 accounts: 1,817 declines for 19 features, 96 per feature, and
such accounts near 0.94)."""


class DeclineForecaster:
    """Logistic decline forecast learned from a revenue matrix's own past (scikit-learn style).

    Parameters are only stored by `__init__`; `fit` validates them. Fitted attributes:
    `features_` (names), `mean_`, `scale_`, `coef_`, `intercept_`, `cutoffs_` (training
    cut-off positions), `n_rows_`, `base_rate_`, `n_events_` (declines among the training
    rows). `thin` tells whether those declines are too few for the features learned
    (`MIN_EVENTS_PER_FEATURE`).

    Examples:
        >>> rng = np.random.default_rng(0)
        >>> values = rng.gamma(2.0, 50.0, size=(300, 12)) * (rng.random((300, 12)) < 0.6)
        >>> model = DeclineForecaster(max_cutoffs=4).fit(values)
        >>> scores = model.predict_at(values, 11)
        >>> bool(scores["decline_probability"].dropna().between(0, 1).all()), model.cutoffs_
        (True, [5, 6, 7, 8])
    """

    def __init__(
        self,
        outcome: DeclineOutcome | None = None,
        C: float = 0.03,  # noqa: N803 - scikit-learn's name
        max_cutoffs: int = 12,
        max_rows: int = 150_000,
        random_state: int = 0,
        model: str = "auto",
    ) -> None:
        self.outcome = outcome
        self.model = model
        self.C = C
        self.max_cutoffs = max_cutoffs
        self.max_rows = max_rows
        self.random_state = random_state

    def _outcome(self) -> DeclineOutcome:
        return self.outcome or DeclineOutcome()

    def _feature_names(self, n_months: int) -> list[str]:
        """`BASE_FEATURES`; `CYCLE_FEATURES` when a training cut-off can follow a full year
        (months 0..11) with its H outcome months; `SEASONAL_FEATURES` from 24 months."""
        cycle = n_months >= CYCLE_MIN_MONTHS + self._outcome().horizon + 1
        seasonal = list(SEASONAL_FEATURES) if n_months >= SEASONAL_MIN_MONTHS else []
        return [*BASE_FEATURES, *(CYCLE_FEATURES if cycle else ()), *seasonal]

    def training_rows(
        self, values: FloatArray, cutoffs: Sequence[int]
    ) -> tuple[pd.DataFrame, NDArray[np.bool_], NDArray[np.int64]]:
        """Stacked features, outcomes and cut-off positions of the population rows."""
        frames, labels, positions = [], [], []
        for position in cutoffs:
            features = features_at(values, position, self._outcome())
            baseline = features["baseline_revenue"].to_numpy()
            rows = outcome_from_baseline(values, position, baseline, self._outcome())
            keep = rows.in_population
            frames.append(features.loc[keep])
            labels.append(rows.declined[keep])
            positions.append(np.full(int(keep.sum()), position))
        return (
            pd.concat(frames, ignore_index=True),
            np.concatenate(labels),
            np.concatenate(positions),
        )

    def _training_sample(
        self, values: FloatArray, cutoffs: Sequence[int], names: Sequence[str]
    ) -> tuple[FloatArray, NDArray[np.bool_], NDArray[np.int64]]:
        """The rows `fit` learns from: `training_rows` and, past `max_rows`, a uniform sample
        of them - features built for the sampled rows only.

        Same rows, order, features and labels as sampling `training_rows`'s output (the
        unit test checks it bit for bit): the population and labels of every cut-off come
        first (cheap: the baseline and the months after T), the sample is drawn with the same
        generator call on the same row count, and `features_at` runs per cut-off on the kept
        customers' rows (every feature is a function of its own row; `values` is rounded by
        `_matrix`, so `baseline_mean` equals the features' `baseline_revenue`). Measured
        reason: on 1M customers x 24 months the stacked features of 12 cut-offs took the fit
        to a 3.6 GB peak.
        """
        outcome = self._outcome()
        masks, labels = [], []
        for position in cutoffs:
            baseline = baseline_mean(values, position, outcome.baseline_months)
            rows = outcome_from_baseline(values, position, baseline, outcome)
            masks.append(rows.in_population)
            labels.append(rows.declined[rows.in_population])
        all_labels = np.concatenate(labels)
        if len(np.unique(all_labels)) < 2:
            raise NotEnoughHistoryError(
                "the training cut-offs hold only one outcome: cannot fit a forecast"
            )
        counts = np.array([int(mask.sum()) for mask in masks])
        keep = np.arange(counts.sum())
        if len(keep) > self.max_rows:
            rng = np.random.default_rng(self.random_state)
            keep = np.sort(rng.choice(len(keep), self.max_rows, replace=False))
        starts = np.concatenate([[0], np.cumsum(counts)])
        parts, positions = [], []
        for index, position in enumerate(cutoffs):
            lo, hi = np.searchsorted(keep, starts[index : index + 2])
            if lo == hi:
                continue
            customers = np.flatnonzero(masks[index])[keep[lo:hi] - starts[index]]
            features = features_at(values[customers, : position + 1], position, outcome)
            parts.append(features[list(names)].to_numpy(dtype=float))
            positions.append(np.full(hi - lo, position))
        return np.concatenate(parts), all_labels[keep], np.concatenate(positions)

    def fit(
        self, values: FloatArray | pd.DataFrame, cutoffs: Sequence[int] | None = None
    ) -> DeclineForecaster:
        """Fit on the given cut-off positions (default: the latest `max_cutoffs` labelled)."""
        values = _matrix(values)
        if self.C <= 0 or self.max_cutoffs < 1 or self.max_rows < 100:
            raise ValueError("C must be > 0, max_cutoffs >= 1 and max_rows >= 100")
        if self.model not in MODEL_KINDS:
            raise ValueError(f"model must be one of {MODEL_KINDS}, got {self.model!r}")
        outcome = self._outcome()
        if cutoffs is None:
            cutoffs = cutoff_positions(values.shape[1], outcome, self.max_cutoffs)
        if not cutoffs:
            raise NotEnoughHistoryError(
                f"{values.shape[1]} months leave no cut-off with {outcome.horizon} months after "
                f"it and one before: need at least {outcome.horizon + 2} months"
            )
        names = self._feature_names(values.shape[1])
        matrix, labels, positions = self._training_sample(values, cutoffs, names)
        self.features_ = names
        self.validation_auc_ = self._validate(matrix, labels, positions)
        self.model_ = self._choose(self.validation_auc_)
        self.estimator_ = self._make(self.model_).fit(matrix, labels)
        self.cutoffs_ = list(cutoffs)
        self.n_rows_ = len(matrix)
        self.base_rate_ = float(labels.mean())
        self.n_events_ = int(labels.sum())
        return self

    @property
    def events_per_feature(self) -> float:
        """Declines the fit learned from, per feature: the usual yardstick of how stable a
        fitted risk model can be (`MIN_EVENTS_PER_FEATURE`)."""
        return self.n_events_ / len(self.features_)

    @property
    def thin(self) -> bool:
        """Fitted on fewer than `MIN_EVENTS_PER_FEATURE` declines per feature."""
        return self.events_per_feature < MIN_EVENTS_PER_FEATURE

    def _make(self, kind: str) -> Model:
        if kind == "logistic":
            return LogisticModel(self.C)
        return BoostedModel(self.random_state)

    def _validate(
        self, matrix: FloatArray, labels: NDArray[np.bool_], positions: NDArray[np.int64]
    ) -> dict[str, float]:
        """AUC of each candidate on the latest training cut-off, fitted on (at most a third of
        `max_rows` of) the earlier ones: a choice between two models needs less than a fit."""
        kinds = ("logistic", "lightgbm") if self.model == "auto" else (self.model,)
        last = positions.max()
        train, check = positions < last, positions == last
        limit = max(self.max_rows // 3, 100)
        if train.sum() > limit:
            rng = np.random.default_rng(self.random_state + 1)
            picked = rng.choice(np.flatnonzero(train), limit, replace=False)
            train = np.isin(np.arange(train.size), picked)
        both = len(np.unique(labels[train])) == 2 and len(np.unique(labels[check])) == 2
        if self.model != "auto" or not both:
            return {}
        scores = {}
        for kind in kinds:
            fitted = self._make(kind).fit(matrix[train], labels[train])
            scores[kind] = round(rank_auc(labels[check], fitted.predict(matrix[check])), 4)
        return scores

    def _choose(self, validation: dict[str, float]) -> str:
        if self.model != "auto":
            return self.model
        if not validation:
            return "logistic"
        return max(validation, key=lambda kind: validation[kind])

    def predict_at(
        self, values: FloatArray | pd.DataFrame, position: int, driver_rows: int = 5_000
    ) -> pd.DataFrame:
        """`decline_probability` (NaN outside the population), `decline_status`, and
        `decline_drivers` for the `driver_rows` highest probabilities ("" for the others)."""
        values = _matrix(values)
        features = features_in_blocks(values, position, self._outcome())
        scored, churned = population_at(features)
        matrix = features[self.features_].to_numpy(dtype=float)
        probability = np.where(scored, self.estimator_.predict(matrix), np.nan)
        drivers = np.full(len(matrix), "", dtype=object)
        ranked = np.argsort(-np.nan_to_num(probability, nan=-1.0), kind="stable")
        shown = ranked[: min(driver_rows, int(scored.sum()))]
        if shown.size:
            parts = self.estimator_.contributions(matrix[shown])
            drivers[shown] = _driver_text(parts, self.features_)
        status = np.select([scored, churned], ["scored", "churned"], "no_revenue")
        return pd.DataFrame(
            {
                "decline_probability": probability,
                "decline_status": status.astype(object),
                "decline_drivers": drivers,
            }
        )


def features_in_blocks(
    values: FloatArray, position: int, outcome: DeclineOutcome, block: int = 100_000
) -> pd.DataFrame:
    """`features_at` computed `block` customers at a time: the same frame (every feature is a
    function of its own row), without its (customers x months) temporaries for the whole book
    at once. Measured reason: `predict_at` on 1M customers x 24 months peaked at 1.75 GB.

    Examples:
        >>> values = np.arange(40.0).reshape(5, 8)
        >>> features_in_blocks(values, 6, DeclineOutcome(), 2).equals(features_at(values, 6))
        True
    """
    if len(values) <= block:
        return features_at(values, position, outcome)
    parts = [
        features_at(values[start : start + block, : position + 1], position, outcome)
        for start in range(0, len(values), block)
    ]
    return pd.concat(parts, ignore_index=True)


def _driver_text(parts: FloatArray, names: Sequence[str], top: int = 3) -> NDArray[np.object_]:
    """'feature +0.42; feature -0.31; ...': the `top` largest |contributions| of each row
    (positive raises the decline probability)."""
    order = np.argsort(-np.abs(parts), axis=1, kind="stable")[:, :top]
    labels = np.asarray(names, dtype=object)
    out = np.empty(len(parts), dtype=object)
    for row, picks in enumerate(order):
        out[row] = "; ".join(f"{labels[k]} {parts[row, k]:+.2f}" for k in picks)
    return out


def _matrix(values: FloatArray | pd.DataFrame) -> FloatArray:
    matrix = np.asarray(values, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] == 0:
        raise ValueError(f"revenue must be a non-empty customers x months matrix: {matrix.shape}")
    if np.isinf(matrix).any():
        raise ValueError("revenue holds an infinite value")
    return np.round(np.nan_to_num(matrix), 2)


def enough_history(n_months: int, outcome: DeclineOutcome | None = None) -> bool:
    """Whether a table of `n_months` months holds a labelled cut-off to learn from.

    Examples:
        >>> enough_history(4), enough_history(5)
        (False, True)
    """
    return n_months >= (outcome or DeclineOutcome()).horizon + 2


def forecast_decline(
    values: pd.DataFrame,
    outcome: DeclineOutcome | None = None,
    bands: DeclineBands | None = None,
    forecaster: DeclineForecaster | None = None,
) -> tuple[pd.DataFrame, DeclineForecaster | None]:
    """Fit on the table's past and score its last month: (scores indexed like `values`, model).

    Columns: decline_probability, decline_status, decline_drivers, decline_level (Int64 bands).
    With too little history (`enough_history` false) or a past holding one outcome only, the
    probabilities are NaN, the levels NA and the model None; statuses are still set.

    Examples:
        >>> rng = np.random.default_rng(0)
        >>> table = pd.DataFrame(rng.gamma(2.0, 50.0, size=(200, 12)))
        >>> scores, model = forecast_decline(table)
        >>> list(scores.columns)
        ['decline_probability', 'decline_status', 'decline_drivers', 'decline_level']
        >>> model.cutoffs_
        [1, 2, 3, 4, 5, 6, 7, 8]
    """
    outcome = outcome or DeclineOutcome()
    matrix = _matrix(values)
    last = matrix.shape[1] - 1
    model = forecaster or DeclineForecaster(outcome)
    outcome = model.outcome or outcome
    fitted: DeclineForecaster | None = None
    try:
        fitted = model.fit(matrix)
    except NotEnoughHistoryError:
        fitted = None
    if fitted is not None:
        scores = fitted.predict_at(matrix, last)
    else:
        scored, churned = population_at(features_in_blocks(matrix, last, outcome))
        scores = pd.DataFrame(
            {
                "decline_probability": np.full(len(matrix), np.nan),
                "decline_status": np.select([scored, churned], ["scored", "churned"], "no_revenue"),
                "decline_drivers": "",
            }
        )
    scores["decline_level"] = (bands or DeclineBands()).level(
        scores["decline_probability"].to_numpy()
    )
    scores.index = pd.Index(values.index.astype(str), name="customer_id")
    return scores, fitted
