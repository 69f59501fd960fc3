"""GET sections/{id}/enrollments and one enrollment: students and teachers, ids that attendance
uses, paging, forbidden sections, and a constant number of queries; the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.api.sections.selectors import TEACHER_ID_OFFSET
from apps.classes.models import Enrollment, TeacherAssignment
from tests import factories as f
from tests.api.sections.conftest import enrollment_of, sections_for

FIELDS = {"id", "uid", "school_uid", "name_first", "name_last", "name_display", "admin", "status", "links"}


def test_lists_teachers_and_students(world, teacher_api):
    response = teacher_api.get(f"sections/{world.english.pk}/enrollments")

    assert response.status_code == 200
    body = response.json()
    assert body["total"] == "4"
    assert body["links"]["self"] == f"http://testserver/v1/sections/{world.english.pk}/enrollments"
    [teacher_row, *student_rows] = body["enrollment"]
    assert all(set(row) == FIELDS for row in body["enrollment"])
    assignment = TeacherAssignment.objects.get(school_class=world.english)
    assert teacher_row["id"] == str(TEACHER_ID_OFFSET + assignment.pk)
    assert (teacher_row["admin"], teacher_row["status"], teacher_row["name_display"]) == (1, 1, "Tess Teacher")
    assert [row["id"] for row in student_rows] == [str(enrollment_of(world, s).pk) for s in world.students]
    assert {row["admin"] for row in student_rows} == {0}
    first = student_rows[0]
    student = world.students[0]
    assert (first["uid"], first["school_uid"], first["name_first"], first["name_last"]) == (
        str(student.pk),
        student.student_number,
        student.first_name,
        student.last_name,
    )


def test_lists_in_xml(world, teacher_api):
    response = teacher_api.get(f"sections/{world.english.pk}/enrollments", accept="application/xml")

    assert response["Content-Type"].startswith("application/xml")
    assert response.content.count(b"<enrollment>") == 4
    assert b"<total>4</total>" in response.content


def test_archived_student_is_status_5(world, teacher_api):
    world.students[2].archived = True
    world.students[2].save()

    rows = teacher_api.get(f"sections/{world.english.pk}/enrollments").json()["enrollment"]

    assert [row["status"] for row in rows if row["admin"] == 0] == [1, 1, 5]


def test_one_enrollment_student_and_teacher(world, teacher_api):
    enrollment = enrollment_of(world, world.students[1])
    assignment = TeacherAssignment.objects.get(school_class=world.english)

    student = teacher_api.get(f"sections/{world.english.pk}/enrollments/{enrollment.pk}").json()
    teacher = teacher_api.get(f"sections/{world.english.pk}/enrollments/{TEACHER_ID_OFFSET + assignment.pk}").json()

    assert (student["id"], student["admin"], student["status"]) == (str(enrollment.pk), 0, 1)
    # The same types as in the list (Schoology documents status as a number, 1 to 5, like admin).
    listed = teacher_api.get(f"sections/{world.english.pk}/enrollments").json()["enrollment"]
    [same] = [row for row in listed if row["id"] == student["id"]]
    assert same == {**student, "links": same["links"]}
    assert {type(row["status"]) for row in listed} == {type(student["status"])} == {int}
    assert student["links"]["self"].endswith(f"/v1/sections/{world.english.pk}/enrollments/{enrollment.pk}")
    assert (teacher["admin"], teacher["name_last"]) == (1, "Teacher")


def test_an_enrollment_of_another_section_is_404(world, admin_api):
    elsewhere = enrollment_of(world, world.year8_students[0], world.science)

    response = admin_api.get(f"sections/{world.english.pk}/enrollments/{elsewhere.pk}")

    assert (response.status_code, response.content) == (404, b"")


def test_paging_with_start_and_limit(world, teacher_api):
    first = teacher_api.get(f"sections/{world.english.pk}/enrollments", {"start": 0, "limit": 3}).json()
    second = teacher_api.follow(first["links"]["next"]).json()

    assert [len(first["enrollment"]), len(second["enrollment"])] == [3, 1]
    assert "next" not in second["links"]
    ids = [row["id"] for row in first["enrollment"] + second["enrollment"]]
    assert len(set(ids)) == 4


@pytest.mark.parametrize("who", ["teacher", "other_teacher", "other_school_admin", "parent", "other_parent"])
def test_sections_the_user_may_not_see_are_404(world, client, request, who):
    api = sections_for(client, request.getfixturevalue(who))
    section = world.science if who == "teacher" else world.english

    assert api.get(f"sections/{section.pk}/enrollments").status_code == 404
    assert api.get(f"sections/{section.pk}/enrollments/{section.enrollments.first().pk}").status_code == 404


def test_needs_a_read_scope(world, client, teacher):
    api = sections_for(client, teacher, scopes=["write:attendance"])

    response = api.get(f"sections/{world.english.pk}/enrollments")

    assert (response.status_code, response.content) == (403, b"")


def test_query_count_is_constant_in_the_number_of_enrollments(world, client, teacher):
    def count() -> int:
        api = sections_for(client, teacher)
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"sections/{world.english.pk}/enrollments")
        assert response.status_code == 200
        return len(queries)

    small = count()
    more = f.make_students(world.school, 40, world.year7, prefix="More")
    Enrollment.objects.bulk_create(Enrollment(school=world.school, school_class=world.english, student=s) for s in more)

    assert count() == small


def test_endpoints_are_in_the_openapi_schema(client):
    response = client.get("/api/schema/", headers={"Accept": "application/json"})

    paths = response.json()["paths"]
    attendance = paths["/v1/sections/{section_id}/attendance"]
    assert {"get", "put"} <= set(attendance)
    assert attendance["put"]["requestBody"]
    assert "get" in paths["/v1/sections/{section_id}/enrollments"]
    assert "get" in paths["/v1/sections/{section_id}/enrollments/{enrollment_id}"]
    assert "oauth1_two_legged" in response.json()["components"]["securitySchemes"]
