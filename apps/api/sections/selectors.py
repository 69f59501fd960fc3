"""Reads for the section-style dialect: a section's day records (the most serious mark of each
student's day), its enrollments, and what a write needs to know about the section."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When, Window
from django.db.models.functions import RowNumber

from apps.classes.models import ClassMark, Enrollment, SchoolClass, TeacherAssignment
from apps.school.models import AttendanceCode

Kind = AttendanceCode.Kind

PRESENT, ABSENT, LATE, EXCUSED = 1, 2, 3, 4
SECTION_STATUSES = (PRESENT, ABSENT, LATE, EXCUSED)
# Writing: a section-style status becomes the school's code with this ManageBac status.
MB_STATUS_FOR = {PRESENT: 1, ABSENT: 0, LATE: 2, EXCUSED: 13}

# absent > late > excused > other > present: which mark speaks for a student's day.
SEVERITY = Case(
    When(code__kind=Kind.ABSENT, then=Value(4)),
    When(code__kind=Kind.LATE, then=Value(3)),
    When(code__kind=Kind.EXCUSED, then=Value(2)),
    When(code__kind=Kind.OTHER, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)
# Reading: kind -> status; "other" by presence.
SECTION_STATUS = Case(
    When(code__kind=Kind.ABSENT, then=Value(ABSENT)),
    When(code__kind=Kind.LATE, then=Value(LATE)),
    When(code__kind=Kind.EXCUSED, then=Value(EXCUSED)),
    When(code__kind=Kind.OTHER, code__presence=AttendanceCode.Presence.ABSENT, then=Value(ABSENT)),
    default=Value(PRESENT),
    output_field=IntegerField(),
)

# Teachers are listed among a section's enrollments but have no Enrollment row: their rows
# use the TeacherAssignment id plus this offset, so they can never be mistaken for a student
# enrollment id (those grow by one per student and class, and stay far below it) and still
# fit in the 53 bits a JavaScript client reads exactly.
TEACHER_ID_OFFSET = 1_000_000_000_000


def section_day_records(
    section: SchoolClass,
    *,
    start: date | None = None,
    end: date | None = None,
    enrollment_id: int | None = None,
    only: Q | None = None,
) -> QuerySet[ClassMark]:
    """One mark per enrolled student and date, the most serious of the day (ties: the earliest
    period), leaving out days whose marks are all of kind present; with ``only``, among the
    marks it lets through (a cover teacher's lessons). Each row carries ``enrollment_id`` and
    ``section_status``. Lazy: callers slice and aggregate it in SQL."""
    marks = ClassMark.objects.filter(school_class=section).exclude(code__kind=Kind.PRESENT)
    if only is not None:
        marks = marks.filter(only)
    if start is not None:
        marks = marks.filter(date__gte=start)
    if end is not None:
        marks = marks.filter(date__lte=end)
    if enrollment_id is not None:
        marks = marks.filter(
            student_id__in=Enrollment.objects.filter(pk=enrollment_id, school_class=section).values("student_id")
        )
    ranked = marks.annotate(
        day_rank=Window(
            RowNumber(),
            partition_by=[F("student_id"), F("date")],
            order_by=[SEVERITY.desc(), F("period__number").asc(), F("interval").asc(), F("pk").asc()],
        )
    )
    enrollment = Enrollment.objects.filter(
        school_class_id=OuterRef("school_class_id"), student_id=OuterRef("student_id")
    )
    return (
        ClassMark.objects.filter(pk__in=ranked.filter(day_rank=1).values("pk"))
        .annotate(enrollment_id=Subquery(enrollment.values("pk")[:1]), section_status=SECTION_STATUS)
        .filter(enrollment_id__isnull=False)
    )


def section_records_page(records: QuerySet[ClassMark], *, offset: int, limit: int) -> tuple[list[dict], list[dict]]:
    """One page, by date then enrollment, and one row more than asked to tell whether more
    remain; and how many day records per status over every page (``section_record_totals``),
    counted in the same query, or in a second one for a page past the last."""
    totals = {f"total_{status}": Window(Count("pk", filter=Q(section_status=status))) for status in SECTION_STATUSES}
    page = list(
        records.annotate(**totals)
        .order_by("date", "enrollment_id", "pk")
        .values("enrollment_id", "date", "section_status", "note", *totals)[offset : offset + limit + 1]
    )
    if not page:
        return page, section_record_totals(records) if offset else []
    counted = [{"section_status": s, "count": page[0][f"total_{s}"]} for s in SECTION_STATUSES]
    return page, [total for total in counted if total["count"]]


def section_record_totals(records: QuerySet[ClassMark]) -> list[dict]:
    """How many day records per status, over every page (one query)."""
    return list(records.order_by().values("section_status").annotate(count=Count("pk")).order_by("section_status"))


@dataclass(frozen=True)
class SectionMember:
    """A row of a section's enrollment list: a student (admin 0) or a teacher (admin 1)."""

    id: int
    uid: int
    school_uid: str
    first_name: str
    last_name: str
    admin: int
    status: int


ACTIVE, EXPIRED, ARCHIVED = 1, 2, 5


def _student_member(enrollment: Enrollment, today: date) -> SectionMember:
    student = enrollment.student
    if student.archived:
        status = ARCHIVED
    elif enrollment.end_date and enrollment.end_date < today:
        status = EXPIRED
    else:
        status = ACTIVE
    return SectionMember(
        id=enrollment.pk,
        uid=student.pk,
        school_uid=student.student_number or student.sourced_id,
        first_name=student.first_name,
        last_name=student.last_name,
        admin=0,
        status=status,
    )


def _teacher_member(assignment: TeacherAssignment) -> SectionMember:
    teacher = assignment.teacher
    return SectionMember(
        id=TEACHER_ID_OFFSET + assignment.pk,
        uid=TEACHER_ID_OFFSET + teacher.pk,
        school_uid=teacher.sourced_id,
        first_name=teacher.first_name,
        last_name=teacher.last_name,
        admin=1,
        status=ACTIVE,
    )


def section_members(section: SchoolClass, *, offset: int, limit: int) -> tuple[list[SectionMember], int]:
    """Teachers first, then students by name: one page and the total (three queries)."""
    today = section.school.today()
    teachers = [
        _teacher_member(a)
        for a in TeacherAssignment.objects.filter(school_class=section)
        .select_related("teacher")
        .order_by("teacher__last_name", "teacher__first_name", "pk")
    ]
    enrollments = Enrollment.objects.filter(school_class=section).order_by(
        "student__last_name", "student__first_name", "pk"
    )
    total = len(teachers) + enrollments.count()
    page = teachers[offset : offset + limit]
    student_offset = max(offset - len(teachers), 0)
    student_limit = limit - len(page)
    if student_limit > 0:
        page += [
            _student_member(e, today)
            for e in enrollments.select_related("student")[student_offset : student_offset + student_limit]
        ]
    return page, total


def section_member(section: SchoolClass, member_id: int) -> SectionMember | None:
    """One row of the enrollment list by its id (one query)."""
    if member_id >= TEACHER_ID_OFFSET:
        assignment = (
            TeacherAssignment.objects.filter(school_class=section, pk=member_id - TEACHER_ID_OFFSET)
            .select_related("teacher")
            .first()
        )
        return _teacher_member(assignment) if assignment else None
    enrollment = Enrollment.objects.filter(school_class=section, pk=member_id).select_related("student").first()
    return _student_member(enrollment, section.school.today()) if enrollment else None


def section_enrollments_by_id(section: SchoolClass, ids: set[int]) -> dict[int, Enrollment]:
    """The section's student enrollments among ``ids`` (one query)."""
    return {e.pk: e for e in Enrollment.objects.filter(school_class=section, pk__in=ids)}


def section_codes(section: SchoolClass) -> dict[int, AttendanceCode]:
    """The school's codes for the four section-style statuses, by status (one query)."""
    by_mb = {
        c.mb_status: c
        for c in AttendanceCode.objects.filter(school_id=section.school_id, mb_status__in=MB_STATUS_FOR.values())
    }
    return {status: by_mb[mb] for status, mb in MB_STATUS_FOR.items() if mb in by_mb}
