"""The engine behind every attendance write: lock the marks a write touches, then upsert them
in bulk and log each change.

Its callers (``record_class_marks``, ``record_daily_marks``, ``record_time_entries``) open a
``MarkBatch`` first, which locks the marks' keys and reads the existing rows for update; they
validate their items inside that transaction, against those locked rows, and hand the batch
the valid changes. A constant number of queries whatever the number of marks: one advisory lock
of the keys (PostgreSQL), one locking read of the existing rows, one upsert, one delete, one
insert of audit entries, and two statements that recompute the term counts of the marks it
changed (``apps/attendance/term_counts.py``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, models
from django.utils import timezone

from apps.attendance import term_counts
from apps.audit.models import AuditEntry
from apps.school.models import School
from apps.school.prepared import columns_of, instance


@dataclass
class PendingMark:
    """One wanted state of one mark: ``key`` names the mark by its model's ``KEY_FIELDS`` (for a
    model keyed by ``id``, a new row has ``id`` None and its other fields in ``key``); ``values``
    (its ``VALUE_FIELDS``) None removes the mark."""

    index: int
    key: dict[str, Any]
    values: dict[str, Any] | None
    covering: bool = False  # by a teacher covering the class: the audit entry's key says so
    status: str = field(default="", init=False)
    mark: models.Model | None = field(default=None, init=False)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _snapshot(mark: models.Model) -> dict[str, Any]:
    return {name: getattr(mark, name) for name in mark.VALUE_FIELDS}


# A batch with more keys than this takes one lock of its whole school instead of a lock per key:
# PostgreSQL's lock table is sized for max_locks_per_transaction x max_connections locks (6,400
# by default; it ran out between 10,000 and 15,000 here), and a large import or demo batch
# answered "out of shared memory".
LOCK_EACH_KEY_UP_TO = 500


def _advisory_id(*parts) -> int:
    return int.from_bytes(hashlib.blake2b(repr(parts).encode(), digest_size=8).digest(), "big", signed=True)


# The school whose lock the current code holds exclusively (``school_write_lock``): its saves
# need no lock of their own.
_school_held: ContextVar[int | None] = ContextVar("school_held", default=None)


@contextmanager
def school_write_lock(school: School):
    """For a long job that saves many batches in one transaction (the demo school, an import of
    a year of marks): take the school's lock exclusively once, and let the saves inside skip
    their per-mark locks, which, held to the end of the transaction, would add up past what
    PostgreSQL's lock table holds. Use inside ``transaction.atomic()``."""
    if not connection.in_atomic_block:
        raise RuntimeError("school_write_lock needs a transaction: the lock lasts until it ends")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_advisory_id("school", school.pk)])
    token = _school_held.set(school.pk)
    try:
        # The term counts of its marks are rebuilt once, at the end, not after every batch.
        with term_counts.rebuilt_at_the_end(school.pk):
            yield
    finally:
        _school_held.reset(token)


def _counts_lock(mark_kind: str, student_id: int) -> int:
    """The lock of a student's term counts of a kind of mark: every save that recomputes them
    holds it, so two saves of the same student's marks in other lessons cannot both rebuild the
    rows from marks neither sees the other's of. (An excusal or a term's change, which recompute
    them outside a save, take the school's lock instead.)"""
    return _advisory_id("term counts", mark_kind, student_id)


def _lock_keys(school_id: int, mark_kind: str, keys: set[tuple], students: Iterable[int] = ()) -> None:
    """On PostgreSQL, take transaction-scoped advisory locks of these mark keys, in one query.

    SELECT ... FOR UPDATE cannot lock a row that does not exist yet, so without this two
    first saves of the same mark would both read "no mark" and both log ``before = None``.
    With it the second writer waits for the first to commit, then reads its mark.

    Every writer first takes its school's lock: shared, then a lock per key in a fixed order;
    a batch of more than LOCK_EACH_KEY_UP_TO keys takes the school's lock alone, exclusively,
    and so waits for (and holds off) every other writer of that school. The school's lock
    comes first, so the two kinds cannot deadlock. The locks of the ``students``' term counts
    (``_counts_lock``) are taken in the same query, in the same order as the keys'. SQLite needs
    nothing: it runs one writer at a time (transaction_mode IMMEDIATE)."""
    if connection.vendor != "postgresql" or not keys or _school_held.get() == school_id:
        return
    school_lock = _advisory_id("school", school_id)
    if len(keys) > LOCK_EACH_KEY_UP_TO:
        ids, shared = [school_lock], [False]
    else:
        key_ids = sorted({_advisory_id(mark_kind, *k) for k in keys} | {_counts_lock(mark_kind, s) for s in students})
        ids, shared = [school_lock, *key_ids], [True] + [False] * len(key_ids)
    with connection.cursor() as cursor:
        # PostgreSQL evaluates a volatile select list after ORDER BY: the locks come in this order.
        cursor.execute(
            "SELECT CASE WHEN shared THEN pg_advisory_xact_lock_shared(k) ELSE pg_advisory_xact_lock(k) END"
            " FROM unnest(%s::bigint[], %s::bool[]) WITH ORDINALITY AS t(k, shared, n) ORDER BY n",
            [ids, shared],
        )


def lock_school(school_id: int) -> None:
    """For a change that recomputes term counts outside a save (an excusal, a term's days moved):
    the school's lock, exclusively, as a large batch takes it, until the transaction ends. Take
    it first in the transaction: it waits for the saves under way, and the next ones wait for it."""
    if connection.vendor == "postgresql" and _school_held.get() != school_id:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_advisory_id("school", school_id)])


def lock_marks(*, school_id: int, model: type[models.Model], mark_kind: str, keys: Iterable[dict[str, Any]]) -> None:
    """Take the locks a ``MarkBatch`` of these keys takes, for a service that reads more than
    the keys' own rows to decide what to write (the other intervals of a day's periods)."""
    keys = {tuple(key[name] for name in model.KEY_FIELDS) for key in keys}
    # The students' counts too, as the batch will: its own locking query then takes nothing new.
    _lock_keys(school_id, mark_kind, keys, term_counts.counts_students(model, model.KEY_FIELDS, keys))


def _locked_rows(model: type[models.Model], school_id: int, wanted: dict[str, set]) -> list[models.Model]:
    """The school's rows of ``model`` whose columns hold one of the ``wanted`` values, locked
    for update on PostgreSQL: ``model.objects.select_for_update().filter(school=...,
    name__in=...)``, written by hand, as every write reads it (the ORM's building and compiling
    of that query was a tenth of a tap). On PostgreSQL each column is compared with an array of
    its own type, so the statement's text is the same whatever the number of keys (a tap's is
    prepared: apps/school/prepared.py)."""
    meta, quote = model._meta, connection.ops.quote_name
    where, params = [f"t.{quote(meta.get_field('school').column)} = %s"], [school_id]
    for name, values in wanted.items():
        field = meta.get_field(name)
        column, values = f"t.{quote(field.column)}", [field.get_db_prep_value(v, connection) for v in values]
        if connection.vendor == "postgresql":
            where.append(f"{column} = ANY(%s::{field.db_type(connection)}[])")
            params.append(values)
        else:
            where.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
            params.extend(values)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = f"SELECT {columns_of(model, 't')} FROM {quote(meta.db_table)} t WHERE {' AND '.join(where)}{lock}"  # noqa: S608 (names only)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [instance(model, row) for row in cursor.fetchall()]


_RECORDED = ("recorded_by_id", "channel", "recorded_at")  # who last wrote a mark, how and when


def _insert(
    model: type[models.Model], rows: list[models.Model], unique: tuple[str, ...] = (), update: tuple[str, ...] = ()
) -> None:
    """Insert ``rows`` and give each its id; with ``unique``, where a row with the same
    ``unique`` columns exists, set its ``update`` columns instead: ``bulk_create(...)`` and
    ``bulk_create(update_conflicts=True, ...)``, written by hand as the locking read is (the
    ORM's building and compiling of the two were a fifth of a tap), in the database's batch
    sizes. Rows without an id (every new row) are inserted without that column."""
    meta, quote = model._meta, connection.ops.quote_name
    upsert = ""
    if unique:
        changes = ", ".join(f"{c} = EXCLUDED.{c}" for c in (quote(meta.get_field(name).column) for name in update))
        upsert = (
            f" ON CONFLICT ({', '.join(quote(meta.get_field(name).column) for name in unique)}) DO UPDATE SET {changes}"
        )
    for with_pk in (True, False):
        group = [row for row in rows if (row.pk is not None) == with_pk]
        if not group:
            continue
        fields = [f for f in meta.concrete_fields if with_pk or not f.primary_key]
        columns = ", ".join(quote(f.column) for f in fields)
        one = f"({', '.join(['%s'] * len(fields))})"
        size = max(connection.ops.bulk_batch_size(fields, group), 1)
        for start in range(0, len(group), size):
            batch = group[start : start + size]
            sql = (
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([one] * len(batch))}"  # noqa: S608 (names only)
                f"{upsert} RETURNING {quote(meta.pk.column)}"
            )
            params = [f.get_db_prep_save(f.pre_save(row, True), connection) for row in batch for f in fields]
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                ids = cursor.fetchall()
            for row, (pk,) in zip(batch, ids, strict=True):
                row.pk = pk
                row._state.adding, row._state.db = False, connection.alias


class MarkBatch:
    """The marks one write may change, locked until its transaction ends.

    Opening the batch takes the keys' locks and reads their existing rows for update
    (``existing``, by key), so what the caller checks and keeps is what is there now; ``save``
    then applies the changes. Open it inside ``transaction.atomic()``.

    A model keyed by its ``id`` (a time entry: a day may have several) needs no advisory lock:
    its existing rows are locked by the read, and a new row is no other writer's."""

    def __init__(self, *, model: type[models.Model], mark_kind: str, school: School, keys: Iterable[dict[str, Any]]):
        if not connection.in_atomic_block:
            raise RuntimeError("a MarkBatch needs a transaction: its locks last until it ends")
        self.model, self.mark_kind, self.school = model, mark_kind, school
        self.key_fields: tuple[str, ...] = model.KEY_FIELDS
        self.by_id = self.key_fields == ("id",)
        self.keys = {self.key_of(key) for key in keys} - {(None,)}
        if not self.by_id:
            counted = term_counts.counts_students(model, self.key_fields, self.keys)
            _lock_keys(school.pk, mark_kind, self.keys, counted)
        self.existing: dict[tuple, models.Model] = {}
        if self.keys:
            wanted = {name: {key[n] for key in self.keys} for n, name in enumerate(self.key_fields[:3])}
            rows = _locked_rows(model, school.pk, wanted)
            self.existing = {k: m for m in rows if (k := self.key_of(m)) in self.keys}

    def key_of(self, obj) -> tuple:
        if isinstance(obj, dict):
            return tuple(obj[name] for name in self.key_fields)
        return tuple(getattr(obj, name) for name in self.key_fields)

    def save(self, *, actor, channel: str, changes: list[PendingMark]) -> None:
        """Apply ``changes`` in order (a later change of the same key wins) and set each one's
        ``status`` (created, updated, unchanged, deleted) and ``mark``."""
        if not changes:
            return
        model, school, existing = self.model, self.school, self.existing
        actor_id = actor.pk if actor is not None and actor.is_authenticated else None
        value_fields: tuple[str, ...] = model.VALUE_FIELDS

        def key_of(change: PendingMark) -> tuple:
            key = self.key_of(change.key)
            if key == (None,):  # a new row of a model keyed by id
                return ("new", change.index)
            if key not in self.keys:
                raise ValueError(f"{key} is not a key this batch locked")
            return key

        # The time is read once the keys are ours: a writer that waited for another logs a
        # later time than the one it waited for, so the log's order (changed_at, id) is the
        # order of the changes, and each entry's ``before`` is the ``after`` of the one before.
        now = timezone.now()
        state: dict[tuple, dict | None] = {k: _snapshot(m) for k, m in existing.items()}
        fields_of: dict[tuple, dict[str, Any]] = {}
        audit_rows: list[tuple[PendingMark, tuple, dict | None, dict | None]] = []
        for change in changes:
            key = key_of(change)
            fields_of[key] = {n: v for n, v in change.key.items() if not (n == "id" and v is None)}
            before = state.get(key)
            after = None if change.values is None else {name: change.values.get(name) for name in value_fields}
            if before == after:
                change.status = "unchanged"
                continue
            change.status = "deleted" if after is None else ("created" if before is None else "updated")
            state[key] = after
            audit_rows.append((change, key, before, after))

        to_upsert: dict[tuple, models.Model] = {}
        to_delete: list[int] = []
        for key, values in state.items():
            original = existing.get(key)
            if values is None:
                if original is not None:
                    to_delete.append(original.pk)
            elif original is None or _snapshot(original) != values:
                fields = fields_of[key] if original is None else {n: getattr(original, n) for n in fields_of[key]}
                to_upsert[key] = model(
                    school=school, **fields, **values, recorded_by_id=actor_id, channel=channel, recorded_at=now
                )
        if to_upsert:
            _insert(model, list(to_upsert.values()), self.key_fields, (*value_fields, *_RECORDED))
        if to_delete:
            model.objects.filter(pk__in=to_delete).delete()
        if to_upsert or to_delete:
            changed = [k for k in state if k in to_upsert or (state[k] is None and existing.get(k) is not None)]
            term_counts.marks_saved(model, school.pk, changed, self.key_fields)

        for change in changes:
            key = key_of(change)
            change.mark = to_upsert.get(key) or (existing.get(key) if state.get(key) is not None else None)

        # A mark created and removed within one batch never reached the database: nothing to log.
        audit_key_fields: tuple[str, ...] = getattr(model, "AUDIT_KEY_FIELDS", self.key_fields)
        entries = []
        for change, key, before, after in audit_rows:
            mark = change.mark or existing.get(key)
            if mark is None:
                continue
            entries.append(
                AuditEntry(
                    school=school,
                    mark_kind=self.mark_kind,
                    mark_id=mark.pk,
                    key={name: _json(getattr(mark, name)) for name in audit_key_fields}
                    | ({"covering": True} if change.covering else {}),
                    before=before,
                    after=after,
                    changed_by_id=actor_id,
                    channel=channel,
                    changed_at=now,
                )
            )
        _insert(AuditEntry, entries)
