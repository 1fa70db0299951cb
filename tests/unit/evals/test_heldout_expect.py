"""`evals.heldout.expectation`: the one builder of a held-out turn's `expect` object.

The frozen sets rebuild byte-identically only if its key order and its rules for what is
written never change, whichever generator calls it and in whatever order it passes keywords.
"""

from __future__ import annotations

import json

import pytest

from evals.heldout import expectation


def test_keys_follow_the_case_format_order_whatever_the_keyword_order() -> None:
    expect = expectation(
        clarify=False,
        refuse=True,
        contains=["102"],
        no_tool=True,
        args={"score_leakage": {"top_n": 5}},
        not_called=["query_duckdb"],
        tools=["score_leakage"],
    )
    assert list(expect) == [
        "tools",
        "tools_not_called",
        "args",
        "no_tool",
        "answer_contains",
        "refuse",
        "clarify",
    ]


def test_a_false_flag_is_written_and_an_empty_list_or_mapping_is_not() -> None:
    expect = expectation(tools=[], not_called=None, args={}, contains=[], refuse=False)
    assert json.dumps(expect) == '{"refuse": false}'


def test_an_unknown_keyword_is_an_error() -> None:
    with pytest.raises(TypeError, match="tool"):
        expectation(tool=["score_leakage"])  # type: ignore[call-arg]
