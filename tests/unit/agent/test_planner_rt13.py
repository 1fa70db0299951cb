"""The outside tester's rt13 HIGH defects in the offline planner, planned with `plan` and the
queries run on a copy of the 300-account world (with an imported revenue file keyed by names),
every figure checked against SQL written here, independently of agent/offline/metrics.py:

- U-H1: a customer named in lower case ("swift river health") or with "%" ("100% Juice Co")
  filters the question; the book's total is never shown as that customer's revenue;
- U-H2: "compare revenue in September and October 2026" is October against September;
- U-H3: "how many invoices failed payment in October?" counts invoices with a failed attempt
  (and says how many were never paid), not every invoice of an account that once failed;
- U-H4: "how much discount did we give?" totals the discount lines, not a leakage type;
- U-H5: "how much MRR did we lose to churn?" is the churned accounts' last monthly revenue;
- U-H6: "which month had the highest revenue?" ranks the months, not the period's total;
- U-H7: a follow-up on another subject is never answered with the thread's last query.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from agent.offline import model
from agent.offline.planner import Memory, plan

SPAN = Memory(data_from="2024-11", data_to="2026-10")
JUICE = [1_000.0 + 50 * k for k in range(24)]  # 2024-11 .. 2026-10


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, small_world: Path) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("rt13") / "w.duckdb"
    shutil.copy(small_world, path)
    with duckdb.connect(str(path)) as con:
        for k, amount in enumerate(JUICE):
            con.execute(
                "INSERT INTO revenue_imports SELECT 1, '100% Juice Co', "
                "CAST(DATE '2024-11-01' + to_months(?) AS DATE), 'USD', ?",
                [k, amount],
            )
    yield path


def rows(world: Path, question: str, memory: Memory = SPAN) -> list[dict[str, Any]]:
    chosen = plan(question, memory)
    assert [c.name for c in chosen.calls] == ["query_duckdb"], (question, chosen)
    with duckdb.connect(str(world), read_only=True) as con:
        cursor = con.execute(chosen.calls[0].args["sql"])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def truth(world: Path, sql: str, *params: Any) -> Any:
    with duckdb.connect(str(world), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


# ------------------------------------------------------------------ U-H1: names in any case
def _named_account(world: Path) -> tuple[str, str]:
    ((account_id, name),) = truth(
        world, "SELECT account_id, name FROM accounts WHERE name LIKE '% % %#%' ORDER BY 1 LIMIT 1"
    )
    return account_id, name.split("#")[0].strip()


@pytest.mark.parametrize(
    "template",
    [
        "how much did {} generate in 2025?",
        "how much revenue did {} bring in in 2025?",
        "what did {} bring in in 2025?",
        "revenue of {} in 2025",
        "what was the revenue from {} in 2025?",
    ],
)
def test_a_lower_case_customer_name_filters_the_question(world: Path, template: str) -> None:
    account_id, name = _named_account(world)
    ((expected,),) = truth(
        world,
        "SELECT sum(net_revenue) FROM monthly_revenue WHERE account_id = ? AND year(month) = 2025",
        account_id,
    )
    (row,) = rows(world, template.format(name.lower()))
    assert row.get("customer") == account_id, row
    assert row["net_revenue"] == expected


@pytest.mark.parametrize(
    "question",
    ["how much did 100% Juice Co bring in this year?", "how much did 100% juice co make in 2026?"],
)
def test_a_name_with_a_percent_sign_filters_the_question(world: Path, question: str) -> None:
    (row,) = rows(world, question)
    assert row.get("customer") == "100% Juice Co", row
    assert row["net_revenue"] == Decimal(str(round(sum(JUICE[14:]), 2)))


@pytest.mark.parametrize(
    "question",
    [
        "how much revenue did we generate in 2025?",
        "how much did enterprise customers bring in in 2025?",
        "show revenue for ACC000001 by month in 2026",
        "how much did the top 10 customers bring in this year?",
        "revenue of the legacy billing system in 2026",
        "how much did they bring in this year?",
    ],
)
def test_no_customer_is_read_into_plain_questions(question: str) -> None:
    chosen = plan(question, SPAN)
    assert "no revenue found" not in str([c.args for c in chosen.calls]), question


# ------------------------------------------------------------------ U-H2: later vs earlier
@pytest.mark.parametrize(
    "question",
    [
        "compare revenue in September and October 2026",
        "compare revenue in October and September 2026",
        "how did revenue in sep vs oct 2026 compare?",
    ],
)
def test_two_months_sharing_a_year_are_compared_later_against_earlier(
    world: Path, question: str
) -> None:
    found = rows(world, question)
    (sep, oct_), expected = (
        found,
        dict(
            truth(
                world,
                "SELECT strftime(month, '%Y-%m'), sum(net_revenue) FROM monthly_revenue "
                "WHERE month IN (DATE '2026-09-01', DATE '2026-10-01') GROUP BY 1",
            )
        ),
    )
    assert (sep["month"], oct_["month"]) == ("2026-09", "2026-10")
    assert oct_["net_revenue_change"] == expected["2026-10"] - expected["2026-09"]


def test_last_quarter_with_this_quarter_is_this_against_last(world: Path) -> None:
    (row,) = rows(world, "compare revenue last quarter with this quarter")
    assert row["compared_start"] == "2026-07", row  # the later quarter is the one asked


# ------------------------------------------------------------------ U-H3: failed payments
@pytest.mark.parametrize(
    "question",
    [
        "how many invoices failed payment in October 2026?",
        "how many invoices had a failed payment in October 2026?",
        "how many failed invoices were there in Oct 2026?",
    ],
)
def test_invoices_with_a_failed_payment_are_counted_per_invoice(world: Path, question: str) -> None:
    (row,) = rows(world, question)
    ((failed, attempts, never_paid, amount),) = truth(
        world,
        "WITH f AS (SELECT invoice_id, count(*) FILTER (WHERE status = 'failed') AS n, "
        "bool_or(status = 'succeeded') AS paid FROM payments GROUP BY 1) "
        "SELECT count(*), sum(f.n), count(*) FILTER (WHERE NOT f.paid), "
        "coalesce(sum(i.total) FILTER (WHERE NOT f.paid), 0) FROM invoices i JOIN f "
        "USING (invoice_id) WHERE f.n > 0 AND i.period = DATE '2026-10-01'",
    )
    assert row["n_invoices_with_failed_payment"] == failed
    assert (row["n_failed_attempts"], row["n_never_paid"]) == (attempts, never_paid)
    assert row["never_paid_amount"] == amount


# ------------------------------------------------------------------ U-H4: discounts given
@pytest.mark.parametrize(
    "question",
    [
        "how much discount did we give in 2026?",
        "what was the total discount in 2026?",
        "how much did we give away in discounts in 2026?",
    ],
)
def test_discounts_given_are_the_discount_lines(world: Path, question: str) -> None:
    chosen = plan(question, SPAN)
    assert not chosen.unapplied, chosen.unapplied
    (row,) = rows(world, question)
    ((total, lines),) = truth(
        world,
        "SELECT sum(amount), count(*) FROM invoice_lines JOIN invoices USING (invoice_id) "
        "WHERE line_type = 'discount' AND year(period) = 2026",
    )
    assert (row["discount_total"], row["n_discount_lines"]) == (total, lines)


# ------------------------------------------------------------------ U-H5: MRR lost to churn
@pytest.mark.parametrize(
    "question",
    [
        "how much MRR did we lose to churn in 2026?",
        "how much revenue did we lose to churned customers in 2026?",
        "what MRR was lost to churn in 2026?",
        "how much monthly revenue did churn cost us in 2026?",
    ],
)
def test_mrr_lost_to_churn_is_the_churned_accounts_last_revenue(world: Path, question: str) -> None:
    (row,) = rows(world, question)
    ((count, lost),) = truth(
        world,
        "WITH last AS (SELECT account_id, max(month) AS m, arg_max(net_revenue, month) AS amount "
        "FROM monthly_revenue WHERE net_revenue > 0 GROUP BY 1) "
        "SELECT count(*), sum(amount) FROM last WHERE m <= DATE '2026-07-01' "
        "AND year(m + INTERVAL 1 MONTH) = 2026",
    )
    assert (row["n_churned_accounts"], row["lost_monthly_revenue"]) == (count, lost)


# ------------------------------------------------------------------ U-H6: the peak month
@pytest.mark.parametrize(
    ("question", "lowest"),
    [
        ("which month in 2026 had the highest revenue?", False),
        ("what was our best month in 2026?", False),
        ("in which month of 2026 did we bill the most?", False),
        ("which month in 2026 had the lowest revenue?", True),
    ],
)
def test_the_peak_month_is_ranked_first(world: Path, question: str, lowest: bool) -> None:
    found = rows(world, question)
    order = "ASC" if lowest else "DESC"
    ((month, amount),) = truth(
        world,
        "SELECT strftime(month, '%Y-%m'), sum(net_revenue) FROM monthly_revenue "
        f"WHERE year(month) = 2026 GROUP BY 1 ORDER BY 2 {order} LIMIT 1",
    )
    assert (found[0]["month"], found[0]["net_revenue"]) == (month, amount)
    assert len(found) == 10


# ------------------------------------------------------------------ U-H7: no stale repeat
@pytest.mark.parametrize(
    ("first", "then"),
    [
        (
            "show revenue for ACC000001 by month in 2026",
            "how much revenue is overdue by more than 30 days?",
        ),
        ("how much revenue comes from the legacy billing system?", "who are our top 10 customers?"),
        ("show revenue for ACC000001 by month in 2026", "how much is overdue?"),
    ],
)
def test_a_new_subject_is_not_answered_with_the_last_query(first: str, then: str) -> None:
    chosen = plan(first, SPAN)
    call = chosen.calls[0]
    memory = model._remember_call(SPAN, call.name, dict(call.args), first)
    again = plan(then, memory)
    assert all(c.args != call.args for c in again.calls), (then, again)


def test_a_real_follow_up_still_folds_onto_the_last_query() -> None:
    first = "how much revenue comes from the legacy billing system?"
    call = plan(first, SPAN).calls[0]
    memory = model._remember_call(SPAN, call.name, dict(call.args), first)
    again = plan("and by region?", memory)
    assert again.calls and "region" in again.calls[0].args["sql"]


# ------------------------------------------------------------------ U-M3: a fiscal year
@pytest.mark.parametrize(
    "question", ["revenue for FY2025", "what was revenue in fiscal 2025?", "revenue in FY25"]
)
def test_a_short_fiscal_year_is_the_calendar_year(world: Path, question: str) -> None:
    (row,) = rows(world, question)
    ((expected,),) = truth(
        world, "SELECT sum(net_revenue) FROM monthly_revenue WHERE year(month) = 2025"
    )
    assert (row["period_start"], row["net_revenue"]) == ("2025-01", expected)
