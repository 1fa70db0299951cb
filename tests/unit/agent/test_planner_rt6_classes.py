"""The offline planner's failure classes from the outside red team's report rt6 (defects 1, 4,
9 and 13), with the red team's questions and variants of each class:

- a limit the question names (region, tier, segment, period, breakdown, a comparison of
  periods) is applied by a tool argument, or stated in the answer, never dropped silently;
- a digit inside markup or code is no account id, and every account named is answered;
- a period outside the data is refused naming the covered range;
- an account that exists but has no score says so;
- follow-ups keep the thread (defect 11: "same thing but by region", "why?" after a new list).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from agent_fakes import offline_answer
from agent_fakes import tool_turn as _turn

from agent.offline.lexicon import load_lexicon
from agent.offline.model import thread_memory
from agent.offline.narratives import narrate
from agent.offline.planner import plan
from agent.offline.plans import Memory
from data.sql_guard import SqlLimits, run_query

# --- defect 1: limits the tool cannot apply are stated, never dropped -------------------------

UNAPPLIED = [  # (question, tool chosen, the limit as the answer must name it)
    ("which accounts on the legacy billing system are riskiest?", "score_leakage", "legacy"),
    ("list the segments in APAC", "list_segments", "APAC"),
    (
        "which customers are declining in APAC on the legacy system?",
        "find_declining_customers",
        "legacy",
    ),
    # "Which region has the highest detected leakage this year?" is now split by region and
    # limited to the year by a query (rt12 T-M2, test_rt12_periods_and_follow_ups.py); a count
    # of findings by region is still the tool's, its limits stated
    ("Which region has the most findings this year?", "detect_leakage", "this year"),
    ("Which region has the most findings this year?", "detect_leakage", "region"),
    # "How does this month's detected leakage compare with last month?" is now compared by a
    # query (rt14 V-H5, test_planner_rt14_values.py); a comparison of risk scores is still
    # the tool's, its limit stated
    (
        "How do the riskiest accounts this month compare with last month?",
        "score_leakage",
        "this month and last month",
    ),
    ("which customers were declining in 2025?", "find_declining_customers", "2025"),
    ("riskiest accounts last quarter", "score_leakage", "last quarter"),
]


@pytest.mark.parametrize(("text", "tool", "limit"), UNAPPLIED)
def test_a_limit_the_tool_cannot_apply_is_stated(text: str, tool: str, limit: str) -> None:
    chosen = plan(text)
    assert [call.name for call in chosen.calls] == [tool], text
    assert any(limit in unapplied.text for unapplied in chosen.unapplied), chosen.unapplied


CARRIED = [  # rt6's questions: the tools now take the region and tier as arguments
    ("top 5 riskiest accounts in APAC", "score_leakage", {"region": "APAC", "top_n": 5}),
    ("How much MRR is at risk in EMEA?", "portfolio_summary", {"region": "EMEA"}),
    ("Which customers are declining in LATAM?", "find_declining_customers", {"region": "LATAM"}),
    ("Show declining Enterprise customers", "find_declining_customers", {"tier": "Enterprise"}),
    ("declining customers in Europe", "find_declining_customers", {"region": "EMEA"}),
]


@pytest.mark.parametrize(("text", "tool", "args"), CARRIED)
def test_a_limit_the_tool_takes_is_its_argument(text: str, tool: str, args: dict[str, Any]) -> None:
    chosen = plan(text)
    assert [(call.name, call.args) for call in chosen.calls] == [(tool, args)]
    assert chosen.unapplied == ()


APPLIED = [  # the tool carries the limit: nothing to state
    "top 5 Enterprise accounts by risk",
    "declining customers in segment 0",
    "failed payment leakage in Oct 2026",
    "Which accounts are most at risk next month?",
    "How are we doing overall?",
    "What's the risk on ACC000042?",
    "revenue by region last quarter",
    "Which tier leaks the most?",
]


@pytest.mark.parametrize("text", APPLIED)
def test_nothing_is_stated_when_every_limit_is_applied(text: str) -> None:
    chosen = plan(text)
    assert chosen.calls and chosen.unapplied == (), (chosen.calls, chosen.unapplied)


@pytest.mark.parametrize(
    ("text", "since", "until"),
    [
        ("How much did we lose to expired cards in 2025?", "2025-01", "2025-12"),
        ("failed payment retry leakage during 2026", "2026-01", "2026-12"),
    ],
)
def test_a_year_becomes_the_leakage_period(text: str, since: str, until: str) -> None:
    (call,) = plan(text).calls
    assert call.name == "detect_leakage"
    assert (call.args.get("since"), call.args.get("until")) == (since, until)
    assert plan(text).unapplied == ()


def test_the_answer_opens_with_the_limit_it_could_not_apply() -> None:
    content = {"summary": {"n_accounts": 3, "n_high_risk": 1}, "rows": []}
    question = "top 5 riskiest accounts in APAC on the legacy billing system"
    answer = offline_answer(question, "score_leakage", {"top_n": 5, "region": "APAC"}, content)
    first = answer.split("\n\n")[0]
    assert "legacy" in first and "could not" in first and "APAC" not in first, answer
    plain = offline_answer("top 5 riskiest accounts", "score_leakage", {"top_n": 5}, content)
    assert "could not" not in plain


def test_the_limit_wording_lives_in_the_lexicon() -> None:
    words = load_lexicon().raw["limits"]
    assert {"filter", "period", "comparison", "breakdown"} <= words.keys()


# --- defect 4: stray numbers are no accounts; every named account is answered ----------------


@pytest.mark.parametrize(
    "text",
    [
        "Why is <img src=x onerror=alert(1)> flagged?",
        "why is the account from the alert(1) email flagged?",
        "is <script>f(7)</script> at risk?",
    ],
)
def test_a_digit_inside_markup_or_code_is_no_account(text: str) -> None:
    chosen = plan(text)
    ids = [c.args.get("account_id") or c.args.get("customer_id") for c in chosen.calls]
    assert not any(ids), chosen


@pytest.mark.parametrize(
    ("text", "accounts"),
    [
        ("what is the risk for account 7 and account 9?", ["ACC000007", "ACC000009"]),
        ("why are ACC000007 and ACC000009 flagged?", ["ACC000007", "ACC000009"]),
        ("show the trend for customer 42, customer 43 and customer 44", None),
    ],
)
def test_every_named_account_is_answered(text: str, accounts: list[str] | None) -> None:
    expected = accounts or ["ACC000042", "ACC000043", "ACC000044"]
    chosen = plan(text)
    ids = [c.args.get("account_id") or c.args.get("customer_id") for c in chosen.calls]
    assert ids == expected, chosen


def test_a_bare_number_as_a_word_is_still_an_account() -> None:
    (call,) = plan("is 1234 shrinking?").calls
    assert call.args == {"account_id": "ACC001234"}


# --- defect 9: a period outside the data is refused naming the covered range ------------------


@pytest.mark.parametrize(
    "text", ["What was revenue in March 2027?", "revenue in 2019", "revenue in Q1 2030"]
)
def test_a_period_outside_the_data_is_refused_naming_the_range(text: str, warehouse: Path) -> None:
    (call,) = plan(text).calls
    assert call.name == "query_duckdb"
    result = run_query(
        warehouse, call.args["sql"], limits=SqlLimits.from_settings(row_cap=50, timeout_s=10)
    )
    rows = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
    low, high = rows[0]["data_from"], rows[0]["data_to"]
    answer = narrate("query_duckdb", json.dumps({"rows": rows, "n_rows": len(rows)}))
    assert f"{low} to {high}" in answer and "no data" in answer, answer
    assert " to 2026" not in answer.split("covers")[0]  # no backwards "2027-03 to 2026-10"


def test_a_period_inside_the_data_is_answered(warehouse: Path) -> None:
    (call,) = plan("revenue by region last quarter").calls
    result = run_query(
        warehouse, call.args["sql"], limits=SqlLimits.from_settings(row_cap=50, timeout_s=10)
    )
    rows = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
    answer = narrate("query_duckdb", json.dumps({"rows": rows, "n_rows": len(rows)}))
    assert "no data" not in answer and "data_from" not in answer, answer


# --- defect 11: follow-ups keep the thread --------------------------------------------------


@pytest.mark.parametrize(
    "follow_up", ["same thing but by region", "same thing by region", "same again by region"]
)
def test_same_thing_by_another_dimension_refolds_the_data_question(follow_up: str) -> None:
    first = "How much revenue did each tier bring in last quarter?"
    (call,) = plan(first).calls
    memory = Memory(last_tool="query_duckdb", last_args=call.args, sql_questions=(first,))
    (again,) = plan(follow_up, memory).calls
    assert again.name == "query_duckdb"
    assert "a.region AS region" in again.args["sql"] and "quarter" in again.args["sql"]


def test_why_after_a_new_list_explains_that_list_not_an_earlier_account() -> None:
    history = [
        *_turn(
            "Which customers are sharply declining?",
            "find_declining_customers",
            {"decline_level": 3},
            [{"customer_id": "ACC000100"}, {"customer_id": "ACC000469"}],
            1,
        ),
        *_turn("and the second one?", "decompose_trend", {"account_id": "ACC000469"}, [], 2),
        *_turn(
            "Which accounts are most at risk next month?",
            "score_leakage",
            {},
            [{"account_id": "ACC000528"}, {"account_id": "ACC001446"}],
            3,
        ),
    ]
    (call,) = plan("why?", thread_memory(history)).calls
    assert call.args == {"account_id": "ACC000528"}


@pytest.mark.parametrize(
    ("follow_up", "region"),
    [("which of those are in LATAM?", "LATAM"), ("how many of those are in EMEA?", "EMEA")],
)
def test_a_question_about_the_list_after_opening_one_row_means_the_list(
    follow_up: str, region: str
) -> None:
    history = [
        *_turn(
            "Which customers are sharply declining?",
            "find_declining_customers",
            {"decline_level": 3},
            [{"customer_id": "ACC000100"}, {"customer_id": "ACC000469"}],
            1,
        ),
        *_turn("and the second one?", "decompose_trend", {"account_id": "ACC000469"}, [], 2),
    ]
    chosen = plan(follow_up, thread_memory(history))
    assert [(c.name, c.args) for c in chosen.calls] == [
        ("find_declining_customers", {"decline_level": 3, "region": region})
    ]
    assert chosen.unapplied == ()  # the list's own tool carries the region
