"""Bad input to the course-offering dialect, and what it answers: a 422 whose ``detail`` names
the field (``["body", …]``, ``["query", …]`` or ``["header", "x-school-id"]``) for anything
malformed, including a body that is not JSON; 404 ``{"detail": …}`` for ids the client may
not see; 413 ``{"detail": …}`` for a body too large. A record is a student's whole day in the
class: it is written whole or not at all, and nothing refused reaches the database."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest

from tests import factories as f
from tests.api.bad_input import (
    IMPOSSIBLE_DATES,
    MALFORMED_JSON,
    NOT_AN_OBJECT,
    OUT_OF_RANGE_DATES,
    RANGE_MESSAGE,
    nothing_changes,
    oversized_json,
)

UUID_FIELDS = ["course_offering_id", "teacher_assignment_id", "course_enrollment_id", "student_id"]


@pytest.fixture
def monday(world):
    return f.last_weekday(world.school, 1)


@pytest.fixture
def api(admin, api_as):
    return api_as(admin)


def body_for(world, day, student=None, **changes) -> dict:
    student = student or world.students[0]
    english = world.english
    return {
        "course_offering_id": str(english.uuid),
        "teacher_assignment_id": str(english.assignments.order_by("pk").first().uuid),
        "course_enrollment_id": str(english.enrollments.get(student=student).uuid),
        "student_id": str(student.uuid),
        "attendance_date": day.isoformat(),
        "status": "absent",
        **changes,
    }


def unprocessable(response) -> list[list[str]]:
    """A 422 in the vendor's shape; returns the ``loc`` of each problem."""
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert detail and all(set(d) == {"loc", "msg", "type"} for d in detail)
    return [d["loc"] for d in detail]


# --- bodies that cannot be read ---------------------------------------------------------------


@pytest.mark.parametrize("body", MALFORMED_JSON.values(), ids=MALFORMED_JSON.keys())
def test_malformed_json_is_a_422_on_the_body(world, api, body):
    with nothing_changes():
        response = api.post(body)
    assert unprocessable(response) == [["body"]]
    assert response.json()["detail"][0]["type"] == "json_invalid"


@pytest.mark.parametrize("body", NOT_AN_OBJECT.values(), ids=NOT_AN_OBJECT.keys())
def test_json_that_is_not_an_object_is_a_422_on_the_body(world, api, body):
    with nothing_changes():
        assert unprocessable(api.post(json.dumps(body))) == [["body"]]


def test_xml_is_a_422_on_the_body(world, api, client):
    with nothing_changes():
        response = client.post(
            "/academic/attendance", "<record />", content_type="application/xml", headers=api.headers()
        )
    assert unprocessable(response) == [["body"]]


def test_a_body_over_the_upload_limit_is_413(world, api, settings):
    with nothing_changes():
        response = api.post(oversized_json())
    assert response.status_code == 413
    assert response.json() == {
        "detail": f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes"
    }


# --- a bad field --------------------------------------------------------------------------------

WRONG_VALUES = {
    "a word": "abc",
    "a number": 7,
    "true": True,
    "null": None,
    "empty": "",
    "a list": [str(uuid.uuid4())],
    "an object": {"id": str(uuid.uuid4())},
    "NUL": "\x00",
    "a UUID with NUL": str(uuid.uuid4()) + "\x00",
    "too long": "a" * 10_000,
}


@pytest.mark.parametrize("field", [*UUID_FIELDS, "status"])
@pytest.mark.parametrize("value", WRONG_VALUES.values(), ids=WRONG_VALUES.keys())
def test_a_bad_field_is_a_422_naming_it(world, monday, api, field, value):
    with nothing_changes():
        assert unprocessable(api.post(body_for(world, monday, **{field: value}))) == [["body", field]]


@pytest.mark.parametrize("field", [*UUID_FIELDS, "attendance_date", "status"])
def test_a_missing_field_is_a_422_naming_it(world, monday, api, field):
    body = body_for(world, monday)
    del body[field]
    with nothing_changes():
        response = api.post(body)
    assert unprocessable(response) == [["body", field]]
    assert response.json()["detail"][0]["type"] == "missing"


@pytest.mark.parametrize("status", ["tardy", "ABSENT", "Absent", "absent ", "2", "present\x00"])
def test_a_status_not_in_the_list_is_an_enum_422(world, monday, api, status):
    with nothing_changes():
        response = api.post(body_for(world, monday, status=status))
    assert unprocessable(response) == [["body", "status"]]
    assert response.json()["detail"][0]["type"] == "enum"


@pytest.mark.parametrize(
    "value", [*IMPOSSIBLE_DATES.values(), 20260202, None, True], ids=[*IMPOSSIBLE_DATES, "number", "null", "true"]
)
def test_an_impossible_date_is_a_422(world, monday, api, value):
    with nothing_changes():
        assert unprocessable(api.post(body_for(world, monday, attendance_date=value))) == [["body", "attendance_date"]]


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_a_date_outside_the_class_is_a_422(world, monday, api, value):
    with nothing_changes():
        assert unprocessable(api.post(body_for(world, monday, attendance_date=value))) == [["body", "attendance_date"]]


@pytest.mark.parametrize("value", OUT_OF_RANGE_DATES.values(), ids=OUT_OF_RANGE_DATES.keys())
def test_a_date_out_of_range_is_a_422_naming_the_range(world, monday, api, value):
    with nothing_changes():
        response = api.post(body_for(world, monday, attendance_date=value))
    assert unprocessable(response) == [["body", "attendance_date"]]
    assert response.json()["detail"][0]["msg"] == RANGE_MESSAGE


@pytest.mark.parametrize("name", ["start_date", "end_date"])
@pytest.mark.parametrize("value", OUT_OF_RANGE_DATES.values(), ids=OUT_OF_RANGE_DATES.keys())
def test_a_filter_date_out_of_range_is_a_422_on_the_query(world, api, name, value):
    response = api.get(**{name: value})
    assert unprocessable(response) == [["query", name]]
    assert response.json()["detail"][0]["msg"] == RANGE_MESSAGE


@pytest.mark.parametrize("name", ["start_date", "end_date"])
@pytest.mark.parametrize("value", IMPOSSIBLE_DATES.values(), ids=IMPOSSIBLE_DATES.keys())
def test_an_impossible_filter_date_is_a_422_on_the_query(world, api, name, value):
    assert unprocessable(api.get(**{name: value})) == [["query", name]]


# --- ids the client may not see ----------------------------------------------------------------


def test_unknown_and_other_schools_ids_are_404(world, monday, api):
    far_class = world.far_class
    far_student = world.far_students[0]
    cases = {
        "unknown class": {"course_offering_id": str(uuid.uuid4())},
        "other school's class": {"course_offering_id": str(far_class.uuid)},
        "unknown enrollment": {"course_enrollment_id": str(uuid.uuid4())},
        "other school's enrollment": {"course_enrollment_id": str(far_class.enrollments.get(student=far_student).uuid)},
        "other class's enrollment": {
            "course_enrollment_id": str(world.science.enrollments.get(student=world.year8_students[0]).uuid)
        },
    }
    with nothing_changes():
        answers = {name: api.post(body_for(world, monday, **change)) for name, change in cases.items()}
    for name, response in answers.items():
        assert response.status_code == 404, name
        assert set(response.json()) == {"detail"} and isinstance(response.json()["detail"], str)


def test_ids_that_do_not_belong_together_are_422(world, monday, api):
    far_class = world.far_class
    cases = {
        "student_id": {"student_id": str(world.students[1].uuid)},
        "teacher_assignment_id": {"teacher_assignment_id": str(world.science.assignments.first().uuid)},
    }
    with nothing_changes():
        for field, change in cases.items():
            assert unprocessable(api.post(body_for(world, monday, **change))) == [["body", field]]
        other = api.post(body_for(world, monday, teacher_assignment_id=str(far_class.assignments.first().uuid)))
    assert unprocessable(other) == [["body", "teacher_assignment_id"]]


def test_another_schools_admin_cannot_write_here(world, monday, other_school_admin, api_as):
    with nothing_changes():
        response = api_as(other_school_admin).post(body_for(world, monday))
    assert response.status_code == 404


@pytest.mark.parametrize("school_id", ["abc", "\x00", "1" * 5000, "25edb37e-7a7c-4024-9027-242aeea308c5"])
def test_a_bad_or_unknown_school_header_is_422_or_404(world, monday, admin, api_as, school_id):
    api = api_as(admin, school_id=school_id)
    with nothing_changes():
        response = api.post(body_for(world, monday))
    if school_id.count("-") == 4:
        assert (response.status_code, set(response.json())) == (404, {"detail"})
    else:
        assert unprocessable(response) == [["header", "x-school-id"]]


def test_another_schools_id_in_the_header_is_404(world, monday, admin, api_as):
    api = api_as(admin, school_id=str(world.other_school.uuid))
    with nothing_changes():
        response = api.post(body_for(world, monday))
    assert (response.status_code, set(response.json())) == (404, {"detail"})


# --- query filters -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["student_id", "course_offering_id"])
@pytest.mark.parametrize("value", ["abc", "1", "\x00", "a" * 5000, "²"])
def test_a_malformed_filter_is_a_422_on_the_query(world, api, name, value):
    assert unprocessable(api.get(**{name: value})) == [["query", name]]


@pytest.mark.parametrize("name", ["student_id", "course_offering_id"])
def test_unknown_and_other_schools_filters_are_404(world, api, name):
    far = {"student_id": world.far_students[0].uuid, "course_offering_id": world.far_class.uuid}[name]
    for value in (uuid.uuid4(), far):
        response = api.get(**{name: str(value)})
        assert (response.status_code, set(response.json())) == (404, {"detail"})


# --- a day is all or nothing ----------------------------------------------------------------


def test_a_day_before_the_teachers_edit_window_changes_nothing(world, teacher, api_as):
    """Every period of the day is refused: a 403, and none of them is written."""
    school = world.school
    day = f.last_weekday(school, 1, before=school.today() - timedelta(days=school.teacher_edit_days + 7))
    with nothing_changes():
        response = api_as(teacher).post(body_for(world, day))
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}
