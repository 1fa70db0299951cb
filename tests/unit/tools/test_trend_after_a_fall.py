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

import numpy as np
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
    # the straight line read $11,500 here; the level lagged at $5,000 before the end rule
    assert listed[months[-1]] == "4,000", answer
    table = {row["month"]: row for row in artifact["table"]}
    assert table[months[-1]]["line"] > 10_000  # the straight-line fit is still there, apart

    # a forecast book lists what the forecast expects; the customers already down sharply
    # that it leaves out are counted beside the list, the largest named
    declining, _ = call("find_declining_customers", {}, Context(db_path=str(db)))
    with connect(db, read_only=True) as con:
        fallen = con.execute(
            "SELECT account_id FROM trend_metrics WHERE decline_score >= 0.7 "
            "AND decline_level = 0 AND status = 'ok' AND months_since_last_revenue < 3 "
            "ORDER BY mean_revenue DESC, account_id"
        ).fetchall()
    assert "CUST-003" in [row[0] for row in fallen]
    largest = ", ".join(row[0] for row in fallen[:3])
    assert (
        f"Also: {len(fallen)} customers whose revenue has already fallen" in (declining["message"])
    )
    assert f"largest: {largest}." in declining["message"]


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


def test_a_book_too_small_to_learn_a_forecast_lists_the_customers_already_falling(
    call: ToolCall, tmp_path: Path
) -> None:
    """rt10 N-H2: six customers over two years, three of them falling (5 % a month for two
    years; 15 % a month for the last six; halved a year ago). The forecast learned from one
    decline and scored all six at about 1 %, so "which customers are declining?" read
    "0 customers". The levels of such a book describe the revenue so far (decline score)."""
    months = pd.period_range("2024-11", periods=24, freq="M").astype(str)
    t = np.arange(24)
    shapes = {
        "FLAT-1": np.full(24, 10_000.0),
        "SLIDE-2": 12_000 * 0.95**t,
        "GROW-3": 5_000 * 1.03**t,
        "FLAT-4": 9_000 + 100 * np.sin(t),
        "DROP-5": np.where(t < 18, 8_000, 8_000 * 0.85 ** (t - 17.0)),
        "STEP-6": np.where(t < 12, 16_000, 8_000.0),
    }
    revenue = tmp_path / "book.csv"
    lines = [
        f"{customer},{month},{amount:.2f},USD"
        for customer, amounts in shapes.items()
        for month, amount in zip(months, amounts, strict=True)
    ]
    revenue.write_text("customer_id,month,revenue,currency\n" + "\n".join(lines))
    db = tmp_path / "book.duckdb"
    import_file(revenue, db)
    refresh_trend_cache(db)
    context = Context(db_path=str(db))

    declining, _ = call("find_declining_customers", {}, context)
    listed = [row["customer_id"] for row in declining["rows"]]
    assert set(listed) == {"SLIDE-2", "DROP-5", "STEP-6"}, declining
    assert declining["summary"]["ranked_by"] == "decline score, most clearly falling first"
    assert "describe the revenue so far" in declining["message"]
    answer = narrate("find_declining_customers", json.dumps(declining))
    assert "sharp decline so far" in answer and "decline probability" not in answer, answer
    scores = [row["decline_score"] for row in declining["rows"]]
    assert scores == sorted(scores, reverse=True)
    content, _ = call("decompose_trend", {"account_id": "DROP-5"}, context)
    assert content["summary"]["decline_label"].endswith("decline so far")
    assert content["summary"]["forecast"].startswith("decline score 0.")
