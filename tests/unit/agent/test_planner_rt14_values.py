"""The outside tester's rt14 HIGH defects V-H2..V-H5 and V-H7 in the offline planner, planned
with `plan` and run on the 300-account world, every figure checked against SQL written here,
independently of agent/offline/metrics.py:

- V-H2: overage billed, credits and gross revenue are their invoice lines, not the book's net
  revenue; "how much did we lose from downgrades?" is that leakage type's findings;
- V-H3: "revenue from customers that signed up in 2025" filters the cohort, and 2025 is not
  the period of the revenue;
- V-H4: "average revenue per Enterprise account" is the average, over the accounts billed;
- V-H5: "compare leakage this year vs last year" compares detected leakage like for like, and
  an account named only by a refused request is not the next question's account;
- V-H7: "invoices more than 60 days overdue" are the unpaid ones past due by more than 60
  days as of the data's last day, which the row states.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from agent.offline.planner import Memory, plan

SPAN = Memory(data_from="2024-11", data_to="2026-10")


def rows(world: Path, question: str, memory: Memory = SPAN) -> list[dict[str, Any]]:
    chosen = plan(question, memory)
    assert [c.name for c in chosen.calls] == ["query_duckdb"], (question, chosen)
    assert not chosen.unapplied, (question, chosen.unapplied)
    with duckdb.connect(str(world), read_only=True) as con:
        cursor = con.execute(chosen.calls[0].args["sql"])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def truth(world: Path, sql: str) -> Any:
    with duckdb.connect(str(world), read_only=True) as con:
        return con.execute(sql).fetchall()


def _year(world: Path) -> int:
    ((year,),) = truth(world, "SELECT year(max(period)) FROM invoices")
    return int(year)


def _lines(world: Path, kinds: str, year: int) -> Any:
    ((total, count),) = truth(
        world,
        "SELECT sum(amount), count(*) FROM invoice_lines JOIN invoices USING (invoice_id) "
        f"WHERE line_type IN ({kinds}) AND year(period) = {year}",
    )
    return total, count


# ------------------------------------------------------------------ V-H2: invoice lines
@pytest.mark.parametrize(
    "question",
    [
        "how much overage revenue did we bill in {year}?",
        "what was overage billed in {year}?",
        "how much revenue came from overages in {year}?",
    ],
)
def test_overage_billed_is_the_overage_lines(small_world: Path, question: str) -> None:
    year = _year(small_world)
    (row,) = rows(small_world, question.format(year=year))
    assert (row["overage_revenue"], row["n_overage_lines"]) == _lines(
        small_world, "'overage'", year
    )


@pytest.mark.parametrize(
    "question", ["how much did we credit customers in {year}?", "total credits in {year}"]
)
def test_credits_are_the_credit_lines(small_world: Path, question: str) -> None:
    year = _year(small_world)
    (row,) = rows(small_world, question.format(year=year))
    assert (row["credit_total"], row["n_credit_lines"]) == _lines(small_world, "'credit'", year)


def test_gross_revenue_is_before_discounts_and_credits(small_world: Path) -> None:
    year = _year(small_world)
    (row,) = rows(small_world, f"what's our gross revenue before discounts and credits in {year}?")
    assert row["gross_revenue"] == _lines(small_world, "'subscription', 'overage'", year)[0]
    assert row["discount_total"] == _lines(small_world, "'discount'", year)[0]
    ((net,),) = truth(
        small_world, f"SELECT sum(net_revenue) FROM monthly_revenue WHERE year(month) = {year}"
    )
    assert row["net_revenue"] == net


def test_unbilled_overage_stays_the_leakage_tools_question() -> None:
    chosen = plan("how much overage went unbilled this year?", SPAN)
    assert [c.name for c in chosen.calls] == ["detect_leakage"], chosen


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("how much revenue did we lose from downgrades this year?", "Downgrade_Not_Processed"),
        ("how much revenue did we lose from expired cards this year?", "Expired_Payment_Method"),
        ("how much did we lose on failed payments this year?", "Failed_Payment_Retry"),
    ],
)
def test_lost_from_a_leakage_type_is_its_findings(question: str, kind: str) -> None:
    chosen = plan(question, SPAN)
    assert [c.name for c in chosen.calls] == ["detect_leakage"], chosen
    assert chosen.calls[0].args == {"leakage_type": kind, "since": "2026-01"}
    assert not chosen.unapplied


# ------------------------------------------------------------------ V-H3: a signup cohort
def test_a_cohorts_revenue_is_filtered_to_it_each_year(small_world: Path) -> None:
    year = _year(small_world) - 1
    found = rows(small_world, f"how much revenue comes from customers that signed up in {year}?")
    expected = truth(
        small_world,
        "SELECT strftime(r.month, '%Y'), sum(r.net_revenue) FROM monthly_revenue r "
        f"JOIN accounts a USING (account_id) WHERE year(a.signup_date) = {year} "
        "GROUP BY 1 ORDER BY 1",
    )
    assert [(r["year"], r["net_revenue"]) for r in found] == expected
    assert all(r["filtered_to"].startswith("accounts that signed up") for r in found)


def test_a_cohort_with_its_own_revenue_period(small_world: Path) -> None:
    year = _year(small_world)
    (row,) = rows(
        small_world, f"how much revenue in {year} came from customers who signed up in {year - 1}?"
    )
    ((expected,),) = truth(
        small_world,
        "SELECT sum(r.net_revenue) FROM monthly_revenue r JOIN accounts a USING (account_id) "
        f"WHERE year(a.signup_date) = {year - 1} AND year(r.month) = {year}",
    )
    assert (row["period_start"], row["net_revenue"]) == (f"{year}-01", expected)


# ------------------------------------------------------------------ V-H4: average per account
def test_average_revenue_per_enterprise_account(small_world: Path) -> None:
    (row,) = rows(small_world, "what's the average revenue per Enterprise account in October 2026?")
    ((total, accounts),) = truth(
        small_world,
        "SELECT sum(r.net_revenue), count(DISTINCT r.account_id) FROM monthly_revenue r "
        "JOIN accounts a USING (account_id) WHERE a.tier = 'Enterprise' "
        "AND r.month = DATE '2026-10-01'",
    )
    assert row["n_accounts"] == accounts
    assert row["revenue_per_account"] == pytest.approx(float(total) / accounts, abs=0.01)


# ------------------------------------------------------------------ V-H5: leakage compared
FINDINGS = [  # (month, amount): two in each compared span, one outside both (2025-11)
    ("2025-02-01", 100.25),
    ("2025-10-01", 40.00),
    ("2025-11-01", 999.00),
    ("2026-03-01", 300.50),
    ("2026-10-01", 60.00),
]


@pytest.fixture(scope="module")
def leaky(tmp_path_factory: pytest.TempPathFactory, small_world: Path) -> Iterator[Path]:
    """The small world with findings of its own (its build runs no reconciliation)."""
    path = tmp_path_factory.mktemp("rt14") / "w.duckdb"
    shutil.copy(small_world, path)
    with duckdb.connect(str(path)) as con:
        for month, amount in FINDINGS:
            con.execute(
                "INSERT INTO detected_leakage (account_id, month, leakage_type, amount, currency, "
                "evidence, evidence_json) SELECT min(account_id), CAST(? AS DATE), "
                "'Failed_Payment_Retry', ?, 'USD', 'test', '{}' FROM accounts",
                [month, amount],
            )
    yield path


def test_leakage_this_year_vs_last_year_like_for_like(leaky: Path) -> None:
    (row,) = rows(leaky, "compare leakage this year vs last year")
    assert (float(row["leakage_in_period"]), float(row["leakage_compared"])) == (360.5, 140.25)
    ((now, then),) = truth(
        leaky,
        "SELECT sum(amount) FILTER (WHERE month BETWEEN DATE '2026-01-01' AND DATE '2026-10-01'),"
        " sum(amount) FILTER (WHERE month BETWEEN DATE '2025-01-01' AND DATE '2025-10-01') "
        "FROM detected_leakage",
    )
    assert (row["leakage_in_period"], row["leakage_compared"]) == (now, then)
    assert (row["compared_start"], row["compared_end"]) == ("2025-01", "2025-10")
    assert row["pct_leakage_change"] == pytest.approx(float(now / then) - 1, abs=1e-6)


def test_this_months_leakage_against_last_months(leaky: Path) -> None:
    (row,) = rows(leaky, "How does this month's detected leakage compare with last month?")
    assert (row["period_start"], row["compared_start"]) == ("2026-10", "2026-09")
    assert (float(row["leakage_in_period"]), float(row["leakage_compared"])) == (60.0, 0.0)


@pytest.mark.parametrize(
    "question", ["compare leakage this year vs last year", "where are we leaking?"]
)
def test_a_refused_requests_account_is_not_the_next_questions(question: str) -> None:
    after_refusal = Memory(
        data_from="2024-11",
        data_to="2026-10",
        account_id="ACC000001",
        last_tool="portfolio_summary",
    )
    chosen = plan(question, after_refusal)
    assert chosen.calls and all("ACC000001" not in str(c.args) for c in chosen.calls), chosen
    pointed = plan("what has reconciliation found on it?", after_refusal)
    assert pointed.calls[0].args.get("account_id") == "ACC000001"  # "it" still points at it


# ------------------------------------------------------------------ V-H7: overdue invoices
def test_invoices_more_than_60_days_overdue(small_world: Path) -> None:
    (row,) = rows(small_world, "how many invoices are more than 60 days overdue?")
    ((as_of,),) = truth(small_world, "SELECT last_day(max(period)) FROM invoices")
    ((count, amount),) = truth(
        small_world,
        "SELECT count(*), sum(total) FROM invoices WHERE total > 0 AND invoice_id NOT IN "
        "(SELECT invoice_id FROM payments WHERE status = 'succeeded') "
        f"AND due_date < DATE '{as_of}' - INTERVAL 60 DAY",
    )
    assert (row["n_overdue_invoices"], row["overdue_amount"]) == (count, amount)
    assert row["as_of_date"] == str(as_of)
    assert row["days_past_due_over"] == 60
