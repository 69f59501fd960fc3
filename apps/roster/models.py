"""An export a school's office uploaded: kept until it is applied or cancelled, with its preview,
its outcome, who uploaded and applied it and when, and how far the background task has got."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.roster.report import ImportReport
from apps.school.models import School


class RosterUpload(models.Model):
    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking")
        READY = "ready", _("Ready to apply")
        REFUSED = "refused", _("Refused")
        APPLYING = "applying", _("Applying")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="roster_uploads")
    filename = models.CharField(max_length=255)
    export = models.BinaryField(help_text="The export as a .zip; emptied once applied, refused or cancelled")
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="roster_uploads"
    )
    uploaded_at = models.DateTimeField()
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    applied_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="The Tasks API result of the last task")
    # Progress of the running task: its step (apps/roster/sync.py, RosterSync.STEPS) and, in a
    # long step, how many of how many rows are done.
    step = models.CharField(max_length=20, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    preview = models.JSONField(default=dict, help_text="The counts and warnings of the check")
    outcome = models.JSONField(default=dict, help_text="The counts and warnings of the import")
    problems = models.JSONField(default=list)
    error = models.TextField(blank=True, help_text="What stopped a task that failed")

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def running(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.APPLYING)

    @property
    def preview_report(self) -> ImportReport:
        return ImportReport.from_json(self.preview)

    @property
    def outcome_report(self) -> ImportReport:
        return ImportReport.from_json(self.outcome)
