"""Bulk marks: a code for chosen students over several days, in chosen periods or whole days
(every lesson and homeroom), planned once for the preview and again, under the write path's
locks, for the save, which goes through ``record_class_marks`` and ``record_daily_marks``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext

from apps.attendance.channels import Channel
from apps.attendance.engine import lock_marks
from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark, Enrollment, TimetableSlot
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.homeroom.models import DailyMark
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from apps.school.models import AttendanceCode, Period, School, Student, Term

# The most marks one bulk save writes: a year group's week, not the school's term.
MAX_MARKS = 5000


@dataclass(frozen=True)
class Lesson:
    """One mark the plan is about: a class lesson (class and period) or homeroom (both None)."""

    student: Student
    day: date
    class_name: str = ""
    school_class_id: int | None = None
    period: Period | None = None

    @property
    def where(self) -> str:
        if self.period is None:
            return gettext("Homeroom")
        return gettext("%(class_name)s, period %(label)s") % {"class_name": self.class_name, "label": self.period.label}


@dataclass
class Kept:
    lesson: Lesson
    code: AttendanceCode


@dataclass
class Plan:
    """What a bulk save would do: marks to create, marks with another code to change (with
    overwrite) or keep (without), and marks that already have the code (left as they are)."""

    created: list[Lesson] = field(default_factory=list)
    changed: list[Kept] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    same: int = 0
    too_many: bool = False

    @property
    def writes(self) -> int:
        return len(self.created) + len(self.changed)


def school_days(school: School, start: date, end: date) -> list[date]:
    """The days from start to end in a term, on a weekday the school meets (its timetable's
    weekdays; Monday to Friday for a school with none): two queries."""
    terms = list(
        Term.objects.filter(school=school, start_date__lte=end, end_date__gte=start).values_list(
            "start_date", "end_date"
        )
    )
    weekdays = set(
        TimetableSlot.objects.filter(school=school, enabled=True).values_list("weekday", flat=True).distinct()
    ) or {1, 2, 3, 4, 5}
    days = []
    day = start
    while day <= end:
        if day.isoweekday() in weekdays and any(a <= day <= b for a, b in terms):
            days.append(day)
        day += timedelta(days=1)
    return days


def _lessons(school: School, students: list[Student], days: list[date], numbers: set[int] | None) -> list[Lesson]:
    """Every lesson of the students on the days (their classes' timetables, a class without a
    timetable meeting in period 1), in the periods ``numbers`` or all; with none named, their
    homeroom too. Three queries."""
    periods = {p.number: p for p in Period.objects.filter(school=school)}
    for p in periods.values():
        p.school = school
    by_student = {s.pk: s for s in students}
    enrollments = list(
        Enrollment.objects.filter(school=school, student_id__in=by_student, school_class__archived=False)
        .select_related("school_class")
        .order_by("school_class__name", "id")
    )
    meets: dict[int, dict[int, set[int]]] = {}
    timetabled: set[int] = set()
    for class_id, weekday, number, enabled in TimetableSlot.objects.filter(
        school=school, school_class_id__in={e.school_class_id for e in enrollments}
    ).values_list("school_class_id", "weekday", "period__number", "enabled"):
        timetabled.add(class_id)
        if enabled:
            meets.setdefault(class_id, {}).setdefault(weekday, set()).add(number)
    lessons: list[Lesson] = []
    for day in days:
        for student in students:
            if numbers is None:
                lessons.append(Lesson(student, day))
        for e in enrollments:
            c = e.school_class
            if not (c.start_date <= day <= c.end_date):
                continue
            if (e.start_date and day < e.start_date) or (e.end_date and day > e.end_date):
                continue
            held = meets.get(c.pk, {}).get(day.isoweekday(), set()) if c.pk in timetabled else {1}
            for number in sorted(held if numbers is None else held & numbers):
                if number in periods:
                    lessons.append(Lesson(by_student[e.student_id], day, c.name, c.pk, periods[number]))
    return lessons


def _key(lesson: Lesson) -> dict:
    if lesson.period is None:
        return {"student_id": lesson.student.pk, "date": lesson.day}
    return {
        "school_class_id": lesson.school_class_id,
        "student_id": lesson.student.pk,
        "date": lesson.day,
        "period_id": lesson.period.pk,
        "interval": 0,
    }


def plan(
    school: School,
    students: list[Student],
    code: AttendanceCode,
    start: date,
    end: date,
    numbers: set[int] | None,
    *,
    overwrite: bool,
    lock: bool = False,
) -> Plan:
    """What a bulk save would do now; with ``lock`` (inside the save's transaction), first take
    the write path's locks of every mark it may write, so that what it keeps is what is there."""
    lessons = _lessons(school, students, school_days(school, start, end), numbers)
    if len(lessons) > MAX_MARKS:
        return Plan(too_many=True)
    daily = [lesson for lesson in lessons if lesson.period is None]
    lessons_of_classes = [lesson for lesson in lessons if lesson.period is not None]
    if lock:
        lock_marks(
            school_id=school.pk,
            model=ClassMark,
            mark_kind=AuditEntry.MarkKind.CLASS,
            keys=[_key(lesson) for lesson in lessons_of_classes],
        )
        lock_marks(
            school_id=school.pk,
            model=DailyMark,
            mark_kind=AuditEntry.MarkKind.DAILY,
            keys=[_key(lesson) for lesson in daily],
        )
    codes = {c.pk: c for c in AttendanceCode.objects.filter(school=school)}
    ids = [s.pk for s in students]
    existing: dict[tuple, int] = {}
    if lessons_of_classes:
        for row in ClassMark.objects.filter(
            school=school, student_id__in=ids, date__gte=start, date__lte=end, interval=0
        ).values_list("school_class_id", "student_id", "date", "period_id", "code_id"):
            existing[row[:4]] = row[4]
    if daily:
        for student_id, day, code_id in DailyMark.objects.filter(
            school=school, student_id__in=ids, date__gte=start, date__lte=end
        ).values_list("student_id", "date", "code_id"):
            existing[(student_id, day)] = code_id
    result = Plan()
    for lesson in lessons:
        there = existing.get(tuple(_key(lesson).values())[:4])
        if there is None:
            result.created.append(lesson)
        elif there == code.pk:
            result.same += 1
        elif overwrite:
            result.changed.append(Kept(lesson, codes[there]))
        else:
            result.kept.append(Kept(lesson, codes[there]))
    return result


@dataclass
class Saved:
    plan: Plan
    created: int
    changed: int
    refused: list[tuple[Lesson, dict]]


def apply(
    *,
    actor,
    school: School,
    students: list[Student],
    code: AttendanceCode,
    start: date,
    end: date,
    numbers: set[int] | None,
    note: str,
    overwrite: bool,
) -> Saved:
    """Plan under the locks and save it in one transaction through the write path (channel web)."""
    with transaction.atomic():
        found = plan(school, students, code, start, end, numbers, overwrite=overwrite, lock=True)
        if found.too_many:
            return Saved(found, 0, 0, [])
        writes = [*found.created, *(k.lesson for k in found.changed)]
        daily = [lesson for lesson in writes if lesson.period is None]
        lessons = [lesson for lesson in writes if lesson.period is not None]
        results = []
        if lessons:
            results += record_class_marks(
                actor=actor,
                school=school,
                channel=Channel.WEB,
                marks=[
                    ClassMarkInput(
                        lesson.school_class_id, lesson.student.pk, lesson.day, lesson.period.number, code.pk, note=note
                    )
                    for lesson in lessons
                ],
            )
        if daily:
            results += record_daily_marks(
                actor=actor,
                school=school,
                channel=Channel.WEB,
                marks=[DailyMarkInput(lesson.student.pk, lesson.day, code.pk, note=note) for lesson in daily],
            )
        ordered = [*lessons, *daily]
        return Saved(
            found,
            created=sum(r.status == "created" for r in results),
            changed=sum(r.status == "updated" for r in results),
            refused=[(lesson, r.errors) for lesson, r in zip(ordered, results, strict=True) if not r.ok],
        )
