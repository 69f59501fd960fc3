"""Many people and systems marking the same roll at the same moment, for real: a threaded live
server on PostgreSQL, and a dozen threads with their own HTTP sessions tapping the class and
homeroom rolls, saving the whole forms, and writing the same students' marks through all four
APIs at once.

Every write carries a note of its own (the course-offering dialect has no notes: it keeps the
mark's), so the audit log can be held to each acknowledged write: it appears there exactly
once, on every mark it set, and the log, replayed in its own order, ends at the marks in the
database.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pytest
import requests
from django.conf import settings
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from apps.api.models import ApiClient
from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark, TeacherAssignment
from apps.homeroom.models import DailyMark
from apps.school.models import Advisor, AttendanceCode, Period
from tests import factories as f
from tests.api.sections.conftest import oauth_header

ROUNDS = 4
WRITE = ["read:attendance", "write:attendance"]
# Each round's code, per vocabulary: (ManageBac status, section-style status, course-offering status).
ROUND_CODES = [(0, 2, "absent"), (1, 1, "present"), (2, 3, "late"), (13, 4, "excused")]
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Acknowledged:
    """What the server said it saved: a note on marks of these keys, through this channel."""

    channel: str
    note: str
    keys: list[tuple]


@dataclass
class Run:
    """What the threads share: the ids they write to, and what they saw."""

    url: str
    ids: dict
    acknowledged: list[Acknowledged] = field(default_factory=list)
    answers: list[tuple[str, int, str]] = field(default_factory=list)  # (writer, status, body) of every write
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answered(self, writer: str, response: requests.Response) -> requests.Response:
        with self.lock:
            self.answers.append((writer, response.status_code, response.text[:300]))
        return response

    def ack(self, channel: str, note: str, keys: list[tuple]) -> None:
        with self.lock:
            self.acknowledged.append(Acknowledged(channel, note, keys))

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)


def class_key(student: int, period: int) -> tuple:
    return ("class", student, period)


def daily_key(student: int) -> tuple:
    return ("daily", student)


# --- the writers: each is one person or system, in its own thread with its own session ------------


def page_session(run: Run, user, page_url: str) -> tuple[requests.Session, str]:
    """A browser's session for a signed-in user, and the CSRF token its page carries."""
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    page = session.get(run.url + page_url, timeout=30)
    assert page.status_code == 200, page.text[:300]
    return session, CSRF_INPUT.search(page.text).group(1)


def roll_taps(run: Run, name: str, user, periods: tuple[int, ...]):
    """A teacher tapping each student's button on the class roll (HTMX), a note typed first."""
    ids = run.ids
    urls = {p: reverse("classes:roll", args=[ids["class"], ids["day"], p]) for p in periods}
    session, token = page_session(run, user, urls[periods[0]])

    def write(round_: int):
        for period in periods:
            for student in ids["students"]:
                code = ids["codes"][ROUND_CODES[(round_ + student) % 4][0]]
                note = f"{name} r{round_} p{period}"
                url = reverse("classes:roll_student", args=[ids["class"], ids["day"], period, student])
                response = run.answered(
                    name,
                    session.post(
                        run.url + url,
                        {"code": code, f"s{student}-note": note, "csrfmiddlewaretoken": token},
                        headers={"HX-Request": "true"},
                        timeout=60,
                    ),
                )
                if response.status_code == 200 and "errorlist" not in response.text:
                    run.ack("web", note, [class_key(student, period)])

    return write


def roll_form(run: Run, name: str, user, period: int):
    """The whole class roll saved at once, as the page without JavaScript does."""
    ids = run.ids
    url = reverse("classes:roll", args=[ids["class"], ids["day"], period])
    session, token = page_session(run, user, url)

    def write(round_: int):
        note = f"{name} r{round_}"
        data = {"csrfmiddlewaretoken": token}
        for student in ids["students"]:
            data[f"s{student}-code"] = ids["codes"][ROUND_CODES[(round_ + 1) % 4][0]]
            data[f"s{student}-note"] = note
        response = run.answered(name, session.post(run.url + url, data, allow_redirects=False, timeout=60))
        if response.status_code == 302:
            run.ack("web", note, [class_key(s, period) for s in ids["students"]])

    return write


def homeroom_taps(run: Run, name: str, user):
    ids = run.ids
    session, token = page_session(run, user, reverse("homeroom:roll", args=[ids["year_group"], ids["day"]]))

    def write(round_: int):
        for student in ids["students"]:
            note = f"{name} r{round_}"
            url = reverse("homeroom:roll_student", args=[ids["year_group"], ids["day"], student])
            response = run.answered(
                name,
                session.post(
                    run.url + url,
                    {
                        "code": ids["codes"][ROUND_CODES[round_ % 4][0]],
                        f"s{student}-note": note,
                        "csrfmiddlewaretoken": token,
                    },
                    headers={"HX-Request": "true"},
                    timeout=60,
                ),
            )
            if response.status_code == 200 and "errorlist" not in response.text:
                run.ack("web", note, [daily_key(student)])

    return write


def homeroom_form(run: Run, name: str, user):
    ids = run.ids
    url = reverse("homeroom:roll", args=[ids["year_group"], ids["day"]])
    session, token = page_session(run, user, url)

    def write(round_: int):
        note = f"{name} r{round_}"
        data = {"csrfmiddlewaretoken": token}
        for student in ids["students"]:
            data[f"s{student}-code"] = ids["codes"][ROUND_CODES[(round_ + 2) % 4][0]]
            data[f"s{student}-note"] = note
        response = run.answered(name, session.post(run.url + url, data, allow_redirects=False, timeout=60))
        if response.status_code == 302:
            run.ack("web", note, [daily_key(s) for s in ids["students"]])

    return write


def managebac_class(run: Run, name: str, user):
    ids = run.ids
    token = ApiClient.issue(name=name, user=user, scopes=WRITE).token

    def write(round_: int):
        note = f"{name} r{round_}"
        items = [
            {
                "student_id": student,
                "date": ids["day"],
                "period": period,
                "status": ROUND_CODES[(round_ + 2) % 4][0],
                "notes": note,
            }
            for student in ids["students"]
            for period in (1, 3)
        ]
        response = run.answered(
            name,
            requests.put(
                f"{run.url}/v2/classes/{ids['class']}/attendance",
                json={"attendances": items},
                headers={"auth-token": token},
                timeout=60,
            ),
        )
        if response.status_code == 200:
            for item, answer in zip(items, response.json()["attendance"], strict=True):
                if answer["status"] == "ok":
                    run.ack("managebac", note, [class_key(item["student_id"], item["period"])])
                else:
                    run.fail(f"{name}: {answer}")

    return write


def managebac_homeroom(run: Run, name: str, user):
    ids = run.ids
    token = ApiClient.issue(name=name, user=user, scopes=WRITE).token

    def write(round_: int):
        for student in ids["students"]:
            note = f"{name} r{round_}"
            response = run.answered(
                name,
                requests.put(
                    f"{run.url}/v2/students/{student}/set_homeroom_attendance",
                    json={"date": ids["day"], "status": ROUND_CODES[(round_ + 3) % 4][0], "notes": note},
                    headers={"auth-token": token},
                    timeout=60,
                ),
            )
            if response.status_code == 200 and response.json() == {"status": "ok"}:
                run.ack("managebac", note, [daily_key(student)])

    return write


def sections(run: Run, name: str, user):
    """Schoology-style: every enrollment of the section on the day, which sets both periods."""
    ids = run.ids
    issued = ApiClient.issue(name=name, user=user, scopes=WRITE)
    key, secret = issued.client_id, issued.client.oauth1_secret()
    path = f"/v1/sections/{ids['class']}/attendance"

    def write(round_: int):
        note = f"{name} r{round_}"
        rows = [
            {"enrollment_id": enrollment, "date": ids["day"], "status": ROUND_CODES[round_ % 4][1], "comment": note}
            for enrollment in ids["enrollments"].values()
        ]
        authorization = oauth_header(method="PUT", url=run.url + path, key=key, secret=secret)
        response = run.answered(
            name,
            requests.put(
                run.url + path,
                data=json.dumps({"attendances": {"attendance": rows}}),
                headers={"Authorization": authorization, "Content-Type": "application/json"},
                timeout=60,
            ),
        )
        if response.status_code == 200:
            for student, answer in zip(ids["enrollments"], response.json()["attendance"], strict=True):
                if answer["response_code"] == 200:
                    run.ack("sections", note, [class_key(student, p) for p in (1, 3)])
                else:
                    run.fail(f"{name}: {answer}")

    return write


def academic(run: Run, name: str, user):
    """Athena-style: one student's day per POST; it has no notes and keeps the mark's."""
    ids = run.ids
    token = ApiClient.issue(name=name, user=user, scopes=WRITE).token

    def write(round_: int):
        for student in ids["students"]:
            body = {
                "course_offering_id": ids["class_uuid"],
                "teacher_assignment_id": ids["assignment_uuid"],
                "course_enrollment_id": ids["enrollment_uuids"][student],
                "student_id": ids["student_uuids"][student],
                "attendance_date": ids["day"],
                "status": ROUND_CODES[(round_ + student + 1) % 4][2],
            }
            response = run.answered(
                name,
                requests.post(
                    f"{run.url}/academic/attendance",
                    json=body,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=60,
                ),
            )
            if response.status_code not in (200, 201):
                run.fail(f"{name}: {response.status_code} {response.text[:200]}")

    return write


def powerschool_token(run: Run, name: str, user) -> str:
    issued = ApiClient.issue(name=name, user=user, scopes=WRITE)
    basic = base64.b64encode(f"{issued.client_id}:{issued.client_secret}".encode()).decode()
    response = requests.post(
        f"{run.url}/oauth/access_token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def powerschool_record(ids: dict, student: int, code_id: int, note: str, **fields) -> dict:
    values = {
        "studentid": student,
        "schoolid": ids["school_number"],
        "yearid": ids["year"],
        "att_date": ids["day"],
        "attendance_codeid": code_id,
        "att_comment": note,
        **fields,
    }
    return {"name": "attendance", "tables": {"attendance": {k: str(v) for k, v in values.items()}}}


def powerschool_results(response: requests.Response) -> list[dict]:
    result = response.json()["results"]["result"]
    return result if isinstance(result, list) else [result]


def powerschool_meetings(run: Run, name: str, user):
    """A PowerSchool plugin writing one student's periods 1 and 3 per call (ATT_ModeMeeting)."""
    ids = run.ids
    token = powerschool_token(run, name, user)

    def write(round_: int):
        for student in ids["students"]:
            note = f"{name} r{round_}"
            code = ids["codes"][ROUND_CODES[(round_ + 3) % 4][0]]
            records = [
                powerschool_record(
                    ids,
                    student,
                    code,
                    note,
                    att_mode_code="ATT_ModeMeeting",
                    ccid=ids["enrollments"][student],
                    periodid=ids["periods"][period],
                )
                for period in (1, 3)
            ]
            response = run.answered(
                name,
                requests.post(
                    f"{run.url}/ws/attendance/meeting_interval",
                    json={"name": "attendance", "record": records},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=60,
                ),
            )
            if response.status_code == 200:
                for period, result in zip((1, 3), powerschool_results(response), strict=True):
                    if result["status"] == "SUCCESS":
                        run.ack("powerschool", note, [class_key(student, period)])
                    else:
                        run.fail(f"{name}: {result}")

    return write


def powerschool_daily(run: Run, name: str, user):
    """A PowerSchool plugin sending the day's homeroom marks in one batch (ATT_ModeDaily)."""
    ids = run.ids
    token = powerschool_token(run, name, user)

    def write(round_: int):
        note = f"{name} r{round_}"
        code = ids["codes"][ROUND_CODES[(round_ + 1) % 4][0]]
        records = [powerschool_record(ids, s, code, note, att_mode_code="ATT_ModeDaily") for s in ids["students"]]
        response = run.answered(
            name,
            requests.post(
                f"{run.url}/ws/attendance/batch_daily_time",
                json={"name": "attendance", "record": records},
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            ),
        )
        if response.status_code == 200:
            for student, result in zip(ids["students"], powerschool_results(response), strict=True):
                if result["status"] == "SUCCESS":
                    run.ack("powerschool", note, [daily_key(student)])
                else:
                    run.fail(f"{name}: {result}")

    return write


# --- what the database must say afterwards ----------------------------------------------------------


def audit_key(entry: AuditEntry, period_numbers: dict[int, int]) -> tuple:
    if entry.mark_kind == "class":
        return ("class", entry.key["student_id"], period_numbers[entry.key["period_id"]])
    return ("daily", entry.key["student_id"])


def marks_now(school, period_numbers: dict[int, int]) -> dict[tuple, dict]:
    found = {}
    for mark in ClassMark.objects.filter(school=school):
        found[("class", mark.student_id, period_numbers[mark.period_id])] = mark
    for mark in DailyMark.objects.filter(school=school):
        found[("daily", mark.student_id)] = mark
    # What the audit log records of a mark: its model's VALUE_FIELDS.
    return {key: {name: getattr(m, name) for name in m.VALUE_FIELDS} for key, m in found.items()}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pages_and_all_four_apis_marking_the_same_students_at_once(live_server, world, admin, teacher):
    school = world.school
    day = f.last_weekday(school, 1)
    co_teacher = f.make_teacher(school, "co_teacher", "Cora", "Colleague")
    TeacherAssignment.objects.create(school=school, school_class=world.english, teacher=co_teacher)
    Advisor.objects.create(school=school, year_group=world.year7, teacher=co_teacher)
    enrollments = {e.student_id: e for e in world.english.enrollments.all()}
    periods = {p.number: p.pk for p in Period.objects.filter(school=school)}
    ids = {
        "class": world.english.pk,
        "class_uuid": str(world.english.uuid),
        "assignment_uuid": str(TeacherAssignment.objects.get(school_class=world.english, teacher=world.teacher).uuid),
        "year_group": world.year7.pk,
        "day": day.isoformat(),
        "students": [s.pk for s in world.students],
        "student_uuids": {s.pk: str(s.uuid) for s in world.students},
        "enrollments": {s.pk: enrollments[s.pk].pk for s in world.students},
        "enrollment_uuids": {s.pk: str(enrollments[s.pk].uuid) for s in world.students},
        "codes": {c.mb_status: c.pk for c in AttendanceCode.objects.filter(school=school)},
        "periods": periods,
        "school_number": school.number,
        "year": world.english.academic_year_id,
    }
    run = Run(url=live_server.url, ids=ids)
    co = co_teacher.user
    writers = {
        "teacher taps": roll_taps(run, "teacher taps", teacher, (1, 3)),
        "co-teacher taps": roll_taps(run, "co-teacher taps", co, (3, 1)),
        "teacher form": roll_form(run, "teacher form", teacher, 1),
        "admin form": roll_form(run, "admin form", admin, 3),
        "ManageBac": managebac_class(run, "ManageBac", teacher),
        "section-style": sections(run, "section-style", admin),
        "course-offering": academic(run, "course-offering", teacher),
        "PowerSchool meetings": powerschool_meetings(run, "PowerSchool meetings", admin),
        "homeroom taps": homeroom_taps(run, "homeroom taps", teacher),
        "homeroom form": homeroom_form(run, "homeroom form", co),
        "ManageBac homeroom": managebac_homeroom(run, "ManageBac homeroom", admin),
        "PowerSchool daily": powerschool_daily(run, "PowerSchool daily", teacher),
    }
    start = threading.Barrier(len(writers))

    def work(name, write):
        try:
            start.wait(timeout=60)
            for round_ in range(ROUNDS):
                write(round_)
        except Exception as error:  # a thread's failure must fail the test, not vanish
            run.fail(f"{name}: {error!r}")

    threads = [threading.Thread(target=work, args=item) for item in writers.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)

    # No 5xx, and every write was taken.
    assert [a for a in run.answers if a[1] >= 500] == []
    assert run.failures == []
    assert Counter(writer for writer, status, _ in run.answers if status not in (200, 201, 302)) == Counter()

    # Exactly one mark per key: 3 students x periods 1 and 3, and 3 homeroom marks.
    by_key = ClassMark.objects.values("student", "date", "period", "interval").annotate(n=Count("id"))
    assert {row["n"] for row in by_key} == {1} and len(by_key) == 6
    assert DailyMark.objects.filter(school=school).count() == 3

    # Every acknowledged write is in the audit log exactly once, on every mark it set.
    numbers = {pk: number for number, pk in periods.items()}
    entries = list(AuditEntry.objects.filter(school=school))  # in the log's own order
    logged = Counter((e.channel, (e.after or {}).get("note"), audit_key(e, numbers)) for e in entries)
    acknowledged = Counter((a.channel, a.note, key) for a in run.acknowledged for key in a.keys)
    # A round sets 36 class marks (taps 2 x 6, forms 2 x 3, three APIs x 6) and 12 daily marks (4 x 3).
    assert sum(acknowledged.values()) == ROUNDS * (36 + 12)
    assert {k: n for k, n in logged.items() if k[0] != "academic"} == acknowledged

    # Replayed in its own order, the log is one unbroken chain per mark that ends at the mark:
    # the final mark is the last acknowledged write, and no change is missing.
    trail: dict[tuple, dict | None] = defaultdict(lambda: None)
    for entry in entries:
        key = audit_key(entry, numbers)
        assert entry.before == trail[key], (key, entry.channel, entry.before, trail[key])
        assert entry.before != entry.after
        if entry.channel == "academic" and entry.before is not None:
            # The course-offering dialect sends no note: it keeps the mark's, never an older one.
            assert entry.after["note"] == entry.before["note"], (key, entry.before, entry.after)
        trail[key] = entry.after
    assert dict(trail) == marks_now(school, numbers)
