"""Reconciliation detectors: exact against the synthetic world, and rule by rule on hand-made rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analytics.reconcile.detectors import (
    FINDING_COLUMNS,
    expected_invoice,
    monthly_leakage,
    reconcile_ledger,
)
from analytics.reconcile.evaluate import evaluate_findings
from analytics.reconcile.ledger import ACCOUNT_CHUNKS_SQL, LEDGER_COLUMNS, LEDGER_SQL
from data.warehouse import connect
from domain import LEAKAGE_TYPES


def _ledger_row(**values: object) -> pd.DataFrame:
    """One correctly billed and paid month: 10 seats of 10 licensed at 20.00, list 25.00."""
    row: dict[str, object] = dict.fromkeys(LEDGER_COLUMNS)
    row |= {
        "account_id": "ACC000001",
        "month": "2026-03-01",
        "currency": "USD",
        "active_seats": 10,
        "contract_id": "CTR000001-0",
        "licensed_seats": 10,
        "list_cents": 2500,
        "price_cents": 2000,
        "discount_bp": 0,
        "invoice_id": 1001,
        "total_cents": 20000,
        "sub_qty": 10,
        "sub_cents": 20000,
        "over_qty": 0,
        "over_cents": 0,
        "discount_cents": 0,
        "credit_cents": 0,
        "n_attempts": 1,
        "n_failed": 0,
        "paid_cents": 20000,
        "expired_decline": False,
        "method_id": 100,
        "method_type": "card",
        "expiry_month": "2027-01-01",
    }
    row |= values
    return pd.DataFrame([row])


def _only(findings: pd.DataFrame) -> tuple[str, float]:
    assert len(findings) == 1, findings
    return findings["leakage_type"].iloc[0], float(findings["amount"].iloc[0])


def test_clean_month_has_no_finding() -> None:
    assert reconcile_ledger(_ledger_row()).empty


def test_columns_and_types_of_findings() -> None:
    found = reconcile_ledger(_ledger_row(invoice_id=None, total_cents=None, n_attempts=None))
    assert tuple(found.columns) == FINDING_COLUMNS
    assert _only(found) == ("Billing_System_Error", 200.0)
    assert "No invoice for 2026-03" in found["evidence"].iloc[0]
    assert '"expected_total": 200.0' in found["evidence_json"].iloc[0]


def test_missing_invoice_uses_discount_rounded_half_up() -> None:
    # 3 seats x 12.35 = 37.05; 10 % discount = 3.705 -> 3.71 (half up, as DuckDB's round)
    row = _ledger_row(
        invoice_id=None,
        active_seats=3,
        licensed_seats=5,
        price_cents=1235,
        discount_bp=1000,
        discount_end_date="2026-03-01",
    )
    assert _only(reconcile_ledger(row)) == ("Billing_System_Error", 33.34)


def test_unbilled_overage_at_list_price() -> None:
    row = _ledger_row(active_seats=13)  # 3 seats above licence, no overage line
    assert _only(reconcile_ledger(row)) == ("Usage_Overage_Unbilled", 75.0)


def test_price_below_contract_is_terms_error() -> None:
    row = _ledger_row(sub_cents=16000, total_cents=16000, paid_cents=16000)  # billed 16.00
    assert _only(reconcile_ledger(row)) == ("Contract_Terms_Error", 40.0)


def test_discount_after_end_date_is_terms_error() -> None:
    row = _ledger_row(
        discount_bp=1500,
        discount_end_date="2026-02-20",
        discount_cents=-3000,
        total_cents=17000,
        paid_cents=17000,
    )
    kind, amount = _only(reconcile_ledger(row))
    assert (kind, amount) == ("Contract_Terms_Error", 30.0)


def test_discount_while_in_force_is_fine() -> None:
    row = _ledger_row(
        discount_bp=1500,
        discount_end_date="2026-03-01",
        discount_cents=-3000,
        total_cents=17000,
        paid_cents=17000,
    )
    assert reconcile_ledger(row).empty


def test_downgrade_applies_from_the_month_after_the_request() -> None:
    pending = {
        "downgrade_requested_date": "2026-02-10",
        "downgrade_target_plan": "Starter",
        "target_price_cents": 1200,
        "target_list_cents": 1500,
    }
    assert _only(reconcile_ledger(_ledger_row(**pending))) == ("Downgrade_Not_Processed", 80.0)
    same_month = pending | {"downgrade_requested_date": "2026-03-05"}
    assert reconcile_ledger(_ledger_row(**same_month)).empty


def test_unpaid_invoice_classified_by_decline_or_card_expiry() -> None:
    unpaid = {"n_attempts": 4, "n_failed": 4, "paid_cents": 0, "last_decline_code": "do_not_honor"}
    assert _only(reconcile_ledger(_ledger_row(**unpaid))) == ("Failed_Payment_Retry", 200.0)
    lapsed = unpaid | {"expiry_month": "2026-02-01"}  # card expired before the period
    assert _only(reconcile_ledger(_ledger_row(**lapsed)))[0] == "Expired_Payment_Method"
    coded = unpaid | {"expired_decline": True}
    assert _only(reconcile_ledger(_ledger_row(**coded)))[0] == "Expired_Payment_Method"
    recovered = {"n_attempts": 2, "n_failed": 1}  # one decline, then paid
    assert reconcile_ledger(_ledger_row(**recovered)).empty


def test_expected_invoice_total() -> None:
    expected = expected_invoice(_ledger_row(active_seats=12))
    assert int(expected.total[0]) == 10 * 2000 + 2 * 2500


def test_missing_ledger_column_is_named() -> None:
    with pytest.raises(ValueError, match="sub_cents"):
        reconcile_ledger(_ledger_row().drop(columns="sub_cents"))


def test_evaluate_findings_needs_keys() -> None:
    with pytest.raises(ValueError, match="leakage_type"):
        evaluate_findings(
            pd.DataFrame({"account_id": [], "month": [], "amount": []}),
            pd.DataFrame(columns=["account_id", "month", "leakage_type", "amount"]),
        )


def test_monthly_labels_sum_and_pick_the_largest_type() -> None:
    findings = pd.concat(
        [
            reconcile_ledger(_ledger_row(active_seats=13)),
            reconcile_ledger(_ledger_row(sub_cents=16000, total_cents=16000, paid_cents=16000)),
        ]
    )
    labels = monthly_leakage(findings)
    assert labels[["amount", "leakage_type"]].values.tolist() == [[115.0, "Usage_Overage_Unbilled"]]


def test_exact_on_the_synthetic_world(small_world: Path) -> None:
    with connect(small_world, read_only=True) as con:
        chunks = con.execute(ACCOUNT_CHUNKS_SQL, {"size": 120}).fetchall()
        assert len(chunks) == 3  # 300 accounts
        found = pd.concat(
            reconcile_ledger(con.sql(LEDGER_SQL, params={"first": a, "last": b}).df())
            for a, b in chunks
        )
        truth = con.execute(
            "SELECT account_id, month, leakage_type, CAST(amount AS DOUBLE) AS amount "
            "FROM leakage_events"
        ).df()
    scores = evaluate_findings(found, truth)
    assert set(truth["leakage_type"]) == set(LEAKAGE_TYPES)  # the world exercises every detector
    for kind, score in scores.items():
        assert score.precision == 1.0 and score.recall == 1.0, (kind, score)
        assert score.max_amount_error < 0.005, (kind, score)
