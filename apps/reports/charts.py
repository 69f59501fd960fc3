"""Charts drawn on the server as accessible SVG: no script, no CDN, a data table beside each."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

_ids = itertools.count(1)


@dataclass(frozen=True)
class Layout:
    """A chart's drawing box in SVG units. Each chart is drawn twice, ``WIDE`` and ``NARROW``;
    reports.css shows the one that fits its box (``NARROW`` under 31rem), so that the 13-unit
    text is drawn at 12 px or more on a phone and a laptop alike (one 640-unit chart shrunk to
    a phone's 324 px drew it at 6.6 px)."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    labels: int  # x-axis labels at most, so that they never overlap
    y_label: bool  # the rotated y-axis label (a phone has no room beside the ticks)
    css: str

    @property
    def plot_w(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> float:
        return self.height - self.top - self.bottom


WIDE = Layout(520, 240, 64, 16, 16, 56, 7, True, "chart chart-wide")
NARROW = Layout(320, 220, 48, 12, 12, 48, 4, False, "chart chart-narrow")
CHAR_W = 8.5  # at most about how wide a 13-unit character is drawn, to keep a label inside the chart


@dataclass
class Chart:
    """An SVG and the same numbers as a table (the fallback for screen readers and print)."""

    title: str
    desc: str
    svg: SafeString
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)


def _fmt(value: float | None, unit: str = "%") -> str:
    if value is None:
        return gettext("no marks")
    if unit == "%":
        return gettext("%(number)s%%") % {"number": number_format(round(value, 1), 1)}
    return f"{value:g}"


def _empty(x: float, y: float) -> str:
    """The line a chart with no marks shows in its middle."""
    return f'<text class="empty" x="{x}" y="{y}" text-anchor="middle">{escape(gettext("No marks yet"))}</text>'


def _open_svg(uid: str, title: str, desc: str, layout: Layout, height: int | None = None) -> list[str]:
    return [
        f'<svg class="{layout.css}" viewBox="0 0 {layout.width} {height or layout.height}" role="img" '
        f'aria-labelledby="{uid}-title {uid}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(desc)}</desc>',
    ]


def _axes(parts: list[str], lay: Layout, *, x_label: str, y_label: str, y_max: float, y_unit: str) -> None:
    plot_h = lay.plot_h
    for i in range(5):
        value = y_max * i / 4
        y = lay.top + plot_h - plot_h * i / 4
        parts.append(f'<line class="grid" x1="{lay.left}" y1="{y:.1f}" x2="{lay.width - lay.right}" y2="{y:.1f}"/>')
        text = f"{value:.0f}{y_unit}"
        parts.append(f'<text class="tick" x="{lay.left - 6}" y="{y + 4:.1f}" text-anchor="end">{text}</text>')
    parts.append(f'<line class="axis" x1="{lay.left}" y1="{lay.top}" x2="{lay.left}" y2="{lay.top + plot_h}"/>')
    parts.append(
        f'<line class="axis" x1="{lay.left}" y1="{lay.top + plot_h}" x2="{lay.width - lay.right}" '
        f'y2="{lay.top + plot_h}"/>'
    )
    parts.append(
        f'<text class="axis-label" x="{lay.left + lay.plot_w / 2:.1f}" y="{lay.height - 8}" '
        f'text-anchor="middle">{escape(x_label)}</text>'
    )
    if lay.y_label:
        parts.append(
            f'<text class="axis-label" transform="translate(14 {lay.top + plot_h / 2:.1f}) rotate(-90)" '
            f'text-anchor="middle">{escape(y_label)}</text>'
        )


def _x_tick(lay: Layout, x: float, label: str) -> str:
    """An x-axis label under ``x``, moved in from an edge it would cross."""
    half = len(label) * CHAR_W / 2
    anchor, at = "middle", x
    if x + half > lay.width - 1:
        anchor, at = "end", lay.width - 1
    elif x - half < 1:
        anchor, at = "start", 1
    return (
        f'<text class="tick" x="{at:.1f}" y="{lay.top + lay.plot_h + 18}" text-anchor="{anchor}">{escape(label)}</text>'
    )


def _line_svg(lay: Layout, title: str, desc: str, points, x_label: str, y_label: str) -> str:
    uid = f"chart{next(_ids)}"
    parts = _open_svg(uid, title, desc, lay)
    _axes(parts, lay, x_label=x_label, y_label=y_label, y_max=100, y_unit="%")
    plot_w, plot_h = lay.plot_w, lay.plot_h
    step = plot_w / max(len(points) - 1, 1)
    every = max(1, -(-len(points) // lay.labels))  # at most ``labels`` labels
    segment: list[str] = []
    segments: list[list[str]] = []
    dots: list[str] = []
    for i, (label, value) in enumerate(points):
        x = lay.left + (step * i if len(points) > 1 else plot_w / 2)
        if i % every == 0:
            parts.append(_x_tick(lay, x, label))
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        y = lay.top + plot_h - plot_h * max(0.0, min(value, 100.0)) / 100
        segment.append(f"{x:.1f},{y:.1f}")
        dots.append(
            f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="3.5">'
            f"<title>{escape(label)}: {_fmt(value)}</title></circle>"
        )
    if segment:
        segments.append(segment)
    parts += [f'<polyline class="line" points="{" ".join(s)}"/>' for s in segments]
    parts += dots
    if not dots:
        parts.append(_empty(lay.width / 2, lay.height / 2))
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    *,
    title: str,
    desc: str,
    points: list[tuple[str, float | None]],
    x_label: str = "",
    y_label: str = "",
) -> Chart:
    """A rate (0–100) over time; a gap where there were no marks."""
    x_label = x_label or gettext("Week beginning")
    y_label = y_label or gettext("Attendance rate (%)")
    svg = "".join(_line_svg(lay, title, desc, points, x_label, y_label) for lay in (WIDE, NARROW))
    return Chart(
        title=title,
        desc=desc,
        svg=mark_safe(svg),  # noqa: S308 every text in it is escaped above
        headers=[x_label, y_label],
        rows=[[label, _fmt(value)] for label, value in points],
    )


def _bar_svg(title: str, desc: str, bars, x_label: str, y_label: str) -> str:
    uid = f"chart{next(_ids)}"
    lay = WIDE
    parts = _open_svg(uid, title, desc, lay)
    top = max((count for _, count, _ in bars), default=0)
    y_max = _nice_ceiling(top)
    _axes(parts, lay, x_label=x_label, y_label=y_label, y_max=y_max, y_unit="")
    plot_w, plot_h = lay.plot_w, lay.plot_h
    slot = plot_w / max(len(bars), 1)
    bar_w = min(48.0, slot * 0.7)
    for i, (label, count, colour) in enumerate(bars):
        h = plot_h * count / y_max if y_max else 0
        x = lay.left + slot * i + (slot - bar_w) / 2
        y = lay.top + plot_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{escape(colour)}">'
            f"<title>{escape(label)}: {count}</title></rect>"
        )
        parts.append(f'<text class="value" x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">{count}</text>')
        parts.append(
            f'<text class="tick" x="{x + bar_w / 2:.1f}" y="{lay.top + plot_h + 18}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    if not bars:
        parts.append(_empty(lay.width / 2, lay.height / 2))
    parts.append("</svg>")
    return "".join(parts)


ROW_H = 28  # a bar of the phone's chart, which lies on its side: one row per code


def _bar_svg_narrow(title: str, desc: str, bars, y_label: str) -> str:
    """On a phone the bars lie on their side, one row per code, so that a dozen codes' labels
    and counts keep their size instead of crowding under narrow bars."""
    uid = f"chart{next(_ids)}"
    lay = NARROW
    label_w = 12 + max((len(label) for label, _, _ in bars), default=1) * CHAR_W
    count_w = 8 + max((len(str(count)) for _, count, _ in bars), default=1) * CHAR_W
    top = 8
    height = top + max(len(bars), 1) * ROW_H + 30
    parts = _open_svg(uid, title, desc, lay, height)
    longest = max((count for _, count, _ in bars), default=0)
    room = lay.width - label_w - count_w
    for i, (label, count, colour) in enumerate(bars):
        y = top + i * ROW_H
        w = room * count / longest if longest else 0
        parts.append(
            f'<text class="tick" x="{label_w - 6:.1f}" y="{y + ROW_H / 2 + 4:.1f}" text-anchor="end">'
            f"{escape(label)}</text>"
        )
        parts.append(
            f'<rect x="{label_w:.1f}" y="{y + 4}" width="{w:.1f}" height="{ROW_H - 8}" fill="{escape(colour)}">'
            f"<title>{escape(label)}: {count}</title></rect>"
        )
        parts.append(f'<text class="value" x="{label_w + w + 4:.1f}" y="{y + ROW_H / 2 + 4:.1f}">{count}</text>')
    bottom = top + max(len(bars), 1) * ROW_H
    parts.append(f'<line class="axis" x1="{label_w:.1f}" y1="{top}" x2="{label_w:.1f}" y2="{bottom}"/>')
    parts.append(
        f'<text class="axis-label" x="{lay.width / 2}" y="{height - 8}" text-anchor="middle">{escape(y_label)}</text>'
    )
    if not bars:
        middle = top + ROW_H / 2 + 4
        parts.append(_empty(lay.width / 2, middle))
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    *,
    title: str,
    desc: str,
    bars: list[tuple[str, int, str]],
    x_label: str = "",
    y_label: str = "",
) -> Chart:
    """Counts per category (label, count, colour #rrggbb), each bar labelled with its count."""
    x_label = x_label or gettext("Attendance code")
    y_label = y_label or gettext("Marks")
    svg = _bar_svg(title, desc, bars, x_label, y_label) + _bar_svg_narrow(title, desc, bars, y_label)
    return Chart(
        title=title,
        desc=desc,
        svg=mark_safe(svg),  # noqa: S308 every text in it is escaped above
        headers=[x_label, y_label],
        rows=[[label, str(count)] for label, count, _ in bars],
    )


def _nice_ceiling(value: int) -> int:
    """A round axis maximum at or above ``value``: four gridlines of 1, 2 or 5 × 10ⁿ marks."""
    step = 1
    while step * 4 < value:
        for factor in (2, 2.5, 2):  # 1 → 2 → 5 → 10 → 20 → 50 …
            step = int(step * factor)
            if step * 4 >= value:
                break
    return step * 4


def sparkline(values: list[float | None], *, label: str) -> SafeString:
    """A small trend line of rates (0–100), labelled for screen readers."""
    width, height, pad = 120, 28, 3
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    points = " ".join(f"{pad + i * step:.1f},{pad + (height - 2 * pad) * (1 - v / 100):.1f}" for i, v in known)
    last = ""
    if known:
        i, v = known[-1]
        last = f'<circle cx="{pad + i * step:.1f}" cy="{pad + (height - 2 * pad) * (1 - v / 100):.1f}" r="2.5"/>'
    svg = (
        f'<svg class="sparkline" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>'
        f'<line class="base" x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}"/>'
        f'<polyline points="{points}"/>{last}</svg>'
    )
    return mark_safe(svg)  # noqa: S308 the label is escaped; the rest is numbers
