"""Column buffers for the synthetic tables, filled month by month and turned into DataFrames.

Keys stay numeric (account number, month index, sequence numbers) until the writer turns them
into the warehouse's ids in SQL, which keeps 1,000,000-account worlds cheap.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from data.synth.billing import InvoiceLines, line_rows
from data.synth.population import (
    ARCHETYPES,
    DECLINING,
    REGION_NAMES,
    TIER_NAMES,
    Population,
    account_names,
)

ISSUE_TO_DUE_DAYS = 14


class Rows:
    """Append-only column buffers, one per output table."""

    def __init__(self) -> None:
        self._buffers: dict[str, defaultdict[str, list[Any]]] = defaultdict(
            lambda: defaultdict(list)
        )

    def add(self, table: str, **columns: Any) -> None:
        """Rows of `table` (named as its columns in writer.py); a scalar applies to every row."""
        size = next(np.size(v) for v in columns.values() if np.ndim(v) > 0)
        buffer = self._buffers[table]
        for name, values in columns.items():
            buffer[name].append(
                np.broadcast_to(values, (size,)) if np.ndim(values) == 0 else values
            )

    def frames(self) -> dict[str, pd.DataFrame]:
        return {
            table: pd.DataFrame({name: np.concatenate(parts) for name, parts in cols.items()})
            for table, cols in self._buffers.items()
        }

    # ------------------------------------------------------------- billing facts
    def add_accounts(self, pop: Population) -> None:
        self.add(
            "accounts",
            acc=pop.account_number,
            name=np.array(account_names(pop.account_number), dtype=object),
            tier=TIER_NAMES[pop.tier],
            region=REGION_NAMES[pop.region],
            signup_date=pop.signup_date,
            billing_system=np.where(pop.legacy, "legacy", "core"),
        )

    def add_invoices(
        self,
        acc: NDArray[np.int64],
        t: int,
        month: np.datetime64,
        contract_seq: NDArray[np.int64],
        lines: InvoiceLines,
        idx: NDArray[np.int64],
    ) -> None:
        self.add(
            "invoices",
            acc=acc,
            t=np.int64(t),
            period=month,
            contract_seq=contract_seq,
            total=lines.total[idx],
        )
        long = line_rows(_subset(lines, idx))
        self.add(
            "invoice_lines",
            acc=acc[long["row"]],
            t=np.int64(t),
            line_no=long["line_no"],
            line_type=long["line_type"],
            qty=long["qty"],
            unit=long["unit"],
            amount=long["amount"],
        )

    def add_payments(
        self,
        acc: NDArray[np.int64],
        t: int,
        month: np.datetime64,
        pay: dict[str, NDArray[Any]],
        method_seq: NDArray[np.int64],
    ) -> None:
        row = pay["row"]
        if row.size == 0:
            return
        totals = self._buffers["invoices"]["total"][-1]
        self.add(
            "payments",
            acc=acc[row],
            t=np.int64(t),
            attempt_no=pay["attempt_no"],
            date=month + pay["day_offset"].astype("timedelta64[D]"),
            amount=totals[row],
            failed=pay["failed"],
            decline_code=pay["decline_code"],
            method_seq=method_seq[row],
        )

    # ------------------------------------------------------------- ground truth
    def add_trend_truth(
        self,
        pop: Population,
        month_start: NDArray[np.datetime64],
        onset_declining: NDArray[np.bool_] | None = None,
    ) -> None:
        names = np.array(ARCHETYPES)[pop.archetype]
        change = np.where(
            pop.change_month >= 0,
            month_start[np.maximum(pop.change_month, 0)],
            np.datetime64("NaT"),
        )
        self.add(
            "trend_truth",
            acc=pop.account_number,
            archetype=names,
            is_declining=np.isin(names, list(DECLINING))
            | (False if onset_declining is None else onset_declining),
            monthly_growth=np.expm1(pop.growth),
            noise_cv=np.sqrt(np.expm1(pop.noise_sigma**2)),
            change_month=change,
        )


def _subset(lines: InvoiceLines, idx: NDArray[np.int64]) -> InvoiceLines:
    return InvoiceLines(
        **{name: getattr(lines, name)[idx] for name in InvoiceLines.__dataclass_fields__}
    )


__all__ = ["ISSUE_TO_DUE_DAYS", "Rows"]
