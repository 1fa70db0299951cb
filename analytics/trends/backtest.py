"""Is the decline level predictive? A time-split backtest, and detection scores against truth.

Backtest design (`backtest_outcomes`): for each cut-off month T, scan only the months up to T
(a later month exists, so T is complete and no partial-month detection is applied), then look
at the `horizon` months after T, which the scan never saw. Two outcomes per scored customer:

- `lost_vs_previous`: revenue in months T+1..T+h below revenue in T-h+1..T (quarter on
  quarter), defined for customers with positive revenue in the previous quarter;
- `lost_vs_run_rate`: revenue in T+1..T+h below h x the customer's mean monthly revenue up to
  T (a churned customer who stays silent has lost revenue even if the last quarter was 0).

`summarise_backtest` gives, per decline level, the count, the share that lost revenue and a
Wilson 95 % interval. Rows of several cut-offs are pooled; the same customer then appears
more than once, so pooled intervals are somewhat too narrow (per-cut-off tables are exact).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import ndtri

from analytics.trends.scan import TrendConfig, scan_trends


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (NaN, NaN for zero trials).

    Examples:
        >>> tuple(round(float(x), 3) for x in wilson_interval(30, 100))
        (0.219, 0.396)
    """
    if trials == 0:
        return (float("nan"), float("nan"))
    z = float(-ndtri((1 - confidence) / 2))
    share = successes / trials
    centre = (share + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * np.sqrt(share * (1 - share) / trials + z * z / (4 * trials**2))
    return (centre - half / (1 + z * z / trials), centre + half / (1 + z * z / trials))


def _outcomes_at(
    revenue: pd.DataFrame, position: int, horizon: int, config: TrendConfig
) -> pd.DataFrame:
    seen = revenue.iloc[:, : position + 1]
    scan = scan_trends(seen, config, partial_last_month=False, keep_components=False)
    metrics = scan.metrics
    values = revenue.fillna(0.0).to_numpy(dtype=float)
    previous = values[:, position - horizon + 1 : position + 1].sum(axis=1)
    following = values[:, position + 1 : position + 1 + horizon].sum(axis=1)
    run_rate = horizon * metrics["mean_revenue"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "cutoff": str(revenue.columns[position])[:7],
            "status": metrics["status"].to_numpy(),
            "decline_level": metrics["decline_level"].to_numpy(),
            "decline_score": metrics["decline_score"].to_numpy(),
            "previous_revenue": previous,
            "next_revenue": following,
            "lost_vs_previous": (previous > 0) & (following < previous),
            "lost_vs_run_rate": following < run_rate,
            "has_previous": previous > 0,
        },
        index=metrics.index,
    )


def backtest_outcomes(
    revenue: pd.DataFrame,
    cutoffs: Sequence[str],
    horizon: int = 3,
    config: TrendConfig | None = None,
) -> pd.DataFrame:
    """Decline level from months <= T and revenue outcome after T, for every cut-off T.

    `revenue` must hold only complete months (drop a partial last month first); every
    cut-off needs `horizon` months after it. Only scored customers (a decline level) are kept.

    Examples:
        >>> months = [f"2024-{m:02d}" for m in range(1, 13)]
        >>> table = pd.DataFrame([[100.0 - 8 * i for i in range(12)], [50.0] * 12],
        ...                      index=["falling", "flat"], columns=months)
        >>> out = backtest_outcomes(table, ["2024-08"])
        >>> out[["decline_level", "lost_vs_previous"]].values.tolist()
        [[3, True], [0, False]]
    """
    config = config or TrendConfig()
    labels = [str(c)[:7] for c in revenue.columns]
    frames = []
    for cutoff in cutoffs:
        if cutoff not in labels:
            raise ValueError(f"cut-off {cutoff!r} is not a month column")
        position = labels.index(cutoff)
        if position + horizon >= len(labels) or position + 1 < horizon:
            raise ValueError(f"cut-off {cutoff!r} needs {horizon} months on each side")
        frames.append(_outcomes_at(revenue, position, horizon, config))
    result = pd.concat(frames)
    return result[result["decline_level"].notna()]


def summarise_backtest(outcomes: pd.DataFrame, outcome: str = "lost_vs_previous") -> pd.DataFrame:
    """Per decline level: customers, how many lost revenue, the share and its Wilson 95 % CI.

    For `lost_vs_previous` only customers with revenue in the previous quarter count.

    Examples:
        >>> demo = pd.DataFrame({"decline_level": [0, 0, 3, 3], "has_previous": True,
        ...                      "lost_vs_previous": [False, True, True, True]})
        >>> summarise_backtest(demo)["share_lost"].tolist()
        [0.5, 1.0]
    """
    if outcome not in outcomes.columns:
        raise ValueError(f"outcome column {outcome!r} not in the backtest table")
    rows = outcomes
    if outcome == "lost_vs_previous":
        rows = outcomes[outcomes["has_previous"]]
    records = []
    for level in sorted(rows["decline_level"].dropna().unique()):
        group = rows[rows["decline_level"] == level]
        lost = int(group[outcome].sum())
        low, high = wilson_interval(lost, len(group))
        records.append(
            {
                "decline_level": int(level),
                "n_customers": len(group),
                "n_lost": lost,
                "share_lost": lost / len(group),
                "ci_low": low,
                "ci_high": high,
            }
        )
    return pd.DataFrame.from_records(records)


def detection_scores(predicted: np.ndarray, actual: np.ndarray) -> dict[str, float]:
    """Precision, recall and F1 of boolean flags against boolean truth (plus the counts).

    Examples:
        >>> detection_scores(np.array([True, True, False, False]),
        ...                  np.array([True, False, True, False]))["f1"]
        0.5
    """
    predicted = np.asarray(predicted, dtype=bool)
    actual = np.asarray(actual, dtype=bool)
    if predicted.shape != actual.shape:
        raise ValueError(f"predicted {predicted.shape} and actual {actual.shape} differ in shape")
    tp = int((predicted & actual).sum())
    precision = tp / int(predicted.sum()) if predicted.any() else 0.0
    recall = tp / int(actual.sum()) if actual.any() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "true_positives": tp,
        "false_positives": int((predicted & ~actual).sum()),
        "false_negatives": int((~predicted & actual).sum()),
    }
