"""The OpenAPI document lists the PowerSchool and course-offering endpoints, and our real answers
validate against the shapes it documents."""

from __future__ import annotations

import jsonschema
import pytest
from drf_spectacular.validation import validate_schema

from apps.api.models import ApiClient
from apps.school.models import Period
from tests import factories as f
from tests.api.powerschool.conftest import payload, record


@pytest.fixture
def schema(db, client) -> dict:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    document = response.json()
    validate_schema(document)
    return document


def inline(node, components: dict):
    if isinstance(node, dict):
        if "$ref" in node:
            return inline(components[node["$ref"].rsplit("/", 1)[-1]], components)
        return {k: inline(v, components) for k, v in node.items()}
    if isinstance(node, list):
        return [inline(v, components) for v in node]
    return node


def answer_schema(schema: dict, path: str, method: str, status: str) -> dict:
    content = schema["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    return inline(content, schema["components"]["schemas"])


def test_both_dialects_are_in_the_schema(schema):
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/academic/attendance"])
    for path in (
        "/oauth/access_token",
        "/ws/attendance/batch_daily_time",
        "/ws/attendance/daily_time",
        "/ws/attendance/meeting_interval",
    ):
        assert "post" in paths[path], path
    assert "get" in paths["/ws/v1/metadata"] and "get" in paths["/ws/schema/table/{table}"]
    assert "/oauth/access_token/" not in paths  # the same endpoint, listed once
    schemes = schema["components"]["securitySchemes"]
    assert schemes["academicBearer"]["scheme"] == "bearer"
    assert schemes["powerschoolOAuth2"]["flows"]["clientCredentials"]["tokenUrl"] == "/oauth/access_token"
    assert {"powerschoolOAuth2": []} in paths["/ws/attendance/daily_time"]["post"]["security"]
    assert "422" in paths["/academic/attendance"]["post"]["responses"]
    assert "400" in paths["/ws/attendance/batch_daily_time"]["post"]["responses"]


def test_real_answers_match_the_schema(schema, world, admin, ps_as, ids, client):
    ps = ps_as(admin)
    student = world.students[0]
    one = ps.post(
        "/ws/attendance/daily_time",
        payload(
            record(
                studentid=student.pk,
                schoolid=ids["schoolid"],
                yearid=ids["yearid"],
                att_date=ids["att_date"],
                att_mode_code="ATT_ModeDaily",
                attendance_codeid=ids["absent"],
            )
        ),
    ).json()
    period = Period.objects.get(school=world.school, number=1)
    enrollment = world.english.enrollments.get(student=student)
    several = ps.post(
        "/ws/attendance/meeting_interval",
        payload(
            *(
                record(
                    studentid=student.pk,
                    schoolid=ids["schoolid"],
                    yearid=ids["yearid"],
                    att_date=ids["att_date"],
                    att_mode_code="ATT_ModeMeeting",
                    attendance_codeid=code,
                    ccid=enrollment.pk,
                    periodid=period.pk,
                )
                for code in (ids["late"], 999999)
            )
        ),
    ).json()
    envelope = answer_schema(schema, "/ws/attendance/daily_time", "post", "200")
    jsonschema.validate(one, envelope)
    jsonschema.validate(several, envelope)
    jsonschema.validate(ps.get("/ws/v1/metadata").json(), answer_schema(schema, "/ws/v1/metadata", "get", "200"))
    jsonschema.validate(
        ps.get("/ws/schema/table/period").json(), answer_schema(schema, "/ws/schema/table/{table}", "get", "200")
    )

    token = ApiClient.issue(name="athena", user=admin, scopes=["read:all", "write:all"]).token
    headers = {"Authorization": f"Bearer {token}"}
    body = {
        "course_offering_id": str(world.english.uuid),
        "teacher_assignment_id": str(world.english.assignments.get().uuid),
        "course_enrollment_id": str(enrollment.uuid),
        "student_id": str(student.uuid),
        "attendance_date": f.last_weekday(world.school, 1).isoformat(),
        "status": "late",
    }
    created = client.post("/academic/attendance", body, content_type="application/json", headers=headers)
    listed = client.get("/academic/attendance", headers=headers)
    jsonschema.validate(created.json(), answer_schema(schema, "/academic/attendance", "post", "201"))
    jsonschema.validate(listed.json(), answer_schema(schema, "/academic/attendance", "get", "200"))
    invalid = client.post(
        "/academic/attendance", {**body, "status": "x"}, content_type="application/json", headers=headers
    )
    jsonschema.validate(invalid.json(), answer_schema(schema, "/academic/attendance", "post", "422"))
