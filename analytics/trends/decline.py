"""Decline level (0-3) and continuous decline score from a customer's trend metrics.

The score answers "how sure are we that this customer's revenue is falling, and how fast?",
in [0, 1], higher meaning a sharper, better-evidenced decline (note: unlike most `*_score`
names in this project, higher is *worse* here; the name comes from the product spec). It is
the larger of two pieces of evidence, each a strength times a confidence:

- trend: strength = -relative slope / `sharp_slope_pct` (a fall of `sharp_slope_pct` % of mean
  monthly revenue per month counts as fully sharp), confidence ramps from 0 at Mann–Kendall
  p = `p_ignore` to 1 at p = `p_certain`. Noisy (volatile) customers need a larger slope for the
  same p, so volatility is priced in through the test.
- recent activity: strength = (1 - recent ratio) / `sharp_drop`, the recent ratio being the mean
  of the last months over the mean before them (anomaly months replaced by the local level);
  confidence ramps from 0 at drop z = `drop_z_ignore` to 1 at `drop_z_certain`, the drop z
  being the fall measured in units of the customer's own month-to-month noise.

A churned customer (no revenue for the last few months after having some) scores 1. The level
cuts the score at `level_cuts`: below the first cut 0 (no significant decline), then 1 (mild),
2 (moderate) and 3 (sharp). Customers whose history is too short to judge get no level (NA).

The defaults were checked by a grid search on two demo worlds (seeds 8 and 9) that the
reported evaluation (seed 7) does not use; no nearby setting did better there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SCORED_STATUSES: tuple[str, ...] = ("ok", "churned")
"""Statuses that get a decline level; the others mean the history is too short to judge."""


@dataclass(frozen=True)
class DeclineThresholds:
    """Documented, configurable thresholds of the decline score and levels.

    Attributes:
        sharp_slope_pct: relative slope (% of mean monthly revenue per month, negative) at
            which trend strength reaches 1.
        p_certain, p_ignore: Mann–Kendall p-values at which trend confidence is 1 and 0.
        sharp_drop: fall of the recent months below the earlier mean (fraction) at which the
            recent-activity strength reaches 1.
        drop_z_certain, drop_z_ignore: drop z at which recent-activity confidence is 1 and 0.
        level_cuts: score cut points for levels 1, 2 and 3 (increasing, in (0, 1]).
    """

    sharp_slope_pct: float = 6.0
    p_certain: float = 0.01
    p_ignore: float = 0.10
    sharp_drop: float = 0.6
    drop_z_certain: float = 4.0
    drop_z_ignore: float = 2.0
    level_cuts: tuple[float, float, float] = (0.2, 0.45, 0.7)

    def __post_init__(self) -> None:
        cuts = self.level_cuts
        if len(cuts) != 3 or not 0 < cuts[0] < cuts[1] < cuts[2] <= 1:
            raise ValueError(f"level_cuts must be 3 increasing values in (0, 1], got {cuts}")
        if not 0 < self.p_certain < self.p_ignore < 1:
            raise ValueError(
                f"need 0 < p_certain < p_ignore < 1, got {self.p_certain}, {self.p_ignore}"
            )
        if not self.drop_z_ignore < self.drop_z_certain:
            raise ValueError("drop_z_ignore must be below drop_z_certain")
        if self.sharp_slope_pct <= 0 or not 0 < self.sharp_drop <= 1:
            raise ValueError("sharp_slope_pct must be > 0 and sharp_drop in (0, 1]")


_REQUIRED = ("status", "relative_slope", "p_value", "recent_ratio", "recent_drop_z")


def _check_metrics(metrics: pd.DataFrame) -> None:
    missing = [c for c in _REQUIRED if c not in metrics.columns]
    if missing:
        raise ValueError(f"metrics lack column(s) {missing}")


def _ramp(x: np.ndarray, zero_at: float, one_at: float) -> np.ndarray:
    """Linear 0 -> 1 between `zero_at` and `one_at` (either order), NaN -> 0."""
    return np.nan_to_num(np.clip((x - zero_at) / (one_at - zero_at), 0.0, 1.0))


def decline_scores(
    metrics: pd.DataFrame, thresholds: DeclineThresholds | None = None
) -> pd.DataFrame:
    """`decline_score` (0-1, NaN when unscored) and `decline_level` (Int64, NA when unscored).

    Examples:
        >>> m = pd.DataFrame({
        ...     "status": ["ok", "ok", "churned", "new"],
        ...     "relative_slope": [-5.0, 1.0, -2.0, -9.0],
        ...     "p_value": [0.001, 0.3, 0.2, 0.01],
        ...     "recent_ratio": [0.7, 1.1, 0.0, 0.5],
        ...     "recent_drop_z": [3.0, -1.0, 6.0, 4.0]})
        >>> out = decline_scores(m)
        >>> out["decline_level"].tolist()
        [3, 0, 3, <NA>]
        >>> out["decline_score"].round(2).tolist()
        [0.83, 0.0, 1.0, nan]
    """
    _check_metrics(metrics)
    th = thresholds or DeclineThresholds()
    slope = metrics["relative_slope"].to_numpy(dtype=float)
    p_value = metrics["p_value"].to_numpy(dtype=float)
    ratio = metrics["recent_ratio"].to_numpy(dtype=float)
    drop_z = metrics["recent_drop_z"].to_numpy(dtype=float)
    trend = _ramp(-slope, 0.0, th.sharp_slope_pct) * _ramp(p_value, th.p_ignore, th.p_certain)
    recent = _ramp(1.0 - ratio, 0.0, th.sharp_drop) * _ramp(
        drop_z, th.drop_z_ignore, th.drop_z_certain
    )
    status = metrics["status"].to_numpy(dtype=object)
    score = np.where(status == "churned", 1.0, np.maximum(trend, recent))
    scored = np.isin(status, SCORED_STATUSES)
    level = pd.Series(
        np.searchsorted(np.asarray(th.level_cuts), score, side="right"),
        index=metrics.index,
        dtype="Int64",
    )
    return pd.DataFrame(
        {"decline_score": np.where(scored, score, np.nan), "decline_level": level.mask(~scored)},
        index=metrics.index,
    )


def with_forecast(
    metrics: pd.DataFrame, forecast: pd.DataFrame, min_history_months: int = 6
) -> pd.DataFrame:
    """The scan's metrics with the forecast as the verdict (`analytics.trends.forecast`).

    `decline_level` becomes the band of `decline_probability` (the descriptive
    `decline_score` stays, as the explanation); `status` "churned" now means no revenue over
    the forecast's baseline window, so a customer the scan called churned after a shorter
    silence is "ok" (or "new") again - in the UCI retail data 72 % of customers silent for three
    months bought again in the next three.

    Examples:
        >>> m = pd.DataFrame({"status": ["churned", "ok"], "months_observed": [9, 9],
        ...                   "decline_level": [3, 0]}, index=["a", "b"])
        >>> f = pd.DataFrame({"decline_probability": [0.4, float("nan")],
        ...                   "decline_status": ["scored", "churned"],
        ...                   "decline_drivers": ["", ""],
        ...                   "decline_level": pd.array([1, None], dtype="Int64")},
        ...                  index=["a", "b"])
        >>> out = with_forecast(m, f)
        >>> out["status"].tolist(), out["decline_level"].tolist()
        (['ok', 'churned'], [1, <NA>])
    """
    out = metrics.copy()
    forecast = forecast.reindex(out.index)
    status = out["status"].to_numpy(dtype=object)
    decline_status = forecast["decline_status"].to_numpy(dtype=object)
    recovered = (status == "churned") & (decline_status == "scored")
    again = np.where(out["months_observed"].to_numpy() < min_history_months, "new", "ok")
    status = np.where(recovered, again, status)
    out["status"] = np.where(decline_status == "churned", "churned", status).astype(object)
    out["decline_level"] = forecast["decline_level"].astype("Int64")
    out["decline_probability"] = forecast["decline_probability"].astype(float)
    out["decline_drivers"] = forecast["decline_drivers"].fillna("").astype(object)
    return out
