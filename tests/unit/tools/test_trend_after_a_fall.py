"""rt8/rt9 D3 and D29: a customer at 20,000 a month for a year, then 9,000 falling to 4,000.

The answer read "decline unlikely (2.3 %)" with the season as its top driver, listed
"trend $11,500" beside revenue of $4,000 (a straight line through all 18 months), and never
said that revenue had already fallen by three quarters. Now: no season is read into the fall
(`analytics.trends.forecast.features._level_shift_rss`), the answer says what already
happened, and the trend it lists follows the revenue (the local level).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd

from agent.offline.narratives import narrate
from data.imports.loaders import import_file
from data.warehouse import connect
from services.trends.scan import refresh_trend_cache
from tools.context import Context

from .conftest import ToolCall

FALL = [20_000.0] * 12 + [9_000, 8_000, 7_000, 6_000, 5_000, 4_000]


def test_a_customer_that_already_fell_is_told_as_such(
    small_world: Path, call: ToolCall, tmp_path: Path
) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(small_world, db)
    with connect(db, read_only=True) as con:
        last = pd.Timestamp(con.execute("SELECT max(month) FROM monthly_revenue").fetchone()[0])
    months = pd.period_range(end=last.to_period("M"), periods=len(FALL), freq="M").astype(str)
    revenue = tmp_path / "revenue.csv"
    rows = [f"CUST-003,{month},{amount}" for month, amount in zip(months, FALL, strict=True)]
    revenue.write_text("customer_id,month,revenue\n" + "\n".join(rows) + "\n")
    import_file(revenue, db, currency="USD")
    refresh_trend_cache(db)

    content, artifact = call(
        "decompose_trend", {"account_id": "CUST-003"}, Context(db_path=str(db))
    )
    summary = content["summary"]
    assert "season_outlook" not in summary["decline_drivers"]
    assert summary["recent_mean"] == 5_000 and summary["previous_mean"] == 8_000
    assert summary["year_ago_mean"] == 20_000 and summary["year_ago_change"] == -0.75
    answer = narrate("decompose_trend", json.dumps(content))
    assert "-75.0% on the same months a year earlier ($20,000)" in answer, answer
    listed = dict(
        re.findall(r"\*\*(\d{4}-\d{2})\*\*: revenue \$[\d,.]+, trend \$([\d,.]+)", answer)
    )
    assert listed[months[-1]] == "5,000", answer  # the straight line read $11,500 here
    table = {row["month"]: row for row in artifact["table"]}
    assert table[months[-1]]["line"] > 10_000  # the straight-line fit is still there, apart
