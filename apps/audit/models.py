"""The change log of every change that moves a figure: marks, and (apps/audit/log.py) excusals,
term adjustments, attendance codes, school settings and API clients. Append-only."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.classes.models import Channel
from apps.school.models import SchoolOwned


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit entries are never edited")

    def delete(self):
        raise TypeError("Audit entries are never deleted")


class ChangeChannel(models.TextChoices):
    """Where a change that is not a mark may also come from."""

    ADMIN = "admin", "Django admin"
    SHELL = "shell", "Shell"


CHANNELS = [*Channel.choices, *ChangeChannel.choices]


class AuditEntry(SchoolOwned):
    class MarkKind(models.TextChoices):
        """What changed: a mark (the first three), or another row that moves a figure."""

        CLASS = "class", "Class mark"
        DAILY = "daily", "Homeroom mark"
        TIME = "time", "Time entry"
        EXCUSAL = "excusal", "Excusal"
        ADJUSTMENT = "adjustment", "Term adjustment"
        CODE = "code", "Attendance code"
        SETTINGS = "settings", "School settings"
        API_CLIENT = "api_client", "API client"

    MARKS = (MarkKind.CLASS, MarkKind.DAILY, MarkKind.TIME)

    mark_kind = models.CharField("what changed", max_length=10, choices=MarkKind.choices)
    mark_id = models.BigIntegerField(help_text="Id of the mark (or other row); kept after it is gone")
    key = models.JSONField(
        help_text="What the mark is of: class, student, date, period, interval; for another row, "
        "what it belongs to (a student, a term, a user)"
    )
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=20, choices=CHANNELS)
    changed_at = models.DateTimeField()

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["mark_kind", "mark_id"], name="audit_mark_idx")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit entries are never edited")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit entries are never deleted")
