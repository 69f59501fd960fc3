"""Daily (homeroom) attendance, PowerSchool time entries, and term adjustments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.attendance import term_counts
from apps.attendance.channels import Channel
from apps.school.constraints import same_school
from apps.school.models import AttendanceCode, School, SchoolOwned, Student, Term


class DailyMark(SchoolOwned):
    """One student's attendance for one school day, taken in homeroom."""

    # PROTECT throughout: a mark is never removed by a cascade (deleting its school, class or
    # student is refused while it exists).
    school = models.ForeignKey(School, on_delete=models.PROTECT)
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="daily_marks")
    date = models.DateField()
    code = models.ForeignKey(AttendanceCode, on_delete=models.PROTECT, related_name="daily_marks")
    note = models.TextField(blank=True)
    # A note is for staff unless the teacher shares it: only shared notes reach a family page.
    shared_with_family = models.BooleanField(default=False)
    minutes_late = models.PositiveSmallIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    recorded_at = models.DateTimeField()

    # What the attendance engine names a mark by, and what it changes and logs.
    KEY_FIELDS = ("student_id", "date")
    VALUE_FIELDS = ("code_id", "note", "shared_with_family", "minutes_late")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "date"], name="dailymark_one_per_day"),
            same_school("dailymark", "student", "school.Student"),
            same_school("dailymark", "code", "school.AttendanceCode"),
        ]
        indexes = [
            models.Index(fields=["school", "date"], name="dailymark_school_date_idx"),
            # A year group's term summary reads only these columns: an index-only scan per
            # student on PostgreSQL (about 5x faster than scanning the term's marks of the school).
            models.Index(fields=["student", "date"], include=["code"], name="dailymark_student_code_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.date}: {self.code_id}"


class DailyTermCount(SchoolOwned):
    """How many daily marks of a code a student has in a term, and how many of them an excusal
    covers: what the term reports read instead of the marks. Kept by whoever changes the marks,
    excusals or terms (``apps/attendance/term_counts.py``), never written elsewhere."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    code = models.ForeignKey(AttendanceCode, on_delete=models.CASCADE, related_name="+")
    marks = models.PositiveIntegerField()
    covered = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "student", "code"], name="dailytermcount_one_per_code"),
        ]
        indexes = [
            models.Index(fields=["school", "term"], name="dailytermcount_school_term_idx"),
            models.Index(fields=["student", "term"], name="dailytermcount_student_idx"),
        ]


term_counts.register(DailyMark, DailyTermCount, ("student_id",))


class TimeEntry(SchoolOwned):
    """Minutes of attendance (PowerSchool ``ATT_ModeTime``); several a day; id is the ``dcid``."""

    # PROTECT throughout: a mark is never removed by a cascade (deleting its school, class or
    # student is refused while it exists).
    school = models.ForeignKey(School, on_delete=models.PROTECT)
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="time_entries")
    date = models.DateField()
    code = models.ForeignKey(AttendanceCode, on_delete=models.PROTECT, related_name="time_entries")
    minutes = models.PositiveIntegerField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    recorded_at = models.DateTimeField()

    # A day may have several entries: the engine names one by its id, and logs its student and day too.
    KEY_FIELDS = ("id",)
    VALUE_FIELDS = ("code_id", "minutes", "note")
    AUDIT_KEY_FIELDS = ("id", "student_id", "date")

    class Meta:
        verbose_name_plural = "time entries"
        constraints = [
            models.CheckConstraint(condition=Q(minutes__lte=24 * 60), name="timeentry_minutes_in_a_day"),
            same_school("timeentry", "student", "school.Student"),
            same_school("timeentry", "code", "school.AttendanceCode"),
        ]
        indexes = [models.Index(fields=["student", "date"], name="timeentry_student_date_idx")]


class Adjustment(SchoolOwned):
    """A signed correction to a student's count of a code in a term (ManageBac adjustments)."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="adjustments")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="adjustments")
    code = models.ForeignKey(
        AttendanceCode, on_delete=models.PROTECT, related_name="adjustments", verbose_name=_("Code")
    )
    adjustment = models.IntegerField(_("Adjustment"))
    reason = models.CharField(_("Reason"), max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "term", "code"], name="adjustment_unique"),
            same_school("adjustment", "student", "school.Student"),
            same_school("adjustment", "term", "school.Term"),
            same_school("adjustment", "code", "school.AttendanceCode"),
        ]
