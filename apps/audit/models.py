"""The change log of every change that moves a figure: marks, and (apps/audit/log.py) excusals,
term adjustments, attendance codes, school settings and API clients. Append-only."""

from __future__ import annotations

from django.conf import settings
from django.db import connection, models
from django.utils.translation import gettext_lazy as _

from apps.attendance.channels import Channel
from apps.school.models import School, SchoolOwned


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit entries are never edited")

    def delete(self):
        raise TypeError("Audit entries are never deleted")


def purge_in_this_transaction() -> None:
    """Let the current transaction delete audit entries, which PostgreSQL's trigger (migration
    0004_append_only) otherwise refuses (an update stays refused)."""
    if not connection.in_atomic_block:
        raise RuntimeError("purge_in_this_transaction needs a transaction: the setting lasts until it ends")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL rollbook.audit_purge = 'on'")


def purge_school_log(school: School) -> None:
    """Delete a school's whole log in the caller's transaction, in one DELETE past the
    queryset's refusal: for removing the demo school, whose log goes with it; nothing else
    deletes the log."""
    purge_in_this_transaction()
    entries = AuditEntry.objects.filter(school=school)
    entries._raw_delete(entries.db)


class ChangeChannel(models.TextChoices):
    """Where a change that is not a mark may also come from."""

    ADMIN = "admin", _("Django admin")
    SHELL = "shell", _("Shell")


CHANNELS = [*Channel.choices, *ChangeChannel.choices]


class AuditEntry(SchoolOwned):
    class MarkKind(models.TextChoices):
        """What changed: a mark (the first three), or another row that moves a figure."""

        CLASS = "class", _("Class mark")
        DAILY = "daily", _("Homeroom mark")
        TIME = "time", _("Time entry")
        EXCUSAL = "excusal", _("Excusal")
        ADJUSTMENT = "adjustment", _("Term adjustment")
        CODE = "code", _("Attendance code")
        SETTINGS = "settings", _("School settings")
        API_CLIENT = "api_client", _("API client")
        PREFERENCE = "preference", _("Parent's emails")
        NOTIFY = "notify", _("Notification settings")
        LANGUAGE = "language", _("Language")

    MARKS = (MarkKind.CLASS, MarkKind.DAILY, MarkKind.TIME)

    # PROTECT: an entry is never removed by a cascade; its school cannot be deleted while it exists.
    school = models.ForeignKey(School, on_delete=models.PROTECT)
    mark_kind = models.CharField("what changed", max_length=10, choices=MarkKind.choices)
    mark_id = models.BigIntegerField(help_text="Id of the mark (or other row); kept after it is gone")
    # A class mark changed by a teacher covering the class (apps/classes/models.py: Cover) also
    # has "covering": true in its key.
    key = models.JSONField(
        help_text="What the mark is of: class, student, date, period, interval; for another row, "
        "what it belongs to (a student, a term, a user)"
    )
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # PROTECT too: a login that changed something stays (deactivate it instead), so that the
    # entry keeps who, and is never edited to forget it.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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
