"""Term counts: how many marks each student has of each code in each term (per class, for class
marks), and how many of them a parent's excusal covers, kept beside the marks so that a term
report reads a few rows per student instead of every mark of the term.

They are never added to or taken from: whoever changes what they count recomputes the rows it
touched from the marks themselves, in the same transaction, with one INSERT ... SELECT ... GROUP
BY (the same aggregate a report made before, narrowed to those rows; an upsert that writes only
the rows whose count moved) and one DELETE of the rows left at zero:

- the write path (``MarkBatch.save``), for the (class,) student pairs of the batch in the terms
  of its dates;
- the excusal service, for the student in the terms of the excusal's days (before and after);
- saving or adding a term (``post_save``, and ``term_changed`` for the roster import's bulk
  saves), for that term;
- a long job holding ``school_write_lock`` (the demo school), once for its whole school at the
  end instead of after every batch.

A count's row names its code, not the code's kind: ``covered`` counts every mark of the code on a
day an excusal covers, and a report counts those of codes of kind absent as excused. So a code
whose kind, label or presence changes, a student archived or moved to another year group, or a
class archived, changes no row. Term adjustments are rows of their own (``Adjustment``), read
beside these.

The mark models register their counts at import (``register`` in ``apps/classes/models.py`` and
``apps/homeroom/models.py``): this module knows them only by their tables and columns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date

from django.db import connection, models, transaction

from apps.excusals.models import Excusal
from apps.school.models import Term

# A batch's pairs go into the statements as parameters: two statements per this many pairs
# (SQLite takes at most 32,766 parameters in one statement; the INSERT names each pair twice).
PAIRS_PER_STATEMENT = 5000


@dataclass(frozen=True)
class Counts:
    marks: type[models.Model]  # the mark model (ClassMark, DailyMark)
    counts: type[models.Model]  # its term counts
    by: tuple[str, ...]  # the columns a count is per, besides term and code, as in both tables


REGISTERED: dict[type[models.Model], Counts] = {}


def register(marks: type[models.Model], counts: type[models.Model], by: tuple[str, ...]) -> None:
    REGISTERED[marks] = Counts(marks, counts, by)


def _covered() -> str:
    excusal = Excusal._meta.db_table
    return (
        f"CASE WHEN EXISTS (SELECT 1 FROM {excusal} e WHERE e.student_id = m.student_id "  # noqa: S608 (a name)
        "AND e.start_date <= m.date AND e.end_date >= m.date) THEN 1 ELSE 0 END"
    )


def _refresh(spec: Counts, school_id: int, terms: tuple[str, list], rows: tuple[str, list]) -> None:
    """Recompute the counts of the terms matching ``terms`` (SQL on a term ``t``) and the rows
    matching ``rows`` (SQL on the columns of ``spec.by``, the same in the marks ``m`` and the
    counts ``c``): one INSERT ... SELECT ... ON CONFLICT DO UPDATE and one DELETE.

    The SELECT is the marks' aggregate beside every existing row of those terms and rows at
    zero, summed: a row whose count moved is updated, a row whose count is as it was is left
    alone (most of a batch's rows: a changed mark moves two of a student's codes), a new one is
    inserted, and one with no marks left is counted 0, which the DELETE then removes. So an
    unchanged row writes nothing to the table or its indexes."""
    marks, counts, term = spec.marks._meta.db_table, spec.counts._meta.db_table, Term._meta.db_table
    by = ", ".join(spec.by)
    by_m = ", ".join(f"m.{c}" for c in spec.by)
    by_c = ", ".join(f"c.{c}" for c in spec.by)
    term_sql, term_params = terms
    row_sql, row_params = rows
    in_terms = f"term_id IN (SELECT t.id FROM {term} t WHERE t.school_id = %s AND {term_sql})"  # noqa: S608 (names only)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {counts} (school_id, term_id, {by}, code_id, marks, covered)"  # noqa: S608 (names only)
            f" SELECT school_id, term_id, {by}, code_id, SUM(marks), SUM(covered) FROM ("
            f"SELECT m.school_id AS school_id, t.id AS term_id, {by_m}, m.code_id AS code_id,"
            f" COUNT(*) AS marks, SUM({_covered()}) AS covered"
            f" FROM {marks} m JOIN {term} t ON t.school_id = m.school_id"
            " AND m.date >= t.start_date AND m.date <= t.end_date"
            f" WHERE m.school_id = %s AND {term_sql} AND {row_sql.format(p='m.')}"
            f" GROUP BY m.school_id, t.id, {by_m}, m.code_id"
            f" UNION ALL SELECT c.school_id, c.term_id, {by_c}, c.code_id, 0, 0 FROM {counts} c"
            f" WHERE c.school_id = %s AND c.{in_terms} AND {row_sql.format(p='c.')}"
            f") AS x WHERE 1 = 1 GROUP BY school_id, term_id, {by}, code_id"  # SQLite: WHERE before ON CONFLICT
            f" ON CONFLICT (term_id, {by}, code_id) DO UPDATE SET marks = excluded.marks, covered = excluded.covered"
            f" WHERE {counts}.marks <> excluded.marks OR {counts}.covered <> excluded.covered",
            [school_id, *term_params, *row_params, school_id, school_id, *term_params, *row_params],
        )
        cursor.execute(
            f"DELETE FROM {counts} WHERE school_id = %s AND marks = 0"  # noqa: S608 (names only)
            f" AND {in_terms} AND {row_sql.format(p='')}",
            [school_id, school_id, *term_params, *row_params],
        )


def _overlapping(first: date, last: date) -> tuple[str, list]:
    return "t.start_date <= %s AND t.end_date >= %s", [last, first]


def _in(columns: Sequence[str], values: Sequence[tuple]) -> tuple[str, list]:
    """``(a, b) IN (VALUES (…), …)`` on columns named with the prefix ``{p}``."""
    names = ", ".join("{p}" + c for c in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return f"({names}) IN (VALUES {', '.join([one] * len(values))})", [v for row in values for v in row]


# The school of a long job (``school_write_lock``) whose counts are rebuilt once, when it ends.
_deferred: ContextVar[int | None] = ContextVar("term_counts_deferred", default=None)


@contextmanager
def rebuilt_at_the_end(school_id: int):
    """Inside: no count of the school is recomputed; at the end, all of them are."""
    token = _deferred.set(school_id)
    try:
        yield
    finally:
        _deferred.reset(token)
    rebuild_school(school_id)


def counts_students(model: type[models.Model], key_fields: tuple[str, ...], keys: Iterable[tuple]) -> set[int]:
    """The students whose term counts a batch of these keys may recompute (none for a model
    without counts): the engine locks their counts with the marks."""
    if model not in REGISTERED:
        return set()
    index = key_fields.index("student_id")
    return {k[index] for k in keys}


def marks_saved(model: type[models.Model], school_id: int, keys: Iterable[tuple], key_fields: tuple[str, ...]) -> None:
    """After a batch of marks of ``model``: recompute the counts of its (class and) students in
    the terms of its dates (2 statements; 2 more per PAIRS_PER_STATEMENT pairs)."""
    spec = REGISTERED.get(model)
    if spec is None or _deferred.get() == school_id:
        return
    keys = list(keys)
    if not keys:
        return
    by_index = [key_fields.index(c) for c in spec.by]
    day_index = key_fields.index("date")
    days = [k[day_index] for k in keys]
    pairs = sorted({tuple(k[i] for i in by_index) for k in keys})
    terms = _overlapping(min(days), max(days))
    for start in range(0, len(pairs), PAIRS_PER_STATEMENT):
        _refresh(spec, school_id, terms, _in(spec.by, pairs[start : start + PAIRS_PER_STATEMENT]))


def excusal_changed(school_id: int, student_id: int, days: Iterable[tuple[date, date]]) -> None:
    """After an excusal of a student was added, changed or withdrawn (``days``: its first and last
    day before and after): recompute the student's counts in the terms of those days (2
    statements per kind of mark). The caller holds the school's lock (``lock_school``)."""
    days = list(days)
    if _deferred.get() == school_id or not days:
        return
    first, last = min(d[0] for d in days), max(d[1] for d in days)
    for spec in REGISTERED.values():
        _refresh(spec, school_id, _overlapping(first, last), _in(("student_id",), [(student_id,)]))


def term_changed(terms: Iterable[Term]) -> None:
    """After terms were added or their days changed: recompute their counts (2 statements per
    kind of mark and school, and the school's lock on PostgreSQL)."""
    from apps.attendance.engine import lock_school

    by_school: dict[int, list[int]] = {}
    for term in terms:
        if _deferred.get() != term.school_id:
            by_school.setdefault(term.school_id, []).append(term.pk)
    if not by_school:
        return
    with transaction.atomic(savepoint=False):
        for school_id, term_ids in by_school.items():
            lock_school(school_id)  # every writer of the school waits: whole terms are recomputed
            for spec in REGISTERED.values():
                _refresh(
                    spec, school_id, ("t.id IN (" + ", ".join(["%s"] * len(term_ids)) + ")", term_ids), ("1 = 1", [])
                )


def rebuild_school(school_id: int) -> None:
    """Every count of a school, from its marks (after a bulk load, or a long job)."""
    for spec in REGISTERED.values():
        _refresh(spec, school_id, ("1 = 1", []), ("1 = 1", []))


def term_saved(sender, instance: Term, created: bool, update_fields=None, **kwargs) -> None:
    if kwargs.get("raw"):  # loading a fixture: its marks, if any, come after
        return
    if update_fields is not None and not {"start_date", "end_date"} & set(update_fields):
        return
    term_changed([instance])
