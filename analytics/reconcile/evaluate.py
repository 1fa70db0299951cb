"""Detector evaluation against ground truth (the synthetic world's `leakage_events`).

For evaluation only: findings and truth are matched on (account_id, month, leakage_type);
precision = matched / detected, recall = matched / true, amount error = |detected - true| on
matched findings (mean and max, in money).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from domain import LEAKAGE_TYPES


@dataclass(frozen=True)
class TypeScore:
    """Detector quality for one leakage type against ground truth (amounts in money)."""

    n_detected: int
    n_true: int
    n_matched: int
    precision: float
    recall: float
    amount_error: float  # mean |detected - true| over matched findings
    max_amount_error: float


def evaluate_findings(findings: pd.DataFrame, truth: pd.DataFrame) -> dict[str, TypeScore]:
    """Precision, recall and amount error per type, matching on (account_id, month, type).

    `truth` has columns account_id, month, leakage_type, amount (the synthetic world's
    `leakage_events`). Precision is 1.0 when nothing was detected and nothing was true.

    Examples:
        >>> f = pd.DataFrame({"account_id": ["A"], "month": ["2026-01-01"],
        ...                   "leakage_type": ["Billing_System_Error"], "amount": [10.0]})
        >>> t = f.assign(amount=[10.0])
        >>> evaluate_findings(f, t)["Billing_System_Error"].recall
        1.0
    """
    keys = ["account_id", "month", "leakage_type"]
    for name, frame in (("findings", findings), ("truth", truth)):
        missing = [c for c in [*keys, "amount"] if c not in frame.columns]
        if missing:
            raise ValueError(f"{name} lacks column(s) {missing}")
    left = findings[[*keys, "amount"]].assign(month=lambda f: pd.to_datetime(f["month"]))
    right = truth[[*keys, "amount"]].assign(month=lambda f: pd.to_datetime(f["month"]))
    merged = left.merge(right, on=keys, how="outer", suffixes=("_found", "_true"), indicator=True)
    return {kind: _score(merged[merged["leakage_type"] == kind]) for kind in LEAKAGE_TYPES}


def _score(rows: pd.DataFrame) -> TypeScore:
    matched = rows[rows["_merge"] == "both"]
    n_found = int((rows["_merge"] != "right_only").sum())
    n_true = int((rows["_merge"] != "left_only").sum())
    errors = (matched["amount_found"].astype(float) - matched["amount_true"].astype(float)).abs()
    return TypeScore(
        n_detected=n_found,
        n_true=n_true,
        n_matched=len(matched),
        precision=len(matched) / n_found if n_found else 1.0,
        recall=len(matched) / n_true if n_true else 1.0,
        amount_error=round(float(errors.mean()), 6) if len(errors) else 0.0,
        max_amount_error=round(float(errors.max()), 6) if len(errors) else 0.0,
    )


__all__ = ["TypeScore", "evaluate_findings"]
