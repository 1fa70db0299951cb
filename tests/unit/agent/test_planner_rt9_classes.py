"""Classes of question an outside retest (rt9) found fixed for one wording only, answered end to
end (`revrisk ask --json` on the rt8 copy of the 300-account world: an imported GBP revenue
file and known leakage findings; see test_metric_answers_rt8.py), each figure checked against
a query written here:

- N3: a revenue question naming two or more customers, ACC ids and imported ids mixed, gets a
  row per customer (it was handed back as "please write it as SQL", or two ACC ids summed);
- D22: a relative period on a detected-leakage question ("this year", "last quarter", "since
  June", "in H1") reaches the tool as months, anchored on the data's last month;
- D23: "which accounts are leaking the most?" and its variants rank accounts by their summed
  findings, not single findings (the wordings with a period are in test_metric_answers_rt8.py);
- D19 (in test_planner_rt8_classes.py): a question grouped by or about a person the warehouse
  has no field for (a customer success manager, an account owner) gets the plain reply, not a
  partial answer.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import pytest
import typer
from langchain_core.messages import HumanMessage, SystemMessage
from test_metric_answers_rt8 import IMPORTED, ask, money, rows, truth, world

from agent.graph import system_prompt
from agent.offline.model import thread_memory
from agent.offline.planner import plan
from prompts import load_prompt
from tools.context import Context

__all__ = ["world"]  # the rt8 world fixture, shared


def _per_customer(world: Path, ids: tuple[str, ...], since: str, until: str) -> list[Any]:
    """(customer, currency, revenue) of each id in [since, until), independently of the
    planner: ACC ids from the invoices' view, the others from the imported file."""
    got = []
    for customer in ids:
        got += [
            (c, cur, money(v))
            for c, cur, v in truth(
                world,
                "SELECT account_id, currency, sum(net_revenue) FROM monthly_revenue "
                "WHERE upper(account_id) = upper(?) AND month >= CAST(? AS DATE) "
                "AND month < CAST(? AS DATE) GROUP BY ALL ORDER BY 2",
                customer,
                since,
                until,
            )
        ]
    return got


# ------------------------------------------------------------------ N3: several customers
@pytest.mark.parametrize(
    ("question", "ids"),
    [
        ("what was revenue of ACC000042 and CUST-001 in 2026?", ("ACC000042", "CUST-001")),
        ("revenue of CUST-002, acc 42 and C-77 in 2026", ("CUST-002", "ACC000042", "C-77")),
        # two ACC ids were summed into one figure
        ("what was revenue of ACC000042 and ACC000043 in 2026?", ("ACC000042", "ACC000043")),
        ("compare revenue of ACC000042 and CUST-001 in 2026", ("ACC000042", "CUST-001")),
    ],
)
def test_revenue_of_several_customers_is_a_row_each(
    app: typer.Typer, world: Path, question: str, ids: tuple[str, ...]
) -> None:
    got = rows(ask(app, world, question))
    expected = _per_customer(world, ids, "2026-01-01", "2027-01-01")
    assert len({c for c, _, _ in expected}) == len(ids)  # each has revenue in 2026
    assert [(r["customer"], r["currency"], money(r["net_revenue"])) for r in got] == expected


def test_several_customers_over_a_relative_period(app: typer.Typer, world: Path) -> None:
    """ "X vs Y revenue last quarter": the data end in 2026-10, so 2026-07 to 2026-09."""
    out = ask(app, world, "ACC000042 vs CUST-001 revenue last quarter")
    got = [(r["customer"], r["currency"], money(r["net_revenue"])) for r in rows(out)]
    assert got == _per_customer(world, ("ACC000042", "CUST-001"), "2026-07-01", "2026-10-01")
    assert "CUST-001" in out["answer"] and "ACC000042" in out["answer"]


def test_a_named_customer_without_revenue_keeps_its_row(app: typer.Typer, world: Path) -> None:
    got = rows(ask(app, world, "what was revenue of CUST-001 and CUST-999 in 2026?"))
    assert [r["customer"] for r in got] == ["CUST-001", "CUST-999 (no revenue found)"]
    assert got[1]["net_revenue"] is None
    assert "CUST-001" in IMPORTED


def test_one_account_alone_is_still_its_own_total() -> None:
    [call] = plan("what was revenue of ACC000042 in 2026?").calls
    assert "account_id = 'ACC000042'" in call.args["sql"]


# ------------------------------------------------------------------ D22: relative periods
def test_the_offline_planner_reads_the_data_span_from_the_system_prompt(world: Path) -> None:
    prompt = system_prompt(Context(db_path=str(world)))
    memory = thread_memory([SystemMessage(prompt), HumanMessage("hi")])
    (last,) = truth(world, "SELECT strftime(max(month), '%Y-%m') FROM usage_monthly")[0]
    assert memory.data_to == last == "2026-10"


_SYSTEM = load_prompt(
    "system", sql_row_cap=200, today="2026-12-05", first_month="2024-11", last_month="2026-10"
)
_ANCHORED = thread_memory([SystemMessage(_SYSTEM)])
"""A thread whose system prompt says the data end in 2026-10, as every model is told."""


@pytest.mark.parametrize(
    ("question", "months"),
    [
        (
            "how much did we lose to expired cards this year?",
            {"since": "2026-01"},
        ),
        ("expired card leakage YTD", {"since": "2026-01"}),
        (
            "what have expired cards cost us so far this year?",
            {"since": "2026-01"},
        ),
        ("how much leakage did we detect last quarter?", {"since": "2026-07", "until": "2026-09"}),
        ("failed payment retries since June - how much?", {"since": "2026-06"}),
        ("how much did unbilled overages cost us in H1?", {"since": "2026-01", "until": "2026-06"}),
        ("detected leakage over the last 3 months", {"since": "2026-08"}),
        ("how much leakage did we find last year?", {"since": "2025-01", "until": "2025-12"}),
    ],
)
def test_a_relative_period_on_detected_leakage_is_applied(
    question: str, months: dict[str, str]
) -> None:
    chosen = plan(question, _ANCHORED)
    [call] = chosen.calls
    assert call.name == "detect_leakage", chosen
    assert {k: call.args.get(k) for k in ("month", "since", "until") if call.args.get(k)} == months
    assert not chosen.unapplied, chosen.unapplied


def test_a_stated_year_is_kept_and_no_anchor_states_the_period_unapplied() -> None:
    [call] = plan("how much did we lose to expired cards in 2025?", _ANCHORED).calls
    assert (call.args["since"], call.args["until"]) == ("2025-01", "2025-12")
    unanchored = plan("how much did we lose to expired cards this year?")
    assert unanchored.unapplied  # without the data's span it is said, never guessed


def test_a_correction_to_a_relative_period_is_applied() -> None:
    memory = replace(
        _ANCHORED,
        last_tool="detect_leakage",
        last_args={"leakage_type": "Expired_Payment_Method"},
    )
    [call] = plan("no, I meant last quarter", memory).calls
    assert call.args == {
        "leakage_type": "Expired_Payment_Method",
        "since": "2026-07",
        "until": "2026-09",
    }


def test_this_year_reaches_the_leakage_tool_end_to_end(
    app: typer.Typer, world: Path, tool_log: list[tuple[str, dict[str, Any]]]
) -> None:
    out = ask(app, world, "how much did we lose to expired cards this year?")
    assert tool_log == [
        (
            "detect_leakage",
            {
                "leakage_type": "Expired_Payment_Method",
                "since": "2026-01",
                "top_n": 10,
            },
        )
    ]
    assert "Not limited to" not in out["answer"]


# ------------------------------------------------------------------ D23: per account
# (wordings with a period: test_metric_answers_rt8.py `test_top_accounts_by_detected_leakage…`)
def test_accounts_leaking_the_most_without_a_period_sum_every_finding(
    app: typer.Typer, world: Path
) -> None:
    """No period: every finding so far, as detect_leakage reads them (rt9 expected the
    all-months totals), not the latest month alone."""
    got = rows(ask(app, world, "which accounts are leaking the most?"))
    expected = truth(
        world,
        "SELECT account_id, sum(amount) FROM detected_leakage GROUP BY 1 ORDER BY 2 DESC, 1 "
        "LIMIT 10",
    )
    assert [(r["account_id"], money(r["detected_leakage"])) for r in got] == [
        (a, money(v)) for a, v in expected
    ]


@pytest.fixture(scope="module")
def typed_world(world: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rt8 world plus 2025 findings of two real types: by finding, ACC000060's one
    failed retry (25,000) and ACC000070's expired card (99,000) come first; by account and
    type, ACC000050's three failed retries (30,000)."""
    path = tmp_path_factory.mktemp("typed") / "w.duckdb"
    shutil.copy(world, path)
    findings = [("ACC000050", m, "Failed_Payment_Retry", 10_000) for m in (3, 6, 9)] + [
        ("ACC000060", 4, "Failed_Payment_Retry", 25_000),
        ("ACC000070", 5, "Expired_Payment_Method", 99_000),
    ]
    with duckdb.connect(str(path)) as con:
        for account, month, kind, amount in findings:
            con.execute(
                "INSERT INTO detected_leakage VALUES (?, make_date(2025, ?, 1), ?, ?, 'USD', "
                "NULL, NULL, 'test', '{}')",
                [account, month, kind, amount],
            )
    return path


def test_accounts_losing_us_the_most_to_one_type_sum_that_type(
    app: typer.Typer, typed_world: Path
) -> None:
    question = "which customers lost us the most to failed payments in 2025?"
    got = rows(ask(app, typed_world, question))
    expected = truth(
        typed_world,
        "SELECT account_id, sum(amount), count(*) FROM detected_leakage WHERE leakage_type = "
        "'Failed_Payment_Retry' AND month >= DATE '2025-01-01' AND month < DATE '2026-01-01' "
        "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
    )
    assert [(r["account_id"], money(r["detected_leakage"]), r["n_findings"]) for r in got] == [
        (a, money(v), n) for a, v, n in expected
    ]
    assert expected[0][:1] == ("ACC000050",) and len(expected) == 2


# D19 (a person the warehouse has no field for): test_planner_rt8_classes.py
# `test_data_the_warehouse_does_not_hold_is_named` and `test_questions_the_data_answers_still_run`.
