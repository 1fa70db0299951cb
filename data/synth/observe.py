"""End-of-month observable features, computed inside the generator.

This is the numpy twin of `account_features_at(month)` in data/schema.sql, restricted to the
columns the hazards read. It exists only so the generator can draw next month's events from
observable state; tests check that both give the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from data.synth.arrays import Bools, Dates, Floats, Ints
from data.synth.hazard import leakage_hazards, p_any
from data.synth.methods import PaymentMethods


@dataclass
class History:
    """Per-month counters needed for trailing windows, shaped (n_months, n_accounts)."""

    attempts: NDArray[np.int32]
    failed: NDArray[np.int32]
    tickets: NDArray[np.int32]
    unpaid: Bools

    @classmethod
    def empty(cls, n_months: int, n_accounts: int) -> History:
        shape = (n_months, n_accounts)
        return cls(
            attempts=np.zeros(shape, np.int32),
            failed=np.zeros(shape, np.int32),
            tickets=np.zeros(shape, np.int32),
            unpaid=np.zeros(shape, bool),
        )

    def trailing(self, name: str, t: int, months: int) -> Ints:
        values = getattr(self, name)[max(0, t - months + 1) : t + 1]
        return values.sum(axis=0).astype(np.int64)


@dataclass(frozen=True)
class MonthState:
    """What the generator knows about every account at the end of month t (index by account)."""

    t: int
    month_start: np.datetime64
    last_day: np.datetime64
    legacy: Bools
    adoption: Floats
    last_login: Dates
    seats: Ints
    licensed: Ints
    methods: PaymentMethods  # card, its expiry month, charges attempted and failed on it
    discount_pct: Ints
    discount_end: Dates
    discount_line: Bools  # this month's invoice carries a discount line
    request_month: Ints  # window index of a pending downgrade request; -1 none
    invoiced: Bools


def features(state: MonthState, history: History) -> dict[str, NDArray[np.generic]]:
    """Hazard inputs at the end of `state.t`, with the formulas of account_features_at."""
    t = state.t
    attempts = history.trailing("attempts", t, 12)
    failed = history.trailing("failed", t, 12)
    tickets = history.trailing("tickets", t, 3)
    failure_rate = np.divide(failed, attempts, out=np.zeros(attempts.shape), where=attempts > 0)
    methods = state.methods
    months_left = np.maximum(0, methods.expiry - t)
    method_quality = np.where(methods.card, np.minimum(1.0, months_left / 12.0), 1.0)
    declined = np.divide(
        methods.failed,
        methods.attempts,
        out=np.zeros(methods.attempts.shape),
        where=methods.attempts > 0,
    )
    days_since_login = (state.last_day - state.last_login).astype("timedelta64[D]").astype(float)
    engagement = 0.6 * state.adoption + 0.4 * np.maximum(0.0, 100.0 - days_since_login)
    health = (
        0.4 * state.adoption
        + 30.0 * np.maximum(0.0, 1.0 - days_since_login / 90.0)
        + 30.0 * (1.0 - np.minimum(tickets, 10) / 10.0)
    )
    has_discount = state.discount_pct > 0
    end = state.discount_end
    with np.errstate(invalid="ignore"):
        active_next = has_discount & (end > state.last_day)
        ends_now = has_discount & (end >= state.month_start) & (end <= state.last_day)
        past_end = state.discount_line & ~(end >= state.month_start)
    pending = np.where(state.request_month >= 0, t - state.request_month + 1, 0)
    unpaid = history.trailing("unpaid", t, 3)
    return {
        "billing_system": np.where(state.legacy, "legacy", "core"),
        "payment_failure_rate": failure_rate,
        "payment_reliability_score": method_quality * (1.0 - 0.5 * declined),
        "customer_health_score": health,
        "engagement_score": engagement,
        "user_utilization_ratio": state.seats / state.licensed,
        "card_expired": methods.card & (methods.expiry <= t),
        "discount_active_next": active_next,
        "discount_ends_this_month": ends_now,
        "discount_billed_past_end": past_end,
        "downgrade_pending_months": pending,
        "missing_invoice": ~state.invoiced,
        "unpaid_invoices_90d": unpaid,
    }


def next_month_risk(state: MonthState, history: History) -> tuple[dict[str, Floats], Floats]:
    """Hazards per leakage type for month t+1, and the probability of any leakage."""
    hazards = leakage_hazards(features(state, history))
    return hazards, p_any(hazards)
