"""rt12 T-M17, T-L1, T-L2: how figures are written in the chat's tables, answers and charts.

- A chart titled "(GBP)" drew EUR bars on the same axis: one axis now carries one currency.
- Invoice ids read "784,019" in chat tables and the report: an id is never a number.
- One column read "£2,200" beside "£800.00": a money column keeps one number of decimals.
"""

from __future__ import annotations

import json

from agent.offline.narratives import narrate
from tools.views import sql_chart
from ui.tables import for_people

MIXED = [
    {"account_id": "Globex GmbH", "net_revenue": 28_500.5, "currency": "EUR"},
    {"account_id": "Stark Industries", "net_revenue": 250_000.0, "currency": "GBP"},
    {"account_id": "Wayne Enterprises", "net_revenue": 150_000.0, "currency": "GBP"},
    {"account_id": "Hooli AG", "net_revenue": 3_785.0, "currency": "EUR"},
    {"account_id": "Acme Corp", "net_revenue": 80_000.0, "currency": "GBP"},
]


def test_a_chart_never_draws_two_currencies_on_one_axis() -> None:
    chart = sql_chart(MIXED)
    assert chart is not None
    [trace] = chart["data"]
    assert trace["x"] == ["Stark Industries", "Wayne Enterprises", "Acme Corp"]
    title = chart["layout"]["title"]["text"]
    assert "(GBP;" in title and "EUR rows in the table, not drawn" in title, title
    one = sql_chart([row for row in MIXED if row["currency"] == "GBP"])
    assert one is not None and one["layout"]["title"]["text"].endswith("(GBP)")


INVOICES = [
    {"invoice_id": 784019, "account_id": "ACC000784", "total": 2200.0},
    {"invoice_id": 1265013, "account_id": "ACC001265", "total": 800.0},
]


def _query_answer(rows: list[dict]) -> str:
    answer = narrate("query_duckdb", json.dumps({"tool": "query_duckdb", "rows": rows}))
    assert "|" in answer, answer  # a table was written
    return answer


def test_invoice_ids_are_never_written_as_numbers() -> None:
    _, body = for_people(["invoice_id", "account_id", "total"], INVOICES)
    assert [row[0] for row in body] == ["784019", "1265013"], body
    answer = _query_answer(INVOICES)
    assert "784019" in answer and "1265013" in answer, answer
    assert "784,019" not in answer and "1,265,013" not in answer, answer


def test_a_money_column_keeps_one_number_of_decimals() -> None:
    rows = [
        {"customer": "Acme", "net_revenue": 2200.0, "currency": "GBP"},
        {"customer": "Beta", "net_revenue": 800.0, "currency": "GBP"},
    ]
    answer = _query_answer(rows)
    assert "£2,200" in answer and "£800" in answer and "£800.00" not in answer, answer
    small = _query_answer([rows[1], rows[1]])
    assert "£800.00" in small, small  # a column of small amounts keeps its pence
