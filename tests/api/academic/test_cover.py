"""A cover teacher's token on the course-offering API: the covered lessons on the covered days
(write, and read back); outside the dates and for another course offering a 404 as for anyone
else."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark, Cover
from tests import factories as f
from tests.api.academic.test_attendance import body_for, marks_of


@pytest.fixture
def monday(world):
    return f.last_weekday(world.school, 1)


def covers(world, start, school_class=None):
    return Cover.objects.create(
        school=world.school,
        school_class=school_class or world.english,
        teacher=world.other_teacher,
        start_date=start,
        end_date=start,
    )


def test_a_cover_teacher_writes_the_covered_day_and_reads_it_back(world, teacher, other_teacher, api_as, monday):
    covers(world, monday)
    student = world.students[0]
    api_as(teacher).post(body_for(world.english, student, monday - timedelta(days=7), "late"))
    api = api_as(other_teacher)

    created = api.post(body_for(world.english, student, monday, "absent"))

    assert created.status_code == 201
    assert created.json()["status"] == "absent"
    assert sorted(marks_of(student, monday)) == [(1, 0), (3, 0)]
    entries = AuditEntry.objects.filter(channel="academic", changed_by=other_teacher)
    assert entries.count() == 2 and all(e.key.get("covering") is True for e in entries)
    read = api.get(course_offering_id=str(world.english.uuid))
    assert read.status_code == 200
    assert [(r["attendance_date"], r["status"]) for r in read.json()] == [(monday.isoformat(), "absent")]
    assert [r["attendance_date"] for r in api.get().json()] == [monday.isoformat()]


def test_outside_the_cover_dates_a_cover_teacher_writes_and_reads_nothing(
    world, teacher, other_teacher, api_as, monday
):
    covers(world, monday)
    api_as(teacher).post(body_for(world.english, world.students[0], monday - timedelta(days=7), "late"))
    api = api_as(other_teacher)

    response = api.post(body_for(world.english, world.students[1], monday - timedelta(days=7), "absent"))

    assert response.status_code == 404
    assert marks_of(world.students[1], monday - timedelta(days=7)) == []
    assert api.get(course_offering_id=str(world.english.uuid)).json() == []


def test_a_cover_does_not_open_another_course_offering(world, teacher, other_teacher, api_as, monday):
    other = f.make_class(world.school, "7A Maths", [world.teacher], world.students, periods=(1,))
    covers(world, monday)
    api = api_as(other_teacher)

    assert api.post(body_for(other, world.students[0], monday)).status_code == 404
    assert api.get(course_offering_id=str(other.uuid)).status_code == 404
    assert not ClassMark.objects.exists()
