"""Per-request memory of small, rarely changed facts (who the user is in which school, a
school's codes and periods), so one request reads each of them once rather than once per
helper that needs it.

Only inside a request (``RequestMemoMiddleware``): elsewhere (commands, tests calling
services directly) every call reads the database as before. Saving or deleting one of the
remembered kinds of row forgets everything remembered in that request.

A school's set-up (its codes, periods and timetable) is also kept across requests, in each
process, by ``remembered_across``: under the school's ``setup_version``, which every insert,
update or delete of those rows changes in the same transaction (database triggers, migration
school 0005 and classes 0006). Every request reads its school row afresh, with its version, in
a query it makes anyway (a roll's class, an API client's school), so the first request after a
change, in any process, reads the set-up again.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("rollbook_request_memo", default=None)

# Process-wide: {key: (setup version, value)}; at most SHARED_SIZE keys (the oldest go first).
_shared: dict[tuple, tuple[int, Any]] = {}
SHARED_SIZE = 2000
_CHANGED = ("set-up changed in this request",)


def remembered(key: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, once per request for the same key."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def remember(key: tuple, value: Any) -> None:
    """Tell this request a fact read by a query it made anyway (nothing outside a request)."""
    memo = _memo.get()
    if memo is not None:
        memo[key] = value


def recalled(key: tuple, default: Any = None) -> Any:
    """What this request remembered under ``key``, else ``default``."""
    memo = _memo.get()
    return default if memo is None else memo.get(key, default)


def remembered_across(
    key: tuple, version: int, compute: Callable[[], T], own: Callable[[T], T] = lambda value: value
) -> T:
    """``compute()`` once per process for the same key and ``version`` (a school's
    ``setup_version`` as this request read it), and ``own(value)`` once per request (a request's
    own copies of mutable rows: the value is shared by requests). Outside a request, and for the
    rest of a request that changed a remembered kind of row itself, it reads the database."""
    memo = _memo.get()
    if memo is None:
        return own(compute())
    if key in memo:
        return memo[key]
    if _CHANGED in memo:
        value = compute()
    else:
        held = _shared.get(key)
        if held is not None and held[0] == version:
            value = held[1]
        else:
            value = compute()
            if len(_shared) >= SHARED_SIZE:
                _shared.pop(next(iter(_shared)), None)
            _shared[key] = (version, value)
    memo[key] = mine = own(value)
    return mine


def forget(*args: Any, **kwargs: Any) -> None:
    """Drop everything remembered in this request, and read the set-up from the database for
    the rest of it (a signal receiver)."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()
        memo[_CHANGED] = True


class RequestMemoMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)


def forget_on_change(*models) -> None:
    """Forget on any save or delete of these models' rows. Each app names the kinds of row it has
    remembered, from its AppConfig.ready (this app's and apps/classes/apps.py)."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(forget, sender=model, dispatch_uid=f"memo_forget_{model.__name__}_{id(signal)}")
