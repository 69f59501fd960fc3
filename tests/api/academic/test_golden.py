"""The course-offering answers have the seed's keys, types and nesting (seed 003)."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

from tests import factories as f

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def same_shape(ours, theirs, path="$"):
    assert type(ours) is type(theirs), f"{path}: {type(ours).__name__} where the seed has {type(theirs).__name__}"
    if isinstance(theirs, dict):
        assert set(ours) == set(theirs), f"{path}: keys {sorted(ours)} where the seed has {sorted(theirs)}"
        for key in theirs:
            same_shape(ours[key], theirs[key], f"{path}.{key}")
    elif isinstance(theirs, list) and theirs and ours:
        for i, item in enumerate(ours):
            same_shape(item, theirs[0], f"{path}[{i}]")


def assert_record_values(record: dict):
    for key in ("id", "school_id", "course_offering_id", "teacher_assignment_id", "course_enrollment_id", "student_id"):
        uuid.UUID(record[key])
    date.fromisoformat(record["attendance_date"])
    assert TIMESTAMP.match(record["recorded_at"])
    assert record["status"] in {"present", "absent", "late", "excused"}


def body_for(world, student, day, status):
    english = world.english
    return {
        "course_offering_id": str(english.uuid),
        "teacher_assignment_id": str(english.assignments.get().uuid),
        "course_enrollment_id": str(english.enrollments.get(student=student).uuid),
        "student_id": str(student.uuid),
        "attendance_date": day.isoformat(),
        "status": status,
    }


def test_the_seed_examples_are_parsed(seed):
    request, record, listing = seed
    assert set(request) == {
        "course_offering_id",
        "teacher_assignment_id",
        "course_enrollment_id",
        "student_id",
        "attendance_date",
        "status",
    }
    assert record["status"] == "present" and len(listing) == 3


def test_create_answers_the_seed_record(world, teacher, api_as, seed):
    request, record, _ = seed
    student = world.students[0]
    body = body_for(world, student, f.last_weekday(world.school, 1), "present")
    assert set(body) == set(request)

    response = api_as(teacher).post(body)

    assert response.status_code == 201
    answer = response.json()
    same_shape(answer, record)
    assert_record_values(answer)
    assert answer["school_id"] == str(world.school.uuid)
    assert {k: answer[k] for k in body} == body


def test_list_answers_the_seed_list_newest_first(world, teacher, api_as, seed):
    _, _, listing = seed
    student = world.students[0]
    api = api_as(teacher)
    monday = f.last_weekday(world.school, 1)
    # The Friday before that Monday, inside the teacher's edit window at the pinned moment.
    friday = monday - timedelta(days=3)
    assert world.school.today() - friday <= timedelta(days=world.school.teacher_edit_days)
    assert api.post(body_for(world, student, monday, "present")).status_code == 201
    assert api.post(body_for(world, student, monday, "absent")).status_code == 200
    assert api.post(body_for(world, student, friday, "late")).status_code == 201

    response = api.get(student_id=str(student.uuid))

    assert response.status_code == 200
    answer = response.json()
    same_shape(answer, listing)
    assert [r["attendance_date"] for r in answer] == [monday.isoformat(), friday.isoformat()]
    assert [r["status"] for r in answer] == ["absent", "late"]
    for record in answer:
        assert_record_values(record)
