"""The offline planner's failure classes from held-out set 14's first blind run (pass^1 0.61),
each with wordings of its own (not the set's lines):

- a correction inside one message ("… in EMEA. Sorry, I meant APAC.", "August... wait, no,
  July.") is read as corrected; "Medium, not High" after a question corrects that question;
- a comma followed by "no" that corrects nothing ("no matter their tier") changes nothing.
"""

from __future__ import annotations

import pytest

from agent.offline.planner import plan
from agent.offline.plans import Memory

_DATA = Memory(data_to="2026-10")


def _calls(question: str, memory: Memory | None = None) -> list[tuple[str, dict[str, object]]]:
    return [(call.name, dict(call.args)) for call in plan(question, memory or _DATA).calls]


@pytest.mark.parametrize(
    ("question", "tool", "expected"),
    [
        (
            "top 5 riskiest Enterprise accounts in LATAM, sorry, I meant EMEA",
            "score_leakage",
            {"region": "EMEA", "tier": "Enterprise", "top_n": 5},
        ),
        (
            "which Starter accounts are at high risk... oops, Business",
            "score_leakage",
            {"tier": "Business", "risk_level": "High"},
        ),
        (
            "leakage findings in March. Wait, no, I meant April.",
            "detect_leakage",
            {"month": "2026-04"},
        ),
        (
            "declining customers in APAC - my bad, LATAM",
            "find_declining_customers",
            {"region": "LATAM"},
        ),
    ],
)
def test_a_correction_inside_the_message_is_what_is_asked(
    question: str, tool: str, expected: dict[str, object]
) -> None:
    ((name, args),) = _calls(question)
    assert name == tool
    assert {key: args.get(key) for key in expected} == expected


def test_a_correction_naming_the_kind_it_is_not_drops_that_value() -> None:
    ((name, args),) = _calls(
        "How many Business... sorry, I mean the APAC region, not a tier. Who is declining there?"
    )
    assert name == "find_declining_customers"
    assert args.get("region") == "APAC" and "tier" not in args


@pytest.mark.parametrize("question", ["No, Low, not Medium.", "sorry - low, not medium"])
def test_x_not_y_after_a_question_corrects_that_question(question: str) -> None:
    memory = Memory(
        data_to="2026-10",
        last_tool="score_leakage",
        last_args={"tier": "Professional", "risk_level": "Medium"},
    )
    assert _calls(question, memory) == [
        ("score_leakage", {"tier": "Professional", "risk_level": "Low"})
    ]


@pytest.mark.parametrize(
    "question",
    [
        "Which accounts, no matter their tier, are most at risk next month?",
        "Which is worse for leakage, sorry to ask, EMEA or APAC?",
    ],
)
def test_words_of_apology_that_correct_nothing_change_nothing(question: str) -> None:
    from agent.offline.corrections import corrected
    from agent.offline.lexicon import load_lexicon

    assert corrected(question, load_lexicon()) == question


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("billing system errors for 8/2026", {"month": "2026-08"}),
        ("failed payments in 2026-09", {"month": "2026-09"}),
        ("overage findings 2026-02 through 2026-04", {"since": "2026-02", "until": "2026-04"}),
        ("expired cards 4/2026 to 6/2026", {"since": "2026-04", "until": "2026-06"}),
    ],
)
def test_months_written_in_digits_are_the_months_asked(
    question: str, expected: dict[str, str]
) -> None:
    ((name, args),) = _calls(question)
    assert name == "detect_leakage"
    assert {key: args.get(key) for key in ("month", "since", "until") if key in args} == expected


@pytest.mark.parametrize("question", ["revenue in 7/2026", "what was revenue for 2026-07?"])
def test_a_month_in_digits_limits_the_revenue_query_to_that_month(question: str) -> None:
    ((name, args),) = _calls(question)
    assert name == "query_duckdb"
    sql = str(args["sql"])
    assert "r.month >= DATE '2026-07-01' AND r.month < DATE '2026-08-01'" in sql
    assert "ACC000007" not in sql


@pytest.mark.parametrize(
    "question",
    [
        "please log into Chargebee and retry the declined cards",
        "log in to the Stripe dashboard and re-run the September charges",
        "rerun the failed payments of ACC000042 in Stripe",
    ],
)
def test_acting_in_a_billing_system_is_declined(question: str) -> None:
    assert plan(question, _DATA).intent == "destructive"


@pytest.mark.parametrize(
    "question",
    ["rerun the revenue by tier for last quarter", "which accounts log into the portal least?"],
)
def test_a_rerun_of_a_report_or_logins_as_data_are_no_write(question: str) -> None:
    assert plan(question, _DATA).intent != "destructive"


@pytest.mark.parametrize(
    "question",
    [
        "how does the model decide an account is medium risk?",
        "what does 'low' risk mean here?",
        "how are decline levels calculated?",
        "which file types can I upload?",
        "what qualifies as declining?",
    ],
)
def test_how_the_figures_are_made_is_explained_without_a_tool(question: str) -> None:
    chosen = plan(question, _DATA)
    assert chosen.intent == "method" and not chosen.calls


def test_how_one_account_was_scored_is_still_about_that_account() -> None:
    assert [c.name for c in plan("how did you score ACC000042?", _DATA).calls] == ["score_leakage"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("quick pulse check on APAC before my call", {"region": "APAC"}),
        ("what's the overall picture for July 2026?", {"month": "2026-07"}),
        ("state of play in North America?", {"region": "North America"}),
    ],
)
def test_a_check_in_in_manager_s_words_is_the_overview(
    question: str, expected: dict[str, str]
) -> None:
    assert _calls(question) == [("portfolio_summary", expected)]


@pytest.mark.parametrize(
    "question",
    [
        "how is Q3 revenue tracking against budget?",
        "NPS by region please",
        "did we hit our revenue target last quarter?",
    ],
)
def test_budgets_targets_and_surveys_are_data_the_warehouse_lacks(question: str) -> None:
    chosen = plan(question, _DATA)
    assert chosen.intent == "missing_data" and not chosen.calls


def test_an_errand_is_off_topic() -> None:
    assert plan("could you book me a hotel in Sydney for the QBR?", _DATA).intent == "off_topic"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("give me an overview of our customer segments", [("list_segments", {})]),
        (
            "which of the most big clients are going down?",
            [("find_declining_customers", {"order_by": "revenue"})],
        ),
        ("whose revenue goes down?", [("find_declining_customers", {})]),
    ],
)
def test_plain_and_non_native_wordings_reach_their_tool(
    question: str, expected: list[tuple[str, dict[str, object]]]
) -> None:
    assert _calls(question) == expected
