"""Contract state of a chunk of accounts: prices in force, promotions, downgrade requests.

A processed downgrade ends the contract the day before the month it applies to and starts a
new one on the lower plan; contracts are written to the rows buffer when they end (or at the
end of the simulation, open-ended unless the account churned).
"""

from __future__ import annotations

import numpy as np

from data.synth.arrays import Bools, Dates
from data.synth.population import LIST_PRICE_CENTS, Population
from data.synth.rows import Rows

DAY = np.timedelta64(1, "D")
NAT = np.datetime64("NaT")
_WRITTEN = (
    "seq",
    "plan",
    "list_price",
    "price",
    "licensed",
    "start",
    "discount_pct",
    "discount_end",
    "request_date",
    "tgt_plan",
    "tgt_price",
    "tgt_list",
)
"""The book's arrays that are columns of `contracts` in data/synth/writer.py, by the same names."""


class ContractBook:
    """The contract in force for every account of a chunk (arrays indexed by account)."""

    def __init__(self, pop: Population, rows: Rows) -> None:
        self.pop, self.rows = pop, rows
        self.plan, self.list_price, self.price = (
            pop.tier.copy(),
            pop.list_cents.copy(),
            pop.price_cents.copy(),
        )
        self.licensed = pop.licensed_seats.copy()
        self.seq = np.zeros(pop.size, np.int64)
        self.start = pop.contract_start.copy()
        self.discount_pct, self.discount_end = pop.discount_pct.copy(), pop.discount_end.copy()
        self.request_month = np.full(pop.size, -1, np.int64)
        self.request_date = np.full(pop.size, NAT, "datetime64[D]")
        self.tgt_plan = np.full(pop.size, -1, np.int64)
        self.tgt_price = np.zeros(pop.size, np.int64)
        self.tgt_list = np.zeros(pop.size, np.int64)

    @property
    def pending(self) -> Bools:
        """A downgrade was requested in an earlier month and is not applied yet."""
        return self.request_month >= 0

    def discount_applies(self, month_start: np.datetime64) -> Bools:
        """The promotional discount covers the period starting `month_start`."""
        with np.errstate(invalid="ignore"):
            return (self.discount_pct > 0) & (month_start <= self.discount_end)

    def can_request(self, month_start: np.datetime64, next_month_start: np.datetime64) -> Bools:
        """A downgrade may be requested: not on the lowest plan, nothing pending, no promotion
        running into next month, and the contract began before this month."""
        with np.errstate(invalid="ignore"):
            promoted = (self.discount_pct > 0) & (self.discount_end >= next_month_start)
        return (self.plan > 0) & ~self.pending & ~promoted & (self.start < month_start)

    def request_downgrades(self, t: int, mask: Bools, dates: Dates) -> None:
        """Record a request for the next plan down, priced at the same discount off list."""
        target = np.maximum(self.plan - 1, 0)
        target_list = LIST_PRICE_CENTS[target]
        ratio_price = np.round(target_list * self.price / self.list_price).astype(np.int64)
        self.request_month = np.where(mask, t, self.request_month)
        self.request_date = np.where(mask, dates, self.request_date)
        self.tgt_plan = np.where(mask, target, self.tgt_plan)
        self.tgt_list = np.where(mask, target_list, self.tgt_list)
        self.tgt_price = np.where(mask, np.minimum(ratio_price, self.price - 1), self.tgt_price)

    def apply_downgrades(self, month_start: np.datetime64, mask: Bools) -> None:
        """Close the current contracts of `mask` and start the requested plan this month."""
        if not mask.any():
            return
        self._emit(mask, np.full(mask.shape, month_start - DAY))
        self.plan = np.where(mask, self.tgt_plan, self.plan)
        self.list_price = np.where(mask, self.tgt_list, self.list_price)
        self.price = np.where(mask, self.tgt_price, self.price)
        self.seq = np.where(mask, self.seq + 1, self.seq)
        self.start = np.where(mask, month_start, self.start)
        self.discount_pct = np.where(mask, 0, self.discount_pct)
        self.discount_end = np.where(mask, NAT, self.discount_end)
        self.request_month = np.where(mask, -1, self.request_month)
        self.request_date = np.where(mask, NAT, self.request_date)
        self.tgt_plan = np.where(mask, -1, self.tgt_plan)

    def close_all(self, end: Dates, has_end: Bools) -> None:
        """Write every open contract; `end` applies where `has_end` (churn), else evergreen."""
        self._emit(np.ones(self.pop.size, bool), np.where(has_end, end, NAT))

    def _emit(self, mask: Bools, end: Dates) -> None:
        terms = {name: getattr(self, name)[mask] for name in _WRITTEN}
        self.rows.add(
            "contracts",
            acc=self.pop.account_number[mask],
            term=self.pop.term_months[mask],
            end=end[mask],
            **terms,
        )
