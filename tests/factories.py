"""Plain functions that build a school's rows for tests; fixtures in conftest.py use them."""

from __future__ import annotations

import itertools
from datetime import date, time, timedelta

from django.contrib.auth import get_user_model

from apps.classes.models import Enrollment, SchoolClass, TeacherAssignment, TimetableSlot
from apps.school.models import (
    AcademicYear,
    Administrator,
    Advisor,
    AttendanceCode,
    Guardianship,
    Parent,
    Period,
    School,
    Student,
    Teacher,
    Term,
    YearGroup,
)

PASSWORD = "correct-horse-battery"
_numbers = itertools.count(1000)


def make_school(
    name: str = "Northfield School", *, terms: list[tuple[str, date, date]] | None = None, **fields
) -> School:
    """A school with six periods (period n from 7+n:30) and one academic year: by default from
    100 days before today to 200 days after, in two terms that meet 50 days after today; or the
    year that ``terms`` (name, first day, last day) span, with its holidays between them."""
    school = School.objects.create(name=name, number=fields.pop("number", next(_numbers)), **fields)
    today = school.today()
    if terms is None:
        terms = [
            ("Term 1", today - timedelta(days=100), today + timedelta(days=50)),
            ("Term 2", today + timedelta(days=51), today + timedelta(days=200)),
        ]
    year = AcademicYear.objects.create(
        school=school,
        name=f"{terms[0][1].year} school year",
        start_date=terms[0][1],
        end_date=terms[-1][2],
    )
    Term.objects.bulk_create(
        Term(school=school, academic_year=year, name=term, start_date=start, end_date=end) for term, start, end in terms
    )
    Period.objects.bulk_create(
        Period(school=school, number=n, name=f"Period {n}", start_time=time(7 + n, 30), end_time=time(8 + n, 20))
        for n in range(1, 7)
    )
    return school


def make_user(username: str, **fields):
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **fields)


def make_teacher(school: School, username: str, first: str = "Tess", last: str = "Teacher") -> Teacher:
    return Teacher.objects.create(
        school=school, first_name=first, last_name=last, user=make_user(username, first_name=first, last_name=last)
    )


def make_admin(school: School, username: str) -> Administrator:
    return Administrator.objects.create(
        school=school,
        first_name="Ada",
        last_name="Admin",
        user=make_user(username, first_name="Ada", last_name="Admin"),
    )


def make_parent(school: School, username: str, *children: Student, first: str = "Pat") -> Parent:
    parent = Parent.objects.create(
        school=school,
        first_name=first,
        last_name="Parent",
        user=make_user(username, first_name=first, last_name="Parent"),
    )
    for child in children:
        Guardianship.objects.create(school=school, parent=parent, student=child)
    return parent


def make_year_group(school: School, name: str = "Year 7", *advisors: Teacher) -> YearGroup:
    group = YearGroup.objects.create(school=school, name=name, grade=name.split()[-1])
    for teacher in advisors:
        Advisor.objects.create(school=school, year_group=group, teacher=teacher)
    return group


def make_students(school: School, count: int, year_group: YearGroup | None = None, prefix: str = "S") -> list[Student]:
    return Student.objects.bulk_create(
        Student(
            school=school,
            first_name=f"{prefix}{i:03d}",
            last_name=f"Pupil{i:03d}",
            student_number=f"{prefix}{i:05d}",
            year_group=year_group,
        )
        for i in range(count)
    )


def make_class(
    school: School,
    name: str,
    teachers: list[Teacher],
    students: list[Student],
    periods: tuple[int, ...] = (1, 3),
    weekdays: tuple[int, ...] = (1, 2, 3, 4, 5),
) -> SchoolClass:
    year = AcademicYear.objects.filter(school=school).first()
    school_class = SchoolClass.objects.create(
        school=school, name=name, subject=name, academic_year=year, start_date=year.start_date, end_date=year.end_date
    )
    for teacher in teachers:
        TeacherAssignment.objects.create(school=school, school_class=school_class, teacher=teacher)
    Enrollment.objects.bulk_create(Enrollment(school=school, school_class=school_class, student=s) for s in students)
    by_number = {p.number: p for p in Period.objects.filter(school=school)}
    TimetableSlot.objects.bulk_create(
        TimetableSlot(school=school, school_class=school_class, weekday=d, period=by_number[p], location=f"Room {p}")
        for d in weekdays
        for p in periods
    )
    return school_class


def code(school: School, mb_status: int) -> AttendanceCode:
    return AttendanceCode.objects.get(school=school, mb_status=mb_status)


def last_weekday(school: School, weekday: int = 1, before: date | None = None) -> date:
    """The most recent date (on or before ``before``, default today) falling on ISO ``weekday``."""
    day = before or school.today()
    return day - timedelta(days=(day.isoweekday() - weekday) % 7)


def saved(results: list):
    """A setup write's results, each checked: a refused setup write fails the test where it
    happens, not three assertions later. Wrap ``record_class_marks(...)`` and its siblings."""
    refused = [(r.index, r.status, r.errors) for r in results if not r.ok]
    assert not refused, f"setup write refused: {refused}"
    return results
