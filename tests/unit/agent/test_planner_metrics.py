"""Period and dimension questions become guarded SQL that states its period and currency
(agent/offline/metrics.py), and stay with the domain tools when they are about risk, trends
or one account."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from agent.offline.lexicon import load_lexicon
from agent.offline.metrics import _PERIOD_MEASURES, LATEST, MetricSpec, read_period, to_sql, write
from agent.offline.planner import plan
from data.sql_guard import SqlLimits, run_query

QUESTIONS = [
    "Revenue by plan tier last quarter",
    "MRR by tier last 3 months",
    "How many accounts churned in 2026?",
    "Show revenue by region",
    "how many customers churned since March?",
    "how many new customers signed up this year?",
    "What's our seat utilisation by tier?",
    "NRR by region",
    "What's our DSO this quarter?",
    "How much leakage did we detect on the legacy system since March?",
    "detected leakage by region last quarter",
    "revenue by month",
    "Q3 revenue by region",
    "GRR by tier",
    "what's our ARR?",
    "expansion vs contraction MRR last quarter",
    "Q1 vs Q2 signups",
    "detected leakage, legacy versus core billing",
    "how many customers joined in April this year?",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_metric_questions_become_sql_that_passes_the_guard_and_runs(
    question: str, warehouse: Path
) -> None:
    chosen = plan(question)
    assert [call.name for call in chosen.calls] == ["query_duckdb"], question
    sql = chosen.calls[0].args["sql"]
    result = run_query(warehouse, sql, limits=SqlLimits.from_settings(row_cap=50, timeout_s=10))
    assert "period_start" in result.columns and "period_end" in result.columns, sql


@pytest.mark.parametrize("group", [None, "month", "tier", "currency"])
@pytest.mark.parametrize("metric", sorted(_PERIOD_MEASURES))
def test_each_measure_of_fixed_parts_is_a_metric_whose_sql_runs(
    metric: str, group: str | None, warehouse: Path
) -> None:
    """The measures written as one table of `_period_select` parts (receivables, invoice
    size, signups, seat utilisation, DSO, discounts) are written by `to_sql` and run."""
    sql = to_sql(MetricSpec(metric=metric, group=group))
    assert sql is not None
    result = run_query(warehouse, sql, limits=SqlLimits.from_settings(row_cap=50, timeout_s=10))
    assert "period_start" in result.columns and "period_end" in result.columns, sql


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("revenue last quarter", "2026-07-01", "2026-10-01"),
        ("revenue last 3 months", "2026-08-01", "2026-11-01"),
        ("revenue this year", "2026-01-01", "2026-11-01"),
        ("revenue since March", "2026-03-01", "2026-11-01"),
        ("revenue since November", "2025-11-01", "2026-11-01"),
        ("revenue in Q4", "2025-10-01", "2026-01-01"),
        ("revenue last year", "2025-01-01", "2026-01-01"),
        ("revenue in March 2026", "2026-03-01", "2026-04-01"),
        ("signups in april this year", "2026-04-01", "2026-05-01"),
        ("revenue in november", "2025-11-01", "2025-12-01"),
        ("revenue for may last year", "2025-05-01", "2025-06-01"),
        ("new accounts during september last year", "2025-09-01", "2025-10-01"),
        ("revenue as at Oct-26", "2026-10-01", "2026-11-01"),
        ("revenue in H1", "2026-01-01", "2026-07-01"),
        ("Q3 vs Q2 signups", "2026-04-01", "2026-10-01"),
    ],
)
def test_periods_are_anchored_on_the_datas_latest_month(text: str, start: str, end: str) -> None:
    """With data up to 2026-10, "last quarter" is Q3 2026 and "since November" the last one."""
    period = read_period(text)
    assert period is not None
    con = duckdb.connect()
    con.execute("CREATE TABLE invoices (period DATE); INSERT INTO invoices VALUES ('2026-10-01')")
    con.execute("CREATE TABLE revenue_imports (month DATE)")
    got = con.execute(f"SELECT CAST({period.start} AS DATE), CAST({period.end} AS DATE)").fetchone()
    assert got is not None
    assert (str(got[0]), str(got[1])) == (start, end)
    assert LATEST in period.start or "DATE '" in period.start


@pytest.mark.parametrize(
    "question",
    [
        "Which accounts are most at risk next month?",
        "Which customers are declining?",
        "Who might churn soon?",
        "Show the revenue trend of ACC000042",
        "What leakage did we detect last month?",
        "Write a poem about our churn rate",
    ],
)
def test_risk_trend_and_account_questions_are_not_metric_sql(question: str) -> None:
    assert write([question], load_lexicon()) is None


def test_a_follow_up_regroups_the_metric() -> None:
    sql = write(["How many accounts churned in 2026?", "and by region?"], load_lexicon())
    assert sql is not None and "a.region AS region" in sql and "n_churned_accounts" in sql


def test_two_quarters_compared_get_a_row_each() -> None:
    sql = write(["Q3 signups vs Q2 signups"], load_lexicon())
    assert sql is not None and "AS quarter" in sql and "GROUP BY 1" in sql


def test_two_values_of_one_column_are_grouped_not_both_filtered() -> None:
    sql = write(["detected leakage, legacy versus core billing"], load_lexicon())
    assert sql is not None and "a.billing_system AS billing_system" in sql
    assert "billing_system = 'legacy'" not in sql and "billing_system = 'core'" not in sql


def test_mrr_movements_split_each_accounts_change() -> None:
    """A grows 100 -> 150, B shrinks 100 -> 60, C stops (100 -> none), D starts (none -> 30),
    from June (the month before last quarter) to September 2026."""
    con = duckdb.connect()
    con.execute("CREATE TABLE invoices (period DATE); INSERT INTO invoices VALUES ('2026-10-01')")
    con.execute("CREATE TABLE revenue_imports (month DATE)")
    con.execute(
        "CREATE TABLE accounts (account_id TEXT, tier TEXT, region TEXT, billing_system TEXT, "
        "currency TEXT); INSERT INTO accounts SELECT id, 'Starter', 'EMEA', 'core', 'USD' "
        "FROM (VALUES ('A'), ('B'), ('C'), ('D')) t(id)"
    )
    con.execute(
        "CREATE TABLE monthly_revenue (account_id TEXT, month DATE, currency TEXT, "
        "net_revenue DOUBLE); INSERT INTO monthly_revenue VALUES "
        "('A', '2026-06-01', 'USD', 100), ('A', '2026-09-01', 'USD', 150), "
        "('B', '2026-06-01', 'USD', 100), ('B', '2026-09-01', 'USD', 60), "
        "('C', '2026-06-01', 'USD', 100), ('D', '2026-09-01', 'USD', 30)"
    )
    sql = write(["expansion vs contraction MRR last quarter"], load_lexicon())
    assert sql is not None
    row = con.execute(sql).fetchone()
    assert row is not None
    assert [float(v) for v in row[:7]] == [300, 30, 50, -40, -100, -60, 240]
    # accounts with new revenue (D), expanded (A), contracted (B), stopped paying (C)
    assert row[7:] == (1, 1, 1, 1, "USD", "2026-06", "2026-09")
