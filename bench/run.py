"""Drive the app over HTTP and write BENCHMARK.md and bench/results.json.

    .venv/bin/python -m bench.run --scales "1 5"          # what `make bench` runs
    .venv/bin/python -m bench.run --scales 0.1 --quick    # a quick check of the harness

For each scale: build the school (bench/load.py) in a database of its own, serve the app with
gunicorn on a spare port, and from this process (asyncio + aiohttp) time every scenario,
sequentially for p50 and p95 and with several clients at once for throughput. The number of
SQL queries of each scenario is counted once, in process, with Django's test Client. Reports
are timed beside their SQL floor (the bare aggregate through psycopg), and the first-period
rush beside the framework's floor (a one-query view under the same gunicorn and load).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
MARK_START, MARK_END = "<!-- bench:results -->", "<!-- /bench:results -->"

# Targets (milliseconds unless said otherwise), printed beside each result.
TARGETS = {
    # Issue 18: at most half the roll page's p50 before the compact roll: e569dfc's 24.1 ms on
    # the quiet machine of 2026-12-04 (BENCHMARK.md, "The roll page").
    "roll page": ("p50", 12),
    "one tap": (None, None),  # ≤ TAP_FLOOR_RATIO_TARGET × the framework floor of the same run
    "ManageBac PUT of 30 marks": ("p50", 40),
    "ManageBac class term summary": ("p50", 30),
    "ManageBac year-group homeroom term summary": ("p50", 150),
    "school term report page": ("p50", 300),
    "section-style GET of a term": (None, None),
    "PowerSchool batch of 200": ("p50", 150),
    "teacher's Today page": (None, None),
    "framework floor (one-query view)": (None, None),
}
# Endpoint p50 ÷ its floor's p50, at most: the school term report reads term counts, so it must
# take at most half its raw-marks SQL; a summary, at most twice its SQL.
FLOOR_RATIO_TARGETS = {"school term report page": 0.5}
FLOOR_RATIO_TARGET = 2.0
# A tap at most this many times the framework floor's p50 in the same run (issue 20).
TAP_FLOOR_RATIO_TARGET = 6
# The rush: taps per second at least this share of the floor's requests per second under the
# same clients (issue 20).
RUSH_SHARE_TARGET = 0.2


def log(message: str) -> None:
    print(f"[bench.run {time.strftime('%H:%M:%S')}] {message}", flush=True)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass
class Request:
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: bytes | None = None
    expect: int = 200


@dataclass
class Result:
    scenario: str
    scale: float
    p50_ms: float | None
    p95_ms: float | None
    throughput_rps: float | None
    queries: int | None
    floor_p50_ms: float | None = None
    ratio: float | None = None  # p50 ÷ the floor's p50, or (ratio_of "throughput") per second ÷ the floor's
    floor: str = ""  # which floor: "SQL", "one-query view", ...
    floor_rps: float | None = None
    ratio_of: str = "p50"
    target: str = ""
    met: bool | None = None
    requests: int = 0
    errors: int = 0
    note: str = ""


# --- the school as the benchmark sees it ------------------------------------------------------------


class School:
    """Ids, logins and API credentials for one benchmark database (Django set up on it)."""

    def __init__(self, rng: random.Random):
        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.db.models import Max
        from django.utils.module_loading import import_string

        from apps.classes.models import Enrollment, SchoolClass
        from apps.homeroom.models import DailyMark
        from apps.school.models import AttendanceCode, Period, Student, Term, YearGroup
        from apps.school.models import School as SchoolModel
        from bench.load import SCHOOL_NUMBER

        self.rng = rng
        self.school = SchoolModel.objects.get(number=SCHOOL_NUMBER)
        last = DailyMark.objects.filter(school=self.school).aggregate(Max("date"))["date__max"]
        day = last + timedelta(days=1)
        while day.isoweekday() > 5:
            day += timedelta(days=1)
        self.roll_day: date = day
        terms = list(Term.objects.filter(school=self.school).order_by("start_date"))
        self.term = terms[1]  # the Spring term: every day of it marked
        self.classes = list(SchoolClass.objects.filter(school=self.school).order_by("id"))
        self.teacher_user = {c.pk: c.teachers.first().user for c in self.classes}
        self.roster = {}
        for enrollment in Enrollment.objects.filter(school=self.school).order_by("student_id"):
            self.roster.setdefault(enrollment.school_class_id, []).append(enrollment.student_id)
        self.year_groups = list(YearGroup.objects.filter(school=self.school).order_by("id"))
        self.codes = {c.mb_status: c for c in AttendanceCode.objects.filter(school=self.school)}
        self.periods = {p.number: p for p in Period.objects.filter(school=self.school)}
        self.students = list(Student.objects.filter(school=self.school).order_by("id").values_list("id", flat=True))
        self.admin_user = self.school.administrator_set.get().user

        SessionStore = import_string(f"{settings.SESSION_ENGINE}.SessionStore")  # noqa: N806
        backend = settings.AUTHENTICATION_BACKENDS[-1]  # the one that signs teachers and admins in

        def session(user) -> str:
            store = SessionStore()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = backend
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.create()
            return store.session_key

        self.session_for = session
        self.csrf = uuid.uuid4().hex  # an unmasked 32-character secret, as the cookie holds
        self.admin_session = session(self.admin_user)
        self._teacher_sessions: dict[int, str] = {}

        from apps.api.models import ApiClient

        issued = ApiClient.issue(name="bench", user=self.admin_user, scopes=["read:all", "write:all"])
        self.mb_token = issued.token
        self.oauth_key, self.oauth_secret = issued.client_id, issued.client.oauth1_secret()
        self.ps_basic = "Basic " + base64.b64encode(f"{issued.client_id}:{issued.client_secret}".encode()).decode()
        self.ps_token: str | None = None

    def teacher_session(self, class_id: int) -> str:
        if class_id not in self._teacher_sessions:
            self._teacher_sessions[class_id] = self.session_for(self.teacher_user[class_id])
        return self._teacher_sessions[class_id]

    def cookies(self, session_key: str) -> dict:
        return {"Cookie": f"sessionid={session_key}; csrftoken={self.csrf}"}

    def tap(self, class_id: int, period: int, student_id: int, code_id: int, session_key: str) -> Request:
        path = f"/classes/{class_id}/roll/{self.roll_day.isoformat()}/{period}/students/{student_id}/"
        headers = {
            **self.cookies(session_key),
            "X-CSRFToken": self.csrf,
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": "http://127.0.0.1/",
        }
        return Request("POST", path, headers, urlencode({"code": code_id}).encode())

    def roll(self, class_id: int, period: int, session_key: str) -> Request:
        return Request(
            "GET", f"/classes/{class_id}/roll/{self.roll_day.isoformat()}/{period}/", self.cookies(session_key)
        )


def oauth1_header(method: str, url: str, key: str, secret: str) -> str:
    """An OAuth 1.0a HMAC-SHA1 header as Schoology's SDKs send it (realm, empty token)."""
    from oauthlib.oauth1 import Client
    from oauthlib.oauth1.rfc5849 import signature
    from oauthlib.oauth1.rfc5849.utils import escape

    oauth = [
        ("oauth_consumer_key", key),
        ("oauth_token", ""),
        ("oauth_nonce", uuid.uuid4().hex),
        ("oauth_timestamp", str(int(time.time()))),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_version", "1.0"),
    ]
    params = signature.collect_parameters(uri_query=url.partition("?")[2]) + oauth
    base = signature.signature_base_string(
        method, signature.base_string_uri(url), signature.normalize_parameters(params)
    )
    signed = signature.sign_hmac_sha1_with_client(base, Client(key, client_secret=secret))
    parts = ['realm="Schoology API"'] + [f'{n}="{escape(v)}"' for n, v in [*oauth, ("oauth_signature", signed)]]
    return "OAuth " + ", ".join(parts)


# --- scenarios: each makes a fresh Request for a host (sections sign the URL they reach) --------------


def scenarios(s: School) -> dict:
    rng = s.rng
    cls = s.classes[0]
    term = s.term
    roll_day = s.roll_day.isoformat()
    present, absent, late = s.codes[1], s.codes[0], s.codes[2]
    tap_period = 4
    tap_state = {"i": 0}

    def roll_page(host):
        return s.roll(cls.pk, tap_period, s.teacher_session(cls.pk))

    def one_tap(host):
        tap_state["i"] += 1
        students = s.roster[cls.pk]
        student = students[tap_state["i"] % len(students)]
        code = (present, absent)[(tap_state["i"] // len(students)) % 2]
        return s.tap(cls.pk, tap_period, student, code.pk, s.teacher_session(cls.pk))

    put_state = {"i": 0}

    def mb_put(host):
        put_state["i"] += 1
        students = s.roster[s.classes[1].pk]
        status = (1, 0)[put_state["i"] % 2]  # Present and Absent in turn, so every PUT changes 30 marks
        items = [
            {"student_id": sid, "date": roll_day, "period": period, "status": status, "notes": ""}
            for period in (2, 3)
            for sid in students
        ][:30]
        body = json.dumps({"attendances": items}).encode()
        return Request(
            "PUT",
            f"/v2/classes/{s.classes[1].pk}/attendance",
            {"auth-token": s.mb_token, "Content-Type": "application/json"},
            body,
        )

    def today_page(host):
        return Request("GET", f"/today/?date={roll_day}", s.cookies(s.teacher_session(cls.pk)))

    def mb_class_term(host):
        return Request("GET", f"/v2/classes/{cls.pk}/attendance/term/{term.pk}", {"auth-token": s.mb_token})

    def mb_year_group_term(host):
        yg = s.year_groups[0]
        return Request("GET", f"/v2/year-groups/{yg.pk}/homeroom/attendance/term/{term.pk}", {"auth-token": s.mb_token})

    def school_report(host):
        return Request("GET", f"/office/reports/?term={term.pk}", s.cookies(s.admin_session))

    def sections_term(host):
        query = urlencode({"start": term.start_date.isoformat(), "end": term.end_date.isoformat(), "limit": 1000})
        path = f"/v1/sections/{cls.pk}/attendance?{query}"
        header = oauth1_header("GET", f"http://{host}{path}", s.oauth_key, s.oauth_secret)
        return Request("GET", path, {"Authorization": header, "Accept": "application/json"})

    ps_state = {"i": 0}

    def ps_batch(host):
        ps_state["i"] += 1
        codes = (present, late) if ps_state["i"] % 2 else (late, present)
        records = [
            {
                "name": "attendance",
                "tables": {
                    "attendance": {
                        "studentid": str(sid),
                        "schoolid": str(s.school.number),
                        "yearid": str(cls.academic_year_id),
                        "att_date": roll_day,
                        "att_mode_code": "ATT_ModeDaily",
                        "attendance_codeid": str(codes[i % 2].pk),
                    }
                },
            }
            for i, sid in enumerate(s.students[:200])
        ]
        body = json.dumps({"name": "attendance", "record": records}).encode()
        return Request(
            "POST",
            "/ws/attendance/batch_daily_time",
            {"Authorization": f"Bearer {s.ps_token}", "Content-Type": "application/json"},
            body,
        )

    del rng
    return {
        "roll page": (roll_page, "pages"),
        "one tap": (one_tap, "write"),
        "ManageBac PUT of 30 marks": (mb_put, "write"),
        "ManageBac class term summary": (mb_class_term, "report"),
        "ManageBac year-group homeroom term summary": (mb_year_group_term, "report"),
        "school term report page": (school_report, "report"),
        "section-style GET of a term": (sections_term, "report"),
        "PowerSchool batch of 200": (ps_batch, "write"),
        "teacher's Today page": (today_page, "pages"),
        # The least any request costs here, one at a time: the scale for every other row.
        "framework floor (one-query view)": (
            lambda host: Request("GET", "/bench/floor/"),
            "pages",
        ),
    }


# --- SQL floors: the bare aggregate of each report through psycopg -----------------------------------


def sql_floors(s: School) -> dict[str, list[tuple[str, list]]]:
    cls, term, yg = s.classes[0], s.term, s.year_groups[0]
    span = [term.start_date, term.end_date]
    return {
        "ManageBac class term summary": [
            (
                "SELECT m.student_id, m.code_id, count(*) FROM classes_classmark m "
                "JOIN school_student st ON st.id = m.student_id "
                "WHERE m.school_class_id = %s AND m.date BETWEEN %s AND %s AND NOT st.archived "
                "GROUP BY 1, 2 ORDER BY 1, 2",
                [cls.pk, *span],
            )
        ],
        "ManageBac year-group homeroom term summary": [
            (
                "SELECT m.student_id, m.code_id, count(*) FROM homeroom_dailymark m "
                "JOIN school_student st ON st.id = m.student_id "
                "WHERE st.year_group_id = %s AND m.date BETWEEN %s AND %s AND NOT st.archived "
                "GROUP BY 1, 2 ORDER BY 1, 2",
                [yg.pk, *span],
            )
        ],
        "school term report page": raw_marks_statements(s),
        "section-style GET of a term": [
            (
                "WITH day AS (SELECT DISTINCT ON (m.student_id, m.date) m.id, m.student_id, m.date, c.kind, m.note "
                "FROM classes_classmark m JOIN school_attendancecode c ON c.id = m.code_id "
                "JOIN school_period p ON p.id = m.period_id "
                "WHERE m.school_class_id = %s AND m.date BETWEEN %s AND %s AND c.kind <> 'present' "
                "ORDER BY m.student_id, m.date, CASE c.kind WHEN 'absent' THEN 4 WHEN 'late' THEN 3 "
                "WHEN 'excused' THEN 2 ELSE 1 END DESC, p.number, m.interval, m.id) "
                "SELECT en.id, day.date, day.kind, day.note FROM day JOIN classes_enrollment en "
                "ON en.school_class_id = %s AND en.student_id = day.student_id ORDER BY day.date, en.id LIMIT 1001",
                [cls.pk, *span, cls.pk],
            ),
            (
                "SELECT kind, count(*) FROM (SELECT DISTINCT ON (m.student_id, m.date) c.kind "
                "FROM classes_classmark m JOIN school_attendancecode c ON c.id = m.code_id "
                "JOIN school_period p ON p.id = m.period_id "
                "WHERE m.school_class_id = %s AND m.date BETWEEN %s AND %s AND c.kind <> 'present' "
                "ORDER BY m.student_id, m.date, CASE c.kind WHEN 'absent' THEN 4 WHEN 'late' THEN 3 "
                "WHEN 'excused' THEN 2 ELSE 1 END DESC, p.number, m.interval, m.id) d GROUP BY 1",
                [cls.pk, *span],
            ),
        ],
    }


def raw_marks_statements(s: School) -> list[tuple[str, None]]:
    """The school term report's floor: the statements that read the marks when the same report is
    computed from them (``school_overview(..., from_marks=True)``, which the tests hold the term
    counts to), as Django sends them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.reports.selectors import school_overview

    with CaptureQueriesContext(connection) as queries:
        school_overview(s.school, s.term, from_marks=True)
    marks = ("classes_classmark", "homeroom_dailymark")
    return [(q["sql"], None) for q in queries.captured_queries if any(f'"{t}"' in q["sql"] for t in marks)]


def time_sql(db: str, statements: list[tuple[str, list]], n: int, budget: float) -> list[float]:
    """The floor, through psycopg on a connection with the app's own options (JIT, timeouts) and
    its way of sending values: bound on the client, as Django does, so PostgreSQL plans each
    statement for its dates. (Server-side parameters, psycopg's default, let PostgreSQL switch
    to a generic plan after five runs, which made the school report's floor slower than the
    page itself.)"""
    import psycopg
    from django.conf import settings

    options = settings.DATABASES["default"].get("OPTIONS", {}).get("options", "")
    times = []
    with psycopg.connect(f"{PG}/{db}", autocommit=True, options=options, cursor_factory=psycopg.ClientCursor) as conn:
        for _ in range(3):
            for sql, params in statements:
                conn.execute(sql, params).fetchall()
        deadline = time.monotonic() + budget
        while len(times) < n and (time.monotonic() < deadline or len(times) < 5):
            start = time.perf_counter()
            for sql, params in statements:
                conn.execute(sql, params).fetchall()
            times.append((time.perf_counter() - start) * 1000)
    return times


# --- query counts, in process ------------------------------------------------------------------------


def send_in_process(client, request: Request):
    """``request`` through Django's test ``client`` (its cookies set on the client), as gunicorn
    would be sent it; the response."""
    headers = {k: v for k, v in request.headers.items() if k.lower() not in {"content-type", "cookie"}}
    for part in filter(None, (request.headers.get("Cookie") or "").split("; ")):
        name, _, value = part.partition("=")
        client.cookies[name] = value
    return client.generic(
        request.method,
        request.path,
        data=request.body or b"",
        content_type=request.headers.get("Content-Type", "application/octet-stream"),
        headers=headers,
    )


def _measure_in_process(client, request: Request) -> tuple[int, int | str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        try:
            response = send_in_process(client, request)
        except Exception as exc:  # a statement timeout: reported, and the scenario is not timed
            return len(queries.captured_queries), f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
    return len(queries.captured_queries), response.status_code


def count_queries(make, host: str = "testserver") -> tuple[int, int | str]:
    """Queries of one request, in process. The request is made twice and the second counted:
    the first request of a token or session also records its use, which later ones do not."""
    from django.test import Client

    client = Client(HTTP_HOST=host, enforce_csrf_checks=True)
    count, status = _measure_in_process(client, make(host))
    if isinstance(status, int) and status < 400:
        count, status = _measure_in_process(client, make(host))
    return count, status


# --- HTTP ---------------------------------------------------------------------------------------------


async def send(session, base: str, request: Request) -> tuple[float, int]:
    start = time.perf_counter()
    async with session.request(request.method, base + request.path, headers=request.headers, data=request.body) as r:
        await r.read()
        status = r.status
    return (time.perf_counter() - start) * 1000, status


async def sequential(session, base, host, make, n: int, budget: float) -> tuple[list[float], int]:
    for _ in range(3):
        await send(session, base, make(host))
    times, errors = [], 0
    deadline = time.monotonic() + budget
    while len(times) < n and (time.monotonic() < deadline or len(times) < 5):
        elapsed, status = await send(session, base, make(host))
        times.append(elapsed)
        errors += status >= 400
    return times, errors


async def concurrent(session, base, host, make, clients: int, budget: float) -> tuple[int, float, int]:
    done, errors = 0, 0
    deadline = time.monotonic() + budget
    start = time.perf_counter()

    async def worker():
        nonlocal done, errors
        while time.monotonic() < deadline or done < clients:
            _, status = await send(session, base, make(host))
            done += 1
            errors += status >= 400

    await asyncio.gather(*(worker() for _ in range(clients)))
    return done, time.perf_counter() - start, errors


async def rush(s: School, session, base: str, teachers: int) -> dict:
    """Every teacher opens the first-period roll and taps 20-30 students, no pauses."""
    rng = s.rng
    classes = s.classes[:teachers]
    plans = []
    for c in classes:
        key = s.teacher_session(c.pk)
        students = s.roster[c.pk]
        taps = rng.randint(20, 30)
        codes = [s.codes[-1].pk] * 9 + [s.codes[0].pk, s.codes[2].pk]
        plans.append((c, key, [(students[i % len(students)], rng.choice(codes)) for i in range(taps)]))
    tap_times, roll_times, errors = [], [], 0

    async def teacher(c, key, taps):
        nonlocal errors
        elapsed, status = await send(session, base, s.roll(c.pk, 1, key))
        roll_times.append(elapsed)
        errors += status >= 400
        for student, code in taps:
            elapsed, status = await send(session, base, s.tap(c.pk, 1, student, code, key))
            tap_times.append(elapsed)
            errors += status >= 400

    start = time.perf_counter()
    await asyncio.gather(*(teacher(*plan) for plan in plans))
    wall = time.perf_counter() - start
    total_taps = len(tap_times)

    floor_times, floor_errors = [], 0
    per_client = [len(p[2]) + 1 for p in plans]

    async def floor_client(count):
        nonlocal floor_errors
        for _ in range(count):
            elapsed, status = await send(session, base, Request("GET", "/bench/floor/"))
            floor_times.append(elapsed)
            floor_errors += status >= 400

    start = time.perf_counter()
    await asyncio.gather(*(floor_client(n) for n in per_client))
    floor_wall = time.perf_counter() - start
    return {
        "teachers": len(plans),
        "taps": total_taps,
        "taps_per_s": total_taps / wall,
        "tap_p50_ms": percentile(tap_times, 0.5),
        "tap_p95_ms": percentile(tap_times, 0.95),
        "roll_p50_ms": percentile(roll_times, 0.5),
        "roll_p95_ms": percentile(roll_times, 0.95),
        "errors": errors,
        "wall_s": wall,
        "floor_requests": len(floor_times),
        "floor_rps": len(floor_times) / floor_wall,
        "floor_p50_ms": percentile(floor_times, 0.5),
        "floor_p95_ms": percentile(floor_times, 0.95),
        "floor_errors": floor_errors,
    }


FRAMEWORK_FLOOR = "framework floor (one-query view)"


def framework_floor_ratios(results: list[Result]) -> None:
    """Pages and writes, which have no SQL floor, against the one-query view of the same run."""
    floor = next((r for r in results if r.scenario == FRAMEWORK_FLOOR and r.p50_ms), None)
    for r in results:
        if floor and r is not floor and r.ratio is None and r.p50_ms is not None:
            r.floor, r.floor_p50_ms, r.ratio = "one-query view", floor.p50_ms, r.p50_ms / floor.p50_ms


async def open_loop(s: School, session, base: str, teachers: int, rate: float, seconds: float) -> dict:
    """Taps arriving at a fixed rate, whatever the answers (an open loop): arrival ``i`` is sent
    at ``i / rate`` seconds, by the next of the teachers in turn (their period-2 rolls), each on
    its own connection if the ones before are still waiting. A tap's time runs from when it was
    due, so a server that falls behind shows it in p50 and p95 rather than slowing the
    arrivals (no coordinated omission)."""
    rng = s.rng
    classes = s.classes[:teachers]
    codes = [s.codes[-1].pk] * 9 + [s.codes[0].pk, s.codes[2].pk]
    plans = [(c, s.teacher_session(c.pk), s.roster[c.pk]) for c in classes]
    total = int(rate * seconds)
    times: list[float] = []
    errors = 0

    async def one(i: int, due: float):
        nonlocal errors
        c, key, students = plans[i % len(plans)]
        request = s.tap(c.pk, 2, students[(i // len(plans)) % len(students)], rng.choice(codes), key)
        try:
            async with session.request(
                request.method, base + request.path, headers=request.headers, data=request.body
            ) as r:
                await r.read()
                errors += r.status >= 400
        except Exception:  # a refused or dropped connection counts as an error, not a crash
            errors += 1
        times.append((time.perf_counter() - due) * 1000)

    start = time.perf_counter()
    tasks = []
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, due)))
    sent_wall = time.perf_counter() - start
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - start
    return {
        "rate": rate,
        "seconds": seconds,
        "taps": total,
        "sent_in_s": sent_wall,
        "done_in_s": wall,
        "taps_per_s": total / wall,
        "tap_p50_ms": percentile(times, 0.5),
        "tap_p95_ms": percentile(times, 0.95),
        "tap_max_ms": max(times) if times else float("nan"),
        "errors": errors,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    db: str, port: int, workers: int, worker_class: str, threads: int, env: dict | None = None
) -> subprocess.Popen:
    env = {
        **os.environ,
        "BENCH_DB": db,
        "BENCH_PG": PG,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "API_RATE_LIMIT": "off",
        **(env or {}),
    }
    command = [
        str(Path(PY).parent / "gunicorn"),
        "attendance_site.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads),
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603


async def wait_ready(base: str, server: subprocess.Popen) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            if server.poll() is not None:
                raise RuntimeError("gunicorn exited")
            try:
                async with session.get(base + "/bench/floor/") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


# --- one scale, in its own process (Django is set up on that scale's database) ----------------------


def run_scale(args) -> dict:
    from bench.load import setup_django

    os.environ["BENCH_STATEMENT_TIMEOUT_MS"] = os.environ.get("BENCH_STATEMENT_TIMEOUT_MS") or "20000"
    setup_django(args.db)
    rng = random.Random(args.seed)  # noqa: S311
    s = School(rng)
    reports_only = args.reports_only
    make = scenarios(s)
    if reports_only:
        make = {k: v for k, v in make.items() if v[1] == "report"}
    only = [part.strip() for part in (args.only or "").split(",") if part.strip()]
    if only:
        make = {k: v for k, v in make.items() if any(part in k for part in only)}
    run_rush = not reports_only and (not only or "rush" in only)
    run_open = not reports_only and (not only or "open-loop" in only) and args.open_rate > 0
    floors = sql_floors(s)  # in process, before the event loop (the ORM runs no queries inside one)

    # PowerSchool: the real OAuth2 token endpoint, in process (counted below too).
    from django.test import Client

    token = Client().post(
        "/oauth/access_token",
        "grant_type=client_credentials",
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": s.ps_basic},
    )
    s.ps_token = token.json()["access_token"]

    queries, failed = {}, {}
    for name, (factory, _) in make.items():
        started = time.perf_counter()
        count, status = count_queries(factory)
        seconds = time.perf_counter() - started
        queries[name] = count
        log(f"{name}: {count} queries (status {status}, {seconds:.2f} s in process)")
        if not isinstance(status, int) or status >= 400:
            failed[name] = f"not timed: in process it failed after {seconds:.0f} s ({status}, {count} queries)"

    for c in s.classes[: args.teachers]:
        s.teacher_session(c.pk)  # sessions are made before the event loop starts
    port = args.port or free_port()
    host = f"127.0.0.1:{port}"
    base = f"http://{host}"
    server = start_server(args.db, port, args.workers, args.worker_class, args.threads)
    results: list[Result] = []
    rush_result = None
    open_result = None
    try:
        import aiohttp

        async def drive():
            nonlocal rush_result, open_result
            await wait_ready(base, server)
            connector = aiohttp.TCPConnector(limit=0)
            timeout = aiohttp.ClientTimeout(total=300)
            async with aiohttp.ClientSession(
                connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
            ) as session:
                for name, (factory, kind) in make.items():
                    if name in failed:
                        results.append(
                            Result(
                                name,
                                args.scale,
                                None,
                                None,
                                None,
                                queries[name],
                                target=TARGETS[name][1] and f"p50 ≤ {TARGETS[name][1]} ms" or "",
                                met=False,
                                note=failed[name],
                            )
                        )
                        log(f"{name}: {failed[name]}")
                        continue
                    heavy = name == "school term report page"
                    n = 30 if heavy else args.requests
                    times, errors = await sequential(session, base, host, factory, n, args.budget)
                    done, wall, c_errors = await concurrent(session, base, host, factory, args.clients, args.budget)
                    target_kind, target = TARGETS[name]
                    p50 = percentile(times, 0.5)
                    result = Result(
                        scenario=name,
                        scale=args.scale,
                        p50_ms=p50,
                        p95_ms=percentile(times, 0.95),
                        throughput_rps=done / wall,
                        queries=queries[name],
                        requests=len(times) + done,
                        errors=errors + c_errors,
                    )
                    met = [] if target is None else [p50 <= target]
                    result.target = f"p50 ≤ {target} ms" if target is not None else ""
                    if kind == "report":
                        floor = time_sql(args.db, floors[name], n, args.budget)
                        result.floor_p50_ms = percentile(floor, 0.5)
                        result.floor = "SQL"
                        result.ratio = p50 / result.floor_p50_ms
                        most = FLOOR_RATIO_TARGETS.get(name, FLOOR_RATIO_TARGET)
                        result.target = (result.target + "; " if result.target else "") + f"≤ {most}× floor"
                        met.append(result.ratio <= most)
                    result.met = all(met) if met else None
                    if result.errors:
                        result.met = False
                        result.note = f"{result.errors} error answers"
                    results.append(result)
                    log(
                        f"{name}: p50 {p50:.1f} ms p95 {result.p95_ms:.1f} ms, {result.throughput_rps:.1f}/s"
                        + (f", floor {result.floor_p50_ms:.2f} ms, ×{result.ratio:.1f}" if result.ratio else "")
                        + (f", {result.errors} errors" if result.errors else "")
                    )
                framework_floor_ratios(results)
                teachers = min(args.teachers, len(s.classes))
                if run_rush:
                    rush_result = await rush(s, session, base, teachers)
                    log(f"rush: {json.dumps(rush_result)}")
                if run_open:
                    open_result = await open_loop(s, session, base, teachers, args.open_rate, args.open_seconds)
                    log(f"open loop: {json.dumps(open_result)}")

        asyncio.run(drive())
    finally:
        server.terminate()
        server.wait(timeout=30)

    if rush_result:
        # A tap that changes the mark (Absent, then Present), as the rush's taps mostly do.
        rush_codes = iter([s.codes[0].pk, s.codes[-1].pk])
        first = s.classes[0].pk
        tap_count, _ = count_queries(
            lambda host: s.tap(first, 1, s.roster[first][0], next(rush_codes), s.teacher_session(first))
        )
        floor_count, _ = count_queries(lambda host: Request("GET", "/bench/floor/"))
        met = rush_result["taps_per_s"] / rush_result["floor_rps"] >= RUSH_SHARE_TARGET
        results.append(
            Result(
                scenario=f"first-period rush ({rush_result['teachers']} teachers, taps)",
                scale=args.scale,
                p50_ms=rush_result["tap_p50_ms"],
                p95_ms=rush_result["tap_p95_ms"],
                throughput_rps=rush_result["taps_per_s"],
                queries=tap_count,
                floor_p50_ms=rush_result["floor_p50_ms"],
                floor_rps=rush_result["floor_rps"],
                floor="one-query view under the same clients",
                ratio=rush_result["taps_per_s"] / rush_result["floor_rps"],
                ratio_of="throughput",
                target=f"≥ {RUSH_SHARE_TARGET:.0%} of the floor's requests/s",
                met=met and not rush_result["errors"],
                requests=rush_result["taps"] + rush_result["teachers"],
                errors=rush_result["errors"],
                note=(
                    f"roll opened p50 {rush_result['roll_p50_ms']:.0f} / p95 {rush_result['roll_p95_ms']:.0f} ms; "
                    f"ratio = taps/s ÷ floor requests/s"
                ),
            )
        )
        results.append(
            Result(
                scenario="framework floor under the rush (one-query view)",
                scale=args.scale,
                p50_ms=rush_result["floor_p50_ms"],
                p95_ms=rush_result["floor_p95_ms"],
                throughput_rps=rush_result["floor_rps"],
                queries=floor_count,
                requests=rush_result["floor_requests"],
                errors=rush_result["floor_errors"],
            )
        )
    if open_result:
        results.append(
            Result(
                scenario=f"open-loop taps ({open_result['rate']:g}/s for {open_result['seconds']:g} s)",
                scale=args.scale,
                p50_ms=open_result["tap_p50_ms"],
                p95_ms=open_result["tap_p95_ms"],
                throughput_rps=open_result["taps_per_s"],
                queries=next((r.queries for r in results if r.scenario.startswith("first-period rush")), None),
                requests=open_result["taps"],
                errors=open_result["errors"],
                note=(
                    f"{open_result['taps']} taps due at {open_result['rate']:g}/s whatever the answers; "
                    f"the last answered {open_result['done_in_s']:.1f} s after the first was due "
                    f"(slowest {open_result['tap_max_ms']:.0f} ms); {open_result['errors']} errors"
                ),
            )
        )
    # A tap's target is its ratio to the framework's floor of the same run (framework_floor_ratios).
    for r in results:
        if r.scenario == "one tap" and r.ratio:
            r.target = (r.target + "; " if r.target else "") + f"≤ {TAP_FLOOR_RATIO_TARGET}× floor"
            r.met = bool(r.met is not False and r.ratio <= TAP_FLOOR_RATIO_TARGET and not r.errors)
    return {
        "scale": args.scale,
        "db": args.db,
        "results": [asdict(r) for r in results],
        "rush": rush_result,
        "open_loop": open_result,
    }


# --- the report -----------------------------------------------------------------------------------------


def git(*args: str) -> str:
    return subprocess.run(  # noqa: S603
        ["git", *args],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,  # noqa: S607
    ).stdout.strip()


def machine() -> dict:
    import psycopg

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    with psycopg.connect(f"{PG}/postgres") as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]
    commit = subprocess.run(  # noqa: S603
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,  # noqa: S607
    ).stdout.strip()
    dirty = subprocess.run(  # noqa: S603
        # The benchmark's own output (written after each scale) does not make the code dirty.
        ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!BENCHMARK.md", ":!bench/results.json"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "cores": os.cpu_count(),
        "uncommitted_changes": bool(dirty),
        "ram_gb": ram_gb,
        "cpu": cpu,
        "postgresql": pg_version,
        "python": platform.python_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "load_average_at_end": os.getloadavg()[0],
    }


def fmt(value, digits=1) -> str:
    if value is None or value != value:  # None or NaN
        return "–"
    return f"{value:.{digits}f}"


def table(data: dict) -> str:
    m = data["machine"]
    lines = [
        MARK_START,
        f"Run of {m['date']} at commit `{m['commit']}`"
        + (" (with uncommitted changes in the working tree)" if m.get("uncommitted_changes") else "")
        + f": {m['cores']} cores ({m['cpu']}), {m['ram_gb']} GB RAM, "
        f"PostgreSQL {m['postgresql']}, Python {m['python']}; gunicorn {data['server']}; "
        f"load average {data.get('load_average_at_start', float('nan')):.1f} at the start, "
        f"{m.get('load_average_at_end', m.get('load_average', float('nan'))):.1f} at the end; "
        f"`make bench` took {data['wall_minutes']:.1f} min.",
        "",
        "| scenario | scale | ratio to floor | floor | p50 ms | p95 ms | throughput /s | queries | target | met? |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in data["runs"]:
        for r in run["results"]:
            met = "–" if r["met"] is None else ("yes" if r["met"] else "**no**")
            ratio, floor = ratio_cells(r)
            lines.append(
                f"| {r['scenario']} | {r['scale']:g} | {ratio} | {floor} | {fmt(r['p50_ms'])} | "
                f"{fmt(r['p95_ms'])} | {fmt(r['throughput_rps'])} | "
                f"{r['queries'] if r['queries'] is not None else '–'} | {r['target']} | {met} |"
            )
    lines.append("")
    for run in data["runs"]:
        rows = run.get("rows") or {}
        if rows:
            lines.append(
                f"- Scale {run['scale']:g}: {rows.get('school_student', 0):,} students, "
                f"{rows.get('classes_schoolclass', 0):,} classes, {rows.get('classes_classmark', 0):,} class marks, "
                f"{rows.get('homeroom_dailymark', 0):,} daily marks, {rows.get('excusals_excusal', 0):,} excusals; "
                f"built in {run.get('load_seconds', 0):.0f} s."
            )
        if run.get("group") == "replica":
            lines.append(
                f"- Rush with term reports (scale {run['scale']:g}): on a PostgreSQL primary and streaming "
                "replica the benchmark starts for it (`bench/replica_rush.py`), the same school built there, "
                "both servers on the same cores as the app and the clients; the first pair of rows serves the "
                "app on the primary alone, the second with `DATABASE_REPLICA_URL`."
            )
        for r in run["results"]:
            if r.get("note"):
                lines.append(f"- {r['scenario']} (scale {r['scale']:g}): {r['note']}")
    lines.append(MARK_END)
    return "\n".join(lines)


def ratio_cells(r: dict) -> tuple[str, str]:
    """The table's first two numbers: the ratio to the floor, and which floor it is."""
    if r.get("ratio") is None:
        return "–", "–"
    throughput = r.get("ratio_of", "throughput" if "rush" in r["scenario"] else "p50") == "throughput"
    name = r.get("floor") or ("one-query view under the same clients" if throughput else "SQL")
    if throughput:
        rps = r.get("floor_rps")
        return f"{r['ratio'] * 100:.1f}%", name + (f", {rps:,.0f} requests/s" if rps else "")
    return f"{r['ratio']:.2f}×", f"{name}, {fmt(r['floor_p50_ms'], 2)} ms"


def write_markdown(path: Path, generated: str) -> None:
    text = path.read_text() if path.exists() else "# Benchmark\n\n" + MARK_START + "\n" + MARK_END + "\n"
    if MARK_START in text and MARK_END in text:
        head, rest = text.split(MARK_START, 1)
        _, tail = rest.split(MARK_END, 1)
        text = head + generated + tail
    else:
        text = text.rstrip() + "\n\n" + generated + "\n"
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    # One key for the whole run (bench/settings.py): every process and gunicorn worker inherits it.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1 5", help='scales to run, e.g. "1 5" (default) or "0.1"')
    parser.add_argument("--db-prefix", default="rollbook_bench")
    parser.add_argument("--skip-load", action="store_true", help="reuse the databases of a previous run")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--quick", action="store_true", help="fewer requests: a check of the harness")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--teachers", type=int, default=100)
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients for throughput")
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per scenario (at most)")
    parser.add_argument("--budget", type=float, default=8.0, help="seconds per phase (at most)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--no-replica",
        action="store_true",
        help="skip the rush with term reports on a primary and replica of the benchmark's own (bench/replica_rush.py)",
    )
    parser.add_argument("--reporters", type=int, default=2, help="office clients loading term reports in the rush")
    parser.add_argument(
        "--only",
        default="",
        help='a subset, comma-separated: parts of scenario names, "rush", "open-loop" (e.g. "one tap,floor,rush")',
    )
    parser.add_argument("--open-rate", type=float, default=150, help="open-loop taps per second (0: none)")
    parser.add_argument("--open-seconds", type=float, default=30, help="how long the open loop runs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--markdown", default=str(ROOT / "BENCHMARK.md"))
    parser.add_argument("--json", default=str(ROOT / "bench" / "results.json"))
    # Internal: one scale in a child process.
    parser.add_argument("--scale", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--reports-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--render", action="store_true", help="only rewrite the markdown from the JSON file")
    args = parser.parse_args(argv)
    if args.render:
        write_markdown(Path(args.markdown), table(json.loads(Path(args.json).read_text())))
        return 0
    if args.quick:
        args.requests, args.budget = 30, 3.0

    if args.out:  # the child
        result = run_scale(args)
        Path(args.out).write_text(json.dumps(result))
        return 0

    started = time.monotonic()
    load_at_start = os.getloadavg()[0]
    commit_at_start = git("rev-parse", "--short", "HEAD")
    scales = [float(x) for x in args.scales.split()]
    runs = []
    for index, scale in enumerate(scales):
        db = f"{args.db_prefix}_{str(scale).replace('.', '_')}"
        if not args.skip_load:
            subprocess.run([PY, "-m", "bench.load", "--scale", str(scale), "--db", db], cwd=ROOT, check=True)  # noqa: S603
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
            out = tmp.name
        child = [
            PY,
            "-m",
            "bench.run",
            "--scale",
            str(scale),
            "--db",
            db,
            "--out",
            out,
            "--workers",
            str(args.workers),
            "--worker-class",
            args.worker_class,
            "--threads",
            str(args.threads),
            "--teachers",
            str(args.teachers),
            "--clients",
            str(args.clients),
            "--requests",
            str(args.requests),
            "--budget",
            str(args.budget),
            "--seed",
            str(args.seed),
            "--port",
            str(args.port),
            "--only",
            args.only,
            "--open-rate",
            str(args.open_rate),
            "--open-seconds",
            str(args.open_seconds),
        ]
        # Writes and the rush once, at the first scale; reports and summaries at every scale.
        if index > 0:
            child.append("--reports-only")
        subprocess.run(child, cwd=ROOT, check=True)  # noqa: S603
        run = json.loads(Path(out).read_text())
        os.unlink(out)
        import psycopg

        with psycopg.connect(f"{PG}/{db}", autocommit=True) as conn:
            run["rows"] = {
                t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
                for t in (
                    "school_student",
                    "classes_schoolclass",
                    "classes_classmark",
                    "homeroom_dailymark",
                    "excusals_excusal",
                )
            }
        load_file = Path(tempfile.gettempdir()) / f"rollbook-bench-load-{db}.json"
        load_info = json.loads(load_file.read_text()) if load_file.exists() else {}
        run["load_seconds"] = load_info.get("seconds", 0)
        runs.append(run)
        write_results(args, started, load_at_start, runs, commit_at_start)
        if not args.keep:
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    if not args.no_replica:
        # The rush with term reports, on a primary and replica of its own, at the first scale.
        from bench.replica_rush import measure

        runs.append(
            measure(
                scales[0],
                workers=args.workers,
                worker_class=args.worker_class,
                threads=args.threads,
                teachers=args.teachers,
                reporters=args.reporters,
                budget=args.budget,
                seed=args.seed,
            )
        )
    data = write_results(args, started, load_at_start, runs, commit_at_start)
    log(f"wrote {args.markdown} and {args.json} in {data['wall_minutes']:.1f} min")
    return 0


def write_results(args, started: float, load_at_start: float, runs: list, commit: str) -> dict:
    """The JSON file and the table, rewritten after every scale so a failure later keeps them."""
    data = {
        "machine": {**machine(), "commit": commit},
        "server": f"{args.workers} {args.worker_class} workers"
        + (f" × {args.threads} threads" if args.threads > 1 else ""),
        "wall_minutes": (time.monotonic() - started) / 60,
        "load_average_at_start": load_at_start,
        "runs": runs,
    }
    Path(args.json).write_text(json.dumps(data, indent=2, default=str) + "\n")
    write_markdown(Path(args.markdown), table(data))
    return data


if __name__ == "__main__":
    sys.exit(main())
