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
migration changes the table). ``columns_of`` and ``instance`` turn a hand-written statement's
columns into the instances the ORM would make of them (apps/classes/tapped.py,
apps/school/sessions.py).
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import cache
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model
from django.db.models.expressions import Col


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


def columns_of(model: type[Model], alias: str) -> str:
    """The model's columns under ``alias``, in the order ``instance`` takes them."""
    return ", ".join(f"{alias}.{f.column}" for f in model._meta.concrete_fields)


# Each database connection's converters of each model's columns, looked up once.
_CONVERTERS: WeakKeyDictionary = WeakKeyDictionary()


def converters(model: type[Model]) -> list[tuple[Col, list]]:
    """The converters the ORM runs on each of ``model``'s columns as it reads them (none for
    most), with the column they take."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    known = _CONVERTERS.setdefault(wrapper, {})
    if model not in known:
        found = []
        for field in model._meta.concrete_fields:
            col = field.get_col(model._meta.db_table)
            found.append((col, [*wrapper.ops.get_db_converters(col), *field.get_db_converters(wrapper)]))
        known[model] = found
    return known[model]


def converted(values, columns: list[tuple[Col, list]]) -> list:
    """``values`` as the ORM reads them from the ``columns`` of ``converters``."""
    out = []
    for value, (col, ones) in zip(values, columns, strict=True):
        for converter in ones:
            value = converter(value, col, connection)
        out.append(value)
    return out


def instance(model: type[Model], values) -> Model:
    """The model's instance of its columns' ``values`` (``columns_of``'s order), as the ORM makes it."""
    fields = model._meta.concrete_fields
    return model.from_db(connection.alias, [f.attname for f in fields], converted(values, converters(model)))
