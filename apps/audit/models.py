"""The change log of every attendance mark: append-only."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.attendance.channels import Channel
from apps.school.models import SchoolOwned


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit entries are never edited")

    def delete(self):
        raise TypeError("Audit entries are never deleted")


class AuditEntry(SchoolOwned):
    class MarkKind(models.TextChoices):
        CLASS = "class"
        DAILY = "daily"
        TIME = "time"

    mark_kind = models.CharField(max_length=10, choices=MarkKind.choices)
    mark_id = models.BigIntegerField(help_text="Id of the mark; kept after the mark is gone")
    key = models.JSONField(help_text="What the mark is of: class, student, date, period, interval")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
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
