"""Bad input to the PowerSchool dialect, and what it answers: a payload that cannot be read or
is not of PowerSchool's shape is refused whole (400 ``Validation Failed``), a bad record is an
``ERROR`` in the 200 envelope while the other records are kept, and nothing of a refused
record reaches the database. The token endpoint answers in OAuth2's ``{"error": …}``."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from apps.api.models import AccessToken, ApiClient
from apps.homeroom.models import DailyMark
from apps.school.models import AcademicYear, Period
from tests import factories as f
from tests.api.bad_input import (
    IMPOSSIBLE_DATES,
    MALFORMED_JSON,
    NOT_AN_OBJECT,
    OUT_OF_RANGE_DATES,
    RANGE_MESSAGE,
    UNICODE_NOTES,
    UNSTORABLE_TEXT,
    nothing_changes,
    oversized_json,
)
from tests.api.powerschool.conftest import basic, payload

BATCH = "/ws/attendance/batch_daily_time"
SINGLE = "/ws/attendance/daily_time"
MEETING = "/ws/attendance/meeting_interval"
WRITES = [BATCH, SINGLE, MEETING]


def fields(world, ids, student=None, **extra) -> dict:
    """A good daily record's fields (values as a plugin sends them: strings)."""
    student = student or world.students[0]
    base = {
        "studentid": str(student.pk),
        "schoolid": str(ids["schoolid"]),
        "yearid": str(ids["yearid"]),
        "att_date": ids["att_date"],
        "att_mode_code": "ATT_ModeDaily",
        "attendance_codeid": str(ids["absent"]),
    }
    return {**base, **extra}


def meeting_fields(world, ids, **extra) -> dict:
    student = world.students[0]
    base = fields(
        world,
        ids,
        student,
        att_mode_code="ATT_ModeMeeting",
        ccid=str(world.english.enrollments.get(student=student).pk),
        periodid=str(Period.objects.get(school=world.school, number=1).pk),
    )
    return {**base, **extra}


def wrap(*records: dict) -> dict:
    return payload(*({"name": "attendance", "tables": {"attendance": r}} for r in records))


def refused(response, field: str | None = None, code: str | None = None) -> list[dict]:
    """A 400 ``Validation Failed``; returns its errors."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["message"] == "Validation Failed"
    assert body["errors"] and all(e["resource"] == "attendance" for e in body["errors"])
    if field is not None:
        assert body["errors"][0]["field"] == field, body
    if code is not None:
        assert body["errors"][0]["code"] == code, body
    return body["errors"]


def record_errors(response) -> list[dict]:
    """The one record's ERROR in a 200 envelope; returns its errors."""
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert (results["insert_count"], results["update_count"]) == (0, 0)
    assert results["result"]["status"] == "ERROR", results
    return results["result"]["error_message"]["error"]


@pytest.fixture
def ps(world, admin, ps_as):
    return ps_as(admin)


# --- bodies that cannot be read ---------------------------------------------------------------


@pytest.mark.parametrize("path", WRITES)
@pytest.mark.parametrize("body", MALFORMED_JSON.values(), ids=MALFORMED_JSON.keys())
def test_malformed_json_is_refused_whole(ps, path, body):
    with nothing_changes():
        refused(ps.post(path, body), "body", "INVALID_JSON")


@pytest.mark.parametrize("body", NOT_AN_OBJECT.values(), ids=NOT_AN_OBJECT.keys())
def test_json_that_is_not_an_object_is_refused(ps, body):
    with nothing_changes():
        refused(ps.post(BATCH, json.dumps(body)), "body", "INVALID_PAYLOAD")


def test_xml_is_not_a_powerschool_body(ps, client):
    with nothing_changes():
        response = client.post(
            BATCH, "<record />", content_type="application/xml", headers={"Authorization": f"Bearer {ps.token}"}
        )
        refused(response, "body", "INVALID_JSON")


@pytest.mark.parametrize("path", WRITES)
def test_a_body_over_the_upload_limit_is_413(ps, path):
    with nothing_changes():
        response = ps.post(path, oversized_json("record"))
    assert response.status_code == 413
    assert response.json() == {
        "message": "Validation Failed",
        "errors": [{"resource": "attendance", "field": "body", "code": "TOO_LARGE"}],
    }


# --- payloads not of PowerSchool's shape --------------------------------------------------------

SHAPES = {
    "no record": ({"name": "attendance"}, "record", "MISSING_FIELD"),
    "record is an object": ({"record": {"tables": {}}}, "record", "INVALID_TYPE"),
    "record is a string": ({"record": "attendance"}, "record", "INVALID_TYPE"),
    "record is null": ({"record": None}, "record", "MISSING_FIELD"),
    "no records": ({"record": []}, "record", "EMPTY"),
    "a record that is a list": ({"record": [[]]}, "record[0].tables.attendance", "INVALID_PAYLOAD"),
    "a record without tables": ({"record": [{"name": "attendance"}]}, "record[0].tables.attendance", "INVALID_PAYLOAD"),
    "tables is a list": ({"record": [{"tables": []}]}, "record[0].tables.attendance", "INVALID_PAYLOAD"),
    "attendance is a string": ({"record": [{"tables": {"attendance": "x"}}]}, "record[0].tables.attendance", None),
}


@pytest.mark.parametrize(("body", "field", "code"), SHAPES.values(), ids=SHAPES.keys())
def test_payloads_of_another_shape_are_refused_whole(ps, body, field, code):
    with nothing_changes():
        refused(ps.post(BATCH, body), field, code)


@pytest.mark.parametrize("value", [{"id": 1}, [1], [], {}], ids=["object", "list", "empty list", "empty object"])
def test_a_nested_value_refuses_the_whole_batch(world, ids, ps, value):
    good = fields(world, ids)
    bad = fields(world, ids, world.students[1], studentid=value)
    with nothing_changes():
        refused(ps.post(BATCH, wrap(good, bad)), "record[1].tables.attendance", "INVALID_PAYLOAD")


def test_batches_of_200_are_taken_and_201_refused(world, ids, ps):
    monday = f.last_weekday(world.school, 1)
    days = [monday - timedelta(days=7 * week + day) for week in range(10) for day in range(5)]
    students = [*world.students, world.year8_students[0]]
    records = [fields(world, ids, s, att_date=d.isoformat()) for s in students for d in days]
    assert len(records) == 200

    with nothing_changes():
        refused(ps.post(BATCH, wrap(*records, records[0])), "record", "LIMIT_EXCEEDED_200")
    response = ps.post(BATCH, wrap(*records))

    assert response.status_code == 200
    assert response.json()["results"]["insert_count"] == 200
    assert DailyMark.objects.count() == 200


def test_daily_time_takes_exactly_one_record(world, ids, ps):
    with nothing_changes():
        refused(ps.post(SINGLE, wrap(fields(world, ids), fields(world, ids))), "record", "SINGLE_RECORD_REQUIRED")


def test_meeting_interval_refuses_two_students_whole(world, ids, ps):
    other = meeting_fields(world, ids, studentid=str(world.students[1].pk))
    with nothing_changes():
        refused(ps.post(MEETING, wrap(meeting_fields(world, ids), other)), "studentid")


# --- a bad field: an ERROR for that record, nothing written -----------------------------------

WRONG_VALUES = {
    "a word": "abc",
    "a fraction": 1.5,
    "a fraction as text": "1.5",
    "true": True,
    "false": False,
    "negative": "-3",
    "negative number": -3,
    "exponent": "1e3",
    "superscript digits": "²",
    "Arabic-Indic digits": "٣",
    "full-width digits": "１２",
    "spaces inside": "1 2",
    "NUL": "1\x00",
    "hex": "0x10",
    "infinity (1e400)": 1e400,
}


@pytest.mark.parametrize("name", ["studentid", "schoolid", "yearid", "attendance_codeid"])
@pytest.mark.parametrize("value", WRONG_VALUES.values(), ids=WRONG_VALUES.keys())
def test_a_field_that_is_not_a_whole_number_is_an_error(world, ids, ps, name, value):
    body = wrap(fields(world, ids, **{name: value}))
    data = json.dumps(body, allow_nan=True).replace("Infinity", "1e400")
    with nothing_changes():
        errors = record_errors(ps.post(SINGLE, data))
    assert [e["field"] for e in errors] == [f"attendance/{name}"]
    assert errors[0]["error_code"] == "FIELD_VALIDATION_ERROR"


@pytest.mark.parametrize("value", [None, ""], ids=["null", "empty"])
def test_a_missing_field_is_an_error(world, ids, ps, value):
    with nothing_changes():
        errors = record_errors(ps.post(SINGLE, wrap(fields(world, ids, studentid=value))))
    assert errors == [
        {
            "field": "attendance/studentid",
            "error_code": "FIELD_VALIDATION_ERROR",
            "error_description": "studentid is required",
        }
    ]


@pytest.mark.parametrize("mode", ["ATT_ModeWeekly", "", "att_modedaily", 1, None])
def test_an_unknown_mode_is_an_error(world, ids, ps, mode):
    with nothing_changes():
        errors = record_errors(ps.post(SINGLE, wrap(fields(world, ids, att_mode_code=mode))))
    assert [e["field"] for e in errors] == ["attendance/att_mode_code"]


@pytest.mark.parametrize("value", IMPOSSIBLE_DATES.values(), ids=IMPOSSIBLE_DATES.keys())
def test_an_impossible_date_is_an_error(world, ids, ps, value):
    with nothing_changes():
        errors = record_errors(ps.post(SINGLE, wrap(fields(world, ids, att_date=value))))
    assert [e["field"] for e in errors] == ["attendance/att_date"]


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_a_date_outside_the_year_is_an_error(world, ids, ps, value):
    with nothing_changes():
        errors = record_errors(ps.post(SINGLE, wrap(fields(world, ids, att_date=value))))
    assert [e["field"] for e in errors] == ["attendance/att_date"]


@pytest.mark.parametrize("path", WRITES)
@pytest.mark.parametrize("value", OUT_OF_RANGE_DATES.values(), ids=OUT_OF_RANGE_DATES.keys())
def test_a_date_out_of_range_is_a_field_error_naming_the_range(world, ids, ps, path, value):
    body = wrap(meeting_fields(world, ids, att_date=value) if path == MEETING else fields(world, ids, att_date=value))
    with nothing_changes():
        errors = record_errors(ps.post(path, body))
    assert errors == [
        {
            "field": "attendance/att_date",
            "error_code": "FIELD_VALIDATION_ERROR",
            "error_description": f"att_date {RANGE_MESSAGE}",
        }
    ]


@pytest.mark.parametrize("minutes", ["-1", "1441", "99999999999999999999999", "ninety"])
def test_minutes_out_of_range_are_an_error(world, ids, ps, minutes):
    body = wrap(fields(world, ids, att_mode_code="ATT_ModeTime", total_minutes=minutes))
    with nothing_changes():
        errors = record_errors(ps.post(SINGLE, body))
    assert [e["field"] for e in errors] == ["attendance/total_minutes"]


# --- ids that are unknown, too large, or another school's --------------------------------------

HUGE = "9" * 30


def other_school_ids(world) -> dict:
    far = world.far_students[0]
    return {
        "studentid": str(far.pk),
        "schoolid": str(world.other_school.number),
        "yearid": str(AcademicYear.objects.get(school=world.other_school).pk),
        "attendance_codeid": str(f.code(world.other_school, 0).pk),
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("studentid", "NOT_FOUND"),
        ("schoolid", "NOT_FOUND"),
        ("yearid", "FIELD_VALIDATION_ERROR"),
        ("attendance_codeid", "FIELD_VALIDATION_ERROR"),
    ],
)
@pytest.mark.parametrize("which", ["unknown", "huge", "beyond 64 bits", "other school"])
def test_unknown_huge_and_other_schools_ids_are_an_error(world, ids, ps, name, expected, which):
    value = {
        "unknown": "987654",
        "huge": HUGE,
        "beyond 64 bits": 2**63,
        "other school": other_school_ids(world)[name],
    }[which]
    with nothing_changes():
        errors = record_errors(ps.post(SINGLE, wrap(fields(world, ids, **{name: value}))))
    assert [e["field"] for e in errors] == [f"attendance/{name}"]
    if which in ("huge", "beyond 64 bits"):
        assert errors[0]["error_description"] == f"{name} must be {2**63 - 1} or less"
    else:
        assert errors[0]["error_code"] == expected


@pytest.mark.parametrize("name", ["ccid", "periodid", "dcid"])
@pytest.mark.parametrize("value", ["987654", HUGE])
def test_unknown_or_huge_class_period_and_entry_ids_are_an_error(world, ids, ps, name, value):
    if name == "dcid":
        path, body = SINGLE, wrap(fields(world, ids, att_mode_code="ATT_ModeTime", total_minutes="30", dcid=value))
    else:
        path, body = MEETING, wrap(meeting_fields(world, ids, **{name: value}))
    with nothing_changes():
        errors = record_errors(ps.post(path, body))
    assert [e["field"] for e in errors] == [f"attendance/{name}"]


def test_another_schools_enrollment_is_not_found(world, ids, ps):
    far_enrollment = world.far_class.enrollments.first()
    body = wrap(meeting_fields(world, ids, ccid=str(far_enrollment.pk)))
    with nothing_changes():
        errors = record_errors(ps.post(MEETING, body))
    assert [(e["field"], e["error_code"]) for e in errors] == [("attendance/ccid", "NOT_FOUND")]


def test_another_schools_admin_cannot_write_here(world, ids, other_school_admin, ps_as):
    ps = ps_as(other_school_admin)
    with nothing_changes():
        errors = record_errors(ps.post(SINGLE, wrap(fields(world, ids))))
    assert [(e["field"], e["error_code"]) for e in errors] == [("attendance/schoolid", "NOT_FOUND")]


# --- comments -------------------------------------------------------------------------------


@pytest.mark.parametrize("note", UNICODE_NOTES.values(), ids=UNICODE_NOTES.keys())
def test_unicode_comments_round_trip(world, ids, ps, note):
    response = ps.post(SINGLE, wrap(fields(world, ids, att_comment=note)))
    assert response.json()["results"]["result"]["status"] == "SUCCESS"
    assert DailyMark.objects.get().note == note


@pytest.mark.parametrize("path", [SINGLE, MEETING])
@pytest.mark.parametrize("text", UNSTORABLE_TEXT.values(), ids=UNSTORABLE_TEXT.keys())
def test_a_comment_no_database_can_store_is_an_error_not_a_500(world, ids, ps, path, text):
    record = fields(world, ids) if path == SINGLE else meeting_fields(world, ids)
    with nothing_changes():
        errors = record_errors(ps.post(path, wrap({**record, "att_comment": text})))
    assert [e["field"] for e in errors] == ["attendance/att_comment"]


@pytest.mark.parametrize("text", UNSTORABLE_TEXT.values(), ids=UNSTORABLE_TEXT.keys())
def test_a_time_entry_comment_no_database_can_store_is_an_error(world, ids, ps, text):
    body = wrap(fields(world, ids, att_mode_code="ATT_ModeTime", total_minutes="30", att_comment=text))
    with nothing_changes():
        errors = record_errors(ps.post(SINGLE, body))
    assert [e["field"] for e in errors] == ["attendance/att_comment"]


def test_a_comment_over_2000_characters_is_an_error(world, ids, ps):
    with nothing_changes():
        errors = record_errors(ps.post(SINGLE, wrap(fields(world, ids, att_comment="x" * 2001))))
    assert [e["field"] for e in errors] == ["attendance/att_comment"]


# --- one bad record in a batch -----------------------------------------------------------------


def test_one_bad_record_does_not_stop_the_others(world, ids, ps):
    good = fields(world, ids, world.students[0])
    bad = fields(world, ids, world.students[1], att_date="2026-02-30")
    nul = fields(world, ids, world.students[2], att_comment="\x00")

    response = ps.post(BATCH, wrap(good, bad, nul))

    results = response.json()["results"]
    assert (results["insert_count"], results["update_count"]) == (1, 0)
    assert [r["status"] for r in results["result"]] == ["SUCCESS", "ERROR", "ERROR"]
    assert list(DailyMark.objects.values_list("student_id", flat=True)) == [world.students[0].pk]


# --- table queries --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["page", "pagesize"])
@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", "²", "٣", "1e3", " ", "1\x00"])
def test_bad_page_numbers_are_refused(ps, name, value):
    response = ps.get("/ws/schema/table/attendance_code", **{name: value})
    assert response.status_code == 400
    assert response.json() == {
        "message": "Validation Failed",
        "errors": [{"resource": "attendance_code", "field": name, "code": "INVALID_VALUE"}],
    }


@pytest.mark.parametrize(
    ("page", "pagesize"), [("1", HUGE), (HUGE, "10"), ("1", "1000000"), ("9" * 4000, "1"), ("1", "9" * 4000)]
)
def test_huge_pages_are_clamped_or_empty(world, ps, page, pagesize):
    every = ps.get("/ws/schema/table/attendance_code").json()["record"]
    response = ps.get("/ws/schema/table/attendance_code", page=page, pagesize=pagesize)
    assert response.status_code == 200
    assert response.json()["record"] == ([] if len(page) > 1 else every)


@pytest.mark.parametrize("q", ["schoolid", "schoolid==", "nope==1", "schoolid==1,2", "schoolid==\x00", "==1;;"])
def test_bad_queries_are_refused_or_match_nothing(world, ps, q):
    response = ps.get("/ws/schema/table/attendance_code", q=q)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json()["record"] == []
    else:
        assert response.json()["errors"][0]["field"] == "q"


# --- the token endpoint ---------------------------------------------------------------------


@pytest.fixture
def plugin(world, admin):
    return ApiClient.issue(name="SIS plugin", user=admin, scopes=["read:attendance", "write:attendance"])


def token_request(client, body, *, authorization=None, content_type="application/x-www-form-urlencoded"):
    headers = {"Authorization": authorization} if authorization else {}
    return client.post("/oauth/access_token", body, content_type=content_type, headers=headers)


BAD_BASIC = {
    "not base64": "Basic !!!",
    "no colon": "Basic " + base64.b64encode(b"justanid").decode(),
    "not UTF-8": "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode(),
    "NUL in the id": "Basic " + base64.b64encode(b"id\x00:secret").decode(),
    "empty": "Basic ",
    "huge": "Basic " + base64.b64encode(b"a" * 6000 + b":" + b"b" * 6000).decode(),
}


@pytest.mark.parametrize("authorization", BAD_BASIC.values(), ids=BAD_BASIC.keys())
def test_unreadable_client_credentials_are_invalid_client(client, plugin, authorization):
    response = token_request(client, "grant_type=client_credentials", authorization=authorization)
    assert (response.status_code, response.json()) == (401, {"error": "invalid_client"})
    assert not AccessToken.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "grant_type=client_credentials&client_id=%00&client_secret=x",
        "grant_type=client_credentials&client_id=" + "%F0%9F%A4%92" * 50 + "&client_secret=x",
        "grant_type=client_credentials&client_id=a%00b&client_secret=%00",
    ],
    ids=["NUL id", "emoji id", "NUL in id and secret"],
)
def test_strange_client_ids_in_the_form_are_invalid_client(client, plugin, body):
    response = token_request(client, body)
    assert (response.status_code, response.json()) == (401, {"error": "invalid_client"})
    assert not AccessToken.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        ("grant_type=password", "application/x-www-form-urlencoded", "unsupported_grant_type"),
        ("", "application/x-www-form-urlencoded", "invalid_request"),
        ("grant_type=client_credentials&grant_type=password", "application/x-www-form-urlencoded", None),
        ('{"grant_type": "client_credentials"}', "application/json", "invalid_request"),
        ("grant_type=%00", "application/x-www-form-urlencoded", "unsupported_grant_type"),
    ],
    ids=["password grant", "empty", "two grants", "JSON", "NUL grant"],
)
def test_bad_token_requests_answer_oauths_error(client, plugin, body, content_type, error):
    authorization = basic(plugin.client_id, plugin.client_secret)
    response = token_request(client, body, authorization=authorization, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["error"] in ((error,) if error else ("invalid_request", "unsupported_grant_type"))
    assert not AccessToken.objects.exists()


def test_an_oversized_token_request_is_413(client, plugin, settings):
    body = "grant_type=client_credentials&padding=" + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = token_request(client, body, authorization=basic(plugin.client_id, plugin.client_secret))
    assert response.status_code == 413
    assert response.json()["error"] == "invalid_request"
    assert not AccessToken.objects.exists()
