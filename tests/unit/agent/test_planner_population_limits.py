"""A region or tier the question names is carried by the analysis tool's arguments, in the
first question and in follow-ups about the last list ("which of those are Enterprise?").

The single-turn wordings were written before reading how the lexicon names regions; they are
not the red team's. Before the tools took `region` (and the decline list `tier`), each of these
answered for every account with a "Not limited to …" caveat, or went to another tool
(`score_leakage` for "which of those are Enterprise?" after a decline list).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from agent_fakes import tool_turn as _turn

from agent.offline.model import thread_memory
from agent.offline.planner import plan
from data.warehouse import connect

FRESH = [  # (question, tool, arguments): every limit named is an argument, nothing stated
    # written before reading the lexicon:
    (
        "which APAC accounts are most likely to leak revenue?",
        "score_leakage",
        {"region": "APAC", "order_by": "probability"},
    ),
    ("what's our revenue at risk across North America?", "portfolio_summary", {"region": "North America"}),
    ("portfolio overview for LATAM only", "portfolio_summary", {"region": "LATAM"}),
    ("are any of our Enterprise clients shrinking?", "find_declining_customers", {"tier": "Enterprise"}),
    ("list falling-revenue customers in Europe", "find_declining_customers", {"region": "EMEA"}),
    # written after, for tier + region together and for detect_leakage:
    (
        "Professional tier customers in APAC with declining revenue",
        "find_declining_customers",
        {"tier": "Professional", "region": "APAC"},
    ),
    ("top 3 riskiest Business accounts in latam", "score_leakage", {"tier": "Business", "region": "LATAM", "top_n": 3}),
    ("where have we lost money in APAC since June 2026?", "detect_leakage", {"region": "APAC", "since": "2026-06"}),
    ("list the unbilled overages in LATAM", "detect_leakage", {"region": "LATAM", "leakage_type": "Usage_Overage_Unbilled"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "tool", "args"), FRESH)
def test_a_named_region_or_tier_is_the_tools_argument(
    text: str, tool: str, args: dict[str, Any]
) -> None:
    chosen = plan(text)
    assert [(call.name, call.args) for call in chosen.calls] == [(tool, args)], text
    assert chosen.unapplied == (), chosen.unapplied


DECLINERS = _turn(
    "who's losing revenue?",
    "find_declining_customers",
    {},
    [{"customer_id": "ACC000100"}, {"customer_id": "ACC000469"}],
    1,
)


@pytest.mark.parametrize(
    ("follow_up", "args"),
    [
        ("just the Enterprise ones", {"tier": "Enterprise"}),
        ("only those based in LATAM", {"region": "LATAM"}),
        ("and only in EMEA?", {"region": "EMEA"}),
        ("which of those are Starter?", {"tier": "Starter"}),
        ("how many of those are Enterprise?", {"tier": "Enterprise"}),
        ("how many of them are in asia pacific?", {"region": "APAC"}),
    ],
)
def test_a_follow_up_narrows_the_last_list_with_its_own_tool(
    follow_up: str, args: dict[str, Any]
) -> None:
    chosen = plan(follow_up, thread_memory(DECLINERS))
    assert [(c.name, c.args) for c in chosen.calls] == [("find_declining_customers", args)]
    assert chosen.unapplied == ()


def test_limits_add_up_over_the_thread_and_survive_opening_a_row() -> None:
    enterprise = _turn(
        "which of those are Enterprise?",
        "find_declining_customers",
        {"tier": "Enterprise"},
        [{"customer_id": "ACC001525"}],
        2,
    )
    opened = _turn("open the first one", "decompose_trend", {"account_id": "ACC001525"}, [], 3)
    history = [*DECLINERS, *enterprise, *opened]
    chosen = plan("which of those are in LATAM?", thread_memory(history))
    assert [(c.name, c.args) for c in chosen.calls] == [
        ("find_declining_customers", {"tier": "Enterprise", "region": "LATAM"})
    ]


@pytest.mark.parametrize("count", ["how many of them?", "how many of those are there?"])
def test_how_many_after_a_limited_list_counts_that_list(count: str) -> None:
    enterprise = _turn(
        "which of those are Enterprise?",
        "find_declining_customers",
        {"tier": "Enterprise", "region": "APAC"},
        [{"customer_id": "ACC001525"}],
        2,
    )
    opened = _turn("open the first one", "decompose_trend", {"account_id": "ACC001525"}, [], 3)
    for history in ([*DECLINERS, *enterprise], [*DECLINERS, *enterprise, *opened]):
        chosen = plan(count, thread_memory(history))
        assert [(c.name, c.args) for c in chosen.calls] == [
            ("find_declining_customers", {"tier": "Enterprise", "region": "APAC"})
        ]


def test_a_risk_list_keeps_its_arguments_and_adds_the_region() -> None:
    risky = _turn(
        "top 5 riskiest accounts",
        "score_leakage",
        {"top_n": 5},
        [{"account_id": "ACC000528", "tier": "Enterprise"}],
        1,
    )
    chosen = plan("which of those are in APAC?", thread_memory(risky))
    assert [(c.name, c.args) for c in chosen.calls] == [
        ("score_leakage", {"top_n": 5, "region": "APAC"})
    ]


@pytest.mark.parametrize(
    ("tool", "args", "kept"),
    [
        ("score_leakage", {"region": "APAC", "top_n": 5}, {"region": "APAC", "top_n": 5}),
        ("detect_leakage", {"region": "LATAM", "tier": "Business"}, {"region": "LATAM", "tier": "Business", "order_by": "detected_leakage"}),
    ],
)  # fmt: skip
def test_a_plan_for_the_list_keeps_its_limits(
    tool: str, args: dict[str, Any], kept: dict[str, Any]
) -> None:
    history = _turn("…", tool, args, [{"account_id": "ACC000528"}], 1)
    chosen = plan("what should we do about those?", thread_memory(history))
    assert chosen.intent == "recommend"
    assert [(c.name, c.args) for c in chosen.calls] == [("score_leakage", kept)]


# --- the whole loop: real tools on a small world, counts against SQL -------------------------


@pytest.fixture(scope="module")
def trend_world(small_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's small world with a fresh trend cache."""
    from services.trends.service import refresh_trend_cache

    db = tmp_path_factory.mktemp("population_limits") / "world.duckdb"
    shutil.copy(small_world, db)
    refresh_trend_cache(db)
    return db


def _count(db: Path, condition: str, params: list[Any]) -> int:
    with connect(db, read_only=True) as con:
        row = con.execute(
            "SELECT count(*) FROM trend_metrics m JOIN accounts a USING (account_id) "
            f"WHERE m.decline_level >= 1 AND {condition}",
            params,
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_how_many_of_those_counts_the_limited_list_not_the_opened_row(
    trend_world: Path, tmp_path: Path
) -> None:
    from agent.run import Agent
    from tools import TOOLS

    with connect(trend_world, read_only=True) as con:
        row = con.execute(
            "SELECT a.tier, a.region FROM trend_metrics m JOIN accounts a USING (account_id) "
            "WHERE m.decline_level >= 1 GROUP BY ALL ORDER BY count(*) DESC, 1, 2 LIMIT 1"
        ).fetchone()
    assert row is not None
    tier, region = str(row[0]), str(row[1])
    with Agent.open(
        db_path=trend_world, checkpoint=tmp_path / "threads.sqlite", tools=list(TOOLS)
    ) as agent:
        agent.ask("which customers are declining?", "t1")
        opened = agent.ask("open up the second one", "t1")
        by_tier = agent.ask(f"how many of those are on the {tier} tier?", "t1")
        both = agent.ask(f"and only in {region}?", "t1")
    assert [c["name"] for c in opened.tool_calls] == ["decompose_trend"]
    assert by_tier.tool_calls == [{"name": "find_declining_customers", "args": {"tier": tier}}]
    n_tier = _count(trend_world, "a.tier = ?", [tier])
    assert f": {n_tier} customers" in by_tier.answer and "Not limited" not in by_tier.answer
    assert f"{tier} accounts" in by_tier.answer
    assert both.tool_calls == [
        {"name": "find_declining_customers", "args": {"tier": tier, "region": region}}
    ]
    n_both = _count(trend_world, "a.tier = ? AND a.region = ?", [tier, region])
    assert f": {n_both} customers" in both.answer and f"{tier} accounts in {region}" in both.answer
    assert by_tier.faithful and both.faithful
