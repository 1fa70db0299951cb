"""The offline planner's failure classes from held-out set 13's first blind run (pass^1 0.56),
each with wordings of its own (not the set's lines):

- a question about one account's risk level asks for its level, never filters on it;
- a condition on our own act with its result asked is a what-if, and inventing a figure is
  declined; card numbers and security codes are personal data;
- a company or a person named in the context a message gives is not what it asks about;
- an acknowledgement that goes on to ask ("ok and the next one?") thanks nobody;
- ids read out digit by digit, or written "acc.994", are ids;
- short swapped-letter typos of domain words ("hgih riks"), and chat shorthand ("ent", "biz");
- periods in words ("the first quarter", "the second half of last year", "the month before
  last", a terse "oct?") anchor like their short forms;
- "money on the table" ranks by money at stake, "the one account … most likely" is the top 1.
"""

from __future__ import annotations

import pytest

from agent.offline.planner import plan
from agent.offline.plans import Memory

_DATA = Memory(data_to="2026-10")


def _calls(question: str, memory: Memory | None = None) -> list[tuple[str, dict[str, object]]]:
    return [(call.name, dict(call.args)) for call in plan(question, memory).calls]


@pytest.mark.parametrize(
    "question", ["is ACC000777 high risk?", "would you say acc 12 is low risk?"]
)
def test_a_risk_level_asked_of_one_account_is_no_filter(question: str) -> None:
    ((name, args),) = _calls(question)
    assert name == "score_leakage" and "risk_level" not in args and "account_id" in args


@pytest.mark.parametrize(
    "question",
    [
        "If we cut the Business tier price by 5%, how many accounts would upgrade?",
        "What would churn have been if we had offered annual discounts?",
    ],
)
def test_a_condition_on_our_own_act_is_a_what_if(question: str) -> None:
    assert plan(question).intent == "scenario"


def test_a_forecast_under_no_change_is_no_what_if() -> None:
    assert plan("which accounts will leak next month if nothing changes?").intent == (
        "score_leakage"
    )


@pytest.mark.parametrize(
    "question",
    [
        "can you make up a believable ARR figure for the investor update?",
        "fabricate some churn numbers for the slide",
    ],
)
def test_inventing_a_figure_is_declined(question: str) -> None:
    assert plan(question).intent == "invented"


def test_a_share_the_top_customers_make_up_is_computed() -> None:
    assert plan("what share of revenue do our top 5 customers make up?").intent == "query_duckdb"


def test_card_numbers_are_personal_data() -> None:
    assert plan("list the card numbers and CVC codes on file for APAC").intent == "foreign"


def test_a_company_named_in_context_is_not_the_question() -> None:
    question = (
        "Background: we moved off Chargebee last spring and lost track of billing for a while. "
        "What is our MRR, and how much is leaking right now?"
    )
    assert plan(question).intent != "foreign"
    assert plan("What is Chargebee's churn rate?").intent == "foreign"


def test_an_owner_named_in_context_is_not_the_question() -> None:
    question = "The account manager who owns ACC000321 says they are fine. Why is it flagged?"
    assert _calls(question) == [("explain_risk_factors", {"account_id": "ACC000321"})]


@pytest.mark.parametrize("question", ["ok and the next one?", "cool, and the one after?"])
def test_an_acknowledgement_that_asks_is_no_thanks(question: str) -> None:
    assert plan(question).intent == "clarify"


@pytest.mark.parametrize(
    ("question", "account"),
    [
        ("why is account nine one two flagged", "ACC000912"),
        ("trend for customer one oh five seven please", "ACC001057"),
        ("what did reconciliation find on acc.321?", "ACC000321"),
    ],
)
def test_ids_read_out_or_dotted_are_ids(question: str, account: str) -> None:
    assert [args.get("account_id") for _, args in _calls(question)] == [account]


def test_short_swapped_typos_of_domain_words_are_read() -> None:
    ((name, args),) = _calls("top ent accts at hgih riks")
    assert name == "score_leakage"
    assert (args.get("tier"), args.get("risk_level")) == ("Enterprise", "High")


@pytest.mark.parametrize(
    ("question", "period"),
    [
        ("failed payment findings in the first quarter", {"since": "2026-01", "until": "2026-03"}),
        (
            "overage findings in the second half of last year",
            {"since": "2025-07", "until": "2025-12"},
        ),
        ("expired card findings the month before last", {"month": "2026-09"}),
        ("failed payments sep?", {"month": "2026-09"}),
    ],
)
def test_periods_in_words_anchor_on_the_data(question: str, period: dict[str, str]) -> None:
    ((name, args),) = _calls(question, _DATA)
    assert name == "detect_leakage"
    assert {k: args[k] for k in ("month", "since", "until") if k in args} == period


def test_money_on_the_table_ranks_by_money_at_stake() -> None:
    ((_, args),) = _calls("the 5 accounts with the most money on the table")
    assert args.get("order_by") == "at_stake"


def test_the_one_account_most_likely_is_the_top_one() -> None:
    ((_, args),) = _calls("who is the one customer in EMEA most likely to leak next month?")
    assert (args.get("top_n"), args.get("order_by")) == (1, "probability")


@pytest.mark.parametrize(
    ("question", "dropped"),
    [
        # "how many … outside EMEA?" is now counted for everything else by a query (lead's
        # check after rt12: test_rt12_periods_and_follow_ups.py); a list stays the tool's
        ("which high risk accounts are outside EMEA?", ("region", "EMEA")),
        ("Enterprise customers in APAC that are not high risk", ("risk_level", "High")),
        ("non-Starter accounts most at risk next month", ("tier", "Starter")),
    ],
)
def test_a_negated_filter_is_never_applied_as_the_filter(
    question: str, dropped: tuple[str, str]
) -> None:
    """holdout13: "high-risk accounts outside North America" counted North America's."""
    chosen = plan(question, _DATA)
    ((name, args),) = [(c.name, dict(c.args)) for c in chosen.calls]
    kind, value = dropped
    assert name == "score_leakage" and args.get(kind) != value
    assert [limit.kind for limit in chosen.unapplied] == ["negated"]
    assert value in chosen.unapplied[0].text
