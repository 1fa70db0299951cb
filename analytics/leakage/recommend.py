"""Recommendations: from a leakage type (detected or predicted) to an action, an owner, urgency.

Dollars at stake per account and month: the detected leakage of the latest month when the
detectors found some (it is happening now), else the expected monthly loss (probability x
estimated amount). Urgency: High for detected leakage or High risk, Medium for Medium risk,
Low otherwise. The list is ranked by dollars at stake.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from domain import LEAKAGE_TYPES


@dataclass(frozen=True)
class Action:
    """One catalogue entry."""

    action: str
    owner: str  # Billing ops / Customer success / RevOps


CATALOGUE: dict[str, Action] = {
    "Failed_Payment_Retry": Action(
        "Turn on smart retry and the card-updater service; chase the open invoice with the payer",
        "Billing ops",
    ),
    "Expired_Payment_Method": Action(
        "Request a card update before the next charge (or move the account to ACH)",
        "Customer success",
    ),
    "Usage_Overage_Unbilled": Action(
        "Bill the overage seats and true up the licensed seat count", "RevOps"
    ),
    "Contract_Terms_Error": Action(
        "Correct the invoice price and discount to the contract and re-issue the invoice",
        "Billing ops",
    ),
    "Billing_System_Error": Action(
        "Issue the missing invoices and check the account's billing-system sync", "Billing ops"
    ),
    "Downgrade_Not_Processed": Action(
        "Apply the requested downgrade and credit the over-charge proactively", "Customer success"
    ),
}
"""Leakage type -> action and owner (the six canonical types)."""

MONITOR = Action("No action needed: monitor at the next billing run", "RevOps")


def recommended_action(leakage_type: np.ndarray) -> np.ndarray:
    """Action text per row from a leakage type (vectorised lookup).

    Examples:
        >>> recommended_action(np.array(["Billing_System_Error"], dtype=object)).tolist()
        ["Issue the missing invoices and check the account's billing-system sync"]
    """
    lookup = {kind: entry.action for kind, entry in CATALOGUE.items()}
    return (
        pd.Series(leakage_type, dtype=object)
        .map(lookup)
        .fillna(MONITOR.action)
        .to_numpy(dtype=object)
    )


def _check_scores(scores: pd.DataFrame) -> None:
    needed = ("account_id", "risk_level", "predicted_leakage_type", "expected_monthly_loss")
    missing = [c for c in needed if c not in scores.columns]
    if missing:
        raise ValueError(f"scores lack column(s) {missing}")
    unknown = set(scores["predicted_leakage_type"].dropna()) - set(LEAKAGE_TYPES)
    if unknown:
        raise ValueError(f"unknown predicted_leakage_type value(s) {sorted(unknown)}")


def recommendations(scores: pd.DataFrame, detected: pd.DataFrame | None = None) -> pd.DataFrame:
    """Ranked actions, one row per account with something at stake.

    `scores` has the scoring columns; `detected` (optional) has account_id, leakage_type,
    amount for the latest month's findings (the largest type per account is acted on).
    Columns: account_id, leakage_type, source (detected / predicted), action, owner, urgency,
    dollars_at_stake (per month), annual_at_stake.

    Examples:
        >>> s = pd.DataFrame({"account_id": ["A", "B"], "risk_level": ["High", "Low"],
        ...     "predicted_leakage_type": ["Expired_Payment_Method", "Failed_Payment_Retry"],
        ...     "expected_monthly_loss": [120.0, 2.0]})
        >>> recommendations(s)[["account_id", "owner", "urgency"]].values.tolist()
        [['A', 'Customer success', 'High'], ['B', 'Billing ops', 'Low']]
    """
    _check_scores(scores)
    out = scores[
        ["account_id", "risk_level", "predicted_leakage_type", "expected_monthly_loss"]
    ].copy()
    out["leakage_type"], out["source"] = out["predicted_leakage_type"], "predicted"
    out["dollars_at_stake"] = out["expected_monthly_loss"].astype(float)
    if detected is not None and len(detected):
        now = detected.sort_values("amount").drop_duplicates("account_id", keep="last")
        total = detected.groupby("account_id")["amount"].sum()
        hit = out["account_id"].isin(now["account_id"])
        by_id = now.set_index("account_id")["leakage_type"]
        out.loc[hit, "leakage_type"] = out.loc[hit, "account_id"].map(by_id)
        out.loc[hit, "source"] = "detected"
        out.loc[hit, "dollars_at_stake"] = out.loc[hit, "account_id"].map(total).astype(float)
    urgency = np.where(out["source"] == "detected", "High", out["risk_level"].astype(str))
    out["urgency"] = urgency
    out["action"] = recommended_action(out["leakage_type"].to_numpy(dtype=object))
    out["owner"] = (
        out["leakage_type"].map({k: v.owner for k, v in CATALOGUE.items()}).fillna(MONITOR.owner)
    )
    out["annual_at_stake"] = out["dollars_at_stake"] * 12
    out = out[out["dollars_at_stake"] > 0].sort_values("dollars_at_stake", ascending=False)
    columns = [
        "account_id",
        "leakage_type",
        "source",
        "action",
        "owner",
        "urgency",
        "dollars_at_stake",
        "annual_at_stake",
    ]
    return out[columns].reset_index(drop=True)


__all__ = ["CATALOGUE", "MONITOR", "Action", "recommendations", "recommended_action"]
