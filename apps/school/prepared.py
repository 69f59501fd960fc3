"""Statements PostgreSQL may keep prepared, for a hot path whose statements cost more to plan
than to run (a roll page tap: apps/classes/views.py ``class_roll_student``, and its row,
apps/classes/tapped.py).

The project's connections bind parameters on the client (psycopg's ``ClientCursor``, Django's
default), so PostgreSQL plans every statement afresh with its values in it: what the reports
need, whose plans depend on their dates. Inside ``preparing`` (and through ``prepared_cursor``)
cursors bind them on the server instead (Django's ``ServerBindingCursor``, the class
``OPTIONS["server_side_binding"]`` would give every cursor), on the same connection and in the
same transaction; psycopg then prepares a statement once it has run ``prepare_threshold`` times
(5, attendance_site/settings.py) on that connection, and PostgreSQL plans it no more while the
connection lasts (``CONN_MAX_AGE``). Statements still go through Django's cursor wrapper (counted
by query-count tests, errors wrapped). Elsewhere (SQLite) nothing changes.

A statement run this way names its parameters' types where PostgreSQL cannot infer them (no
``IN %s`` lists: ``= ANY(%s)``), and lists its columns (a prepared ``SELECT *`` fails when a
migration changes the table).
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import cache

from django.db import connection


@contextmanager
def preparing():
    """Within the block, every statement (the ORM's, and raw SQL through ``connection.cursor``)
    binds on the server, so psycopg prepares those it has run a few times on this connection."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    factory = raw.cursor_factory
    raw.cursor_factory = _server_binding()
    try:
        yield
    finally:
        raw.cursor_factory = factory


def prepared_cursor():
    """A cursor (use it in ``with``) whose statements psycopg prepares after a few runs."""
    with preparing():
        return connection.cursor()


@cache
def _server_binding():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        """Django's server-binding cursor, whose statement Django's query log can read even when
        it ran prepared (psycopg records a statement's query only when it sends its text)."""

        def _send_query_prepared(self, name, query, *args, **kwargs):
            self._query = query
            return super()._send_query_prepared(name, query, *args, **kwargs)

    return PreparingCursor
