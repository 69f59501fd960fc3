"""The code buttons of a roll row, drawn in Python: a roll of 30 students and a dozen codes has
720 buttons and radios, and drawing them through template tags was most of the page's time.
The HTML is the same as the template markup it replaces."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


def _parts(choice) -> tuple[str, str, str]:
    """What a code's button and radio look like whatever the row (escaped once per choice)."""
    cached = getattr(choice, "_html_parts", None)
    if cached is None:
        code = choice.code
        colour = escape(code.colour)
        inner = f'<span class="abbr">{escape(code.abbreviation)}</span><span class="label">{escape(code.label)}</span>'
        button_tail = (
            f' data-keys="{escape(choice.keys)}" hx-post="{{url}}" hx-target="closest .student" hx-swap="outerHTML"'
            f' hx-sync="closest form:queue all" hx-disabled-elt="closest fieldset">{inner}</button>'
        )
        radio_tail = f"{' data-late' if choice.is_late else ''}>{inner}</label>"
        cached = (colour, button_tail, radio_tail)
        object.__setattr__(choice, "_html_parts", cached)  # CodeChoice is frozen
    return cached


@register.simple_tag
def roll_buttons(row, codes) -> str:
    """One tap button per code (``<div class="tap">``'s content)."""
    sid, url = row.student.pk, escape(row.url)
    saved, checked = row.saved_code_id, row.checked_code_id
    out = []
    for choice in codes:
        colour, tail, _ = _parts(choice)
        pk = choice.code.pk
        state = " is-pressed" if pk == saved else (" is-suggested" if pk == checked else "")
        out.append(
            f'\n      <button type="submit" id="b{sid}-{pk}" class="code{state}" style="--code: {colour}" name="code"'
            f' value="{pk}" formaction="{url}" aria-pressed="{"true" if pk == saved else "false"}"'
            + tail.replace("{url}", url, 1)
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


@register.simple_tag
def roll_choices(row, codes) -> str:
    """One radio per code, for the page without JavaScript (``<div class="choices">``'s content)."""
    sid, checked = row.student.pk, row.checked_code_id
    out = []
    for choice in codes:
        colour, _, tail = _parts(choice)
        pk = choice.code.pk
        out.append(
            f'\n      <label class="code" style="--code: {colour}"><input type="radio" class="visually-hidden"'
            f' name="s{sid}-code" value="{pk}"{" checked" if pk == checked else ""}' + tail
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
