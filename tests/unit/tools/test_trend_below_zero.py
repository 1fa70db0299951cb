"""rt8 D29: a customer whose fitted trend line runs below zero. The answer said "trend $0.00"
while the table under it showed -2,773.50 and an empty "Stl trend" column; the answer, the
table and the chart now show the same trend, and the straight-line fit at 0 where it goes
below it. rt9 D29: that straight line read "trend $11,500" beside revenue of $4,000 after a
fall, so the trend the answer lists is the local level, and the line is the chart's
"straight-line fit" (column `line`)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest

from agent.offline.narratives import narrate
from tools.context import Context
from ui.artifacts import view_of


@pytest.fixture(scope="module")
def below_zero(world: Path, call: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    with duckdb.connect(str(world), read_only=True) as con:
        found = con.execute(
            "SELECT account_id FROM trend_series WHERE trend < 0 "
            "GROUP BY account_id ORDER BY min(trend) LIMIT 1"
        ).fetchall()
    assert found, "the small world has a customer whose fitted trend goes below 0"
    customer = str(found[0][0])
    content, artifact = call(
        "decompose_trend", {"customer_id": customer}, Context(db_path=str(world))
    )
    return customer, content, artifact


def test_the_table_and_the_chart_show_the_answer_s_trend(below_zero: Any) -> None:
    _, content, artifact = below_zero
    table = {row["month"]: row for row in artifact["table"]}
    chart = artifact["chart"]["data"]
    answer = narrate("decompose_trend", json.dumps(content))
    assert any(row["line"] == 0 for row in table.values()), "a fit below 0 is shown at 0"
    said = re.findall(r"\*\*(\d{4}-\d{2})\*\*: revenue [^,]+, trend (-?)\$([\d,.]+)", answer)
    assert len(said) >= 5, answer
    for month, minus, amount in said:  # the months the answer lists, as the table shows them
        assert not minus
        assert table[month]["trend"] == pytest.approx(float(amount.replace(",", "")), abs=0.51)
    assert min(v for v in chart["trend"] if v is not None) >= 0
    assert min(v for v in chart["line"] if v is not None) >= 0
    assert [row["line"] for row in artifact["table"]] == chart["line"]
    assert [row["trend"] for row in artifact["table"]] == chart["trend"]
    assert all(row["trend"] >= 0 for row in artifact["table"] if row["trend"] is not None)
    assert all((row["moving_avg_3"] or 0) >= 0 for row in artifact["table"])


def test_no_empty_column_is_shown(below_zero: Any) -> None:
    _, _, artifact = below_zero
    view = view_of(artifact, "decompose_trend")
    assert view is not None and "stl_trend" not in view.columns
    for column in view.columns:
        assert any(row.get(column) not in (None, "") for row in view.rows), column
