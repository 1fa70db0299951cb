"""rt11's and holdout12's first-run defects in the offline planner, each answered end to end
(`revrisk ask --json` on a copy of the 300-account demo world with an imported revenue file
keyed by company names), every figure checked against a query written here:

- R-H2: "how much did X bring in / generate / earn us / contribute <period>?" is X's revenue,
  never its risk factors, the leakage overview or an off-topic refusal; "how much did we make
  in Q3?" is the book's revenue;
- R-H5: a customer's name is not spell-corrected before its lookup ("Stark Industries" was read
  "Start Industries (no revenue found)"), and a bracketed qualifier is part of it
  ("Soylent (EU)");
- R-H4: a company name holding a tier word ("Wayne Enterprises") is no tier filter;
- holdout12: "…, please change it to EMEA in the warehouse" after a statement is a write
  request, refused; "perfect, thanks - that's everything for today" after a data question
  ends the conversation instead of re-running the query.
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
from agent.offline.metrics import customer_names
from agent.offline.planner import Memory, plan
from agent.offline.spelling import correct

NAMED = {  # customer -> monthly amount 2024-11 .. 2026-10, USD
    "Stark Industries": 20_000.0,
    "Soylent (EU)": 4_000.0,
    "Wayne Enterprises": 12_000.0,
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, small_world: Path) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("rt11") / "w.duckdb"
    shutil.copy(small_world, path)
    with duckdb.connect(str(path)) as con:
        for customer, amount in NAMED.items():
            con.execute(
                "INSERT INTO revenue_imports SELECT 1, ?, "
                "CAST(DATE '2024-11-01' + to_months(k) AS DATE), 'USD', ? + 10 * k "
                "FROM range(24) t(k)",
                [customer, amount],
            )
    yield path


def ask(app: typer.Typer, world: Path, question: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["ask", "--json", question, "--db", str(world)])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def revenue(world: Path, customer: str | None, since: str, until: str) -> Decimal:
    who = "" if customer is None else "account_id = ? AND "
    with duckdb.connect(str(world), read_only=True) as con:
        ((total,),) = con.execute(
            f"SELECT sum(net_revenue) FROM monthly_revenue WHERE {who}month >= ? AND month < ?",
            [*([customer] if customer else []), since, until],
        ).fetchall()
    return Decimal(str(total)).quantize(Decimal("0.01"))


def answered(out: dict[str, Any]) -> list[Decimal]:
    assert [c["name"] for c in out["tool_calls"]] == ["query_duckdb"], out["tool_calls"]
    rows = out["tool_results"][0]["content"]["rows"]
    return [Decimal(str(r["net_revenue"])).quantize(Decimal("0.01")) for r in rows]


# ------------------------------------------------------------------ R-H2: revenue verbs
@pytest.mark.parametrize(
    ("question", "customer"),
    [
        ("how much did ACC000042 generate in Q3?", "ACC000042"),
        ("what did ACC000042 earn us in Q3?", "ACC000042"),
        ("how much did ACC000042 contribute in Q3?", "ACC000042"),
        ("how much did ACC000042 bring in in Q3?", "ACC000042"),
        ("how much did Stark Industries bring in in Q3?", "Stark Industries"),
        ("what did Wayne Enterprises generate in Q3?", "Wayne Enterprises"),
        ("how much did we make in Q3?", None),
    ],
)
def test_revenue_verbs_ask_for_revenue(
    app: typer.Typer, world: Path, question: str, customer: str | None
) -> None:
    out = ask(app, world, question)
    assert answered(out) == [revenue(world, customer, "2026-07-01", "2026-10-01")]


# ------------------------------------------------------------------ R-H5, R-H4: names as written
@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("what was revenue of Stark Industries in 2026?", ("Stark Industries",)),
        ("what was revenue of Soylent (EU) in 2026?", ("Soylent (EU)",)),
        (
            "compare Wayne Enterprises and Umbrella Corp revenue this year",
            ("Wayne Enterprises", "Umbrella Corp"),
        ),
        ("How's APAC looking overall on the leakage front?", ()),
        ("Show Initech, Globex and Acme Corp revenue", ("Initech", "Globex", "Acme Corp")),
    ],
)
def test_company_names_are_read_as_written(text: str, names: tuple[str, ...]) -> None:
    assert customer_names(text, load_lexicon()) == names


def test_a_customer_name_is_not_spell_corrected() -> None:
    text = "what was revenue of Stark Industries in 2026?"
    assert correct(text, load_lexicon()) == text
    assert correct("whcih acounts are likley to leak?", load_lexicon()) == (
        "which accounts are likely to leak?"
    )


@pytest.mark.parametrize("customer", ["Stark Industries", "Soylent (EU)", "Wayne Enterprises"])
def test_a_named_customer_gets_its_revenue(app: typer.Typer, world: Path, customer: str) -> None:
    out = ask(app, world, f"what was revenue of {customer} in 2026?")
    assert answered(out) == [revenue(world, customer, "2026-01-01", "2027-01-01")]
    assert customer in out["answer"] and "no revenue found" not in out["answer"]


def test_a_company_name_with_a_tier_word_is_no_tier_filter() -> None:
    calls = plan("what was revenue of Wayne Enterprises in 2026?").calls
    assert [c.name for c in calls] == ["query_duckdb"]
    assert "Enterprise'" not in calls[0].args["sql"] and "WAYNEENTERPRISES" in calls[0].args["sql"]
    assert (
        plan("how much revenue from Enterprise customers in 2026?")
        .calls[0]
        .args["sql"]
        .count("a.tier = 'Enterprise'")
    )


# ------------------------------------------------------------------ holdout12: refusals, sign-off
@pytest.mark.parametrize(
    "text",
    [
        "ACC000042 is in the wrong region, please change it to EMEA in the warehouse",
        "ACC000042 looks wrong, kindly update its tier to Enterprise",
    ],
)
def test_a_write_after_a_statement_is_refused(text: str) -> None:
    chosen = plan(text)
    assert chosen.intent == "destructive" and not chosen.calls


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("revenue for ACC000042 in 2026, please", "query_duckdb"),
        ("ACC000042 is risky, please explain why", "explain_risk_factors"),
    ],
)
def test_please_after_a_comma_still_asks(text: str, tool: str) -> None:
    assert [c.name for c in plan(text).calls] == [tool]


@pytest.mark.parametrize(
    "text", ["perfect, thanks - that's everything for today", "cheers, that is all"]
)
def test_a_sign_off_after_a_data_question_runs_nothing(text: str) -> None:
    memory = Memory(
        last_tool="query_duckdb",
        last_args={"sql": "SELECT count(*) FROM accounts"},
        sql_questions=("how many accounts are on the legacy billing system?",),
    )
    chosen = plan(text, memory)
    assert chosen.intent == "thanks" and not chosen.calls
    assert plan("thanks, and by region?", memory).calls  # a follow-up still follows up


# ------------------------------------------------------------------ R-H6: shifted periods
def _run(world: Path, sql: str) -> list[dict[str, Any]]:
    with duckdb.connect(str(world), read_only=True) as con:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.mark.parametrize(
    ("follow_up", "then"),
    [
        ("and the year before?", ("2025-07-01", "2025-10-01")),
        ("what about the same quarter last year?", ("2025-07-01", "2025-10-01")),
        ("and the previous quarter?", ("2026-04-01", "2026-07-01")),
    ],
)
def test_a_follow_up_that_shifts_the_period_compares_it(
    world: Path, follow_up: str, then: tuple[str, str]
) -> None:
    """rt11 R-H6: after Q3 2026's revenue, "and the year before?" repeated Q3 2026's figure,
    "the same quarter last year" gave all of 2025 and "the previous quarter" Q3 again. Each
    now shows the shifted period beside the thread's, with the change."""
    first = "how much revenue did we make in Q3 2026?"
    sql = plan(first).calls[0].args["sql"]
    memory = Memory(last_tool="query_duckdb", last_args={"sql": sql}, sql_questions=(first,))
    (call,) = plan(follow_up, memory).calls
    (row,) = [r for r in _run(world, call.args["sql"]) if r["currency"] == "USD"]
    usd = "currency = 'USD' AND "
    assert Decimal(str(row["revenue_in_period"])) == revenue_in(
        world, usd, "2026-07-01", "2026-10-01"
    )
    assert Decimal(str(row["revenue_compared"])) == revenue_in(world, usd, *then)
    assert row["compared_start"] == then[0][:7]


def revenue_in(world: Path, where: str, since: str, until: str) -> Decimal:
    with duckdb.connect(str(world), read_only=True) as con:
        ((total,),) = con.execute(
            f"SELECT sum(net_revenue) FROM monthly_revenue WHERE {where}month >= ? AND month < ?",
            [since, until],
        ).fetchall()
    return Decimal(str(total)).quantize(Decimal("0.01"))


@pytest.mark.parametrize(
    ("last", "follow_up", "shifted"),
    [
        ({"month": "2026-10"}, "and the month before?", {"month": "2026-09"}),
        ({"month": "2026-10"}, "and a year earlier?", {"month": "2025-10"}),
        (
            {"since": "2026-07", "until": "2026-09"},
            "and the previous quarter?",
            {"since": "2026-04", "until": "2026-06"},
        ),
        (
            {"since": "2026-07", "until": "2026-09"},
            "what about the same quarter last year?",
            {"since": "2025-07", "until": "2025-09"},
        ),
    ],
)
def test_a_tool_follow_up_that_shifts_the_period_moves_it(
    last: dict[str, str], follow_up: str, shifted: dict[str, str]
) -> None:
    """holdout12: "and the month before?" after October's findings re-ran October."""
    memory = Memory(last_tool="detect_leakage", last_args=last)
    (call,) = plan(follow_up, memory).calls
    assert call.name == "detect_leakage" and call.args == shifted


# ------------------------------------------------------------------ R-H3, R-M2, holdout12 readings
def test_which_three_is_a_count_not_account_3() -> None:
    """holdout12: "which three are trending down?" opened ACC000003's trend."""
    (call,) = plan("Of our largest customers by revenue, which three are trending down?").calls
    assert call.name == "find_declining_customers"
    assert call.args == {"top_n": 3, "order_by": "revenue"}


def churned_in(world: Path, since: str, until: str) -> set[str]:
    """The chat's churn rule, written here: revenue, then none in the data's last 3 months;
    churned in the month after the last revenue."""
    with duckdb.connect(str(world), read_only=True) as con:
        rows = con.execute(
            "WITH last AS (SELECT account_id, max(month) AS m FROM monthly_revenue "
            "WHERE net_revenue > 0 GROUP BY 1) SELECT account_id FROM last "
            "WHERE m <= DATE '2026-07-01' AND m + INTERVAL 1 MONTH >= CAST(? AS DATE) "
            "AND m + INTERVAL 1 MONTH < CAST(? AS DATE)",
            [since, until],
        ).fetchall()
    return {r[0] for r in rows}


@pytest.mark.parametrize(
    "question",
    [
        "which customers churned last quarter?",
        "which customers did we lose last quarter?",
        "List the customers we've lost last quarter",
    ],
)
def test_which_customers_churned_lists_them(app: typer.Typer, world: Path, question: str) -> None:
    """rt11 R-M2: "which customers churned last quarter?" got the decline forecast's list;
    holdout12: "the customers we've lost" got detected leakage."""
    out = ask(app, world, question)
    assert [c["name"] for c in out["tool_calls"]] == ["query_duckdb"], out["tool_calls"]
    listed = {r["account_id"] for r in out["tool_results"][0]["content"]["rows"]}
    assert listed == churned_in(world, "2026-07-01", "2026-10-01")


@pytest.mark.parametrize(
    "question",
    [
        "who are our fastest growing accounts?",
        "revenue in the last 90 days",
        "what was our revenue growth rate year over year?",
    ],
)
def test_a_book_question_after_one_account_is_about_the_book(question: str) -> None:
    """rt11 R-H3: after a turn about ACC000042, these showed ACC000042's trend (and, in a
    fresh thread, the decline forecast's list)."""
    after = Memory(
        last_tool="decompose_trend", last_args={"account_id": "ACC000042"}, account_id="ACC000042"
    )
    for memory in (None, after):
        (call,) = plan(question, memory).calls
        assert call.name == "query_duckdb" and "ACC000042" not in call.args["sql"]


def test_the_last_90_days_are_the_last_3_months(world: Path) -> None:
    (call,) = plan("revenue in the last 90 days").calls
    (row,) = [r for r in _run(world, call.args["sql"]) if r["currency"] == "USD"]
    assert Decimal(str(row["net_revenue"])) == revenue_in(
        world, "currency = 'USD' AND ", "2026-08-01", "2026-11-01"
    )


def test_growth_year_over_year_is_this_year_against_the_same_months_last_year(
    world: Path,
) -> None:
    (call,) = plan("what was our revenue growth rate year over year?").calls
    (row,) = [r for r in _run(world, call.args["sql"]) if r["currency"] == "USD"]
    usd = "currency = 'USD' AND "
    now = revenue_in(world, usd, "2026-01-01", "2026-11-01")
    then = revenue_in(world, usd, "2025-01-01", "2025-11-01")
    assert Decimal(str(row["revenue_in_period"])) == now
    assert Decimal(str(row["revenue_compared"])) == then
    # The change is kept to 6 decimals, so its one-decimal % is rounded once (14.85 % is
    # 14.9 %, not 0.1485's 14.8 %).
    assert row["pct_revenue_change"] == round(float(now / then - 1), 6)


def test_the_fastest_growing_accounts_rank_by_their_change(world: Path) -> None:
    (call,) = plan("who are our fastest growing accounts?").calls
    rows = _run(world, call.args["sql"])
    changes = [r["revenue_change"] for r in rows]
    assert changes == sorted(changes, reverse=True) and changes[0] > 0


# ------------------------------------------------------------------ R-H1: "which of those …"
@pytest.mark.parametrize("follow_up", ["which of those are in APAC?", "which of them are in EMEA?"])
def test_which_of_those_filters_the_listed_accounts(world: Path, follow_up: str) -> None:
    """rt11 R-H1: "which of those are in EMEA?" after the ten biggest leakers gave EMEA's top
    ten by revenue; it is the listed accounts that are in EMEA, in the list's order."""
    first = "top 10 customers by revenue this year"
    sql = plan(first).calls[0].args["sql"]
    listed = [r["account_id"] for r in _run(world, sql)]
    memory = Memory(
        last_tool="query_duckdb",
        last_args={"sql": sql},
        sql_questions=(first,),
        result_ids=tuple(listed),
    )
    (call,) = plan(follow_up, memory).calls
    region = "APAC" if "APAC" in follow_up else "EMEA"
    with duckdb.connect(str(world), read_only=True) as con:
        regions = dict(con.execute("SELECT account_id, region FROM accounts").fetchall())
    got = [r["account_id"] for r in _run(world, call.args["sql"])]
    assert got == [a for a in listed if regions.get(a) == region]


# ------------------------------------------------------------------ holdout12: more readings
@pytest.mark.parametrize(
    ("text", "tool", "args"),
    [
        ("Who is our single riskiest account at the moment?", "score_leakage", {"top_n": 1}),
        (
            "Rank our Enterprise customers by how likely they are to leak next month, top five",
            "score_leakage",
            {"tier": "Enterprise", "top_n": 5, "order_by": "probability"},
        ),
        (
            "Where's our contraction risk coming from? Which customers are most likely to "
            "downsize spend in the next few months?",
            "find_declining_customers",
            {},
        ),
        (
            "Is customer #1351 down vs the same months last year?",
            "decompose_trend",
            {"account_id": "ACC001351"},
        ),
        ("how's the book looking in Latin America?", "portfolio_summary", {"region": "LATAM"}),
    ],
)
def test_first_run_readings(text: str, tool: str, args: dict[str, Any]) -> None:
    (call,) = plan(text).calls
    assert (call.name, call.args) == (tool, args)


def test_rank_those_by_revenue_reorders_the_same_list() -> None:
    """holdout12: "rank those by revenue instead" after the declining Business accounts in
    North America gave the listed accounts' revenue (then the leakage-risk ranking)."""
    memory = Memory(
        last_tool="find_declining_customers",
        last_args={"tier": "Business", "region": "North America"},
        result_ids=("ACC000001", "ACC000002"),
    )
    (call,) = plan("rank those by revenue instead", memory).calls
    assert call.name == "find_declining_customers"
    assert call.args == {"tier": "Business", "region": "North America", "order_by": "revenue"}


@pytest.mark.parametrize(
    ("text", "tool"),
    [("is DROP-F declining?", "decompose_trend"), ("is SLIDE-B shrinking?", "decompose_trend")],
)
def test_a_customer_code_with_a_write_word_is_no_write(text: str, tool: str) -> None:
    """ "is DROP-F declining?" was refused as a request to drop something: a customer's name
    is not read for write verbs (a command naming one still is)."""
    (call,) = plan(text).calls
    assert call.name == tool
    assert plan("drop the DROP-F account").intent == "destructive"
    assert plan("delete Acme Corp from the warehouse").intent == "destructive"


def test_the_n_smallest_customers_are_n(world: Path) -> None:
    """rt11 R-L5: "who are our 5 smallest customers by revenue this year?" listed 10."""
    (call,) = plan("who are our 5 smallest customers by revenue this year?").calls
    rows = _run(world, call.args["sql"])
    assert len(rows) == 5
    revenue = [r["net_revenue"] for r in rows]
    assert revenue == sorted(revenue)


def test_which_accounts_drove_the_growth_ranks_by_change(world: Path) -> None:
    """rt11 R-M11: "which accounts drove the growth?" got the leakage-risk ranking."""
    (call,) = plan("which accounts drove the growth?").calls
    assert call.name == "query_duckdb"
    changes = [r["revenue_change"] for r in _run(world, call.args["sql"])]
    assert changes == sorted(changes, reverse=True) and changes[0] > 0


def test_how_many_active_customers_counts_the_latest_month(world: Path) -> None:
    """rt11 R-M5: "how many active customers do we have?" got the leakage overview."""
    (call,) = plan("how many active customers do we have?").calls
    (row,) = _run(world, call.args["sql"])
    with duckdb.connect(str(world), read_only=True) as con:
        ((expected,),) = con.execute(
            "SELECT count(DISTINCT account_id) FROM monthly_revenue WHERE net_revenue > 0 "
            "AND month = DATE '2026-10-01'"
        ).fetchall()
    assert row["n_active_customers"] == expected and row["month"] == "2026-10"


def test_exposure_next_month_is_the_forecast() -> None:
    """holdout12: "Who's most exposed to unbilled overage next month?" listed what was
    detected already; a finding cannot lie ahead."""
    (call,) = plan("Who's most exposed to unbilled overage next month?").calls
    assert call.name == "score_leakage"
    assert call.args == {"leakage_type": "Usage_Overage_Unbilled"}
    assert plan("how much leakage did we detect last month?").calls[0].name == "detect_leakage"


def test_this_quarter_against_last_quarter_is_in_that_order(world: Path) -> None:
    """ "compare this quarter with last quarter" showed last quarter as the period asked and
    this one as the comparison, so the change had the wrong sign."""
    (call,) = plan("compare this quarter with last quarter").calls
    (row,) = [r for r in _run(world, call.args["sql"]) if r["currency"] == "USD"]
    assert (row["period_start"], row["compared_start"]) == ("2026-10", "2026-07")
    assert Decimal(str(row["revenue_in_period"])) == revenue_in(
        world, "currency = 'USD' AND ", "2026-10-01", "2026-11-01"
    )


def test_a_complete_question_starts_the_fold_afresh(world: Path) -> None:
    """Found in the make-run session: "which of those are in EMEA?" after "which accounts are
    leaking the most?" (all months) answered for this year, the period of an earlier,
    unrelated question in the same thread ("what share of revenue … this year?"). Here with
    a revenue ranking (the latest month by default)."""
    from agent.offline import sqlgen

    asked = [
        "what share of revenue comes from Enterprise customers this year?",
        "top 10 customers by revenue",
    ]
    alone = _run(world, plan(asked[-1]).calls[0].args["sql"])
    folded = _run(world, sqlgen.write([*asked, "and in EMEA?"], load_lexicon()) or "")
    assert folded and folded[0]["period_start"] == alone[0]["period_start"]
