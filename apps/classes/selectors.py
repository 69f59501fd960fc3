"""Reads of class attendance, returning plain rows that pages and dialects render."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q

from apps.classes.models import ClassMark, Enrollment, SchoolClass, TimetableSlot
from apps.excusals.models import Excusal
from apps.homeroom.models import DailyMark
from apps.school.models import DEFAULT_PRESENT_STATUS, AttendanceCode, Period, School, Student, Term


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


def class_marks_on(school_class: SchoolClass, on: date) -> list[ClassMark]:
    """Every mark of the class on a date, with code and period (one query)."""
    return list(
        ClassMark.objects.filter(school_class=school_class, date=on)
        .select_related("code", "period")
        .order_by("student_id", "period__number", "interval")
    )


def class_term_counts(school_class: SchoolClass, term: Term, *, include_archived: bool = False) -> list[dict]:
    """Per student and code, how many marks in the term: rows of student_id, code_id, count,
    aggregated in SQL (one query)."""
    start = max(term.start_date, school_class.start_date)
    end = min(term.end_date, school_class.end_date)
    marks = ClassMark.objects.filter(school_class=school_class, date__gte=start, date__lte=end)
    if not include_archived:
        marks = marks.filter(student__archived=False)
    return list(marks.values("student_id", "code_id").annotate(count=Count("id")).order_by("student_id", "code_id"))


def class_enrollments(school_class: SchoolClass):
    return Enrollment.objects.filter(school_class=school_class).select_related("student")


# --- the roll pages -------------------------------------------------------------------------------

ROLL_NAVIGATION_KEYS = {"j", "k"}


@dataclass(frozen=True)
class CodeChoice:
    """An enabled code as a roll button: its keyboard shortcuts are a digit (the first ten
    codes, in the school's order) and its abbreviation when that is a single letter."""

    code: AttendanceCode
    digit: str
    letter: str

    @property
    def keys(self) -> str:
        return " ".join(k for k in (self.digit, self.letter) if k)

    @property
    def is_late(self) -> bool:
        return self.code.kind == AttendanceCode.Kind.LATE


def roll_code_choices(school: School) -> list[CodeChoice]:
    """The school's enabled codes in order, each with its shortcuts (one query)."""
    choices = []
    for position, code in enumerate(AttendanceCode.objects.filter(school=school, enabled=True)):
        digit = str((position + 1) % 10) if position < 10 else ""
        abbreviation = code.abbreviation.lower()
        letter = (
            abbreviation
            if len(abbreviation) == 1
            and abbreviation.isascii()
            and abbreviation.isalpha()
            and abbreviation not in ROLL_NAVIGATION_KEYS
            else ""
        )
        choices.append(CodeChoice(code=code, digit=digit, letter=letter))
    return choices


@dataclass
class RollRow:
    """One student on a roll: the saved mark, and what the teacher should see beside it."""

    student: Student
    mark: ClassMark | DailyMark | None = None
    suggestion: AttendanceCode | None = None  # pre-selected, not saved (absent in homeroom)
    excusal: Excusal | None = None
    previous: ClassMark | None = None  # the student's mark in the lesson before, that day
    errors: dict[str, list[str]] = field(default_factory=dict)
    # What the teacher sent when a save failed, so the page shows it back instead of the saved mark.
    submitted: tuple[int | None, str, int | None] | None = None
    url: str = ""  # where a tap on this row posts; set by the page

    @property
    def saved_code_id(self) -> int | None:
        return self.mark.code_id if self.mark else None

    @property
    def checked_code_id(self) -> int | None:
        """The code the form pre-selects: what was sent, else the saved mark, else the suggestion."""
        if self.submitted is not None:
            return self.submitted[0]
        if self.mark:
            return self.mark.code_id
        return self.suggestion.pk if self.suggestion else None

    @property
    def note(self) -> str:
        if self.submitted is not None:
            return self.submitted[1]
        return self.mark.note if self.mark else ""

    @property
    def minutes_late(self) -> int | None:
        if self.submitted is not None:
            return self.submitted[2]
        return self.mark.minutes_late if self.mark else None

    @property
    def is_late(self) -> bool:
        return bool(self.mark and self.mark.code.kind == AttendanceCode.Kind.LATE)

    @property
    def error_messages(self) -> list[str]:
        names = {"status": "Mark", "notes": "Note", "minutes_late": "Minutes late", "student_id": "Student"}
        return [
            f"{names.get(name, name.replace('_', ' ').capitalize())} {message}"
            for name, messages in self.errors.items()
            for message in messages
        ]


@dataclass
class RollSheet:
    """A whole roll (a class meeting or a homeroom day): codes, one row per student, counts."""

    codes: list[CodeChoice]
    rows: list[RollRow]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def marked(self) -> int:
        return sum(1 for row in self.rows if row.mark is not None)

    @property
    def state(self) -> str:
        return roll_state(self.marked, self.total)

    @property
    def counts(self) -> list[tuple[AttendanceCode, int]]:
        """How many students carry each code, in the school's order, codes in use only."""
        tally: dict[int, int] = {}
        for row in self.rows:
            if row.mark is not None:
                tally[row.mark.code_id] = tally.get(row.mark.code_id, 0) + 1
        return [(c.code, tally[c.code.pk]) for c in self.codes if c.code.pk in tally]

    def row_for(self, student_id: int) -> RollRow | None:
        return next((row for row in self.rows if row.student.pk == student_id), None)

    @property
    def excused_code(self) -> AttendanceCode | None:
        return next((c.code for c in self.codes if c.code.mb_status == EXCUSED_STATUS), None)

    @property
    def present_code(self) -> AttendanceCode | None:
        return next((c.code for c in self.codes if c.code.mb_status == DEFAULT_PRESENT_STATUS), None)


EXCUSED_STATUS = 13  # ManageBac's "Excused"


def roll_state(marked: int, total: int) -> str:
    """not_taken, partly_taken or taken."""
    if marked == 0:
        return "not_taken"
    return "taken" if marked >= total else "partly_taken"


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


def class_meeting_period(school_class: SchoolClass, on: date, number: int) -> Period | None:
    """The period if the class meets then: within its dates, and timetabled (an enabled slot
    that weekday) unless the class has no timetable at all. Two queries."""
    if not (school_class.start_date <= on <= school_class.end_date) or school_class.archived:
        return None
    period = Period.objects.filter(school=school_class.school, number=number).select_related("school").first()
    if period is None:
        return None
    slots = list(TimetableSlot.objects.filter(school_class=school_class).values_list("weekday", "period_id", "enabled"))
    if slots and (on.isoweekday(), period.pk, True) not in set(slots):
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


def class_roll_sheet(school_class: SchoolClass, on: date, period: Period) -> RollSheet:
    """The roll of one class meeting: six queries whatever the class size (enrolled students,
    codes, marks, excusals, homeroom marks, earlier lessons' marks)."""
    school = school_class.school
    students = [
        e.student
        for e in Enrollment.objects.filter(enrollments_on(on), school_class=school_class, student__archived=False)
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "student_id")
    ]
    codes = roll_code_choices(school)
    enabled = {c.code.pk: c.code for c in codes}
    ids = [s.pk for s in students]
    marks = {
        m.student_id: m
        for m in ClassMark.objects.filter(school_class=school_class, date=on, period=period, interval=0).select_related(
            "code"
        )
    }
    excusals = excusals_covering(school, ids, on)
    homeroom = dict(
        DailyMark.objects.filter(
            school=school, student_id__in=ids, date=on, code__presence=AttendanceCode.Presence.ABSENT
        ).values_list("student_id", "code_id")
    )
    previous: dict[int, ClassMark] = {}
    for mark in (
        ClassMark.objects.filter(school=school, student_id__in=ids, date=on, period__number__lt=period.number)
        .select_related("code", "period__school", "school_class")
        .order_by("student_id", "-period__number", "-interval")
    ):
        previous.setdefault(mark.student_id, mark)
    rows = [
        RollRow(
            student=student,
            mark=marks.get(student.pk),
            suggestion=enabled.get(homeroom.get(student.pk)),
            excusal=excusals.get(student.pk),
            previous=previous.get(student.pk),
        )
        for student in students
    ]
    return RollSheet(codes=codes, rows=rows)


@dataclass
class TodayClass:
    """A class meeting on the teacher's day, with how far its roll is taken."""

    slot: TimetableSlot
    total: int
    marked: int

    @property
    def state(self) -> str:
        return roll_state(self.marked, self.total)


def classes_taught_on(user, on: date) -> list[TodayClass]:
    """The teacher's class meetings on a date by the timetable, by period: three queries
    (slots, enrolled counts, mark counts)."""
    slots = list(
        TimetableSlot.objects.filter(
            school_class__in=SchoolClass.objects.filter(
                assignments__teacher__user=user, archived=False, start_date__lte=on, end_date__gte=on
            ),
            weekday=on.isoweekday(),
            enabled=True,
        )
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
            slot=s, total=totals.get(s.school_class_id, 0), marked=marked.get((s.school_class_id, s.period_id), 0)
        )
        for s in slots
    ]
