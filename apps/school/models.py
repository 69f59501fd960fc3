"""The school and its people, calendar, periods and attendance codes."""

from __future__ import annotations

import secrets
import uuid
import zoneinfo
from datetime import date

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from apps.school.constraints import same_school
from apps.school.dates import DateRange


def language_choices() -> list[tuple[str, str]]:
    """settings.LANGUAGES, read when asked: a language added there needs no migration; each named
    in the reader's language (Django's own catalogue holds the names)."""
    return [(code, _(name)) for code, name in settings.LANGUAGES]


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone")


def new_setup_version() -> int:
    return secrets.randbits(62)


class School(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sourced_id = models.CharField(max_length=255, blank=True, db_index=True)
    name = models.CharField(max_length=200)
    number = models.PositiveIntegerField(unique=True, help_text="PowerSchool schoolid")
    timezone = models.CharField(_("Time zone"), max_length=64, default="UTC", validators=[validate_timezone])
    periods_from_zero = models.BooleanField(
        _("Count periods from 0"), default=False, help_text="Only changes how periods are labelled."
    )
    attendance_in_sis = models.BooleanField(
        _("Attendance managed in the SIS"),
        default=False,
        help_text="Section-style attendance endpoints answer 410 Gone.",
    )
    teacher_edit_days = models.PositiveSmallIntegerField(_("Days back teachers may edit a roll"), default=7)
    # Changed (to a new random number) by the database itself whenever one of the school's codes,
    # periods or timetable slots is inserted, updated or deleted, in the same transaction
    # (triggers: migrations school 0005 and classes 0006): what apps/school/memo.py keeps the
    # school's set-up under, across requests.
    setup_version = models.BigIntegerField(default=new_setup_version, editable=False)

    default_language = models.CharField(
        _("Default language"),
        max_length=10,
        choices=language_choices,
        default="en-gb",
        help_text="Of pages and emails, for those who have not chosen their own language.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def today(self) -> date:
        from django.utils import timezone

        return timezone.localdate(timezone=zoneinfo.ZoneInfo(self.timezone))

    @property
    def period_offset(self) -> int:
        """How a period number on the wire (from 1) differs from its label."""
        return -1 if self.periods_from_zero else 0


class SchoolOwned(models.Model):
    """Every row belongs to exactly one school; (school, id) is unique so others can point at it."""

    school = models.ForeignKey(School, on_delete=models.CASCADE)

    class Meta:
        abstract = True


def school_and_id(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=["school", "id"], name=f"{name}_school_id_key")


class AcademicYear(SchoolOwned):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sourced_id = models.CharField(max_length=255, blank=True, db_index=True)
    name = models.CharField(max_length=100)
    start_date = models.DateField(validators=[DateRange()])
    end_date = models.DateField(validators=[DateRange()])

    class Meta:
        ordering = ["start_date"]
        constraints = [
            school_and_id("academicyear"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="academicyear_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.name


class Term(SchoolOwned):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sourced_id = models.CharField(max_length=255, blank=True, db_index=True)
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(max_length=100)
    start_date = models.DateField(validators=[DateRange()])
    end_date = models.DateField(validators=[DateRange()])

    class Meta:
        ordering = ["start_date"]
        constraints = [
            school_and_id("term"),
            same_school("term", "academic_year", "school.AcademicYear"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="term_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.name


class Period(SchoolOwned):
    number = models.PositiveSmallIntegerField(help_text="From 1, as on the wire")
    name = models.CharField(max_length=50, blank=True)
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            school_and_id("period"),
            models.UniqueConstraint(fields=["school", "number"], name="period_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="period_number_from_1"),
        ]

    def __str__(self) -> str:
        return self.name or gettext("Period %(label)s") % {"label": self.label}

    @property
    def label(self) -> int:
        return self.number + self.school.period_offset


class Person(SchoolOwned):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sourced_id = models.CharField(max_length=255, blank=True, db_index=True)
    first_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(_("Email address"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def initials(self) -> str:
        return f"{self.first_name[:1]}{self.last_name[:1]}".upper()


def one_login_per_school(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["school", "user"], condition=Q(user__isnull=False), name=f"{name}_one_per_user_and_school"
    )


class Teacher(Person):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="teacher_roles"
    )

    class Meta(Person.Meta):
        constraints = [school_and_id("teacher"), one_login_per_school("teacher")]


class Administrator(Person):
    """An attendance manager: may do everything in their school."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="admin_roles"
    )

    class Meta(Person.Meta):
        constraints = [school_and_id("administrator"), one_login_per_school("administrator")]


class YearGroup(SchoolOwned):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sourced_id = models.CharField(max_length=255, blank=True, db_index=True)
    name = models.CharField(max_length=100)
    grade = models.CharField(max_length=20, blank=True)
    advisors = models.ManyToManyField(Teacher, through="Advisor", related_name="advised_year_groups", blank=True)

    class Meta:
        ordering = ["grade", "name"]
        constraints = [school_and_id("yeargroup")]

    def __str__(self) -> str:
        return self.name


class Advisor(SchoolOwned):
    """A teacher who takes a year group's homeroom (daily) roll."""

    year_group = models.ForeignKey(YearGroup, on_delete=models.CASCADE, related_name="advisor_links")
    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="advisor_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year_group", "teacher"], name="advisor_unique"),
            same_school("advisor", "year_group", "school.YearGroup"),
            same_school("advisor", "teacher", "school.Teacher"),
        ]

    def __str__(self) -> str:
        return f"{self.teacher} advises {self.year_group}"


class Student(Person):
    student_number = models.CharField(max_length=50, blank=True)
    year_group = models.ForeignKey(YearGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="students")
    archived = models.BooleanField(default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="student_roles"
    )

    class Meta(Person.Meta):
        constraints = [
            school_and_id("student"),
            one_login_per_school("student"),
            same_school("student", "year_group", "school.YearGroup"),
        ]
        indexes = [models.Index(fields=["school", "year_group", "archived"], name="student_year_group_idx")]


class Parent(Person):
    children = models.ManyToManyField(Student, through="Guardianship", related_name="parents", blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="parent_roles"
    )

    class Meta(Person.Meta):
        constraints = [school_and_id("parent"), one_login_per_school("parent")]


class Guardianship(SchoolOwned):
    parent = models.ForeignKey(Parent, on_delete=models.CASCADE, related_name="guardianships")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardianships")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["parent", "student"], name="guardianship_unique"),
            same_school("guardianship", "parent", "school.Parent"),
            same_school("guardianship", "student", "school.Student"),
        ]

    def __str__(self) -> str:
        return f"{self.parent} of {self.student}"


class AttendanceCode(SchoolOwned):
    class Kind(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        LATE = "late", _("Late")
        EXCUSED = "excused", _("Excused")
        OTHER = "other", _("Other")

    class Presence(models.TextChoices):
        PRESENT = "Present", pgettext_lazy("counts towards attendance", "Present")
        ABSENT = "Absent", pgettext_lazy("counts towards attendance", "Absent")

    abbreviation = models.CharField(_("Abbreviation"), max_length=10)
    label = models.CharField(_("Label"), max_length=50)
    mb_status = models.SmallIntegerField(
        "ManageBac status", null=True, blank=True, help_text="-1 is the default 'present' of a taken roll"
    )
    kind = models.CharField(_("Kind"), max_length=10, choices=Kind.choices)
    presence = models.CharField(_("Presence"), max_length=10, choices=Presence.choices)
    enabled = models.BooleanField(_("Enabled"), default=True)
    quick = models.BooleanField(
        _("Quick button"),
        default=False,
        help_text="Shown as its own button on every roll row; the others are under “More”.",
    )
    colour = models.CharField(_("Colour"), max_length=7, default="#6b7280", help_text="#rrggbb")
    sort_order = models.SmallIntegerField(_("Order"), default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [
            school_and_id("attendancecode"),
            models.UniqueConstraint(fields=["school", "mb_status"], name="attendancecode_mb_status_unique"),
            models.UniqueConstraint(fields=["school", "abbreviation"], name="attendancecode_abbreviation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.abbreviation} {self.label}"

    @property
    def is_default_present(self) -> bool:
        return self.mb_status == DEFAULT_PRESENT_STATUS

    @property
    def counts_as_present(self) -> bool:
        return self.presence == self.Presence.PRESENT


DEFAULT_PRESENT_STATUS = -1
# ManageBac's explicit Present (1) reads as the default present (-1) on every page people read:
# one "Present" on rolls, counts, reports, charts, calendars and exports (apps/school/selectors.py,
# as_people_read). The APIs keep them apart.
PRESENT_STATUS = 1
QUICK_BY_DEFAULT = {DEFAULT_PRESENT_STATUS, 0, 2}  # Present, Absent, Late

# ManageBac's statuses and labels (tests/seeds/000_*.txt, "Available statuses"; -1 is the roll's default
# present of tests/seeds/002_*.txt), each with its abbreviation, kind, presence and colour:
# (status, abbreviation, label, kind, presence, colour).
MANAGEBAC_CODES: list[tuple[int, str, str, str, str, str]] = [
    (-1, "✓", "Present", "present", "Present", "#15803d"),
    (1, "P", "Present", "present", "Present", "#15803d"),
    (0, "A", "Absent", "absent", "Absent", "#b91c1c"),
    (2, "L", "Late", "late", "Present", "#b45309"),
    (13, "E", "Excused", "excused", "Absent", "#1d4ed8"),
    (10, "H", "Health", "excused", "Absent", "#1d4ed8"),
    (3, "DC", "Dress Code", "other", "Present", "#6b21a8"),
    (4, "LD", "Late & Dress Code", "late", "Present", "#b45309"),
    (5, "D", "Dismissed", "other", "Absent", "#9f1239"),
    (11, "S", "Sports", "present", "Present", "#0f766e"),
    (12, "F", "Fieldtrip", "present", "Present", "#0f766e"),
    (14, "O", "Other", "other", "Absent", "#4b5563"),
    (15, "C1", "Custom 1", "other", "Present", "#4b5563"),
    (16, "C2", "Custom 2", "other", "Present", "#4b5563"),
    (17, "C3", "Custom 3", "other", "Present", "#4b5563"),
    (18, "C4", "Custom 4", "other", "Present", "#4b5563"),
]


class StudentPhoto(SchoolOwned):
    """A student's photo as a small JPEG thumbnail (apps/school/photos.py), kept in the database:
    a child's personal data, served only by the photo view to those who may see the student."""

    student = models.OneToOneField(Student, on_delete=models.CASCADE, related_name="photo")
    thumbnail = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [same_school("studentphoto", "student", "school.Student")]

    def __str__(self) -> str:
        return f"Photo of {self.student_id}"


class Profile(models.Model):
    """What a login keeps of its own, in every school and role it has: the language its pages
    and emails are in (blank: not chosen yet; apps/languages/choice.py)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rollbook_profile")
    language = models.CharField(_("Language"), max_length=10, choices=language_choices, blank=True)

    def __str__(self) -> str:
        return f"Profile of {self.user_id}"


class LoginSession(AbstractBaseSession):
    """A signed-in session (apps/school/sessions.py), with the user it signs in as a column of
    its own, so that one query reads the session and its user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)

    @classmethod
    def get_session_store_class(cls):
        from apps.school.sessions import SessionStore

        return SessionStore
