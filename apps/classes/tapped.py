"""The row a roll page tap reads (``tapped_row``): one hand-written SQL statement, the only one
in the tap's path, kept here and tested on SQLite and PostgreSQL (tests/classes/test_tapped.py).

It reads what the ORM query built from the roll's own helpers did (``roll_enrollments``; the
roll's counts, as ``class_roll_counts``; ``teaches_or_covers``; whether the user administers the
school; ``covers_of`` for the lesson) and
gives the same objects back: the student's ``Enrollment`` with its student and its class (the
class's school and academic year with it), annotated as those helpers annotate. Why by hand:
that ORM query cost a tap more than the rest of it together: building and compiling it in
Python (13 subqueries), and PostgreSQL planning it (6 to 18 ms, for 1.2 ms of running).
Written here, with the excusal joined once rather than read by four subqueries, it is compiled
by nobody, and run through ``prepared_cursor`` PostgreSQL plans it once per connection
(BENCHMARK.md, "Issue 20, the tap and the rush").

A change to what the roll reads of a student (``roll_enrollments``) or to who may tap
(``visible_classes``, the write path's ``teaches_or_covers``) is a change here too; the tests
compare this row with the ORM helpers' on the same data.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from django.db import connection
from django.db.models import Model

from apps.attendance.roll import EXCUSAL_FIELDS
from apps.classes.models import Enrollment, SchoolClass
from apps.excusals.models import Excusal
from apps.school.models import AcademicYear, AttendanceCode, School, Student
from apps.school.prepared import prepared_cursor

# The models read whole, in this order, each under its alias in the statement.
_MODELS: tuple[tuple[type[Model], str], ...] = (
    (Enrollment, "e"),
    (Student, "s"),
    (SchoolClass, "c"),
    (School, "sc"),
    (AcademicYear, "y"),
)
# The annotations after them, as ``roll_enrollments`` and the rest name them.
_ANNOTATIONS = (
    *(f"excusal_{name}" for name in EXCUSAL_FIELDS),
    "homeroom_code_id",
    "has_photo",
    "roll_total",
    "roll_codes",
    "taught",
    "covered",
    "runs",
    "covers_lesson",
)
_BOOLEANS = {"has_photo", "taught", "covered", "runs", "covers_lesson"}

# Enrolled on the day (open-ended dates count) and not archived: ``current_enrollments``.
_CURRENT = (
    "({e}.start_date IS NULL OR {e}.start_date <= %(day)s) AND ({e}.end_date IS NULL OR {e}.end_date >= %(day)s)"
    " AND NOT {s}.archived"
)

_SQL = """
SELECT {columns},
    x.id, x.start_date, x.end_date, x.comment,
    (SELECT d.code_id FROM homeroom_dailymark d JOIN school_attendancecode dc ON dc.id = d.code_id
        WHERE d.school_id = e.school_id AND d.student_id = e.student_id AND d.date = %(day)s
        AND dc.presence = %(absent)s LIMIT 1),
    EXISTS (SELECT 1 FROM school_studentphoto ph WHERE ph.student_id = e.student_id),
    (SELECT COUNT(*) FROM classes_enrollment e2 JOIN school_student s2 ON s2.id = e2.student_id
        WHERE e2.school_class_id = e.school_class_id AND {current_e2}),
    (SELECT {code_list} FROM classes_classmark m JOIN school_period mp ON mp.id = m.period_id
        WHERE m.school_class_id = e.school_class_id AND m.date = %(day)s AND mp.number = %(number)s
        AND m.interval = 0
        AND EXISTS (SELECT 1 FROM classes_enrollment e2 JOIN school_student s2 ON s2.id = e2.student_id
            WHERE e2.school_class_id = m.school_class_id AND e2.student_id = m.student_id AND {current_e2})),
    EXISTS (SELECT 1 FROM classes_teacherassignment ta JOIN school_teacher tt ON tt.id = ta.teacher_id
        WHERE ta.school_id = e.school_id AND ta.school_class_id = e.school_class_id AND tt.user_id = %(user)s),
    EXISTS (SELECT 1 FROM classes_cover cv JOIN school_teacher ct ON ct.id = cv.teacher_id
        WHERE cv.school_id = e.school_id AND cv.school_class_id = e.school_class_id AND ct.user_id = %(user)s),
    EXISTS (SELECT 1 FROM school_administrator ad WHERE ad.school_id = e.school_id AND ad.user_id = %(user)s),
    EXISTS (SELECT 1 FROM classes_cover lv JOIN school_teacher lt ON lt.id = lv.teacher_id
        WHERE lv.school_class_id = e.school_class_id AND lt.user_id = %(user)s
        AND lv.start_date <= %(day)s AND lv.end_date >= %(day)s
        AND (NOT EXISTS (SELECT 1 FROM classes_coverperiod lp WHERE lp.cover_id = lv.id)
            OR EXISTS (SELECT 1 FROM classes_coverperiod lp JOIN school_period pp ON pp.id = lp.period_id
                WHERE lp.cover_id = lv.id AND pp.number = %(number)s)))
FROM classes_enrollment e
JOIN school_student s ON s.id = e.student_id
JOIN classes_schoolclass c ON c.id = e.school_class_id
JOIN school_school sc ON sc.id = c.school_id
JOIN school_academicyear y ON y.id = c.academic_year_id
LEFT JOIN excusals_excusal x ON x.id = (
    SELECT x2.id FROM excusals_excusal x2
    WHERE x2.school_id = e.school_id AND x2.student_id = e.student_id
    AND x2.start_date <= %(day)s AND x2.end_date >= %(day)s
    ORDER BY x2.created_at DESC, x2.id DESC LIMIT 1)
WHERE e.school_class_id = %(class_id)s AND e.student_id = %(student_id)s AND {current_e}
ORDER BY e.id
LIMIT 1
"""


@cache
def _statement(vendor: str) -> str:
    columns = ", ".join(f"{alias}.{f.column}" for model, alias in _MODELS for f in model._meta.concrete_fields)
    # The codes of the lesson's marks, comma-separated (``roll_counts`` reads them).
    code_list = "STRING_AGG(m.code_id::text, ',')" if vendor == "postgresql" else "GROUP_CONCAT(m.code_id)"
    return _SQL.format(
        columns=columns,
        code_list=code_list,
        current_e=_CURRENT.format(e="e", s="s"),
        current_e2=_CURRENT.format(e="e2", s="s2"),
    )


def _converted(field, table: str, value):
    """``value`` as the ORM reads it from ``field``'s column of ``table`` (its converters)."""
    col = field.get_col(table)
    for converter in [*connection.ops.get_db_converters(col), *field.get_db_converters(connection)]:
        value = converter(value, col, connection)
    return value


def _instance(model: type[Model], values) -> Model:
    table, fields = model._meta.db_table, model._meta.concrete_fields
    converted = [_converted(f, table, value) for f, value in zip(fields, values, strict=True)]
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


def tapped_row(user, class_id: int, day: date, number: int, student_id: int) -> Enrollment | None:
    """The student's current enrollment in the class, as ``roll_enrollments`` annotates it, with
    the counts of the roll of lesson ``number`` (``roll_total``, the students on it, and
    ``roll_codes``, the codes of their marks: ``roll_counts`` reads them), ``taught`` and
    ``covered`` (``teaches_or_covers``), ``runs`` (whether the user administers the row's
    school: ``knows_whether_runs``) and ``covers_lesson`` (a cover of the
    user's that opens this lesson: ``covers_of(user, (day, number))``); its ``student`` and its
    ``school_class`` (with ``school`` and ``academic_year``) read with it. None when the student
    is not on that roll. One statement."""
    params = {
        "day": day,
        "number": number,
        "user": user.pk,
        "class_id": class_id,
        "student_id": student_id,
        "absent": AttendanceCode.Presence.ABSENT.value,
    }
    with prepared_cursor() as cursor:
        cursor.execute(_statement(connection.vendor), params)
        row = cursor.fetchone()
    if row is None:
        return None
    objects, start = [], 0
    for model, _ in _MODELS:
        end = start + len(model._meta.concrete_fields)
        objects.append(_instance(model, row[start:end]))
        start = end
    enrollment, student, school_class, school, year = objects
    enrollment.student, school_class.school, school_class.academic_year = student, school, year
    enrollment.school_class = school_class
    excusal = {f.attname: f for f in Excusal._meta.concrete_fields}
    for name, value in zip(_ANNOTATIONS, row[start:], strict=True):
        if name in _BOOLEANS:
            value = bool(value)
        elif name.startswith("excusal_") and value is not None:
            value = _converted(excusal[name.removeprefix("excusal_")], Excusal._meta.db_table, value)
        setattr(enrollment, name, value)
    return enrollment
