"""Absence emails, end to end: a mark through the write path puts a row in the outbox, and a real
worker process (db_worker --batch) sends it to a real SMTP server (aiosmtpd) after the delay."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from apps.attendance.channels import Channel
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.excusals.services import excusal_create
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from apps.notifications.models import Notification, ParentPreference
from apps.school.models import AttendanceCode
from tests import factories as f
from tests.notifications.conftest import SITE_URL

# The worker is another process: it reads the test's rows in a database it can open, PostgreSQL
# (the SQLite test database is in this process's memory). On SQLite these tests are deselected.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

TODAY = date(2026, 11, 18)
AT = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def minutes(n: int) -> datetime:
    return AT + timedelta(minutes=n)


def absent(school):
    return AttendanceCode.objects.filter(school=school, kind=AttendanceCode.Kind.ABSENT).first()


def present(school):
    return AttendanceCode.objects.filter(school=school, kind=AttendanceCode.Kind.PRESENT).exclude(mb_status=-1).first()


def mark(world, student, period, code, actor=None):
    f.saved(
        record_class_marks(
            actor=actor or world.teacher.user,
            school=world.school,
            channel=Channel.WEB,
            marks=[ClassMarkInput(world.english.pk, student.pk, TODAY, period, code.pk if code else None)],
        )
    )


@pytest.fixture
def family(world):
    world.parent.email = "pat@family.example.org"
    world.parent.save()
    world.other_parent.email = "olive@family.example.org"
    world.other_parent.save()
    return world


def test_an_absence_is_emailed_after_the_delay_with_the_days_later_absences_merged(
    family, smtp, run_worker, pinned_clock
):
    world, child = family, family.students[0]
    mark(world, child, 1, absent(world.school))
    mark(world, family.students[1], 1, absent(world.school))  # a child of nobody with an address
    run_worker(minutes(5))
    assert smtp.mailbox.messages == []  # not before the delay
    pinned_clock.move_to(minutes(6))
    mark(world, child, 3, absent(world.school))  # joins the email still to go
    run_worker(minutes(16))

    [message] = smtp.mailbox.messages
    assert message["To"] == "pat@family.example.org"
    assert message["From"] == "Northfield School <attendance@northfield.example.org>"
    assert child.first_name in message["Subject"] and "Northfield School" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert child.full_name in body
        assert "Period 1, 7A English" in body and "Period 3, 7A English" in body
        assert f"{SITE_URL}/family/excusals/new/?child={child.uuid}&" in body.replace("&amp;", "&")
        assert f"{SITE_URL}/notifications/unsubscribe/" in body
        # No other family's data, no internal id.
        assert family.students[1].first_name not in body and family.year8_students[0].first_name not in body
        assert f"child={child.pk}&" not in body.replace("&amp;", "&")
    assert str(message["List-Unsubscribe"]).strip().startswith(f"<{SITE_URL}/notifications/unsubscribe/")
    row = Notification.objects.get(parent=world.parent)
    assert (row.status, row.recipient, row.attempts) == ("sent", "pat@family.example.org", 1)

    # An absence after the email: one follow-up telling only what is new; then no more that day.
    pinned_clock.move_to(minutes(20))
    f.saved(
        record_daily_marks(
            actor=world.admin.user,
            school=world.school,
            channel=Channel.WEB,
            marks=[DailyMarkInput(child.pk, TODAY, absent(world.school).pk)],
        )
    )
    mark(world, child, 1, absent(world.school))  # told already: nothing new
    run_worker(minutes(36))
    assert len(smtp.mailbox.messages) == 2
    follow_up = smtp.mailbox.messages[1].get_body(("plain",)).get_content()
    assert "Homeroom" in follow_up and "Period 1" not in follow_up and "also been marked absent" in follow_up
    pinned_clock.move_to(minutes(40))
    other = world.school.attendancecode_set.filter(kind=AttendanceCode.Kind.ABSENT).last()
    mark(world, child, 3, other)
    run_worker(minutes(60))
    assert len(smtp.mailbox.messages) == 2  # at most one follow-up a day


def test_a_correction_within_the_delay_sends_nothing(family, smtp, run_worker, pinned_clock):
    mark(family, family.students[0], 1, absent(family.school))
    pinned_clock.move_to(minutes(1))
    mark(family, family.students[0], 1, present(family.school))
    run_worker(minutes(16))
    assert smtp.mailbox.messages == []
    row = Notification.objects.get()
    assert (row.status, row.last_error) == ("cancelled", "no absence stands")


def test_an_excusal_sent_meanwhile_cancels_the_email(family, smtp, run_worker, pinned_clock):
    mark(family, family.students[0], 1, absent(family.school))
    excusal_create(
        actor=family.parent.user, student=family.students[0], parent=family.parent, start_date=TODAY, end_date=TODAY
    )
    assert Notification.objects.get().status == "cancelled"
    mark(family, family.students[0], 3, absent(family.school))  # an excused day queues nothing again
    run_worker(minutes(16))
    assert smtp.mailbox.messages == []


def test_each_parent_gets_one_email_and_a_parent_who_turned_them_off_none(family, smtp, run_worker):
    child = family.students[0]
    second = f.make_parent(family.school, "second_parent", child, first="Sam")
    second.email = "sam@family.example.org"
    second.save()
    third = f.make_parent(family.school, "third_parent", child, first="Tao")
    third.email = "tao@family.example.org"
    third.save()
    ParentPreference.objects.create(school=family.school, parent=third, emails=False)
    f.make_parent(family.school, "no_address", child, first="Noa")  # no email address: nothing queued
    mark(family, child, 1, absent(family.school))
    mark(family, child, 3, absent(family.school))
    run_worker(minutes(16))
    assert sorted(m["To"] for m in smtp.mailbox.messages) == ["pat@family.example.org", "sam@family.example.org"]
    assert "Dear Sam" in smtp.mailbox.to("sam@family.example.org")[0].get_body(("plain",)).get_content()


def test_mail_server_down_then_up_retries_with_backoff_and_loses_nothing(family, smtp, run_worker, client):
    mark(family, family.students[0], 1, absent(family.school))
    smtp.stop()
    run_worker(minutes(16))
    row = Notification.objects.get()
    assert (row.status, row.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in row.last_error
    assert row.due_at > minutes(16)
    smtp.start()
    run_worker(minutes(16) + timedelta(seconds=30))
    assert smtp.mailbox.messages == []  # not before the backoff
    run_worker(minutes(18))
    assert [m["To"] for m in smtp.mailbox.messages] == ["pat@family.example.org"]
    assert Notification.objects.get().status == "sent"


def test_after_the_last_attempt_the_failure_is_on_the_office_page(family, smtp, run_worker, client):
    mark(family, family.students[0], 1, absent(family.school))
    Notification.objects.update(attempts=5)
    smtp.stop()
    run_worker(minutes(16))
    row = Notification.objects.get()
    assert (row.status, row.attempts) == ("failed", 6)
    client.force_login(family.admin.user)
    page = client.get(reverse("notifications:outbox")).content.decode()
    assert "Pat Parent" in page and "ConnectionRefusedError" in page and "6 tries" in page
    client.force_login(family.other_school_admin.user)
    assert "Pat Parent" not in client.get(reverse("notifications:outbox")).content.decode()
    client.force_login(family.teacher.user)
    assert client.get(reverse("notifications:outbox")).status_code == 404
