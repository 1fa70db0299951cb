"""rt12 R-L6: "which accounts are declining fastest?" listed customers with "trend change per
month $0.00" beside "churned". Their Theil–Sen slope is exactly 0 (revenue level for most
months, then stopped or stepped down: more level pairs of months than falling ones), so the
straight line says nothing about their fall. Each row now carries what already happened, the
last 3 months against the months before, checked here against the revenue itself; the
straight-line figures are left out where the line is flat."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.offline.narratives import narrate
from data.warehouse import connect
from tools.context import Context

from .conftest import ToolCall


def _recent_against_before(world: Path, customer: str) -> float:
    """The last 3 months' mean revenue against the mean of the months before them (from
    the customer's first month with revenue), by SQL over the revenue view."""
    sql = """
    WITH months AS (SELECT DISTINCT month FROM monthly_revenue),
    span AS (SELECT max(month) AS last FROM months),
    own AS (SELECT m.month, coalesce(sum(r.net_revenue), 0) AS revenue FROM months m
            LEFT JOIN monthly_revenue r ON r.month = m.month AND r.account_id = ?
            GROUP BY 1),
    first AS (SELECT min(month) AS first FROM monthly_revenue
              WHERE account_id = ? AND net_revenue > 0)
    SELECT avg(revenue) FILTER (WHERE month > (SELECT last FROM span) - INTERVAL 3 MONTH)
         / avg(revenue) FILTER (WHERE month <= (SELECT last FROM span) - INTERVAL 3 MONTH)
    FROM own WHERE month >= (SELECT first FROM first)
    """
    with connect(world, read_only=True) as con:
        ((ratio,),) = con.execute(sql, [customer, customer]).fetchall()
    return float(ratio) - 1


def test_a_declining_row_shows_its_recent_change_not_a_flat_line(
    call: ToolCall, world: Path
) -> None:
    content, _ = call("find_declining_customers", {"top_n": 100}, Context(db_path=str(world)))
    rows = content["rows"]
    assert rows and all("recent_change" in row for row in rows)
    assert not any(row.get("monthly_change") == 0 for row in rows), rows
    stopped = [r for r in rows if str(r["decline_label"]).startswith("churned (no revenue")]
    assert all(row["recent_change"] == pytest.approx(-1.0) for row in stopped)
    assert stopped and not any(row.get("relative_change") == 0 for row in rows)
    with connect(world, read_only=True) as con:  # the scan smooths unusual months and seasons
        plain = {
            account
            for (account,) in con.execute(
                "SELECT account_id FROM trend_metrics WHERE n_anomalies = 0 AND NOT seasonal"
            ).fetchall()
        }
    checked = [row for row in rows if row["customer_id"] in plain][:8]
    assert len(checked) >= 2
    for row in checked:
        expected = _recent_against_before(world, row["customer_id"])
        assert row["recent_change"] == pytest.approx(expected, abs=0.005), row
    answer = narrate("find_declining_customers", json.dumps(content))
    assert "trend change per month $0.00" not in answer
    assert "last 3 months against the months before" in answer
