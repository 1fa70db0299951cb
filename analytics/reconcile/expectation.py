"""What the billing rule says an invoice should hold: the expectation the detectors compare with.

Its own module so that the detectors and the evidence builder share it without importing each
other in a circle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Expectation:
    """What the billing rule says each ledger row's invoice should hold (integer cents)."""

    pending_downgrade: np.ndarray  # bool: the target price is in force this month
    price: np.ndarray  # per seat, in force
    overage_price: np.ndarray  # per seat, in force
    subscription_qty: np.ndarray
    overage_qty: np.ndarray
    discount_applies: np.ndarray  # bool
    discount: np.ndarray  # >= 0, subtracted from the expected subscription

    @property
    def total(self) -> np.ndarray:
        """Expected invoice total before discretionary credits."""
        return (
            self.subscription_qty * self.price
            + self.overage_qty * self.overage_price
            - self.discount
        )
