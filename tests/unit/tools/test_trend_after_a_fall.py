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
    assert summary["previous_change"] == -0.375
    answer = narrate("decompose_trend", json.dumps(content))
    assert "-75.0% on the same months a year earlier ($20,000)" in answer, answer
    listed = dict(
        re.findall(r"\*\*(\d{4}-\d{2})\*\*: revenue \$[\d,.]+, trend \$([\d,.]+)", answer)
    )
    assert listed[months[-1]] == "5,000", answer  # the straight line read $11,500 here
    table = {row["month"]: row for row in artifact["table"]}
    assert table[months[-1]]["line"] > 10_000  # the straight-line fit is still there, apart


def test_a_small_company_s_first_three_months_get_trends_and_say_what_is_missing(
    call: ToolCall, tmp_path: Path
) -> None:
    """Three customers with three months each, imported into a new warehouse: the refresh
    failed on the empty segment table ("cache frame for segments lacks column(s) …") and the
    chat had no trend figures at all; a decline list said "0 customers" without saying that
    no forecast could be learned yet."""
    db = tmp_path / "small.duckdb"
    revenue = tmp_path / "revenue.csv"
    rows = [
        f"{customer},{month},{amount}"
        for customer, amounts in (("A1", (100, 90, 80)), ("B2", (50, 55, 60)), ("C3", (10, 0, 5)))
        for month, amount in zip(("2026-08", "2026-09", "2026-10"), amounts, strict=True)
    ]
    revenue.write_text("customer_id,month,revenue,currency\n" + "\n".join(f"{r},GBP" for r in rows))
    import_file(revenue, db)
    refresh_trend_cache(db)
    context = Context(db_path=str(db))

    content, _ = call("decompose_trend", {"account_id": "A1"}, context)
    answer = narrate("decompose_trend", json.dumps(content))
    assert answer.startswith("NO DECLINE FORECAST YET") and "the data hold 3." in answer, answer
    assert "n/a" not in answer and "£90.00 a month" in answer, answer
    declining, _ = call("find_declining_customers", {}, context)
    assert declining["summary"]["n_customers"] == 0
    assert declining["message"].startswith("NO DECLINE FORECAST YET")
    segments, _ = call("list_segments", {}, context)
    assert segments["message"].startswith("No segments yet: customers are grouped once")
