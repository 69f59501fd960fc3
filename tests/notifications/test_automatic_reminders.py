"""The automatic reminder: a roll not taken the school's ``reminder_after_minutes`` after its
period started gets one email to its teachers, at most once per roll. Nothing but the worker
runs it: ``migrate`` (or ``manage.py remind_untaken_rolls``) starts a chain of runs a minute
apart, each queueing the next, and there is one chain however many workers run it."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from apps.notifications.models import Notification, NotificationSettings, ReminderChain
from apps.notifications.tasks import remind_untaken_rolls, start_reminders
from tests.notifications.conftest import worker
from tests.notifications.test_absence_emails import mark, present

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 11, 18, hour, minute, second, tzinfo=UTC)


def runs(status: str = "READY") -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=remind_untaken_rolls.module_path, status=status))


def queued_run_after() -> datetime:
    """When the chain's one queued run is due (and that it is the one the chain names)."""
    [run] = runs()
    assert ReminderChain.objects.get().next_run == str(run.id)
    return run.run_after


@pytest.fixture
def teachers(world):
    """Tess's 7A English roll of period 1 (08:30) is taken; Otto's 8B Science of period 2
    (09:30) is not."""
    world.teacher.email = "tess@northfield.example.org"
    world.teacher.save()
    world.other_teacher.email = "otto@northfield.example.org"
    world.other_teacher.save()
    for student in world.students:
        mark(world, student, 1, present(world.school))
    return world


@pytest.mark.time_machine("2026-11-18 09:35 +00:00")
def test_migrate_starts_the_reminders_and_each_run_queues_the_next_minute(teachers, smtp, run_worker, pinned_clock):
    world = teachers
    NotificationSettings.objects.create(school=world.school, reminder_after_minutes=10)

    # A deploy's migrate starts the chain (EMAIL_URL is configured).
    pinned_clock.move_to(at(9, 35))  # the clock ticks: back to the moment after the setup
    call_command("migrate", verbosity=0)
    assert queued_run_after() < at(9, 36)

    # 09:36: 8B Science's period 2 began at 09:30, six minutes ago: not yet. The run queued the next.
    run_worker(at(9, 36, 30))
    assert smtp.mailbox.messages == []
    assert queued_run_after() == at(9, 37)

    # 09:41: the worker runs the 09:37 run, eleven minutes after the period began: Otto is
    # reminded, with the link to the roll.
    pinned_clock.move_to(at(9, 41))
    run_worker(at(9, 41))
    [message] = smtp.mailbox.messages
    assert message["To"] == "otto@northfield.example.org"
    body = message.get_body(("plain",)).get_content()
    assert f"https://rollbook.example.org/classes/{world.science.pk}/roll/2026-11-18/2/" in body
    assert queued_run_after() == at(9, 42)

    # Later runs send it no more; Tess, whose roll is taken, gets nothing; one run stays queued.
    for moment in (at(9, 55), at(10, 20)):
        pinned_clock.move_to(moment)
        run_worker(moment)
    assert len(smtp.mailbox.messages) == 1
    assert Notification.objects.filter(school=world.school, kind="reminder").count() == 1
    assert queued_run_after() == at(10, 21)
    assert len(runs("SUCCESSFUL")) == 4
    # The other school's untaken roll is its own: its teacher has no address, so nothing went.
    far = Notification.objects.get(school=world.other_school, kind="reminder")
    assert (far.teacher, far.status, far.last_error) == (world.other_school_teacher, "cancelled", "no email address")


@pytest.mark.time_machine("2026-11-18 09:40 +00:00")
def test_one_chain_with_two_workers_a_second_start_and_a_stray_run(teachers, smtp, pinned_clock):
    out = StringIO()
    pinned_clock.move_to(at(9, 40))
    call_command("remind_untaken_rolls", stdout=out)
    call_command("remind_untaken_rolls", stdout=out)
    assert out.getvalue().splitlines() == [
        "Started the reminders of untaken rolls: the worker runs them every minute.",
        "The reminders of untaken rolls already run on the worker.",
    ]
    stray = remind_untaken_rolls.enqueue()  # queued by hand, beside the chain

    # Two workers at once at 09:41: the chain's run and the stray one run, one in each or both
    # in one; the stray one stops, so one run is queued after, and Otto has one reminder.
    pinned_clock.move_to(at(9, 41))
    workers = [worker(smtp.url, at(9, 41)) for _ in range(2)]
    for process in workers:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert queued_run_after() == at(9, 42)
    assert DBTaskResult.objects.get(id=stray.id).return_value == 0
    assert [m["To"] for m in smtp.mailbox.messages] == ["otto@northfield.example.org"]
    assert start_reminders() is False

    # A chain whose queued run is gone (a database restored without its task queue) is started again.
    DBTaskResult.objects.all().delete()
    assert start_reminders() is True
    assert queued_run_after() < at(9, 42)


@pytest.mark.time_machine("2026-11-18 09:39:50 +00:00")
def test_a_worker_left_running_runs_the_reminders_at_each_minute(teachers, smtp, pinned_clock):
    """As ``make demo`` and production run it: one ``db_worker`` that keeps running."""
    pinned_clock.move_to(at(9, 39, 50))
    start_reminders()
    process = worker(smtp.url, at(9, 39, 50), "--interval", "0.2")
    try:
        deadline = time.monotonic() + 60
        while not smtp.mailbox.messages and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    # The 09:39:50 run is too early for Otto's roll (begun 09:30); the 09:40 one reminds him.
    assert [m["To"] for m in smtp.mailbox.messages] == ["otto@northfield.example.org"], err
    assert len(runs("SUCCESSFUL")) == 2
    assert queued_run_after() == at(9, 41)


@pytest.mark.time_machine("2026-11-18 10:00 +00:00")
def test_no_automatic_reminder_when_the_schools_notifications_are_off(teachers, smtp, run_worker, pinned_clock):
    world = teachers
    NotificationSettings.objects.create(school=world.school, enabled=False)
    # Runs of the day before yesterday and of an hour ago, finished: the chain forgets the first.
    for finished in (at(10, 0) - timedelta(days=2), at(9, 0)):
        old = remind_untaken_rolls.enqueue()
        DBTaskResult.objects.filter(id=old.id).update(status="SUCCESSFUL", finished_at=finished)
    pinned_clock.move_to(at(10, 0))
    start_reminders()
    run_worker(at(10, 0))
    assert smtp.mailbox.messages == []
    assert not Notification.objects.filter(school=world.school, kind="reminder").exists()
    assert queued_run_after() == at(10, 1)
    assert sorted(run.finished_at for run in runs("SUCCESSFUL"))[0] == at(9, 0)
    assert len(runs("SUCCESSFUL")) == 2  # the hour-old one and this run
