"""The automatic reminder: a roll not taken the school's ``reminder_after_minutes`` after its
period started gets one email to its teachers, queued by the reminder task's run on a real worker
process, at most once per roll."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from apps.notifications.models import Notification, NotificationSettings
from tests.notifications.test_absence_emails import mark, present

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def at(hour: int, minute: int) -> datetime:
    return datetime(2026, 11, 18, hour, minute, tzinfo=UTC)


@pytest.mark.time_machine("2026-11-18 09:35 +00:00")
def test_an_untaken_roll_reminds_its_teachers_once_after_the_schools_minutes(world, smtp, run_worker, pinned_clock):
    world.teacher.email = "tess@northfield.example.org"
    world.teacher.save()
    world.other_teacher.email = "otto@northfield.example.org"
    world.other_teacher.save()
    NotificationSettings.objects.create(school=world.school, reminder_after_minutes=10)
    for student in world.students:  # 7A English's period 1 (08:30) is taken: no reminder
        mark(world, student, 1, present(world.school))

    # 09:35: 8B Science's period 2 began at 09:30, five minutes ago: not yet.
    call_command("remind_untaken_rolls", stdout=StringIO())
    run_worker(at(9, 35))
    assert smtp.mailbox.messages == []

    # 09:41: eleven minutes after it began, untaken: Otto is reminded, with the link to the roll.
    pinned_clock.move_to(at(9, 41))
    call_command("remind_untaken_rolls", stdout=StringIO())
    run_worker(at(9, 41))
    [message] = smtp.mailbox.messages
    assert message["To"] == "otto@northfield.example.org"
    body = message.get_body(("plain",)).get_content()
    assert f"https://rollbook.example.org/classes/{world.science.pk}/roll/2026-11-18/2/" in body

    # Later runs send it no more; Tess, whose roll is taken, gets nothing.
    for moment in (at(9, 55), at(10, 20)):
        pinned_clock.move_to(moment)
        call_command("remind_untaken_rolls", stdout=StringIO())
        run_worker(moment)
    assert len(smtp.mailbox.messages) == 1
    assert Notification.objects.filter(school=world.school, kind="reminder").count() == 1
    # The other school's untaken roll is its own: its teacher has no address, so nothing went.
    far = Notification.objects.get(school=world.other_school, kind="reminder")
    assert (far.teacher, far.status, far.last_error) == (world.other_school_teacher, "cancelled", "no email address")


@pytest.mark.time_machine("2026-11-18 10:00 +00:00")
def test_no_automatic_reminder_when_the_schools_notifications_are_off(world, smtp, run_worker):
    world.other_teacher.email = "otto@northfield.example.org"
    world.other_teacher.save()
    NotificationSettings.objects.create(school=world.school, enabled=False)
    call_command("remind_untaken_rolls", stdout=StringIO())
    run_worker(at(10, 0))
    assert smtp.mailbox.messages == []
    assert not Notification.objects.filter(school=world.school, kind="reminder").exists()
