"""Reads of daily (homeroom) attendance, returning plain rows."""

from __future__ import annotations

from datetime import date

from django.db.models import Count

from apps.homeroom.models import DailyMark
from apps.school.models import Term, YearGroup


def daily_marks_on(year_group: YearGroup, on: date) -> list[DailyMark]:
    return list(
        DailyMark.objects.filter(student__year_group=year_group, date=on).select_related("code").order_by("student_id")
    )


def homeroom_term_counts(year_group: YearGroup, term: Term, *, include_archived: bool = False) -> list[dict]:
    """Per student and code, how many daily marks in the term (one aggregate query)."""
    marks = DailyMark.objects.filter(student__year_group=year_group, date__gte=term.start_date, date__lte=term.end_date)
    if not include_archived:
        marks = marks.filter(student__archived=False)
    return list(marks.values("student_id", "code_id").annotate(count=Count("id")).order_by("student_id", "code_id"))
