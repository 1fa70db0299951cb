"""A query's chart: months on a category axis, a currency only for amounts (rt14 V-L1)."""

from __future__ import annotations

from tools.views import sql_chart


def test_months_are_categories_not_a_day_axis() -> None:
    """rt14 V-L1: "2026-09" and "2026-10" were parsed as dates and drawn on a day axis with
    ticks "Sep 6 2026, Sep 13, Sep 20, Sep 27" under a two-month comparison."""
    rows = [
        {"month": "2026-09", "net_revenue": 4_396_502.55, "currency": "USD"},
        {"month": "2026-10", "net_revenue": 4_264_717.39, "currency": "USD"},
    ]
    chart = sql_chart(rows)
    assert chart is not None
    assert chart["layout"]["xaxis"]["type"] == "category"
    assert chart["data"][0]["x"] == ["2026-09", "2026-10"]


def test_a_count_is_not_titled_in_a_currency() -> None:
    """The failed-payments ranking was titled "N failed payments by account id … (USD)"."""
    rows = [
        {"account_id": "ACC000057", "n_failed_payments": 73, "currency": "USD"},
        {"account_id": "ACC001505", "n_failed_payments": 73, "currency": "USD"},
    ]
    chart = sql_chart(rows)
    assert chart is not None
    assert chart["layout"]["title"]["text"] == "Failed payments by account id"
    assert chart["layout"]["yaxis"]["title"]["text"] == "failed payments"
    money = [{"account_id": r["account_id"], "amount": 10.0, "currency": "USD"} for r in rows]
    amounts = sql_chart(money)
    assert (
        amounts is not None and amounts["layout"]["title"]["text"] == "Amount by account id (USD)"
    )
