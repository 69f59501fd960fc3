"""The outbox: every email Rollbook sends is a row here first, written in the transaction of
the change that causes it, then sent by the background task (apps/notifications/tasks.py).

One row per parent, child and day for an absence (and at most one follow-up), one per teacher
and roll for a reminder: the unique constraints make a second writer's row the same row."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.school.constraints import same_school
from apps.school.models import Parent, School, SchoolOwned


class NotificationSettings(models.Model):
    """A school's notifications; a school without a row has the defaults. Nothing is sent
    while EMAIL_URL is not configured, whatever ``enabled`` says."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="notification_settings")
    enabled = models.BooleanField(_("send notifications"), default=True)
    absence_delay_minutes = models.PositiveSmallIntegerField(
        _("minutes before an absence email"), default=15, help_text=_("After the child's first absence of the day.")
    )
    reminder_after_minutes = models.PositiveSmallIntegerField(
        _("minutes before a teacher's reminder"),
        default=10,
        help_text=_("After the period starts, if the roll is not taken."),
    )
    sender_name = models.CharField(
        _("sender's name"), max_length=100, blank=True, help_text=_("The school's name when blank.")
    )
    reply_to = models.EmailField(_("reply-to address"), blank=True)

    class Meta:
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return gettext("Notifications of %(school)s") % {"school": self.school}


class ParentPreference(SchoolOwned):
    """A parent's own switch; a parent without a row gets the emails."""

    parent = models.OneToOneField(Parent, on_delete=models.CASCADE, related_name="notification_preference")
    emails = models.BooleanField(_("absence emails"), default=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [same_school("parentpreference", "parent", "school.Parent")]

    def __str__(self) -> str:
        return f"{self.parent}: {gettext('on') if self.emails else gettext('off')}"


class Notification(SchoolOwned):
    class Kind(models.TextChoices):
        ABSENCE = "absence", _("Absence")
        FOLLOW_UP = "follow_up", _("follow-up")
        REMINDER = "reminder", _("Reminder")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    date = models.DateField()
    parent = models.ForeignKey(Parent, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("school.Student", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    teacher = models.ForeignKey("school.Teacher", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(
        "classes.SchoolClass", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period = models.ForeignKey("school.Period", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # Not sent before due_at; a failed attempt moves it on (backoff).
    due_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipient = models.EmailField(blank=True, help_text=_("Where it went (read from the roster when sent)."))
    # What the email told (lessons, homeroom), so that a follow-up tells only what is new.
    included = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "parent", "student", "date"],
                condition=Q(kind__in=["absence", "follow_up"]),
                name="notification_one_per_parent_child_day",
            ),
            models.UniqueConstraint(
                fields=["teacher", "school_class", "period", "date"],
                condition=Q(kind="reminder"),
                name="notification_one_reminder_per_roll",
            ),
            same_school("notification", "parent", "school.Parent"),
            same_school("notification", "student", "school.Student"),
            same_school("notification", "teacher", "school.Teacher"),
            same_school("notification", "school_class", "classes.SchoolClass"),
            same_school("notification", "period", "school.Period"),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="notification_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date} ({self.get_status_display()})"


class ReminderChain(models.Model):
    """The automatic reminders' next run (apps/notifications/tasks.py): one row, the id of the
    task result of the reminders' task that is queued now. Each run queues the next one and
    writes its id here while it holds this row locked, and a run whose id is not here stops: so
    there is one chain of runs however many workers run and however often it is started."""

    next_run = models.CharField(max_length=64, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return gettext("Reminders: next run %(run)s") % {"run": self.next_run or gettext("none")}
