"""A staff-only note reaches no ManageBac answer to a parent's token: a parent reads no class's or
year group's marks (404), and none of the paths a parent may read carries a mark's note."""

from __future__ import annotations

import pytest

from apps.school.models import Term
from tests import factories as f
from tests.api.private_notes import SHARED_LESSON, STAFF_DAY, STAFF_LESSON, write_notes


@pytest.fixture
def notes(world):
    return write_notes(world, f.last_weekday(world.school, 1))


def read_paths(world, notes) -> list[str]:
    """Every GET path of the dialect, with the ids of the parent's child, class and year group."""
    term = Term.objects.filter(school=world.school, start_date__lte=notes.day, end_date__gte=notes.day).get()
    cls, group, child, day = world.english.pk, world.year7.pk, notes.student_id, notes.day.isoformat()
    return [
        "classes",
        f"classes/{cls}",
        f"classes/{cls}/students",
        f"classes/{cls}/attendance/term/{term.pk}",
        f"classes/{cls}/attendance/date/{day}",
        f"classes/{cls}/timetable",
        "students",
        f"students/{child}",
        f"students/excusals/{day}",
        f"students/{child}/excusals",
        "year-groups",
        f"year-groups/{group}/students",
        f"year-groups/{group}/homeroom/attendance/term/{term.pk}",
        f"year-groups/{group}/homeroom/attendance/date/{day}",
        f"year-groups/{group}/homeroom/attendance/term/{term.pk}/adjustments",
        "school/academic-years",
    ]


def test_no_answer_to_a_parent_carries_a_staff_only_note(world, parent, api_as, notes):
    api = api_as(parent)
    for path in read_paths(world, notes):
        body = api.get(path).content.decode()
        assert STAFF_LESSON not in body and STAFF_DAY not in body, path
    # The marks themselves are staff reads: a 404 to a parent.
    assert api.get(f"classes/{world.english.pk}/attendance/date/{notes.day}").status_code == 404
    assert api.get(f"year-groups/{world.year7.pk}/homeroom/attendance/date/{notes.day}").status_code == 404


def test_staff_read_every_note(world, teacher, api_as, notes):
    api = api_as(teacher)  # teaches 7A English, advises Year 7
    lesson = api.get(f"classes/{world.english.pk}/attendance/date/{notes.day}").json()
    [child] = [s for s in lesson["students"] if s["id"] == notes.student_id]
    assert (child["attendance"]["1"]["note"], child["attendance"]["3"]["note"]) == (STAFF_LESSON, SHARED_LESSON)
    day = api.get(f"year-groups/{world.year7.pk}/homeroom/attendance/date/{notes.day}").json()
    assert [s["attendance"]["note"] for s in day["students"] if s["id"] == notes.student_id] == [STAFF_DAY]
