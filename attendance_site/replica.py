"""Reads from a PostgreSQL streaming replica, when ``DATABASE_REPLICA_URL`` names one.

Reports, exports and the API dialects' reads (``REPLICA_READ_PATHS``, safe methods only) read the
school's records from the replica, so a term report running for seconds takes nothing from the
taps of the first-period rush on the primary. Everything else reads the primary, and so does:

- the rest of a request once it has written (the router sees the write);
- every request of a person who wrote in the last ``REPLICA_STICKY_SECONDS`` (5 by default), so
  nobody misses their own tap behind the replica's lag; kept in the cache, which must be shared
  (``CACHE_URL``) when several app servers run;
- logins, sessions, API tokens, the task queue and the cache table: only the school's own
  records (``REPLICA_APPS``) are ever read from the replica, so a token issued a moment ago
  works at once;
- anything inside a transaction.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
REPLICA_APPS = frozenset({"school", "classes", "homeroom", "excusals", "audit"})
# Of those apps' models, the sessions (apps/school/sessions.py) are read from the primary only.
PRIMARY_MODELS = frozenset({"school.LoginSession"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class RequestReads:
    """What the current request may read from the replica."""

    request: object
    wrote: bool = False
    sticky: bool | None = None  # the person wrote a moment ago; decided at the first read


_current: ContextVar[RequestReads | None] = ContextVar("replica_reads", default=None)


def _wrote_key(user_id: int) -> str:
    return f"rollbook:wrote:{user_id}"


def _user_id(request) -> int | None:
    # DRF sets the authenticated user on the underlying request too; a session's user is lazy.
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


class PrimaryReplicaRouter:
    """Send a read to the replica only while a ``ReplicaReadsMiddleware`` request allows it."""

    def db_for_read(self, model, **hints):
        reads = _current.get()
        if (
            reads is None
            or reads.wrote
            or model._meta.app_label not in REPLICA_APPS
            or model._meta.label in PRIMARY_MODELS
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        if reads.sticky is None:
            user_id = _user_id(reads.request)
            reads.sticky = user_id is not None and cache.get(_wrote_key(user_id)) is not None
        return DEFAULT_DB_ALIAS if reads.sticky else REPLICA

    def db_for_write(self, model, **hints):
        reads = _current.get()
        if reads is not None:
            reads.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's migrations


class ReplicaReadsMiddleware:
    """Let a report's, an export's or an API's read go to the replica, and remember who wrote."""

    def __init__(self, get_response):
        if REPLICA not in settings.DATABASES:
            raise MiddlewareNotUsed("no DATABASE_REPLICA_URL")
        self.get_response = get_response
        self.prefixes = tuple(settings.REPLICA_READ_PATHS)

    def __call__(self, request):
        reads = (
            RequestReads(request)
            if request.method in SAFE_METHODS and request.path_info.startswith(self.prefixes)
            else None
        )
        token = _current.set(reads)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        if request.method not in SAFE_METHODS and response.status_code < 400:
            user_id = _user_id(request)
            if user_id is not None:
                cache.set(_wrote_key(user_id), True, settings.REPLICA_STICKY_SECONDS)
        return response
