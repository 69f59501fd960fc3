"""Paging of the course-offering list: a page holds ``limit`` records (DEFAULT_LIMIT unless asked,
at most MAX_LIMIT; a larger limit is clamped), from ``offset``; ``Link: rel="next"`` names the next."""

from __future__ import annotations

from apps.api.academic.errors import Unprocessable, field_error

DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
MAX_OFFSET = 2**62  # beyond any list; a larger offset is an empty page too


def parse_count(raw: str, name: str, *, minimum: int) -> int:
    """A whole number of ASCII digits (a query's limit or offset), else a 422 naming it."""
    text = raw.strip()
    digits = text.lstrip("0") or "0"
    value = (int(digits) if len(digits) <= 20 else MAX_OFFSET) if text.isascii() and text.isdigit() else None
    if value is None or value < minimum:
        raise Unprocessable(
            [field_error("query", name, f"Input should be a whole number, {minimum} or more", "int_parsing")]
        )
    return min(value, MAX_OFFSET)


def next_link(request, offset: int, limit: int) -> str:
    """``Link: <…>; rel="next"``: this URL, its filters kept, at the next page."""
    query = request.query_params.copy()
    query["offset"], query["limit"] = str(offset), str(limit)
    return f'<{request.build_absolute_uri(f"{request.path}?{query.urlencode()}")}>; rel="next"'
