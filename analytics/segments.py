"""Behavioural customer segments: KMeans on scaled trend metrics, with names and radar profiles.

Features (one row per customer with a judged trend: status "ok" or "churned"):
relative slope (% per month), volatility (revenue CV), active months, log10 mean monthly
revenue and residual volatility (noise / mean). Each is clipped to its 1st-99th percentile (a
handful of extreme accounts would otherwise get clusters of their own) and standardised.

- k is chosen by silhouette over `k_range` (on a fixed random subsample for large portfolios)
  unless given; KMeans runs `n_init` times per seed.
- Segment ids are ordered by mean monthly revenue, largest first, so id 0 is always the
  biggest-revenue segment for a given seed.
- Stability: the fit is repeated with `n_stability_seeds` other seeds and compared with the
  adjusted Rand index (1 = identical partitions); the mean is reported.
- Profiles: each segment's mean z-score per feature (radar charts) and raw means; a
  deterministic name from them, e.g. "Large & growing", "Small & volatile".

Mean revenue mixes currencies when accounts bill in several; segments are about shape more
than size, but "Large"/"Small" then means large in the account's own currency.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score, silhouette_score
from threadpoolctl import threadpool_limits

FEATURES: tuple[str, ...] = (
    "relative_slope",
    "volatility",
    "active_months",
    "log_mean_revenue",
    "resid_volatility",
)
SEGMENTED_STATUSES: tuple[str, ...] = ("ok", "churned")


@dataclass(frozen=True)
class Segmentation:
    """Result of `segment_customers`.

    Attributes:
        labels: segment id per customer (Int64; NA for customers not segmented).
        k: number of segments.
        silhouette: silhouette of the chosen k (on the evaluation sample), -1..1, higher is better.
        silhouette_by_k: silhouette of every k tried (only the fixed k when k was given).
        stability_ari: mean adjusted Rand index between the main fit and refits with other seeds.
        profiles: one row per segment: name, n_customers, share, mean_revenue, the raw feature
            means and `z_<feature>` mean z-scores (radar chart values).
        assigner: the fit, to give customers outside it their segment (`SegmentAssigner`).
    """

    labels: pd.Series
    k: int
    silhouette: float
    silhouette_by_k: dict[int, float]
    stability_ari: float
    profiles: pd.DataFrame
    assigner: SegmentAssigner | None = None


def _check_metrics(metrics: pd.DataFrame) -> None:
    needed = {"status", "mean_revenue", *FEATURES} - {"log_mean_revenue"}
    missing = sorted(needed - set(metrics.columns))
    if missing:
        raise ValueError(f"metrics lack column(s) {missing}")


def feature_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """Raw features of the customers that can be segmented (finite values, positive mean).

    Examples:
        >>> m = pd.DataFrame({"status": ["ok", "new"], "mean_revenue": [100.0, 5.0],
        ...     "relative_slope": [1.0, 0.0], "volatility": [0.2, 0.1],
        ...     "active_months": [24, 3], "resid_volatility": [0.1, 0.1]}, index=["a", "b"])
        >>> table = feature_table(m)
        >>> list(table.index), table["log_mean_revenue"].tolist()
        (['a'], [2.0])
    """
    _check_metrics(metrics)
    eligible = metrics[metrics["status"].isin(SEGMENTED_STATUSES) & (metrics["mean_revenue"] > 0)]
    table = eligible[[f for f in FEATURES if f != "log_mean_revenue"]].astype(float)
    table.insert(3, "log_mean_revenue", np.log10(eligible["mean_revenue"].astype(float)))
    return table[np.isfinite(table.to_numpy()).all(axis=1)]


def _scaling(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Clip bounds (1st/99th percentile), mean and spread of the clipped values."""
    low, high = np.percentile(values, [1, 99], axis=0)
    clipped = np.clip(values, low, high)
    spread = clipped.std(axis=0)
    return low, high, clipped.mean(axis=0), np.where(spread > 0, spread, 1.0)


def _apply_scaling(
    values: np.ndarray, scaling: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
) -> np.ndarray:
    low, high, mean, spread = scaling
    return (np.clip(values, low, high) - mean) / spread


def _standardise(table: pd.DataFrame) -> np.ndarray:
    values = table.to_numpy(dtype=float)
    return _apply_scaling(values, _scaling(values))


def _kmeans(scaled: np.ndarray, k: int, seed: int, n_init: int) -> KMeans:
    # Five features: each Lloyd step is tiny, and OpenMP/BLAS threads only add
    # synchronisation (measured 10-40x slower with 2 threads than with 1 on 2 cores).
    # Customers with identical series give fewer distinct points than k: the fit is still
    # defined (some clusters share a point), and sklearn's ConvergenceWarning only put
    # site-packages paths in the server log (rt13 U-L6).
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(scaled)


def _fit(scaled: np.ndarray, k: int, seed: int, n_init: int) -> np.ndarray:
    return _kmeans(scaled, k, seed, n_init).labels_


def _choose_k(
    sample: np.ndarray, k_range: tuple[int, int], seed: int, n_init: int
) -> dict[int, float]:
    scores = {}
    distinct = len(np.unique(sample, axis=0))
    for k in range(k_range[0], min(k_range[1], len(sample) - 1) + 1):
        if k > distinct:  # more clusters than distinct customers: not a real choice
            scores[k] = -1.0
            continue
        labels = _fit(sample, k, seed, n_init)
        scores[k] = float(silhouette_score(sample, labels)) if len(set(labels)) > 1 else -1.0
    return scores


def _revenue_order(labels: np.ndarray, mean_revenue: np.ndarray) -> dict[int, int]:
    """New id of each cluster: 0 has the largest mean revenue (ties: smaller old id)."""
    ids = np.unique(labels)
    means = np.array([mean_revenue[labels == i].mean() for i in ids])
    order = ids[np.lexsort((ids, -means))]
    return {int(old): new for new, old in enumerate(order)}


def _order_by_revenue(labels: np.ndarray, mean_revenue: np.ndarray) -> np.ndarray:
    """Renumber clusters so that 0 has the largest mean revenue (ties: smaller old id)."""
    mapping = _revenue_order(labels, mean_revenue)
    return np.array([mapping[int(x)] for x in labels], dtype=np.int64)


def _size_word(z_log_revenue: float) -> str:
    if z_log_revenue >= 0.5:
        return "Large"
    return "Small" if z_log_revenue <= -0.5 else "Mid-size"


_TRAITS: tuple[tuple[str, str, str], ...] = (  # feature, word when high, word when low
    ("z_relative_slope", "growing", "declining"),
    ("z_volatility", "volatile", "steady"),
    ("z_resid_volatility", "erratic", "smooth"),
    ("z_active_months", "long-standing", "recent"),
)


SECOND_TRAIT_Z = 0.75
"""A second trait joins the name when its mean |z| reaches this."""


def _trait_word(profile: pd.Series, trait: tuple[str, str, str]) -> str:
    feature, high, low = trait
    z = float(profile[feature])
    if feature == "z_relative_slope":  # say what the slope really does, not how it ranks
        slope = float(profile.get("relative_slope", z))
        return "growing" if slope >= 1 else "declining" if slope <= -1 else "flat"
    if abs(z) < 0.25:
        return "stable"
    return high if z > 0 else low


def _ranked_traits(profile: pd.Series) -> list[tuple[str, str, str]]:
    ranked = sorted(_TRAITS, key=lambda t: -abs(float(profile[t[0]])))
    if {ranked[0][0], ranked[1][0]} == {"z_volatility", "z_resid_volatility"}:
        ranked.append(ranked.pop(1))  # two noise measures: the second word says something else
    return ranked


def segment_name(profile: pd.Series, n_traits: int = 2) -> str:
    """Deterministic name: a size word from revenue, then the most distinctive trait(s).

    The second trait is added when its |z| >= `SECOND_TRAIT_Z`. The slope word uses the raw
    relative slope (±1 %/month), so a "growing" segment really grows; a trait with |z| < 0.25
    reads "stable".

    Examples:
        >>> p = pd.Series({"z_log_mean_revenue": 1.2, "z_relative_slope": 0.9,
        ...     "z_volatility": -0.2, "z_resid_volatility": 0.1, "z_active_months": 0.3,
        ...     "relative_slope": 2.5})
        >>> segment_name(p)
        'Large & growing'
        >>> segment_name(p.copy().replace({-0.2: -0.8}))
        'Large & growing, steady'
    """
    size = _size_word(float(profile["z_log_mean_revenue"]))
    ranked = _ranked_traits(profile)
    words = [_trait_word(profile, ranked[0])]
    for trait in ranked[1:n_traits]:
        if abs(float(profile[trait[0]])) >= SECOND_TRAIT_Z:
            words.append(_trait_word(profile, trait))
    return f"{size} & {', '.join(words)}"


def _unique_names(profiles: pd.DataFrame) -> list[str]:
    """Names, made unique with more traits if needed, then with a number."""
    names = [segment_name(row) for _, row in profiles.iterrows()]
    for i, (_, row) in enumerate(profiles.iterrows()):
        if names.count(names[i]) > 1:
            base = segment_name(row, n_traits=1)
            extra = [_trait_word(row, t) for t in _ranked_traits(row)[1:3]]
            names[i] = f"{base}, {', '.join(dict.fromkeys(extra))}"
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        seen[name] = seen.get(name, 0) + 1
        if names.count(name) > 1:
            names[i] = f"{name} ({seen[name]})"
    return names


def _profiles(table: pd.DataFrame, scaled: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    raw = table.assign(segment_id=labels).groupby("segment_id")
    z = pd.DataFrame(scaled, columns=[f"z_{f}" for f in FEATURES]).assign(segment_id=labels)
    profiles = raw.mean().join(z.groupby("segment_id").mean())
    profiles.insert(0, "n_customers", raw.size())
    profiles.insert(1, "share", profiles["n_customers"] / len(table))
    revenue = pd.Series(10 ** table["log_mean_revenue"].to_numpy(), index=table.index)
    profiles.insert(2, "mean_revenue", revenue.groupby(labels).mean())
    profiles.insert(0, "name", _unique_names(profiles))
    return profiles


def segment_customers(
    metrics: pd.DataFrame,
    k: int | None = None,
    *,
    k_range: tuple[int, int] = (2, 8),
    random_state: int = 0,
    n_init: int = 10,
    n_stability_seeds: int = 4,
    sample_size: int = 4000,
) -> Segmentation:
    """Cluster customers on their trend metrics (see the module docstring).

    Examples:
        >>> rng = np.random.default_rng(0)
        >>> n = 60
        >>> m = pd.DataFrame({"status": "ok",
        ...     "mean_revenue": np.r_[rng.uniform(5e3, 9e3, n), rng.uniform(20, 60, n)],
        ...     "relative_slope": np.r_[rng.normal(3, 0.5, n), rng.normal(-4, 0.5, n)],
        ...     "volatility": rng.uniform(0.1, 0.2, 2 * n), "active_months": 24,
        ...     "resid_volatility": rng.uniform(0.05, 0.1, 2 * n)})
        >>> seg = segment_customers(m, random_state=0)
        >>> seg.k, seg.profiles["name"].tolist(), round(seg.stability_ari, 2)
        (2, ['Large & growing', 'Small & declining'], 1.0)
    """
    table = feature_table(metrics)
    if len(table) < 3:
        raise ValueError(f"need at least 3 customers with a judged trend, got {len(table)}")
    values = table.to_numpy(dtype=float)
    scaling = _scaling(values)
    scaled = _apply_scaling(values, scaling)
    rng = np.random.default_rng(random_state)
    pick = rng.choice(len(table), size=min(sample_size, len(table)), replace=False)
    by_k: dict[int, float] = {}
    if k is None:
        by_k = _choose_k(scaled[pick], k_range, random_state, n_init)
        k = max(by_k, key=lambda key: (by_k[key], -key))
    elif not 2 <= k < len(table):
        raise ValueError(f"k must be between 2 and {len(table) - 1}, got {k}")
    revenue = 10 ** table["log_mean_revenue"].to_numpy()
    fitted = _kmeans(scaled, k, random_state, n_init)
    order = _revenue_order(fitted.labels_, revenue)
    labels = np.array([order[int(x)] for x in fitted.labels_], dtype=np.int64)
    silhouette = float(silhouette_score(scaled[pick], labels[pick]))
    refits = [_fit(scaled, k, random_state + 1 + s, n_init) for s in range(n_stability_seeds)]
    stability = float(np.mean([adjusted_rand_score(labels, r) for r in refits])) if refits else 1.0
    full = pd.Series(pd.NA, index=metrics.index, dtype="Int64", name="segment_id")
    full.loc[table.index] = labels
    return Segmentation(
        labels=full,
        k=k,
        silhouette=silhouette,
        silhouette_by_k=by_k or {k: silhouette},
        stability_ari=stability,
        profiles=_profiles(table, scaled, labels),
        assigner=SegmentAssigner(scaling, fitted, order),
    )


@dataclass(frozen=True)
class SegmentAssigner:
    """A fitted segmentation applied to customers it was not fitted on (another partition of
    the book): the fit's clip bounds and scaling, its KMeans centres and its revenue order.
    On the customers of the fit it gives exactly `Segmentation.labels`."""

    scaling: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    kmeans: KMeans
    order: dict[int, int]

    def assign(self, metrics: pd.DataFrame) -> pd.Series:
        """Segment id of every row of `metrics` (NA where `feature_table` leaves it out).

        Examples:
            >>> rng = np.random.default_rng(0)
            >>> m = pd.DataFrame({"status": "ok", "mean_revenue": rng.uniform(10, 1e4, 40),
            ...     "relative_slope": rng.normal(0, 3, 40), "volatility": 0.2,
            ...     "active_months": 24, "resid_volatility": 0.1})
            >>> seg = segment_customers(m, 2, n_stability_seeds=0)
            >>> bool((seg.assigner.assign(m) == seg.labels).all())
            True
        """
        _check_metrics(metrics)
        table = feature_table(metrics)
        full = pd.Series(pd.NA, index=metrics.index, dtype="Int64", name="segment_id")
        if len(table):
            scaled = _apply_scaling(table.to_numpy(dtype=float), self.scaling)
            with threadpool_limits(limits=1):
                raw = self.kmeans.predict(scaled)
            full.loc[table.index] = np.array([self.order[int(x)] for x in raw], dtype=np.int64)
        return full
