"""The offline planner's failure classes from the blind held-out set holdout10, each tested
with wordings written for this test (never the held-out sentences):

- a region is a limit of the overview ("How's APAC looking overall on the leakage front?")
  and of decline questions ("how many EMEA accounts are in steep decline?"): the tools take
  it, so no SQL that drops the decline level or reads "contracting" as the contracts table;
- periods reach detect_leakage: a quarter with its year ("in Q3 2026"), "since" with a day
  ("since the 3rd of August 2026"), "the same month" as the last call; SQL "since July 2026"
  runs to the end of the data, not July only;
- leakage types named by two words apart ("their card is expiring") and a prediction ("will
  leak") is scored, not detected;
- counts written as words ("eleven moderately declining customers") are counts, never ids;
- "the bigger one" after a segment list opens the segment with the most customers;
- a bare population with a filter ("customers in APAC?") is counted;
- questions about what the assistant can do for someone get the capabilities reply;
- "is it seasonal or actually shrinking?" with nothing before it asks which account.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agent.offline.model import thread_memory
from agent.offline.planner import plan
from agent.offline.plans import Memory


def _calls(text: str, memory: Memory | None = None) -> list[tuple[str, dict[str, Any]]]:
    return [(call.name, call.args) for call in plan(text, memory).calls]


# --- regions as limits of the overview and of decline questions ------------------------------


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("How's APAC looking overall on the leakage front?", "APAC"),
        ("how is LATAM looking overall, leakage-wise?", "LATAM"),
        ("what's the overall leakage position for EMEA?", "EMEA"),
    ],
)
def test_a_region_limits_the_overview(text: str, region: str) -> None:
    assert _calls(text) == [("portfolio_summary", {"region": region})]


def test_leakage_in_a_region_is_detected_with_the_region_and_legacy_stays_sql() -> None:
    assert _calls("leakage in EMEA?") == [("detect_leakage", {"region": "EMEA"})]
    # no tool takes the billing system: that one is still a query
    assert _calls("leakage for legacy accounts")[0][0] == "query_duckdb"


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("how many EMEA accounts are in steep decline?", {"region": "EMEA", "decline_level": 3}),
        ("count of APAC accounts in moderate decline", {"region": "APAC", "decline_level": 2}),
        ("who is contracting in APAC right now?", {"region": "APAC"}),
        ("which accounts could see revenue contraction next quarter?", {}),
    ],
)
def test_a_decline_question_with_a_region_goes_to_the_decline_tool(
    text: str, args: dict[str, Any]
) -> None:
    assert _calls(text) == [("find_declining_customers", args)]


def test_contracts_are_still_a_table() -> None:
    ((name, args),) = _calls("how many contracts started in 2025?")
    assert name == "query_duckdb"
    assert "FROM contracts" in args["sql"]


# --- periods and leakage-type words on detect_leakage ---------------------------------------


@pytest.mark.parametrize(
    ("text", "args"),
    [
        (
            "expired cards in Q3 2026: what did they cost?",
            {"leakage_type": "Expired_Payment_Method", "since": "2026-07", "until": "2026-09"},
        ),
        (
            "unprocessed downgrades in Q1 2026?",
            {"leakage_type": "Downgrade_Not_Processed", "since": "2026-01", "until": "2026-03"},
        ),
        (
            "unbilled usage found since the 3rd of August 2026?",
            {"leakage_type": "Usage_Overage_Unbilled", "since": "2026-08"},
        ),
    ],
)
def test_a_quarter_or_a_dated_since_reaches_detect_leakage(text: str, args: dict[str, Any]) -> None:
    assert _calls(text) == [("detect_leakage", args)]


_DETECTED_IN_SEPTEMBER = Memory(
    last_tool="detect_leakage",
    last_args={"month": "2026-09", "leakage_type": "Failed_Payment_Retry"},
)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("same month, discount leakage", "Contract_Terms_Error"),
        ("and that month for overages too", "Usage_Overage_Unbilled"),
        ("what about the same period for expired cards?", "Expired_Payment_Method"),
    ],
)
def test_the_same_month_keeps_the_last_calls_month(text: str, kind: str) -> None:
    assert _calls(text, _DETECTED_IN_SEPTEMBER) == [
        ("detect_leakage", {"leakage_type": kind, "month": "2026-09"})
    ]


def test_since_a_month_runs_to_the_end_of_the_data_in_sql() -> None:
    ((name, args),) = _calls("retried payments that failed since June 2026, how many?")
    assert name == "query_duckdb"
    assert "attempted_date >= DATE '2026-06-01'" in args["sql"]
    assert "attempted_date < DATE '2026-07-01'" not in args["sql"]
    ((_, signups),) = _calls("how many new accounts since 2 March 2026?")
    assert "DATE '2026-03-01'" in signups["sql"]
    assert "DATE '2026-04-01'" not in signups["sql"]


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("how many accounts will leak because their card is expiring?", "score_leakage"),
        ("which customers are expected to leak from cards running out?", "score_leakage"),
        ("accounts whose card is about to expire", "detect_leakage"),
    ],
)
def test_a_card_and_an_expiry_word_apart_name_the_type(text: str, tool: str) -> None:
    assert _calls(text) == [(tool, {"leakage_type": "Expired_Payment_Method"})]


# --- counts in words, segment by size, bare populations ------------------------------------


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("eleven moderately declining customers please", {"decline_level": 2, "top_n": 11}),
        ("fourteen accounts in steep decline, plus the total", {"decline_level": 3, "top_n": 14}),
        ("sixteen slightly declining clients", {"decline_level": 1, "top_n": 16}),
    ],
)
def test_a_count_in_words_is_a_count_not_an_account(text: str, args: dict[str, Any]) -> None:
    assert _calls(text) == [("find_declining_customers", args)]


def _segments_thread() -> Memory:
    """A thread whose last answer listed two segments, the second one the larger."""
    content = (
        '{"rows": [{"segment_id": 0, "label": "Mid-size & steady", "n_customers": 300},'
        ' {"segment_id": 1, "label": "Small & volatile", "n_customers": 1638}]}'
    )
    return thread_memory(
        [
            HumanMessage("how are our customers grouped?"),
            AIMessage("", tool_calls=[{"name": "list_segments", "args": {}, "id": "c1"}]),
            ToolMessage(content, tool_call_id="c1"),
        ]
    )


@pytest.mark.parametrize(
    ("text", "segment"),
    [
        ("open the largest one", 1),
        ("zoom into the biggest group", 1),
        ("tell me about the smaller segment", 0),
    ],
)
def test_a_size_word_picks_the_listed_segment_by_its_customers(text: str, segment: int) -> None:
    assert _calls(text, _segments_thread()) == [("segment_report", {"segment_id": segment})]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("customers in APAC?", "region = 'APAC'"),  # a bare population with a filter
        ("EMEA accounts?", "region = 'EMEA'"),
        ("Enterprise customers in EMEA?", "tier = 'Enterprise'"),
        # a count asked at the end counts the accounts named first, not their invoices
        ("LATAM customers still billed on legacy - count?", "billing_system = 'legacy'"),
        ("Enterprise accounts billed in EUR, count?", "currency = 'EUR'"),
    ],
)
def test_the_accounts_a_question_names_are_counted(text: str, where: str) -> None:
    ((name, args),) = _calls(text)
    assert name == "query_duckdb"
    assert args["sql"].startswith("SELECT count(*) AS n_accounts FROM accounts")
    assert where in args["sql"]


# --- capabilities and a missing referent ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "what can you actually do for an FP&A team?",
        "what can you really do for finance?",
        "what could you actually do for our controllers?",
    ],
)
def test_what_the_assistant_can_do_for_someone_is_a_capabilities_question(text: str) -> None:
    assert plan(text).intent == "capabilities"


def test_a_capability_wording_with_a_subject_still_runs_the_tool() -> None:
    assert _calls("how can you help with the APAC decline?") == [
        ("find_declining_customers", {"region": "APAC"})
    ]


@pytest.mark.parametrize(
    "text",
    [
        "is it seasonal or is it actually declining?",
        "is it seasonal, or actually shrinking?",
        "is it shrinking?",
    ],
)
def test_one_accounts_decline_asked_with_nothing_before_asks_which(text: str) -> None:
    chosen = plan(text)
    assert chosen.intent == "clarify"
    assert not chosen.calls


def test_the_population_decline_question_still_lists() -> None:
    assert _calls("which customers are declining?") == [("find_declining_customers", {})]


# --- SQL: a grouped question ordered "biggest first" --------------------------------------


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("detected leakage per tier for 2025, biggest first", "a.tier AS tier"),
        ("detected leakage per region in 2026, biggest first", "a.region AS region"),
    ],
)
def test_biggest_first_orders_a_grouped_question(text: str, column: str) -> None:
    ((name, args),) = _calls(text)
    assert name == "query_duckdb"
    assert args["sql"].startswith(f"SELECT {column}")


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("Revenue looks weird this month. Where should I look first?", {}),
        ("billing seems off in EMEA. where to begin?", {"region": "EMEA"}),
    ],
)
def test_not_knowing_where_to_start_gets_the_overview(text: str, args: dict[str, Any]) -> None:
    assert _calls(text) == [("portfolio_summary", args)]


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("how many failed payment retries in Aug 2026?", {"month": "2026-08"}),
        ("count the failed payment retries since March 2026", {"since": "2026-03"}),
        ("number of failed payment retries in Q2 2026?", {"since": "2026-04", "until": "2026-06"}),
    ],
)
def test_a_leakage_type_named_by_its_own_name_is_detected(
    text: str, period: dict[str, str]
) -> None:
    assert _calls(text) == [("detect_leakage", {"leakage_type": "Failed_Payment_Retry", **period})]


def test_failed_payments_without_the_type_name_stay_a_payments_query() -> None:
    ((name, args),) = _calls("how many failed payments since June 2026?")
    assert name == "query_duckdb"
    assert "FROM payments" in args["sql"]
