"""PowerSchool's schema API for every table Rollbook serves (attendance_code, period, attendance):
``/ws/schema/table/{table}/count`` and ``/metadata`` in PowerSchool's shapes, one row by id (the
``ref`` a write answers resolves to its record, for who may read it), every other path under
``/ws/`` a JSON 404; and the ``powerschool`` client from PyPI (4.0.1) against a live server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from apps.api.models import ApiClient
from apps.api.powerschool import selectors
from apps.classes.models import ClassMark
from apps.homeroom.models import DailyMark, TimeEntry
from apps.school.models import AttendanceCode, Period
from tests import factories as f
from tests.api.powerschool.conftest import READ_WRITE, payload
from tests.api.powerschool.test_attendance import BATCH, MEETING, SINGLE, daily, meeting

TABLES = ["attendance_code", "period", "attendance"]


@pytest.fixture(autouse=True)
def wednesday_morning():
    with time_machine.travel(datetime(2026, 11, 18, 10, 0, tzinfo=UTC), tick=False):
        yield


def written(ps, path, body) -> list[dict]:
    """The success messages of a write, one per record."""
    response = ps.post(path, body)
    assert response.status_code == 200, response.content
    result = response.json()["results"]["result"]
    results = result if isinstance(result, list) else [result]
    assert all(r["status"] == "SUCCESS" for r in results), results
    return [r["success_message"] for r in results]


def fetch(ps, ref: str):
    return ps.get(ref.removeprefix("http://testserver"))


@pytest.fixture
def four_modes(world, admin, ps_as, ids):
    """One record of each mode for Year 7's first student, written by the admin's plugin."""
    ps = ps_as(admin)
    s0 = world.students[0]
    [day] = written(ps, SINGLE, payload(daily(ids, s0, "absent", att_comment="flu")))
    [minutes] = written(
        ps, BATCH, payload(daily(ids, s0, "late", att_mode_code="ATT_ModeTime", total_minutes=25, att_comment="bus"))
    )
    [lesson, part] = written(
        ps,
        MEETING,
        payload(
            meeting(world, ids, s0, 1, "late"),
            meeting(world, ids, s0, 3, "absent", att_mode_code="ATT_ModeInterval", att_interval=2),
        ),
    )
    return {"daily": day, "time": minutes, "meeting": lesson, "interval": part}


# --- a write's ref is the record ---------------------------------------------------------------------


def test_every_refs_record_is_served(world, admin, ps_as, ids, four_modes):
    ps = ps_as(admin)
    s0 = world.students[0]
    enrollment = world.english.enrollments.get(student=s0)
    period = {n: Period.objects.get(school=world.school, number=n).pk for n in (1, 3)}
    common = {"studentid": str(s0.pk), "schoolid": str(ids["schoolid"]), "yearid": str(ids["yearid"])}
    common["att_date"] = ids["att_date"]
    expected = {
        "daily": {"att_mode_code": "ATT_ModeDaily", "attendance_codeid": str(ids["absent"]), "att_comment": "flu"},
        "time": {
            "att_mode_code": "ATT_ModeTime",
            "attendance_codeid": str(ids["late"]),
            "att_comment": "bus",
            "total_minutes": "25",
        },
        "meeting": {
            "att_mode_code": "ATT_ModeMeeting",
            "attendance_codeid": str(ids["late"]),
            "ccid": str(enrollment.pk),
            "periodid": str(period[1]),
            "att_comment": "",
        },
        "interval": {
            "att_mode_code": "ATT_ModeInterval",
            "attendance_codeid": str(ids["absent"]),
            "ccid": str(enrollment.pk),
            "periodid": str(period[3]),
            "att_interval": "2",
            "att_comment": "",
        },
    }
    for mode, message in four_modes.items():
        response = fetch(ps, message["ref"])
        assert response.status_code == 200, (mode, response.content)
        body = response.json()
        assert body["id"] == message["id"] and body["name"] == "attendance"
        record_id = str(message["id"])
        assert body["tables"]["attendance"] == {"id": record_id, "dcid": record_id, **common, **expected[mode]}
    ids_ = [m["id"] for m in four_modes.values()]
    assert len(set(ids_)) == 4  # one id space: no two records share an id


def test_the_id_says_which_kind_of_record_it_is(world, four_modes):
    assert four_modes["meeting"]["id"] == ClassMark.objects.get(period__number=1).pk
    assert four_modes["daily"]["id"] == 10**15 + DailyMark.objects.get().pk
    assert four_modes["time"]["id"] == 2 * 10**15 + TimeEntry.objects.get().pk
    assert four_modes["time"]["id"] < 2**53  # safe in JavaScript


def test_a_projection_narrows_the_record(world, admin, ps_as, four_modes):
    response = fetch(ps_as(admin), four_modes["time"]["ref"] + "?projection=total_minutes,att_mode_code")
    assert response.json()["tables"]["attendance"] == {"total_minutes": "25", "att_mode_code": "ATT_ModeTime"}
    refused = fetch(ps_as(admin), four_modes["time"]["ref"] + "?projection=colour")
    assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == "INVALID_COLUMN"


def test_the_time_records_id_is_the_dcid_that_updates_it(world, admin, ps_as, ids, four_modes):
    ps = ps_as(admin)
    dcid = four_modes["time"]["id"]
    body = payload(daily(ids, world.students[0], "late", att_mode_code="ATT_ModeTime", total_minutes=40, dcid=dcid))
    [again] = written(ps, SINGLE, body)
    assert again["id"] == dcid
    assert fetch(ps, again["ref"]).json()["tables"]["attendance"]["total_minutes"] == "40"
    # A row's own id is no dcid: only the record's id names it.
    body = payload(daily(ids, world.students[0], "late", att_mode_code="ATT_ModeTime", total_minutes=5, dcid=1))
    result = ps.post(SINGLE, body).json()["results"]["result"]
    assert result["status"] == "ERROR"
    assert result["error_message"]["error"][0] == {
        "field": "attendance/dcid",
        "error_code": "NOT_FOUND",
        "error_description": "dcid is not the id of a time entry (ATT_ModeTime) record",
    }


def test_records_are_read_only_by_who_may_read_them(world, client, ps_as, ids, four_modes):
    teacher, other_teacher = world.teacher.user, world.other_teacher.user
    parent, other_parent = world.parent.user, world.other_parent.user
    refs = {mode: m["ref"] for mode, m in four_modes.items()}
    readers = {
        teacher: {"daily", "time", "meeting", "interval"},  # teaches 7A English, advises Year 7
        parent: {"daily", "time", "meeting", "interval"},  # the child's parent
        other_teacher: set(),
        other_parent: set(),
        world.other_school_admin.user: set(),
    }
    for user, allowed in readers.items():
        ps = ps_as(user, scopes=["read:attendance"])
        for mode, ref in refs.items():
            response = fetch(ps, ref)
            if mode in allowed:
                assert response.status_code == 200, (user, mode)
            else:
                assert response.status_code == 404, (user, mode)
                assert response.json() == {"message": response.json()["message"], "errors": []}
                assert "not found in table attendance" in response.json()["message"]
    assert fetch(ps_as(teacher, scopes=["write:attendance"]), refs["daily"]).status_code == 403


@pytest.mark.parametrize("record_id", ["0", "1", "999999999999999", str(10**15), str(3 * 10**15), "-1", "abc", "1e3"])
def test_ids_no_record_has_are_a_json_404(world, admin, ps_as, record_id):
    response = ps_as(admin).get(f"/ws/schema/table/attendance/{record_id}")
    assert response.status_code == 404
    assert set(response.json()) == {"message", "errors"}


def test_a_code_or_period_by_id(world, admin, ps_as, ids):
    ps = ps_as(admin)
    code = ps.get(f"/ws/schema/table/attendance_code/{ids['late']}").json()
    assert code["tables"]["attendance_code"]["att_code"] == "L"
    period = Period.objects.filter(school=world.school).first()
    assert ps.get(f"/ws/schema/table/period/{period.pk}").json()["tables"]["period"]["period_number"] == "1"
    far_code = f.code(world.other_school, 2)
    assert ps.get(f"/ws/schema/table/attendance_code/{far_code.pk}").status_code == 404


# --- listing the attendance table ------------------------------------------------------------------------


def test_the_attendance_table_lists_and_filters(world, admin, ps_as, ids, four_modes):
    ps = ps_as(admin)
    everything = ps.get("/ws/schema/table/attendance").json()
    assert [r["id"] for r in everything["record"]] == sorted(m["id"] for m in four_modes.values())

    def listed(q):
        return [r["id"] for r in ps.get("/ws/schema/table/attendance", q=q).json()["record"]]

    assert listed("att_mode_code==ATT_ModeTime") == [four_modes["time"]["id"]]
    assert listed(f"studentid=={world.students[1].pk}") == []
    assert len(listed(f"schoolid=={ids['schoolid']};yearid=={ids['yearid']};att_date=={ids['att_date']}")) == 4
    assert listed(f"ccid=={world.english.enrollments.get(student=world.students[0]).pk}") == sorted(
        [four_modes["meeting"]["id"], four_modes["interval"]["id"]]
    )
    assert listed(f"attendance_codeid=={ids['absent']};att_interval==2") == [four_modes["interval"]["id"]]
    assert listed(f"id=={four_modes['daily']['id']}") == [four_modes["daily"]["id"]]
    assert listed(f"schoolid=={world.other_school.number}") == []
    pages = [ps.get("/ws/schema/table/attendance", pagesize=3, page=n).json()["record"] for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [3, 1, 0]


@pytest.mark.parametrize("value", ["2026-02-30", "yesterday", "0001-01-01", "9999-12-31"])
def test_a_query_date_that_is_none_or_out_of_range_is_400(world, admin, ps_as, value):
    for suffix in ("", "/count"):
        response = ps_as(admin).get(f"/ws/schema/table/attendance{suffix}", q=f"att_date=={value}")
        assert response.status_code == 400
        assert response.json() == {
            "message": "Validation Failed",
            "errors": [{"resource": "attendance", "field": "q", "code": "INVALID_DATE"}],
        }


# --- count and metadata ------------------------------------------------------------------------------


@pytest.mark.parametrize("table", TABLES)
def test_count_is_the_number_of_rows_the_list_gives(world, admin, ps_as, ids, four_modes, table):
    ps = ps_as(admin)
    for q in ("", f"schoolid=={ids['schoolid']}", f"schoolid=={world.other_school.number}", "id==1"):
        listed = ps.get(f"/ws/schema/table/{table}", q=q, pagesize=1000).json()["record"]
        response = ps.get(f"/ws/schema/table/{table}/count", q=q)
        assert response.status_code == 200
        assert response.json() == {"count": len(listed)}, (table, q)
    assert ps.get("/ws/schema/table/attendance/count").json() == {"count": 4}


def test_count_counts_only_what_the_client_may_read(world, ps_as, four_modes):
    assert ps_as(world.other_teacher.user).get("/ws/schema/table/attendance/count").json() == {"count": 0}
    assert ps_as(world.parent.user).get("/ws/schema/table/attendance/count").json() == {"count": 4}
    far = ps_as(world.other_school_admin.user)
    assert far.get("/ws/schema/table/attendance_code/count").json()["count"] == (
        AttendanceCode.objects.filter(school=world.other_school, enabled=True).exclude(mb_status=-1).count()
    )
    assert far.get("/ws/schema/table/attendance/count").json() == {"count": 0}


@pytest.mark.parametrize("table", TABLES)
def test_metadata_describes_every_column(world, admin, ps_as, table):
    response = ps_as(admin).get(f"/ws/schema/table/{table}/metadata", expansions="access")
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["primaryKey"]) == (table.upper(), "ID")
    assert [c["name"].lower() for c in body["columns"]] == list(selectors.TABLE_COLUMNS[table])
    for column in body["columns"]:
        assert set(column) == {"name", "description", "type", "length", "required", "access"}
        assert column["access"] == "ViewOnly" and column["type"] in ("INTEGER", "VARCHAR2", "DATE")


@pytest.mark.parametrize("path", ["count", "metadata", "1"])
def test_an_unknown_tables_count_metadata_and_row_are_json_404s(world, admin, ps_as, path):
    response = ps_as(admin).get(f"/ws/schema/table/students/{path}")
    assert response.status_code == 404
    assert response.json() == {"message": "Table students not found", "errors": []}


def test_count_and_metadata_need_read_scope(world, admin, ps_as):
    writer = ps_as(admin, scopes=["write:attendance"])
    for path in ("/ws/schema/table/period/count", "/ws/schema/table/period/metadata"):
        assert writer.get(path).status_code == 403


# --- every other path under /ws/ ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/ws/v1/student/5", "/ws/v1/district", "/ws/schema/query/api", "/ws/schema/table/period/1/2", "/ws/x/"]
)
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_unknown_paths_under_ws_are_json_404s(world, admin, ps_as, client, path, method):
    ps = ps_as(admin)
    response = client.generic(method, path, "", headers=ps.headers())
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"message": f"No resource at {path}", "errors": []}
    anonymous = client.generic(method, path, "")
    assert anonymous.status_code == 401 and set(anonymous.json()) == {"message", "errors"}


# --- queries -------------------------------------------------------------------------------------------


def test_attendance_reads_cost_the_same_queries_at_two_sizes(world, admin, ps_as, ids, django_assert_num_queries):
    ps = ps_as(admin)
    written(ps, SINGLE, payload(daily(ids, world.students[0])))
    # The token, then per kind of record a count, the page's rows, and the schools' years.
    with django_assert_num_queries(6) as small:
        ps.get("/ws/schema/table/attendance")
    spent = len(small.captured_queries)  # (the next request forgets them)
    students = f.make_students(world.school, 30, world.year7, prefix="More")
    written(ps, BATCH, payload(*(daily(ids, s) for s in students)))
    with django_assert_num_queries(spent):
        assert len(ps.get("/ws/schema/table/attendance").json()["record"]) == 31
    with django_assert_num_queries(4):  # the token and a count per kind of record
        ps.get("/ws/schema/table/attendance/count")


# --- the powerschool client from PyPI ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_powerschool_client_reads_tables_counts_and_a_written_record(live_server, world, admin, ids, monkeypatch):
    import powerschool

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the live server speaks plain HTTP
    issued = ApiClient.issue(name="powerschool client", user=admin, scopes=list(READ_WRITE))
    ps = powerschool.PowerSchool("rollbook.invalid")  # built as it comes, then pointed at us
    ps.base_url = live_server.url
    assert ps.authorize((issued.client_id, issued.client_secret))
    assert ps.metadata.schema_table_query_max_page_size == 1000

    codes = ps.get_schema_table("attendance_code")
    assert codes.count(q=f"schoolid=={ids['schoolid']}") == len(codes.query(q=f"schoolid=={ids['schoolid']}"))
    rows = codes.query()  # the projection comes from the metadata, the paging from the count
    assert {r["att_code"] for r in rows} >= {"A", "L"}
    assert set(rows[0]) <= set(selectors.TABLE_COLUMNS["attendance_code"])

    written_record = ps._request(
        "POST",
        "ws/attendance/daily_time",
        data=payload(daily(ids, world.students[0], "absent", att_comment="flu")),
    )["results"]["result"]["success_message"]
    attendance = ps.get_schema_table("attendance")
    [row] = attendance.query(pk=written_record["id"])
    assert (row["att_comment"], row["att_mode_code"]) == ("flu", "ATT_ModeDaily")
    assert attendance.count() == 1
    assert written_record["ref"] == f"{live_server.url}/ws/schema/table/attendance/{written_record['id']}"
