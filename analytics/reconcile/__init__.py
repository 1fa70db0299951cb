"""Reconciliation, pure: where the billing records already leak, to the cent, with proof.

`ledger` holds the SQL text of the billing ledger the detectors read (executed by
`services.leakage`), `detectors` re-derives each invoice from the contract and usage,
`evidence` writes one sentence and one JSON object per finding, `evaluate` scores findings
against the synthetic world's truth. Imports numpy and pandas only.
"""

from __future__ import annotations

from analytics.reconcile.detectors import (
    FINDING_COLUMNS,
    USAGE_DETECTORS,
    expected_invoice,
    monthly_leakage,
    reconcile_ledger,
)
from analytics.reconcile.evaluate import evaluate_findings
from analytics.reconcile.ledger import ACCOUNT_CHUNKS_SQL, LEDGER_COLUMNS, LEDGER_SQL

__all__ = [
    "ACCOUNT_CHUNKS_SQL",
    "FINDING_COLUMNS",
    "LEDGER_COLUMNS",
    "LEDGER_SQL",
    "USAGE_DETECTORS",
    "evaluate_findings",
    "expected_invoice",
    "monthly_leakage",
    "reconcile_ledger",
]
