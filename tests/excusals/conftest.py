"""Helpers for the parents' and office's excusal tests: marks go in through the one write path."""

from __future__ import annotations

from datetime import date

import pytest

from apps.attendance.channels import Channel
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.excusals.models import Excusal
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from apps.school.models import AttendanceCode
from tests import factories as f

PRESENT, ABSENT, LATE, EXCUSED = 1, 0, 2, 13


def mark_day(school, student, day: date, mb_status: int, note: str = "", *, shared: bool = True) -> None:
    """A homeroom mark; its note shared with the family unless ``shared`` is False."""
    [result] = record_daily_marks(
        actor=None,
        school=school,
        marks=[DailyMarkInput(student.pk, day, f.code(school, mb_status).pk, note, shared_with_family=shared)],
        channel=Channel.DEMO,
    )
    assert result.ok, result.errors


def mark_lesson(
    school, school_class, student, day: date, period: int, mb_status: int, note: str = "", *, shared: bool = True
) -> None:
    """A lesson mark; its note shared with the family unless ``shared`` is False."""
    [result] = record_class_marks(
        actor=None,
        school=school,
        marks=[
            ClassMarkInput(
                school_class.pk, student.pk, day, period, f.code(school, mb_status).pk, note, shared_with_family=shared
            )
        ],
        channel=Channel.DEMO,
    )
    assert result.ok, result.errors


def mark_many(school, days: list[tuple], lessons: list[tuple]) -> None:
    """Many marks in two calls: days as (student, date, status, note), lessons as
    (class, student, date, period, status, note); notes shared with the family."""
    codes = {c.mb_status: c.pk for c in AttendanceCode.objects.filter(school=school)}
    results = record_daily_marks(
        actor=None,
        school=school,
        marks=[DailyMarkInput(s.pk, d, codes[st], n, shared_with_family=True) for s, d, st, n in days],
        channel=Channel.DEMO,
    )
    results += record_class_marks(
        actor=None,
        school=school,
        marks=[
            ClassMarkInput(c.pk, s.pk, d, p, codes[st], n, shared_with_family=True) for c, s, d, p, st, n in lessons
        ],
        channel=Channel.DEMO,
    )
    assert all(r.ok for r in results), [r.errors for r in results if not r.ok]


def make_excusal(parent, student, start: date, end: date, comment: str = "Ill") -> Excusal:
    return Excusal.objects.create(
        school=student.school, student=student, parent=parent, start_date=start, end_date=end, comment=comment
    )


@pytest.fixture
def monday(world):
    """The latest Monday on or before today, at least a week into the term."""
    return f.last_weekday(world.school, 1)


@pytest.fixture
def child(world):
    return world.students[0]
