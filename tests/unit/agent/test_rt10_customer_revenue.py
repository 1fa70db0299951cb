"""rt10's revenue questions about customers, answered end to end (`revrisk ask --json` on a copy
of the 300-account demo world with an imported revenue file keyed by names), every figure
checked against a query written here, independently of agent/offline/metrics.py:

- N-H1: a customer named by a name without a digit ("Globex Ltd", "DROP-F") filters the
  question, and one the warehouse lacks is said to have no revenue, never answered with the
  whole book's total; its trend question goes to its own trend, not the decline list;
- N-M1: "how much did X bill" is the customer's revenue, never its risk factors;
- N-H3: "how much revenue did they bring in?" after a list is the listed accounts' revenue;
- N-H4: a filter of an earlier question is not carried into a new question that only points
  at accounts it names itself, and a filter applied is named in the answer;
- N-H5, N-M4: "lost the most" / "grew the most" / "down more than 30 % on a year ago" rank or
  filter by each customer's change between two periods, not by its revenue level;
- N-M6: the chart under a revenue answer plots the revenue, not "months with data".
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

from agent.offline.lexicon import load_lexicon
from agent.offline.metrics import customer_names, read_movement
from agent.offline.planner import Memory, plan
from tools.views import sql_chart

NAMED = {  # customer -> monthly amounts 2024-11 .. 2026-10 (24 months), USD
    "Globex Ltd": [8_000.0] * 18 + [8_000.0 * 0.85**k for k in range(1, 7)],
    "DROP-F": [5_000.0] * 12 + [2_000.0] * 12,
    "Acme Corp": [10_000.0] * 24,
    "GROW-D": [1_000.0 * 1.03**k for k in range(24)],
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, small_world: Path) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("rt10") / "w.duckdb"
    shutil.copy(small_world, path)
    with duckdb.connect(str(path)) as con:
        for customer, amounts in NAMED.items():
            for k, amount in enumerate(amounts):
                con.execute(
                    "INSERT INTO revenue_imports SELECT 1, ?, "
                    "CAST(DATE '2024-11-01' + to_months(?) AS DATE), 'USD', ?",
                    [customer, k, round(amount, 2)],
                )
    yield path


def ask(app: typer.Typer, world: Path, question: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["ask", "--json", question, "--db", str(world)])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def rows(out: dict[str, Any]) -> list[dict[str, Any]]:
    assert [c["name"] for c in out["tool_calls"]] == ["query_duckdb"], out["tool_calls"]
    return list(out["tool_results"][0]["content"]["rows"])


def truth(world: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(world), read_only=True) as con:
        return con.execute(sql).fetchall()


def money(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def revenue_of(world: Path, customer: str, since: str, until: str) -> Decimal:
    (total,) = truth(
        world,
        f"SELECT sum(net_revenue) FROM monthly_revenue WHERE account_id = '{customer}' "
        f"AND month >= DATE '{since}' AND month < DATE '{until}'",
    )[0]
    return money(total)


# ------------------------------------------------------------------ N-H1: names without digits
@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("what was revenue of Globex Ltd in 2026?", ("Globex Ltd",)),
        ("how much did Acme Corp and Globex Ltd bill in Q3?", ("Acme Corp", "Globex Ltd")),
        ("is DROP-F declining?", ("DROP-F",)),
        ("what was revenue of globex ltd in 2026?", ("globex ltd",)),
        ("how much did the acme widgets inc bill", ("acme widgets inc",)),
        ("revenue for customer Initech last quarter", ("Initech",)),
        ("revenue of Enterprise customers in EMEA in 2026", ()),
        ("Compare revenue in September 2026 with August 2026", ()),
        ("how much did I bill in Q3?", ()),
        ("revenue of CUST-001 in 2026", ()),  # an id with digits: metrics.customer_ids
    ],
)
def test_names_without_digits_are_read(text: str, names: tuple[str, ...]) -> None:
    assert customer_names(text, load_lexicon()) == names


@pytest.mark.parametrize(
    ("typed", "name"), [("Globex Ltd",) * 2, ("DROP-F",) * 2, ("globex ltd", "Globex Ltd")]
)
def test_a_named_customer_gets_its_own_revenue(
    app: typer.Typer, world: Path, typed: str, name: str
) -> None:
    got = rows(ask(app, world, f"what was revenue of {typed} in 2026?"))
    assert [(r["customer"], money(r["net_revenue"])) for r in got] == [
        (name, revenue_of(world, name, "2026-01-01", "2027-01-01"))
    ]


def test_a_name_the_data_lack_is_said_not_the_book_total(app: typer.Typer, world: Path) -> None:
    got = rows(ask(app, world, "what was revenue of Initech Ltd in 2026?"))
    assert [(r["customer"], r["net_revenue"]) for r in got] == [
        ("Initech Ltd (no revenue found)", None)
    ]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("is Acme Corp declining?", "Acme Corp"),
        ("show the revenue trend of customer DROP-F", "DROP-F"),
        ("show the revenue trend of Globex Ltd", "Globex Ltd"),
    ],
)
def test_a_trend_question_about_a_named_customer_is_its_trend(text: str, name: str) -> None:
    calls = plan(text).calls
    assert [(c.name, c.args) for c in calls] == [("decompose_trend", {"account_id": name})]


def test_tell_me_about_rome_names_no_customer() -> None:
    assert plan("Tell me about the history of Rome").intent == "off_topic"


# ------------------------------------------------------------------ N-M1: "bill" is revenue
def test_what_a_customer_billed_is_its_revenue(app: typer.Typer, world: Path) -> None:
    got = rows(ask(app, world, "how much did Acme Corp bill this year?"))
    assert [(r["customer"], money(r["net_revenue"])) for r in got] == [
        ("Acme Corp", revenue_of(world, "Acme Corp", "2026-01-01", "2026-11-01"))
    ]


@pytest.mark.parametrize(
    "text",
    [
        "how much did ACC000042 bill in 2026?",
        "how much did ACC000042 and ACC000043 bill in Q3?",
        "how much did CUST-001, CUST-002 and CUST-005 bill this year?",
    ],
)
def test_billing_questions_go_to_revenue_not_risk(text: str) -> None:
    calls = plan(text, Memory(data_to="2026-10")).calls
    assert [c.name for c in calls] == ["query_duckdb"], calls
    assert "net_revenue" in calls[0].args["sql"]


# ------------------------------------------------------------------ N-H3: "they" after a list
def test_they_after_a_list_means_the_listed_accounts(world: Path) -> None:
    listed = ("ACC000010", "ACC000020", "Globex Ltd")
    memory = Memory(
        last_tool="find_declining_customers",
        last_args={"tier": "Enterprise"},
        result_ids=listed,
        result_rows=tuple({"account_id": a} for a in listed),
        data_to="2026-10",
    )
    calls = plan("how much revenue did they bring in last quarter?", memory).calls
    assert [c.name for c in calls] == ["query_duckdb"]
    got = {r[0]: r[2] for r in truth(world, calls[0].args["sql"])}
    each = {a: revenue_of(world, a, "2026-07-01", "2026-10-01") for a in listed}
    assert {a: money(got[a]) for a in listed} == each
    assert money(got["Total of the 3 listed"]) == sum(each.values())


# ------------------------------------------------------------------ N-H4: filters carried
def test_a_new_question_keeps_no_earlier_tier() -> None:
    first = "what share of revenue comes from Enterprise customers this year?"
    memory = Memory(
        last_tool="query_duckdb",
        last_args={"sql": "SELECT 1"},
        sql_questions=(first,),
        data_to="2026-10",
    )
    text = "how many customers churned last quarter and how much monthly revenue did we lose with them?"
    (call,) = plan(text, memory).calls
    assert "Enterprise" not in call.args["sql"]
    (call,) = plan("and how many of those are Enterprise?", memory).calls  # still narrows
    assert "Enterprise" in call.args["sql"]


def test_churn_and_what_it_lost_are_both_answered(app: typer.Typer, world: Path) -> None:
    text = "how many customers churned last quarter and how much monthly revenue did we lose with them?"
    ((count, lost),) = truth(
        world,
        "WITH last AS (SELECT account_id, max(month) AS m FROM monthly_revenue "
        "WHERE net_revenue > 0 GROUP BY 1) SELECT count(*), sum(r.net_revenue) FROM last "
        "JOIN monthly_revenue r ON r.account_id = last.account_id AND r.month = last.m "
        "WHERE last.m >= DATE '2026-06-01' AND last.m < DATE '2026-07-01' + INTERVAL 2 MONTH "
        "AND last.m <= DATE '2026-07-01'",
    )
    assert count > 0
    got = rows(ask(app, world, text))
    assert [(r["n_churned_accounts"], money(r["lost_monthly_revenue"])) for r in got] == [
        (count, money(lost))
    ]


def test_a_filter_applied_is_named(app: typer.Typer, world: Path) -> None:
    out = ask(app, world, "How much revenue did Enterprise customers bring in last month?")
    assert "Only tier Enterprise" in out["answer"]


# ------------------------------------------------------------------ N-H5, N-M4: change rankings
CHANGE = (
    "WITH t AS (SELECT account_id, "
    "coalesce(sum(net_revenue) FILTER (WHERE month >= DATE '{now}' AND month < DATE '{end}'), 0) "
    "- coalesce(sum(net_revenue) FILTER (WHERE month >= DATE '{then}' "
    "AND month < DATE '{then_end}'), 0) AS change, "
    "sum(net_revenue) FILTER (WHERE month >= DATE '{then}' AND month < DATE '{then_end}') AS base "
    "FROM monthly_revenue GROUP BY 1) SELECT account_id, change, base FROM t"
)


@pytest.mark.parametrize(
    ("text", "months", "falls"),
    [
        (
            "which customers lost the most revenue over the last 6 months?",
            ("2026-05-01", "2026-11-01", "2025-11-01", "2026-05-01"),
            True,
        ),
        (
            "which customers lost the most revenue compared with a year ago?",
            ("2026-10-01", "2026-11-01", "2025-10-01", "2025-11-01"),
            True,
        ),
        (
            "which customers grew the most this year?",
            ("2026-01-01", "2026-11-01", "2025-01-01", "2025-11-01"),
            False,
        ),
    ],
)
def test_change_rankings_rank_by_the_change(
    app: typer.Typer, world: Path, text: str, months: tuple[str, ...], falls: bool
) -> None:
    now, end, then, then_end = months
    expected = truth(world, CHANGE.format(now=now, end=end, then=then, then_end=then_end))
    moved = [(a, money(c)) for a, c, _ in expected if (c < 0 if falls else c > 0)]
    moved.sort(key=lambda pair: (pair[1] if falls else -pair[1], pair[0]))
    got = rows(ask(app, world, text))
    assert [(r["customer"], money(r["revenue_change"])) for r in got] == moved[:10]


def test_down_more_than_a_share_on_a_year_ago(app: typer.Typer, world: Path) -> None:
    text = "which customers have revenue down more than 30 % on a year ago?"
    expected = truth(
        world,
        CHANGE.format(now="2026-10-01", end="2026-11-01", then="2025-10-01", then_end="2025-11-01"),
    )
    down = {a for a, c, base in expected if base and base > 0 and c / base <= Decimal("-0.3")}
    assert "DROP-F" in down and "Globex Ltd" in down and "Acme Corp" not in down
    got = rows(ask(app, world, text))
    assert {r["customer"] for r in got} == down


@pytest.mark.parametrize(
    "text",
    [
        "which customers are declining?",
        "whcih customers r declining the most",
        "which customers have the biggest revenue drop?",
    ],
)
def test_decline_questions_stay_with_the_decline_forecast(text: str) -> None:
    assert read_movement(text) is None
    assert [c.name for c in plan(text).calls] == ["find_declining_customers"]


# ------------------------------------------------------------------ N-M6: the chart's measure
def test_the_chart_plots_the_revenue_not_the_months_with_data() -> None:
    chart = sql_chart(
        [
            {
                "customer": "ACC000042",
                "currency": "USD",
                "net_revenue": 45504.0,
                "n_months_with_data": 10,
                "n_months_in_period": 12,
            },
            {
                "customer": "CUST-001 (no revenue found)",
                "currency": None,
                "net_revenue": None,
                "n_months_with_data": 10,
                "n_months_in_period": 12,
            },
        ]
    )
    assert chart is not None
    assert chart["data"][0]["name"] == "net revenue"
    assert chart["data"][0]["y"] == [45504.0, None]
