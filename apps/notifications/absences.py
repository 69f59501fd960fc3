"""What a saved absence puts in the outbox. The write path calls ``marks_saved`` after its batch
is saved, in the same transaction: the outbox row exists exactly when the mark does.

It reads only the school's rows, excusals and the outbox (no class or homeroom module), so the
write path below it may call it. While EMAIL_URL is not configured it does nothing, in no query.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from apps.attendance.channels import Channel
from apps.attendance.engine import PendingMark
from apps.excusals.models import Excusal
from apps.notifications.models import Notification, NotificationSettings, ParentPreference
from apps.school.models import AttendanceCode, Guardianship, School
from apps.school.selectors import codes_for_school

# System writes (an import of last term, the demo school being built) tell no parent.
SILENT_CHANNELS = frozenset({Channel.IMPORT, Channel.DEMO})


def email_configured() -> bool:
    return bool(getattr(settings, "EMAIL_URL", ""))


def settings_of(school: School) -> NotificationSettings:
    """The school's settings, or the defaults (unsaved) when it has none."""
    return NotificationSettings.objects.filter(school=school).first() or NotificationSettings(school=school)


def what(mark) -> str:
    """How an email's ``included`` names a mark: a lesson (class, period, interval) or homeroom."""
    if hasattr(mark, "school_class_id"):
        return f"lesson:{mark.school_class_id}:{mark.period_id}:{mark.interval}"
    return "homeroom"


def marks_saved(*, school: School, channel: str, changes: Sequence[PendingMark]) -> None:
    """Queue an absence email for each parent of each child marked absent today (a code of kind
    absent, no excusal covering the day): a new row due after the school's delay; nothing more
    while one is pending (the email, when sent, tells every absence of the day); a follow-up
    when the absence is new since the email went. Whether each absence still stands is read
    again when the email is sent: a mark changed back to present sends nothing."""
    if not email_configured() or channel in SILENT_CHANNELS or not changes:
        return
    absent = {c.pk for c in codes_for_school(school) if c.kind == AttendanceCode.Kind.ABSENT}
    today = school.today()
    marks = [
        c.mark
        for c in changes
        if c.status in ("created", "updated") and c.mark is not None and c.mark.code_id in absent
    ]
    marks = [m for m in marks if m.date == today]
    if not marks:
        return
    options = settings_of(school)
    if not options.enabled:
        return
    student_ids = {m.student_id for m in marks}
    excused = set(
        Excusal.objects.filter(
            school=school, student_id__in=student_ids, start_date__lte=today, end_date__gte=today
        ).values_list("student_id", flat=True)
    )
    student_ids -= excused
    if not student_ids:
        return
    off = ParentPreference.objects.filter(school=school, emails=False).values("parent_id")
    parents: dict[int, list[int]] = {}
    for student_id, parent_id in (
        Guardianship.objects.filter(school=school, student_id__in=student_ids)
        .exclude(parent__email="")
        .exclude(parent_id__in=off)
        .values_list("student_id", "parent_id")
    ):
        parents.setdefault(student_id, []).append(parent_id)
    if not parents:
        return
    now = timezone.now()
    due = now + timedelta(minutes=options.absence_delay_minutes)
    rows = {
        (n.kind, n.parent_id, n.student_id): n
        for n in Notification.objects.select_for_update().filter(
            Q(kind=Notification.Kind.ABSENCE) | Q(kind=Notification.Kind.FOLLOW_UP),
            school=school,
            date=today,
            student_id__in=parents,
        )
    }
    news: dict[int, set[str]] = {}
    for mark in marks:
        news.setdefault(mark.student_id, set()).add(what(mark))
    new_rows: list[Notification] = []
    again: list[int] = []
    for student_id, parent_ids in parents.items():
        for parent_id in parent_ids:
            first = rows.get((Notification.Kind.ABSENCE, parent_id, student_id))
            if first is None or first.status == Notification.Status.CANCELLED:
                wanted = first, Notification.Kind.ABSENCE
            elif first.status == Notification.Status.PENDING or not (news[student_id] - set(first.included)):
                continue  # the email still to go will tell it; or it told it already
            else:
                wanted = rows.get((Notification.Kind.FOLLOW_UP, parent_id, student_id)), Notification.Kind.FOLLOW_UP
            row, kind = wanted
            if row is None:
                new_rows.append(
                    Notification(
                        school=school, kind=kind, parent_id=parent_id, student_id=student_id, date=today, due_at=due
                    )
                )
            elif row.status == Notification.Status.CANCELLED:
                again.append(row.pk)
    if again:
        Notification.objects.filter(pk__in=again).update(status=Notification.Status.PENDING, due_at=due, attempts=0)
    if new_rows:
        # Another writer may have queued the same email a moment ago: its row is this one.
        Notification.objects.bulk_create(new_rows, ignore_conflicts=True)
    if again or new_rows:
        from apps.notifications.tasks import send_due_notifications

        send_due_notifications.using(run_after=due).enqueue()


def excusal_sent(*, student_id: int, start, end) -> None:
    """An excusal covers these days: their absence emails not yet sent are not sent."""
    if not email_configured():
        return
    Notification.objects.filter(
        student_id=student_id,
        kind__in=[Notification.Kind.ABSENCE, Notification.Kind.FOLLOW_UP],
        status=Notification.Status.PENDING,
        date__gte=start,
        date__lte=end,
    ).update(status=Notification.Status.CANCELLED, last_error=gettext("an excusal covers the day"))
