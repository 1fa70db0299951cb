"""The offline planner asks instead of guessing (issue 13), declines data it does not hold,
and reads ids, limits and lists the way finance people type them."""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage

from agent.offline.lexicon import load_lexicon
from agent.offline.model import ACTIONS_KEY, ChatOfflinePlanner
from agent.offline.planner import plan
from agent.offline.plans import CLARIFY_BELOW, Memory

LISTED = Memory(
    last_tool="score_leakage",
    last_args={"top_n": 5},
    result_ids=("ACC000011", "ACC000022", "ACC000033", "ACC000044", "ACC000055"),
)


@pytest.mark.parametrize(
    "question",
    [
        "why is that one flagged?",  # a thread's first message: no referent
        "show its trend",
        "five's fine",
        "how are things with billing",
    ],
)
def test_unsure_plans_ask_with_two_or_three_options(question: str) -> None:
    chosen = plan(question)
    assert chosen.intent == "clarify", question
    assert not chosen.calls
    assert chosen.confidence < CLARIFY_BELOW
    assert chosen.question.endswith("?")
    assert 2 <= len(chosen.options) <= 3
    assert all("overview" not in option.label.lower() for option in chosen.options)


def test_every_offered_reading_is_one_the_planner_answers() -> None:
    """Each option of the lexicon, clicked, plans a tool call (no clarification loop)."""
    table = load_lexicon().raw["clarify"]["options"]
    values = {"tier": "Enterprise ", "account": "ACC000042", "segment": 2, "n": 10}
    memory = Memory(file_path="upload.csv")
    for key, (_, message) in table.items():
        chosen = plan(message.format(**values), memory)
        assert chosen.calls, (key, message)


def test_the_question_says_why_the_planner_asks() -> None:
    """Each reason the planner asks for has its question in the lexicon's [clarify.questions]."""
    questions = load_lexicon().raw["clarify"]["questions"]
    assert set(questions) == {"unsure", "referent", "segment", "listed", "referents"}
    assert all(text.endswith("?") for text in questions.values())
    assert plan("why is that one flagged?").question == questions["referent"]
    assert plan("how are things with billing").question == questions["unsure"]


def test_the_clarification_carries_clickable_actions_and_ends_with_a_question() -> None:
    message = ChatOfflinePlanner().respond([HumanMessage("why is that one flagged?")], None)
    assert not message.tool_calls
    assert message.text.rstrip().endswith("?")
    actions = message.additional_kwargs[ACTIONS_KEY]
    assert 2 <= len(actions) <= 3
    assert all(set(action) == {"label", "message"} for action in actions)


@pytest.mark.parametrize(
    "question",
    [
        "What are Netflix's churn numbers?",
        "how does our churn compare to the Zuora benchmark",
        "what's the CEO's salary",
        "Chargebee NRR for SaaS companies like us?",
        "how do we stack up against competitors on retention",
    ],
)
def test_other_companies_and_people_are_declined(question: str) -> None:
    assert plan(question).intent == "foreign", question


@pytest.mark.parametrize(
    "question",
    [
        "forward the dunning list to collections@acme.com",
        "bump their price 10%",
        "ping the account owner on slack about ACC000042",
        "share the high-risk list with sales",
    ],
)
def test_actions_outside_the_tools_are_declined(question: str) -> None:
    assert plan(question).intent == "destructive", question


@pytest.mark.parametrize(
    ("question", "account"),
    [
        ("why is #1265 flagged?", "ACC001265"),
        ("North Pixel Labs #321 - why flagged?", "ACC000321"),
    ],
)
def test_hash_ids_are_accounts(question: str, account: str) -> None:
    chosen = plan(question)
    assert chosen.calls[0].args.get("account_id") == account


@pytest.mark.parametrize(
    ("question", "top_n"),
    [("top accounts at risk, five max", 5), ("riskiest accounts, 7 tops", 7)],
)
def test_limits_written_after_the_number(question: str, top_n: int) -> None:
    assert plan(question).calls[0].args["top_n"] == top_n


def test_a_spelled_limit_on_a_list_is_no_account() -> None:
    chosen = plan("five's fine", LISTED)
    assert all("account_id" not in call.args for call in chosen.calls)


@pytest.mark.parametrize(
    ("question", "accounts"),
    [
        ("the 2nd and the 4th — why?", ["ACC000022", "ACC000044"]),
        ("why are those three flagged?", ["ACC000011", "ACC000022", "ACC000033"]),
        ("explain the first and the last one", ["ACC000011", "ACC000055"]),
    ],
)
def test_lists_of_positions_resolve_over_the_last_list(question: str, accounts: list[str]) -> None:
    chosen = plan(question, LISTED)
    assert [call.name for call in chosen.calls] == ["explain_risk_factors"] * len(accounts)
    assert [call.args["account_id"] for call in chosen.calls] == accounts


@pytest.mark.parametrize(
    ("question", "order_by"),
    [
        ("Which ten accounts are most at risk?", None),  # the default: expected loss
        ("Which accounts are most likely to leak next month?", "probability"),
        ("top 5 accounts with the most money at stake", "at_stake"),
        ("top 5 accounts by expected loss", "expected_loss"),
    ],
)
def test_rankings_mean_what_they_say(question: str, order_by: str | None) -> None:
    assert plan(question).calls[0].args.get("order_by") == order_by


def test_every_rank_order_has_a_column_and_a_label() -> None:
    from domain import RANK_LABELS, RANK_ORDERS
    from services.leakage.service import _RANKS

    assert set(_RANKS) == set(RANK_ORDERS) == set(RANK_LABELS)
