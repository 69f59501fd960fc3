"""Per-request memory of small, rarely changed facts (who the user is in which school, a
school's codes and periods), so one request reads each of them once rather than once per
helper that needs it.

Only inside a request (``RequestMemoMiddleware``): elsewhere (commands, tests calling
services directly) every call reads the database as before. Saving or deleting one of the
remembered kinds of row forgets everything remembered in that request.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("rollbook_request_memo", default=None)


def remembered(key: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, once per request for the same key."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget(*args: Any, **kwargs: Any) -> None:
    """Drop everything remembered in this request (a signal receiver)."""
    memo = _memo.get()
    if memo:
        memo.clear()


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
