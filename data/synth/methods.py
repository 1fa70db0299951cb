"""Payment methods on file for a chunk of accounts: cards that expire and are replaced.

Every account starts with the method drawn with the population (card, ACH or wire); a card is
valid through its expiry month. A replacement card takes the next sequence number and expires
24 to 48 months later; each method is written to the rows buffer when it is added. Attempts and
failures count the charges on the current method (the hazards' decline rate reads them).
"""

from __future__ import annotations

import numpy as np

from data.synth.arrays import Bools, Dates, Ints
from data.synth.population import Population, add_months
from data.synth.rows import Rows

DAY = np.timedelta64(1, "D")


class PaymentMethods:
    """The payment method on file for every account of a chunk (arrays indexed by account)."""

    def __init__(
        self, pop: Population, rows: Rows, rng: np.random.Generator, month_start: Dates
    ) -> None:
        """`month_start`: the first day of every month of the window (the simulation's)."""
        self.pop, self.rows, self.rng, self.month_start = pop, rows, rng, month_start
        self.card: Bools = pop.method_type == 0
        self.expiry: Ints = np.where(self.card, pop.card_expiry, -1)  # window index; -1 no card
        self.seq = np.zeros(pop.size, np.int64)
        self.attempts = np.zeros(pop.size, np.int64)
        self.failed = np.zeros(pop.size, np.int64)
        expiry_date = add_months(month_start[0], np.maximum(self.expiry, 0))
        added = np.maximum(pop.contract_start, expiry_date - np.timedelta64(3 * 365, "D"))
        added = np.where(self.card, added, pop.contract_start)
        self.rows.add(
            "payment_methods",
            acc=pop.account_number,
            seq=self.seq,
            method_type=pop.method_type,
            expiry=self._expiry_dates(),
            added=added,
        )

    def _expiry_dates(self) -> Dates:
        expiry = add_months(self.month_start[0], np.maximum(self.expiry, 0))
        return np.where(self.card, expiry, np.datetime64("NaT"))

    def replace_cards(self, t: int, mask: Bools, day: int | Ints) -> None:
        """Put a new card on file for `mask` on `day` (0-based) of month `t`."""
        if not mask.any():
            return
        self.expiry = np.where(mask, t + self.rng.integers(24, 49, self.pop.size), self.expiry)
        self.seq = np.where(mask, self.seq + 1, self.seq)
        self.attempts = np.where(mask, 0, self.attempts)
        self.failed = np.where(mask, 0, self.failed)
        added = self.month_start[t] + np.broadcast_to(day, mask.shape) * DAY
        self.rows.add(
            "payment_methods",
            acc=self.pop.account_number[mask],
            seq=self.seq[mask],
            method_type=np.zeros(int(mask.sum()), np.int64),
            expiry=self._expiry_dates()[mask],
            added=added[mask],
        )

    def count_charges(self, attempts: Ints, failed: Ints) -> None:
        """Add a month's charge attempts and failures (per account) to the current methods."""
        self.attempts += attempts
        self.failed += failed


__all__ = ["PaymentMethods"]
