"""ManageBac's paging: ``?page=`` from 1 and ``?per_page=`` (100 unless asked, at most 200), and
the ``meta`` that describes the page."""

from __future__ import annotations

import math

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 200


def _positive_int(raw, default: int) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return default
    return value if value >= 1 else default


def paginate(request, queryset) -> tuple[list, dict]:
    """One page of ``queryset`` (two queries: count and slice) and ManageBac's ``meta``."""
    page = _positive_int(request.query_params.get("page"), 1)
    per_page = min(_positive_int(request.query_params.get("per_page"), DEFAULT_PER_PAGE), MAX_PER_PAGE)
    total = queryset.count()
    start = (page - 1) * per_page
    rows = list(queryset[start : start + per_page]) if start < total else []
    meta = {
        "current_page": page,
        "total_pages": math.ceil(total / per_page),
        "total_count": total,
        "per_page": per_page,
    }
    return rows, meta
