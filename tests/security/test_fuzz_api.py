"""Schemathesis fuzzes every operation of the four dialects from our OpenAPI document.

Each operation gets generated requests, valid and invalid, sent in-process to the Django WSGI
app, authenticated as the test school's admin with every scope through that dialect's own
auth (ManageBac token, two-legged OAuth 1.0a signed for the exact URL sent, course-offering
bearer, PowerSchool OAuth2 bearer from /oauth/access_token). In the valid parts of a request,
most generated ids and dates are swapped for ones that exist (the ``world`` school, another
school's, a roll taken on Monday, an excusal, the school's uuid as ``X-School-Id``) so that the
views' real work is reached, not only their 404s. Every answer must not be a 5xx and must match
the document: a documented status code, content type, headers and body; invalid input must be
refused with a 4xx except where the dialect is lenient on purpose (docs/api-*.md) (see ``is_lenient``).

``FUZZ_MAX_EXAMPLES`` (default 25) raises the examples per operation for a longer run.
"""

from __future__ import annotations

import base64
import os
from datetime import timedelta
from urllib.parse import quote

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import strategies as st
from oauthlib.oauth1 import Client as OAuth1Client
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import EnvironBuilder

from apps.api.models import ApiClient
from apps.classes.models import Enrollment, TeacherAssignment
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.excusals.services import excusal_create
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from apps.school.models import AcademicYear, AttendanceCode, Period, Term
from attendance_site.wsgi import application
from tests import factories as f

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "25"))
HOST = "localhost"  # schemathesis's WSGI client sends this Host

schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json",
    application,
    config=schemathesis.Config.from_dict(
        {
            "seed": 20261123,
            "generation": {
                "mode": "all",
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "with-security-parameters": False,
            },
            "phases": {"coverage": {"enabled": False}, "examples": {"enabled": True}},
        }
    ),
)


# Where a dialect is lenient on purpose (its page in docs/ says so), a schema-invalid part is not refused whole:
# list parameters fall back to their defaults or are clamped, and a batch answers per row.
LENIENT_QUERY = ("/v2/", "/v2p1/", "/v1/", "/ws/schema/")
PER_ROW_BODIES = {
    ("PUT", "/v2/classes/{class_id}/attendance"),
    ("PUT", "/v2p1/classes/{class_id}/attendance"),
    ("PUT", "/v1/sections/{section_id}/attendance"),
    ("POST", "/ws/attendance/batch_daily_time"),
    ("POST", "/ws/attendance/daily_time"),
    ("POST", "/ws/attendance/meeting_interval"),
}


def negative_parts(case) -> set:
    return {location for location, part in case.meta.components.items() if part.mode.is_negative}


def is_lenient(case) -> bool:
    """Only the lenient parts of this case were made invalid."""
    lenient = set()
    if case.operation.path.startswith(LENIENT_QUERY):
        lenient.add(ParameterLocation.QUERY)
    if (case.method.upper(), case.operation.path) in PER_ROW_BODIES:
        lenient.add(ParameterLocation.BODY)
    return bool(negative_parts(case)) and negative_parts(case) <= lenient


@schemathesis.check
def bad_input_refused(ctx, response, case):
    """Schemathesis's negative_data_rejection, except where the contract is lenient (above)."""
    if case.meta is None or is_lenient(case):
        return None
    return negative_data_rejection(ctx, response, case)


# No 5xx; a documented status, content type, headers and body; invalid input refused with a 4xx.
# (Not schemathesis's auth guesses: the credentials here are real, and refusals have their own tests.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    bad_input_refused,
]


class Credentials:
    """One API client of the admin with every scope, and how each dialect presents it."""

    def __init__(self, client, admin, world):
        issued = ApiClient.issue(name="fuzzer", user=admin, scopes=["read:all", "write:all"])
        self.token = issued.token
        self.client_id = issued.client_id
        self.client_secret = issued.client_secret
        self.oauth1_secret = issued.client.oauth1_secret()
        self.basic = "Basic " + base64.b64encode(f"{issued.client_id}:{issued.client_secret}".encode()).decode()
        answer = client.post(
            "/oauth/access_token",
            "grant_type=client_credentials",
            content_type="application/x-www-form-urlencoded",
            headers={"Authorization": self.basic},
        )
        assert answer.status_code == 200, answer.content
        self.powerschool_token = answer.json()["access_token"]
        self.school_uuid = str(world.school.uuid)

    def headers_for(self, case) -> dict:
        path = case.operation.path
        if path.startswith(("/v2/", "/v2p1/")):
            return {"auth-token": self.token}
        if path.startswith("/academic/"):
            return {"Authorization": f"Bearer {self.token}"}
        if path == "/oauth/access_token":
            return {"Authorization": self.basic}
        if path.startswith("/ws/"):
            return {"Authorization": f"Bearer {self.powerschool_token}"}
        if path.startswith("/v1/"):
            return {"Authorization": self.sign(case)}
        raise AssertionError(f"no auth for {path}: a new dialect needs its credentials here")

    def sign(self, case) -> str:
        """Two-legged OAuth 1.0a for the very URL the request reaches, query string included
        exactly as the WSGI client will encode it (generated queries hold lists and objects)."""
        sent = case.as_transport_kwargs(base_url=f"http://{HOST}")
        environ = EnvironBuilder(path=sent["path"], query_string=sent["query_string"]).get_environ()
        query = environ["QUERY_STRING"]
        url = f"http://{HOST}{quote(sent['path'])}" + (f"?{query}" if query else "")
        signer = OAuth1Client(self.client_id, client_secret=self.oauth1_secret)
        _, headers, _ = signer.sign(url, http_method=case.method.upper())
        return headers["Authorization"]


def known_ids(world, monday, excusal) -> dict[str, list]:
    """Values that exist, by the name a path, query or body field gives them."""
    school = world.school
    enrollments = list(Enrollment.objects.filter(school=school))
    assignments = list(TeacherAssignment.objects.filter(school=school))
    classes = [world.english, world.science, world.far_class]
    students = [*world.students, *world.year8_students, world.far_students[0]]
    days = [monday.isoformat(), school.today().isoformat()]
    return {
        "class_id": [c.pk for c in classes],
        "section_id": [c.pk for c in classes],
        "student_id": [s.pk for s in students] + [str(s.uuid) for s in students],
        "studentid": [s.pk for s in students],
        "year_group_id": [world.year7.pk, world.year8.pk],
        "term_id": list(Term.objects.filter(school=school).values_list("pk", flat=True)),
        "excusal_id": [excusal.pk],
        "enrollment_id": [e.pk for e in enrollments],
        "ccid": [e.pk for e in enrollments],
        "course_enrollment_id": [str(e.uuid) for e in enrollments],
        "course_offering_id": [str(c.uuid) for c in classes],
        "teacher_assignment_id": [str(a.uuid) for a in assignments],
        "periodid": list(Period.objects.filter(school=school).values_list("pk", flat=True)),
        "schoolid": [school.number],
        "yearid": list(AcademicYear.objects.filter(school=school).values_list("pk", flat=True)),
        "attendance_codeid": list(AttendanceCode.objects.filter(school=school).values_list("pk", flat=True)),
        "date": days,
        "att_date": days,
        "attendance_date": days,
        "applies_on": days,
        "start_date": days,
        "end_date": days,
        "X-School-Id": [str(school.uuid), str(world.other_school.uuid)],
        "table": ["attendance_code", "period"],
    }


def known_rows(world, monday, excusal) -> list[dict]:
    """Values that only work together (a student's enrollment in that class, on a day it meets):
    planted as a whole where a path, query or body object holds two or more of their keys."""
    s0 = world.students[0]
    enrollment = world.english.enrollments.get(student=s0)
    term = Term.objects.filter(school=world.school, start_date__lte=monday, end_date__gte=monday).first()
    period = Period.objects.get(school=world.school, number=1)
    year = AcademicYear.objects.filter(school=world.school).first()
    day, tuesday = monday.isoformat(), (monday + timedelta(days=1)).isoformat()
    return [
        {  # course-offering POST and filters
            "course_offering_id": str(world.english.uuid),
            "teacher_assignment_id": str(world.english.assignments.get().uuid),
            "course_enrollment_id": str(enrollment.uuid),
            "student_id": str(s0.uuid),
            "attendance_date": day,
        },
        {  # PowerSchool daily, time and meeting records
            "studentid": s0.pk,
            "schoolid": world.school.number,
            "yearid": year.pk,
            "att_date": day,
            "ccid": enrollment.pk,
            "periodid": period.pk,
            "attendance_codeid": f.code(world.school, 2).pk,
        },
        {"student_id": s0.pk, "excusal_id": excusal.pk},
        {"class_id": world.english.pk, "term_id": term.pk if term else 0, "date": day},
        {"year_group_id": world.year7.pk, "term_id": term.pk if term else 0, "date": day},
        {"student_id": s0.pk, "date": day, "period": 1},  # a ManageBac class attendance item
        {"parent_id": world.parent.pk, "start_date": tuesday, "end_date": tuesday},  # a new ManageBac excusal
        {"section_id": world.english.pk, "enrollment_id": enrollment.pk},
        {"enrollment_id": enrollment.pk, "date": day},  # a section attendance row
    ]


def like(value, original):
    """``value`` as the generated field had it: a string where the schema allows strings."""
    return str(value) if isinstance(original, str) else value


def plant(data, container, known: dict, rows: list[dict]) -> None:
    """Swap most generated values, anywhere in ``container``, for known ones (4 times in 5),
    and now and then a whole row of values that belong together (2 times in 3)."""
    if isinstance(container, list):
        for item in container:
            plant(data, item, known, rows)
        return
    if not isinstance(container, dict):
        return
    for key, value in list(container.items()):
        if isinstance(value, dict | list):
            plant(data, value, known, rows)
        elif key in known and data.draw(st.integers(0, 4), label=f"known {key}?") > 0:
            choices = known[key] if not isinstance(value, str) else [str(v) for v in known[key]]
            if isinstance(value, int) and not isinstance(value, bool):
                choices = [v for v in choices if isinstance(v, int)] or choices
            container[key] = data.draw(st.sampled_from(choices), label=key)
    fitting = [row for row in rows if len(row.keys() & container.keys()) >= 2]
    if fitting and data.draw(st.integers(0, 2), label="known row?") > 0:
        row = data.draw(st.sampled_from(fitting), label="row")
        for key in row.keys() & container.keys():
            container[key] = like(row[key], container[key])


@pytest.fixture
def fuzz_world(world, client, admin, settings):
    """The world with a roll taken on Monday (lessons and homeroom) and an excusal."""
    # Rate limits have tests of their own; a long run (FUZZ_MAX_EXAMPLES) would meet them here.
    settings.API_RATE_LIMIT = "off"
    monday = f.last_weekday(world.school, 1)
    s0, s1, s2 = world.students
    present, absent, late = (f.code(world.school, n) for n in (1, 0, 2))
    f.saved(
        record_class_marks(
            actor=None,
            school=world.school,
            channel="web",
            marks=[
                ClassMarkInput(world.english.pk, s.pk, monday, p, code.pk)
                for s, code in ((s0, present), (s1, absent), (s2, late))
                for p in (1, 3)
            ],
        )
    )
    f.saved(
        record_daily_marks(
            actor=None,
            school=world.school,
            channel="web",
            marks=[DailyMarkInput(s0.pk, monday, absent.pk), DailyMarkInput(s1.pk, monday, late.pk)],
        )
    )
    excusal = excusal_create(
        actor=world.parent.user, student=s0, parent=world.parent, start_date=monday, end_date=monday
    )
    credentials = Credentials(client, admin, world)  # through the test client, which reconnects the signals
    # Django's test client stops each request from closing the database connection; the WSGI
    # app called directly would close it (and, on PostgreSQL, lose the test's transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield credentials, known_ids(world, monday, excusal), known_rows(world, monday, excusal)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


ANSWERS: dict[str, list[int]] = {}


@pytest.fixture(scope="module", autouse=True)
def every_operation_got_past_auth():
    """The fuzzing is only worth something if the credentials work: every operation must have
    answered at least one generated request with something other than 401."""
    yield
    print("\nanswers per operation:")
    for label, codes in sorted(ANSWERS.items()):
        print(f"  {label}: " + ", ".join(f"{c}x{codes.count(c)}" for c in sorted(set(codes))))
    locked_out = sorted(label for label, codes in ANSWERS.items() if set(codes) == {401})
    assert not locked_out, f"every request was refused as unauthenticated: {locked_out}"


@schema.parametrize()
@schema.given(data=st.data())
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case, data, fuzz_world):
    credentials, known, rows = fuzz_world
    negative = negative_parts(case) if case.meta else set()
    for location, part in (
        (ParameterLocation.PATH, case.path_parameters),
        (ParameterLocation.QUERY, case.query),
        (ParameterLocation.BODY, case.body),
        (ParameterLocation.HEADER, case.headers),
    ):
        if location not in negative:  # an invalid part stays invalid
            plant(data, part, known, rows)
    response = case.call(headers=credentials.headers_for(case))
    ANSWERS.setdefault(case.operation.label, []).append(response.status_code)
    case.validate_response(response, checks=CHECKS)


def test_every_dialect_is_fuzzed():
    """A dialect missing from the schema would silently go unfuzzed."""
    prefixes = {op.path.split("/")[1] for op in (r.ok() for r in schema.get_all_operations())}
    assert {"v2", "v2p1", "v1", "academic", "ws", "oauth"} <= prefixes


def test_managebac_path_with_a_newline_is_its_json_404(client, admin):
    """Found by the fuzzer: the catch-all route did not match a newline, so Django's HTML page
    answered instead of ManageBac's JSON error."""
    token = ApiClient.issue(name="script", user=admin, scopes=["read:all"]).token
    response = client.get("/v2/classes/a%0Ab/attendance", headers={"auth-token": token})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "error" in response.json()


@pytest.mark.parametrize(
    ("params", "headers", "loc"),
    [
        ({}, {"X-School-Id": " "}, ["header", "x-school-id"]),
        ({"student_id": ""}, {}, ["query", "student_id"]),
        ({"course_offering_id": " "}, {}, ["query", "course_offering_id"]),
    ],
)
def test_course_offering_blank_ids_are_a_422(client, admin, params, headers, loc):
    """Found by the fuzzer: a blank ``X-School-Id`` or filter was taken as none sent and the list
    answered 200; an id that is sent must be a UUID, like any other malformed one."""
    token = ApiClient.issue(name="script", user=admin, scopes=["read:all"]).token
    response = client.get("/academic/attendance", params, headers={"Authorization": f"Bearer {token}", **headers})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
