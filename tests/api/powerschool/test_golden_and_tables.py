"""Seed 004's bodies are accepted as written; the write envelope, token and table shapes match
the seed's (tests/seeds/004_*.txt); the code and period tables answer a plugin's look-ups; query
counts stay constant."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection

from apps.homeroom.models import DailyMark
from apps.school.models import AttendanceCode, Period
from tests import factories as f
from tests.api.powerschool.conftest import payload, record
from tests.seeds import seed_path

SEED = seed_path("004")
ENVELOPE = json.loads(
    '{"results":{"insert_count":1,"update_count":0,"delete_count":0,"result":{"status":"SUCCESS",'
    '"action":"INSERT","success_message":{"id":912345,"ref":"<base>/ws/schema/table/attendance/912345"}}}}'
)


def seed_schemas() -> list[dict]:
    """The three "Model Schema" JSON bodies of seed 004, in order."""
    assert SEED is not None, "seed 004 not found in tests/seeds"
    return [json.loads(b) for b in re.findall(r"\*\*Model Schema:\*\*\s*```json\n(.*?)```", SEED.read_text(), re.S)]


def same_shape(ours, theirs, path="$"):
    assert type(ours) is type(theirs), f"{path}: {type(ours).__name__} where seed 004 has {type(theirs).__name__}"
    if isinstance(theirs, dict):
        assert set(ours) == set(theirs), f"{path}: {sorted(ours)} vs {sorted(theirs)}"
        for key in theirs:
            same_shape(ours[key], theirs[key], f"{path}.{key}")


def filled(schema: dict, values: dict) -> dict:
    """The seed's body with its placeholders replaced by real values (strings, as the seed has)."""
    body = json.loads(json.dumps(schema))
    body["name"] = "attendance"
    body["record"][0]["name"] = "attendance"
    fields = body["record"][0]["tables"]["attendance"]
    for key in list(fields):
        if key in values:
            fields[key] = values[key] if isinstance(fields[key], int) else str(values[key])
        else:
            del fields[key]  # calendar_dayid, programid, dcid: optional
    return body


def test_the_seed_has_three_bodies():
    batch, single, meeting = seed_schemas()
    assert batch == single
    assert "ccid" in meeting["record"][0]["tables"]["attendance"]


def test_the_seeds_daily_body_is_accepted(world, admin, ps_as, ids):
    batch, single, _ = seed_schemas()
    values = {
        **ids,
        "studentid": world.students[0].pk,
        "att_mode_code": "ATT_ModeDaily",
        "attendance_codeid": ids["absent"],
    }
    values["att_comment"] = "Called in sick"
    ps = ps_as(admin)
    for path, schema in (("/ws/attendance/batch_daily_time", batch), ("/ws/attendance/daily_time", single)):
        body = filled(schema, values)
        assert set(body["record"][0]["tables"]["attendance"]) <= set(schema["record"][0]["tables"]["attendance"])
        response = ps.post(path, body)
        assert response.status_code == 200
        same_shape({**response.json(), "results": {**response.json()["results"]}}, ENVELOPE)
    assert DailyMark.objects.get().note == "Called in sick"


def test_the_seeds_meeting_body_is_accepted(world, admin, ps_as, ids):
    *_, meeting = seed_schemas()
    student = world.students[0]
    period = Period.objects.get(school=world.school, number=1)
    values = {
        **ids,
        "studentid": student.pk,
        "ccid": world.english.enrollments.get(student=student).pk,
        "periodid": period.pk,
        "att_mode_code": "ATT_ModeInterval",
        "attendance_codeid": ids["late"],
        "att_interval": 1,
        "start_time": period.start_time.hour * 3600 + period.start_time.minute * 60,
        "end_time": period.end_time.hour * 3600 + period.end_time.minute * 60,
    }
    response = ps_as(admin).post("/ws/attendance/meeting_interval", filled(meeting, values))
    assert response.status_code == 200
    same_shape(response.json(), ENVELOPE)
    assert response.json()["results"]["result"]["success_message"]["ref"].startswith("http://testserver/ws/")


def test_metadata(world, admin, ps_as):
    body = ps_as(admin).get("/ws/v1/metadata").json()
    assert {"plugin_id", "powerschool_version", "district_timezone"} <= set(body["metadata"])
    assert body["metadata"]["district_timezone"] == "UTC"


def test_attendance_code_table_with_projection_and_query(world, admin, ps_as, ids):
    response = ps_as(admin).get(
        "/ws/schema/table/attendance_code",
        projection="id,att_code,description,presence_status_cd",
        q=f"schoolid=={ids['schoolid']};yearid=={ids['yearid']}",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "attendance_code"
    absent = next(r for r in body["record"] if r["id"] == ids["absent"])
    assert absent == {
        "id": ids["absent"],
        "name": "attendance_code",
        "tables": {
            "attendance_code": {
                "id": str(ids["absent"]),
                "att_code": "A",
                "description": "Absent",
                "presence_status_cd": "Absent",
            }
        },
    }
    listed = {r["id"] for r in body["record"]}
    writable = AttendanceCode.objects.filter(school=world.school, enabled=True).exclude(mb_status=-1)
    assert listed == set(writable.values_list("pk", flat=True))


def test_attendance_code_table_of_another_school_or_year_is_empty(world, admin, ps_as, ids):
    ps = ps_as(admin)
    other = ps.get("/ws/schema/table/attendance_code", q=f"schoolid=={world.other_school.number}").json()
    year = ps.get("/ws/schema/table/attendance_code", q=f"schoolid=={ids['schoolid']};yearid==999999").json()
    assert other["record"] == [] and year["record"] == []


def test_period_table_has_times_in_seconds(world, admin, ps_as, ids):
    body = ps_as(admin).get("/ws/schema/table/period", q=f"schoolid=={ids['schoolid']}").json()
    first = body["record"][0]["tables"]["period"]
    assert first["period_number"] == "1"
    assert first["start_time"] == str(8 * 3600 + 30 * 60) and first["end_time"] == str(9 * 3600 + 20 * 60)
    assert first["yearid"] == str(ids["yearid"])


@pytest.mark.parametrize(
    "params", [{"projection": "id,nope"}, {"q": "schoolid=1"}, {"q": "colour==red"}, {"pagesize": "x"}]
)
def test_table_queries_of_the_wrong_form_are_400(world, admin, ps_as, params):
    response = ps_as(admin).get("/ws/schema/table/attendance_code", **params)
    assert response.status_code == 400 and response.json()["message"] == "Validation Failed"


def test_unknown_table_is_404_and_tables_need_read_scope(world, admin, ps_as):
    assert ps_as(admin).get("/ws/schema/table/students").status_code == 404
    assert ps_as(admin, scopes=["write:attendance"]).get("/ws/schema/table/period").status_code == 403
    assert ps_as(admin, scopes=["read:all"]).get("/ws/schema/table/period").status_code == 200


def test_a_batch_costs_the_same_queries_at_20_and_200_records(world, admin, ps_as, ids, django_assert_max_num_queries):
    students = f.make_students(world.school, 200, world.year7, prefix="Q")
    ps = ps_as(admin)

    def batch(group, code):
        return payload(
            *(
                record(
                    studentid=s.pk,
                    schoolid=ids["schoolid"],
                    yearid=ids["yearid"],
                    att_date=ids["att_date"],
                    att_mode_code="ATT_ModeDaily" if i % 2 else "ATT_ModeTime",
                    total_minutes=20,
                    attendance_codeid=ids[code],
                )
                for i, s in enumerate(group)
            )
        )

    # The first batch reads the school's set-up, which later requests find kept (apps/school/memo.py).
    assert ps.post("/ws/attendance/batch_daily_time", batch(students[20:40], "absent")).status_code == 200
    with django_assert_max_num_queries(25) as small:
        assert ps.post("/ws/attendance/batch_daily_time", batch(students[:20], "absent")).status_code == 200
    # Django sends at most 999 parameters a statement on SQLite: 100 daily marks of 10 columns
    # (shared_with_family made it 10) are two INSERTs there, one on PostgreSQL.
    split = 1 if connection.vendor == "sqlite" else 0
    with django_assert_max_num_queries(len(small.captured_queries) + split) as large:
        response = ps.post("/ws/attendance/batch_daily_time", batch(students, "late"))
    assert response.json()["results"]["insert_count"] + response.json()["results"]["update_count"] == 200
    assert len(large.captured_queries) == len(small.captured_queries) + split


def test_table_reads_cost_the_same_queries_at_two_sizes(world, admin, ps_as, ids, django_assert_num_queries):
    ps = ps_as(admin)
    with django_assert_num_queries(4) as small:
        ps.get("/ws/schema/table/attendance_code")
    second = f.make_school("Second School")
    f.make_admin(second, "second_admin")
    from apps.school.models import Administrator

    Administrator.objects.create(school=second, first_name="Ada", last_name="Admin", user=admin)
    with django_assert_num_queries(len(small.captured_queries)):
        body = ps.get("/ws/schema/table/attendance_code").json()
    assert len({r["tables"]["attendance_code"]["schoolid"] for r in body["record"]}) == 2
