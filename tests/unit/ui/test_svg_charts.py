"""rt10 N-L6: the exported revenue chart labels its y ticks exactly and shows what the chat
shows (the straight-line fit is hidden in the chat until its legend entry is clicked)."""

from __future__ import annotations

import itertools
import re

from ui.charts import figure_for
from ui.svg_charts import HEIGHT, LEFT, TOP, svg_for

FALL = [20_000.0] * 12 + [9_000, 8_000, 7_000, 6_000, 5_000, 4_000]
MONTHS = [f"2025-{m:02d}" for m in range(5, 13)] + [f"2026-{m:02d}" for m in range(1, 11)]
CHART = {
    "kind": "revenue_trend",
    "data": {
        "customer_id": "CUST-003",
        "months": MONTHS,
        "revenue": FALL,
        "trend": [*FALL[:-1], 5_000.0],
        "moving_avg": [None, None, *[sum(FALL[i - 2 : i + 1]) / 3 for i in range(2, 18)]],
        "line": [28_500.0 - 1_000 * i for i in range(18)],
        "anomaly_months": ["2026-05"],
        "decline_level": 1,
    },
}


def value_of(label: str) -> float:
    scale = {"k": 1e3, "M": 1e6}.get(label[-1], 1)
    return float(label.rstrip("kM").replace(",", "")) * scale


def test_y_ticks_are_round_and_labelled_exactly() -> None:
    svg = svg_for(figure_for(CHART))
    assert svg is not None
    ticks = re.findall(
        rf'<text x="{LEFT - 6:.1f}" y="([\d.]+)" font-size="10" text-anchor="end">([^<]+)</text>',
        svg,
    )
    values = [value_of(label) for _, label in ticks]
    assert len(values) >= 3 and values[0] == 0, ticks
    step = values[1] - values[0]
    assert all(b - a == step for a, b in itertools.pairwise(values)), ticks
    assert all(v % step == 0 for v in values) and str(step)[0] in "125", ticks
    # each label sits where its value is drawn: the axis is linear in the labelled values
    ys = [float(y) - 4 for y, _ in ticks]
    top, bottom = TOP, HEIGHT - 70
    for y, value in zip(ys, values, strict=True):
        assert abs(y - (bottom - (bottom - top) * value / values[-1])) < 0.2, (y, value)


def test_the_straight_line_fit_hidden_in_the_chat_is_not_drawn() -> None:
    svg = svg_for(figure_for(CHART))
    assert svg is not None
    assert "straight-line fit" not in svg
    assert svg.count("<polyline") == 3, "revenue, trend and 3-month average"
    assert 'stroke-dasharray="6 4"' in svg, "the trend is dashed, as in the chat"
    assert svg.count('r="5"') == 1, "the anomaly is one marker, not a line"
    assert max(value_of(t) for t in re.findall(r'text-anchor="end">([^<]+)</text>', svg)) < 28_500
