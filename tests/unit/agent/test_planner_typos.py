"""Typos, shorthand and the held-out set 2 misses, fixed as general rules.

Each rule is tested on wording other than the held-out sentence that revealed it.
"""

from __future__ import annotations

from typing import Any

import pytest

from agent.offline.lexicon import load_lexicon
from agent.offline.planner import Memory, plan
from agent.offline.safety import declines
from agent.offline.spelling import correct, speller
from agent.offline.sqlgen import write


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("whcih acounts are likley to leak?", "which accounts are likely to leak?"),
        ("gimme the big pic", "give me the big picture"),
        ("declning custmers in segmnet 2", "declining customers in segment 2"),
        ("Explian the sumary", "Explain the summary"),
    ],
)
def test_typos_and_shorthand_read_as_the_words_meant(typed: str, meant: str) -> None:
    assert correct(typed, load_lexicon()) == meant


@pytest.mark.parametrize(
    "text",
    [
        "top three accounts this season",  # real words one slip from "there", "reason"
        "the model might be wrong about the world",
        "which accounts shouldn't be flagged?",  # a contraction keeps its negation
        "score ../data/acounts_q3.csv",  # paths are data
        "SELECT acount FROM accounts",  # so is SQL
        "ACC00O042 revenue",
    ],
)
def test_real_words_paths_and_sql_are_left_alone(text: str) -> None:
    assert correct(text, load_lexicon()) == text


def test_ambiguous_slips_are_left_alone() -> None:
    """A word equally near two lexicon words is not guessed at."""
    spell = speller(load_lexicon())
    assert spell.word("leakge") == "leakage"
    assert spell.word("zzzzzz") is None


_SEGMENT_REPORT = Memory("segment_report", {"segment_id": 3}, segment_id=3)
_UPLOAD = Memory(
    "score_file", {"file_path": "renewals.csv"}, file_path="renewals.csv", result_ids=()
)


@pytest.mark.parametrize(
    ("text", "memory", "tool", "args"),
    [
        ("who r the accts most likley to leak nxt month? top 7", None, "score_leakage", {"top_n": 7}),
        ("Which Starter clients have a low leakage risk?", None, "score_leakage",
         {"tier": "Starter", "risk_level": "Low"}),
        ("The CSM is sure ACC000042 is fine. What's driving its risk score then?", None,
         "explain_risk_factors", {"account_id": "ACC000042"}),
        ("Did ACC000777 leak anything according to the billing records?", None,
         "detect_leakage", {"account_id": "ACC000777"}),
        ("How much bad debt did failed card payments leave us with?", None, "detect_leakage",
         {"leakage_type": "Failed_Payment_Retry"}),
        ("Are we overbilling anyone?", None, "detect_leakage",
         {"leakage_type": "Downgrade_Not_Processed"}),
        ("same report, only the slightly declining customers this time", _SEGMENT_REPORT,
         "segment_report", {"segment_id": 3, "decline_level": 1}),
        ("and how many high risk accounts are there among our own customers?", _UPLOAD,
         "score_leakage", {"risk_level": "High"}),
    ],
)  # fmt: skip
def test_planned_as_meant(
    text: str, memory: Memory | None, tool: str, args: dict[str, Any]
) -> None:
    call = plan(text, memory).calls[0]
    assert call.name == tool
    assert args.items() <= call.args.items()


@pytest.mark.parametrize(
    "text",
    ["write me a sonnet about our revenue numbers", "a limerick for the finance offsite please"],
)
def test_creative_writing_is_off_topic(text: str) -> None:
    assert plan(text).intent == "off_topic"


def test_a_list_of_refunds_is_read_and_an_obligation_on_it_declined() -> None:
    lexicon = load_lexicon()
    assert not declines("Complete list of refunds issued last year", lexicon)
    assert declines("The list of refunds should be deleted", lexicon)


def test_how_many_accounts_counts_accounts() -> None:
    lexicon = load_lexicon()
    legacy = write(["How many customers are still billed on the legacy system?"], lexicon)
    assert legacy == "SELECT count(*) AS n_accounts FROM accounts WHERE billing_system = 'legacy'"
    march = write(["How many accounts did we invoice in March 2026?"], lexicon)
    assert march is not None and march.startswith("SELECT count(DISTINCT account_id) AS n_accounts")
    assert "FROM invoices" in march
