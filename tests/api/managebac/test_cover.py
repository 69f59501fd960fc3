"""A cover teacher's token on the ManageBac API's reads (the write: tests/classes/test_cover.py):
the covered lessons of a covered day, the class's students on a day of the cover; other days,
the term's summary and another class a 404 as for anyone else."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.classes.models import Cover, CoverPeriod
from apps.school.models import Period
from tests import factories as f
from tests.api.managebac.test_class_attendance import first_term


def covers(world, start, *, period=None, school_class=None):
    made = Cover.objects.create(
        school=world.school,
        school_class=school_class or world.english,
        teacher=world.other_teacher,
        start_date=start,
        end_date=start,
    )
    if period is not None:
        CoverPeriod.objects.create(
            school=world.school, cover=made, period=Period.objects.get(school=world.school, number=period)
        )
    return made


@pytest.fixture
def cover_api(world, api_as):
    return api_as(world.other_teacher.user)


def test_a_cover_teacher_reads_the_covered_lessons_of_the_day(world, cover_api, taken_roll):
    covers(world, taken_roll, period=1)

    response = cover_api.get(f"classes/{world.english.pk}/attendance/date/{taken_roll}")

    assert response.status_code == 200
    students = response.json()["students"]
    assert [s["id"] for s in students] == [s.pk for s in world.students]
    assert {p for s in students for p in s["attendance"]} == {"1"}  # period 3 is not covered


def test_outside_the_cover_dates_a_cover_teacher_reads_nothing(world, cover_api, taken_roll):
    covers(world, taken_roll + timedelta(days=1))
    english = world.english.pk

    assert cover_api.get(f"classes/{english}/attendance/date/{taken_roll}").status_code == 404
    # A term's summary is not a covered day's: refused even while covering.
    assert cover_api.get(f"classes/{english}/attendance/term/{first_term(world).pk}").status_code == 404
    assert cover_api.get(f"classes/{english}/students").status_code == 404  # the cover is not today


def test_a_cover_teacher_lists_the_students_on_a_day_of_the_cover(world, cover_api):
    covers(world, world.school.today())

    response = cover_api.get(f"classes/{world.english.pk}/students")

    assert response.status_code == 200
    assert sorted(response.json()["student_ids"]) == sorted(s.pk for s in world.students)


def test_a_cover_does_not_open_another_class(world, cover_api, monday):
    other = f.make_class(world.school, "7A Maths", [world.teacher], world.students, periods=(1,))
    covers(world, monday)
    covers(world, world.school.today())

    assert cover_api.get(f"classes/{other.pk}/attendance/date/{monday}").status_code == 404
    assert cover_api.get(f"classes/{other.pk}/students").status_code == 404
