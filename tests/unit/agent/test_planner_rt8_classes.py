"""The offline planner's failure classes from the outside red team's report rt8 (defects 2, 7,
8, 12, 19, 22, 24, 25 and 28), with the red team's questions and variants of each class:

- a customer id of any shape the message names ("CUST-003", "C-1042", "acme-001") is read as
  that id, never replaced by another customer of the thread's list;
- a count ("the 3 biggest", "top 5") is never an account id;
- a year that overlaps the data is clipped to it and said, only a period wholly outside is
  refused;
- a correction ("no, I meant Enterprise only") re-asks the previous question with the limit;
- questions about data the warehouse does not hold (sales reps, costs, acquisition spend,
  headcount) or about the future of revenue get a plain reply naming what is missing;
- after an upload, a question about the file is answered from the file, and a new file sent
  with a message is scored.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from agent_fakes import offline_answer, tool_turn
from langchain_core.messages import HumanMessage, ToolMessage

from agent.offline.model import ChatOfflinePlanner, thread_memory
from agent.offline.planner import plan
from agent.offline.plans import Memory
from services.periods import DataPeriod, PeriodError, check_period

_LISTED = Memory(
    last_tool="find_declining_customers",
    result_ids=("ACC000469", "ACC000830", "ACC000611"),
    result_rows=(
        {"account_id": "ACC000469"},
        {"account_id": "ACC000830"},
        {"account_id": "ACC000611"},
    ),
    list_tool="find_declining_customers",
)


def _ids(chosen: Any) -> list[Any]:
    return [c.args.get("account_id") or c.args.get("customer_id") for c in chosen.calls]


# --- D2: ids that are not ACC… ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tool", "account"),
    [
        ("Show the revenue trend of CUST-003", "decompose_trend", "CUST-003"),
        ("Is customer CUST-003 declining?", "decompose_trend", "CUST-003"),
        ("what's the trend for acme-001?", "decompose_trend", "acme-001"),
        ("why is C-1042 flagged?", "explain_risk_factors", "C-1042"),
        ("is customer cust_17 shrinking?", "decompose_trend", "cust_17"),
        ("What's the leakage risk on CUST0042?", "score_leakage", "CUST0042"),
    ],
)
def test_an_id_of_any_shape_is_read_as_that_id(text: str, tool: str, account: str) -> None:
    for memory in (None, _LISTED):  # the thread's list never stands in for a named id
        chosen = plan(text, memory)
        assert [c.name for c in chosen.calls] == [tool], (text, chosen)
        assert _ids(chosen) == [account], (text, chosen)


@pytest.mark.parametrize(
    "text",
    [
        "revenue in Q4-2025 by tier",
        "declining customers mid-2025",
        "top-5 riskiest accounts",
        "which customers are level-3 decliners?",
        "revenue for Sep-25",
        "covid-19 impact on churn",
    ],
)
def test_periods_and_counts_with_a_hyphen_are_no_ids(text: str) -> None:
    assert not any(_ids(plan(text))), plan(text)


def test_two_named_ids_of_another_shape_are_both_answered() -> None:
    chosen = plan("show the trend for CUST-001 and CUST-002")
    assert _ids(chosen) == ["CUST-001", "CUST-002"], chosen


# --- D24: a count is never an account --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tool", "top_n"),
    [
        ("what were the 3 biggest declining customers by revenue?", "find_declining_customers", 3),
        ("the 4 largest decliners", "find_declining_customers", 4),
        ("show me the 2 worst declining customers", "find_declining_customers", 2),
        ("what are the 3 biggest leaking accounts?", None, 3),
    ],
)
def test_a_count_is_never_an_account(text: str, tool: str | None, top_n: int) -> None:
    for memory in (None, _LISTED):
        chosen = plan(text, memory)
        assert chosen.calls, (text, chosen)
        assert not any(_ids(chosen)), (text, chosen)
        (call,) = chosen.calls
        assert tool is None or call.name == tool, (text, chosen)
        assert call.args.get("top_n") == top_n, (text, chosen)


# --- D22: a year overlapping the data is clipped and said ------------------------------------

_COVERED = DataPeriod("2024-11", "2026-10")


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        ("2026-01", "2026-12", ("2026-01", "2026-10")),  # this year so far
        ("2024-01", "2024-12", ("2024-11", "2024-12")),  # the data start in November
        ("2024-01", "2027-06", ("2024-11", "2026-10")),
        (None, "2027-03", (None, "2026-10")),
        ("2024-06", None, ("2024-11", None)),
    ],
)
def test_a_period_overlapping_the_data_is_clipped(
    since: str | None, until: str | None, expected: tuple[str | None, str | None]
) -> None:
    assert check_period(_COVERED, since=since, until=until) == expected


@pytest.mark.parametrize(
    ("month", "since", "until"),
    [(None, "2027-01", "2027-12"), (None, "2023-01", "2023-12"), ("2027-01", None, None)],
)
def test_a_period_wholly_outside_the_data_is_refused(
    month: str | None, since: str | None, until: str | None
) -> None:
    with pytest.raises(PeriodError, match="2024-11 to 2026-10"):
        check_period(_COVERED, month=month, since=since, until=until)


def test_the_answer_says_a_year_was_cut_to_the_data() -> None:
    question = "how much leakage did we detect in 2026?"
    (call,) = plan(question).calls
    assert call.name == "detect_leakage"
    summary = {
        "scope": "all types",
        "n_findings": 3,
        "n_accounts": 2,
        "total_amount": 100.0,
        "latest_month": "2026-10",
        "latest_month_amount": 10.0,
        "period": "2026-01 to 2026-10",
    }
    answer = offline_answer(question, call.name, call.args, {"summary": summary, "rows": []})
    first = answer.split("\n\n")[0]
    assert "2026" in first and "so far" in first and "2026-10" in first, answer
    whole = {**summary, "period": "2025-01 to 2025-12"}
    answer = offline_answer(
        "leakage detected in 2025",
        call.name,
        {"since": "2025-01", "until": "2025-12"},
        {"summary": whole, "rows": []},
    )
    assert "so far" not in answer, answer


# --- D8: a correction re-asks the previous question ------------------------------------------


def _after_sql(question: str) -> Memory:
    (call,) = plan(question).calls
    assert call.name == "query_duckdb"
    return Memory(last_tool="query_duckdb", last_args=call.args, sql_questions=(question,))


@pytest.mark.parametrize(
    ("first", "correction", "needles"),
    [
        (
            "How much revenue did each tier bring in last quarter?",
            "no, I meant Enterprise only",
            ("'Enterprise'",),
        ),
        (
            "How much revenue did each region bring in last quarter?",
            "no, I meant last month",
            ("region",),
        ),
        ("What was revenue by tier in 2025?", "sorry, I meant 2024", ("2024",)),
        (
            "How much revenue did each region bring in last quarter?",
            "actually, just EMEA",
            ("EMEA",),
        ),
    ],
)
def test_a_correction_re_asks_the_data_question(
    first: str, correction: str, needles: tuple[str, ...]
) -> None:
    memory = _after_sql(first)
    (call,) = plan(correction, memory).calls
    assert call.name == "query_duckdb", call
    assert call.args["sql"] != memory.last_args["sql"]
    for needle in needles:
        assert needle in call.args["sql"], call.args["sql"]


def test_a_correction_to_last_month_changes_the_period() -> None:
    memory = _after_sql("How much revenue did each region bring in last quarter?")
    (call,) = plan("no, I meant last month", memory).calls
    sql = call.args["sql"]
    assert "quarter" not in sql.lower() or sql != memory.last_args["sql"]
    assert "a.region AS region" in sql, sql


@pytest.mark.parametrize(
    ("first", "correction", "key", "value"),
    [
        ("top 5 riskiest accounts", "no, I meant Enterprise", "tier", "Enterprise"),
        ("Which customers are declining?", "no, I meant segment 2", "segment_id", 2),
        ("how much leakage did we detect in 2025?", "sorry, I meant 2024", "since", "2024-01"),
    ],
)
def test_a_correction_re_asks_the_tool_question(
    first: str, correction: str, key: str, value: Any
) -> None:
    (call,) = plan(first).calls
    memory = Memory(
        last_tool=call.name, last_args=call.args, list_tool=call.name, list_args=call.args
    )
    (again,) = plan(correction, memory).calls
    assert again.name == call.name, again
    assert again.args.get(key) == value, again


# --- D12, D19, D28: the future of revenue, and data the warehouse does not hold -------------


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("What will revenue be next quarter?", "forecast"),
        ("forecast our total revenue for 2027", "forecast"),
        ("what's our projected MRR next year?", "forecast"),
        ("which sales rep owns the most at-risk revenue?", "sales rep"),
        ("revenue by account manager", "sales rep"),
        # rt9: a person other than a sales rep was dropped and the rest answered
        ("which customer success manager has the most churned accounts?", "success manager"),
        ("which CSM has the most churned accounts?", "success manager"),
        ("churned accounts by account owner", "success manager"),
        ("leakage by CSM this year", "success manager"),
        ("who is the owner of ACC000042?", "success manager"),
        ("which account manager looks after the most at-risk revenue?", "success manager"),
        ("top AEs by revenue in 2025", "success manager"),
        ("what's our gross margin by tier?", "cost"),
        ("what is our CAC payback period?", "acquisition"),
        ("how much did we spend on marketing last quarter?", "acquisition"),
        ("what's our headcount by department?", "headcount"),
    ],
)
def test_data_the_warehouse_does_not_hold_is_named(text: str, missing: str) -> None:
    for memory in (None, _after_sql("whats our reveneu by regoin last quartr")):
        chosen = plan(text, memory)
        assert chosen.calls == () and chosen.intent == "missing_data", (text, chosen)
        reply = ChatOfflinePlanner().respond([HumanMessage(text)], None).text
        assert missing in reply.lower(), reply
        assert "write it as SQL" not in reply and "outside what I can help" not in reply, reply


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("Which customers are likely to decline next quarter?", "find_declining_customers"),
        ("Which accounts are most at risk next month?", "score_leakage"),
        ("What was revenue last quarter?", "query_duckdb"),
        ("revenue by tier in 2025", "query_duckdb"),
        ("Which accounts have the highest expected loss?", "score_leakage"),
        # a person only mentioned, not asked about
        (
            "Which customers are only mildly declining? Early-warning list for the CSMs.",
            "find_declining_customers",
        ),
        ("explain the risk factors on ACC001448, the CSM is asking", "explain_risk_factors"),
    ],
)
def test_questions_the_data_answers_still_run(text: str, tool: str) -> None:
    assert [c.name for c in plan(text).calls] == [tool], plan(text)


# --- D7, D25: questions about an uploaded file; a second file ---------------------------------

_SCORED = Memory(
    last_tool="score_file",
    last_args={"file_path": "/u/t/acc_title.xlsx"},
    file_path="/u/t/acc_title.xlsx",
    result_ids=("ACC000017", "ACC000020", "ACC000014"),
    result_rows=(
        {"account_id": "ACC000017", "risk_level": "Low", "leakage_probability": 0.023},
        {"account_id": "ACC000020", "risk_level": "Low", "leakage_probability": 0.071},
        {"account_id": "ACC000014", "risk_level": "Medium", "leakage_probability": 0.223},
    ),
    list_tool="score_file",
    list_args={"file_path": "/u/t/acc_title.xlsx"},
    result_total=3,
)


def test_the_riskiest_uploaded_account_is_explained_from_the_file() -> None:
    chosen = plan("which uploaded account has the highest risk and why?", _SCORED)
    (call,) = chosen.calls
    assert call.name == "score_file", call
    assert call.args == {"file_path": "/u/t/acc_title.xlsx", "account_id": "ACC000014"}


@pytest.mark.parametrize(
    "text",
    [
        "What is the total MRR of the uploaded accounts?",
        "what's the combined MRR of these accounts?",
    ],
)
def test_a_total_of_the_files_column_is_answered_as_that_total(text: str) -> None:
    """rt9 D7: the file's scoring sums its own columns; the answer is that sum (checked end to
    end in tests/unit/tools/test_file_followups.py), not the scoring's list again."""
    chosen = plan(text, _SCORED)
    assert chosen.intent == "file_total" and chosen.topic == "sum:mrr", chosen
    assert [c.name for c in chosen.calls] == ["score_file"], chosen


@pytest.mark.parametrize(
    "text",
    [
        "Score the file /u/t/acc_reorder.csv. and this one from our EU entity",
        "Score the file /u/t/acc_reorder.csv. same for this one",
        "Score the file /u/t/acc_reorder.csv. and the third one?",
    ],
)
def test_a_new_file_sent_with_a_message_is_scored(text: str) -> None:
    (call,) = plan(text, _SCORED).calls
    assert call.name == "score_file", call
    assert call.args["file_path"] == "/u/t/acc_reorder.csv", call
    assert "account_id" not in call.args, call


def test_the_file_is_ranked_by_probability_when_the_thread_holds_part_of_it() -> None:
    """20 accounts scored, 10 listed: the highest probability may be among the others, so
    the file is ranked by probability and its first account listed with its factors (rt9
    D7: listing the Medium-risk accounts by expected loss put ACC000014 second, unnamed)."""
    partial = Memory(
        **{
            **_SCORED.__dict__,
            "result_total": 20,
            "result_summary": {"n_high_risk": 0, "n_medium_risk": 3, "n_low_risk": 17},
        }
    )
    (call,) = plan("which uploaded account has the highest risk and why?", partial).calls
    expected = {"file_path": "/u/t/acc_title.xlsx", "order_by": "probability", "top_n": 1}
    assert call.args == expected, call


def test_the_thread_remembers_the_scored_rows_and_how_many_there_are() -> None:
    rows = [
        {"account_id": "ACC000017", "risk_level": "Low", "leakage_probability": 0.023},
        {"account_id": "CUST-014", "risk_level": "Medium", "leakage_probability": 0.223},
    ]
    turn = tool_turn(
        "Score the file /u/t/a.csv", "score_file", {"file_path": "/u/t/a.csv"}, rows, 1
    )
    content = {"summary": {"n_listed": 20, "n_medium_risk": 3}, "rows": rows, "n_rows": 2}
    turn[2] = ToolMessage(json.dumps(content), tool_call_id="c1", name="score_file")
    memory = thread_memory(turn)
    assert memory.result_ids == ("ACC000017", "CUST-014")
    assert memory.result_total == 20 and memory.result_summary["n_medium_risk"] == 3
    assert memory.result_rows[1]["leakage_probability"] == 0.223


@pytest.mark.parametrize(
    "text",
    [
        "What will revenue be next quarter?",
        "which sales rep owns the most at-risk revenue?",
        "what's our gross margin by tier?",
        "what is our CAC payback period?",
        "what's our headcount by department?",
        "what's in our sales pipeline?",
    ],
)
def test_a_missing_data_reply_quotes_no_number_the_guard_would_replace(text: str) -> None:
    """The numeric-faithfulness guard replaces a reply whose numbers come from nowhere."""
    from agent.faithfulness import check_answer

    reply = ChatOfflinePlanner().respond([HumanMessage(text)], None).text
    assert check_answer(reply, [text]).faithful, reply


def test_the_answer_says_any_period_was_cut_to_the_data() -> None:
    summary = {"scope": "all types", "n_findings": 1, "period": "2024-11 onwards"}
    answer = offline_answer(
        "leakage detected since June 2024",
        "detect_leakage",
        {"since": "2024-06"},
        {"summary": summary, "rows": []},
    )
    first = answer.split("\n\n")[0]
    assert "from 2024-06" in first and "2024-11 onwards" in first, answer


def test_a_new_question_after_actually_is_no_correction() -> None:
    memory = _after_sql("How much revenue did each region bring in last quarter?")
    (call,) = plan("actually, how many accounts churned this year?", memory).calls
    assert call.name == "query_duckdb"
    assert "region" not in call.args["sql"] and "churn" in call.args["sql"].lower(), call
