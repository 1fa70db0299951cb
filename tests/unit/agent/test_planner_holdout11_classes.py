"""The offline planner's failure classes from the blind held-out set holdout11, each tested
with wordings written for this test (never the held-out sentences):

- chat shorthand "r" is "are" ("how r we doing lately?");
- a region's everyday names: "Canada", "the USA", "US & Canada" are North America, for the
  tools and for the metric queries alike (which read the SQL filters' one vocabulary);
- a month opened by "from" or "about" is a month ("findings from July", "what about June?");
  "from May to July" is no single month;
- a follow-up that states a period replaces the period it carries ("same for Q1", "and in
  July?" after a September question); a one-month period reaches the overview too;
- one month's "overall position" / "snapshot" is the portfolio overview, not an MRR query;
- customers that "are contracting" are declining (the decline tool), "contraction MRR" is the
  movements query; "how many contracted / paid less" counts the accounts of that movement;
- one account's revenue over a period relative to the data ("in Q2", "the past six months")
  is a query, and "billed" is revenue; its trend stays decompose_trend;
- "same by tier" and other "same …" forms follow a data question;
- "stopped paying" is churn, listed with its region ("the LATAM clients who stopped paying");
  a relative "who" does not make it a decline question;
- revenue rows count their accounts when asked ("with the number of paying customers");
- a raw-data query applies a period relative to the data ("invoices last quarter" was
  counted over all time), and dunning retries are payment attempts after the first;
- typos of words the lexicon knows only as stems ("erors" for "error*").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent.offline.lexicon import load_lexicon
from agent.offline.metrics import anchored_months
from agent.offline.planner import plan
from agent.offline.plans import Memory
from agent.offline.spelling import correct
from data.sql_guard import SqlLimits, run_query
from data.warehouse import connect

_END = Memory(data_to="2026-10")
"""A thread whose data end in October 2026 (the system prompt states it)."""


def _calls(text: str, memory: Memory = _END) -> list[tuple[str, dict[str, Any]]]:
    return [(call.name, call.args) for call in plan(text, memory).calls]


def _sql(text: str, memory: Memory = _END) -> str:
    ((name, args),) = _calls(text, memory)
    assert name == "query_duckdb", (text, name, args)
    return str(args["sql"])


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """Five accounts billed in 2026, with payments and retries: ACC000001 (NA) 100 -> 100 -> 80
    in August-October (contracted in October), ACC000002 (EMEA) 50 -> 60 -> 70 (expanded),
    ACC000003 (LATAM) billed May-July only (stopped paying), ACC000004 (NA, signed up
    2026-09) 30 -> 20 (contracted), ACC000005 (LATAM) billed in October only."""
    path = tmp_path / "book.duckdb"
    revenue = {
        "ACC000001": {"2026-08": 100, "2026-09": 100, "2026-10": 80},
        "ACC000002": {"2026-08": 50, "2026-09": 60, "2026-10": 70},
        "ACC000003": {"2026-05": 40, "2026-06": 40, "2026-07": 40},
        "ACC000004": {"2026-09": 30, "2026-10": 20},
        "ACC000005": {"2026-10": 5},
    }
    with connect(path) as con:
        con.execute(
            "INSERT INTO accounts VALUES "
            "('ACC000001', 'One', 'Business', 'North America', 'USD', '2021-01-05', 'core'),"
            "('ACC000002', 'Two', 'Starter', 'EMEA', 'USD', '2022-02-01', 'core'),"
            "('ACC000003', 'Three', 'Starter', 'LATAM', 'USD', '2022-03-01', 'legacy'),"
            "('ACC000004', 'Four', 'Enterprise', 'North America', 'USD', '2026-09-02', 'core'),"
            "('ACC000005', 'Five', 'Starter', 'LATAM', 'USD', '2020-01-01', 'core')"
        )
        invoice = 0
        for account, months in revenue.items():
            for month, amount in months.items():
                invoice += 1
                first = f"{month}-01"
                con.execute(
                    "INSERT INTO invoices VALUES (?, ?, NULL, ?, ?, ?, 'USD', ?)",
                    [invoice, account, first, first, first, amount],
                )
                con.execute(
                    "INSERT INTO invoice_lines VALUES (?, ?, 'subscription', 1, ?, ?)",
                    [invoice, invoice, amount, amount],
                )
        # (id, invoice, account, attempt, date, status, decline code)
        payments = [
            (1, 1, "ACC000001", 1, "2026-08-03", "failed", "insufficient_funds"),
            (2, 1, "ACC000001", 2, "2026-08-10", "failed", "insufficient_funds"),
            (3, 1, "ACC000001", 3, "2026-08-17", "succeeded", None),
            (4, 2, "ACC000001", 1, "2026-09-03", "failed", "do_not_honor"),
            (5, 2, "ACC000001", 2, "2026-09-10", "failed", "do_not_honor"),
            (6, 4, "ACC000002", 2, "2026-08-12", "succeeded", None),
        ]
        for row in payments:
            con.execute(
                "INSERT INTO payments VALUES (?, ?, ?, NULL, ?, ?, 10, ?, ?)",
                [row[0], row[1], row[2], row[3], row[4], row[5], row[6]],
            )
    return path


def _run(book: Path, sql: str) -> list[dict[str, Any]]:
    result = run_query(book, sql, limits=SqlLimits.from_settings(row_cap=50, timeout_s=10))
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


# --- chat shorthand, region names, typos of stem words ---------------------------------------


def test_r_is_are() -> None:
    assert _calls("how r we doing lately?") == [("portfolio_summary", {})]


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("which accounts in Canada are declining?", "find_declining_customers"),
        ("leakage for the USA accounts", "detect_leakage"),
        ("who is shrinking in US & Canada", "find_declining_customers"),
    ],
)
def test_everyday_names_of_north_america_limit_the_tools(text: str, tool: str) -> None:
    assert _calls(text) == [(tool, {"region": "North America"})]


def test_the_metric_queries_read_the_same_region_words(book: Path) -> None:
    sql = _sql("how many North American customers joined us this year?")
    assert "a.region = 'North America'" in sql
    assert _run(book, sql)[0]["n_new_accounts"] == 1  # ACC000004 only


def test_typos_of_stem_words_are_read() -> None:
    lexicon = load_lexicon()
    assert correct("billing erors", lexicon) == "billing errors"
    assert correct("billing errors", lexicon) == "billing errors"  # a stem's word is known
    assert _calls("pricing erors this year?") == [
        ("detect_leakage", {"leakage_type": "Contract_Terms_Error", "since": "2026-01"})
    ]


# --- periods: "from", "about", a follow-up's new period, months in words ----------------------


def test_a_month_opened_by_from_is_that_month() -> None:
    assert _calls("largest leakage findings from July") == [
        ("detect_leakage", {"month": "2026-07"})
    ]
    ((_, args),) = _calls("largest leakage findings from May to July")
    assert args.get("month") != "2026-05"  # a range, never its first month alone


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("and for Q1?", {"since": "2026-01", "until": "2026-03"}),
        ("what about July?", {"month": "2026-07"}),
        ("same but year to date", {"since": "2026-01"}),
    ],
)
def test_a_follow_up_period_replaces_the_carried_one(text: str, period: dict[str, str]) -> None:
    last = Memory(
        last_tool="detect_leakage",
        last_args={"leakage_type": "Expired_Payment_Method", "month": "2026-09"},
        data_to="2026-10",
    )
    assert _calls(text, last) == [
        ("detect_leakage", {"leakage_type": "Expired_Payment_Method", **period})
    ]


def test_a_follow_up_month_reaches_the_overview() -> None:
    last = Memory(last_tool="portfolio_summary", last_args={"month": "2026-09"}, data_to="2026-10")
    assert _calls("what about June?", last) == [("portfolio_summary", {"month": "2026-06"})]


def test_months_counted_in_words() -> None:
    assert anchored_months("lost over the past six months", "2026-10") == {"since": "2026-05"}


# --- the overview, decline words, movements --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("what was our overall position in June?", "2026-06"),
        ("give me a snapshot of May: MRR, accounts, leakage", "2026-05"),
    ],
)
def test_one_months_overall_position_is_the_overview(text: str, month: str) -> None:
    assert _calls(text) == [("portfolio_summary", {"month": month})]


def test_customers_that_are_contracting_are_declining() -> None:
    assert _calls("how many Enterprise accounts are contracting at the moment?") == [
        ("find_declining_customers", {"tier": "Enterprise"})
    ]
    assert "contraction_mrr" in _sql("contraction MRR last quarter")


def test_how_many_contracted_counts_the_accounts_of_the_movement(book: Path) -> None:
    sql = _sql("how many customers paid us less in October than in September?")
    (row,) = _run(book, sql)
    assert (row["period_start"], row["period_end"]) == ("2026-09", "2026-10")
    assert row["n_contracted_accounts"] == 2  # ACC000001 100 -> 80, ACC000004 30 -> 20
    assert row["n_expanded_accounts"] == 1  # ACC000002 60 -> 70


# --- one account's revenue, follow-ups of data questions -------------------------------------


def test_one_accounts_revenue_over_a_relative_period_is_a_query(book: Path) -> None:
    sql = _sql("how much revenue did ACC000001 bring in over the past three months?")
    (row,) = _run(book, sql)
    assert (row["customer"], float(row["net_revenue"])) == ("ACC000001", 280.0)
    assert _calls("show ACC000001's revenue trend") == [
        ("decompose_trend", {"account_id": "ACC000001"})
    ]


def test_billed_is_revenue_for_two_accounts(book: Path) -> None:
    sql = _sql("acc 1 or acc 2, which one billed more in Q3?")
    got = {r["customer"]: float(r["net_revenue"]) for r in _run(book, sql)}
    assert got == {"ACC000001": 200.0, "ACC000002": 110.0}  # July-September


def test_same_by_a_dimension_follows_a_data_question() -> None:
    first = "revenue this month vs last month?"
    last = Memory(
        last_tool="query_duckdb",
        last_args={"sql": _sql(first)},
        sql_questions=(first,),
        data_to="2026-10",
    )
    assert "a.tier AS tier" in _sql("same by tier please", last)


# --- churn words, counts beside revenue, raw-data periods, retries ---------------------------


def test_stopped_paying_is_churn_listed_with_its_region(book: Path) -> None:
    for text in (
        "which LATAM clients stopped paying us this year?",
        "show me the LATAM customers who cancelled this year",
    ):
        sql = _sql(text)  # a query, never the decline forecast
        assert "churn_month" in sql and "region = 'LATAM'" in sql
        assert [r["account_id"] for r in _run(book, sql)] == ["ACC000003"]  # not ACC000005


def test_revenue_rows_count_their_accounts_when_asked(book: Path) -> None:
    sql = _sql("revenue by region for September, and how many paying customers in each")
    got = {r["region"]: r["n_accounts"] for r in _run(book, sql)}
    assert got == {"North America": 2, "EMEA": 1}


def test_a_raw_data_query_applies_a_relative_period(book: Path) -> None:
    sql = _sql("how many invoices did we issue last quarter?")
    (row,) = _run(book, sql)
    assert row["n_invoices"] == 6  # July 1, August 2, September 3
    assert (row["period_start"], row["period_end"]) == ("2026-07", "2026-09")  # said
    sql = _sql("how many payment attempts failed in August?")
    assert _run(book, sql)[0]["n_payments"] == 2


def test_dunning_retries_are_payment_attempts_after_the_first(book: Path) -> None:
    chosen = plan("how many retry attempts bounced in September?", _END)
    sql = chosen.calls[0].args["sql"]
    assert "attempt_no > 1" in sql
    assert _run(book, sql)[0]["n_payments"] == 1
    assert chosen.unapplied == ()  # the retries are read as records, no limit dropped
    # "not" inside the words naming the records is no word of a loss
    sql = _sql("how many payments that were not the first attempt failed in August?")
    assert "attempt_no > 1" in sql and _run(book, sql)[0]["n_payments"] == 1
    assert _calls("failed payment retry findings in August") == [
        ("detect_leakage", {"leakage_type": "Failed_Payment_Retry", "month": "2026-08"})
    ]
