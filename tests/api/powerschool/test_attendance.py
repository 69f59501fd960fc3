"""PowerSchool attendance writes: each mode's upsert key, the envelope, per-record errors,
refused payloads, scopes and other schools' ids."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark
from apps.homeroom.models import DailyMark, TimeEntry
from apps.school.models import Period
from tests import factories as f
from tests.api.powerschool.conftest import payload, record

BATCH = "/ws/attendance/batch_daily_time"
SINGLE = "/ws/attendance/daily_time"
MEETING = "/ws/attendance/meeting_interval"


def daily(ids, student, code="absent", **extra):
    return record(
        studentid=student.pk,
        schoolid=ids["schoolid"],
        yearid=ids["yearid"],
        att_date=extra.pop("att_date", ids["att_date"]),
        att_mode_code=extra.pop("att_mode_code", "ATT_ModeDaily"),
        attendance_codeid=ids[code] if isinstance(code, str) else code,
        **extra,
    )


def meeting(world, ids, student, period, code="late", **extra):
    enrollment = world.english.enrollments.get(student=student)
    fields = {"ccid": enrollment.pk, "att_mode_code": "ATT_ModeMeeting", **extra}
    if period is not None:
        fields["periodid"] = Period.objects.get(school=world.school, number=period).pk
    return daily(ids, student, code, **fields)


def test_daily_mode_upserts_by_student_and_date(world, admin, ps_as, ids):
    ps = ps_as(admin)
    student = world.students[0]

    first = ps.post(SINGLE, payload(daily(ids, student, "absent", att_comment="flu")))
    second = ps.post(SINGLE, payload(daily(ids, student, "late")))

    assert first.status_code == second.status_code == 200
    one, two = first.json()["results"], second.json()["results"]
    assert (one["insert_count"], one["update_count"], one["delete_count"]) == (1, 0, 0)
    assert (two["insert_count"], two["update_count"]) == (0, 1)
    assert one["result"]["action"] == "INSERT" and two["result"]["action"] == "UPDATE"
    mark = DailyMark.objects.get(student=student)
    # One id space for the attendance table: a daily mark's id is 10^15 plus its row's.
    record_id = 10**15 + mark.pk
    assert one["result"]["success_message"]["id"] == two["result"]["success_message"]["id"] == record_id
    assert one["result"]["success_message"]["ref"].endswith(f"/ws/schema/table/attendance/{record_id}")
    assert (mark.code_id, mark.channel, mark.recorded_by) == (ids["late"], "powerschool", admin)


def test_time_mode_adds_entries_and_dcid_updates_one(world, admin, ps_as, ids):
    ps = ps_as(admin)
    student = world.students[0]
    time_record = lambda minutes, **extra: daily(  # noqa: E731
        ids, student, "absent", att_mode_code="ATT_ModeTime", total_minutes=minutes, **extra
    )
    first = ps.post(BATCH, payload(time_record(30), time_record(15))).json()["results"]
    assert first["insert_count"] == 2
    dcid = first["result"][0]["success_message"]["id"]

    again = ps.post(SINGLE, payload(time_record(45, dcid=dcid))).json()["results"]

    assert (again["insert_count"], again["update_count"]) == (0, 1)
    assert sorted(TimeEntry.objects.filter(student=student).values_list("minutes", flat=True)) == [15, 45]
    entry_pk = dcid - 2 * 10**15  # a time entry's id is 2 x 10^15 plus its row's
    assert TimeEntry.objects.get(pk=entry_pk).minutes == 45
    entries = AuditEntry.objects.filter(mark_kind="time", mark_id=entry_pk)
    assert [(e.before or {}).get("minutes") for e in entries] == [None, 30]
    assert entries.last().channel == "powerschool"


def test_time_mode_unknown_dcid_is_an_error(world, admin, ps_as, ids):
    ps = ps_as(admin)
    body = payload(daily(ids, world.students[0], "absent", att_mode_code="ATT_ModeTime", total_minutes=10, dcid=987654))
    result = ps.post(SINGLE, body).json()["results"]["result"]
    assert result["status"] == "ERROR" and result["action"] == "UPDATE"
    assert result["error_message"]["error"][0]["field"] == "attendance/dcid"


def test_meeting_mode_upserts_by_enrollment_and_period(world, teacher, ps_as, ids):
    ps = ps_as(teacher)
    student = world.students[1]

    ps.post(MEETING, payload(meeting(world, ids, student, 1, "late")))
    answer = ps.post(MEETING, payload(meeting(world, ids, student, 1, "absent"), meeting(world, ids, student, 3)))

    results = answer.json()["results"]
    assert (results["insert_count"], results["update_count"]) == (1, 1)
    marks = ClassMark.objects.filter(student=student).order_by("period__number")
    assert [(m.period.number, m.code_id, m.interval) for m in marks] == [(1, ids["absent"], 0), (3, ids["late"], 0)]
    assert {m.channel for m in marks} == {"powerschool"}


def test_meeting_by_start_and_end_time(world, admin, ps_as, ids):
    ps = ps_as(admin)
    period3 = Period.objects.get(school=world.school, number=3)
    start = period3.start_time.hour * 3600 + period3.start_time.minute * 60
    end = period3.end_time.hour * 3600 + period3.end_time.minute * 60
    body = payload(meeting(world, ids, world.students[0], None, start_time=start, end_time=end))

    assert ps.post(MEETING, body).json()["results"]["result"]["status"] == "SUCCESS"
    assert ClassMark.objects.get(student=world.students[0]).period == period3


def test_interval_mode_keeps_one_mark_per_interval(world, admin, ps_as, ids):
    ps = ps_as(admin)
    student = world.students[0]
    interval = lambda n, code: meeting(world, ids, student, 1, code, att_mode_code="ATT_ModeInterval", att_interval=n)  # noqa: E731

    ps.post(MEETING, payload(interval(1, "present"), interval(2, "late")))
    ps.post(MEETING, payload(interval(2, "absent")))

    marks = ClassMark.objects.filter(student=student).order_by("interval")
    assert [(m.interval, m.code_id) for m in marks] == [(1, ids["present"]), (2, ids["absent"])]


def test_a_bad_record_is_reported_and_the_others_kept(world, admin, ps_as, ids):
    ps = ps_as(admin)
    good, other = world.students[0], world.students[1]

    response = ps.post(BATCH, payload(daily(ids, good), daily(ids, other, 999999), daily(ids, other, "late")))

    results = response.json()["results"]
    assert (results["insert_count"], results["update_count"]) == (2, 0)
    bad = results["result"][1]
    assert bad["status"] == "ERROR"
    assert bad["error_message"]["error"][0] == {
        "field": "attendance/attendance_codeid",
        "error_code": "FIELD_VALIDATION_ERROR",
        "error_description": "attendance_codeid is not an attendance code of this school",
    }
    assert [r["status"] for r in results["result"]] == ["SUCCESS", "ERROR", "SUCCESS"]
    assert DailyMark.objects.count() == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"studentid": "abc"}, "attendance/studentid"),
        ({"att_date": "15/03/2024"}, "attendance/att_date"),
        ({"att_mode_code": "ATT_ModeMeeting"}, "attendance/att_mode_code"),
        ({"yearid": "999999"}, "attendance/yearid"),
        ({"schoolid": "999999"}, "attendance/schoolid"),
        ({"studentid": "999999"}, "attendance/studentid"),
    ],
)
def test_field_errors_name_the_field(world, admin, ps_as, ids, fields, field):
    body = daily(ids, world.students[0])
    body["tables"]["attendance"].update(fields)
    result = ps_as(admin).post(SINGLE, payload(body)).json()["results"]["result"]
    assert result["status"] == "ERROR"
    assert field in [e["field"] for e in result["error_message"]["error"]]


def test_201_records_are_refused_whole(world, admin, ps_as, ids):
    students = f.make_students(world.school, 201, world.year7, prefix="Big")
    response = ps_as(admin).post(BATCH, payload(*(daily(ids, s) for s in students)))
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "Validation Failed"
    assert body["errors"][0]["resource"] == "attendance" and body["errors"][0]["field"] == "record"
    assert not DailyMark.objects.exists()


@pytest.mark.parametrize(
    "body",
    [[], {"record": "x"}, {"name": "attendance"}, {"record": []}, {"record": [{"tables": {}}]}, "not json"],
)
def test_a_payload_of_the_wrong_shape_is_refused_whole(world, admin, ps_as, ids, body):
    if isinstance(body, dict) and body.get("record") == [{"tables": {}}]:
        body["record"].insert(0, daily(ids, world.students[0]))
    response = ps_as(admin).post(BATCH, body)
    assert response.status_code == 400
    assert response.json()["message"] == "Validation Failed"
    assert {"resource", "field", "code"} <= set(response.json()["errors"][0])
    assert not DailyMark.objects.exists()


def test_daily_time_takes_exactly_one_record(world, admin, ps_as, ids):
    response = ps_as(admin).post(SINGLE, payload(daily(ids, world.students[0]), daily(ids, world.students[1])))
    assert response.status_code == 400
    assert not DailyMark.objects.exists()


def test_meeting_interval_mixing_students_is_refused(world, admin, ps_as, ids):
    body = payload(meeting(world, ids, world.students[0], 1), meeting(world, ids, world.students[1], 3))
    response = ps_as(admin).post(MEETING, body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "studentid"
    assert not ClassMark.objects.exists()


def test_meeting_interval_mixing_days_is_refused(world, admin, ps_as, ids):
    tuesday = (f.last_weekday(world.school, 1) - timedelta(days=6)).isoformat()
    body = payload(
        meeting(world, ids, world.students[0], 1), meeting(world, ids, world.students[0], 1, att_date=tuesday)
    )
    response = ps_as(admin).post(MEETING, body)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "att_date"


def test_without_write_scope_writes_are_403(world, admin, ps_as, ids):
    response = ps_as(admin, scopes=["read:attendance"]).post(SINGLE, payload(daily(ids, world.students[0])))
    assert response.status_code == 403
    assert response.json()["errors"][0]["resource"] == "attendance"
    assert not DailyMark.objects.exists()


def test_write_all_is_a_wildcard(world, admin, ps_as, ids):
    response = ps_as(admin, scopes=["write:all"]).post(SINGLE, payload(daily(ids, world.students[0])))
    assert response.json()["results"]["result"]["status"] == "SUCCESS"


def test_other_schools_ids_are_errors(world, other_school_admin, ps_as, ids):
    ps = ps_as(other_school_admin)
    result = ps.post(SINGLE, payload(daily(ids, world.students[0]))).json()["results"]["result"]
    assert result["status"] == "ERROR"
    assert result["error_message"]["error"][0]["field"] == "attendance/schoolid"
    assert not DailyMark.objects.exists()


def test_a_teacher_marks_only_their_classes(world, other_teacher, ps_as, ids):
    result = ps_as(other_teacher).post(MEETING, payload(meeting(world, ids, world.students[0], 1))).json()
    error = result["results"]["result"]
    assert error["status"] == "ERROR" and error["error_message"]["error"][0]["field"] == "attendance/ccid"
    assert not ClassMark.objects.exists()


def test_a_parent_cannot_write(world, parent, ps_as, ids):
    result = ps_as(parent).post(SINGLE, payload(daily(ids, world.students[0]))).json()["results"]["result"]
    assert result["status"] == "ERROR"
    assert not DailyMark.objects.exists()


def test_the_rolls_default_present_is_read_only_over_the_api(world, admin, ps_as, ids):
    """The write path refuses it for every API (apps/attendance/rules.py: check_code), while the
    roll page writes it."""
    default_present = f.code(world.school, -1)
    response = ps_as(admin).post(BATCH, payload(daily(ids, world.students[0], default_present.pk)))

    bad = response.json()["results"]["result"]  # one record: the result itself, as PowerSchool answers
    assert bad["status"] == "ERROR"
    assert bad["error_message"]["error"][0]["error_description"] == "attendance_codeid is read-only over the API"
    assert not DailyMark.objects.exists()
