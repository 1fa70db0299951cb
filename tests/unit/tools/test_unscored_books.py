"""Books the leakage model cannot score still answer what their data can (rt12 T-M6, T-M7).

A book of imported monthly revenue has no invoices or usage; a Stripe export without
engagement meters has invoices but no logins. Before, one failed step of the leakage refresh
discarded the detected leakage too, and every leakage tool answered with the model's error
("column 'last_login_days_ago' row 1: empty value"): "what is our MRR?" and "where are we
leaking now?" could not be answered although `revrisk detect` found 44 findings on the same
export. Truths below are read with SQL from the warehouse itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from agent.offline.narratives import narrate
from data.build import build_demo_stripe
from data.imports import import_file
from data.imports.stripe import import_stripe
from data.synth import WorldConfig
from services.leakage import service as leakage
from services.refresh import PartialRefreshError, refresh_caches
from tools.context import Context
from tools.schemas import RESULT_SPECS

ToolCall = Callable[..., tuple[dict[str, Any], dict[str, Any]]]

REVENUE = """customer,month,revenue
Stark Industries,2026-01-01,1000.00
Stark Industries,2026-02-01,1200.00
Stark Industries,2026-03-01,1500.00
Wayne Enterprises,2026-01-01,800.00
Wayne Enterprises,2026-02-01,700.00
Wayne Enterprises,2026-03-01,0.00
Acme Corp,2026-02-01,300.00
Acme Corp,2026-03-01,450.25
"""


@pytest.fixture(scope="module")
def revenue_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("revenue")
    source = folder / "revenue.csv"
    source.write_text(REVENUE, encoding="utf-8")
    path = folder / "book.duckdb"
    import_file(source, path, currency="GBP")
    with pytest.raises(PartialRefreshError, match="monthly revenue only"):
        refresh_caches(path)
    return path


@pytest.fixture(scope="module")
def seats_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Stripe export with billable seats but no engagement meters."""
    folder = tmp_path_factory.mktemp("stripe")
    build_demo_stripe(folder / "export", WorldConfig(n_accounts=40, seed=5))
    path = folder / "stripe.duckdb"
    import_stripe(folder / "export", path)
    with pytest.raises(PartialRefreshError, match="engagement"):
        refresh_caches(path)
    return path


def _sql(path: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(query).fetchall()


def test_a_revenue_book_gets_its_revenue_position_not_the_model_s_error(
    revenue_book: Path, call: ToolCall
) -> None:
    content, artifact = call("portfolio_summary", {}, Context(db_path=str(revenue_book)))
    assert "error" not in content, content
    assert content["variant"] == "unscored"
    summary = content["summary"]
    assert set(summary) == RESULT_SPECS["portfolio_summary"].variants["unscored"].summary_keys
    ((month, revenue, billed),) = _sql(
        revenue_book,
        "SELECT strftime(max(month), '%Y-%m'), sum(net_revenue) FILTER (WHERE month = "
        "(SELECT max(month) FROM monthly_revenue))::DOUBLE, count(DISTINCT account_id) FILTER "
        "(WHERE net_revenue > 0 AND month = (SELECT max(month) FROM monthly_revenue)) "
        "FROM monthly_revenue",
    )
    assert (
        (summary["as_of_month"], summary["revenue"], summary["n_billed"])
        == (
            month,
            revenue,
            billed,
        )
        == ("2026-03", 1950.25, 2)
    )
    assert summary["n_customers"] == 3 and summary["currency"] == "GBP"
    text = narrate("portfolio_summary", json.dumps(content))
    assert "2 of 3 customers billed" in text
    assert "£1,950" in text and "$" not in text
    assert "monthly revenue only" in text and "last_login" not in text
    assert artifact["title"].startswith("Revenue position")


def test_a_revenue_book_says_there_is_nothing_to_detect_and_why(
    revenue_book: Path, call: ToolCall
) -> None:
    content, _ = call("detect_leakage", {}, Context(db_path=str(revenue_book)))
    assert "no invoices" in content["message"] and "Import those records" in content["message"]
    scored, _ = call("score_leakage", {}, Context(db_path=str(revenue_book)))
    assert "Risk scores are not available" in scored["message"]
    assert "revrisk refresh" not in scored["message"]


def test_an_export_without_engagement_still_reports_its_detected_leakage(
    seats_only: Path, call: ToolCall
) -> None:
    ((n_findings, total),) = _sql(
        seats_only, "SELECT count(*), sum(amount)::DOUBLE FROM detected_leakage"
    )
    assert n_findings > 0
    detection = leakage.detect_leakage(seats_only, top_n=None)
    assert detection.summary["n_findings"] == n_findings
    assert detection.summary["total_amount"] == round(total, 2)
    content, _ = call("detect_leakage", {}, Context(db_path=str(seats_only)))
    assert "error" not in content and content["summary"]["n_findings"] == n_findings


def test_an_export_without_engagement_gets_the_unscored_overview_with_its_detection(
    seats_only: Path, call: ToolCall
) -> None:
    content, _ = call("portfolio_summary", {}, Context(db_path=str(seats_only)))
    assert content["variant"] == "unscored", content
    summary = content["summary"]
    ((latest, detected),) = _sql(
        seats_only,
        "SELECT strftime(max(month), '%Y-%m'), (SELECT coalesce(sum(amount), 0)::DOUBLE FROM "
        "detected_leakage WHERE month = (SELECT max(month) FROM monthly_revenue)) "
        "FROM monthly_revenue",
    )
    assert summary["as_of_month"] == latest
    assert summary["detected_leakage"] == round(detected, 2)
    text = narrate("portfolio_summary", json.dumps(content))
    assert "engagement" in text and "last_login_days_ago" not in text
    with pytest.raises(leakage.NoScoresError, match="engagement"):
        leakage.score_leakage(seats_only)
