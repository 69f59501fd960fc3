"""``{% arrow "back" %}`` and ``{% arrow "on" %}``: an arrow that points the way the page reads
(docs/translations.md, Right to left). "←" and "→" are not mirrored by the browser as "‹" and
"›" are, so a right-to-left page is given the other one: its way back is to the right."""

from __future__ import annotations

from django import template
from django.utils import translation

register = template.Library()


@register.simple_tag
def arrow(way: str) -> str:
    return "→" if (way == "back") == translation.get_language_bidi() else "←"
