"""Issue 19 is done when a mark of absent in the demo school produces an email in the local mail
catcher after the delay: the demo school built by ``seed_demo``, the office setting a delay of a
minute on its Settings page, a demo teacher marking a child absent on the roll page, and the
demo's own processes, ``manage.py mail_catcher`` and ``manage.py db_worker`` left running as
``make demo`` runs them (the worker's clock a little before the minute is up)."""

from __future__ import annotations

import email
import email.policy
import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from apps.demo.builder import DEMO_SCHOOL_NUMBER
from apps.notifications.models import Notification
from apps.reports.selectors import unmarked_rolls
from apps.school.models import AttendanceCode, Guardianship, School
from tests.notifications.conftest import ROOT, SITE_URL, free_port, worker

User = get_user_model()
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def wait_for(check, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.2)
    return check()


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def catcher(tmp_path):
    """``manage.py mail_catcher`` on a free port, saving into a folder of this test."""
    port, folder = free_port(), tmp_path / "mail"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "mail_catcher", "--port", str(port), "--folder", str(folder)],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert wait_for(lambda: listening(port), 30), "the mail catcher did not start"
        yield port, folder, process
    finally:
        if process.poll() is None:
            process.terminate()
            process.communicate(timeout=30)


def test_an_absence_marked_in_the_demo_school_reaches_the_mail_catcher_after_the_delay(
    catcher, client, settings, pinned_clock
):
    port, folder, catcher_process = catcher
    mail_url = f"smtp://127.0.0.1:{port}?tls=false&timeout=5"
    settings.EMAIL_URL, settings.SITE_URL = mail_url, SITE_URL
    call_command("seed_demo", "--students", "20", "--weeks", "1", "--no-api-client", stdout=StringIO())
    school = School.objects.get(number=DEMO_SCHOOL_NUMBER)

    # The office sets the delay to one minute on its Settings page.
    client.force_login(User.objects.get(username="admin"))
    response = client.post(
        reverse("reports:settings"),
        {"notifications": "1", "n-enabled": "on", "n-absence_delay_minutes": "1", "n-reminder_after_minutes": "10"},
    )
    assert response.status_code == 302
    client.logout()

    # A demo teacher marks a child of a parent with an address absent on a roll of today.
    now = timezone.localtime(timezone=ZoneInfo(school.timezone))
    meeting = next(m for m in unmarked_rolls(school, school.today(), school.today(), now=now) if m.teachers)
    child = (
        Guardianship.objects.filter(school=school, student__enrollments__school_class=meeting.school_class)
        .exclude(parent__email="")
        .first()
        .student
    )
    parents = sorted(
        g.parent.email
        for g in Guardianship.objects.filter(student=child).exclude(parent__email="").select_related("parent")
    )
    absent = AttendanceCode.objects.filter(school=school, kind=AttendanceCode.Kind.ABSENT).first()
    client.force_login(meeting.teachers[0].user)
    roll = reverse("classes:roll", args=[meeting.school_class.pk, meeting.date.isoformat(), meeting.period.number])
    assert client.post(roll, {f"s{child.pk}-code": absent.pk}).status_code == 302
    queued = list(Notification.objects.filter(school=school, student=child))
    marked_at = timezone.now()
    assert len(queued) == len(parents)  # one email per parent with an address
    due = queued[0].due_at
    assert timedelta(seconds=50) < due - marked_at <= timedelta(minutes=1)

    # The demo's worker, left running, its clock five seconds before the minute is up.
    process = worker(mail_url, due - timedelta(seconds=5), "--interval", "0.2")
    try:
        time.sleep(2)
        assert not list(folder.glob("*.eml"))  # not before the delay
        saved = wait_for(lambda: len(found := sorted(folder.glob("*.eml"))) >= len(parents) and found, 60)
    finally:
        process.terminate()
        process.communicate(timeout=30)

    messages = [email.message_from_bytes(path.read_bytes(), policy=email.policy.default) for path in saved]
    assert sorted(m["To"] for m in messages) == parents
    for message in messages:
        assert child.first_name in message["Subject"] and school.name in message["Subject"]
        text = message.get_body(("plain",)).get_content()
        assert child.full_name in text and meeting.school_class.name in text
        assert f"{SITE_URL}{reverse('excusals:new')}?child={child.uuid}&start={meeting.date.isoformat()}" in text
    assert {(n.status, n.recipient) for n in Notification.objects.filter(student=child)} == {
        ("sent", address) for address in parents
    }
    # The catcher printed each too, as ``make demo``'s terminal shows.
    catcher_process.terminate()
    printed, _ = catcher_process.communicate(timeout=30)
    assert all(f"mail to {address}" in printed for address in parents)
    assert all(str(path) in printed for path in saved)
