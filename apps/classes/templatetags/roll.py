"""The code radios of a roll row, drawn in Python: a roll of 30 students and a dozen codes has
360 of them, and drawing them through template tags was most of the page's time. The same
radios save a tap (roll.js posts the row when one changes) and the whole form without
JavaScript."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


def _parts(choice) -> tuple[str, str]:
    """What a code's radio looks like whatever the row (escaped once per choice)."""
    cached = getattr(choice, "_html_parts", None)
    if cached is None:
        code = choice.code
        tail = f"><b>{escape(code.abbreviation)}</b>{escape(code.label)}</label>"
        cached = (f' style="--code:{escape(code.colour)}"', f"{' data-late' if choice.is_late else ''}{tail}")
        object.__setattr__(choice, "_html_parts", cached)  # CodeChoice is frozen
    return cached


@register.simple_tag
def quick_colours(codes) -> str:
    """The quick codes' colours, once for the whole list: ``--q1`` for the first and so on
    (roll.css gives each row's nth quick code its colour)."""
    quick = [c for c in codes if c.quick]
    return ";".join(f"--q{n}:{escape(c.code.colour)}" for n, c in enumerate(quick, 1))


@register.simple_tag
def roll_more(row, codes) -> str:
    """The codes that are not quick, as one list to choose from (``s{id}-more``): light enough
    for a roll of 30, and roll.js turns it into buttons when "More" opens."""
    sid, checked = row.student.pk, row.checked_code_id
    options = [
        f'<option value="{c.code.pk}"{" selected" if c.code.pk == checked else ""}'
        f"{' data-late' if c.is_late else ''}>"
        f"{escape(c.code.abbreviation)} {escape(c.code.label)}"  # an option's end tag is optional: left out
        for c in codes
        if not c.quick
    ]
    if not options:
        return ""
    other = escape(gettext("Other mark"))
    return mark_safe(  # noqa: S308 - every value above is escaped
        f'<label class="other">{other} <select name="s{sid}-more"><option>{"".join(options)}</select></label>'
    )


@register.simple_tag
def roll_codes(row, codes, quick: bool) -> str:
    """One radio per quick code (``quick``) or per other code, the saved one marked ``data-on``
    and a suggestion ``data-suggested``. Only the quick codes and the chosen one carry their
    colour: the page stays light."""
    sid, saved, checked = row.student.pk, row.saved_code_id, row.checked_code_id
    out = []
    for choice in codes:
        if choice.quick != quick:
            continue
        colour, tail = _parts(choice)
        pk = choice.code.pk
        state = ' data-on=""' if pk == saved else (' data-suggested=""' if pk == checked else "")
        colour = colour if state else ""  # the quick codes' colours come from the list (``quick_colours``)
        out.append(
            f'<label{colour}{state}><input type="radio" name="s{sid}-code" value="{pk}"'
            f"{' checked' if pk == checked else ''}" + tail
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
