"""A database cursor whose statements PostgreSQL may keep prepared, for the few hot statements
whose planning costs more than their running (a roll page tap: apps/classes/tapped.py).

The project's connections bind parameters on the client (psycopg's ``ClientCursor``, Django's
default), so PostgreSQL plans every statement afresh with its values in it: what the reports
need, whose plans depend on their dates. A cursor from ``prepared_cursor`` binds them on the
server instead (Django's ``ServerBindingCursor``, the class ``OPTIONS["server_side_binding"]``
would give every cursor), on the same connection and in the same transaction; psycopg then
prepares a statement once it has run ``prepare_threshold`` times (5) on that connection, and
PostgreSQL plans it no more while the connection lasts (``CONN_MAX_AGE``). Statements still go
through Django's cursor wrapper (counted by query-count tests, errors wrapped). Elsewhere (SQLite)
it is the ordinary cursor.

A statement run through it names its parameters' types where PostgreSQL cannot infer them (no
``IN %s`` lists: ``= ANY(%s)``), and lists its columns (a prepared ``SELECT *`` fails when a
migration changes the table).
"""

from __future__ import annotations

from functools import cache

from django.db import connection


def prepared_cursor():
    """A cursor (use it in ``with``) whose statements psycopg prepares after a few runs."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    raw = connection.connection
    factory = raw.cursor_factory
    raw.cursor_factory = _server_binding()
    try:
        return connection.cursor()
    finally:
        raw.cursor_factory = factory


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
