"""Data questions the offline planner writes as SQL (agent/offline/sqlgen.py), checked by running
them on the tiny warehouse through the same guard the tool uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.offline.lexicon import load_lexicon
from agent.offline.planner import Memory, plan
from agent.offline.sqlgen import write
from data.sql_guard import SqlLimits, SqlRejected, run_query

# (question, fragments the SQL must contain)
WRITTEN: list[tuple[str, list[str]]] = [
    (
        "How many invoices did we issue for March 2026?",
        ["FROM invoices", "period >= DATE '2026-03-01'", "< DATE '2026-04-01'"],
    ),
    (
        "How many accounts are still on the legacy billing system?",
        ["count(*)", "billing_system = 'legacy'"],
    ),
    ("how many customers signed up in 2025?", ["signup_date >= DATE '2025-01-01'"]),
    (
        "How many Enterprise accounts do we have in EMEA?",
        ["tier = 'Enterprise'", "region = 'EMEA'"],
    ),
    ("Which region has the most accounts?", ["GROUP BY 1", "ORDER BY n_accounts DESC"]),
    (
        "Average licensed seats on Enterprise contracts?",
        ["avg(licensed_seats)", "plan = 'Enterprise'"],
    ),
    (
        "What's the split of payment methods on file: cards vs ACH vs wire?",
        ["method_type AS method_type", "FROM payment_methods GROUP BY"],
    ),
    ("SQL please: total invoiced per month for 2026", ["sum(total)", "strftime(period, '%Y-%m')"]),
    (
        "How many charge attempts were declined for an expired card in October 2026?",
        ["decline_code = 'expired_card'", "status = 'failed'"],
    ),
    (
        "How many contracts have a downgrade request on them?",
        ["downgrade_requested_date IS NOT NULL"],
    ),
    ("How many wire payers do we have?", ["FROM payment_methods WHERE method_type = 'wire'"]),
    ("Total payments collected in October 2026", ["sum(amount)", "status = 'succeeded'"]),
    ("List 20 failed payments from October 2026", ["FROM payments", "LIMIT 20"]),
    (
        "Total net revenue for August 2026",
        ["sum(r.net_revenue)", "FROM monthly_revenue r", "r.month >= DATE '2026-08-01'"],
    ),
    ("What was our revenue in May 2026?", ["sum(r.net_revenue)", "< DATE '2026-06-01'"]),
    (
        "How much revenue did Starter accounts bring in during 2025?",
        ["sum(r.net_revenue)", "a.tier = 'Starter'", "r.month >= DATE '2025-01-01'"],
    ),
    (
        "net revenue by region for 2026",
        ["a.region AS region", "JOIN accounts a USING (account_id)", "GROUP BY 1"],
    ),
    ("How many invoices did ACC000007 receive in 2026?", ["account_id = 'ACC000007'"]),
]


@pytest.mark.parametrize(("question", "fragments"), WRITTEN)
def test_data_question_becomes_valid_sql(
    question: str, fragments: list[str], warehouse: Path
) -> None:
    chosen = plan(question)
    assert chosen.calls[0].name == "query_duckdb", question
    sql = chosen.calls[0].args["sql"]
    for fragment in fragments:
        assert fragment in sql, sql
    # parses, passes the guard, runs
    run_query(warehouse, sql, limits=SqlLimits.from_settings(row_cap=10, timeout_s=10))


@pytest.mark.parametrize(
    "question",
    [
        "How many high risk accounts do we have overall?",  # risk: the leakage model
        "How many customers are declining?",  # a trend question
        "How much have we actually lost to expired cards?",  # detected leakage
        "How many customers do we have, and what's our MRR in total?",  # the portfolio
        "Which customers' revenue fell in 2026?",  # a trend question, though dated
        "How much revenue is at risk in 2026?",  # risk: the leakage model
    ],
)
def test_analytics_questions_stay_with_their_tools(question: str) -> None:
    assert plan(question).calls[0].name != "query_duckdb", question


def test_from_inside_a_sentence_is_a_preposition_not_sql() -> None:
    chosen = plan("what was net revenue in May 2026, taken from monthly_revenue")
    sql = chosen.calls[0].args["sql"]
    # the metric query (one row per currency), not the user's words read as SQL
    assert sql.startswith("SELECT r.currency AS currency, round(sum(r.net_revenue), 2)"), sql
    assert plan("from accounts where region = 'APAC'").calls[0].args["sql"].startswith("from")


@pytest.mark.parametrize(
    "question",
    [
        "Run this SQL: SELECT * FROM read_csv_auto('/etc/passwd')",
        "select * from glob('/etc/*');",
        "SELECT * FROM customers_2019",
        "from duckdb_settings()",
    ],
)
def test_sql_reading_what_it_may_not_is_refused_by_the_guard_with_its_reason(
    question: str, warehouse: Path
) -> None:
    """rt6 #16: such SQL was answered "Please write it as SQL" (or "outside what I can help
    with"), a wrong reason. It goes to query_duckdb, whose guard names what may not be read."""
    chosen = plan(question)
    assert [call.name for call in chosen.calls] == ["query_duckdb"], chosen
    sql = chosen.calls[0].args["sql"]
    with pytest.raises(SqlRejected, match=r"not allowed|Unknown table"):
        run_query(warehouse, sql, limits=SqlLimits.from_settings(row_cap=10, timeout_s=10))


@pytest.mark.parametrize(
    "question", ["select the riskiest from each tier", "select top accounts from emea"]
)
def test_select_in_plain_words_is_not_sql(question: str) -> None:
    assert all(call.name != "query_duckdb" for call in plan(question).calls), question


def test_a_constraint_it_cannot_read_asks_for_sql_instead_of_guessing() -> None:
    assert plan("How many contracts have a 45 day notice period?").intent == "need_sql"
    # a contract term is a filter it reads (lexicon [[sql.filters]] contracts.term_months)
    assert (
        "term_months = 36"
        in plan("How many contracts are on a 36 month term?").calls[0].args["sql"]
    )
    assert plan("How many accounts have more than 50 seats?").intent == "need_sql"


def test_follow_ups_fold_onto_the_earlier_question() -> None:
    lexicon = load_lexicon()
    first = "How many accounts are on the legacy billing system?"
    assert write([first, "and how many of those are Enterprise?"], lexicon) == (
        "SELECT count(*) AS n_accounts FROM accounts "
        "WHERE billing_system = 'legacy' AND tier = 'Enterprise'"
    )
    assert "region = 'EMEA'" in (write([first, "what about in EMEA?"], lexicon) or "")
    memory = Memory(last_tool="query_duckdb", last_args={"sql": "…"}, sql_questions=(first,))
    chosen = plan("and how many of those are Enterprise?", memory)
    assert "tier = 'Enterprise'" in chosen.calls[0].args["sql"]
    assert plan("and which customers are declining?", memory).calls[0].name == (
        "find_declining_customers"
    )
