"""Labels of a one-month comparison on an imported book (rt11 R-L3): the change chart was
titled "2026-10 to 2026-10" and the answer's table had a "Name" column of n/a on every row
(an imported book has no names)."""

from __future__ import annotations

from agent.offline.narratives import narrate
from tools.results import tool_result
from tools.views import sql_chart

ROWS = [
    {
        "customer_id": customer,
        "name": None,
        "revenue_change": change,
        "revenue_in_period": now,
        "revenue_compared": now - change,
        "period_start": "2026-10",
        "period_end": "2026-10",
        "compared_start": "2025-10",
        "compared_end": "2025-10",
        "currency": "USD",
    }
    for customer, change, now in (("STEP-G", -8000.0, 7000.0), ("DROP-F", -4982.8, 3017.2))
]


def test_a_one_month_change_chart_names_its_month_and_what_it_is_compared_with() -> None:
    chart = sql_chart(ROWS)
    assert chart is not None
    title = chart["layout"]["title"]["text"]
    assert "2026-10 to 2026-10" not in title
    assert "2026-10 against 2025-10" in title, title


def test_a_column_empty_on_every_row_is_left_out_of_the_answer() -> None:
    content, _ = tool_result("query_duckdb", summary={"n_rows": 2}, rows=ROWS)
    answer = narrate("query_duckdb", content)
    header = next(line for line in answer.splitlines() if line.startswith("| Customer"))
    assert "Name" not in header and "n/a" not in answer, answer
    assert "STEP-G" in answer and "-$8,000" in answer
    lone, _ = tool_result("query_duckdb", summary={"n_rows": 1}, rows=[{"sum_net_revenue": None}])
    assert "n/a" in narrate("query_duckdb", lone)  # an empty answer is still said, not dropped
