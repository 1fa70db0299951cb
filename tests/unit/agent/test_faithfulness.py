"""Numeric faithfulness: numbers in answers must trace to this turn's tool outputs."""

from __future__ import annotations

import pytest

from agent.faithfulness import answer_numbers, check_answer, source_numbers

TOOL = (
    '{"tool":"portfolio_summary","summary":{"n_accounts":1200,"total_mrr":1234567.8,'
    '"leakage_probability":0.834,"monthly_change":-123.4,"expected_loss":51234.75},'
    '"rows":[{"month":"2025-03-01","amount":4990.0}]}'
)


@pytest.mark.parametrize(
    "answer",
    [
        "We have 1,200 accounts.",
        "MRR is $1,234,567.80.",
        "MRR is $1.2M.",
        "MRR is about 1.23 million.",
        "MRR is $1,234,568.",
        "MRR is $1,230,000.",
        "Probability 83.4%.",
        "Probability 83%.",
        "Probability 0.83.",
        "Revenue fell by $123.40 per month.",
        "Revenue changes by -123 a month.",
        "Expected loss: $51k.",
        "Expected loss: €51,235.",
        "In March 2025 the amount was 4,990.",
        "ACC000042 is one of 3 flagged accounts.",
        "1. First point\n2. Second point",
        "No figures at all.",
    ],
)
def test_formatting_is_forgiven(answer: str) -> None:
    report = check_answer(answer, [TOOL])
    assert report.faithful, report.unsupported


@pytest.mark.parametrize(
    ("answer", "unsupported"),
    [
        ("We have 1,300 accounts.", ["1,300"]),
        ("MRR is $2.5M.", ["$2.5M"]),
        ("Probability 91%.", ["91%"]),
        ("Loss: $51,234.75 plus $12,000 = $63,234.75", ["$12,000", "$63,234.75"]),
        ("Expected loss: $60k.", ["$60k"]),
        ("We have 11 accounts.", ["11"]),
    ],
)
def test_unsupported_numbers_are_reported(answer: str, unsupported: list[str]) -> None:
    report = check_answer(answer, [TOOL])
    assert not report.faithful
    assert report.unsupported == unsupported


def test_question_and_arguments_are_sources_too() -> None:
    assert check_answer("Here are the top 25 accounts.", ["top 25 please", {"top_n": 25}]).faithful


def test_ids_and_list_markers_are_not_numbers() -> None:
    assert [m.text for m in answer_numbers("1. ACC000042\n2. ACC000043 costs $12")] == ["$12"]


def test_source_numbers_walk_json_and_text() -> None:
    assert source_numbers(['{"a": [1.5, {"b": -2}]}', "raw 3,000 text", {"c": 4}]) == [
        1.5,
        2.0,
        4.0,
        3000.0,
    ]
