"""Chart factories: one per artifact chart kind, and bad data never raises."""

from __future__ import annotations

import logging

import plotly.graph_objects as go
import pytest

from ui.charts import FACTORIES, figure_for

GAUGE = {
    "kind": "risk_gauge",
    "data": {
        "account_id": "ACC000042",
        "probability": 0.72,
        "risk_level": "High",
        "thresholds": {"high": 0.6, "medium": 0.3},
    },
}
DISTRIBUTION = {
    "kind": "risk_distribution",
    "data": {
        "counts": {"Low": 70, "High": 12, "Medium": 18},
        "probabilities": [0.1, 0.5, 0.9],
        "title": "Upload",
    },
}
LEAKAGE = {
    "kind": "leakage_by_type",
    "data": {
        "amounts": {"Failed_Payment_Retry": 1200.0, "Contract_Terms_Error": 5400.5},
        "counts": {"Failed_Payment_Retry": 3, "Contract_Terms_Error": 2},
        "currency": "USD",
    },
}
TREND = {
    "kind": "revenue_trend",
    "data": {
        "customer_id": "ACC000007",
        "months": ["2026-01", "2026-02", "2026-03", "2026-04"],
        "revenue": [100.0, 95.0, None, 60.0],
        "trend": [101, 94, 87, 80],
        "moving_avg": [100, 97.5, 97.5, 77.5],
        "seasonal": None,
        "anomaly_months": ["2026-04", "2031-01"],
        "decline_level": 3,
        "status": "ok",
    },
}
RADAR = {
    "kind": "segment_radar",
    "data": {
        "metrics": ["revenue", "growth", "volatility"],
        "segments": [
            {"segment_id": 0, "name": "Steady", "z": [0.2, 0.1, -0.5]},
            {"segment_id": 1, "name": "Shrinking", "z": [-0.4, -1.2, 0.8]},
        ],
    },
}


def test_every_contract_kind_has_a_factory():
    assert set(FACTORIES) == {
        "risk_gauge",
        "risk_distribution",
        "leakage_by_type",
        "revenue_trend",
        "segment_radar",
    }


def test_risk_gauge_shows_percent_and_threshold():
    figure = figure_for(GAUGE)
    indicator = figure.data[0]
    assert isinstance(indicator, go.Indicator)
    assert indicator.value == 72.0
    assert indicator.gauge.threshold.value == 60.0
    assert "ACC000042" in indicator.title.text and "High" in indicator.title.text


def test_risk_distribution_orders_levels_and_adds_histogram():
    figure = figure_for(DISTRIBUTION)
    bars, histogram = figure.data
    assert list(bars.x) == ["High", "Medium", "Low"]
    assert list(bars.y) == [12, 18, 70]
    assert list(histogram.x) == [10.0, 50.0, 90.0]


def test_risk_distribution_without_probabilities_is_bars_only():
    figure = figure_for({"kind": "risk_distribution", "data": {"counts": {"High": 1, "Low": 2}}})
    assert len(figure.data) == 1 and list(figure.data[0].x) == ["High", "Low"]


def test_leakage_by_type_puts_largest_on_top():
    bars = figure_for(LEAKAGE).data[0]
    assert list(bars.y) == [
        "Failed Payment Retry",
        "Contract Terms Error",
    ]  # plotly draws bottom-up
    assert list(bars.x) == [1200.0, 5400.5]
    assert "2 findings" in bars.text[1]


def test_revenue_trend_has_lines_and_anomaly_markers_inside_the_range():
    figure = figure_for(TREND)
    names = [trace.name for trace in figure.data]
    assert names == ["revenue", "trend (local level)", "3-month average", "anomaly"]
    anomaly = figure.data[-1]
    assert list(anomaly.x) == ["2026-04"] and list(anomaly.y) == [60.0]
    assert list(figure.data[0].y)[2] is None  # gaps stay gaps
    assert "decline level 3" in figure.layout.title.text
    assert figure.layout.xaxis.type == "category"  # "2026-04" stays a month label


def test_the_straight_line_fit_is_drawn_only_when_asked_for_in_the_legend():
    """rt9 D29: the straight Theil-Sen line read far from revenue after a fall; it is there,
    hidden until clicked, beside the local level."""
    line = {**TREND, "data": {**TREND["data"], "line": [110, 90, 70, 50]}}
    traces = {trace.name: trace for trace in figure_for(line).data}
    assert traces["straight-line fit"].visible == "legendonly"
    assert list(traces["straight-line fit"].y) == [110.0, 90.0, 70.0, 50.0]
    assert traces["trend (local level)"].visible is True


def test_segment_radar_closes_each_polygon():
    figure = figure_for(RADAR)
    first = figure.data[0]
    assert isinstance(first, go.Scatterpolar)
    assert list(first.theta) == ["revenue", "growth", "volatility", "revenue"]
    assert first.r[0] == first.r[-1] == 0.2
    assert figure.data[1].name == "1: Shrinking"


def test_plotly_figure_dicts_pass_through():
    figure = figure_for(go.Figure(go.Bar(x=["a"], y=[1])).to_dict())
    assert figure is not None and figure.data[0].type == "bar"


@pytest.mark.parametrize(
    "chart",
    [
        {"kind": "pie_of_doom", "data": {}},
        {"kind": "risk_gauge", "data": {"probability": "very high"}},
        {"kind": "revenue_trend", "data": {"months": ["2026-01"], "revenue": [1, 2]}},
        {
            "kind": "segment_radar",
            "data": {"metrics": ["a", "b"], "segments": [{"segment_id": 0, "z": [1]}]},
        },
        {"kind": "leakage_by_type", "data": {}},
        {"kind": "risk_distribution"},
    ],
)
def test_bad_charts_give_none_and_a_warning(chart, caplog):
    with caplog.at_level(logging.WARNING, logger="ui.charts"):
        assert figure_for(chart) is None
    assert caplog.records, "a dropped chart must be logged"


def test_no_chart_is_no_figure():
    assert figure_for(None) is None and figure_for({}) is None


def test_figures_serialise_for_the_browser():
    for chart in (GAUGE, DISTRIBUTION, LEAKAGE, TREND, RADAR):
        assert figure_for(chart).to_json()


def test_revenue_trend_axis_is_not_padded_below_zero():
    """rt8 D29: a churned customer's chart showed its lines reaching below 0 revenue."""
    assert figure_for(TREND).layout.yaxis.rangemode == "nonnegative"
    seasonal = {**TREND, "data": {**TREND["data"], "seasonal": [1.0, -2.0, 0.5, 0.0]}}
    assert figure_for(seasonal).layout.yaxis.rangemode is None  # a seasonal part goes below 0
