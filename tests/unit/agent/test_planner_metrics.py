"""Period and dimension questions become guarded SQL that states its period and currency
(agent/offline/metrics.py), and stay with the domain tools when they are about risk, trends
or one account."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from agent.offline.lexicon import load_lexicon
from agent.offline.metrics import LATEST, read_period, write
from agent.offline.planner import plan
from data.sql_guard import run_query

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
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_metric_questions_become_sql_that_passes_the_guard_and_runs(
    question: str, warehouse: Path
) -> None:
    chosen = plan(question)
    assert [call.name for call in chosen.calls] == ["query_duckdb"], question
    sql = chosen.calls[0].args["sql"]
    result = run_query(warehouse, sql, row_cap=50, timeout_s=10)
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
