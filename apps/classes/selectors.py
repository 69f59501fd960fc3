"""Reads of class attendance, returning plain rows that pages and dialects render."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q

from apps.classes.models import ClassMark, Enrollment, SchoolClass
from apps.school.models import Student, Term


def enrolled_students(school_class: SchoolClass, *, on: date | None = None, include_archived: bool = False):
    """The class's students (one query), optionally only those enrolled on a date."""
    students = Student.objects.filter(enrollments__school_class=school_class)
    if not include_archived:
        students = students.filter(archived=False)
    if on is not None:
        students = students.filter(
            Q(enrollments__start_date__isnull=True) | Q(enrollments__start_date__lte=on),
            Q(enrollments__end_date__isnull=True) | Q(enrollments__end_date__gte=on),
        )
    return students.order_by("last_name", "first_name", "id")


def class_marks_on(school_class: SchoolClass, on: date) -> list[ClassMark]:
    """Every mark of the class on a date, with code and period (one query)."""
    return list(
        ClassMark.objects.filter(school_class=school_class, date=on)
        .select_related("code", "period")
        .order_by("student_id", "period__number", "interval")
    )


def class_term_counts(school_class: SchoolClass, term: Term, *, include_archived: bool = False) -> list[dict]:
    """Per student and code, how many marks in the term: rows of student_id, code_id, count,
    aggregated in SQL (one query)."""
    start = max(term.start_date, school_class.start_date)
    end = min(term.end_date, school_class.end_date)
    marks = ClassMark.objects.filter(school_class=school_class, date__gte=start, date__lte=end)
    if not include_archived:
        marks = marks.filter(student__archived=False)
    return list(marks.values("student_id", "code_id").annotate(count=Count("id")).order_by("student_id", "code_id"))


def class_enrollments(school_class: SchoolClass):
    return Enrollment.objects.filter(school_class=school_class).select_related("student")
