"""rt9 D24: "the 3 biggest declining customers by revenue" is a list of declining customers
ranked by their average monthly revenue (find_declining_customers order_by="revenue"), checked
against plain SQL over the trend cache, and the answer says what it is ranked by."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from data.warehouse import connect
from services.trends.service import find_declining, find_declining_in
from services.trends.store import read_metrics
from tools import TOOLS
from tools.context import Context

_BY_REVENUE = """
SELECT account_id, mean_revenue FROM trend_metrics
WHERE decline_level >= ? {extra}
ORDER BY mean_revenue DESC NULLS LAST, decline_probability DESC NULLS LAST, account_id
"""


def _sql(world: Path, level: int = 1, exact: bool = False) -> list[tuple[str, float]]:
    query = _BY_REVENUE.format(extra="AND decline_level = ?" if exact else "")
    params = [1 if exact else level, *([level] if exact else [])]
    with connect(world, read_only=True) as con:
        return [(str(a), float(m)) for a, m in con.execute(query, params).fetchall()]


def test_the_service_ranks_decliners_by_revenue_as_sql_does(world: Path) -> None:
    expected = _sql(world)
    found = find_declining(world, top_n=5, order_by="revenue")
    assert found.table["customer_id"].tolist() == [a for a, _ in expected[:5]]
    assert found.table["revenue_mean"].tolist() == pytest.approx([m for _, m in expected[:5]])
    assert found.n_customers == len(expected)  # the count covers every match, not the top 5
    sharp = find_declining(world, decline_level=3, top_n=3, order_by="revenue").table
    assert sharp["customer_id"].tolist() == [a for a, _ in _sql(world, 3, exact=True)[:3]]
    with connect(world, read_only=True) as con:
        metrics = read_metrics(con)
    in_memory = find_declining_in(metrics, top_n=5, order_by="revenue")
    assert in_memory["customer_id"].tolist() == found.table["customer_id"].tolist()
    by_probability = find_declining(world, top_n=5).table["customer_id"].tolist()
    assert by_probability != found.table["customer_id"].tolist()  # the test can tell them apart


def test_the_tool_states_the_revenue_ranking(world: Path, call: Any) -> None:
    context = Context(db_path=str(world))
    content, artifact = call(
        "find_declining_customers", {"top_n": 3, "order_by": "revenue"}, context
    )
    assert [r["customer_id"] for r in content["rows"]] == [a for a, _ in _sql(world)[:3]]
    assert "average monthly revenue" in content["summary"]["ranked_by"]
    assert "ranked by average monthly revenue" in artifact["title"]
    default, artifact = call("find_declining_customers", {"top_n": 3}, context)
    assert "decline probability" in default["summary"]["ranked_by"]
    assert "ranked by decline probability" in artifact["title"]


def test_the_model_is_told_about_the_revenue_ranking() -> None:
    tool = next(t for t in TOOLS if t.name == "find_declining_customers")
    schema = tool.tool_call_schema.model_json_schema()["properties"]["order_by"]
    assert "revenue" in str(schema) and "biggest" in schema["description"]
    assert "order_by" in (tool.description or "") and "revenue" in (tool.description or "")
    with pytest.raises(ValidationError):
        tool.invoke({"order_by": "expected_loss"})
    with pytest.raises(ValueError, match="order_by"):
        find_declining("unused.duckdb", order_by="size")
