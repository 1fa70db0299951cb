"""Plotly figures a finance lead expects, built from the `chart` of a tool artifact.

A tool artifact may carry `"chart": {"kind": K, "data": {...}}`; `figure_for(chart)` turns it
into a `plotly.graph_objects.Figure`. One small factory per kind:

- `risk_gauge` — one account's leakage probability against the High/Medium thresholds;
- `risk_distribution` — accounts per risk level (plus a probability histogram when given);
- `leakage_by_type` — detected leakage amount (and count) per leakage type;
- `revenue_trend` — a customer's monthly revenue with trend, moving average, anomaly markers;
- `segment_radar` — z-scored segment profiles on shared axes.

A chart must never break a reply: an unknown kind or malformed data gives `None` and a logged
warning. A chart that is already a Plotly figure dict (`{"data": [...], "layout": {...}}`) is
accepted as is. Figures contain only plain JSON numbers, so `Figure.to_dict()` round-trips into
the exported report.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from domain import DEFAULT_CURRENCY

logger = logging.getLogger(__name__)

RISK_COLORS = {"High": "#d62728", "Medium": "#ff7f0e", "Low": "#2ca02c"}
RISK_ORDER = ("High", "Medium", "Low")
_LAYOUT = {"margin": {"l": 40, "r": 20, "t": 50, "b": 40}, "template": "plotly_white"}


def _numbers(values: Sequence[Any]) -> list[float | None]:
    """Floats, with None for gaps (Plotly leaves a gap); raises on non-numeric text."""
    return [None if value is None else float(value) for value in values]


def risk_gauge(data: Mapping[str, Any]) -> go.Figure:
    """Probability (0–1) shown as a percentage gauge with Low/Medium/High bands."""
    probability = float(data["probability"])
    thresholds = data.get("thresholds") or {}
    high = float(thresholds.get("high", 0.6)) * 100
    medium = float(thresholds.get("medium", 0.3)) * 100
    level = str(data.get("risk_level") or "")
    figure = go.Figure(
        go.Indicator(
            mode="gauge+number",
            value=round(probability * 100, 1),
            number={"suffix": "%"},
            title={"text": f"{data.get('account_id', '')} leakage risk: {level}".strip()},
            gauge={
                "axis": {"range": [0, 100]},
                "bar": {"color": RISK_COLORS.get(level, "#1f77b4")},
                "steps": [
                    {"range": [0, medium], "color": "#e8f5e9"},
                    {"range": [medium, high], "color": "#fff3e0"},
                    {"range": [high, 100], "color": "#ffebee"},
                ],
                "threshold": {"line": {"color": "#d62728", "width": 3}, "value": high},
            },
        )
    )
    return figure.update_layout(**_LAYOUT, height=300)


def risk_distribution(data: Mapping[str, Any]) -> go.Figure:
    """Accounts per risk level as bars; a probability histogram beside them when given."""
    counts = {str(k): int(v) for k, v in dict(data["counts"]).items()}
    levels = [level for level in RISK_ORDER if level in counts] + [
        level for level in counts if level not in RISK_ORDER
    ]
    bars = go.Bar(
        x=levels,
        y=[counts[level] for level in levels],
        marker_color=[RISK_COLORS.get(level, "#1f77b4") for level in levels],
        text=[f"{counts[level]:,}" for level in levels],
        textposition="auto",
        name="accounts",
    )
    title = str(data.get("title") or "Accounts by predicted leakage risk")
    probabilities = data.get("probabilities")
    if not probabilities:
        figure = go.Figure(bars)
        figure.update_layout(title=title, yaxis_title="accounts", showlegend=False)
        return figure.update_layout(**_LAYOUT)
    from plotly.subplots import make_subplots

    figure = make_subplots(rows=1, cols=2, subplot_titles=("Risk level", "Leakage probability"))
    figure.add_trace(bars, row=1, col=1)
    histogram = go.Histogram(
        x=[value * 100 for value in _numbers(probabilities) if value is not None],
        xbins={"start": 0, "end": 100, "size": 5},
        marker_color="#1f77b4",
        name="probability (%)",
    )
    figure.add_trace(histogram, row=1, col=2)
    figure.update_layout(title=title, showlegend=False, bargap=0.05)
    return figure.update_layout(**_LAYOUT)


def leakage_by_type(data: Mapping[str, Any]) -> go.Figure:
    """Detected leakage per type, largest first, as horizontal bars labelled with counts."""
    amounts = {str(k): float(v) for k, v in dict(data["amounts"]).items()}
    counts = {str(k): int(v) for k, v in dict(data.get("counts") or {}).items()}
    currency = str(data.get("currency") or DEFAULT_CURRENCY)
    kinds = sorted(amounts, key=lambda kind: amounts[kind])  # largest ends on top
    labels = [
        f"{amounts[k]:,.0f} {currency}" + (f" · {counts[k]:,} findings" if k in counts else "")
        for k in kinds
    ]
    figure = go.Figure(
        go.Bar(
            x=[amounts[k] for k in kinds],
            y=[k.replace("_", " ") for k in kinds],
            orientation="h",
            text=labels,
            textposition="auto",
            marker_color="#d62728",
        )
    )
    figure.update_layout(title="Detected leakage by type", xaxis_title=f"amount ({currency})")
    return figure.update_layout(**_LAYOUT)


def revenue_trend(data: Mapping[str, Any]) -> go.Figure:
    """Monthly revenue with its trend, moving average, seasonal part and anomaly markers."""
    months = [str(month) for month in data["months"]]
    revenue = _numbers(data["revenue"])
    if len(revenue) != len(months):
        raise ValueError(f"{len(months)} months but {len(revenue)} revenue values")
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=months, y=revenue, mode="lines+markers", name="revenue"))
    lines = (
        ("trend", "trend (local level)", "dash", True),
        ("moving_avg", "3-month average", "dot", True),
        ("line", "straight-line fit", "dashdot", "legendonly"),
    )
    for key, name, dash, visible in lines:
        values = data.get(key)
        if values:
            figure.add_trace(
                go.Scatter(
                    x=months,
                    y=_numbers(values),
                    mode="lines",
                    name=name,
                    line={"dash": dash},
                    visible=visible,
                )
            )
    if data.get("seasonal"):
        figure.add_trace(
            go.Scatter(
                x=months,
                y=_numbers(data["seasonal"]),
                mode="lines",
                name="seasonal",
                visible="legendonly",
            )
        )
    anomalies = [str(month) for month in data.get("anomaly_months") or [] if str(month) in months]
    if anomalies:
        at = {month: value for month, value in zip(months, revenue, strict=True)}
        figure.add_trace(
            go.Scatter(
                x=anomalies,
                y=[at[m] for m in anomalies],
                mode="markers",
                name="anomaly",
                marker={"color": "#d62728", "size": 12, "symbol": "x"},
            )
        )
    level = data.get("decline_level")
    status = f" — decline level {level}" if level is not None else ""
    currency = data.get("currency")  # the axis says its currency (rt12 T-H6)
    axis = f"monthly revenue ({currency})" if isinstance(currency, str) and currency else ""
    figure.update_layout(
        title=f"Revenue of {data.get('customer_id', '')}{status}",
        yaxis_title=axis or "monthly revenue",
    )
    figure.update_xaxes(type="category")  # months as written, not parsed to dates
    if not data.get("seasonal"):  # revenue and its fitted lines are never below 0 (rt8 D29):
        figure.update_yaxes(rangemode="nonnegative")  # no axis padded below 0 under them
    return figure.update_layout(**_LAYOUT, legend={"orientation": "h", "y": -0.2})


def segment_radar(data: Mapping[str, Any]) -> go.Figure:
    """Segment profiles (mean z-scores per metric) overlaid on one radar."""
    metrics = [str(metric) for metric in data["metrics"]]
    segments = list(data["segments"])
    if not metrics or not segments:
        raise ValueError("segment_radar needs metrics and segments")
    figure = go.Figure()
    for segment in segments:
        z = _numbers(segment["z"])
        if len(z) != len(metrics):
            raise ValueError(
                f"segment {segment.get('segment_id')}: {len(z)} values, {len(metrics)} metrics"
            )
        label = f"{segment.get('segment_id')}: {segment.get('name', '')}".strip(": ")
        figure.add_trace(
            go.Scatterpolar(
                r=[*z, z[0]], theta=[*metrics, metrics[0]], name=label, fill="toself", opacity=0.6
            )
        )
    figure.update_layout(
        title="Segment profiles (z-scores)", polar={"radialaxis": {"visible": True}}
    )
    return figure.update_layout(**_LAYOUT)


FACTORIES: dict[str, Callable[[Mapping[str, Any]], go.Figure]] = {
    "risk_gauge": risk_gauge,
    "risk_distribution": risk_distribution,
    "leakage_by_type": leakage_by_type,
    "revenue_trend": revenue_trend,
    "segment_radar": segment_radar,
}
"""Chart kind → factory. Kinds and data fields are the tools' artifact contract."""


def figure_for(chart: Mapping[str, Any] | None) -> go.Figure | None:
    """The figure for a tool artifact's `chart`, or None (with a warning) when it can't be drawn."""
    if not chart:
        return None
    try:
        if isinstance(chart.get("data"), list) and "kind" not in chart:  # a Plotly figure dict
            return go.Figure(dict(chart))
        kind = str(chart.get("kind"))
        factory = FACTORIES.get(kind)
        if factory is None:
            logger.warning("No chart for unknown kind %r", kind)
            return None
        return factory(chart.get("data") or {})
    except Exception as exc:  # a chart must never break a reply
        logger.warning(
            "Chart %r could not be drawn: %s: %s", chart.get("kind"), type(exc).__name__, exc
        )
        return None
