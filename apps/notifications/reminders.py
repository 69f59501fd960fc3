"""Reminders of rolls not taken: one email to each teacher of the class, with the link to the
roll; the office's "Remind" sends it at once, at most once per roll every ten minutes."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from apps.notifications.models import Notification

AGAIN_AFTER = timedelta(minutes=10)


def roll_taken(notification: Notification) -> bool:
    from apps.classes.models import ClassMark

    return ClassMark.objects.filter(
        school_class=notification.school_class, date=notification.date, period=notification.period
    ).exists()


def queue_due_reminders() -> int:
    """The automatic reminders: each roll of today not taken ``reminder_after_minutes`` after
    its period started gets one reminder to each of its teachers, unless one was ever queued for
    that roll (by the office or before). The sending task runs this first. The number queued."""
    from zoneinfo import ZoneInfo

    from apps.notifications.absences import email_configured, settings_of
    from apps.reports.selectors import unmarked_rolls
    from apps.school.models import School

    if not email_configured():
        return 0
    queued = 0
    for school in School.objects.all():
        options = settings_of(school)
        if not options.enabled:
            continue
        now = timezone.localtime(timezone=ZoneInfo(school.timezone))
        late = now - timedelta(minutes=options.reminder_after_minutes)
        meetings = unmarked_rolls(school, now.date(), now.date(), now=late)
        with transaction.atomic():
            for meeting in meetings:
                for teacher in meeting.teachers:
                    _, created = Notification.objects.get_or_create(
                        school=school,
                        kind=Notification.Kind.REMINDER,
                        teacher=teacher,
                        school_class=meeting.school_class,
                        period=meeting.period,
                        date=meeting.date,
                        defaults={"due_at": timezone.now()},
                    )
                    queued += created
    return queued


def remind(*, school, meetings) -> int:
    """Queue a reminder, due now, to each teacher of each of these untaken rolls
    (``apps.reports.selectors.Meeting``), unless one went or was queued in the last ten
    minutes. The number queued."""
    from apps.notifications.tasks import send_due_notifications

    now = timezone.now()
    queued = 0
    with transaction.atomic():
        for meeting in meetings:
            for teacher in meeting.teachers:
                key = {
                    "school": school,
                    "kind": Notification.Kind.REMINDER,
                    "teacher": teacher,
                    "school_class": meeting.school_class,
                    "period": meeting.period,
                    "date": meeting.date,
                }
                row, created = Notification.objects.select_for_update().get_or_create(**key, defaults={"due_at": now})
                if not created:
                    if row.updated_at > now - AGAIN_AFTER and row.status in (
                        Notification.Status.PENDING,
                        Notification.Status.SENT,
                    ):
                        continue
                    row.status, row.due_at, row.attempts, row.last_error = Notification.Status.PENDING, now, 0, ""
                    row.save(update_fields=["status", "due_at", "attempts", "last_error", "updated_at"])
                queued += 1
        if queued:
            send_due_notifications.enqueue()
    return queued
