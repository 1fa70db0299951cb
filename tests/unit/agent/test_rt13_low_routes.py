"""The outside testers' LOW defects in the offline planner (rt12 T-L8, T-L9, T-L12; rt13 U-L5),
answered end to end (`revrisk ask --json` on a copy of the 300-account world), each figure
checked against SQL written here:

- T-L8: "revenue last month" when the calendar's last month has no data yet says that the
  latest month with data is the one answered;
- T-L9: "compare EMEA and APAC revenue this year" has their two rows and no note that EMEA
  was not applied;
- U-L5: "what's revenue in euros this year?" on a book with no EUR account says there is
  none, not the USD total under a note;
- T-L12: typed SQL with no table ("select 1/0 as x, 'a'::int as y") goes to the SQL tool and
  its error comes back in words, not the off-topic refusal.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from agent import graph
from agent.offline.planner import Memory, plan

SPAN = Memory(data_from="2024-11", data_to="2026-10")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, small_world: Path) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("rt13l") / "w.duckdb"
    shutil.copy(small_world, path)
    yield path


def ask(app: typer.Typer, world: Path, question: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["ask", "--json", question, "--db", str(world)])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def truth(world: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(world), read_only=True) as con:
        return con.execute(sql).fetchall()


def _on(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    """The system prompt's "Today is …" on `day` (agent.graph reads the clock there only)."""

    class _Day(dt.date):
        @classmethod
        def today(cls) -> _Day:
            return cls(day.year, day.month, day.day)

    monkeypatch.setattr(graph, "dt", types.SimpleNamespace(date=_Day))


def test_last_month_without_data_names_the_latest_month(
    app: typer.Typer, world: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ((latest, total),) = truth(
        world,
        "SELECT strftime(max(month), '%Y-%m'), sum(net_revenue) FILTER (WHERE month = "
        "(SELECT max(month) FROM monthly_revenue)) FROM monthly_revenue",
    )
    assert latest == "2026-10"
    _on(monkeypatch, dt.date(2026, 12, 6))
    out = ask(app, world, "revenue last month")
    assert "2026-11 has no data yet" in out["answer"]
    assert f"latest month with data is {latest}" in out["answer"]
    (row,) = out["tool_results"][0]["content"]["rows"]
    assert round(row["net_revenue"], 2) == round(float(total), 2)
    _on(monkeypatch, dt.date(2026, 11, 6))  # last month is 2026-10: it has data, no note
    assert "no data yet" not in ask(app, world, "revenue last month")["answer"]


def test_two_regions_compared_are_their_rows_with_no_note(app: typer.Typer, world: Path) -> None:
    expected = truth(
        world,
        "SELECT a.region, sum(r.net_revenue) FROM monthly_revenue r JOIN accounts a "
        "USING (account_id) WHERE year(r.month) = 2026 AND a.region IN ('EMEA', 'APAC') "
        "GROUP BY 1 ORDER BY 2 DESC",
    )
    out = ask(app, world, "compare EMEA and APAC revenue this year")
    got = out["tool_results"][0]["content"]["rows"]
    assert [(r["region"], round(r["net_revenue"], 2)) for r in got] == [
        (region, round(float(total), 2)) for region, total in expected
    ]
    assert "Not limited to" not in out["answer"]


def test_revenue_in_a_currency_no_account_bills_is_none(app: typer.Typer, world: Path) -> None:
    assert truth(world, "SELECT count(*) FROM accounts WHERE currency = 'EUR'") == [(0,)]
    out = ask(app, world, "what's revenue in euros this year?")
    (row,) = out["tool_results"][0]["content"]["rows"]
    assert row["net_revenue"] is None
    assert "Not limited to EUR" not in out["answer"]
    assert "**none** (nothing in the data matches the filter)" in out["answer"]


@pytest.mark.parametrize(
    "typed", ["select 1/0 as x, 'a'::int as y", "select getenv('HOME') as h", "SELECT 1"]
)
def test_typed_sql_without_a_table_goes_to_the_sql_tool(typed: str) -> None:
    (call,) = plan(typed, SPAN).calls
    assert call.name == "query_duckdb" and call.args["sql"] == typed


def test_a_failed_typed_query_says_why_in_words(app: typer.Typer, world: Path) -> None:
    out = ask(app, world, "select 1/0 as x, 'a'::int as y")
    assert [c["name"] for c in out["tool_calls"]] == ["query_duckdb"]
    assert "the query failed because a value in the query could not be converted" in out["answer"]
    assert "outside what I can help with" not in out["answer"]


@pytest.mark.parametrize("text", ["select 10 riskiest accounts", "select the top accounts"])
def test_select_in_words_is_no_query(text: str) -> None:
    assert [c.name for c in plan(text, SPAN).calls] != ["query_duckdb"]


# ------------------------------------------------------------------ smallest first
@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory, small_world: Path) -> Path:
    """The world with its caches built: leakage scores and detected findings."""
    from services.refresh import refresh_caches

    path = tmp_path_factory.mktemp("rt13s") / "w.duckdb"
    shutil.copy(small_world, path)
    refresh_caches(path)
    return path


def _rows(world: Path, question: str) -> list[dict[str, Any]]:
    (call,) = plan(question, SPAN).calls
    assert call.name == "query_duckdb", call
    with duckdb.connect(str(world), read_only=True) as con:
        cursor = con.execute(call.args["sql"])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.mark.parametrize(
    ("question", "n"),
    [
        ("bottom 5 accounts by leakage probability", 5),
        ("which accounts are least likely to leak?", 10),
    ],
)
def test_least_likely_to_leak_is_smallest_first(scored: Path, question: str, n: int) -> None:
    expected = truth(
        scored,
        "SELECT account_id, leakage_probability FROM leakage_scores "
        f"ORDER BY leakage_probability, expected_monthly_loss, account_id LIMIT {n}",
    )
    assert len(expected) == n
    got = _rows(scored, question)
    assert [(r["account_id"], r["leakage_probability"]) for r in got] == [
        (a, round(p, 6)) for a, p in expected
    ]


def test_the_smallest_single_finding_is_the_smallest_amount(scored: Path) -> None:
    ((smallest,),) = truth(scored, "SELECT min(amount) FROM detected_leakage")
    assert smallest is not None
    (row,) = _rows(scored, "what is the smallest single finding?")
    assert row["amount"] == smallest


def test_largest_first_stays_with_the_tools() -> None:
    (call,) = plan("top 5 riskiest accounts", SPAN).calls
    assert call.name == "score_leakage"
