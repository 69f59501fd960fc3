"""Small filters for the report tables, and links between office pages."""

from django import template
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def percent(value):
    """A rate already in percent, or a dash when there were no marks to rate."""
    if value is None:
        return "—"
    return gettext("%(number)s%%") % {"number": number_format(round(value, 1), 1)}


@register.filter
def signed(value):
    if not value:
        return "0"
    return f"+{value}" if value > 0 else str(value)


@register.simple_tag
def code_cells(figures, codes) -> str:
    """A report row's count per code, with any adjustment: the same HTML as the template loop it
    replaces, drawn in Python (a school report has hundreds of rows times each code)."""
    counts, adjustments = figures.counts or {}, figures.adjustments or {}
    out = []
    for code in codes:
        count, adjustment = counts.get(code.pk), adjustments.get(code.pk)
        cell = f'<td class="num{"" if count else " zero"}">{escape(count or 0)}'
        if adjustment:
            shown = escape(signed(adjustment))
            title = escape(gettext("includes an adjustment of %(adjustment)s") % {"adjustment": signed(adjustment)})
            cell += f' <span class="adj" title="{title}">({shown})</span>'
        out.append(cell + "</td>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


_ROW_LINKS = {
    "student": "reports:student_report",
    "class": "reports:class_report",
    "year_group": "reports:year_group_report",
}


@register.simple_tag
def report_row(row, report, link) -> str:
    """One row of a report table, drawn in Python as ``code_cells`` is: the school's term report
    has a row per class (500 in a 10,000-student school), which the template loop drew in about
    three quarters of the page's time once the figures came from the term counts."""
    label = escape(row.label)
    if link in _ROW_LINKS:
        href = f"{reverse(_ROW_LINKS[link], args=[row.url_id])}?term={report.term.pk}"
        if link != "student" and report.include_archived:
            href += "&amp;include_archived=on"
        label = f'<a href="{href}">{label}</a>'
    head = f'<th scope="row">{label}'
    if row.sublabel:
        head += f' <span class="sub">{escape(row.sublabel)}</span>'
    if row.archived:
        head += f' <span class="badge">{escape(gettext("archived"))}</span>'
    figures = row.figures
    cells = [
        '<tr class="archived">' if row.archived else "<tr>",
        head + "</th>",
        code_cells(figures, report.codes),
        f'<td class="num">{figures.total}</td>',
        f'<td class="num rate">{percent(figures.rate_percent)}</td>',
        f'<td class="num">{figures.late}</td>',
        f'<td class="num">{figures.excused}</td>',
        f'<td class="num{" flag" if figures.unexcused else ""}">{figures.unexcused}</td>',
    ]
    if report.shows_adjustments:
        cells.append(f'<td class="num">{signed(figures.adjustment_total)}</td>')
    return mark_safe("".join(cells) + "</tr>")  # noqa: S308 - the label and sublabel are escaped


@register.filter(expects_localtime=True)
def zone(value) -> str:
    """The time zone's abbreviation at that moment (BST, GMT, EST…). Django's own ``T`` leaves it
    out when the wall time is ambiguous, which is exactly when it tells the two 01:20s of the
    night the clocks go back apart."""
    tzname = getattr(value, "tzname", None)
    return (tzname() or "") if tzname else ""


@register.simple_tag(takes_context=True)
def office_url(context, name, *args, **query) -> str:
    """The address of an office page that keeps the school picked (``Office.url`` in
    apps/school/access.py); on a page with no office (a class's report), the plain address."""
    office = context.get("office")
    return office.url(name, *args, **query) if office is not None else reverse(name, args=args)
