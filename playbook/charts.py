"""Small inline SVG charts, drawn at build time as text: no script, no external file.

Pure functions: the same indicator gives the same bytes (coordinates with one fixed decimal).
Every chart is readable without colour: points are hollow markers on a solid line, the target is
a dashed line with a text label, and the chart states its trend in words for screen readers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from playbook.formatting import number
from playbook.schema import Indicator

WIDTH = 360
HEIGHT = 180
# The plot area inside the chart: room on the left for value labels, on the right for the
# target's label, below for dates.
LEFT, RIGHT, TOP, BOTTOM = 48, 90, 14, 34
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM


@dataclass(frozen=True, slots=True)
class Scale:
    """Maps dates and values to chart coordinates; dates in proportion to the days between them."""

    first: dt.date
    days: int
    low: float
    high: float

    def x(self, day: dt.date) -> float:
        if self.days == 0:
            return LEFT + PLOT_W / 2
        return LEFT + (day - self.first).days / self.days * PLOT_W

    def y(self, value: float) -> float:
        return TOP + (self.high - value) / (self.high - self.low) * PLOT_H


def scale_for(dates: list[dt.date], values: list[float], target: float | None) -> Scale:
    """A scale that holds every value and the target, with a tenth of the range as margin."""
    span = [*values, *([target] if target is not None else [])]
    low, high = min(span), max(span)
    if high == low:
        low, high = low - 1, high + 1
    margin = (high - low) / 10
    return Scale(min(dates), (max(dates) - min(dates)).days, low - margin, high + margin)


def _f(value: float) -> str:
    """One fixed decimal: stable text for the same input on every machine."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def short(value: float) -> str:
    """A number short enough for an axis label: ``180000`` → ``180k``, ``2500000`` → ``2.5M``.

    The chart's description and the values table beside it give the exact numbers.
    """
    for threshold, unit, suffix in ((1e9, 1e9, "bn"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if abs(value) >= threshold:
            return f"{number(round(value / unit, 1))}{suffix}"
    return number(value)


def _text(x: float, y: float, content: str, anchor: str = "start", css: str = "") -> str:
    return (
        f'<text class="chart-label{" " + css if css else ""}" x="{_f(x)}" y="{_f(y)}" '
        f'text-anchor="{anchor}" font-size="11">{escape(content)}</text>'
    )


def indicator_chart(indicator: Indicator, trend_words: str) -> str:
    """An SVG line chart of the indicator's values over time, with its target as a dashed line.

    Returns an empty string when the indicator has no values: there is nothing to draw, and the
    page states that in words.
    """
    points = sorted(indicator.values, key=lambda point: point.date)
    if not points:
        return ""
    dates = [point.date for point in points]
    values = [float(point.value) for point in points]
    target = float(indicator.target) if indicator.target is not None else None
    scale = scale_for(dates, values, target)
    label = f"{indicator.name}: {trend_words}"
    readings = "; ".join(f"{p.date.isoformat()}: {number(p.value)}" for p in points)
    goal = (
        f" Target {number(indicator.target)}, {indicator.better} is better."
        if indicator.target is not None
        else f" No target set; {indicator.better} is better."
    )
    bottom, right = TOP + PLOT_H, LEFT + PLOT_W
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-label="{escape(label)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}">',
        f"<title>{escape(indicator.name)}</title>",
        f"<desc>{escape(f'Values by date: {readings}.{goal} Trend: {trend_words}.')}</desc>",
        f'<path class="chart-axis" d="M{LEFT} {TOP}V{bottom}H{right}" '
        'fill="none" stroke="#5b6575" stroke-width="1"/>',
    ]
    low, high = min(values), max(values)
    # The lowest and highest values label the axis; the highest only where it has room.
    for value in [low] if scale.y(low) - scale.y(high) < 12 else [low, high]:
        y = scale.y(value)
        parts.append(f'<path class="chart-tick" d="M{LEFT - 4} {_f(y)}H{LEFT}" stroke="#5b6575"/>')
        parts.append(_text(LEFT - 7, y + 4, short(value), "end"))
    first, last = dates[0], dates[-1]
    parts.append(_text(scale.x(first), bottom + 16, first.isoformat(), "start"))
    if last != first:
        parts.append(_text(scale.x(last), bottom + 16, last.isoformat(), "end"))
    if target is not None:
        y = scale.y(target)
        parts.append(
            f'<line class="chart-target" x1="{LEFT}" y1="{_f(y)}" x2="{right}" y2="{_f(y)}" '
            'stroke="#1d2430" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        parts.append(_text(right + 6, y + 4, f"target {short(target)}"))
    coords = [(scale.x(d), scale.y(v)) for d, v in zip(dates, values, strict=True)]
    if len(coords) > 1:
        line = " ".join(f"{_f(x)},{_f(y)}" for x, y in coords)
        parts.append(
            f'<polyline class="chart-line" points="{line}" fill="none" '
            'stroke="#1f5fbf" stroke-width="2"/>'
        )
    for point, (x, y) in zip(points, coords, strict=True):
        parts.append(
            f'<circle class="chart-point" cx="{_f(x)}" cy="{_f(y)}" r="4" fill="#ffffff" '
            f'stroke="#1f5fbf" stroke-width="2"><title>'
            f"{escape(f'{point.date.isoformat()}: {number(point.value)}')}</title></circle>"
        )
    parts.append("</svg>")
    return "\n".join(parts)
