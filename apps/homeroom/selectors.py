"""Reads of daily (homeroom) attendance, returning plain rows."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, OuterRef, Subquery, Sum

from apps.attendance.roll import (
    RollCounts,
    RollRow,
    RollSheet,
    excusal_of,
    photo_url,
    roll_code_choices,
    with_excusal,
    with_photo,
)
from apps.homeroom.models import DailyMark, DailyTermCount
from apps.school.models import AcademicYear, School, Student, Term, YearGroup
from apps.school.selectors import codes_for_school


def daily_marks_on(year_group: YearGroup, on: date) -> list[DailyMark]:
    return list(
        DailyMark.objects.filter(student__year_group=year_group, date=on).select_related("code").order_by("student_id")
    )


def homeroom_term_counts(
    year_group: YearGroup, term: Term, *, include_archived: bool = False, from_marks: bool = False
) -> list[tuple]:
    """Per student and code, how many daily marks in the term: (student_id, code_id,
    count) tuples (one query), from the term counts, or with ``from_marks`` from the marks."""
    if from_marks:
        rows = DailyMark.objects.filter(
            student__year_group=year_group, date__gte=term.start_date, date__lte=term.end_date
        )
        # COUNT(*), not COUNT(id): the (student, date) INCLUDE (code) index answers it alone.
        count = Count("*")
    else:
        rows = DailyTermCount.objects.filter(student__year_group=year_group, term=term)
        count = Sum("marks")
    if not include_archived:
        rows = rows.filter(student__archived=False)
    return list(rows.values_list("student_id", "code_id").annotate(count=count).order_by("student_id", "code_id"))


# --- the homeroom roll pages ----------------------------------------------------------------------


def is_school_day(school: School, on: date) -> bool:
    """A date inside one of the school's academic years (one query): daily marks need one."""
    return AcademicYear.objects.filter(school=school, start_date__lte=on, end_date__gte=on).exists()


def homeroom_roll_sheet(year_group: YearGroup, on: date, *, student_id: int | None = None) -> RollSheet:
    """The homeroom roll of a year group on a date (or only one student's row of it, for a
    tap): three queries whatever its size (students with their excusal, codes, daily marks)."""
    school = year_group.school
    students = Student.objects.filter(school=school, year_group=year_group, archived=False)
    if student_id is not None:
        students = students.filter(pk=student_id)
    students = list(
        with_photo(with_excusal(students, school, on, "pk"), "pk").order_by("last_name", "first_name", "id")
    )
    ids = [s.pk for s in students]
    codes = roll_code_choices(school)
    by_id = {c.pk: c for c in codes_for_school(school)}
    marks = {}
    for mark in DailyMark.objects.filter(school=school, student_id__in=ids, date=on):
        mark.code = by_id[mark.code_id]
        marks[mark.student_id] = mark
    rows = [
        RollRow(student=s, mark=marks.get(s.pk), excusal=excusal_of(s), photo_url=photo_url(s, s.pk)) for s in students
    ]
    return RollSheet(codes=codes, rows=rows)


def homeroom_roll_counts(year_group: YearGroup, on: date) -> RollCounts:
    """The counts at the top of a homeroom roll, fresh after a tap (one aggregate query)."""
    mark = DailyMark.objects.filter(student_id=OuterRef("pk"), date=on)
    rows = (
        Student.objects.filter(school=year_group.school, year_group=year_group, archived=False)
        .annotate(code_id=Subquery(mark.values("code_id")[:1]))
        .values("code_id")
        .annotate(n=Count("id"))
        .values_list("code_id", "n")
    )
    return RollCounts.of(roll_code_choices(year_group.school), rows)
