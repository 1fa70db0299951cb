"""The synthetic world's forward decline truth: onsets drawn from a hazard of observable facts,
and the forecast's own outcome with its near-Bayes probability.

Why. The archetypes (`population.py`) draw a decline shape and build the series with it, so
scoring the trend detector against them is a *detection* test: it confirms the shapes the
generator drew. A forecast needs a truth about the future that the generator did not write
into the past. Here every account that is not already a declining archetype may start to
decline in any month: the onset in month t+1 is drawn with probability `onset_hazard` of
facts observable at the end of month t in the warehouse - contract tenure (months since
`contracts.start_date`) and contracted monthly value (`licensed_seats x unit_price`). At
onset the account's seats fall to `ONSET_FACTOR_RANGE` of their level for good (a lasting
downsizing of the subscription). Nothing in the revenue before the onset announces it except
through those two facts; the draw adds the noise that keeps the best possible ROC-AUC (the
Bayes AUC, the AUC of `p_true` itself) well below 1.

Truth table (`decline_truth`): for each of the last `DECLINE_TRUTH_CUTOFFS` cut-offs T with
`DECLINE_TRUTH_HORIZON` months after them, every account at risk at T (active, not a declining
archetype, no onset yet), with two truths:

- `halved` / `p_halved` - what the forecast forecasts, the outcome the forward AUC is scored
  on: `halved` is whether the billed revenue of T+1..T+H fell below half of the 6-month
  baseline (exactly `analytics.trends.forecast.outcome_at` on the warehouse; a test checks it)
  and `p_halved` its probability given the generator's whole state at T (latent noise, growth
  and season; the contract; the onset hazard), by `HALVING_DRAWS` replays of the next H months
  (`halving_probability`). The replay leaves out leakage faults, usage spikes and service
  credits (about 2 % of account-months), so it is a near-Bayes reference: on the demo its mean
  is 0.039 against 0.043 realised, calibrated per decile.
- `declined` / `p_true` - the onset alone: an onset came in T+1..T+H deep enough to take the
  mean of those months below half the level before (an onset in the last month cannot), and
  `p_true` its exact probability given the facts at T (tenure advances by one a month,
  contract value is fixed and the depth is uniform).

Why two, measured on the demo (2,000 accounts, seed 7, cut-offs 2026-02..07, 8,066
account-cut-offs). Scored on the onsets alone the forecast reached AUC 0.525 [0.443, 0.608]
against the hazard's 0.841 (ratio 0.62). The causes, one by one:
- Not unseen signals: the hazard's inputs are visible in revenue. The 6-month baseline
  correlates 0.98 with log contract value and ranks the onsets alone at AUC 0.816 (contract
  value: 0.819); revenue tenure (censored at the window's start for 84 % of rows) 0.600
  against contract tenure's 0.610 (the hazard's youth term matters in the first year, which
  the window shows). Reading `contracts` would add nothing.
- Not too few positives: 70 onsets give a CI of +-0.08, far from closing a gap of 0.32.
- Not misaligned: the forecast is fitted on months <= T at the same T, and 53 of the 70
  onsets are outcome halvings in the warehouse (the others miss the 6-month baseline by noise).
- The label: of the 345 at-risk accounts whose revenue halved, only 53 (15 %) were onsets;
  noise and seasonality (volatile and seasonal accounts) halved the other 292, which the onset
  truth scored as negatives. The forecast predicts every halving - the product's outcome - and
  ranks them at AUC 0.845, while size, the onset's main input, does not rank halvings at all
  (0.454): onsets are too rare a cause for any learner of the outcome to give size weight, and
  the onset truth punished it for ranking the halvings it was asked to rank.
So the forward AUC is now scored on `halved` against `p_halved`'s AUC; the onset-only figures
stay beside it in `--evaluate`, and `p_true` keeps the onset hazard honest (the hazard is not
built from the forecast's features; the world draws exactly what it drew before: the replay
runs on its own random stream).

What `p_halved` depends on, measured on the demo (seed 7; seed 11 alike): by archetype its AUC
is 0.95 on volatile accounts (196 of the 345 halvings), 0.885 on seasonal ones (85), 0.86 on
flat (50, 19 of them onsets) and 0.87 on growing ones (14); archetype alone ranks at 0.77. The
replay knows each seasonal account's cycle (amplitude and phase), so where its next H months
fall in the year is the one input a forecast must estimate from revenue and, before
`analytics.trends.forecast.features.season_outlook`, did not: the forecast ranked seasonal
halvings at 0.73, and 0.80 with the estimated cycle. Halvings after a usage spike inside the
baseline (the baseline is inflated; p_halved near 1) the forecast already ranked in its top 6 %.

The onset rate is low on purpose (0.2 % a month for a mature mid-size contract, 2.4 % in the
first month; onsets reach 10 % of the stable accounts over two years): at 5x that rate the
forecast reached 0.80 of the onset Bayes AUC, but 30 % of stable accounts declined and the
demo's segments lost their stability across seeds (ARI 0.55 against 1.0), which issue 4
requires.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit

from data.synth.arrays import Bools, Floats, Ints
from data.synth.billing import discount_cents
from data.synth.population import ARCHETYPES, DECLINING, Population

DECLINE_TRUTH_HORIZON = 3
DECLINE_TRUTH_BASELINE = 6
"""B: months up to T whose mean is the baseline (the forecast's default outcome)."""
DECLINE_TRUTH_CUTOFFS = 6
HALVING_DRAWS = 256
"""Monte Carlo draws of the next H months behind `p_halved` (standard error <= 0.031)."""
"""Truth is recorded at the last six cut-offs with a full horizon (more events to score)."""
ONSET_FACTOR_RANGE = (0.05, 0.35)
_BASE_LOGIT, _YOUNG_WEIGHT, _YOUNG_MONTHS, _SIZE_WEIGHT = -6.2, 2.5, 6.0, -0.9
_SIZE_CENTRE, _SIZE_SCALE = 6.0, 1.3  # log of contracted monthly value in dollars


def onset_hazard(tenure_months: ArrayLike, log_contract_value: ArrayLike) -> Floats:
    """Monthly probability that a decline starts next month, from facts at this month's end.

    Young contracts (the first half-year) and small ones are at higher risk.

    Examples:
        >>> onset_hazard([0, 24], [6.0, 6.0]).round(4).tolist()
        [0.0241, 0.0021]
    """
    tenure = np.maximum(np.asarray(tenure_months, dtype=float), 0.0)
    size = (np.asarray(log_contract_value, dtype=float) - _SIZE_CENTRE) / _SIZE_SCALE
    logit = _BASE_LOGIT + _YOUNG_WEIGHT * np.exp(-tenure / _YOUNG_MONTHS) + _SIZE_WEIGHT * size
    return np.asarray(expit(logit), dtype=float)


def halving_cut(k: int, horizon: int = DECLINE_TRUTH_HORIZON, threshold: float = 0.5) -> float:
    """Largest level factor at which an onset in month T+k takes the mean of T+1..T+H below
    `threshold` x the level before: ((k - 1) + (H - k + 1) f) / H < threshold.

    Examples:
        >>> [round(halving_cut(k), 3) for k in (1, 2, 3)]
        [0.5, 0.25, -0.5]
    """
    return (threshold * horizon - (k - 1)) / (horizon - k + 1)


def _share_below(cut: float) -> float:
    low, high = ONSET_FACTOR_RANGE
    return float(np.clip((cut - low) / (high - low), 0.0, 1.0))


def onset_within(
    tenure_months: ArrayLike, log_contract_value: ArrayLike, horizon: int = DECLINE_TRUTH_HORIZON
) -> Floats:
    """P(an onset in T+1..T+H takes the horizon's mean revenue below half | facts at T).

    Sum over k of P(no onset before T+k) x h(tenure + k - 1) x P(factor below
    `halving_cut(k)`); the factor is uniform on `ONSET_FACTOR_RANGE`, tenure advances by one
    a month and contract value is fixed, so this is exact (noise aside).

    Examples:
        >>> round(float(onset_within([24], [6.0], 1)[0]), 4)
        0.0021
    """
    tenure = np.asarray(tenure_months, dtype=float)
    survive = np.ones_like(tenure)
    total = np.zeros_like(tenure)
    for k in range(1, horizon + 1):
        hazard = onset_hazard(tenure + k - 1, log_contract_value)
        total = total + survive * hazard * _share_below(halving_cut(k, horizon))
        survive = survive * (1.0 - hazard)
    return np.asarray(total, dtype=float)


def baseline_revenue(revenue: Floats, cutoff: int, months: int) -> Floats:
    """Mean billed revenue (rows: months, columns: accounts) over the last `months` months up
    to `cutoff`, counting only months since the account's first positive month (the
    forecast's baseline, `analytics.trends.forecast.features.baseline_mean`); NaN: none.

    Examples:
        >>> baseline_revenue(np.array([[0.0, 5], [10, 5], [20, 5], [30, 0]]), 3, 3)
        array([20.        ,  3.33333333])
    """
    seen = revenue[: cutoff + 1]
    positive = seen > 0
    first = np.where(positive.any(axis=0), positive.argmax(axis=0), seen.shape[0])
    inside = np.arange(seen.shape[0])[:, None] >= first[None, :]
    recent = np.where(inside, seen, np.nan)[-months:]
    count = np.sum(~np.isnan(recent), axis=0).astype(float)
    total = np.nansum(recent, axis=0)
    return np.divide(total, count, out=np.full(total.shape, np.nan), where=count > 0)


@dataclass(frozen=True)
class SeatPlan:
    """What the generator knows at the cut-off about the next H months of the accounts at risk.

    `shape` (H x n): seat multiplier of each month without noise and onset (growth and season);
    `hazard` (H x n): onset hazard of each month; `discount` (H x n): the promotion covers it.
    """

    base_seats: Floats
    shape: Floats
    noise_sigma: Floats
    hazard: Floats
    licensed: Ints
    price: Ints
    list_price: Ints
    discount_pct: Ints
    discount: Bools


def halving_probability(
    plan: SeatPlan,
    baseline_cents: Floats,
    rng: np.random.Generator,
    threshold: float = 0.5,
    n_draws: int = HALVING_DRAWS,
) -> Floats:
    """P(mean billed revenue of the next H months < `threshold` x baseline | the generator's
    state at the cut-off), by `n_draws` replays of the seat process of `simulate._seats` and
    the billing rule of `billing.build_lines`: monthly onset draws from `plan.hazard` with a
    uniform depth, lognormal seat noise, the licence cap, overage at list price, the
    promotional discount. Rare events the replay leaves out (leakage faults, usage spikes and
    service credits, about 2 % of account-months) make it a near-Bayes reference.

    Examples:
        >>> one = lambda v: np.array([v])
        >>> plan = SeatPlan(one(10.0), np.ones((3, 1)), one(0.05), np.zeros((3, 1)),
        ...                 one(10), one(100), one(120), one(0), np.zeros((3, 1), bool))
        >>> rng = np.random.default_rng(0)
        >>> float(halving_probability(plan, one(1000.0), rng)[0])  # steady: never halves
        0.0
        >>> float(halving_probability(plan, one(3000.0), rng)[0])  # a third of the baseline
        1.0
    """
    horizon, n = plan.shape.shape
    low, high = ONSET_FACTOR_RANGE
    hits = np.zeros(n)
    for _ in range(n_draws):
        started = np.zeros(n, bool)
        level = np.ones(n)
        total = np.zeros(n)
        for k in range(horizon):
            onset = ~started & (rng.random(n) < plan.hazard[k])
            level = np.where(onset, rng.uniform(low, high, n), level)
            started |= onset
            sigma = plan.noise_sigma
            noise = np.exp(sigma * rng.normal(0.0, 1.0, n) - sigma**2 / 2)
            seats = np.maximum(1, np.round(plan.base_seats * plan.shape[k] * level * noise))
            seats = seats.astype(np.int64)
            subscription = np.minimum(seats, plan.licensed) * plan.price
            overage = np.maximum(0, seats - plan.licensed) * plan.list_price
            discount = np.where(
                plan.discount[k], discount_cents(subscription, plan.discount_pct), 0
            )
            total += subscription + overage + discount
        hits += total / horizon < threshold * baseline_cents
    return hits / n_draws


@dataclass(frozen=True)
class DeclineTruth:
    """Accounts at risk at the cut-off; the onset's exact `p_true` and whether it came; the
    outcome's near-Bayes `p_halved` and whether the billed revenue halved (`halved`)."""

    at_risk: Bools
    p_true: Floats
    declined: Bools
    p_halved: Floats
    halved: Bools


class OnsetProcess:
    """Month-by-month onset draws for one chunk, from its own random stream.

    The stream is spawned from the chunk's generator (spawning does not advance it), so the
    rest of the world draws exactly what it drew before this process existed.
    """

    def __init__(self, pop: Population, rng: np.random.Generator, window_start: np.datetime64):
        self.rng = rng.spawn(1)[0]
        self.replay_rng = self.rng.spawn(1)[0]  # the replays behind p_halved: a stream of their own
        window = window_start.astype("datetime64[M]")
        self.start_index = (pop.contract_start.astype("datetime64[M]") - window).astype(np.int64)
        value = pop.licensed_seats * pop.price_cents / 100.0
        self.log_value = np.log(np.maximum(value, 1.0))
        self.eligible = ~np.isin(np.array(ARCHETYPES)[pop.archetype], list(DECLINING))
        self.factor = self.rng.uniform(*ONSET_FACTOR_RANGE, size=pop.size)
        self.onset = np.full(pop.size, -1, dtype=np.int64)

    def tenure(self, t: int) -> Ints:
        """Months since the contract started, at the end of month `t`."""
        return t - self.start_index

    def step(self, t: int, active_before: Bools) -> None:
        """Draw the onsets of month `t` from the facts at the end of month t-1."""
        draw = self.rng.random(self.onset.size)
        if t == 0:
            return
        at_risk = active_before & self.eligible & (self.onset < 0)
        hazard = onset_hazard(self.tenure(t - 1), self.log_value)
        self.onset = np.where(at_risk & (draw < hazard), t, self.onset)

    def level(self, t: int) -> Floats:
        """Multiplier of the account's seats in month `t` (1 before any onset)."""
        return np.where((self.onset >= 0) & (t >= self.onset), self.factor, 1.0)

    def hazards_ahead(self, cutoff: int, horizon: int) -> Floats:
        """(H x n) onset hazard of months cutoff+1 .. cutoff+H (tenure advances one a month)."""
        return np.stack(
            [
                onset_hazard(self.tenure(cutoff + k - 1), self.log_value)
                for k in range(1, horizon + 1)
            ]
        )

    def truth(
        self,
        active_at_cutoff: Bools,
        cutoff: int,
        horizon: int,
        revenue: Floats,
        p_halved: Floats,
    ) -> DeclineTruth:
        """Forward truth at `cutoff` (accounts eligible, active and without onset by then).

        `revenue` (months x accounts) is the billed revenue the run wrote; `p_halved` the
        replayed probability computed at the cut-off (`halving_probability`)."""
        at_risk = active_at_cutoff & self.eligible & ((self.onset < 0) | (self.onset > cutoff))
        p_true = onset_within(self.tenure(cutoff), self.log_value, horizon)
        k = self.onset - cutoff
        cut = np.array([halving_cut(int(j), horizon) if 1 <= j <= horizon else -1.0 for j in k])
        declined = (k >= 1) & (k <= horizon) & (self.factor < cut)
        baseline = baseline_revenue(revenue, cutoff, DECLINE_TRUTH_BASELINE)
        following = revenue[cutoff + 1 : cutoff + 1 + horizon].mean(axis=0)
        halved = following < 0.5 * np.nan_to_num(baseline)
        return DeclineTruth(at_risk, p_true, declined, p_halved, halved)
