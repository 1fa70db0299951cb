"""Entities the offline planner reads: ids (bare, typed with a look-alike letter), decline
degrees, number words, and the follow-ups that switch or keep them."""

from __future__ import annotations

from typing import Any

import pytest

from agent.offline.entities import extract_entities
from agent.offline.lexicon import load_lexicon, tokenize
from agent.offline.planner import Memory, plan


def entities(text: str) -> Any:
    return extract_entities(text, tokenize(text), load_lexicon())


def test_lookalike_letters_in_an_id_are_read_as_digits() -> None:
    found = entities("Why's ACC00O042 high risk?")
    assert (found.account_id, found.typed_id) == ("ACC000042", "ACC00O042")
    assert entities("Why is ACC000042 flagged?").typed_id is None


@pytest.mark.parametrize(
    ("text", "bare"),
    [
        ("is 1234 really shrinking or is it just noise", "ACC001234"),
        ("and the same for 1210", "ACC001210"),
        ("Top 5 declining customers", None),
        ("How many invoices did we issue in 2025?", None),
        ("give him a 20% discount", None),
        ("more than 500 a month", None),
        ("List the accounts, 20 of them", None),
    ],
)
def test_a_bare_number_is_only_a_candidate_id(text: str, bare: str | None) -> None:
    assert entities(text).bare_id == bare


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Any customers with a mild downward drift?", 1),
        ("Which customers' spend is dropping steeply?", 3),
        ("moderately declining accounts", 2),
        ("Which small customers are declining?", None),
        ("level-2 decliners in segment 0", 2),
        ("customers at decline level #1", 1),
        ("accounts at risk level 3", None),
    ],
)
def test_decline_degree(text: str, level: int | None) -> None:
    assert entities(text).decline_level == level


def test_a_level_or_segment_number_is_no_row_count() -> None:
    assert entities("show segment 1 customers that are declining").top_n is None
    assert entities("the decline level-1 customers, please").top_n is None
    assert entities("segment 1: 20 customers with the sharpest decline").top_n == 20


def test_a_degree_alone_is_a_decline_level_only_in_a_thread_about_declines() -> None:
    declining = Memory(last_tool="find_declining_customers", last_args={"segment_id": 0})
    chosen = plan("only the steep ones please", declining)
    assert chosen.calls[0].args == {"segment_id": 0, "decline_level": 3}
    assert plan("and the mild ones?", declining).calls[0].args["decline_level"] == 1
    scored = Memory(last_tool="score_leakage", last_args={"tier": "Enterprise"})
    assert "decline_level" not in plan("only the sharp ones", scored).calls[0].args


def test_a_decline_question_about_the_threads_account_is_its_trend() -> None:
    explained = Memory(
        last_tool="explain_risk_factors",
        last_args={"account_id": "ACC000088"},
        account_id="ACC000088",
    )
    chosen = plan("is that account shrinking as well?", explained)
    assert (chosen.calls[0].name, chosen.calls[0].args) == (
        "decompose_trend",
        {"account_id": "ACC000088"},
    )
    listed = Memory(last_tool="score_leakage", last_args={}, result_ids=("ACC000001",))
    assert plan("are they declining?", listed).calls[0].name == "find_declining_customers"
    assert plan("which of them are declining?", explained).calls[0].name == (
        "find_declining_customers"
    )


def test_number_words() -> None:
    assert entities("How healthy is segment zero?").segment_id == 0
    assert entities("Tell me about segment one").segment_id == 1
    assert entities("Show me every high risk account, up to 50 of them").top_n == 50


TREND = Memory(
    last_tool="decompose_trend", last_args={"account_id": "ACC000002"}, account_id="ACC000002"
)
DETECTED = Memory(last_tool="detect_leakage", last_args={"leakage_type": "Expired_Payment_Method"})
SCORED = Memory(
    last_tool="score_leakage", last_args={"account_id": "ACC001443"}, account_id="ACC001443"
)
UPLOADED = Memory(
    last_tool="score_file", last_args={"file_path": "uploads/a.csv"}, file_path="uploads/a.csv"
)

FOLLOW_UPS: list[tuple[Memory, str, str, dict[str, Any]]] = [
    (TREND, "and the same for 1210", "decompose_trend", {"account_id": "ACC001210"}),
    (TREND, "how about 77?", "decompose_trend", {"account_id": "ACC000077"}),
    (
        DETECTED,
        "and which accounts are likely to hit that next month?",
        "score_leakage",
        {"leakage_type": "Expired_Payment_Method"},
    ),
    (SCORED, "any leakage actually detected?", "detect_leakage", {"account_id": "ACC001443"}),
    (
        SCORED,
        "Show me unbilled overages across all accounts",
        "detect_leakage",
        {"leakage_type": "Usage_Overage_Unbilled"},
    ),
    (
        UPLOADED,
        "which ones are high risk?",
        "score_file",
        {"file_path": "uploads/a.csv", "risk_level": "High"},
    ),
    (UPLOADED, "top 5 of those", "score_file", {"file_path": "uploads/a.csv", "top_n": 5}),
    (
        UPLOADED,
        "which of those should we worry about most?",
        "score_file",
        {"file_path": "uploads/a.csv"},
    ),
    (UPLOADED, "Which accounts in the warehouse are riskiest?", "score_leakage", {}),
    (
        Memory(
            last_tool="explain_risk_factors", last_args={"account_id": "ACC1"}, file_path="up.csv"
        ),
        "which of the uploaded accounts are high risk?",
        "score_file",
        {"file_path": "up.csv", "risk_level": "High"},
    ),
]


@pytest.mark.parametrize(("memory", "question", "tool", "args"), FOLLOW_UPS)
def test_follow_up_switches_or_keeps_entities(
    memory: Memory, question: str, tool: str, args: dict[str, Any]
) -> None:
    chosen = plan(question, memory)
    assert (chosen.calls[0].name, chosen.calls[0].args) == (tool, args), question


def test_one_account_turns_a_population_question_into_its_trend() -> None:
    chosen = plan("Is ACC000004 really shrinking or is it just lumpy?")
    assert (chosen.calls[0].name, chosen.calls[0].args) == (
        "decompose_trend",
        {"account_id": "ACC000004"},
    )
