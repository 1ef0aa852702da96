"""The indicator chart: an SVG whose points sit where the values say, with the target as a line."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from playbook.charts import HEIGHT, LEFT, PLOT_H, PLOT_W, TOP, WIDTH, indicator_chart, short
from playbook.schema import Indicator

SVG = "{http://www.w3.org/2000/svg}"


def chart(trend: str = "moving towards the target", **fields: Any) -> ET.Element:
    indicator = Indicator.model_validate({"name": "Technical buyer rating", **fields})
    return ET.fromstring(indicator_chart(indicator, trend))


def points(svg: ET.Element) -> list[tuple[float, float]]:
    return [(float(c.attrib["cx"]), float(c.attrib["cy"])) for c in svg.iter(f"{SVG}circle")]


def target_y(svg: ET.Element) -> float:
    (line,) = svg.iter(f"{SVG}line")
    assert line.attrib["class"] == "chart-target"
    assert line.attrib["y1"] == line.attrib["y2"]
    return float(line.attrib["y1"])


READINGS = [
    {"date": "2026-09-01", "value": -2},
    {"date": "2026-10-01", "value": 0},
    {"date": "2026-11-01", "value": 2},
]


def test_points_are_placed_by_date_and_value_and_the_target_by_its_value() -> None:
    svg = chart(target=3, values=READINGS)
    (x0, y0), (x1, y1), (x2, y2) = points(svg)
    # x in proportion to the days: 30 of the 61 days between the first and the last reading.
    assert (x0, x2) == (LEFT, LEFT + PLOT_W)
    assert (x1 - x0) / (x2 - x0) == pytest.approx(30 / 61, abs=0.001)
    # y falls as the value rises, in proportion; the target sits on the same scale.
    assert y0 > y1 > y2
    assert (y1 - y0) / (y2 - y0) == pytest.approx(0.5, abs=0.001)
    ty = target_y(svg)
    assert (ty - y0) / (y2 - y0) == pytest.approx((3 - -2) / (2 - -2), abs=0.001)
    # Everything inside the plot area.
    for x, y in [*points(svg), (LEFT, ty)]:
        assert LEFT <= x <= LEFT + PLOT_W
        assert TOP <= y <= TOP + PLOT_H
    # The exact coordinates, pinned: one decimal, the same on every machine.
    assert points(svg) == [(48.0, 135.0), (157.2, 91.0), (270.0, 47.0)]
    assert ty == 25.0


def test_points_are_sorted_by_date_and_joined_by_a_line() -> None:
    svg = chart(values=list(reversed(READINGS)))
    titles = [c.find(f"{SVG}title").text for c in svg.iter(f"{SVG}circle")]
    assert titles == ["2026-09-01: -2", "2026-10-01: 0", "2026-11-01: 2"]
    (line,) = svg.iter(f"{SVG}polyline")
    drawn = [tuple(float(n) for n in pair.split(",")) for pair in line.attrib["points"].split()]
    assert drawn == points(svg)


def test_target_is_dashed_and_labelled_and_readable_without_colour() -> None:
    svg = chart(target=3, values=READINGS)
    (line,) = svg.iter(f"{SVG}line")
    assert line.attrib["stroke-dasharray"] == "6 4"
    labels = [t.text for t in svg.iter(f"{SVG}text")]
    assert labels == ["-2", "2", "2026-09-01", "2026-11-01", "target 3"]
    # Hollow markers on a solid line: distinguishable from the dashed target in black and white.
    assert {c.attrib["fill"] for c in svg.iter(f"{SVG}circle")} == {"#ffffff"}
    assert "stroke-dasharray" not in next(svg.iter(f"{SVG}polyline")).attrib


def test_chart_is_an_image_with_a_name_a_description_and_the_trend_in_words() -> None:
    svg = chart("moving towards the target of 3 (last 2, before 0)", target=3, values=READINGS)
    assert svg.attrib["role"] == "img"
    assert svg.attrib["aria-label"] == (
        "Technical buyer rating: moving towards the target of 3 (last 2, before 0)"
    )
    assert svg.find(f"{SVG}title").text == "Technical buyer rating"
    assert svg.find(f"{SVG}desc").text == (
        "Values by date: 2026-09-01: -2; 2026-10-01: 0; 2026-11-01: 2. Target 3, higher is "
        "better. Trend: moving towards the target of 3 (last 2, before 0)."
    )
    assert (svg.attrib["width"], svg.attrib["height"]) == (str(WIDTH), str(HEIGHT))


def test_text_is_escaped() -> None:
    indicator = Indicator.model_validate(
        {"name": 'Rating <b>"R&D"</b>', "values": [{"date": "2026-01-01", "value": 1}]}
    )
    markup = indicator_chart(indicator, "a < b & c")
    svg = ET.fromstring(markup)
    assert "<b>" not in markup
    assert svg.find(f"{SVG}title").text == 'Rating <b>"R&D"</b>'
    assert svg.attrib["aria-label"] == 'Rating <b>"R&D"</b>: a < b & c'


def test_a_lower_is_better_indicator_is_drawn_on_the_same_kind_of_scale() -> None:
    svg = chart(
        target=10,
        better="lower",
        values=[{"date": "2026-01-01", "value": 14}, {"date": "2026-03-01", "value": 12}],
    )
    (_, y_first), (_, y_last) = points(svg)
    assert y_first < y_last < target_y(svg)  # 14 above 12 above the target of 10
    assert "Target 10, lower is better." in svg.find(f"{SVG}desc").text


def test_a_single_value_sits_in_the_middle_and_equal_values_get_a_scale() -> None:
    svg = chart(values=[{"date": "2026-05-01", "value": 7}])
    assert points(svg) == [(LEFT + PLOT_W / 2, TOP + PLOT_H / 2)]
    assert list(svg.iter(f"{SVG}polyline")) == []
    assert list(svg.iter(f"{SVG}line")) == []  # no target, no target line
    assert [t.text for t in svg.iter(f"{SVG}text")] == ["7", "2026-05-01"]


def test_no_values_no_chart() -> None:
    indicator = Indicator.model_validate({"name": "Later", "target": 3})
    assert indicator_chart(indicator, "no values yet (target 3)") == ""


def test_output_is_deterministic_and_uses_fixed_decimals() -> None:
    values = [
        {"date": (dt.date(2026, 1, 1) + dt.timedelta(days=7 * i)).isoformat(), "value": v}
        for i, v in enumerate([0.1, 0.2, 0.30000000000000004, 1 / 3])
    ]
    indicator = Indicator.model_validate({"name": "Share", "target": 0.5, "values": values})
    first = indicator_chart(indicator, "words")
    assert first == indicator_chart(indicator, "words")
    svg = ET.fromstring(first)
    for circle in svg.iter(f"{SVG}circle"):
        for key in ("cx", "cy"):
            assert len(circle.attrib[key].split(".")[1]) == 1


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2, "2"),
        (-2.5, "-2.5"),
        (9999, "9,999"),
        (12500, "12.5k"),
        (180000, "180k"),
        (2.5e6, "2.5M"),
    ],
)
def test_axis_labels_are_short(value: float, text: str) -> None:
    assert short(value) == text


def test_large_values_get_short_labels_and_exact_numbers_in_the_description() -> None:
    svg = chart(
        target=250000,
        values=[{"date": "2026-01-01", "value": 120000}, {"date": "2026-02-01", "value": 180000}],
    )
    assert [t.text for t in svg.iter(f"{SVG}text")] == [
        "120k",
        "180k",
        "2026-01-01",
        "2026-02-01",
        "target 250k",
    ]
    assert "2026-01-01: 120,000; 2026-02-01: 180,000. Target 250,000" in svg.find(f"{SVG}desc").text
