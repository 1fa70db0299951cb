"""Static SVG versions of the chat's Plotly charts, for the exported HTML report.

Contract: `svg_for(figure)` draws a Plotly figure's bar, line (scatter), gauge (indicator)
and radar (scatterpolar) traces as one self-contained `<svg>` (no script, no external
reference, every label XML-escaped), or returns None for a trace type it does not draw (the
report still shows the chart's numbers as a table). Categories or months run along x; the y
axis starts at 0 unless values are negative and its ticks are round numbers labelled exactly
(`nice_ticks`). A trace the chat hides until it is clicked in the legend (`visible=
"legendonly"`, the straight-line fit) is not drawn, so the export shows what the chat shows
(rt10 N-L6); line dashes and marker-only traces are drawn as the chat draws them.

The tick rule (steps of 1, 2, 2.5 or 5 × 10^k) is a few lines here: the report has no
plotting library but Plotly, whose tick placement runs in its JavaScript.

Method and measured reason (issue 12): embedding Plotly's JavaScript made a report 4.9 MB that
took ~6 s to open, and Plotly's own minified bundle alone is 4.8 MB — over the 2 MB budget
even once. A finance report needs the picture, not interaction; an SVG of a few KB opens at
once, prints, and lets the report's Content-Security-Policy forbid scripts altogether.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 36, 70
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")


def _text(
    x: float, y: float, text: str, size: int = 11, anchor: str = "middle", **extra: str
) -> str:
    attrs = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in extra.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{attrs}>'
        f"{escape(text)}</text>"
    )


def _numbers(values: Sequence[Any]) -> list[float | None]:
    out: list[float | None] = []
    for value in values:
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        out.append(number if math.isfinite(number) else None)
    return out


def _short(value: float, scale: float | None = None) -> str:
    """Axis numbers, exactly (a tick at 14,250 read "14k", rt10 N-L6), in thousands or
    millions by their own size or by `scale` (an axis's largest tick: one unit per axis).

    Examples:
        >>> _short(1_250_000), _short(35_000), _short(12_500), _short(7_500), _short(0.175)
        ('1.25M', '35k', '12.5k', '7,500', '0.175')
        >>> _short(5_000, scale=20_000), _short(0, scale=20_000)
        ('5k', '0')
    """
    size = abs(value) if scale is None else abs(scale)
    if value == 0:
        return "0"
    if size >= 1e6:
        return f"{value / 1e6:,.6g}M"
    if size >= 1e4:
        return f"{value / 1e3:,.6g}k"
    return f"{value:,.0f}" if size >= 10 else f"{value:.6g}"


NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


def nice_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round ticks covering [low, high] (steps of 1, 2, 2.5 or 5 × 10^k), at most `most` + 1:
    the axis runs from the first to the last, so every tick is a round number.

    Examples:
        >>> nice_ticks(0, 28_500)
        [0.0, 10000.0, 20000.0, 30000.0]
        >>> nice_ticks(0, 12_000), nice_ticks(-0.3, 0.7)
        ([0.0, 2500.0, 5000.0, 7500.0, 10000.0, 12500.0], [-0.4, -0.2, 0.0, 0.2, 0.4, 0.6, 0.8])
    """
    raw = (high - low) / (most - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in NICE_STEPS if m * magnitude >= raw * (1 - 1e-9))
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    digits = max(0, 2 - math.floor(math.log10(step)))
    return [round(i * step, digits) + 0.0 for i in range(first, last + 1)]


def _title(figure: dict[str, Any]) -> str:
    title = (figure.get("layout") or {}).get("title") or {}
    return str(title.get("text") or "") if isinstance(title, dict) else str(title)


def _gauge(trace: dict[str, Any], title: str) -> str:
    value = _numbers([trace.get("value")])[0] or 0.0
    axis = ((trace.get("gauge") or {}).get("axis") or {}).get("range") or [0, 100]
    low, high = float(axis[0] or 0), float(axis[1] or 100)
    share = max(0.0, min(1.0, (value - low) / ((high - low) or 1)))
    inner = WIDTH - LEFT - RIGHT
    suffix = str((trace.get("number") or {}).get("suffix") or "")
    heading = title or str((trace.get("title") or {}).get("text") or "")
    parts = [
        _text(WIDTH / 2, 22, heading, 14, font_weight="bold"),
        f'<rect x="{LEFT}" y="60" width="{inner}" height="28" fill="#eef1f4"/>',
        f'<rect x="{LEFT}" y="60" width="{inner * share:.1f}" height="28" fill="{PALETTE[0]}"/>',
        _text(LEFT + inner * share, 110, f"{value:g}{suffix}", 13),
        _text(LEFT, 110, _short(low), 10),
        _text(WIDTH - RIGHT, 110, _short(high), 10),
    ]
    return _svg(parts, 130)


def _svg(parts: list[str], height: int = HEIGHT) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'font-family="system-ui,sans-serif" style="max-width:100%;height:auto">'
        + "".join(parts)
        + "</svg>"
    )


def svg_for(figure: Any) -> str | None:
    """The figure as SVG, or None when it holds a trace type not drawn here."""
    spec = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else dict(figure or {})
    traces = [dict(t) for t in spec.get("data") or []]
    kinds = {str(t.get("type") or "scatter") for t in traces}
    if traces and kinds == {"scatterpolar"}:
        return _radar(traces, _title(spec))
    if not traces or not kinds <= {"bar", "scatter", "indicator"}:
        return None
    if "indicator" in kinds:
        return _gauge(traces[0], _title(spec))
    shown = [t for t in traces if t.get("visible", True) is True]  # as the chat shows it
    categories, series, values = _keyed(shown, "x", "y")
    if not categories or not values:
        return None
    return _axes_chart(_title(spec), categories, series, values)


Series = list[tuple[dict[str, Any], dict[str, float | None]]]

DASHES = {"dash": "6 4", "dot": "2 3", "dashdot": "6 3 2 3", "longdash": "10 4"}
"""Plotly's line dashes as SVG dash arrays (the chat draws the trend dashed)."""


def _keyed(
    traces: list[dict[str, Any]], key: str, value: str
) -> tuple[list[str], Series, list[float]]:
    """The traces' keys (x categories, radar axes) in first-seen order, each trace's values by
    key, and every finite value."""
    keys: list[str] = []
    for trace in traces:
        for item in trace.get(key) or []:
            if str(item) not in keys:
                keys.append(str(item))
    series = [
        (t, dict(zip(map(str, t.get(key) or []), _numbers(t.get(value) or []), strict=False)))
        for t in traces
    ]
    return keys, series, [v for _, vs in series for v in vs.values() if v is not None]


def _axes_chart(
    title: str,
    categories: list[str],
    series: Series,
    values: list[float],
) -> str:
    low, high = min(0.0, min(values)), max(0.0, max(values))
    ticks = nice_ticks(low, high if high > low else low + 1)
    low, high = ticks[0], ticks[-1]
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / len(categories)

    def y_of(value: float) -> float:
        return TOP + inner_h * (1 - (value - low) / (high - low))

    parts = [_text(WIDTH / 2, 20, title, 14, font_weight="bold")]
    for value in ticks:
        y = y_of(value)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>'
        )
        parts.append(_text(LEFT - 6, y + 4, _short(value, max(low, high, key=abs)), 10, "end"))
    every = max(1, math.ceil(len(categories) / 16))
    for index, name in enumerate(categories):
        if index % every == 0:
            x = LEFT + step * (index + 0.5)
            parts.append(
                _text(
                    x,
                    HEIGHT - BOTTOM + 14,
                    name[:18],
                    10,
                    "end",
                    transform=f"rotate(-35 {x:.1f} {HEIGHT - BOTTOM + 14})",
                )
            )
    bars = [s for s in series if s[0].get("type") == "bar"]
    width = step * 0.8 / max(1, len(bars))
    for number, (trace, ys) in enumerate(series):
        color = _color(trace, number)
        if trace.get("type") == "bar":
            slot = bars.index((trace, ys))
            for index, name in enumerate(categories):
                height = ys.get(name)
                if height is None:
                    continue
                x = LEFT + step * index + step * 0.1 + width * slot
                top, base = y_of(max(height, 0.0)), y_of(min(height, 0.0))
                parts.append(
                    f'<rect x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" '
                    f'height="{max(base - top, 0.5):.1f}" fill="{color}"/>'
                )
        else:
            at = [
                (LEFT + step * (i + 0.5), y_of(v))
                for i, name in enumerate(categories)
                if (v := ys.get(name)) is not None
            ]
            mode = str(trace.get("mode") or "lines")
            if "markers" in mode:
                size = 5 if mode == "markers" else 3
                parts += [
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size}" fill="{color}"/>' for x, y in at
                ]
            if "lines" in mode:
                dash = DASHES.get(str((trace.get("line") or {}).get("dash") or ""), "")
                parts.append(
                    f'<polyline fill="none" stroke="{color}" stroke-width="2"'
                    + (f' stroke-dasharray="{dash}"' if dash else "")
                    + f' points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in at)}"/>'
                )
        if len(series) > 1:
            parts.append(
                _text(
                    LEFT + 10 + 130 * number,
                    HEIGHT - 8,
                    f"■ {trace.get('name') or ''}",
                    11,
                    "start",
                    fill=color,
                )
            )
    return _svg(parts)


RADAR_HEIGHT = 440


def _radar(traces: list[dict[str, Any]], title: str) -> str | None:
    """Scatterpolar traces (a closed polygon per series over shared axes) as a radar: one
    spoke per axis, four grid rings labelled with their values, a legend under it. The radius
    runs from the smallest value to the largest (z-scores go below 0), as Plotly's does."""
    axes, series, values = _keyed(traces, "theta", "r")
    if len(axes) < 3 or not values:
        return None
    low, high = min(values), max(values)
    high = high if high > low else low + 1
    cx, cy, radius = WIDTH / 2, 62 + 150, 150.0  # the top label clears the title

    def point(index: int, value: float) -> tuple[float, float]:
        angle = math.pi / 2 - 2 * math.pi * index / len(axes)  # first axis up, clockwise
        share = (value - low) / (high - low)
        return cx + radius * share * math.cos(angle), cy - radius * share * math.sin(angle)

    parts = [_text(WIDTH / 2, 20, title, 14, font_weight="bold")]
    for ring in range(1, 5):
        value = low + (high - low) * ring / 4
        ring_points = " ".join(
            f"{x:.1f},{y:.1f}" for x, y in (point(i, value) for i in range(len(axes)))
        )
        parts.append(f'<polygon points="{ring_points}" fill="none" stroke="#e5e7eb"/>')
        parts.append(_text(cx + 4, point(0, value)[1] - 2, f"{value:.2g}", 9, "start"))
    for index, name in enumerate(axes):
        x, y = point(index, high)
        parts.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#d0d7de"/>'
        )
        lx, ly = point(index, high + (high - low) * 0.12)
        anchor = "middle" if abs(lx - cx) < 20 else ("start" if lx > cx else "end")
        parts.append(_text(lx, ly + 4, name[:28], 10, anchor))
    for number, (trace, rs) in enumerate(series):
        color = _color(trace, number)
        corners = [point(i, v) for i, name in enumerate(axes) if (v := rs.get(name)) is not None]
        shape = " ".join(f"{x:.1f},{y:.1f}" for x, y in corners)
        parts.append(
            f'<polygon points="{shape}" fill="{color}" fill-opacity="0.25" stroke="{color}" '
            'stroke-width="2"/>'
        )
        parts.append(
            _text(
                LEFT + 10 + 330 * (number % 2),
                RADAR_HEIGHT - 36 + 16 * (number // 2),
                f"■ {str(trace.get('name') or '')[:48]}",
                11,
                "start",
                fill=color,
            )
        )
    return _svg(parts, RADAR_HEIGHT)


def _color(trace: dict[str, Any], number: int) -> str:
    marker = trace.get("marker") or {}
    line = trace.get("line") or {}
    color = marker.get("color") if isinstance(marker.get("color"), str) else line.get("color")
    return escape(str(color)) if isinstance(color, str) else PALETTE[number % len(PALETTE)]
