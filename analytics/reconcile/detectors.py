"""Reconciliation detectors: where the billing records already leak, to the cent, with proof.

Input is the billing ledger (`analytics.reconcile.ledger.LEDGER_SQL`: one row per account and
month with usage, the contract in force, the period's invoice lines and payment attempts, money
in integer cents). Every row is checked against the billing rule of data/schema.sql:

    subscription = min(active, licensed) x price in force
    overage      = max(0, active - licensed) x overage price in force (the list price)
    discount     = -round(subscription x pct / 100, 2) while period <= discount_end_date
    price in force = contracted price, or the downgrade target price from the month after a
                     downgrade request (target list price for overage)

and one finding is emitted per (account, month, leakage type) with the amount lost that month:

- Billing_System_Error: no invoice although a contract is in force and seats are in use;
  amount = the invoice the rule says was due (credits are discretionary, so none).
- Usage_Overage_Unbilled: seats in use that no line bills; amount = unbilled seats x price.
- Contract_Terms_Error: a subscription billed below the price in force, and/or a discount
  larger than the contract allows (e.g. still applied after its end date); amount = the gap.
- Downgrade_Not_Processed: billed above the downgrade target price after the request month;
  amount = what the customer was over-charged (a credit owed, revenue at risk).
- Failed_Payment_Retry / Expired_Payment_Method: a positive invoice with failed attempts and
  an outstanding balance; amount = the balance. Expired when a decline says `expired_card` or
  the card charged expired before the period; otherwise a retry failure.

The first two compare seats in use with the invoice, so they check only months with usage
(`USAGE_DETECTORS`); a billed month without usage (`active_seats` NULL) still gets the other
four, which read only the invoice, its payments and the contract.

Nothing here reads ground truth; `evaluate_findings` compares with it for evaluation only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.reconcile.evidence import EvidenceBuilder, month_text
from analytics.reconcile.expectation import Expectation
from analytics.reconcile.ledger import LEDGER_COLUMNS
from domain import LEAKAGE_TYPES

FINDING_COLUMNS: tuple[str, ...] = (
    "account_id",
    "month",
    "leakage_type",
    "amount",
    "currency",
    "invoice_id",
    "contract_id",
    "evidence",
    "evidence_json",
)
"""One finding: amount in the account's currency for that month; evidence as text and JSON."""

USAGE_DETECTORS: tuple[str, ...] = ("Billing_System_Error", "Usage_Overage_Unbilled")
"""Leakage types whose detector needs usage (seats in use): without it they cannot run."""

_DATES = (
    "month",
    "discount_end_date",
    "downgrade_requested_date",
    "last_attempt_date",
    "expiry_month",
)


def _check_ledger(ledger: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in LEDGER_COLUMNS if c not in ledger.columns]
    if missing:
        raise ValueError(f"ledger lacks column(s) {missing}")
    frame = ledger.reset_index(drop=True)
    for name in _DATES:
        frame[name] = pd.to_datetime(frame[name])
    if (frame["licensed_seats"] <= 0).any():
        raise ValueError("ledger column 'licensed_seats' must be > 0")
    return frame


def _int(frame: pd.DataFrame, name: str) -> np.ndarray:
    """Integer cents/counts with NULL as 0 (absent line, absent payment)."""
    return frame[name].fillna(0).to_numpy(dtype=np.int64)


def round_half_up(numerator: np.ndarray, denominator: int) -> np.ndarray:
    """Integer division rounding halves up (numerator >= 0), as DuckDB's round().

    Examples:
        >>> round_half_up(np.array([250, 249, 0]), 100).tolist()
        [3, 2, 0]
    """
    return (numerator * 2 + denominator) // (2 * denominator)


def expected_invoice(ledger: pd.DataFrame) -> Expectation:
    """Apply the billing rule to every ledger row.

    Examples:
        >>> row = {c: [None] for c in LEDGER_COLUMNS} | {
        ...     "month": ["2026-03-01"], "active_seats": [12], "licensed_seats": [10],
        ...     "price_cents": [1800], "list_cents": [2000], "discount_bp": [1000],
        ...     "discount_end_date": ["2026-06-15"]}
        >>> e = expected_invoice(pd.DataFrame(row))
        >>> int(e.total[0]), int(e.discount[0])
        (20200, 1800)
    """
    frame = _check_ledger(ledger)
    month = frame["month"]
    requested = frame["downgrade_requested_date"]
    pending = (requested.notna() & (requested.dt.to_period("M").dt.start_time < month)).to_numpy()
    active, licensed = _int(frame, "active_seats"), _int(frame, "licensed_seats")
    price = np.where(pending, _int(frame, "target_price_cents"), _int(frame, "price_cents"))
    over_price = np.where(pending, _int(frame, "target_list_cents"), _int(frame, "list_cents"))
    sub_qty = np.minimum(active, licensed)
    end = frame["discount_end_date"]
    applies = (_int(frame, "discount_bp") > 0) & (end.notna() & (month <= end)).to_numpy()
    discount = np.where(
        applies, round_half_up(sub_qty * price * _int(frame, "discount_bp"), 10_000), 0
    )
    return Expectation(
        pending, price, over_price, sub_qty, np.maximum(0, active - licensed), applies, discount
    )


def reconcile_ledger(ledger: pd.DataFrame) -> pd.DataFrame:
    """Findings of all six detectors on a ledger (any subset of rows; rows are independent).

    Returns one row per (account_id, month, leakage_type) with `FINDING_COLUMNS`, sorted by
    account, month and type; amounts are money in the account's currency for that month.
    """
    frame = _check_ledger(ledger)
    expected = expected_invoice(frame)
    evidence = EvidenceBuilder(frame, expected)
    parts = [
        _missing_invoice(frame, expected, evidence),
        _unbilled_usage(frame, expected, evidence),
        _terms_errors(frame, expected, evidence),
        _unprocessed_downgrade(frame, expected, evidence),
        *_unpaid_invoices(frame, evidence),
    ]
    found = [p for p in parts if len(p)]
    if not found:
        return pd.DataFrame({c: pd.Series(dtype=_DTYPES.get(c, "str")) for c in FINDING_COLUMNS})
    out = pd.concat(found, ignore_index=True)
    return out.sort_values(["account_id", "month", "leakage_type"], ignore_index=True)


_DTYPES = {"month": "datetime64[us]", "amount": "float64", "invoice_id": "Int64"}


def _finding(
    frame: pd.DataFrame, mask: np.ndarray, kind: str, cents: np.ndarray, evidence: EvidenceBuilder
) -> pd.DataFrame:
    rows = frame.loc[mask]
    text, payload = evidence.build(kind, mask, cents[mask])
    return pd.DataFrame(
        {
            "account_id": rows["account_id"].to_numpy(),
            "month": rows["month"].to_numpy(),
            "leakage_type": kind,
            "amount": cents[mask] / 100.0,
            "currency": rows["currency"].to_numpy(),
            "invoice_id": rows["invoice_id"].astype("Int64").to_numpy(),
            "contract_id": rows["contract_id"].to_numpy(),
            "evidence": text,
            "evidence_json": payload,
        }
    )


def _usage_known(frame: pd.DataFrame) -> np.ndarray:
    return frame["active_seats"].notna().to_numpy()


def _missing_invoice(frame: pd.DataFrame, e: Expectation, ev: EvidenceBuilder) -> pd.DataFrame:
    due = e.total
    mask = _usage_known(frame) & frame["invoice_id"].isna().to_numpy() & (due > 0)
    return _finding(frame, mask, "Billing_System_Error", due, ev)


def _unbilled_usage(frame: pd.DataFrame, e: Expectation, ev: EvidenceBuilder) -> pd.DataFrame:
    invoiced = frame["invoice_id"].notna().to_numpy() & _usage_known(frame)
    over_short = np.maximum(0, e.overage_qty - _int(frame, "over_qty"))
    seats_short = np.maximum(0, e.subscription_qty - _int(frame, "sub_qty"))
    cents = over_short * e.overage_price + seats_short * e.price
    return _finding(frame, invoiced & (cents > 0), "Usage_Overage_Unbilled", cents, ev)


def _terms_errors(frame: pd.DataFrame, e: Expectation, ev: EvidenceBuilder) -> pd.DataFrame:
    invoiced = frame["invoice_id"].notna().to_numpy()
    sub_qty, sub_cents = _int(frame, "sub_qty"), _int(frame, "sub_cents")
    price_gap = np.maximum(0, sub_qty * e.price - sub_cents)
    allowed = np.where(
        e.discount_applies, round_half_up(sub_cents * _int(frame, "discount_bp"), 10_000), 0
    )
    excess_discount = np.maximum(0, -_int(frame, "discount_cents") - allowed)
    cents = price_gap + excess_discount
    return _finding(frame, invoiced & (cents > 0), "Contract_Terms_Error", cents, ev)


def _unprocessed_downgrade(
    frame: pd.DataFrame, e: Expectation, ev: EvidenceBuilder
) -> pd.DataFrame:
    invoiced = frame["invoice_id"].notna().to_numpy()
    over_qty = _int(frame, "over_qty")
    over_charge = np.maximum(
        0, _int(frame, "sub_cents") - _int(frame, "sub_qty") * e.price
    ) + np.maximum(0, _int(frame, "over_cents") - over_qty * e.overage_price)
    mask = invoiced & e.pending_downgrade & (over_charge > 0)
    return _finding(frame, mask, "Downgrade_Not_Processed", over_charge, ev)


def _unpaid_invoices(frame: pd.DataFrame, ev: EvidenceBuilder) -> list[pd.DataFrame]:
    total = _int(frame, "total_cents")
    outstanding = total - _int(frame, "paid_cents")
    unpaid = frame["invoice_id"].notna().to_numpy() & (total > 0) & (outstanding > 0)
    unpaid &= _int(frame, "n_failed") > 0
    card_lapsed = frame["method_type"].eq("card") & (frame["expiry_month"] < frame["month"])
    expired = frame["expired_decline"].fillna(False).astype(bool) | card_lapsed.fillna(False)
    expired_mask = expired.to_numpy(dtype=bool)
    return [
        _finding(frame, unpaid & expired_mask, "Expired_Payment_Method", outstanding, ev),
        _finding(frame, unpaid & ~expired_mask, "Failed_Payment_Retry", outstanding, ev),
    ]


def monthly_leakage(findings: pd.DataFrame) -> pd.DataFrame:
    """One row per (account_id, month) with findings: total `amount` and the largest type.

    These are the model's training labels: a cutoff month T is labelled with the findings of
    month T + 1, exactly what a production system learns from.

    Examples:
        >>> f = pd.DataFrame({"account_id": ["A", "A"], "month": ["2026-01-01"] * 2,
        ...     "leakage_type": ["Failed_Payment_Retry", "Contract_Terms_Error"],
        ...     "amount": [10.0, 25.0]})
        >>> monthly_leakage(f)[["amount", "leakage_type"]].values.tolist()
        [[35.0, 'Contract_Terms_Error']]
    """
    if findings.empty:
        return pd.DataFrame(
            {
                "account_id": pd.Series(dtype="str"),
                "month": pd.Series(dtype="datetime64[us]"),
                "amount": pd.Series(dtype=float),
                "leakage_type": pd.Series(dtype="str"),
            }
        )
    frame = findings[["account_id", "month", "leakage_type", "amount"]].copy()
    frame["month"] = pd.to_datetime(frame["month"])
    largest = frame.sort_values(["amount", "leakage_type"]).drop_duplicates(
        ["account_id", "month"], keep="last"
    )
    totals = frame.groupby(["account_id", "month"], as_index=False)["amount"].sum()
    return totals.merge(
        largest[["account_id", "month", "leakage_type"]], on=["account_id", "month"]
    )


__all__ = [
    "FINDING_COLUMNS",
    "LEAKAGE_TYPES",
    "USAGE_DETECTORS",
    "Expectation",
    "expected_invoice",
    "month_text",
    "monthly_leakage",
    "reconcile_ledger",
    "round_half_up",
]
