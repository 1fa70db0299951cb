"""Is `decline_probability` right about the future? The file backtest and the synthetic truth.

`backtest_file` (`revrisk trends --backtest`): on a revenue file, per held-out cut-off and
pooled, the forecast against active months, the recent ratio and the seed's STL method
(`analytics.trends.forecast.backtest`). `forward_evaluation` (part of `--evaluate`): on the
synthetic demo, the forecast at each cut-off of `decline_truth` (fitted on months <= T only)
against the halvings that came (`halved`, the forecast's own outcome) beside the AUC of their
near-Bayes probability (`p_halved`), and against the hazard's onsets alone (`declined`,
`p_true`; why both: `data/synth/decline.py`). This is the only code that reads
`decline_truth`, after the forecast was made, to score it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analytics.trends import (
    MIN_CLASS_ROWS,
    DeclineOutcome,
    compare_with_truth,
    detect_partial_last_month,
    enough_history,
    forecast_backtest,
    probabilities_at,
)
from data.warehouse import connect
from services.trends.input import read_revenue_file, warehouse_revenue


class OutdatedTruthError(ValueError):
    """The warehouse's truth tables predate a column the evaluation reads."""


TARGETS: dict[str, float] = {
    "auc": 0.60,
    "auc_ci_low": 0.55,
    "top10_precision": 0.38,
    "ece": 0.05,
}
"""Issue 14's bar for the pooled forecast on a file (reported beside the figures, not tuned to)."""


def _complete_months(revenue: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    if detect_partial_last_month(revenue.sum(axis=0).to_numpy()):
        return revenue.iloc[:, :-1], str(revenue.columns[-1])[:7]
    return revenue, None


def default_cutoffs(n_months: int, outcome: DeclineOutcome, n_cutoffs: int = 3) -> list[int]:
    """The last `n_cutoffs` positions with H months after them and a labelled cut-off before.

    Examples:
        >>> default_cutoffs(12, DeclineOutcome())
        [6, 7, 8]
    """
    last = n_months - 1 - outcome.horizon
    first = max(outcome.horizon + 1, last - n_cutoffs + 1)
    return list(range(first, last + 1))


def _cutoff_positions(
    labels: list[str], cutoffs: list[str] | None, outcome: DeclineOutcome, n_cutoffs: int
) -> list[int]:
    if cutoffs is None:
        positions = default_cutoffs(len(labels), outcome, n_cutoffs)
        if not positions:
            raise ValueError(
                f"{len(labels)} complete months are too few to backtest a {outcome.horizon}-month "
                f"forecast: need at least {2 * outcome.horizon + 2}"
            )
        return positions
    positions = []
    for cutoff in cutoffs:
        if cutoff not in labels:
            raise ValueError(f"cut-off {cutoff!r} is not a month of the file ({labels[0]}..)")
        position = labels.index(cutoff)
        if position + outcome.horizon >= len(labels) or not enough_history(position + 1, outcome):
            raise ValueError(f"cut-off {cutoff!r} needs {outcome.horizon} months on each side")
        positions.append(position)
    return positions


def backtest_file(
    path: Path | str,
    outcome: DeclineOutcome | None = None,
    cutoffs: list[str] | None = None,
    n_cutoffs: int = 3,
    n_boot: int = 1000,
) -> dict[str, Any]:
    """The forecast backtest on a revenue file (a partial last month is dropped first).

    Returns the outcome definition, the cut-offs, `per_cutoff` (month -> metrics) and
    `overall` (pooled, customer-cluster bootstrap), each with the forecast's AUC [CI], top-10 %
    precision, Brier, ECE and, per baseline, AUC [CI] and the paired difference [CI].
    """
    outcome = outcome or DeclineOutcome()
    revenue, partial = _complete_months(read_revenue_file(path))
    labels = [str(c)[:7] for c in revenue.columns]
    positions = _cutoff_positions(labels, cutoffs, outcome, n_cutoffs)
    result = forecast_backtest(revenue.to_numpy(dtype=float), positions, outcome, n_boot)
    overall = result["overall"]
    forecast = overall["decline_probability"]
    warning = ""
    if overall["too_small"]:
        n_declined = overall["n_declined"]
        warning = (
            f"TOO SMALL TO MEASURE: {overall['n_rows']:,} customer-months with "
            f"{n_declined:,} declines and {overall['n_rows'] - n_declined:,} without; each needs "
            f"at least {MIN_CLASS_ROWS} for an AUC and its interval to mean anything. The "
            "figures below are shown, not evidence."
        )
    return {
        "warning": warning,
        "source": str(path),
        "partial_month_dropped": partial,
        "outcome": outcome.describe(),
        "horizon_months": outcome.horizon,
        "baseline_months": outcome.baseline_months,
        "threshold": outcome.threshold,
        "cutoffs": [labels[p] for p in positions],
        "per_cutoff": {labels[p]: summary for p, summary in result["per_cutoff"].items()},
        "overall": overall,
        "overall_three_active_months": result["overall_three_active_months"],
        "targets": TARGETS,
        "meets_targets": {  # a target is not met by a sample too small to measure it
            name: met and not overall["too_small"]
            for name, met in {
                "auc": forecast["auc"] >= TARGETS["auc"],
                "auc_ci_low": forecast["auc_ci"][0] >= TARGETS["auc_ci_low"],
                "top10_precision": forecast["top10_precision"] >= TARGETS["top10_precision"],
                "ece": forecast["ece"] <= TARGETS["ece"],
                "not_worse_than_active_months": not overall["active_months"][
                    "forecast_significantly_worse"
                ],
            }.items()
        },
    }


def forward_evaluation(db_path: Path | str, n_boot: int = 1000) -> dict[str, Any] | None:
    """Forecast at the `decline_truth` cut-offs against the hazard's onsets (None: no table).

    Months after each cut-off are never shown to the forecast: it is fitted and scored on the
    revenue matrix cut at T.
    """
    with connect(db_path, read_only=True) as con:
        listed = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        tables = {row[0] for row in listed}
        if "decline_truth" not in tables:
            return None
        columns = {
            row[0]
            for row in con.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'decline_truth'"
            ).fetchall()
        }
        if not {"p_halved", "halved"} <= columns:
            raise OutdatedTruthError(
                "decline_truth has no columns p_halved and halved (the forecast's outcome "
                "truth): this warehouse was built by an older `revrisk demo`; rebuild it"
            )
        truth = con.execute(
            "SELECT account_id, strftime(cutoff_month, '%Y-%m') AS cutoff, horizon_months, "
            "p_true, declined, p_halved, halved FROM decline_truth ORDER BY cutoff, account_id"
        ).df()
        revenue = warehouse_revenue(con)
    if truth.empty:
        return None
    labels = [str(c)[:7] for c in revenue.columns]
    months = sorted(truth["cutoff"].unique())
    horizon = int(truth["horizon_months"].iloc[0])
    outcome = DeclineOutcome(horizon=horizon)
    probabilities = probabilities_at(
        revenue.to_numpy(dtype=float), [labels.index(m) for m in months], outcome
    )
    row_of = pd.Series(np.arange(len(revenue)), index=revenue.index.astype(str))
    forecast = probabilities[
        [months.index(m) for m in truth["cutoff"]], row_of.loc[truth["account_id"]].to_numpy()
    ]
    accounts = truth["account_id"].to_numpy()
    halved, declined = truth["halved"].to_numpy(bool), truth["declined"].to_numpy(bool)
    scores, onset = (
        compare_with_truth(outcome, forecast, truth[p].to_numpy(float), accounts, n_boot)
        for outcome, p in ((halved, "p_halved"), (declined, "p_true"))
    )
    return {
        "truth": (
            "the forecast's outcome (revenue of the next H months below half the 6-month "
            "baseline) as billed, against its near-Bayes probability replayed by the generator "
            "from its state at T (decline_truth.p_halved); accounts at risk of an onset"
        ),
        "cutoffs": months,
        "horizon_months": horizon,
        **scores,
        "onset_only": {
            "truth": (
                "halving onsets drawn from the hazard of contract tenure and value at T "
                "(decline_truth.p_true): a part of the outcome, not a forecast target"
            ),
            "onset_share_of_halvings": round(
                float((declined & halved).sum() / max(halved.sum(), 1)), 4
            ),
            **onset,
        },
    }
