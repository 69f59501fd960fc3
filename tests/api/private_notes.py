"""Marks with private and shared notes for the parent's child, for each dialect's test that a
staff-only note reaches no answer to a parent's token (issue 18 point 10)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from apps.attendance.channels import Channel
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from tests import factories as f

STAFF_LESSON = "Staff only: lesson note about home"
STAFF_DAY = "Staff only: homeroom note about home"
SHARED_LESSON = "Shared: left early for the dentist"


@dataclass(frozen=True)
class Notes:
    day: date
    student_id: int


def write_notes(world, day: date) -> Notes:
    """On ``day``, for the parent's child (world.students[0]): 7A English period 1 absent with a
    staff-only note, period 3 late with a note shared with the family, and homeroom absent with a
    staff-only note; through the one write path."""
    school, child = world.school, world.students[0]
    absent, late = f.code(school, 0).pk, f.code(school, 2).pk
    f.saved(
        record_class_marks(
            actor=None,
            school=school,
            channel=Channel.DEMO,
            marks=[
                ClassMarkInput(world.english.pk, child.pk, day, 1, absent, STAFF_LESSON, shared_with_family=False),
                ClassMarkInput(world.english.pk, child.pk, day, 3, late, SHARED_LESSON, shared_with_family=True),
            ],
        )
    )
    f.saved(
        record_daily_marks(
            actor=None,
            school=school,
            channel=Channel.DEMO,
            marks=[DailyMarkInput(child.pk, day, absent, STAFF_DAY, shared_with_family=False)],
        )
    )
    return Notes(day=day, student_id=child.pk)
