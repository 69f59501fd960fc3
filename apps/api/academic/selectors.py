"""Reads for the course-offering dialect: day records (the most serious mark of a student's
day in a class), and the objects a write names by UUID."""

from __future__ import annotations

import uuid
from datetime import date

from django.db.models import (
    Case,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    UUIDField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from apps.classes.access import covered_marks, visible_classes, visible_students
from apps.classes.models import ClassMark, Enrollment, SchoolClass, TeacherAssignment
from apps.school.access import children_of
from apps.school.models import AttendanceCode, School, Student

Kind = AttendanceCode.Kind

STATUSES = ("present", "absent", "late", "excused")
# Writing: a status becomes the school's code with this ManageBac status (``MANAGEBAC_CODES``).
MB_STATUS_FOR = {"present": 1, "absent": 0, "late": 2, "excused": 13}

# absent > late > excused > other > present: which mark speaks for a student's day.
SEVERITY = Case(
    When(code__kind=Kind.ABSENT, then=Value(4)),
    When(code__kind=Kind.LATE, then=Value(3)),
    When(code__kind=Kind.EXCUSED, then=Value(2)),
    When(code__kind=Kind.OTHER, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)

# A record is a (course enrollment, date): its id is derived from both, so it is the same on
# every read and every write, without a table of its own. Never change this namespace.
RECORD_NAMESPACE = uuid.UUID("5b0c1d4e-7a63-4d0f-9a51-2f6c3e8b9d17")


def record_id(enrollment_uuid: uuid.UUID, on: date) -> uuid.UUID:
    return uuid.uuid5(RECORD_NAMESPACE, f"{enrollment_uuid}/{on.isoformat()}")


def status_of(kind: str, presence: str) -> str:
    """A code as one of the four statuses; ``other`` by its presence."""
    if kind == Kind.OTHER:
        return "present" if presence == AttendanceCode.Presence.PRESENT else "absent"
    return str(kind)


def day_records(
    *,
    user,
    school: School,
    student: Student | None = None,
    school_class: SchoolClass | None = None,
    on: date | None = None,
    start: date | None = None,
    end: date | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[dict]:
    """One row per enrolled student, class and date: the day's most serious mark (ties: the
    earliest period), newest date first, in one query; from ``start`` to ``end`` (inclusive),
    ``limit`` rows from ``offset``. The user sees the classes they may see, the lessons they
    cover and, as a parent, their children's classes."""
    marks = ClassMark.objects.filter(school=school).filter(
        Q(school_class__in=visible_classes(user)) | covered_marks(user) | Q(student__in=children_of(user))
    )
    if student is not None:
        marks = marks.filter(student=student)
    if school_class is not None:
        marks = marks.filter(school_class=school_class)
    if on is not None:
        marks = marks.filter(date=on)
    if start is not None:
        marks = marks.filter(date__gte=start)
    if end is not None:
        marks = marks.filter(date__lte=end)
    ranked = marks.annotate(
        day_rank=Window(
            RowNumber(),
            partition_by=[F("school_class_id"), F("student_id"), F("date")],
            order_by=[SEVERITY.desc(), F("period__number").asc(), F("interval").asc(), F("pk").asc()],
        )
    )
    same_day = ClassMark.objects.filter(
        school_class_id=OuterRef("school_class_id"), student_id=OuterRef("student_id"), date=OuterRef("date")
    )
    class_teachers = TeacherAssignment.objects.filter(school_class_id=OuterRef("school_class_id"))
    rows = (
        ClassMark.objects.filter(pk__in=ranked.filter(day_rank=1).values("pk"))
        .annotate(
            enrollment_uuid=Subquery(
                Enrollment.objects.filter(
                    school_class_id=OuterRef("school_class_id"), student_id=OuterRef("student_id")
                ).values("uuid")[:1]
            ),
            # The record changed when any of the day's marks last changed.
            day_recorded_at=Subquery(same_day.order_by("-recorded_at").values("recorded_at")[:1]),
            # Marks keep who recorded them, not through which assignment: the recorder's own
            # assignment in the class, else the class's first teacher.
            assignment_uuid=Coalesce(
                Subquery(class_teachers.filter(teacher__user_id=OuterRef("recorded_by_id")).values("uuid")[:1]),
                Subquery(class_teachers.order_by("pk").values("uuid")[:1]),
                output_field=UUIDField(),
            ),
        )
        .filter(enrollment_uuid__isnull=False)
        .order_by("-date", "school_class__name", "student__last_name", "student__first_name", "pk")
        .values(
            "enrollment_uuid",
            "day_recorded_at",
            "assignment_uuid",
            "date",
            "school__uuid",
            "school_class__uuid",
            "student__uuid",
            "code__kind",
            "code__presence",
        )
    )
    rows = rows[offset : None if limit is None else offset + limit]
    return [
        {
            "id": record_id(row["enrollment_uuid"], row["date"]),
            "school_id": row["school__uuid"],
            "course_offering_id": row["school_class__uuid"],
            "teacher_assignment_id": row["assignment_uuid"],
            "course_enrollment_id": row["enrollment_uuid"],
            "student_id": row["student__uuid"],
            "attendance_date": row["date"],
            "status": status_of(row["code__kind"], row["code__presence"]),
            "recorded_at": row["day_recorded_at"],
        }
        for row in rows
    ]


def class_by_uuid(user, school: School, class_uuid: uuid.UUID) -> SchoolClass | None:
    """A class the user may see or covers: a cover teacher's writes keep to the lessons their
    covers name (the write path), their reads to those lessons (``day_records``)."""
    classes = visible_classes(user, covering=True)
    return classes.filter(school=school, uuid=class_uuid).select_related("school").first()


def student_by_uuid(user, school: School, student_uuid: uuid.UUID) -> Student | None:
    return visible_students(user).filter(school=school, uuid=student_uuid).first()


def enrollment_by_uuid(school_class: SchoolClass, enrollment_uuid: uuid.UUID) -> Enrollment | None:
    return Enrollment.objects.filter(school_class=school_class, uuid=enrollment_uuid).select_related("student").first()


def assignment_by_uuid(school_class: SchoolClass, assignment_uuid: uuid.UUID) -> TeacherAssignment | None:
    return TeacherAssignment.objects.filter(school_class=school_class, uuid=assignment_uuid).first()


def status_codes(school: School) -> dict[str, AttendanceCode]:
    """The school's code for each writable status (one query)."""
    by_mb = {c.mb_status: c for c in AttendanceCode.objects.filter(school=school, mb_status__in=MB_STATUS_FOR.values())}
    return {name: by_mb[mb] for name, mb in MB_STATUS_FOR.items() if mb in by_mb}
