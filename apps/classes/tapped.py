"""The row a roll page tap reads (``tapped_row``) and the rows the roll page reads
(``roll_rows``): one hand-written SQL statement, the only one of its kind in their paths, kept
here and tested on SQLite and PostgreSQL (tests/classes/test_tapped.py).

It reads what the ORM query built from the roll's own helpers did (``roll_enrollments``; the
roll's counts, as ``class_roll_counts``; ``teaches_or_covers``; whether the user administers the
school; ``covers_of`` for the lesson) and
gives the same objects back: the student's ``Enrollment`` with its student and its class (the
class's school and academic year with it), annotated as those helpers annotate. Why by hand:
that ORM query cost a tap more than the rest of it together: building and compiling it in
Python (13 subqueries), and PostgreSQL planning it (6 to 18 ms, for 1.2 ms of running).
Written here, with the excusal joined once rather than read by four subqueries, it is compiled
by nobody, and run through ``prepared_cursor`` PostgreSQL plans it once per connection
(BENCHMARK.md, "Issue 20, the tap and the rush"). The page reads the same statement for every
student of the roll, with the user's ``Membership`` (its header's menu) in place of the counts,
which the page counts from its rows (BENCHMARK.md, "The roll page").

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
from apps.classes.models import ClassMark, Enrollment, SchoolClass
from apps.excusals.models import Excusal
from apps.school.access import Membership
from apps.school.models import AcademicYear, AttendanceCode, Period, School, Student
from apps.school.prepared import columns_of, converted, converters, instance, prepared_cursor

# The models read whole, in this order, each under its alias in the statement.
_MODELS: tuple[tuple[type[Model], str], ...] = (
    (Enrollment, "e"),
    (Student, "s"),
    (SchoolClass, "c"),
    (School, "sc"),
    (AcademicYear, "y"),
    (ClassMark, "lm"),  # the lesson's mark
    (ClassMark, "em"),  # the student's mark in an earlier lesson that day, the latest
    (Period, "ep"),
    (SchoolClass, "ec"),
)
# The annotations after them, as ``roll_enrollments`` and the rest name them: the row's, then
# the tap's counts or the page's membership, then who may tap.
_ROW = (*(f"excusal_{name}" for name in EXCUSAL_FIELDS), "homeroom_code_id", "has_photo")
_ACCESS = ("taught", "covered", "runs", "covers_lesson")
_ANNOTATIONS = (*_ROW, "roll_total", "roll_codes", *_ACCESS)
_PAGE_ANNOTATIONS = (*_ROW, "is_teacher", "is_parent", "admin_school_ids", *_ACCESS)
_BOOLEANS = {"has_photo", "taught", "covered", "runs", "covers_lesson", "is_teacher", "is_parent"}

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
    {middle},
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
LEFT JOIN school_period lp ON lp.school_id = e.school_id AND lp.number = %(number)s
LEFT JOIN classes_classmark lm ON lm.school_class_id = e.school_class_id AND lm.student_id = e.student_id
    AND lm.date = %(day)s AND lm.period_id = lp.id AND lm.interval = 0
LEFT JOIN classes_classmark em ON em.id = (
    SELECT m2.id FROM classes_classmark m2 JOIN school_period p2 ON p2.id = m2.period_id
    WHERE m2.school_id = e.school_id AND m2.student_id = e.student_id AND m2.date = %(day)s
    AND p2.number < %(number)s
    ORDER BY p2.number DESC, m2.interval DESC, m2.id DESC LIMIT 1)
LEFT JOIN school_period ep ON ep.id = em.period_id
LEFT JOIN classes_schoolclass ec ON ec.id = em.school_class_id
LEFT JOIN excusals_excusal x ON x.id = (
    SELECT x2.id FROM excusals_excusal x2
    WHERE x2.school_id = e.school_id AND x2.student_id = e.student_id
    AND x2.start_date <= %(day)s AND x2.end_date >= %(day)s
    ORDER BY x2.created_at DESC, x2.id DESC LIMIT 1)
WHERE e.school_class_id = %(class_id)s AND {current_e}
{end}
"""

# The tap's: the roll's counts (the students on it; the codes of their marks, comma-separated,
# which ``roll_counts`` reads), of its one student.
_TAP = {
    "middle": """(SELECT COUNT(*) FROM classes_enrollment e2 JOIN school_student s2 ON s2.id = e2.student_id
        WHERE e2.school_class_id = e.school_class_id AND {current_e2}),
    (SELECT {list_of_m} FROM classes_classmark m JOIN school_period mp ON mp.id = m.period_id
        WHERE m.school_class_id = e.school_class_id AND m.date = %(day)s AND mp.number = %(number)s
        AND m.interval = 0
        AND EXISTS (SELECT 1 FROM classes_enrollment e2 JOIN school_student s2 ON s2.id = e2.student_id
            WHERE e2.school_class_id = m.school_class_id AND e2.student_id = m.student_id AND {current_e2}))""",
    "end": "AND e.student_id = %(student_id)s ORDER BY e.id LIMIT 1",
}
# The page's: the user's ``Membership`` (the schools they administer, comma-separated), of every
# student, in ``roll_enrollments``'s order.
_PAGE = {
    "middle": """EXISTS (SELECT 1 FROM school_teacher mt WHERE mt.user_id = %(user)s),
    EXISTS (SELECT 1 FROM school_parent mr WHERE mr.user_id = %(user)s),
    (SELECT {list_of_ma} FROM school_administrator ma WHERE ma.user_id = %(user)s)""",
    "end": "ORDER BY s.last_name, s.first_name, s.id",
}


@cache
def _statement(vendor: str, page: bool) -> str:
    columns = ", ".join(columns_of(model, alias) for model, alias in _MODELS)

    def list_of(column: str) -> str:
        return f"STRING_AGG({column}::text, ',')" if vendor == "postgresql" else f"GROUP_CONCAT({column})"

    parts = _PAGE if page else _TAP
    return _SQL.format(
        columns=columns,
        middle=parts["middle"].format(
            list_of_m=list_of("m.code_id"),
            list_of_ma=list_of("ma.school_id"),
            current_e2=_CURRENT.format(e="e2", s="s2"),
        ),
        end=parts["end"],
        current_e=_CURRENT.format(e="e", s="s"),
    )


def _rows(user, class_id: int, day: date, number: int, *, student_id: int | None = None) -> list[tuple]:
    params = {
        "day": day,
        "number": number,
        "user": user.pk,
        "class_id": class_id,
        "student_id": student_id,
        "absent": AttendanceCode.Presence.ABSENT.value,
    }
    with prepared_cursor() as cursor:
        cursor.execute(_statement(connection.vendor, student_id is None), params)
        return cursor.fetchall()


@cache
def _bounds() -> list[int]:
    """Where each model's columns start in a row, and (last) where the annotations start."""
    sizes = [len(model._meta.concrete_fields) for model, _ in _MODELS]
    return [sum(sizes[:n]) for n in range(len(sizes) + 1)]


def _enrollment(row: tuple, names: tuple[str, ...], school_class: SchoolClass | None = None) -> Enrollment:
    """The row's enrollment with its student, its lesson's mark and the earlier one (with its
    period and class), and, read from the row unless given, its class."""
    bounds = _bounds()
    part = [row[bounds[n] : bounds[n + 1]] for n in range(len(_MODELS))]
    enrollment = instance(Enrollment, part[0])
    enrollment.student = instance(Student, part[1])
    if school_class is None:
        school_class = instance(SchoolClass, part[2])
        school_class.school = instance(School, part[3])
        school_class.academic_year = instance(AcademicYear, part[4])
    enrollment.school_class = school_class
    enrollment.lesson_mark = instance(ClassMark, part[5]) if part[5][0] is not None else None
    enrollment.earlier_mark = None
    if part[6][0] is not None:
        earlier = enrollment.earlier_mark = instance(ClassMark, part[6])
        earlier.period, earlier.school_class = instance(Period, part[7]), instance(SchoolClass, part[8])
    excusal = dict(zip((f.attname for f in Excusal._meta.concrete_fields), converters(Excusal), strict=True))
    for name, value in zip(names, row[bounds[-1] :], strict=True):
        if name in _BOOLEANS:
            value = bool(value)
        elif name.startswith("excusal_") and value is not None:
            (value,) = converted([value], [excusal[name.removeprefix("excusal_")]])
        setattr(enrollment, name, value)
    return enrollment


def tapped_row(user, class_id: int, day: date, number: int, student_id: int) -> Enrollment | None:
    """The student's current enrollment in the class, as ``roll_enrollments`` annotates it, with
    the counts of the roll of lesson ``number`` (``roll_total``, the students on it, and
    ``roll_codes``, the codes of their marks: ``roll_counts`` reads them), ``taught`` and
    ``covered`` (``teaches_or_covers``), ``runs`` (whether the user administers the row's
    school: ``knows_whether_runs``) and ``covers_lesson`` (a cover of the
    user's that opens this lesson: ``covers_of(user, (day, number))``); its ``student`` and its
    ``school_class`` (with ``school`` and ``academic_year``), its ``lesson_mark`` and its
    ``earlier_mark`` (as ``class_roll_sheet`` reads them) read with it. None when the student is
    not on that roll. One statement."""
    rows = _rows(user, class_id, day, number, student_id=student_id)
    return _enrollment(rows[0], _ANNOTATIONS) if rows else None


def membership_of(row: Enrollment) -> Membership:
    """The user's ``Membership``, as a row of ``roll_rows`` read it."""
    school_ids = frozenset(int(pk) for pk in (row.admin_school_ids or "").split(",") if pk)
    return Membership(school_ids, row.is_teacher, row.is_parent)


def roll_rows(user, class_id: int, day: date, number: int) -> list[Enrollment]:
    """Every current enrollment of the class, as ``roll_enrollments`` annotates and orders them,
    each with ``taught``, ``covered``, ``runs`` and ``covers_lesson`` as ``tapped_row``'s, and the
    user's ``Membership`` as ``is_teacher``, ``is_parent`` and ``admin_school_ids`` (the ids,
    comma-separated), and the marks as ``tapped_row``'s; one ``school_class`` for them all. Empty
    when nobody is on the roll. One statement."""
    rows = _rows(user, class_id, day, number)
    if not rows:
        return []
    first = _enrollment(rows[0], _PAGE_ANNOTATIONS)
    return [first, *(_enrollment(row, _PAGE_ANNOTATIONS, first.school_class) for row in rows[1:])]
