"""The section-style lists' paging: ``offset`` (or a numeric ``start``) and ``limit``, and the
``links.next`` URL of the next page."""

from __future__ import annotations

DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
# A larger offset is beyond every section's records (the page is empty) and would overflow SQL's
# 64-bit OFFSET.
MAX_OFFSET = 2**62


def paging_offset(raw: int | str) -> int:
    """An offset of any size, as at most MAX_OFFSET (``raw`` a number or a string of ASCII digits)."""
    if isinstance(raw, str) and len(raw) > len(str(MAX_OFFSET)):
        return MAX_OFFSET
    return min(int(raw), MAX_OFFSET)


def next_link(request, offset: int) -> str:
    """This URL with ``offset`` moved on; a numeric ``start`` (an offset too) is dropped."""
    query = request.query_params.copy()
    query.pop("offset", None)
    if query.get("start", "").isdigit():
        query.pop("start")
    query["offset"] = str(offset)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
