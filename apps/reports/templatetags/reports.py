"""Small filters for the report tables."""

from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def percent(value):
    """A rate already in percent, or a dash when there were no marks to rate."""
    return "—" if value is None else f"{value:.1f}%"


@register.filter
def signed(value):
    if not value:
        return "0"
    return f"+{value}" if value > 0 else str(value)
