"""``{% arrow "back" %}`` and ``{% arrow "on" %}``: an arrow that points the way the page reads
(docs/translations.md, Right to left). "←" and "→" are not mirrored by the browser as "‹" and
"›" are, so a right-to-left page is given the other one: its way back is to the right.
``{% language_options %}``: the language selector's options, each language named in itself."""

from __future__ import annotations

from functools import cache

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def language_options() -> str:
    """The selector's options, the page's language selected: the same few on every page, so
    drawn once per language a process serves."""
    return _options(translation.get_language())


@cache
def _options(current: str) -> str:
    return format_html_join(
        "",
        '<option value="{}" lang="{}"{}>{}</option>',
        (
            (
                code,
                code,
                mark_safe(" selected") if code == current else "",
                translation.get_language_info(code)["name_local"],
            )
            for code, _ in settings.LANGUAGES
        ),
    )


@register.simple_tag
def arrow(way: str) -> str:
    return "→" if (way == "back") == translation.get_language_bidi() else "←"
