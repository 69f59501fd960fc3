"""Sending the outbox, on Django's Tasks API (the django-tasks backport; ``manage.py db_worker``
runs it, ``--batch`` what is due and then exits).

Each run sends every notification that is due, one at a time: it locks the row
(``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so that several workers share the rows
and none sends one twice; on SQLite a transaction holds the database's write lock), reads again
what the email must tell, sends it and marks it sent in the same transaction. A mail server
that fails moves the row on by a growing delay and queues a run for then; after
``MAX_ATTEMPTS`` the row is failed, and the office sees it (/office/notifications/).

The automatic reminders run every minute on the same worker, with no scheduler beside it: each
run of ``remind_untaken_rolls`` first queues the next (``run_after`` the next whole minute), and
``ReminderChain`` holds the one run that is queued, so that several workers, or starting it
twice, never make two chains. ``migrate`` starts it (apps.py) when EMAIL_URL is configured.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.notifications.models import Notification, ParentPreference, ReminderChain

try:  # Django 6's own Tasks API, else the backport of it
    from django.tasks import TaskResultStatus, task
    from django.tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch
except ImportError:
    from django_tasks import TaskResultStatus, task
    from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(minutes=1)  # then 2, 4, 8, 16 minutes
REMINDERS_EVERY = timedelta(minutes=1)
STUCK_AFTER = timedelta(minutes=5)


def retry_delay(attempts: int) -> timedelta:
    return FIRST_RETRY * 2 ** (attempts - 1)


def absence_lines(notification: Notification) -> list[tuple[str, str]]:
    """The child's absences that day that stand now, as (key, words); for a follow-up, only
    those the first email did not tell. The words are lazy: the email's ``render`` words them
    in the recipient's language (apps/notifications/emails.py)."""
    from apps.classes.models import ClassMark
    from apps.homeroom.models import DailyMark
    from apps.notifications.absences import what
    from apps.school.models import AttendanceCode

    absent = {"school": notification.school, "student": notification.student, "date": notification.date}
    absent["code__kind"] = AttendanceCode.Kind.ABSENT
    lines = []
    for mark in DailyMark.objects.filter(**absent).select_related("code"):
        lines.append((what(mark), format_lazy(gettext_lazy("Homeroom: {code}"), code=mark.code.label)))
    for mark in (
        ClassMark.objects.filter(**absent).select_related("school_class", "period", "code").order_by("period__number")
    ):
        words = gettext_lazy("Period {period}, {name}: {code}")
        lines.append(
            (
                what(mark),
                format_lazy(words, period=mark.period.label, name=mark.school_class.name, code=mark.code.label),
            )
        )
    if notification.kind == Notification.Kind.FOLLOW_UP:
        first = Notification.objects.filter(
            kind=Notification.Kind.ABSENCE,
            parent=notification.parent,
            student=notification.student,
            date=notification.date,
        ).first()
        told = set(first.included) if first is not None else set()
        lines = [line for line in lines if line[0] not in told]
    return lines


def why_not(notification: Notification) -> str:
    """Why an absence email no longer goes, or ''."""
    from apps.excusals.models import Excusal

    parent = notification.parent
    if not parent.email:
        return _("no email address")
    if ParentPreference.objects.filter(parent=parent, emails=False).exists():
        return _("the parent turned the emails off")
    if Excusal.objects.filter(
        student=notification.student, start_date__lte=notification.date, end_date__gte=notification.date
    ).exists():
        return _("an excusal covers the day")
    return ""


def compose(notification: Notification):
    """The email, or a reason it is not sent (a string)."""
    from apps.notifications import emails
    from apps.notifications.absences import settings_of
    from apps.notifications.reminders import roll_taken

    options = settings_of(notification.school)
    if not options.enabled:
        return _("the school's notifications are off"), options
    if notification.kind == Notification.Kind.REMINDER:
        if not notification.teacher.email:
            return _("no email address"), options
        if roll_taken(notification):
            return _("the roll was taken"), options
        return emails.reminder_email(notification), options
    if reason := why_not(notification):
        return reason, options
    lines = absence_lines(notification)
    if not lines:
        return _("no absence stands"), options
    return emails.absence_email(notification, lines), options


def send_one() -> bool:
    """Send one due notification; False when none is left to this worker."""
    from apps.notifications import emails

    now = timezone.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Notification.Status.PENDING, due_at__lte=now)
            .select_related("school", "parent", "student", "teacher", "school_class", "period")
            .order_by("due_at", "pk")
            .first()
        )
        if notification is None:
            return False
        try:
            email, options = compose(notification)
            if isinstance(email, str):
                notification.status, notification.last_error = Notification.Status.CANCELLED, email
                notification.save(update_fields=["status", "last_error", "updated_at"])
                return True
            emails.message(email, options).send()
        except Exception as error:  # the mail server's refusal, no mail server, a bug: try again later
            notification.attempts += 1
            notification.last_error = f"{type(error).__name__}: {error}"[:500]
            if notification.attempts >= MAX_ATTEMPTS:
                notification.status = Notification.Status.FAILED
                logger.warning("notification %s failed %s times: %s", notification.pk, MAX_ATTEMPTS, error)
            else:
                notification.due_at = now + retry_delay(notification.attempts)
                send_due_notifications.using(run_after=notification.due_at).enqueue()
            notification.save(update_fields=["attempts", "last_error", "status", "due_at", "updated_at"])
            return True
        notification.status, notification.sent_at = Notification.Status.SENT, timezone.now()
        notification.recipient, notification.included = email.to, email.included
        notification.attempts += 1
        notification.last_error = ""
        notification.save(
            update_fields=["status", "sent_at", "recipient", "included", "attempts", "last_error", "updated_at"]
        )
    return True


@task()
def send_due_notifications() -> int:
    """Send what is due now; the number of notifications handled."""
    handled = 0
    while send_one():
        handled += 1
    return handled


def next_minute(moment):
    return moment.replace(second=0, microsecond=0) + REMINDERS_EVERY


def chain_alive(chain: ReminderChain) -> bool:
    """Whether the chain's next run will run: queued, or started a moment ago (a run moves the
    chain on as soon as it starts, so one still running after ``STUCK_AFTER`` was stopped
    before it could: its worker was killed)."""
    if not chain.next_run:
        return False
    try:
        result = remind_untaken_rolls.get_result(chain.next_run)
    except (TaskResultDoesNotExist, TaskResultMismatch):
        return False
    if result.status == TaskResultStatus.READY:
        return True
    return result.status == TaskResultStatus.RUNNING and result.started_at > timezone.now() - STUCK_AFTER


def start_reminders() -> bool:
    """Queue the automatic reminders' task, due now, unless its chain is alive; True when it
    was started. Called after every ``migrate`` (apps.py) and by ``manage.py
    remind_untaken_rolls``: calling it again, from any number of processes, starts no second
    chain."""
    with transaction.atomic():
        chain, _created = ReminderChain.objects.select_for_update().get_or_create(pk=1)
        if chain_alive(chain):
            return False
        now = timezone.now()
        first = remind_untaken_rolls.using(run_after=now).enqueue()
        chain.next_run, chain.queued_at = str(first.id), now
        chain.save()
    return True


def continue_chain(run_id: str) -> bool:
    """Queue the run after this one (at the next whole minute) when this run is the chain's, or
    the chain is dead; False for any other run, which then does nothing."""
    with transaction.atomic():
        chain, _created = ReminderChain.objects.select_for_update().get_or_create(pk=1)
        if chain.next_run != run_id and chain_alive(chain):
            return False
        now = timezone.now()
        following = remind_untaken_rolls.using(run_after=next_minute(now)).enqueue()
        chain.next_run, chain.queued_at = str(following.id), now
        chain.save()
    forget_finished_runs(now)
    return True


def forget_finished_runs(now) -> None:
    """A run a minute is 1,440 task results a day: those of the reminders' task older than a
    day go (django-tasks-db keeps every result until it is pruned)."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(
        task_path=remind_untaken_rolls.module_path,
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
        finished_at__lt=now - timedelta(days=1),
    ).delete()


@task(takes_context=True)
def remind_untaken_rolls(context) -> int:
    """The automatic reminders (apps/notifications/reminders.py), a chain of runs a minute
    apart that the worker keeps going: queue the next run, then the reminders now due, then
    send what is due; the number handled."""
    from apps.notifications.reminders import queue_due_reminders

    if not continue_chain(str(context.task_result.id)):
        return 0
    queue_due_reminders()
    return send_due_notifications.call()
