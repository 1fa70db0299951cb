"""The outside testers' MEDIUM routing defects (rt13 U-M3, U-M4, U-M5; rt12 T-M5), planned with
`plan` and run on a copy of the 300-account world (or end to end with `revrisk ask --json`),
every figure checked against SQL written here, independently of agent/offline/metrics.py:

- U-M3: plain finance questions ("revenue for FY2025", "the monthly revenue trend for 2026",
  "which customers pay late most often?", "which tier grew fastest this year?", "how much
  cash did we collect in October 2026?", "what's our biggest customer?") are answered, not
  routed to the decline list or the leakage overview;
- U-M4: "which accounts have the most failed payments?" ranks accounts by failed attempts;
- U-M5: a name's beginning ("Green Grove") finds the customers whose names start with it,
  and a name nobody has is said to be no customer, not "no revenue found";
- T-M5: "which accounts have expired cards?" lists the accounts whose card on file is expired
  now, with their Expired_Payment_Method findings beside them.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from agent.offline.planner import Memory, plan

SPAN = Memory(data_from="2024-11", data_to="2026-10")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, small_world: Path) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("rt13m") / "w.duckdb"
    shutil.copy(small_world, path)
    with duckdb.connect(str(path)) as con:  # an imported customer sharing a name's beginning
        ((name,),) = con.execute("SELECT name FROM accounts ORDER BY account_id LIMIT 1").fetchall()
        beginning = " ".join(name.split()[:2])
        for k in range(24):
            con.execute(
                "INSERT INTO revenue_imports SELECT 1, ?, "
                "CAST(DATE '2024-11-01' + to_months(?) AS DATE), 'USD', 1000",
                [f"{beginning} Trading", k],
            )
    yield path


def rows(world: Path, question: str, memory: Memory = SPAN) -> list[dict[str, Any]]:
    chosen = plan(question, memory)
    assert [c.name for c in chosen.calls] == ["query_duckdb"], (question, chosen)
    with duckdb.connect(str(world), read_only=True) as con:
        cursor = con.execute(chosen.calls[0].args["sql"])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def truth(world: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(world), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def ask(app: typer.Typer, world: Path, question: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["ask", "--json", question, "--db", str(world)])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


# ------------------------------------------------------------------ U-M3
def test_revenue_for_a_fiscal_year_is_that_year(world: Path) -> None:
    ((expected,),) = truth(
        world, "SELECT sum(net_revenue) FROM monthly_revenue WHERE year(month) = 2025"
    )
    (row,) = rows(world, "revenue for FY2025")
    assert row["net_revenue"] == expected


@pytest.mark.parametrize(
    "question",
    ["show me the monthly revenue trend for 2026", "show me monthly revenue for 2026"],
)
def test_the_monthly_revenue_trend_is_a_row_per_month(world: Path, question: str) -> None:
    expected = truth(
        world,
        "SELECT strftime(month, '%Y-%m'), sum(net_revenue) FROM monthly_revenue "
        "WHERE year(month) = 2026 GROUP BY 1 ORDER BY 1",
    )
    assert len(expected) == 10
    assert [(r["month"], r["net_revenue"]) for r in rows(world, question)] == expected


def test_an_accounts_revenue_trend_stays_with_its_trend() -> None:
    memory = Memory(last_tool="decompose_trend", account_id="ACC000042", data_to="2026-10")
    (call,) = plan("show its revenue trend", memory).calls
    assert call.name == "decompose_trend"
    (call,) = plan("show the revenue trend of ACC000042", SPAN).calls
    assert call.name == "decompose_trend"


def test_a_listed_customers_monthly_revenue_stays_with_its_trend() -> None:
    memory = Memory(
        last_tool="find_declining_customers",
        result_ids=("ACC000469", "ACC000245"),
        data_to="2026-10",
    )
    (call,) = plan("chart the monthly revenue for the first customer on that list", memory).calls
    assert (call.name, call.args.get("account_id")) == ("decompose_trend", "ACC000469")


def test_a_question_about_trends_in_general_calls_no_query() -> None:
    chosen = plan("Can you look at revenue trends too, or just leakage?", SPAN)
    assert not chosen.calls and chosen.intent == "capabilities"


def test_late_payers_are_ranked_by_late_invoices(world: Path) -> None:
    expected = truth(
        world,
        "WITH s AS (SELECT i.invoice_id, i.account_id, i.due_date, "
        "min(p.attempted_date) FILTER (WHERE p.status = 'succeeded') AS paid "
        "FROM invoices i LEFT JOIN payments p USING (invoice_id) WHERE i.total > 0 "
        "GROUP BY ALL) SELECT account_id, count(*) FILTER (WHERE paid > due_date "
        "OR (paid IS NULL AND due_date <= DATE '2026-10-31')) AS n FROM s GROUP BY 1 "
        "HAVING n > 0 ORDER BY n DESC",
    )
    got = rows(world, "which customers pay late most often?")
    assert len(got) == min(10, len(expected)) and got
    counts = [r["n_late_invoices"] for r in got]
    assert counts == [n for _, n in expected[: len(got)]]
    assert {r["account_id"] for r in got if r["n_late_invoices"] > counts[-1]} <= {
        a for a, _ in expected[: len(got)]
    }


def test_the_tier_that_grew_fastest_is_ranked_by_growth(world: Path) -> None:
    expected = truth(
        world,
        "SELECT a.tier, sum(r.net_revenue) FILTER (WHERE r.month >= DATE '2026-01-01') AS x, "
        "sum(r.net_revenue) FILTER (WHERE r.month < DATE '2025-11-01') AS y "
        "FROM monthly_revenue r JOIN accounts a USING (account_id) "
        "WHERE r.month >= DATE '2026-01-01' OR (r.month >= DATE '2025-01-01' "
        "AND r.month < DATE '2025-11-01') GROUP BY 1 ORDER BY x / y DESC",
    )
    got = rows(world, "which tier grew fastest this year?")
    assert [(r["tier"], r["revenue_in_period"], r["revenue_compared"]) for r in got] == expected


def test_cash_collected_in_a_month_is_its_successful_payments(
    app: typer.Typer, world: Path
) -> None:
    ((total, count),) = truth(
        world,
        "SELECT sum(amount), count(*) FROM payments WHERE status = 'succeeded' "
        "AND attempted_date >= DATE '2026-10-01' AND attempted_date < DATE '2026-11-01'",
    )
    out = ask(app, world, "how much cash did we collect in October 2026?")
    assert [c["name"] for c in out["tool_calls"]] == ["query_duckdb"]
    (row,) = out["tool_results"][0]["content"]["rows"]
    assert Decimal(str(row["cash_collected"])) == total
    assert row["n_successful_payments"] == count
    assert f"{count:,}" in out["answer"]


@pytest.mark.parametrize("question", ["what's our biggest customer?", "who is our top customer?"])
def test_the_biggest_customer_is_the_largest_by_revenue_this_year(
    world: Path, question: str
) -> None:
    ((account, amount),) = truth(
        world,
        "SELECT account_id, sum(net_revenue) FROM monthly_revenue WHERE year(month) = 2026 "
        "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
    )
    (row,) = rows(world, question)
    assert (row["account_id"], row["net_revenue"]) == (account, amount)


# ------------------------------------------------------------------ U-M4
def test_accounts_with_the_most_failed_payments_are_ranked_by_attempts(world: Path) -> None:
    expected = truth(
        world,
        "SELECT account_id, count(*) FROM payments WHERE status = 'failed' "
        "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
    )
    got = rows(world, "which accounts have the most failed payments?")
    assert [(r["account_id"], r["n_failed_payments"]) for r in got] == expected


# ------------------------------------------------------------------ U-M5
def test_a_names_beginning_finds_each_customer_it_starts(world: Path) -> None:
    ((name,),) = truth(world, "SELECT name FROM accounts ORDER BY account_id LIMIT 1")
    prefix = " ".join(name.split()[:2])  # "North River": an account and an imported customer
    expected = truth(
        world,
        "SELECT r.account_id, sum(r.net_revenue) FROM monthly_revenue r LEFT JOIN accounts a "
        "USING (account_id) WHERE (a.name LIKE ? OR r.account_id LIKE ?) "
        "AND year(r.month) = 2025 GROUP BY 1 ORDER BY 1",
        f"{prefix} %",
        f"{prefix} %",
    )
    assert len(expected) == 2
    got = rows(world, f"how much did {prefix} bring in last year?")
    assert sorted((r["customer"], r["net_revenue"]) for r in got) == expected


def test_an_exact_name_does_not_widen_to_its_beginning(world: Path) -> None:
    ((account, name),) = truth(
        world, "SELECT account_id, name FROM accounts WHERE name LIKE '% % %#%' ORDER BY 1 LIMIT 1"
    )
    got = rows(world, f"how much did {name.split('#')[0].strip()} bring in last year?")
    assert [r["customer"] for r in got] == [account]


def test_an_unknown_name_is_said_to_be_no_customer(app: typer.Typer, world: Path) -> None:
    out = ask(app, world, "how much did Wayne Enterprises generate last year?")
    (row,) = out["tool_results"][0]["content"]["rows"]
    assert row["unknown_accounts"] == "Wayne Enterprises"
    assert "No customer named Wayne Enterprises" in out["answer"]
    ((name,),) = truth(world, "SELECT name FROM accounts ORDER BY account_id LIMIT 1")
    known = ask(app, world, f"how much did {name.split('#')[0].strip()} generate last year?")
    assert "No customer named" not in known["answer"]


# ------------------------------------------------------------------ T-M5
def test_accounts_with_expired_cards_are_those_expired_now(world: Path) -> None:
    expected = truth(world, "SELECT account_id FROM account_features WHERE card_expired ORDER BY 1")
    findings = dict(
        truth(
            world,
            "SELECT account_id, count(*) FROM detected_leakage "
            "WHERE leakage_type = 'Expired_Payment_Method' GROUP BY 1",
        )
    )
    assert expected
    got = rows(world, "which accounts have expired cards?")
    assert sorted(r["account_id"] for r in got) == [a for (a,) in expected]
    assert all(r["n_expired_card_findings"] == findings.get(r["account_id"], 0) for r in got)


@pytest.mark.parametrize(
    ("question", "tool"),
    [
        ("what have expired cards cost us so far this year?", "detect_leakage"),
        (
            "List the accounts where a card expired and the payment never went through",
            "detect_leakage",
        ),
        ("how much did we lose to failed payments this year?", "detect_leakage"),
    ],
)
def test_the_findings_questions_stay_with_the_leakage_tool(question: str, tool: str) -> None:
    assert [c.name for c in plan(question, SPAN).calls] == [tool]
