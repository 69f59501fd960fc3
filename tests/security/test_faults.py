"""Faults: the database going away in the middle of a write gives a clean 503 (a page, or the API
dialect's own error) and leaves nothing half-written; a failed import or batch leaves nothing behind.

The database fails for real. A second connection holds a table the write reaches last (the audit
log, after the marks are already upserted in the same transaction):

- on SQLite (the test database is shared-cache), that connection's read lock makes the write
  fail at once with "database table is locked";
- on PostgreSQL, its EXCLUSIVE lock makes the write wait, and a watcher then terminates the
  request's server process with ``pg_terminate_backend``, as a crash or a failover would.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.db import OperationalError, connection
from psycopg import sql

from apps.api.models import AccessToken, ApiClient
from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark, Enrollment
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.homeroom.models import DailyMark
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from apps.roster.services import import_roster
from apps.school.models import AcademicYear
from attendance_site.unavailable import RETRY_AFTER_SECONDS
from tests import factories as f
from tests.api.powerschool.conftest import basic, payload, record
from tests.api.sections.conftest import sections_for

ROSTER_SAMPLE = Path(__file__).resolve().parent.parent / "roster" / "oneroster" / "edfi-sample"
READ_WRITE = ["read:attendance", "write:attendance"]
AUDIT = AuditEntry._meta.db_table

# The database is really broken mid-test, so these tests commit for real (and are flushed after).
pytestmark = pytest.mark.django_db(transaction=True)


def _pg_params() -> dict:
    s = connection.settings_dict
    return {
        "dbname": s["NAME"],
        "user": s["USER"] or None,
        "password": s["PASSWORD"] or None,
        "host": s["HOST"] or None,
        "port": s["PORT"] or None,
    }


class Fault:
    """What ``database_fails_at`` did; ``struck`` is True once the database failed the write."""

    def __init__(self) -> None:
        self.struck = False


@contextmanager
def database_fails_at(table: str):
    """The next write of this thread's connection to ``table`` fails: the database is gone."""
    fault = Fault()
    if connection.vendor == "sqlite":
        holder = sqlite3.connect(connection.settings_dict["NAME"], uri=True, isolation_level=None)
        holder.execute("BEGIN")
        holder.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchall()  # a read lock until ROLLBACK
        try:
            yield fault
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        # A write that failed was refused with "database table is locked: <table>".
        fault.struck = True
        return

    connection.ensure_connection()
    victim = connection.connection.info.backend_pid
    holder = psycopg.connect(**_pg_params())
    holder.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(sql.Identifier(table)))
    done = threading.Event()

    def kill_the_writer_once_it_waits():
        with psycopg.connect(**_pg_params(), autocommit=True) as watcher:
            while not done.is_set():
                row = watcher.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [victim]
                ).fetchone()
                if row and row[0] == "Lock":
                    watcher.execute("SELECT pg_terminate_backend(%s)", [victim])
                    fault.struck = True
                    return
                done.wait(0.01)

    watcher = threading.Thread(target=kill_the_writer_once_it_waits)
    watcher.start()
    try:
        yield fault
    finally:
        done.set()
        watcher.join()
        holder.rollback()
        holder.close()


def everything() -> dict:
    """Every table's row count, and every mark and audit entry as stored."""
    return {
        "counts": {model._meta.label: model.objects.count() for model in apps.get_models()},
        "class marks": list(ClassMark.objects.order_by("pk").values()),
        "daily marks": list(DailyMark.objects.order_by("pk").values()),
        "audit": list(AuditEntry.objects.order_by("pk").values()),
    }


def assert_503(response, content_type: str) -> None:
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith(content_type)


@pytest.fixture
def monday(world):
    return f.last_weekday(world.school, 1)


@pytest.fixture
def marked(world, monday):
    """Period 1 of 7A English and the homeroom already marked for the first student, so a batch
    both updates and creates."""
    s0 = world.students[0]
    absent = f.code(world.school, 0)
    f.saved(
        record_class_marks(
            actor=None,
            school=world.school,
            channel="web",
            marks=[ClassMarkInput(world.english.pk, s0.pk, monday, 1, absent.pk, note="Ill")],
        )
    )
    f.saved(
        record_daily_marks(
            actor=None, school=world.school, channel="web", marks=[DailyMarkInput(s0.pk, monday, absent.pk)]
        )
    )
    return monday


def token_for(user) -> str:
    return ApiClient.issue(name=f"{user.username} script", user=user, scopes=READ_WRITE).token


def powerschool_token(client, user) -> str:
    issued = ApiClient.issue(name=f"{user.username} plugin", user=user, scopes=READ_WRITE)
    response = client.post(
        "/oauth/access_token",
        "grant_type=client_credentials",
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": basic(issued.client_id, issued.client_secret)},
    )
    return response.json()["access_token"]


# --- the database goes away in the middle of a batch --------------------------------------------------


def test_a_roll_saved_as_the_database_goes_away_is_a_503_page_and_saves_nothing(client, world, teacher, marked):
    late, present = f.code(world.school, 2), f.code(world.school, 1)
    data = {}
    for student in world.students:
        data |= {f"s{student.pk}-was": "::", f"s{student.pk}-note": "", f"s{student.pk}-minutes": ""}
    data |= {f"s{s.pk}-code": present.pk for s in world.students}
    data[f"s{world.students[1].pk}-code"] = late.pk
    data[f"s{world.students[1].pk}-minutes"] = "5"
    client.force_login(teacher)
    before = everything()

    with database_fails_at(AUDIT) as fault:
        response = client.post(f"/classes/{world.english.pk}/roll/{marked.isoformat()}/1/", data)

    assert fault.struck
    assert_503(response, "text/html")
    html = response.content.decode()
    assert "Rollbook is unavailable for a moment" in html
    assert "nothing was saved" in html
    assert everything() == before


def test_a_managebac_put_as_the_database_goes_away_is_its_503_and_writes_nothing(client, world, teacher, marked):
    s0, s1, s2 = world.students
    items = [
        {"student_id": s0.pk, "date": str(marked), "period": 1, "status": 1, "notes": "Better"},
        {"student_id": s1.pk, "date": str(marked), "period": 1, "status": 0},
        {"student_id": s2.pk, "date": str(marked), "period": 3, "status": 2},
    ]
    token = token_for(teacher)
    before = everything()

    with database_fails_at(AUDIT) as fault:
        response = client.put(
            f"/v2p1/classes/{world.english.pk}/attendance",
            json.dumps({"attendances": items}),
            content_type="application/json",
            headers={"auth-token": token},
        )

    assert fault.struck
    assert_503(response, "application/json")
    assert response.json() == {"error": "Service Unavailable"}
    assert everything() == before


def test_a_powerschool_batch_as_the_database_goes_away_is_its_503_and_writes_nothing(client, world, admin, marked):
    token = powerschool_token(client, admin)
    year = AcademicYear.objects.get(school=world.school)
    records = [
        record(
            studentid=student.pk,
            schoolid=world.school.number,
            yearid=year.pk,
            att_date=marked.isoformat(),
            att_mode_code="ATT_ModeDaily",
            attendance_codeid=f.code(world.school, 2).pk,
        )
        for student in world.students
    ]
    before = everything()

    with database_fails_at(AUDIT) as fault:
        response = client.post(
            "/ws/attendance/batch_daily_time",
            json.dumps(payload(*records)),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    assert fault.struck
    assert_503(response, "application/json")
    body = response.json()
    assert body["errors"] == [] and "database" in body["message"]
    assert everything() == before


def test_an_academic_post_as_the_database_goes_away_is_its_503_and_writes_nothing(client, world, teacher, marked):
    s0 = world.students[0]
    body = {
        "course_offering_id": str(world.english.uuid),
        "teacher_assignment_id": str(world.english.assignments.order_by("pk").first().uuid),
        "course_enrollment_id": str(Enrollment.objects.get(school_class=world.english, student=s0).uuid),
        "student_id": str(s0.uuid),
        "attendance_date": marked.isoformat(),
        "status": "late",
    }
    token = token_for(teacher)
    before = everything()

    with database_fails_at(AUDIT) as fault:
        response = client.post(
            "/academic/attendance",
            json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    assert fault.struck
    assert_503(response, "application/json")
    assert set(response.json()) == {"detail"} and "database" in response.json()["detail"]
    assert everything() == before


def test_a_sections_put_as_the_database_goes_away_is_its_503_and_writes_nothing(client, world, teacher, marked):
    api = sections_for(client, teacher)
    rows = [
        {"enrollment_id": Enrollment.objects.get(school_class=world.english, student=s).pk, "date": str(marked)}
        | {"status": 2, "comment": "flu"}
        for s in world.students
    ]
    before = everything()

    with database_fails_at(AUDIT) as fault:
        response = api.put(f"sections/{world.english.pk}/attendance", {"attendances": {"attendance": rows}})

    assert fault.struck
    assert_503(response, "text/plain")
    assert "\n" not in response.content.decode() and "database" in response.content.decode()
    # The signature checked out, so its nonce was recorded (replay protection, before the batch).
    after = everything()
    assert after["counts"].pop("api.OAuthNonce") == before["counts"].pop("api.OAuthNonce") + 1
    assert after == before


def test_the_token_endpoint_as_the_database_goes_away_answers_in_oauth2s_shape(client, world, admin):
    issued = ApiClient.issue(name="plugin", user=admin, scopes=READ_WRITE)
    before = everything()

    with database_fails_at(AccessToken._meta.db_table) as fault:
        response = client.post(
            "/oauth/access_token",
            "grant_type=client_credentials",
            content_type="application/x-www-form-urlencoded",
            headers={"Authorization": basic(issued.client_id, issued.client_secret)},
        )

    assert fault.struck
    assert_503(response, "application/json")
    assert response.json()["error"] == "temporarily_unavailable"
    assert everything() == before


# --- the database is not there at all -----------------------------------------------------------------


@contextmanager
def database_server_gone():
    """Point the connection at a port nobody listens on: every new connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("/today/", "text/html", None),
        ("/v2/classes", "application/json", {"error": "Service Unavailable"}),
        ("/v2p1/classes", "application/json", {"error": "Service Unavailable"}),
        ("/ws/v1/metadata", "application/json", None),
        ("/academic/attendance", "application/json", None),
        ("/v1/sections/1/attendance", "text/plain", None),
    ],
)
def test_with_the_database_server_gone_every_door_answers_503_in_its_shape(client, teacher, path, content_type, body):
    client.force_login(teacher)
    token = token_for(teacher)
    sections = sections_for(client, teacher)
    headers = {"Authorization": f"Bearer {token}", "auth-token": token}

    with database_server_gone():
        if path.startswith("/v1/"):
            response = sections.get(path.removeprefix("/v1/"))
        else:
            response = client.get(path, headers=headers)

    assert_503(response, content_type)
    if body is not None:
        assert response.json() == body
    assert ApiClient.objects.filter(user=teacher).count() == 2  # the database is back afterwards


# --- failed imports and batches leave nothing behind ---------------------------------------------------


def test_an_import_that_loses_the_database_leaves_nothing_behind(world):
    before = everything()

    with database_fails_at(Enrollment._meta.db_table) as fault, pytest.raises(OperationalError):
        import_roster(ROSTER_SAMPLE)

    assert fault.struck
    assert everything() == before


def test_a_powerschool_batch_refused_whole_leaves_nothing_behind(client, world, admin, marked):
    token = powerschool_token(client, admin)
    year = AcademicYear.objects.get(school=world.school)
    good = record(
        studentid=world.students[1].pk,
        schoolid=world.school.number,
        yearid=year.pk,
        att_date=marked.isoformat(),
        att_mode_code="ATT_ModeDaily",
        attendance_codeid=f.code(world.school, 0).pk,
    )
    before = everything()

    response = client.post(
        "/ws/attendance/batch_daily_time",
        json.dumps(payload(*[good] * 201)),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 400
    assert response.json()["message"] == "Validation Failed"
    assert everything() == before
