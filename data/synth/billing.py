"""One month of billing for the accounts that are invoiced: lines, totals, payment attempts.

Integer cents throughout, so every amount the generator records can be re-derived exactly by
the reconciliation detectors from the raw tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

LINE_TYPES = ("subscription", "overage", "discount", "credit")
RETRY_DECLINES = np.array(
    ["insufficient_funds", "do_not_honor", "generic_decline", "processing_error"]
)
RETRY_DAYS = np.array([0, 3, 7, 13])  # days after the issue date of attempts 1..4


def round_half_up(numerator: IntArray, denominator: int) -> IntArray:
    """Integer division rounding halves away from zero (numerator >= 0), as DuckDB's round().

    Examples:
        >>> round_half_up(np.array([250, 249, 0]), 100).tolist()
        [3, 2, 0]
    """
    return (numerator * 2 + denominator) // (2 * denominator)


@dataclass(frozen=True)
class InvoiceLines:
    """Amounts per invoiced account (cents); zero quantity/amount means 'no such line'."""

    sub_qty: IntArray
    sub_unit: IntArray
    over_qty: IntArray
    over_unit: IntArray
    over_billed: BoolArray
    discount: IntArray  # <= 0
    discount_line: BoolArray
    credit: IntArray  # <= 0

    @property
    def subscription(self) -> IntArray:
        return self.sub_qty * self.sub_unit

    @property
    def overage(self) -> IntArray:
        return np.where(self.over_billed, self.over_qty * self.over_unit, 0)

    @property
    def total(self) -> IntArray:
        return self.subscription + self.overage + self.discount + self.credit


def discount_cents(subscription: IntArray, pct: IntArray) -> IntArray:
    """Promotional discount line: -round(subscription x pct / 100) to the cent."""
    return -round_half_up(subscription * pct, 100)


def build_lines(
    seats: IntArray,
    licensed: IntArray,
    unit_price: IntArray,
    overage_price: IntArray,
    overage_unbilled: BoolArray,
    discount_pct: IntArray,
    discount_line: BoolArray,
    credit_fraction: NDArray[np.float64],
) -> InvoiceLines:
    """Invoice lines by the billing rule of data/schema.sql (with injected faults applied)."""
    sub_qty = np.minimum(seats, licensed)
    over_qty = np.maximum(0, seats - licensed)
    subscription = sub_qty * unit_price
    discount = np.where(discount_line, discount_cents(subscription, discount_pct), 0)
    over_billed = (over_qty > 0) & ~overage_unbilled
    pre_credit = subscription + np.where(over_billed, over_qty * overage_price, 0) + discount
    credit = -np.round(pre_credit * credit_fraction).astype(np.int64)
    return InvoiceLines(
        sub_qty=sub_qty,
        sub_unit=unit_price,
        over_qty=over_qty,
        over_unit=overage_price,
        over_billed=over_billed,
        discount=discount,
        discount_line=discount_line,
        credit=np.minimum(credit, 0),
    )


def line_rows(lines: InvoiceLines) -> dict[str, NDArray[np.generic]]:
    """Long line table: (row index into the invoiced accounts, line_no, type, qty, unit, amount)."""
    n = lines.sub_qty.size
    present = [
        np.ones(n, bool),
        lines.over_billed,
        lines.discount_line,
        lines.credit < 0,
    ]
    qty = [lines.sub_qty, lines.over_qty, np.ones(n, np.int64), np.ones(n, np.int64)]
    unit = [lines.sub_unit, lines.over_unit, lines.discount, lines.credit]
    amount = [lines.subscription, lines.overage, lines.discount, lines.credit]
    parts: dict[str, list[NDArray[np.generic]]] = {
        k: [] for k in ("row", "line_no", "qty", "unit", "amount")
    }
    types: list[NDArray[np.generic]] = []
    for line_no, mask in enumerate(present):
        idx = np.flatnonzero(mask)
        parts["row"].append(idx)
        parts["line_no"].append(np.full(idx.size, line_no + 1))
        parts["qty"].append(qty[line_no][idx])
        parts["unit"].append(unit[line_no][idx])
        parts["amount"].append(amount[line_no][idx])
        types.append(np.full(idx.size, LINE_TYPES[line_no]))
    out = {k: np.concatenate(v) for k, v in parts.items()}
    out["line_type"] = np.concatenate(types)
    return out


def payment_attempts(
    rng: np.random.Generator,
    total: IntArray,
    expired_event: BoolArray,
    retry_event: BoolArray,
    fragility: NDArray[np.float64],
) -> dict[str, NDArray[np.generic]]:
    """Attempts per invoiced account: leaks fail 4 times; others succeed, maybe after one decline.

    Returns a long table keyed by row index with attempt_no, day offset, status and decline code,
    plus per-row counts `n_attempts`, `n_failed`, `paid`.
    """
    n = total.size
    charge = total > 0
    leak = charge & (expired_event | retry_event)
    recovered = charge & ~leak & (rng.random(n) < fragility)
    n_attempts = np.where(leak, 4, np.where(recovered, 2, np.where(charge, 1, 0)))
    n_failed = np.where(leak, 4, np.where(recovered, 1, 0))
    row = np.repeat(np.arange(n), n_attempts)
    starts = np.cumsum(n_attempts) - n_attempts
    attempt_no = np.arange(row.size) - starts[row] + 1
    failed = attempt_no <= n_failed[row]
    code = np.where(
        expired_event[row], "expired_card", RETRY_DECLINES[rng.integers(0, 4, size=row.size)]
    ).astype(object)
    code[~failed] = None
    return {
        "row": row,
        "attempt_no": attempt_no,
        "day_offset": RETRY_DAYS[attempt_no - 1],
        "failed": failed,
        "decline_code": code,
        "n_attempts": n_attempts,
        "n_failed": n_failed,
        "paid": charge & ~leak,
    }
