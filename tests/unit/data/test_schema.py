"""Schema constraints reject bad rows; the warehouse helpers behave."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from data.warehouse import (
    WarehouseMissingError,
    bump_data_version,
    connect,
    ensure_schema,
    get_meta,
    set_meta,
    table_counts,
    transaction,
)

ACCOUNT = "('ACC000001', 'Acme', 'Starter', 'EMEA', 'EUR', DATE '2024-01-05', 'core')"
CONTRACT = (
    "('CTR1', 'ACC000001', 'Business', 30.00, 27.00, 10, 12, DATE '2024-02-01', NULL, "
    "0, NULL, NULL, NULL, NULL, NULL)"
)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    ensure_schema(connection)
    connection.execute(f"INSERT INTO accounts VALUES {ACCOUNT}")
    connection.execute(f"INSERT INTO contracts VALUES {CONTRACT}")
    return connection


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO accounts VALUES ('ACC000001', 'Dup', 'Starter', 'EMEA', 'EUR', DATE '2024-01-01', 'core')",
        "INSERT INTO accounts VALUES ('acct-7', 'Bad id', 'Starter', 'EMEA', 'EUR', DATE '2024-01-01', 'core')",
        "INSERT INTO accounts VALUES ('ACC000002', 'x', 'Gold', 'EMEA', 'EUR', DATE '2024-01-01', 'core')",
        "INSERT INTO accounts VALUES ('ACC000002', 'x', 'Starter', 'Mars', 'EUR', DATE '2024-01-01', 'core')",
        "INSERT INTO accounts VALUES ('ACC000002', 'x', 'Starter', 'EMEA', 'euro', DATE '2024-01-01', 'core')",
        "INSERT INTO accounts VALUES ('ACC000002', '  ', 'Starter', 'EMEA', 'EUR', DATE '2024-01-01', 'core')",
        "INSERT INTO contracts VALUES ('CTR2', 'ACC999999', 'Business', 30, 27, 10, 12, DATE '2024-02-01', NULL, 0, NULL, NULL, NULL, NULL, NULL)",
        "INSERT INTO contracts VALUES ('CTR2', 'ACC000001', 'Business', 30, 31, 10, 12, DATE '2024-02-01', NULL, 0, NULL, NULL, NULL, NULL, NULL)",
        "INSERT INTO contracts VALUES ('CTR2', 'ACC000001', 'Business', 30, 27, 0, 12, DATE '2024-02-01', NULL, 0, NULL, NULL, NULL, NULL, NULL)",
        "INSERT INTO contracts VALUES ('CTR2', 'ACC000001', 'Business', 30, 27, 10, 12, DATE '2024-02-01', DATE '2024-01-01', 0, NULL, NULL, NULL, NULL, NULL)",
        "INSERT INTO contracts VALUES ('CTR2', 'ACC000001', 'Business', 30, 27, 10, 12, DATE '2024-02-01', NULL, 15, NULL, NULL, NULL, NULL, NULL)",
        "INSERT INTO contracts VALUES ('CTR2', 'ACC000001', 'Business', 30, 27, 10, 12, DATE '2024-02-01', NULL, 0, NULL, DATE '2024-05-03', NULL, NULL, NULL)",
        "INSERT INTO contracts VALUES ('CTR2', 'ACC000001', 'Business', 30, 27, 10, 12, DATE '2024-02-01', NULL, 0, NULL, DATE '2024-05-03', 'Starter', 29, 12)",
        "INSERT INTO usage_monthly VALUES ('ACC000001', DATE '2024-03-15', 5, 3, NULL, 50, 0)",
        "INSERT INTO usage_monthly VALUES ('ACC000001', DATE '2024-03-01', -1, 3, NULL, 50, 0)",
        "INSERT INTO usage_monthly VALUES ('ACC000001', DATE '2024-03-01', 5, 3, NULL, 120, 0)",
        "INSERT INTO usage_monthly VALUES ('ACC000001', DATE '2024-03-01', 5, 3, DATE '2024-04-02', 50, 0)",
        "INSERT INTO invoices VALUES (1, 'ACC000001', 'CTR1', DATE '2024-03-01', DATE '2024-03-01', DATE '2024-02-01', 'EUR', 10)",
        "INSERT INTO invoice_lines VALUES (1, 1, 'subscription', 2, 10.00, 25.00)",
        "INSERT INTO invoice_lines VALUES (1, 1, 'discount', 1, 5.00, 5.00)",
        "INSERT INTO invoice_lines VALUES (1, 1, 'refund', 1, -5.00, -5.00)",
        "INSERT INTO payment_methods VALUES (1, 'ACC000001', 'card', NULL, DATE '2024-01-01', DATE '2024-01-01')",
        "INSERT INTO payment_methods VALUES (1, 'ACC000001', 'ach', DATE '2027-01-01', DATE '2024-01-01', DATE '2024-01-01')",
        "INSERT INTO payments VALUES (1, 1, 'ACC000001', NULL, 1, DATE '2024-03-01', 10, 'failed', NULL)",
        "INSERT INTO payments VALUES (1, 1, 'ACC000001', NULL, 0, DATE '2024-03-01', 10, 'succeeded', NULL)",
        "INSERT INTO payments VALUES (1, 1, 'ACC000001', NULL, 1, DATE '2024-03-01', 10, 'pending', NULL)",
        "INSERT INTO leakage_events VALUES ('ACC000001', DATE '2024-03-01', 'Revenue_Gremlins', 10)",
    ],
)
def test_constraints_reject_bad_rows(con: duckdb.DuckDBPyConnection, statement: str) -> None:
    with pytest.raises(duckdb.ConstraintException):
        con.execute(statement)


def test_valid_rows_are_accepted(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "INSERT INTO usage_monthly VALUES ('ACC000001', DATE '2024-03-01', 12, 40, DATE '2024-03-30', 55.5, 1)"
    )
    con.execute(
        "INSERT INTO invoices VALUES (1, 'ACC000001', 'CTR1', DATE '2024-03-01', DATE '2024-03-01', DATE '2024-03-15', 'EUR', 284.00)"
    )
    con.execute(
        "INSERT INTO invoice_lines VALUES (10, 1, 'subscription', 10, 27.00, 270.00), (11, 1, 'overage', 2, 30.00, 60.00), (12, 1, 'credit', 1, -46.00, -46.00)"
    )
    revenue = con.execute("SELECT net_revenue FROM monthly_revenue").fetchone()
    assert revenue is not None and float(revenue[0]) == 284.0


def test_read_only_open_of_missing_file_names_the_fix(tmp_path: Path) -> None:
    with (
        pytest.raises(WarehouseMissingError, match="revrisk demo"),
        connect(tmp_path / "none.duckdb", read_only=True),
    ):
        pass


def test_transaction_rolls_back_everything(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with connect(path) as con:
        with pytest.raises(duckdb.ConstraintException), transaction(con):
            con.execute(f"INSERT INTO accounts VALUES {ACCOUNT}")
            con.execute(f"INSERT INTO accounts VALUES {ACCOUNT}")
        assert table_counts(con)["accounts"] == 0


def test_data_version_increments(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as con:
        assert get_meta(con, "data_version") is None
        assert bump_data_version(con) == 1
        assert bump_data_version(con) == 2


def test_latest_month_sees_invoices_and_imported_revenue() -> None:
    from data.warehouse import latest_month

    con = duckdb.connect()
    ensure_schema(con)
    assert latest_month(con) is None
    con.execute(
        "INSERT INTO revenue_imports (import_id, customer_id, month, currency, net_revenue) "
        "VALUES (1, '12347', DATE '2011-12-01', 'GBP', 10)"
    )
    assert latest_month(con) == "2011-12-01"


def test_meta_read_once_per_reader_and_anew_after_a_write(tmp_path: Path) -> None:
    """A read-only connection answers a meta key from its first read (no process can write
    while it is open); a write closes it, and the next reader sees the new value."""
    db = tmp_path / "meta.duckdb"
    with connect(db) as con:
        set_meta(con, data_version=1)
    with connect(db, read_only=True) as con:
        assert get_meta(con, "data_version") == "1"
        assert get_meta(con, "no_such_key", "fallback") == "fallback"
        assert get_meta(con, "no_such_key") is None
    with connect(db, read_only=True) as con:  # the kept reader: same answers
        assert get_meta(con, "data_version") == "1"
    with connect(db) as con:
        assert bump_data_version(con) == 2
        assert get_meta(con, "data_version") == "2"  # a writer always reads the table
        set_meta(con, data_version=5)
        assert get_meta(con, "data_version") == "5"
    with connect(db, read_only=True) as con:
        assert get_meta(con, "data_version") == "5"
