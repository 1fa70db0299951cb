"""Region and tier limits carried by the analysis tools (score_leakage, portfolio_summary,
detect_leakage, find_declining_customers), on the small test world with fresh caches.

Every figure is checked against SQL written here on the same warehouse (never against the
tool's own output), and the scope the answer prints names the limit. Before these arguments
existed, each call below was a validation error (`region` is not an argument of …).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from data.warehouse import connect
from tools.context import Context
from tools.schemas import TOOL_ARGS, model_arguments

ToolCall = Callable[..., tuple[dict[str, Any], dict[str, Any]]]
REGIONS_OF = "account_id IN (SELECT account_id FROM accounts WHERE {condition})"


def _sql(db: Path, sql: str, params: list[Any] | None = None) -> tuple[Any, ...]:
    with connect(db, read_only=True) as con:
        row = con.execute(sql, params or []).fetchone()
    assert row is not None
    return tuple(row)


@pytest.fixture(scope="module")
def busiest(world: Path) -> tuple[str, str]:
    """A region and a tier that both have declining customers in the test world."""
    region, tier = _sql(
        world,
        "SELECT a.region, a.tier FROM trend_metrics m JOIN accounts a USING (account_id) "
        "WHERE m.decline_level >= 1 GROUP BY ALL ORDER BY count(*) DESC, 1, 2 LIMIT 1",
    )
    return str(region), str(tier)


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("score_leakage", {"tier", "region"}),
        ("portfolio_summary", {"region"}),
        ("detect_leakage", {"tier", "region"}),
        ("find_declining_customers", {"tier", "region"}),
    ],
)
def test_the_limits_are_arguments_the_model_reads(tool: str, arguments: set[str]) -> None:
    from tools import TOOLS

    assert arguments <= set(model_arguments(tool))
    description = next(t.description for t in TOOLS if t.name == tool) or ""
    assert all(argument in description for argument in arguments), tool
    for argument in arguments:
        field = TOOL_ARGS[tool].model_fields[argument]
        assert field.description and "null" in field.description


def test_score_leakage_in_a_region(world: Path, call: ToolCall, busiest: tuple[str, str]) -> None:
    region, _ = busiest
    content, artifact = call(
        "score_leakage", {"region": region.lower(), "top_n": 100}, Context(db_path=str(world))
    )
    n, expected, detected = _sql(
        world,
        "SELECT count(*), sum(expected_monthly_loss), sum(detected_monthly_leakage) "
        "FROM leakage_scores s JOIN accounts a USING (account_id) WHERE a.region = ?",
        [region],
    )
    summary = content["summary"]
    assert summary["n_accounts"] == n > 0
    assert summary["total_expected_loss"] == pytest.approx(expected, abs=0.01)
    assert summary["total_detected_leakage"] == pytest.approx(detected, abs=0.01)
    listed = {row["account_id"] for row in content["rows"]}
    (outside,) = _sql(
        world,
        "SELECT count(*) FROM accounts WHERE region <> ? AND list_contains(?, account_id)",
        [region, sorted(listed)],
    )
    assert outside == 0 and summary["scope"] == f"accounts in {region}"
    assert region in artifact["title"]


def test_score_leakage_by_tier_and_region(
    world: Path, call: ToolCall, busiest: tuple[str, str]
) -> None:
    region, tier = busiest
    content, _ = call(
        "score_leakage", {"region": region, "tier": tier}, Context(db_path=str(world))
    )
    (n,) = _sql(
        world,
        "SELECT count(*) FROM leakage_scores s JOIN accounts a USING (account_id) "
        "WHERE a.region = ? AND a.tier = ?",
        [region, tier],
    )
    assert content["summary"]["n_accounts"] == n > 0
    assert content["summary"]["scope"] == f"{tier} accounts in {region}"


def test_an_unknown_region_is_an_error_listing_the_known_ones(world: Path, call: ToolCall) -> None:
    known = _sql(world, "SELECT string_agg(DISTINCT region, ', ' ORDER BY region) FROM accounts")
    context = Context(db_path=str(world))
    for tool in (
        "score_leakage",
        "portfolio_summary",
        "detect_leakage",
        "find_declining_customers",
    ):
        content, _ = call(tool, {"region": "Atlantis"}, context)
        assert content["error"] == "invalid_request", tool
        assert (
            "Atlantis" in content["message"] and f"Known regions: {known[0]}." in content["message"]
        )


def test_portfolio_summary_of_one_region(
    world: Path, call: ToolCall, busiest: tuple[str, str]
) -> None:
    region, _ = busiest
    content, artifact = call("portfolio_summary", {"region": region}, Context(db_path=str(world)))
    keep = REGIONS_OF.format(condition="region = ?")
    n, mrr, expected, high = _sql(
        world,
        "SELECT count(*), sum(mrr), sum(expected_monthly_loss), "
        f"count(*) FILTER (WHERE risk_level = 'High') FROM leakage_scores WHERE {keep}",
        [region],
    )
    (all_months,) = _sql(
        world, f"SELECT sum(amount)::DOUBLE FROM detected_leakage WHERE {keep}", [region]
    )
    (declining,) = _sql(
        world, f"SELECT count(*) FROM trend_metrics WHERE decline_level >= 1 AND {keep}", [region]
    )
    summary = content["summary"]
    assert summary["n_accounts"] == n > 0 and summary["n_high_risk"] == high
    assert summary["total_mrr"] == pytest.approx(mrr, abs=0.01)
    assert summary["expected_loss"] == pytest.approx(expected, abs=0.01)
    assert summary["detected_leakage_all_months"] == pytest.approx(all_months, abs=0.01)
    assert summary["n_declining"] == declining > 0
    assert summary["scope"] == f"accounts in {region}" and region in artifact["title"]
    tiers = [row for row in content["rows"] if row["dimension"] == "tier"]
    assert sum(row["n_accounts"] for row in tiers) == n


def test_portfolio_summary_of_a_region_in_one_month(
    world: Path, call: ToolCall, busiest: tuple[str, str]
) -> None:
    region, _ = busiest
    (month,) = _sql(world, "SELECT strftime(max(month), '%Y-%m') FROM detected_leakage")
    content, _ = call(
        "portfolio_summary", {"region": region, "month": month}, Context(db_path=str(world))
    )
    (detected,) = _sql(
        world,
        "SELECT coalesce(sum(amount), 0)::DOUBLE FROM detected_leakage WHERE strftime(month, '%Y-%m') = ? "
        f"AND {REGIONS_OF.format(condition='region = ?')}",
        [month, region],
    )
    assert content["summary"]["detected_leakage"] == pytest.approx(detected, abs=0.01)


def test_detect_leakage_by_region_and_tier(
    world: Path, call: ToolCall, busiest: tuple[str, str]
) -> None:
    region, tier = busiest
    content, _ = call(
        "detect_leakage", {"region": region, "tier": tier}, Context(db_path=str(world))
    )
    n, accounts, amount = _sql(
        world,
        "SELECT count(*), count(DISTINCT account_id), coalesce(sum(amount), 0)::DOUBLE "
        f"FROM detected_leakage WHERE {REGIONS_OF.format(condition='region = ? AND tier = ?')}",
        [region, tier],
    )
    summary = content["summary"]
    assert (summary["n_findings"], summary["n_accounts"]) == (n, accounts)
    assert n > 0 and summary["total_amount"] == pytest.approx(amount, abs=0.01)
    assert summary["scope"] == f"all types, {tier} accounts in {region}"


def test_declining_customers_by_tier_and_region(
    world: Path, call: ToolCall, busiest: tuple[str, str]
) -> None:
    region, tier = busiest
    context = Context(db_path=str(world))
    for args, condition, params in [
        ({"tier": tier}, "a.tier = ?", [tier]),
        ({"region": region}, "a.region = ?", [region]),
        ({"tier": tier, "region": region}, "a.tier = ? AND a.region = ?", [tier, region]),
    ]:
        content, _ = call("find_declining_customers", {**args, "top_n": 100}, context)
        n, revenue = _sql(
            world,
            "SELECT count(*), sum(coalesce(m.mean_revenue, 0)) FROM trend_metrics m "
            f"JOIN accounts a USING (account_id) WHERE m.decline_level >= 1 AND {condition}",
            params,
        )
        summary = content["summary"]
        assert summary["n_customers"] == n > 0, args
        assert summary["total_monthly_revenue"] == pytest.approx(revenue, abs=0.01)
        assert len(content["rows"]) == n
        assert "Left out" not in content.get("message", "")  # every customer has an account
    assert summary["scope"] == f"every band from decline possible, {tier} accounts in {region}"


def test_a_limit_says_how_many_customers_without_an_account_it_left_out(
    world: Path, call: ToolCall, tmp_path: Path, busiest: tuple[str, str]
) -> None:
    """Customers of an imported revenue file have no account row: a tier or region limit
    cannot place them, and the answer says how many it left out."""
    region, _ = busiest
    db = tmp_path / "with_imported.duckdb"
    shutil.copy(world, db)
    with connect(db) as con:
        con.execute(
            "INSERT INTO trend_metrics SELECT * REPLACE ('CUST' || account_id AS account_id) "
            "FROM trend_metrics WHERE decline_level >= 1 ORDER BY account_id LIMIT 3"
        )
    context = Context(db_path=str(db))
    everyone, _ = call("find_declining_customers", {}, context)
    limited, _ = call("find_declining_customers", {"region": region}, context)
    (placed,) = _sql(
        db,
        "SELECT count(*) FROM trend_metrics m JOIN accounts a USING (account_id) "
        "WHERE m.decline_level >= 1 AND a.region = ?",
        [region],
    )
    assert limited["summary"]["n_customers"] == placed
    assert everyone["summary"]["n_customers"] > placed
    assert "Left out" not in everyone.get("message", "")  # no limit, nobody left out
    assert (
        "Left out: 3 customers" in limited["message"] and "region is unknown" in limited["message"]
    )
