"""Charts drawn on the server as accessible SVG: no script, no CDN, a data table beside each."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

_ids = itertools.count(1)

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 56


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


def _open_svg(uid: str, title: str, desc: str, width: int = WIDTH, height: int = HEIGHT) -> list[str]:
    return [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{uid}-title {uid}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(desc)}</desc>',
    ]


def _axes(parts: list[str], *, x_label: str, y_label: str, y_max: float, y_unit: str) -> None:
    plot_h = HEIGHT - TOP - BOTTOM
    for i in range(5):
        value = y_max * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>')
        text = f"{value:.0f}{y_unit}"
        parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{text}</text>')
    parts.append(f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}"/>')
    parts.append(f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}"/>')
    parts.append(
        f'<text class="axis-label" x="{LEFT + (WIDTH - LEFT - RIGHT) / 2:.1f}" y="{HEIGHT - 8}" '
        f'text-anchor="middle">{escape(x_label)}</text>'
    )
    parts.append(
        f'<text class="axis-label" transform="translate(14 {TOP + plot_h / 2:.1f}) rotate(-90)" '
        f'text-anchor="middle">{escape(y_label)}</text>'
    )


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
    uid = f"chart{next(_ids)}"
    parts = _open_svg(uid, title, desc)
    _axes(parts, x_label=x_label, y_label=y_label, y_max=100, y_unit="%")
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)
    every = max(1, len(points) // 8)  # label at most about eight weeks so labels never overlap
    segment: list[str] = []
    segments: list[list[str]] = []
    dots: list[str] = []
    for i, (label, value) in enumerate(points):
        x = LEFT + (step * i if len(points) > 1 else plot_w / 2)
        if i % every == 0:
            parts.append(
                f'<text class="tick" x="{x:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{escape(label)}</text>'
            )
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        y = TOP + plot_h - plot_h * max(0.0, min(value, 100.0)) / 100
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
        empty = escape(gettext("No marks yet"))
        parts.append(f'<text class="empty" x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">{empty}</text>')
    parts.append("</svg>")
    return Chart(
        title=title,
        desc=desc,
        svg=mark_safe("".join(parts)),  # noqa: S308 every text in it is escaped above
        headers=[x_label, y_label],
        rows=[[label, _fmt(value)] for label, value in points],
    )


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
    uid = f"chart{next(_ids)}"
    parts = _open_svg(uid, title, desc)
    top = max((count for _, count, _ in bars), default=0)
    y_max = _nice_ceiling(top)
    _axes(parts, x_label=x_label, y_label=y_label, y_max=y_max, y_unit="")
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(bars), 1)
    bar_w = min(48.0, slot * 0.7)
    for i, (label, count, colour) in enumerate(bars):
        h = plot_h * count / y_max if y_max else 0
        x = LEFT + slot * i + (slot - bar_w) / 2
        y = TOP + plot_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{escape(colour)}">'
            f"<title>{escape(label)}: {count}</title></rect>"
        )
        parts.append(f'<text class="value" x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">{count}</text>')
        parts.append(
            f'<text class="tick" x="{x + bar_w / 2:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    if not bars:
        empty = escape(gettext("No marks yet"))
        parts.append(f'<text class="empty" x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">{empty}</text>')
    parts.append("</svg>")
    return Chart(
        title=title,
        desc=desc,
        svg=mark_safe("".join(parts)),  # noqa: S308 every text in it is escaped above
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
