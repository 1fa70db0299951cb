"""rt12 T-M10: "which customers are declining fastest?" is the list of declining customers
ranked by the steepest fall in revenue per month (find_declining_customers
order_by="steepness"), not by probability; checked against plain SQL over the trend cache,
and the answer says what it is ranked by."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from data.warehouse import connect
from services.trends.service import find_declining, find_declining_in
from services.trends.store import read_metrics
from tools.context import Context

_BY_STEEPNESS = """
SELECT account_id, slope FROM trend_metrics WHERE decline_level >= 1
ORDER BY slope ASC NULLS LAST, decline_probability DESC NULLS LAST, account_id
"""


def _sql(world: Path) -> list[tuple[str, float]]:
    with connect(world, read_only=True) as con:
        return [(str(a), float(s)) for a, s in con.execute(_BY_STEEPNESS).fetchall()]


def test_the_service_ranks_decliners_by_the_steepest_fall(world: Path) -> None:
    expected = _sql(world)
    found = find_declining(world, top_n=5, order_by="steepness")
    assert found.table["customer_id"].tolist() == [a for a, _ in expected[:5]]
    assert found.table["monthly_change"].tolist() == pytest.approx([s for _, s in expected[:5]])
    assert found.n_customers == len(expected)
    with connect(world, read_only=True) as con:
        metrics = read_metrics(con)
    in_memory = find_declining_in(metrics, top_n=5, order_by="steepness")
    assert in_memory["customer_id"].tolist() == found.table["customer_id"].tolist()
    by_probability = find_declining(world, top_n=5).table["customer_id"].tolist()
    assert by_probability != found.table["customer_id"].tolist()  # the test can tell them apart


def test_the_tool_states_the_steepness_ranking(world: Path, call: Any) -> None:
    context = Context(db_path=str(world))
    content, artifact = call(
        "find_declining_customers", {"top_n": 3, "order_by": "steepness"}, context
    )
    assert [r["customer_id"] for r in content["rows"]] == [a for a, _ in _sql(world)[:3]]
    assert "steepest fall first" in content["summary"]["ranked_by"]
    assert "steepest fall first" in artifact["title"]
