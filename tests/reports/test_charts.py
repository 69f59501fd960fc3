"""The server-drawn SVG charts: accessible, escaped, and the same numbers as their tables."""

from __future__ import annotations

import re

import pytest

from apps.reports import charts


def test_line_chart_is_accessible_and_has_its_table():
    chart = charts.line_chart(
        title="7A <English>",
        desc="Rate per week",
        points=[("1 Sep", 100.0), ("8 Sep", None), ("15 Sep", 62.5)],
    )
    svg = str(chart.svg)
    assert 'role="img"' in svg and "aria-labelledby=" in svg
    assert "<title" in svg and "7A &lt;English&gt;" in svg and "<English>" not in svg
    assert "<desc" in svg and "Rate per week" in svg
    assert "Week beginning" in svg and "Attendance rate (%)" in svg
    # A week without marks breaks the line instead of dropping to zero, in both drawings.
    wide, narrow = svg.split("</svg>")[:2]
    assert 'class="chart chart-wide"' in wide and 'class="chart chart-narrow"' in narrow
    assert wide.count("<polyline") == 2 and narrow.count("<polyline") == 2
    assert chart.rows == [["1 Sep", "100.0%"], ["8 Sep", "no marks"], ["15 Sep", "62.5%"]]


def test_bar_chart_uses_code_colours_and_labels_each_bar():
    chart = charts.bar_chart(title="Codes", desc="Marks per code", bars=[("✓", 5, "#15803d"), ("A", 2, "#b91c1c")])
    svg = str(chart.svg)
    assert 'fill="#15803d"' in svg and 'fill="#b91c1c"' in svg
    assert re.search(r'class="value"[^>]*>5<', svg) and re.search(r'class="value"[^>]*>2<', svg)
    assert chart.rows == [["✓", "5"], ["A", "2"]]


def test_empty_charts_say_so():
    assert "No marks yet" in str(charts.bar_chart(title="t", desc="d", bars=[]).svg)
    assert "No marks yet" in str(charts.line_chart(title="t", desc="d", points=[("1 Sep", None)]).svg)


@pytest.mark.parametrize(("value", "ceiling"), [(0, 4), (4, 4), (5, 8), (9, 20), (20, 20), (41, 80), (999, 2000)])
def test_axis_ceiling_is_round(value, ceiling):
    assert charts._nice_ceiling(value) == ceiling


def test_sparkline_is_labelled():
    svg = str(charts.sparkline([100.0, None, 50.0], label="Weekly attendance of <Ann>"))
    assert 'role="img"' in svg and "<title>Weekly attendance of &lt;Ann&gt;</title>" in svg
