"""Reads of class attendance and of the teacher's Today page, returning plain rows that pages and
dialects render."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum

from apps.attendance.roll import (
    CodeChoice,
    RollCounts,
    RollRow,
    RollSheet,
    excusal_of,
    photo_url,
    roll_code_choices,
    roll_state,
    with_excusal,
    with_photo,
)
from apps.classes.models import (
    ClassMark,
    ClassTermCount,
    Cover,
    CoverPeriod,
    Enrollment,
    SchoolClass,
    TeacherAssignment,
    TimetableSlot,
)
from apps.excusals.models import Excusal
from apps.homeroom.models import DailyMark
from apps.school.memo import remembered_across
from apps.school.models import AttendanceCode, Period, School, Student, Term, YearGroup
from apps.school.selectors import codes_for_school, periods_for_school


def enrolled_students(school_class: SchoolClass, *, on: date | None = None, include_archived: bool = False):
    """The class's students (one query), optionally only those enrolled on a date."""
    # One Exists over the class's own enrollment row, so the dates tested are that row's
    # (chained filters on enrollments__ would each join a different enrollment).
    enrollments = Enrollment.objects.filter(school_class=school_class, student_id=OuterRef("pk"))
    if on is not None:
        enrollments = enrollments.filter(enrollments_on(on))
    students = Student.objects.filter(Exists(enrollments))
    if not include_archived:
        students = students.filter(archived=False)
    return students.order_by("last_name", "first_name", "id")


def class_marks_on(school_class: SchoolClass, on: date, *, only: Q | None = None) -> list[ClassMark]:
    """Every mark of the class on a date (with ``only``, those it lets through: a cover
    teacher's lessons), with code and period (one query)."""
    marks = ClassMark.objects.filter(school_class=school_class, date=on)
    return list(
        (marks if only is None else marks.filter(only))
        .select_related("code", "period")
        .order_by("student_id", "period__number", "interval")
    )


def class_term_counts(
    school_class: SchoolClass, term: Term, *, include_archived: bool = False, from_marks: bool = False
) -> list[tuple]:
    """Per student and code, how many marks in the term (within the class's own dates): (student_id,
    code_id, count) tuples (one query). From the term counts when the class runs the whole
    term, else (or with ``from_marks``) from the marks of the days both cover."""
    start = max(term.start_date, school_class.start_date)
    end = min(term.end_date, school_class.end_date)
    if from_marks or (start, end) != (term.start_date, term.end_date):
        rows = ClassMark.objects.filter(school_class=school_class, date__gte=start, date__lte=end)
        count = Count("id")
    else:
        rows = ClassTermCount.objects.filter(school_class=school_class, term=term)
        count = Sum("marks")
    if not include_archived:
        rows = rows.filter(student__archived=False)
    return list(rows.values_list("student_id", "code_id").annotate(count=count).order_by("student_id", "code_id"))


def class_enrollments(school_class: SchoolClass):
    return Enrollment.objects.filter(school_class=school_class).select_related("student")


def enrollments_on(on: date) -> Q:
    """Enrollment rows current on a date (open-ended dates count as current)."""
    return (Q(start_date__isnull=True) | Q(start_date__lte=on)) & (Q(end_date__isnull=True) | Q(end_date__gte=on))


def excusals_covering(school: School, student_ids, on: date) -> dict[int, Excusal]:
    """The latest excusal covering a date for each student (one query)."""
    found: dict[int, Excusal] = {}
    for excusal in Excusal.objects.filter(
        school=school, student_id__in=student_ids, start_date__lte=on, end_date__gte=on
    ).order_by("student_id", "-created_at"):
        found.setdefault(excusal.student_id, excusal)
    return found


def timetable_slots(school: School, class_ids) -> list[tuple[int, int, int, int, bool]]:
    """The timetable of some classes: (class id, weekday, period id, period number, enabled)
    rows (one query, once per request for the same classes: the roll page and the write path
    both need it; inside a request, once per process until the school's set-up changes)."""
    class_ids = frozenset(class_ids)
    return remembered_across(
        ("slots", school.pk, class_ids),
        school.setup_version,
        lambda: list(
            TimetableSlot.objects.filter(school=school, school_class_id__in=class_ids).values_list(
                "school_class_id", "weekday", "period_id", "period__number", "enabled"
            )
        ),
    )


@dataclass(frozen=True)
class Meetings:
    """When a class meets: its enabled period numbers by ISO weekday, or None when it has no
    timetable at all."""

    by_weekday: dict[int, list[int]] | None

    def on(self, day: date) -> list[int]:
        """The periods the class meets that day: its enabled slots on that weekday, or period 1
        for a class without a timetable; empty when it does not meet that weekday."""
        if self.by_weekday is None:
            return [1]
        return self.by_weekday.get(day.isoweekday(), [])


def class_meetings(school_class: SchoolClass) -> Meetings:
    """The class's meetings (the timetable read the write path shares: one query a request)."""
    slots = timetable_slots(school_class.school, {school_class.pk})
    if not slots:
        return Meetings(None)
    by_weekday: dict[int, set[int]] = {}
    for _, weekday, _, number, enabled in slots:
        if enabled:
            by_weekday.setdefault(weekday, set()).add(number)
    return Meetings({weekday: sorted(numbers) for weekday, numbers in by_weekday.items()})


def with_homeroom_absence(rows: QuerySet, school: School, on: date, student: str) -> QuerySet:
    """``rows`` with the code of the student's homeroom absence that day, if any (a column of
    the same query): a hint on the class roll."""
    absent = DailyMark.objects.filter(
        school=school, student_id=OuterRef(student), date=on, code__presence=AttendanceCode.Presence.ABSENT
    )
    return rows.annotate(homeroom_code_id=Subquery(absent.values("code_id")[:1]))


def class_meeting_period(school_class: SchoolClass, on: date, number: int) -> Period | None:
    """The period if the class meets then: within its dates, and timetabled (an enabled slot
    that weekday) unless the class has no timetable at all. Two queries (periods, slots), both
    remembered for the write path of the same request."""
    if not (school_class.start_date <= on <= school_class.end_date) or school_class.archived:
        return None
    school = school_class.school
    period = next((p for p in periods_for_school(school) if p.number == number), None)
    if period is None:
        return None
    slots = {
        (weekday, period_id, enabled)
        for _, weekday, period_id, _, enabled in timetable_slots(school, [school_class.pk])
    }
    if slots and (on.isoweekday(), period.pk, True) not in slots:
        return None
    return period


def class_periods_on(school_class: SchoolClass, on: date) -> list[Period]:
    """The periods a class meets on a date by its timetable (one query), for a helpful 404."""
    return [
        slot.period
        for slot in TimetableSlot.objects.filter(school_class=school_class, weekday=on.isoweekday(), enabled=True)
        .select_related("period__school")
        .order_by("period__number")
    ]


def roll_enrollments(enrolled: QuerySet, school: School, on: date) -> QuerySet:
    """Enrollment rows as a class roll reads them: each with its student, the excusal covering
    the day, the homeroom absence and whether the student has a photo (one query)."""
    return (
        with_photo(
            with_homeroom_absence(with_excusal(enrolled, school, on, "student_id"), school, on, "student_id"),
            "student_id",
        )
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "student_id")
    )


def current_enrollments(on: date) -> Q:
    """The roll's students on a date: enrolled then, not archived."""
    return enrollments_on(on) & Q(student__archived=False)


def class_roll_sheet(
    school_class: SchoolClass,
    on: date,
    period: Period,
    *,
    student_id: int | None = None,
    enrollments: list[Enrollment] | None = None,
) -> RollSheet:
    """The roll of one class meeting (or only one student's row of it, for a tap): two queries
    whatever the class size (enrolled students with their excusal and homeroom absence, this
    lesson's and earlier lessons' marks; the codes are kept across requests); none when the page
    has read the ``enrollments`` and their marks already (apps/classes/tapped.py)."""
    school = school_class.school
    codes = roll_code_choices(school)
    enabled = {c.code.pk: c.code for c in codes}
    by_id = {c.pk: c for c in codes_for_school(school)}
    if enrollments is None:
        enrolled = Enrollment.objects.filter(current_enrollments(on), school_class=school_class)
        if student_id is not None:
            enrolled = enrolled.filter(student_id=student_id)
        enrollments = list(roll_enrollments(enrolled, school, on))
        marks, previous = _lesson_marks(school_class, on, period, [e.student_id for e in enrollments])
    else:
        marks = {e.student_id: e.lesson_mark for e in enrollments if e.lesson_mark is not None}
        previous = {e.student_id: e.earlier_mark for e in enrollments if e.earlier_mark is not None}
        for mark in marks.values():
            mark.period = period
    for mark in (*marks.values(), *previous.values()):
        mark.code = by_id[mark.code_id]
        mark.period.school = school
    rows = [
        RollRow(
            student=e.student,
            mark=marks.get(e.student_id),
            suggestion=enabled.get(e.homeroom_code_id),
            excusal=excusal_of(e),
            previous=previous.get(e.student_id),
            photo_url=photo_url(e, e.student_id),
        )
        for e in enrollments
    ]
    return RollSheet(codes=codes, rows=rows)


def _lesson_marks(
    school_class: SchoolClass, on: date, period: Period, ids: list[int]
) -> tuple[dict[int, ClassMark], dict[int, ClassMark]]:
    """The students' marks in this lesson, and each one's latest mark in an earlier lesson that
    day (with its period and class), in one read."""
    marks: dict[int, ClassMark] = {}
    previous: dict[int, ClassMark] = {}
    lessons = (
        ClassMark.objects.filter(school=school_class.school, student_id__in=ids, date=on)
        .filter(Q(period__number__lt=period.number) | Q(school_class=school_class, period=period, interval=0))
        .select_related("period", "school_class")
        .order_by("student_id", "-period__number", "-interval", "-id")
    )
    for mark in lessons:
        if mark.school_class_id == school_class.pk and mark.period_id == period.pk and mark.interval == 0:
            marks[mark.student_id] = mark
        else:
            previous.setdefault(mark.student_id, mark)
    return marks, previous


def roll_counts(codes: list[CodeChoice], row, before: int | None, now: int | None) -> RollCounts:
    """The roll's counts over its ``codes`` (the sheet's) from a tap's row read before it saved
    (``roll_total`` and ``roll_codes``: apps/classes/tapped.py), with the tapped student's mark
    moved from the code ``before`` to ``now`` (None: unmarked): no query of its own."""
    tally = Counter(int(code) for code in (row.roll_codes or "").split(",") if code)
    if before is not None and tally[before] > 0:
        tally[before] -= 1
    if now is not None:
        tally[now] += 1
    total = row.roll_total or 0
    rows = [(code, n) for code, n in tally.items() if n] + [(None, total - sum(tally.values()))]
    return RollCounts.of(codes, rows)


def class_roll_counts(school_class: SchoolClass, on: date, period: Period) -> RollCounts:
    """The counts at the top of a class roll, fresh after a tap: students enrolled that day
    and their marks by code, in one aggregate query."""
    mark = ClassMark.objects.filter(
        school_class=school_class, student_id=OuterRef("student_id"), date=on, period=period, interval=0
    )
    rows = (
        Enrollment.objects.filter(enrollments_on(on), school_class=school_class, student__archived=False)
        .annotate(code_id=Subquery(mark.values("code_id")[:1]))
        .values("code_id")
        .annotate(n=Count("id"))
        .values_list("code_id", "n")
    )
    return RollCounts.of(roll_code_choices(school_class.school), rows)


@dataclass
class TodayClass:
    """A class meeting on the teacher's day, with how far its roll is taken."""

    slot: TimetableSlot
    total: int
    marked: int
    covering: bool = False  # a lesson the teacher covers, not their own
    when: str = ""  # "now" (the lesson under way) or "next" (the next to begin): see mark_the_time

    @property
    def state(self) -> str:
        return roll_state(self.marked, self.total)


def mark_the_time(meetings: list[TodayClass], now: datetime, first_start: time | None) -> str:
    """Mark the lesson under way at ``now`` (aware, in the school's time zone) as "now", else
    the next to begin as "next"; returns what homeroom is: "now" until the school's first
    period begins (``first_start``), else "". Lessons without times are never marked."""
    at = now.time()
    timed = [m for m in meetings if m.slot.period.start_time is not None]
    for m in timed:
        end = m.slot.period.end_time
        if m.slot.period.start_time <= at and (end is None or at < end):
            m.when = "now"
            break
    else:
        upcoming = [m for m in timed if m.slot.period.start_time > at]
        if upcoming:
            upcoming[0].when = "next"
    return "now" if first_start is not None and at < first_start else ""


def why_not_a_school_day(school: School, on: date) -> str:
    """An empty string when ``on`` is a school day; otherwise why not: "holiday" (outside every term of the
    school) or "weekend" (a weekday with no lesson on the school's timetable; a school with no
    timetable at all meets Monday to Friday). One query."""
    slots = TimetableSlot.objects.filter(school=school, enabled=True)
    row = (
        School.objects.filter(pk=school.pk)
        .annotate(
            in_term=Exists(Term.objects.filter(school=school, start_date__lte=on, end_date__gte=on)),
            meets=Exists(slots.filter(weekday=on.isoweekday())),
            timetabled=Exists(slots),
        )
        .values_list("in_term", "meets", "timetabled")
        .first()
    )
    in_term, meets, timetabled = row or (False, False, False)
    if not in_term:
        return "holiday"
    if not (meets if timetabled else on.isoweekday() <= 5):
        return "weekend"
    return ""


def classes_taught_on(user, on: date) -> list[TodayClass]:
    """The teacher's class meetings on a date by the timetable, by period, with the lessons they
    cover that day (``covering``): three queries (slots, enrolled counts, mark counts)."""
    current = Q(school_class__archived=False, school_class__start_date__lte=on, school_class__end_date__gte=on)
    links = CoverPeriod.objects.filter(cover=OuterRef("pk"))
    covers = Cover.objects.filter(
        school_class_id=OuterRef("school_class_id"), teacher__user=user, start_date__lte=on, end_date__gte=on
    ).filter(~Exists(links) | Exists(links.filter(period_id=OuterRef(OuterRef("period_id")))))
    own = TeacherAssignment.objects.filter(teacher__user=user)
    slots = list(
        TimetableSlot.objects.filter(
            Q(school_class_id__in=own.values("school_class_id"))
            | Q(school_class_id__in=Cover.objects.filter(teacher__user=user).values("school_class_id")),
            current,
            weekday=on.isoweekday(),
            enabled=True,
        )
        .annotate(own=Exists(own.filter(school_class_id=OuterRef("school_class_id"))), covering=Exists(covers))
        .filter(Q(own=True) | Q(covering=True))
        .select_related("school_class", "period__school")
        .order_by("period__number", "school_class__name")
    )
    class_ids = {s.school_class_id for s in slots}
    totals = dict(
        Enrollment.objects.filter(enrollments_on(on), school_class_id__in=class_ids, student__archived=False)
        .values("school_class_id")
        .annotate(n=Count("id"))
        .values_list("school_class_id", "n")
    )
    current = Enrollment.objects.filter(
        enrollments_on(on), school_class_id=OuterRef("school_class_id"), student_id=OuterRef("student_id")
    )
    marked = {
        (class_id, period_id): n
        for class_id, period_id, n in ClassMark.objects.filter(
            Exists(current), school_class_id__in=class_ids, date=on, interval=0, student__archived=False
        )
        .values("school_class_id", "period_id")
        .annotate(n=Count("id"))
        .values_list("school_class_id", "period_id", "n")
    }
    return [
        TodayClass(
            slot=s,
            total=totals.get(s.school_class_id, 0),
            marked=marked.get((s.school_class_id, s.period_id), 0),
            covering=s.covering and not s.own,
        )
        for s in slots
    ]


@dataclass
class TodayYearGroup:
    """An advised year group's homeroom roll on a date, with how far it is taken."""

    year_group: YearGroup
    total: int
    marked: int

    @property
    def state(self) -> str:
        return roll_state(self.marked, self.total)


def year_groups_advised_on(user, on: date) -> list[TodayYearGroup]:
    """The year groups the user advises, with students and daily (homeroom) marks counted in SQL
    (one query), for the Today page beside the classes they teach."""
    groups = (
        YearGroup.objects.filter(advisor_links__teacher__user=user)
        .select_related("school")
        .annotate(
            total=Count("students", filter=Q(students__archived=False), distinct=True),
            marked=Count(
                "students__daily_marks",
                filter=Q(students__archived=False, students__daily_marks__date=on),
                distinct=True,
            ),
        )
        .order_by("grade", "name")
    )
    return [TodayYearGroup(year_group=g, total=g.total, marked=g.marked) for g in groups]
