"""rt12 T-H6, T-L3: an imported GBP book (and a GBP + EUR one) answered in dollars.

The decline list read "together $7,506 … average monthly revenue $2,412", the trend's recent
months "2026-10: revenue $14,607" and its table "$15,006.52", an empty list "0 customers,
together $0.00", the segments "$11,227"; a trend typed "wayne enterprises" was titled
"Revenue trend of WAYNE ENTERPRISES". Every money figure now carries the currency of its rows,
a total over several currencies is split, and a title names the customer as stored.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from agent.offline.narratives import narrate
from data.imports.loaders import import_file
from services.trends.scan import refresh_trend_cache
from tools.context import Context
from ui.charts import figure_for
from ui.tables import for_people

from .conftest import ToolCall

MONTHS = pd.period_range("2024-11", periods=24, freq="M").astype(str)
T = np.arange(24)
GBP = {
    "Wayne Enterprises": np.full(24, 15_000.0) + 100 * np.sin(T),
    "Soylent (EU)": 9_000 * 0.95**T,
    "Initech": np.where(T < 12, 3_000.0, 3_000 * 0.7 ** (T - 11.0)),
    "Stark Industries": 20_000 * 1.02**T,
    "Umbrella Co": 3_300 + 30 * np.cos(T),
    "Acme Corp": 7_000 * 1.01**T,
}
EUR = {"Globex GmbH": 12_000 * 0.93**T, "Hooli AG": np.full(24, 1_250.0)}


def _book(path: Path, shapes: dict[str, np.ndarray], currency: str) -> Path:
    lines = [
        f"{customer},{month},{amount:.2f},{currency}"
        for customer, amounts in shapes.items()
        for month, amount in zip(MONTHS, amounts, strict=True)
    ]
    path.write_text("customer_id,month,revenue,currency\n" + "\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def gbp_book(tmp_path_factory: pytest.TempPathFactory) -> Context:
    folder = tmp_path_factory.mktemp("gbp")
    db = folder / "gbp.duckdb"
    import_file(_book(folder / "gbp.csv", GBP, "GBP"), db)
    refresh_trend_cache(db)
    return Context(db_path=str(db))


@pytest.fixture(scope="module")
def mixed_book(tmp_path_factory: pytest.TempPathFactory) -> Context:
    folder = tmp_path_factory.mktemp("mixed")
    db = folder / "mixed.duckdb"
    import_file(_book(folder / "gbp.csv", GBP, "GBP"), db)
    import_file(_book(folder / "eur.csv", EUR, "EUR"), db)
    refresh_trend_cache(db)
    return Context(db_path=str(db))


def _answer(tool: str, content: dict) -> str:
    return narrate(tool, json.dumps(content))


def test_the_decline_list_of_a_gbp_book_is_in_pounds(call: ToolCall, gbp_book: Context) -> None:
    content, artifact = call("find_declining_customers", {}, gbp_book)
    answer = _answer("find_declining_customers", content)
    assert content["summary"]["n_customers"] >= 1
    assert "$" not in answer and "£" in answer, answer
    _, body = for_people(artifact["columns"], artifact["table"])
    money = [cell for row in body for cell in row if cell.lstrip("-")[:1] in ("£", "$")]
    assert money and not [cell for cell in money if "$" in cell], body
    # a list without members says so in the book's currency, not "$0.00"
    empty, _ = call("find_declining_customers", {"segment_id": 99}, gbp_book)
    assert empty["summary"]["n_customers"] == 0
    assert "£0.00" in _answer("find_declining_customers", empty)


def test_one_customer_s_trend_is_in_pounds_and_titled_as_stored(
    call: ToolCall, gbp_book: Context
) -> None:
    content, artifact = call("decompose_trend", {"account_id": "wayne enterprises"}, gbp_book)
    answer = _answer("decompose_trend", content)
    assert "$" not in answer and "revenue £" in answer, answer  # the recent-months lines too
    _, body = for_people(artifact["columns"], artifact["table"])
    assert any(cell.startswith("£") for row in body for cell in row)
    assert not any("$" in cell for row in body for cell in row), body[:2]
    figure = figure_for(artifact["chart"])
    assert figure is not None and "GBP" in figure.layout.yaxis.title.text
    assert "Wayne Enterprises" in figure.layout.title.text


def test_a_trend_is_titled_with_the_name_as_stored(call: ToolCall, gbp_book: Context) -> None:
    """T-L3: the tool's id argument is upper-cased on its way in ("WAYNE ENTERPRISES")."""
    _, artifact = call("decompose_trend", {"account_id": "wayne enterprises"}, gbp_book)
    assert artifact["title"] == "Revenue trend of Wayne Enterprises"


def test_segments_of_a_gbp_book_are_in_pounds(call: ToolCall, gbp_book: Context) -> None:
    content, _ = call("list_segments", {}, gbp_book)
    answer = _answer("list_segments", content)
    assert "$" not in answer and "£" in answer, answer
    report, _ = call("segment_report", {"segment_id": content["rows"][0]["segment_id"]}, gbp_book)
    answer = _answer("segment_report", report)
    assert "$" not in answer and "£" in answer, answer


def test_a_book_in_two_currencies_never_adds_them_up(call: ToolCall, mixed_book: Context) -> None:
    content, _ = call("find_declining_customers", {"top_n": 20}, mixed_book)
    answer = _answer("find_declining_customers", content)
    listed = {row["customer_id"]: row["currency"] for row in content["rows"]}
    assert listed.get("Globex GmbH") == "EUR" and listed.get("Soylent (EU)") == "GBP", listed
    assert "$" not in answer and "€" in answer and "£" in answer, answer
    assert "not added across currencies" in answer, answer
    empty, _ = call("find_declining_customers", {"segment_id": 99}, mixed_book)
    answer = _answer("find_declining_customers", empty)
    assert "$" not in answer and "€0.00 and £0.00" in answer, answer
    segments, _ = call("list_segments", {}, mixed_book)
    answer = _answer("list_segments", segments)
    assert "$" not in answer and "not converted" in answer, answer
