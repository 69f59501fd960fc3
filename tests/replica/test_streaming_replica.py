"""Reads from a real PostgreSQL streaming replica (attendance_site/replica.py).

The test starts its own primary and replica from Debian's PostgreSQL 15 binaries (initdb in a
temporary folder, ``pg_basebackup -R``, two postmasters on free ports, run as the ``postgres``
user: PostgreSQL refuses to run as root; ``bench/pg_cluster.py``, which the benchmark's replica
scenario starts too), leaving the machine's own server alone; then a real
Rollbook server on both. With the replica's replay paused, the API reads of one admin come from
the replica and miss a mark another admin has just written, while the writer, reading right after
their own write, gets the primary and sees it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests

from bench.pg_cluster import Cluster, free_port

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


# The two admins' API tokens, and what the test writes: printed as JSON by the server's own shell.
SETUP = """
import json
from apps.api.models import SCOPES, ApiClient
from apps.school.models import Administrator, School
from django.contrib.auth import get_user_model
school = School.objects.get()
writer = Administrator.objects.get(school=school).user
reader = get_user_model().objects.create_user("second.admin", password="unused-here")
Administrator.objects.create(school=school, user=reader)
print(json.dumps({name: ApiClient.issue(name=name, user=user, scopes=list(SCOPES)).token
                  for name, user in (("writer", writer), ("reader", reader))}))
"""


@pytest.fixture(scope="module")
def server():
    cluster = Cluster(settings={"fsync": "off"})  # a throwaway cluster need not survive a crash
    process = None
    try:
        cluster.start()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "attendance_site.settings",
            "DEBUG": "true",
            "DATABASE_URL": cluster.url(cluster.primary_port),
            "DATABASE_REPLICA_URL": cluster.url(cluster.replica_port),
            "REPLICA_STICKY_SECONDS": "60",
        }
        manage = [PYTHON, str(ROOT / "manage.py")]
        run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "text": True, "timeout": 300}
        subprocess.run([*manage, "migrate", "--noinput"], **run)
        subprocess.run([*manage, "seed_demo", "--students", "12", "--weeks", "1"], **run)
        tokens = json.loads(subprocess.run([*manage, "shell", "-c", SETUP], **run).stdout.strip().splitlines()[-1])
        port = free_port()
        process = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}/v2/"
        for _ in range(100):
            try:
                requests.get(base + "ping", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        yield base, tokens, cluster
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=10)
        cluster.stop()


def get(base: str, token: str, path: str) -> dict:
    response = requests.get(base + path, headers={"auth-token": token}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def a_lesson(base: str, token: str) -> tuple[int, int, date, int]:
    """A class, one of its students, and a day and period it meets (the first such day of the
    class), from the API's own answers: whatever day the server's clock says it is."""
    school_class = get(base, token, "classes")["classes"][0]
    student_id = get(base, token, f"classes/{school_class['id']}/students")["student_ids"][0]
    years = get(base, token, f"classes/{school_class['id']}/timetable")["timetable"]["academic_years"]
    slot = next(s for year in years for s in year["slots"] if s["enabled"])
    day = date.fromisoformat(school_class["start_date"])
    while day.isoweekday() != slot["day"]:
        day += timedelta(days=1)
    return school_class["id"], student_id, day, slot["period"]


def status_on(base: str, token: str, class_id: int, student_id: int, day: date, period: int) -> int | None:
    body = get(base, token, f"classes/{class_id}/attendance/date/{day.isoformat()}")
    row = next(s for s in body["students"] if s["id"] == student_id)
    return row["attendance"].get(str(period), {}).get("category", {}).get("status")


def test_reads_come_from_the_replica_but_a_writer_reads_their_own_write(server):
    base, tokens, cluster = server
    writer, reader = tokens["writer"], tokens["reader"]
    class_id, student_id, day, period = a_lesson(base, reader)
    before = status_on(base, reader, class_id, student_id, day, period)
    wanted = 0 if before != 0 else 2  # Absent, or Late if it was already absent

    cluster.replay(paused=True)
    try:
        written = requests.put(
            f"{base}classes/{class_id}/attendance",
            headers={"auth-token": writer},
            json={"attendances": [{"student_id": student_id, "date": str(day), "period": period, "status": wanted}]},
            timeout=10,
        )
        assert written.status_code == 200, written.text
        assert written.json()["attendance"][0]["status"] == "ok"
        # The writer reads the primary for the next REPLICA_STICKY_SECONDS: their own mark is there.
        assert status_on(base, writer, class_id, student_id, day, period) == wanted
        # The other admin reads the replica, whose replay is paused: not yet.
        assert status_on(base, reader, class_id, student_id, day, period) == before
    finally:
        cluster.replay(paused=False)
    for _ in range(50):
        if status_on(base, reader, class_id, student_id, day, period) == wanted:
            break
        time.sleep(0.1)
    assert status_on(base, reader, class_id, student_id, day, period) == wanted
