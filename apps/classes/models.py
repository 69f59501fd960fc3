"""Classes (ManageBac class = section = course offering), who teaches and attends them, when
they meet, and the class marks taken at those meetings."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from apps.attendance import term_counts
from apps.attendance.channels import Channel
from apps.school.constraints import same_school
from apps.school.dates import DateRange
from apps.school.models import (
    AcademicYear,
    AttendanceCode,
    Period,
    School,
    SchoolOwned,
    Student,
    Teacher,
    school_and_id,
)


class SchoolClass(SchoolOwned):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sourced_id = models.CharField(max_length=255, blank=True, db_index=True)
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=100, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    grade = models.CharField(max_length=20, blank=True)
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="classes")
    start_date = models.DateField(validators=[DateRange()])
    end_date = models.DateField(validators=[DateRange()])
    archived = models.BooleanField(default=False)
    teachers = models.ManyToManyField(Teacher, through="TeacherAssignment", related_name="classes", blank=True)

    class Meta:
        verbose_name = "class"
        verbose_name_plural = "classes"
        ordering = ["name"]
        constraints = [
            school_and_id("schoolclass"),
            same_school("schoolclass", "academic_year", "school.AcademicYear"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="schoolclass_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.name


class TeacherAssignment(SchoolOwned):
    """A teacher teaching a class; its UUID is the Athena ``teacher_assignment_id``."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sourced_id = models.CharField(max_length=255, blank=True, db_index=True)
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="assignments")
    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="assignments")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school_class", "teacher"], name="teacherassignment_unique"),
            same_school("teacherassignment", "school_class", "classes.SchoolClass"),
            same_school("teacherassignment", "teacher", "school.Teacher"),
        ]


class Enrollment(SchoolOwned):
    """A student in a class: its id is the section-style ``enrollment_id`` and PowerSchool
    ``ccid``; its UUID the Athena ``course_enrollment_id``."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sourced_id = models.CharField(max_length=255, blank=True, db_index=True)
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="enrollments")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="enrollments")
    start_date = models.DateField(null=True, blank=True, validators=[DateRange()])
    end_date = models.DateField(null=True, blank=True, validators=[DateRange()])

    class Meta:
        constraints = [
            school_and_id("enrollment"),
            models.UniqueConstraint(fields=["school_class", "student"], name="enrollment_unique"),
            same_school("enrollment", "school_class", "classes.SchoolClass"),
            same_school("enrollment", "student", "school.Student"),
        ]

    def __str__(self) -> str:
        return f"{self.student} in {self.school_class}"


class TimetableSlot(SchoolOwned):
    """When a class meets: ISO weekday (1 Monday … 7 Sunday) and period."""

    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (i, d)
            for i, d in enumerate(
                ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"], start=1
            )
        ]
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="slots")
    location = models.CharField(max_length=100, blank=True)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["weekday", "period__number"]
        constraints = [
            models.UniqueConstraint(fields=["school_class", "weekday", "period"], name="timetableslot_unique"),
            models.CheckConstraint(condition=Q(weekday__gte=1, weekday__lte=7), name="timetableslot_weekday_1_7"),
            same_school("timetableslot", "school_class", "classes.SchoolClass"),
            same_school("timetableslot", "period", "school.Period"),
        ]
        indexes = [models.Index(fields=["school", "weekday", "period"], name="slot_day_period_idx")]


class ClassMark(SchoolOwned):
    """One student's attendance at one class meeting (date and period, and interval)."""

    # PROTECT throughout: a mark is never removed by a cascade (deleting its school, class or
    # student is refused while it exists).
    school = models.ForeignKey(School, on_delete=models.PROTECT)
    school_class = models.ForeignKey(SchoolClass, on_delete=models.PROTECT, related_name="marks")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="class_marks")
    date = models.DateField()
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="marks")
    interval = models.PositiveSmallIntegerField(default=0, help_text="PowerSchool att_interval; 0 for none")
    code = models.ForeignKey(AttendanceCode, on_delete=models.PROTECT, related_name="class_marks")
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
    KEY_FIELDS = ("school_class_id", "student_id", "date", "period_id", "interval")
    VALUE_FIELDS = ("code_id", "note", "shared_with_family", "minutes_late")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "student", "date", "period", "interval"], name="classmark_one_per_meeting"
            ),
            same_school("classmark", "school_class", "classes.SchoolClass"),
            same_school("classmark", "student", "school.Student"),
            same_school("classmark", "period", "school.Period"),
            same_school("classmark", "code", "school.AttendanceCode"),
        ]
        indexes = [
            # The roll page and the class term summary: a class's marks by date.
            models.Index(fields=["school_class", "date"], name="classmark_class_date_idx"),
            # A student's marks over a term (parents, chronic absence, previous lesson hint).
            models.Index(fields=["student", "date"], name="classmark_student_date_idx"),
            # School-wide reports by date range.
            models.Index(fields=["school", "date"], name="classmark_school_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.date} P{self.period_id}: {self.code_id}"


class ClassTermCount(SchoolOwned):
    """How many class marks of a code a student has in a class in a term, and how many of them an
    excusal covers: what the term reports read instead of the marks. Kept by whoever changes the
    marks, excusals or terms (``apps/attendance/term_counts.py``), never written elsewhere."""

    term = models.ForeignKey("school.Term", on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    code = models.ForeignKey(AttendanceCode, on_delete=models.CASCADE, related_name="+")
    marks = models.PositiveIntegerField()
    covered = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["term", "school_class", "student", "code"], name="classtermcount_one_per_code"
            ),
        ]
        indexes = [
            # A class's rows in a term (the class report, ManageBac's class summary) come from the
            # unique constraint; the school's term report reads the term's rows of the school.
            models.Index(fields=["school", "term"], name="classtermcount_school_term_idx"),
            # Recomputing a student's rows (an excusal, a tap).
            models.Index(fields=["student", "term"], name="classtermcount_student_idx"),
        ]


term_counts.register(ClassMark, ClassTermCount, ("school_class_id", "student_id"))


class Cover(SchoolOwned):
    """A teacher covering a class from one date to another (inclusive): all its lessons on those
    days, or only the periods listed. The cover teacher may take and change those rolls on those
    days; the class's own teachers keep theirs."""

    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="covers")
    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="covers")
    start_date = models.DateField(validators=[DateRange()])
    end_date = models.DateField(validators=[DateRange()])
    periods = models.ManyToManyField(Period, through="CoverPeriod", blank=True, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_date", "id"]
        constraints = [
            school_and_id("cover"),
            same_school("cover", "school_class", "classes.SchoolClass"),
            same_school("cover", "teacher", "school.Teacher"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="cover_dates_ordered"),
        ]
        indexes = [models.Index(fields=["teacher", "end_date"], name="cover_teacher_end_idx")]

    def __str__(self) -> str:
        return f"{self.teacher} covering {self.school_class} {self.start_date}–{self.end_date}"


class CoverPeriod(SchoolOwned):
    """One period a cover is limited to (a cover with none covers every lesson of its days)."""

    cover = models.ForeignKey(Cover, on_delete=models.CASCADE, related_name="period_links")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cover", "period"], name="coverperiod_unique"),
            same_school("coverperiod", "cover", "classes.Cover"),
            same_school("coverperiod", "period", "school.Period"),
        ]
