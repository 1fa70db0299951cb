"""The synthetic world's causal leakage model: next-month hazards from observable features.

The generator draws each month's leakage events with these probabilities, computed from the
account's state at the end of the previous month. Every input is a column of
`account_features_at(month)` (data/schema.sql), so the stored `p_true` is a function of what is
observable in the warehouse; a test recomputes it from SQL. Behavioural signals (logins,
adoption, tickets, payment history) shift the odds; billing states (an expired card, a discount
that just ended, a pending downgrade, a missing invoice) make some leaks likely, and the draw
itself adds the noise that keeps the best possible ROC-AUC well below 1.

Hazards are probabilities per account for the next month. Exclusivity rules applied by the
generator (a missing invoice rules out invoice-level leaks; an expired card rules out the
ordinary retry failure; a pending downgrade rules out price errors and unbilled overage) are
already encoded here as zero hazards, so `p_any` is exact.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

from domain import BILLING_STATES

FeatureArrays = Mapping[str, ArrayLike]

HAZARD_INPUTS: tuple[str, ...] = (
    "billing_system",
    "payment_failure_rate",
    "payment_reliability_score",
    "customer_health_score",
    "engagement_score",
    "user_utilization_ratio",
    "card_expired",
    *BILLING_STATES,
)
"""Columns of account_features the hazards read: behaviour, an expired card and the model's
billing states (`domain.BILLING_STATES`)."""


def _col(features: FeatureArrays, name: str, dtype: type = float) -> NDArray[np.float64]:
    return np.asarray(features[name]).astype(dtype)


def leakage_hazards(features: FeatureArrays) -> dict[str, NDArray[np.float64]]:
    """Probability of each leakage type next month, given this month's features.

    Examples:
        >>> h = leakage_hazards({
        ...     "billing_system": ["core"], "payment_failure_rate": [0.0],
        ...     "payment_reliability_score": [1.0], "customer_health_score": [80.0],
        ...     "engagement_score": [70.0], "user_utilization_ratio": [0.9],
        ...     "card_expired": [True], "discount_active_next": [False],
        ...     "discount_ends_this_month": [False], "discount_billed_past_end": [False],
        ...     "downgrade_pending_months": [0], "missing_invoice": [False],
        ...     "unpaid_invoices_90d": [0]})
        >>> round(float(h["Expired_Payment_Method"][0]), 3), float(h["Failed_Payment_Retry"][0])
        (0.389, 0.0)
    """
    legacy = np.asarray(features["billing_system"]) == "legacy"
    pending_months = _col(features, "downgrade_pending_months")
    pending = pending_months > 0
    card_expired = _col(features, "card_expired", bool).astype(bool)
    engagement = _col(features, "engagement_score")
    health = _col(features, "customer_health_score")

    billing_error = np.where(
        _col(features, "missing_invoice", bool).astype(bool), 0.30, np.where(legacy, 0.006, 0.0015)
    )
    expired = np.where(card_expired, expit(0.6 - 0.07 * (engagement - 55.0)), 0.0)
    failed_logit = (
        -5.2
        + 4.0 * _col(features, "payment_failure_rate")
        + 1.2 * (1.0 - _col(features, "payment_reliability_score"))
        - 0.03 * (health - 65.0)
        + 0.3 * _col(features, "unpaid_invoices_90d")
    )
    failed = np.where(card_expired, 0.0, expit(failed_logit))
    overage = np.where(
        pending,
        0.0,
        np.where(legacy, 0.12, 0.03)
        * expit(12.0 * (_col(features, "user_utilization_ratio") - 1.1)),
    )
    terms = np.select(
        [
            pending,
            _col(features, "discount_billed_past_end", bool).astype(bool),
            _col(features, "discount_ends_this_month", bool).astype(bool),
            _col(features, "discount_active_next", bool).astype(bool),
        ],
        [0.0, 0.6, 0.35, 0.0],
        default=np.where(legacy, 0.004, 0.0012),
    )
    downgrade = np.select([pending_months == 1, pending_months >= 2], [0.4, 0.7], default=0.0)
    return {
        "Failed_Payment_Retry": failed,
        "Usage_Overage_Unbilled": overage,
        "Contract_Terms_Error": terms,
        "Billing_System_Error": billing_error,
        "Downgrade_Not_Processed": downgrade,
        "Expired_Payment_Method": expired,
    }


def p_any(hazards: Mapping[str, NDArray[np.float64]]) -> NDArray[np.float64]:
    """Probability of at least one leakage event: 1 - prod(1 - h) over the types.

    Examples:
        >>> float(p_any({"a": np.array([0.5]), "b": np.array([0.5])})[0])
        0.75
    """
    survive = np.ones_like(next(iter(hazards.values())), dtype=float)
    for h in hazards.values():
        survive = survive * (1.0 - h)
    return 1.0 - survive
