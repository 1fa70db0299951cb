"""rt9 D24: a list of declining customers asked for by revenue or size ("the 3 biggest declining
customers by revenue", "which of our biggest customers are declining?") is ranked by revenue
(order_by="revenue"); one asked for by likelihood, or by the size of the fall, keeps the
default ranking by decline probability (no order_by)."""

from __future__ import annotations

import pytest

from agent.offline.planner import Memory, plan

_AFTER_A_LIST = Memory(
    last_tool="score_leakage",
    last_args={"top_n": 5},
    result_ids=("ACC000528", "ACC000042", "ACC000007"),
)


def _declining(text: str, memory: Memory | None = None) -> dict[str, object]:
    calls = plan(text, memory).calls
    assert [c.name for c in calls] == ["find_declining_customers"], (text, calls)
    return dict(calls[0].args)


@pytest.mark.parametrize(
    ("text", "extra"),
    [
        ("what were the 3 biggest declining customers by revenue?", {"top_n": 3}),
        ("top 3 declining customers by revenue", {"top_n": 3}),
        ("which of our biggest customers are declining?", {}),
        ("largest 3 customers by revenue that are declining sharply", {"top_n": 3}),
        ("which three largest accounts are shrinking?", {"top_n": 3}),
        ("declining customers with the highest MRR", {}),
        ("list the declining customers by average monthly revenue", {}),
        ("which of our top-paying clients are declining?", {}),
    ],
)
def test_by_revenue_or_size_ranks_by_revenue(text: str, extra: dict[str, object]) -> None:
    for memory in (None, _AFTER_A_LIST):
        args = _declining(text, memory)
        assert args.get("order_by") == "revenue", (text, args)
        assert all(args.get(k) == v for k, v in extra.items()), (text, args)


@pytest.mark.parametrize(
    "text",
    [
        "which customers are declining?",
        "which customers are most likely to decline?",
        "the 4 largest decliners",
        "show me the 2 worst declining customers",
        "which customers have the biggest revenue drop?",
        "which customers had the biggest decline?",
    ],
)
def test_otherwise_the_default_probability_ranking(text: str) -> None:
    assert "order_by" not in _declining(text), text
