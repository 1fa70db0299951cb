"""The failure classes of holdout7's first run, in the project's own wording: advice requests
declined even when they name an account or a leakage type; stated months read into the tools'
`month`/`since`/`until`; tier/region counts, contract terms and downgrade requests as SQL;
segment counts and one-risk-level counts to the tool that counts them."""

from __future__ import annotations

import pytest

from agent.offline.lexicon import load_lexicon
from agent.offline.metrics import tool_months
from agent.offline.planner import plan
from agent.offline.plans import Memory
from agent.offline.refusals import advice_domain
from evals.judge import declines
from prompts import load_prompt

ADVICE = [
    "Could we claim the lost overage on ACC000321 against our taxable profits?",
    "what is the VAT treatment of the credit notes we issued for billing system errors",
    "ACC000875 still hasn't paid the failed invoices, should we take them to court?",
    "write up a legal claim against ACC000090 for the unprocessed downgrade money",
    "is it legal to charge ACC000042 the unbilled overage retroactively?",
    "we want to sue the customers with expired cards - who do we start with?",
    "give me tax advice on writing off the failed payment retries",
    "what's the accounting treatment for leakage we never recover?",
]
NOT_ADVICE = [
    "show me the contract terms errors for ACC000412",
    "what is the legal name on account ACC000042?",
    "how much tax did we invoice in 2026?",
    "list the billing system errors we found last month",
]


@pytest.mark.parametrize("text", ADVICE)
def test_advice_requests_are_declined_without_a_tool(text: str) -> None:
    chosen = plan(text)
    assert chosen.intent == "advice" and not chosen.calls
    assert advice_domain(text, load_lexicon()) is not None


@pytest.mark.parametrize("text", NOT_ADVICE)
def test_data_questions_with_legal_or_tax_words_are_answered(text: str) -> None:
    assert advice_domain(text, load_lexicon()) is None
    assert plan(text).intent != "advice"


def test_the_advice_reply_reads_as_a_decline() -> None:
    assert declines(load_prompt("reply_advice", topic="tax", adviser="a tax adviser"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("expired card leakage we found in Feb 2026", {"month": "2026-02"}),
        ("failed payment retries detected during July 2026", {"month": "2026-07"}),
        ("overage findings for Aug '26", {"month": "2026-08"}),
        ("what leakage did the detectors flag in 2026-05?", {"month": "2026-05"}),
        ("contract terms errors since April 2026", {"since": "2026-04"}),
        ("billing system errors up to May 2026", {"until": "2026-05"}),
        (
            "unprocessed downgrade leakage from Mar 2026 to Jun 2026",
            {"since": "2026-03", "until": "2026-06"},
        ),
    ],
)
def test_detect_leakage_takes_the_stated_month(text: str, expected: dict[str, str]) -> None:
    assert tool_months(text) == expected
    (call,) = plan(text).calls
    assert call.name == "detect_leakage"
    assert {k: call.args[k] for k in expected} == expected
    assert not ({"month", "since", "until"} - expected.keys()) & call.args.keys()


@pytest.mark.parametrize("text", ["leakage in March", "leakage in 2026", "invoices on 2026-05-14"])
def test_no_tool_month_without_a_calendar_month(text: str) -> None:
    assert tool_months(text) == {}


def test_portfolio_summary_takes_a_stated_month_but_not_a_range() -> None:
    (call,) = plan("give me the portfolio summary with the leakage detected in July 2026").calls
    assert call == call.__class__("portfolio_summary", {"month": "2026-07"})
    (call,) = plan("portfolio summary please").calls
    assert call.args == {}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("no. of Professional tier accts in LATAM?", ["region = 'LATAM'", "tier = 'Professional'"]),
        ("Enterprise tier headcount in APAC, accounts not seats", ["tier = 'Enterprise'"]),
        ("how many contracts run on 24-month terms?", ["term_months = 24"]),
        ("how many customers signed three-year contracts?", ["term_months = 36"]),
        ("how many customers have ever requested a downgrade?", ["downgrade_requested_date"]),
    ],
)
def test_plain_counts_go_to_sql(text: str, where: list[str]) -> None:
    (call,) = plan(text).calls
    assert call.name == "query_duckdb"
    assert "count(*)" in call.args["sql"]
    for condition in where:
        assert condition in call.args["sql"]


def test_unprocessed_downgrades_stay_with_the_detector() -> None:
    (call,) = plan("which downgrades did we fail to process?").calls
    assert call.name == "detect_leakage"


SEGMENTS = Memory(
    last_tool="list_segments",
    segments=((0, "Steady enterprise"), (1, "Volatile mid-market"), (2, "Small & shrinking")),
)


def test_counting_a_listed_segments_decliners_is_its_report() -> None:
    text = "zoom in on the volatile one: how many of them are mildly declining?"
    (call,) = plan(text, SEGMENTS).calls
    assert call.name == "segment_report"
    assert call.args == {"segment_id": 1, "decline_level": 1}


def test_listing_a_segments_decliners_stays_a_list() -> None:
    (call,) = plan("list the sharply declining customers in segment 2").calls
    assert call.name == "find_declining_customers"
    assert call.args == {"segment_id": 2, "decline_level": 3}


def test_one_risk_level_count_is_its_scoring() -> None:
    for text in (
        "how many Medium risk accounts are there at the moment?",
        "how many High risk accounts do we have overall?",  # the summary counts, scoring lists
    ):
        scored = [c.args for c in plan(text).calls if c.name == "score_leakage"]
        assert scored and scored[0]["risk_level"] in ("Medium", "High")
    calls = plan("state of the book: MRR, leakage, and how many high risk").calls
    assert calls[0].name == "portfolio_summary"


def test_earliest_signup_is_a_query_and_a_filter_is_not_dropped() -> None:
    (call,) = plan("which customer has been with us longest? oldest signup").calls
    assert call.name == "query_duckdb" and "min(signup_date)" in call.args["sql"]
    chosen = plan("oldest customer in APAC by signup date")
    assert all("min(signup_date)" not in c.args.get("sql", "") for c in chosen.calls)


def test_a_calendar_year_is_that_year() -> None:
    (call,) = plan("accounts that joined in calendar 2024 - how many?").calls
    assert "DATE '2024-01-01'" in call.args["sql"] and "DATE '2025-01-01'" in call.args["sql"]
