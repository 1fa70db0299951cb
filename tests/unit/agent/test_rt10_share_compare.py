"""rt10 N-M2: the share and comparison parts of a revenue question are answered, never dropped.

End to end (`revrisk ask --json` on the 300-account demo world), every figure checked against a
query written here, independently of agent/offline/metrics.py:

- a share ("what share of revenue comes from Enterprise customers this year?", "EMEA's
  percentage of total revenue", "what share does each tier make up?", "what share do the top
  10 customers make up?") gives the part, the whole and the share of the period it names;
- a comparison ("this year vs last year", "how does it compare with a year ago?", "this
  quarter vs the same quarter last year", "2026 vs 2025", "this month compared to last
  month") gives both periods' figures and the change, absolute and in percent, per group
  when grouped; a year to date is compared with the same months a year earlier;
- a share or a comparison no query computes is said in the answer, not dropped.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from agent.offline.metrics import compared_phrases, months_back, read_compared, read_share


def ask(app: typer.Typer, world: Path, question: str, *thread: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["ask", "--json", question, "--db", str(world), *thread])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def rows(out: dict[str, Any]) -> list[dict[str, Any]]:
    assert [c["name"] for c in out["tool_calls"]] == ["query_duckdb"], out["tool_calls"]
    return list(out["tool_results"][0]["content"]["rows"])


def money(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def latest(world: Path) -> date:
    with duckdb.connect(str(world), read_only=True) as con:
        row = con.execute("SELECT max(month) FROM monthly_revenue").fetchone()
    assert row is not None
    return date.fromisoformat(str(row[0])[:10])


def shifted(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def revenue(world: Path, since: date, until: date, where: str = "TRUE") -> dict[str, Decimal]:
    """Net revenue in [since, until) per group (the first column of `where`'s split), from
    monthly_revenue joined to accounts, or the whole book when `where` is TRUE."""
    with duckdb.connect(str(world), read_only=True) as con:
        found = con.execute(
            "SELECT coalesce(a.tier, '?'), sum(r.net_revenue) FROM monthly_revenue r "
            f"LEFT JOIN accounts a USING (account_id) WHERE r.month >= ? AND r.month < ? "
            f"AND {where} GROUP BY 1",
            [since, until],
        ).fetchall()
    return {str(k): money(v) for k, v in found}


def total(world: Path, since: date, until: date, where: str = "TRUE") -> Decimal:
    return sum(revenue(world, since, until, where).values(), Decimal(0))


def share(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole).quantize(Decimal("0.000001"))


def percent(part: Decimal, whole: Decimal) -> str:
    return f"{float(part / whole) * 100:.1f}%"


# ------------------------------------------------------------------------------ reading
@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("what share of revenue comes from Enterprise customers this year?", True),
        ("Enterprise's percentage of total revenue", True),
        ("how much of our revenue is from EMEA, as a share", True),
        ("what % of revenue came from the top 5 customers?", True),
        ("what do the top 10 customers make up?", True),
        ("what was the percentage change in revenue last quarter?", False),
        ("what makes up our leakage?", False),
        ("how much of the leakage is recoverable?", False),
        ("revenue by tier this year", False),
    ],
)
def test_a_share_is_read(text: str, asks: bool) -> None:
    assert read_share(text) is asks


@pytest.mark.parametrize(
    "text",
    [
        "revenue in the previous quarter",  # a period, nothing compared
        "revenue by tier this year",
        "revenue in Q3 2026 vs Q3 2025",  # a row per quarter (metrics.read_periods)
        "Compare revenue in September 2026 with August 2026",  # a row per month
    ],
)
def test_no_comparison_read_where_none_is_asked(text: str) -> None:
    assert read_compared(text) is None
    assert months_back(text) is None


def test_a_comparison_names_both_periods() -> None:
    assert compared_phrases("how many accounts churned this year vs last year?") == (
        "this year",
        "last year",
    )


# ------------------------------------------------------------------------------ shares
@pytest.mark.parametrize(
    ("question", "where", "named"),
    [
        (
            "what share of revenue comes from Enterprise customers this year?",
            "a.tier = 'Enterprise'",
            "Enterprise",
        ),
        (
            "Enterprise's percentage of total revenue this year",
            "a.tier = 'Enterprise'",
            "Enterprise",
        ),
        ("how much of our revenue this year is from EMEA, as a share", "a.region = 'EMEA'", "EMEA"),
    ],
)
def test_a_share_gives_the_part_the_whole_and_the_share(
    app: typer.Typer, small_world: Path, question: str, where: str, named: str
) -> None:
    last = latest(small_world)
    since, until = date(last.year, 1, 1), shifted(last, 1)
    part, whole = total(small_world, since, until, where), total(small_world, since, until)
    out = ask(app, small_world, question)
    (row,) = rows(out)
    assert named in row["share_of"]
    assert (money(row["net_revenue"]), money(row["total_revenue"])) == (part, whole)
    assert Decimal(str(row["share_of_total"])) == share(part, whole)
    assert (row["period_start"], row["period_end"]) == (f"{since:%Y-%m}", f"{last:%Y-%m}")
    answer = out["answer"]
    assert named in answer and percent(part, whole) in answer
    assert f"{since:%Y-%m} to {last:%Y-%m}" in answer


def test_each_tier_gets_its_share_of_the_period(app: typer.Typer, small_world: Path) -> None:
    last = latest(small_world)
    since, until = date(last.year, 1, 1), shifted(last, 1)
    truth = revenue(small_world, since, until, "a.tier IS NOT NULL")
    whole = sum(truth.values(), Decimal(0))
    got = rows(ask(app, small_world, "what share of revenue does each tier make up this year?"))
    assert {r["tier"]: Decimal(str(r["share_of_total"])) for r in got} == {
        tier: share(amount, whole) for tier, amount in truth.items()
    }


@pytest.mark.parametrize("n", [10, 5])
def test_the_top_customers_share_is_over_every_customer(
    app: typer.Typer, small_world: Path, n: int
) -> None:
    last = latest(small_world)
    with duckdb.connect(str(small_world), read_only=True) as con:
        amounts = [
            money(v)
            for (v,) in con.execute(
                "SELECT sum(net_revenue) AS v FROM monthly_revenue WHERE month = ? "
                "GROUP BY account_id ORDER BY v DESC",
                [last],
            ).fetchall()
        ]
    top, whole = sum(amounts[:n], Decimal(0)), sum(amounts, Decimal(0))
    question = (
        "what share do the top 10 customers make up?"
        if n == 10
        else ("what % of revenue came from the top 5 customers last month?")
    )
    out = ask(app, small_world, question)
    (row,) = rows(out)
    assert (money(row["net_revenue"]), money(row["total_revenue"])) == (top, whole)
    assert Decimal(str(row["share_of_total"])) == share(top, whole)
    assert f"Top {n} customers" in out["answer"] and percent(top, whole) in out["answer"]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory, small_world: Path) -> Path:
    """The small world with a revenue file's customer (no account row), the largest payer of
    its latest month."""
    path = tmp_path_factory.mktemp("share") / "w.duckdb"
    shutil.copy(small_world, path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "INSERT INTO revenue_imports SELECT 1, 'CUST-BIG', month, 'USD', 900000 "
            "FROM (SELECT DISTINCT month FROM monthly_revenue)"
        )
    return path


def test_a_tier_share_is_of_the_customers_a_tier_can_place(
    app: typer.Typer, imported: Path
) -> None:
    """The imported customer has no tier: it is neither in Enterprise nor in the whole of a
    tier share (its shares add up to 100 %), and the answer says it is left out; the top
    customers' share is of every customer, the imported one included."""
    last = latest(imported)
    month = (last, shifted(last, 1))
    placed = total(imported, *month, "a.tier IS NOT NULL")
    part = total(imported, *month, "a.tier = 'Enterprise'")
    out = ask(app, imported, "what share of revenue comes from Enterprise customers last month?")
    (row,) = rows(out)
    assert (money(row["total_revenue"]), row["n_left_out_customers"]) == (placed, 1)
    assert Decimal(str(row["share_of_total"])) == share(part, placed)
    assert "Left out:" in out["answer"]
    (top,) = rows(ask(app, imported, "what share do the top 10 customers make up?"))
    assert money(top["total_revenue"]) == total(imported, *month) == placed + 900000


# ------------------------------------------------------------------------------ comparisons
def _check_compared(
    got: list[dict[str, Any]], now: dict[str, Decimal], then: dict[str, Decimal], key: str | None
) -> None:
    for row in got:
        group = str(row[key]) if key else "all"
        assert money(row["revenue_in_period"]) == now[group], group
        assert money(row["revenue_compared"]) == then[group], group
        assert money(row["revenue_change"]) == now[group] - then[group]
        assert Decimal(str(row["pct_revenue_change"])) == share(
            now[group] - then[group], then[group]
        )
    assert len(got) == len(now)


def test_tiers_this_year_against_the_same_months_last_year(
    app: typer.Typer, small_world: Path
) -> None:
    last = latest(small_world)
    since, until = date(last.year, 1, 1), shifted(last, 1)
    now = revenue(small_world, since, until, "a.tier IS NOT NULL")
    then = revenue(small_world, shifted(since, -12), shifted(until, -12), "a.tier IS NOT NULL")
    out = ask(app, small_world, "compare revenue by tier this year vs last year")
    got = rows(out)
    _check_compared(got, now, then, "tier")
    assert (got[0]["compared_start"], got[0]["compared_end"]) == (
        f"{shifted(since, -12):%Y-%m}",
        f"{shifted(last, -12):%Y-%m}",
    )
    assert f"Revenue {shifted(since, -12):%Y-%m} to {shifted(last, -12):%Y-%m}" in out["answer"]


@pytest.mark.parametrize(
    ("question", "months", "back"),
    [
        ("what was our total revenue last month and how does it compare with a year ago?", 1, 12),
        ("revenue this quarter vs the same quarter last year", None, 12),
        ("how does revenue this month compare to last month?", 1, 1),
        ("how does this month compare to last month?", 1, 1),  # revenue's, the headline figure
        ("revenue last quarter compared with the previous quarter", 3, 3),
    ],
)
def test_a_period_against_another_gives_both_and_the_change(
    app: typer.Typer, small_world: Path, question: str, months: int | None, back: int
) -> None:
    last = latest(small_world)
    if "last quarter" in question:
        until = date(last.year, (last.month - 1) // 3 * 3 + 1, 1)
        since = shifted(until, -3)
    elif months is None:  # this quarter: its months with data
        since, until = date(last.year, (last.month - 1) // 3 * 3 + 1, 1), shifted(last, 1)
    else:
        since, until = shifted(last, 1 - months), shifted(last, 1)
    now = total(small_world, since, until)
    then = total(small_world, shifted(since, -back), shifted(until, -back))
    out = ask(app, small_world, question)
    got = rows(out)
    _check_compared(got, {"all": now}, {"all": then}, None)
    assert got[0]["compared_start"] == f"{shifted(since, -back):%Y-%m}"
    assert f"Revenue {shifted(since, -back):%Y-%m}" in out["answer"]


def test_two_years_by_region_compare_like_for_like(app: typer.Typer, small_world: Path) -> None:
    last = latest(small_world)
    year = last.year
    since, until = date(year, 1, 1), shifted(last, 1)
    by_region = "a.region IS NOT NULL"
    with duckdb.connect(str(small_world), read_only=True) as con:

        def of(start: date, end: date) -> dict[str, Decimal]:
            found = con.execute(
                "SELECT a.region, sum(r.net_revenue) FROM monthly_revenue r JOIN accounts a "
                f"USING (account_id) WHERE r.month >= ? AND r.month < ? AND {by_region} "
                "GROUP BY 1",
                [start, end],
            ).fetchall()
            return {str(k): money(v) for k, v in found}

        now, then = of(since, until), of(shifted(since, -12), shifted(until, -12))
    got = rows(ask(app, small_world, f"{year} vs {year - 1} revenue by region"))
    _check_compared(got, now, then, "region")


def test_two_months_without_a_year_by_tier(app: typer.Typer, small_world: Path) -> None:
    """ "revenue by tier in September vs October": the latest such months, a row per tier
    (the query once exceeded the 10,000-character cap of query_duckdb)."""
    last = latest(small_world)
    before = shifted(last, -1)
    named = f"{before:%B} vs {last:%B}"
    now = revenue(small_world, last, shifted(last, 1), "a.tier IS NOT NULL")
    then = revenue(small_world, before, last, "a.tier IS NOT NULL")
    got = rows(ask(app, small_world, f"revenue by tier in {named}"))
    _check_compared(got, now, then, "tier")
    assert got[0]["compared_start"] == f"{before:%Y-%m}"


def test_a_follow_up_compares_the_threads_period(app: typer.Typer, small_world: Path) -> None:
    last = latest(small_world)
    now = total(small_world, last, shifted(last, 1))
    then = total(small_world, shifted(last, -12), shifted(last, -11))
    thread = ("--thread", "compare-follow-up")
    ask(app, small_world, "what was revenue last month?", *thread)
    got = rows(ask(app, small_world, "and how does that compare with a year ago?", *thread))
    _check_compared(got, {"all": now}, {"all": then}, None)


def test_a_follow_up_asks_the_threads_split_as_shares(app: typer.Typer, small_world: Path) -> None:
    last = latest(small_world)
    truth = revenue(small_world, last, shifted(last, 1), "a.tier IS NOT NULL")
    whole = sum(truth.values(), Decimal(0))
    thread = ("--thread", "share-follow-up")
    ask(app, small_world, "what was revenue by tier last month?", *thread)
    got = rows(ask(app, small_world, "and as a share of the total?", *thread))
    assert {r["tier"]: Decimal(str(r["share_of_total"])) for r in got} == {
        tier: share(amount, whole) for tier, amount in truth.items()
    }


# ------------------------------------------------------------------------------ said, not dropped
@pytest.mark.parametrize(
    ("question", "said"),
    [
        (
            "how many accounts churned this year vs last year?",
            "No comparison of this year and last year",
        ),
        ("what percentage of our at-risk accounts are Enterprise?", "No share of the total"),
    ],
)
def test_a_part_no_query_answers_is_said(
    app: typer.Typer, small_world: Path, question: str, said: str
) -> None:
    assert said in ask(app, small_world, question)["answer"]
