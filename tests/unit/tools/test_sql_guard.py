"""Guarded SQL: every attack is blocked by the allow-list, and by the locked connection too."""

from __future__ import annotations

import inspect
from pathlib import Path

import duckdb
import pytest

from data.sql_guard import (
    Catalog,
    SqlExecutionError,
    SqlLimits,
    SqlRejected,
    _locked_connection,
    check_sql,
    read_catalog,
    run_query,
)
from data.warehouse import connect

ATTACKS = [
    # DDL
    "DROP TABLE accounts",
    "drop view monthly_revenue",
    "CREATE TABLE x AS SELECT 1",
    "CREATE TEMP TABLE t AS SELECT * FROM accounts",
    "CREATE VIEW v AS SELECT 1",
    "CREATE MACRO m() AS 1",
    "CREATE SEQUENCE s",
    "CREATE INDEX i ON accounts (tier)",
    "CREATE SCHEMA evil",
    "ALTER TABLE accounts ADD COLUMN x INTEGER",
    "ALTER TABLE accounts RENAME TO a2",
    "TRUNCATE accounts",
    "COMMENT ON TABLE accounts IS 'x'",
    # DML
    "INSERT INTO accounts VALUES ('ACC000099', 'x', 'Starter', 'EMEA', 'EUR', '2024-01-01', 'core')",
    "INSERT INTO accounts SELECT * FROM accounts",
    "INSERT OR REPLACE INTO meta VALUES ('a', 'b')",
    "UPDATE accounts SET tier = 'Starter'",
    "DELETE FROM accounts",
    "DELETE FROM payments WHERE 1 = 1",
    "MERGE INTO accounts USING accounts AS s ON false WHEN NOT MATCHED THEN INSERT VALUES (s.*)",
    "WITH x AS (DELETE FROM accounts RETURNING *) SELECT * FROM x",
    "SELECT * INTO copy_of_accounts FROM accounts",
    # several statements
    "SELECT 1; DROP TABLE accounts",
    "SELECT 1; SELECT 2",
    "select * from accounts;delete from accounts",
    "SELECT 1 --\n; DROP TABLE accounts",
    "SELECT ';' ; DROP TABLE accounts",
    # ATTACH / DETACH / USE
    "ATTACH 'other.duckdb' AS other",
    "ATTACH ':memory:' AS m",
    "DETACH warehouse",
    "USE memory",
    # COPY / EXPORT / IMPORT
    "COPY accounts TO 'out.csv'",
    "COPY (SELECT * FROM accounts) TO '/tmp/x.parquet' (FORMAT PARQUET)",
    "COPY accounts FROM 'in.csv'",
    "EXPORT DATABASE '/tmp/dump'",
    "IMPORT DATABASE '/tmp/dump'",
    # PRAGMA / SET / CALL
    "PRAGMA version",
    "PRAGMA enable_profiling",
    "SET threads = 1",
    "SET enable_external_access = true",
    "RESET enable_external_access",
    "CALL pragma_version()",
    "SELECT * FROM pragma_table_info('accounts')",
    # INSTALL / LOAD
    "INSTALL httpfs",
    "FORCE INSTALL httpfs",
    "LOAD httpfs",
    "LOAD '/tmp/evil.duckdb_extension'",
    # file and network readers
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_csv_auto('data.csv')",
    "SELECT * FROM read_parquet('s3://bucket/x.parquet')",
    "SELECT * FROM read_json('x.json')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_blob('/etc/passwd')",
    "SELECT * FROM glob('/*')",
    "SELECT * FROM 'data.csv'",
    'SELECT * FROM "/etc/passwd"',
    "SELECT * FROM 'https://example.com/x.parquet'",
    "SELECT * FROM parquet_scan('x.parquet')",
    "SELECT * FROM sniff_csv('data.csv')",
    "SELECT * FROM query('DROP TABLE accounts')",
    "SELECT * FROM query_table('accounts')",
    "SELECT * FROM sqlite_scan('x.db', 't')",
    "SELECT * FROM postgres_scan('host=x', 'public', 't')",
    "SELECT * FROM duckdb_secrets()",
    "SELECT * FROM json_execute_serialized_sql('x')",
    "SELECT getenv('HOME')",
    "SELECT * FROM accounts WHERE account_id IN (SELECT a FROM read_csv('data.csv'))",
    "SELECT * FROM accounts JOIN read_csv('data.csv') r ON true",
    "WITH f AS (SELECT * FROM read_csv('data.csv')) SELECT * FROM f",
    # ground truth and other catalogs
    "SELECT * FROM leakage_events",
    "SELECT * FROM trend_truth",
    "SELECT * FROM other_db.main.accounts",
    "SELECT lower((SELECT account_id FROM trend_truth))",
    "SELECT coalesce((WITH q AS (SELECT 1) SELECT * FROM q), (SELECT * FROM q))",
    "WITH trend_truth AS (SELECT * FROM trend_truth) SELECT * FROM trend_truth",
    "SELECT * FROM system.main.duckdb_settings",
    # comment and case tricks
    "sElEcT 1; dRoP tAbLe accounts",
    "/* harmless */ DROP TABLE accounts",
    "-- just a comment\nDELETE FROM accounts",
    "SELECT 1 /* ; */ ; DELETE FROM accounts",
    "DR/**/OP TABLE accounts",
    "SELECT/**/*/**/FROM/**/read_csv('data.csv')",
    "SeLeCt * FrOm ReAd_CsV('data.csv')",
    # not a query
    "DESCRIBE accounts",
    "SHOW TABLES",
    "SUMMARIZE accounts",
    "VACUUM",
    "CHECKPOINT",
    "BEGIN TRANSACTION",
    "ROLLBACK",
    "SELECT table_name FROM information_schema.tables",
    "",
    "   ",
    "SELECT 1 " + " " * 10_001,
]

LEGIT = [
    "SELECT count(*) AS n FROM accounts",
    "select tier, count(*) from ACCOUNTS group by all order by 1",
    "WITH t AS (SELECT tier, count(*) AS n FROM accounts GROUP BY tier) SELECT * FROM t WHERE n > 0",
    "SELECT account_id, total, sum(total) OVER (PARTITION BY account_id ORDER BY period) AS running "
    "FROM invoices",
    "SELECT account_id, row_number() OVER (ORDER BY signup_date) AS rn FROM accounts QUALIFY rn <= 2",
    "FROM accounts SELECT account_id WHERE tier = 'Business'",
    "SELECT account_id FROM accounts UNION ALL SELECT account_id FROM invoices",
    "SELECT a.account_id, i.total FROM accounts a LEFT JOIN invoices i USING (account_id)",
    "SELECT * FROM (SELECT tier FROM accounts) sub",
    "PIVOT accounts ON tier USING count(*)",
    "SELECT * FROM account_features_at('2025-01-01')",
    "SELECT * FROM range(3)",
    "SELECT strftime(period, '%Y-%m') AS month, count(*) FILTER (WHERE total > 100) FROM invoices "
    "GROUP BY 1",
    "SELECT CASE WHEN tier = 'Enterprise' THEN 'big' ELSE 'small' END AS size FROM accounts",
    "SELECT 'a;b' AS s, name FROM accounts -- trailing comment",
    "SELECT * FROM accounts LIMIT 2 OFFSET 1",
    "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t",
    "SELECT * FROM monthly_revenue",
    "SELECT * FROM main.accounts",
    "(SELECT 1 AS one)",
]


@pytest.fixture
def catalog(tiny_warehouse: Path) -> Catalog:
    with _locked_connection(tiny_warehouse) as locked:
        return read_catalog(locked.con)


def test_at_least_fifty_attacks() -> None:
    assert len(ATTACKS) >= 50


@pytest.mark.parametrize("sql", ATTACKS)
def test_attack_is_rejected_by_the_allow_list(sql: str, catalog: Catalog) -> None:
    with pytest.raises(SqlRejected):
        check_sql(sql, catalog)


@pytest.mark.parametrize("sql", ATTACKS)
def test_attack_fails_end_to_end(sql: str, tiny_warehouse: Path) -> None:
    with pytest.raises(SqlRejected):
        run_query(tiny_warehouse, sql)


def test_warehouse_is_intact_after_every_attack(tiny_warehouse: Path) -> None:
    for sql in ATTACKS:
        with pytest.raises(SqlRejected):
            run_query(tiny_warehouse, sql)
    assert run_query(tiny_warehouse, "SELECT count(*) FROM accounts").rows == [(3,)]
    with connect(tiny_warehouse, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM leakage_events").fetchall() == [(1,)]


@pytest.mark.parametrize("sql", LEGIT)
def test_legitimate_queries_run(sql: str, tiny_warehouse: Path) -> None:
    result = run_query(tiny_warehouse, sql)
    assert result.columns


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('data.csv')",
        "SELECT * FROM 'data.csv'",
        "ATTACH 'other.duckdb' AS other",
        "COPY accounts TO 'out.csv'",
        "INSTALL httpfs",
        "SET enable_external_access = true",
        "CREATE TABLE warehouse.main.x AS SELECT 1",
        "DELETE FROM accounts",
    ],
)
def test_connection_blocks_what_the_allow_list_would_miss(
    sql: str, tiny_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tiny_warehouse.parent)
    with _locked_connection(tiny_warehouse) as locked, pytest.raises(duckdb.Error):
        locked.con.execute(sql).fetchall()


def test_row_cap_truncates(tiny_warehouse: Path) -> None:
    result = run_query(
        tiny_warehouse, "SELECT * FROM range(10)", limits=SqlLimits.from_settings(row_cap=4)
    )
    assert (len(result.rows), result.truncated) == (4, True)


def test_time_limit_interrupts(tiny_warehouse: Path) -> None:
    with pytest.raises(SqlExecutionError, match="time limit"):
        run_query(
            tiny_warehouse,
            "SELECT count(*) FROM range(100000000000)",
            limits=SqlLimits.from_settings(timeout_s=0.2),
        )


def test_unknown_column_comes_back_with_schema_and_close_names(tiny_warehouse: Path) -> None:
    with pytest.raises(SqlExecutionError) as info:
        run_query(tiny_warehouse, "SELECT tierr FROM accounts")
    assert "tier" in info.value.suggestions
    assert "account_id" in info.value.schema["accounts"]
    assert "leakage_events" not in info.value.schema


def test_unknown_table_is_rejected_with_close_names(catalog: Catalog) -> None:
    with pytest.raises(SqlRejected) as info:
        check_sql("SELECT * FROM acounts", catalog)
    assert info.value.suggestions[0] == "accounts"


def test_executed_sql_is_the_checked_tree(catalog: Catalog) -> None:
    assert check_sql("select 1 as x -- ; drop table accounts", catalog) == "SELECT 1 AS x"


def test_run_query_takes_its_bounds_as_one_limits_object() -> None:
    """One way to bound a query: a `SqlLimits` (default: the installation's), not that and
    separate row_cap/timeout_s overrides of its fields beside it."""
    assert list(inspect.signature(run_query).parameters) == ["db_path", "sql", "limits"]
