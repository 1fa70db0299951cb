"""Fixtures for tool tests: a tiny warehouse file."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.warehouse import connect


@pytest.fixture(scope="module")
def tiny_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three accounts and two invoices, plus one ground-truth row. Built once per module;
    tests only read it (every query runs on a read-only attachment)."""
    tmp_path = tmp_path_factory.mktemp("tiny")
    path = tmp_path / "w.duckdb"
    with connect(path) as con:
        con.execute(
            "INSERT INTO accounts VALUES "
            "('ACC000042', 'Acme', 'Business', 'EMEA', 'EUR', '2023-01-05', 'core'),"
            "('ACC000043', 'Beta', 'Starter', 'APAC', 'USD', '2023-02-01', 'legacy'),"
            "('ACC000044', 'Gamma', 'Enterprise', 'EMEA', 'EUR', '2022-11-20', 'core')"
        )
        con.execute(
            "INSERT INTO invoices VALUES "
            "(1, 'ACC000042', NULL, '2025-01-01', '2025-01-01', '2025-01-31', 'EUR', 4990.00),"
            "(2, 'ACC000043', NULL, '2025-02-01', '2025-02-01', '2025-02-28', 'USD', 99.00)"
        )
        con.execute(
            "INSERT INTO leakage_events VALUES ('ACC000042', '2025-01-01', 'Failed_Payment_Retry', 10)"
        )
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    return path
