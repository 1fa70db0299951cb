"""rt13's questions on books imported from revenue files alone, through `revrisk ask --json`
on a warehouse the importer made (the chat's upload imports the same way), each figure
checked against the file:

- T-L14: "total revenue by month" of a book holding 2026-01..06 states the data's span, in
  the text and the chart title, not a 12-month window reaching back to 2025-07;
- U-L3: a growing 8-month book with no forecast is told why (no decline to learn from), not
  that it takes at least 5 months when it holds 8;
- T-M11: "average revenue per customer" divides by the customers with revenue above zero in
  the period, as "active customers" counts them, and says so (Initech, billed 0.00 in the
  latest month, was counted).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from cli.main import app
from data.imports import import_file
from tools.views import sql_chart


def ask(db: Path, question: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["ask", "--json", question, "--db", str(db)])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def half_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """rt13's good.xlsx: two customers, 2026-01..06, date cells as headers."""
    folder = tmp_path_factory.mktemp("good")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Customer", *(datetime(2026, m, 1) for m in range(1, 7))])
    sheet.append(["Massive Dynamic", 5000, 4700, 4400, 4100, 3800, 3500])
    sheet.append(["Oscorp UK", 2000, 2050, 2100, 2150, 2200, 2250])
    book.save(folder / "good.xlsx")
    import_file(folder / "good.xlsx", folder / "w.duckdb")
    return folder / "w.duckdb"


def test_revenue_by_month_states_the_data_span(half_year: Path) -> None:
    out = ask(half_year, "what is the total revenue by month?")
    rows = out["tool_results"][0]["content"]["rows"]
    assert [r["month"] for r in rows] == [f"2026-0{m}" for m in range(1, 7)]
    assert [r["net_revenue"] for r in rows] == [7000, 6750, 6500, 6250, 6000, 5750]
    assert "Period: 2026-01 to 2026-06." in out["answer"]
    assert "2025-07" not in out["answer"]
    title = sql_chart(rows)["layout"]["title"]["text"]
    assert "2026-01 to 2026-06" in title and "2025" not in title


@pytest.fixture(scope="module")
def growing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """rt13's markup.csv in shape: customers growing steadily over 2026-03..10 (8 months)."""
    folder = tmp_path_factory.mktemp("growing")
    lines = ["customer_id,month,revenue"]
    for k, name in enumerate(("Bold Corp", "Pipe Co", "Quiet Ltd", "Rex plc")):
        lines += [
            f"{name},2026-{m:02d},{1000 + 100 * k + (37 + 5 * k) * (m - 3):.2f}"
            for m in range(3, 11)
        ]
    (folder / "markup.csv").write_text("\n".join(lines) + "\n")
    db = folder / "w.duckdb"
    result = CliRunner().invoke(app, ["import", str(folder / "markup.csv"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db


def test_no_forecast_on_a_long_enough_book_says_the_real_reason(growing: Path) -> None:
    answer = ask(growing, "which customers are declining?")["answer"]
    assert "NO DECLINE FORECAST YET" in answer
    assert "at least 5 months" not in answer and "the data hold 8" not in answer
    assert "in this book's 8 months" in answer and "no decline to learn from" in answer


LATEST = {  # rt13's rev_gbp.csv, its last two months (2026-09, 2026-10), GBP
    "Stark Industries": (36122.22, 37205.89),
    "Soylent (EU)": (2610.96, 2454.30),
    "Wayne Enterprises": (14700.00, 15300.00),
    "Initech": (0.00, 0.00),
    "Globex Corp": (972.61, 875.35),
    "Umbrella plc": (308.57, 268.46),
}


@pytest.fixture(scope="module")
def gbp_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("gbp")
    lines = ["Customer,2026-08,2026-09,2026-10"]
    lines += [f"{name},3000.00,{a:.2f},{b:.2f}" for name, (a, b) in LATEST.items()]
    (folder / "rev_gbp.csv").write_text("\n".join(lines) + "\n")
    db = folder / "w.duckdb"
    args = ["import", str(folder / "rev_gbp.csv"), "--db", str(db), "--currency", "GBP"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return db


def test_revenue_per_customer_counts_the_customers_with_revenue(gbp_book: Path) -> None:
    paying = [b for _, b in LATEST.values() if b > 0]
    expected = round(sum(paying) / len(paying), 2)  # 56,104.00 / 5 = 11,220.80
    out = ask(gbp_book, "what's the average revenue per customer?")
    (row,) = out["tool_results"][0]["content"]["rows"]
    assert (row["revenue_per_account"], row["n_accounts"]) == (expected, len(paying))
    assert f"£{expected:,.0f}" in out["answer"]
    assert "accounts with revenue above zero in it" in out["answer"]
    active = ask(gbp_book, "how many active customers do we have?")
    assert active["tool_results"][0]["content"]["rows"][0]["n_active_customers"] == len(paying)
