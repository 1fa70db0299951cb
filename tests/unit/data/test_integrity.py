"""Warehouse integrity rules (references, composite keys) and the imported tables' constraints."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from data.imports.column_specs import SPECS, specs_for
from data.imports.integrity import (
    FOREIGN_KEYS,
    UNIQUE_KEYS,
    check_integrity,
    orphans_query,
    rules_for,
)
from data.warehouse import RAW_TABLES, connect, ensure_schema

SHA = "0" * 64


@pytest.fixture
def world(small_world: Path, tmp_path: Path) -> Path:
    """A writable copy of the small world."""
    copy = tmp_path / "world.duckdb"
    shutil.copy(small_world, copy)
    return copy


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    ensure_schema(connection)
    return connection


def test_a_consistent_world_breaks_no_rule(small_world: Path) -> None:
    with connect(small_world, read_only=True) as con:
        assert check_integrity(con) == []


@pytest.mark.parametrize(
    ("statement", "rule", "keys"),
    [
        (
            "INSERT INTO usage_monthly VALUES ('ACC999999', DATE '2025-01-01', 1, 1, NULL, 5, 0)",
            "usage_monthly.account_id -> accounts.account_id",
            [("ACC999999",)],
        ),
        (
            "INSERT INTO invoices SELECT 1, account_id, 'NOPE', DATE '2030-01-01', DATE '2030-01-01', "
            "DATE '2030-01-15', 'USD', 0 FROM accounts LIMIT 1",
            "invoices.contract_id -> contracts.contract_id",
            [("NOPE",)],
        ),
        (
            "INSERT INTO invoices SELECT 1, account_id, contract_id, period, issue_date, due_date, "
            "currency, total FROM invoices LIMIT 1",
            "unique invoices(account_id, period)",
            None,
        ),
        (
            "INSERT INTO payments SELECT 1, invoice_id, account_id, method_id, attempt_no, "
            "attempted_date, amount, status, decline_code FROM payments LIMIT 1",
            "unique payments(invoice_id, attempt_no)",
            None,
        ),
        (
            "INSERT INTO invoice_lines VALUES (1, 42, 'credit', 0, 0, -1)",
            "invoice_lines.invoice_id -> invoices.invoice_id",
            [(42,)],
        ),
        (
            "INSERT INTO payments SELECT 2, invoice_id, account_id, 4242, 99, attempted_date, amount, "
            "'succeeded', NULL FROM payments LIMIT 1",
            "payments.method_id -> payment_methods.method_id",
            [(4242,)],
        ),
    ],
)
def test_each_broken_rule_is_found_with_its_keys(
    world: Path, statement: str, rule: str, keys: list[tuple[object, ...]] | None
) -> None:
    with connect(world) as con:
        con.execute(statement)
        [violation] = check_integrity(con)
    assert violation.rule == rule and violation.n_keys == 1
    if keys is not None:
        assert list(violation.keys) == keys


def test_rules_can_be_limited_to_the_tables_written(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "INSERT INTO usage_monthly VALUES ('ACC999999', DATE '2025-01-01', 1, 1, NULL, 5, 0)"
    )
    assert check_integrity(con, ["payments"]) == []
    assert [v.table for v in check_integrity(con, ["usage_monthly"])] == ["usage_monthly"]
    assert len(rules_for()) == len(FOREIGN_KEYS) + len(UNIQUE_KEYS)


def test_orphans_query_runs_against_any_relation(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TEMP TABLE batch AS SELECT 7 AS __row, 'ACC000404' AS account_id")
    usage = next(fk for fk in FOREIGN_KEYS if fk.child == "usage_monthly")
    assert con.execute(orphans_query(usage, "batch", extra="c.__row")).fetchall() == [
        (7, "ACC000404")
    ]


def test_specs_cover_the_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Every raw table has a spec whose columns are the table's, keys included."""
    for table in RAW_TABLES:
        [spec] = specs_for(table)
        columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        assert [c.name for c in spec.columns] == columns
        for key in UNIQUE_KEYS:
            if key.table == table:
                assert key.columns in spec.keys
    for spec in SPECS:
        stored = {r[0] for r in con.execute(f"DESCRIBE {spec.table}").fetchall()}
        assert {c.name for c in spec.columns} <= stored, spec.kind


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO revenue_imports VALUES (1, '12347', DATE '2011-01-15', 'GBP', 1)",
        "INSERT INTO revenue_imports VALUES (1, ' ', DATE '2011-01-01', 'GBP', 1)",
        "INSERT INTO revenue_imports VALUES (1, '12347', DATE '2011-01-01', 'pounds', 1)",
        "INSERT INTO trend_reference VALUES (1, '12347', 1, -1, 0, 1, 1, 1, 3, 0)",
        "INSERT INTO import_log VALUES (1, 'f.csv', 'accounts', NULL, NULL, 3, 'abc', now(), NULL)",
        "INSERT INTO import_log VALUES (1, 'f.csv', 'accounts', NULL, NULL, -1, '"
        + SHA
        + "', now(), NULL)",
        "INSERT INTO account_snapshots (import_id, account_id, tier, mrr, payment_reliability_score, "
        "customer_health_score, last_login_days_ago, support_tickets_90d, feature_adoption_pct, "
        "payment_failure_rate, user_utilization_ratio, days_since_contract_start, revenue_per_user, "
        "engagement_score, payment_risk, health_risk, engagement_risk, overutilization) "
        "VALUES (1, 'A', 'Starter', 99, 1.5, 50, 1, 1, 50, 0, 1, 10, 5, 50, 0, 0, 0, 0)",
    ],
)
def test_imported_tables_reject_bad_rows(con: duckdb.DuckDBPyConnection, statement: str) -> None:
    with pytest.raises(duckdb.ConstraintException):
        con.execute(statement)


def test_monthly_revenue_view_adds_imported_revenue(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO revenue_imports VALUES (1, '12347', DATE '2011-01-01', 'GBP', 10.5)")
    rows = con.execute(
        "SELECT account_id, month, currency, net_revenue FROM monthly_revenue"
    ).fetchall()
    assert [(a, str(m), c, float(v)) for a, m, c, v in rows] == [
        ("12347", "2011-01-01", "GBP", 10.5)
    ]
