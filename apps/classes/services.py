"""The one write path for class attendance: every roll page tap and every dialect's class
write comes through ``record_class_marks``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef

from apps.audit.models import AuditEntry
from apps.audit.services import PendingMark, save_marks
from apps.classes.models import ClassMark, Enrollment, SchoolClass, TeacherAssignment
from apps.classes.selectors import timetable_slots
from apps.school.access import earliest_editable_date
from apps.school.models import AttendanceCode, School
from apps.school.selectors import codes_for_school, periods_for_school
from apps.school.text import unstorable

MAX_NOTE_LENGTH = 2000


@dataclass(frozen=True)
class ClassMarkInput:
    """A wanted mark. ``period`` is the period number as on the wire (from 1); ``code_id``
    None removes the mark."""

    school_class_id: int
    student_id: int
    date: date
    period: int
    code_id: int | None
    note: str = ""
    minutes_late: int | None = None
    interval: int = 0


@dataclass
class MarkResult:
    """What became of one item. ``status`` is created, updated, unchanged or deleted when it
    was applied, else invalid, not_found or forbidden with ``errors`` by field."""

    index: int
    status: str
    mark: object | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in {"created", "updated", "unchanged", "deleted"}


def check_code(codes: dict[int, AttendanceCode], code_id: int | None, errors: dict[str, list[str]]):
    """The code must be one of the school's enabled codes; returns it (None removes a mark)."""
    if code_id is None:
        return None
    code = codes.get(code_id)
    if code is None:
        errors.setdefault("status", []).append("is not one of the school's attendance codes")
    elif not code.enabled:
        errors.setdefault("status", []).append(f"{code.label} is not enabled in this school")
    return code


def check_note(note: str | None, errors: dict[str, list[str]]) -> None:
    if len(note or "") > MAX_NOTE_LENGTH:
        errors.setdefault("notes", []).append(f"is too long (at most {MAX_NOTE_LENGTH} characters)")
    if problem := unstorable(note):
        errors.setdefault("notes", []).append(problem)


def check_note_and_minutes(item, code, errors: dict[str, list[str]]) -> dict:
    check_note(item.note, errors)
    minutes = item.minutes_late
    if minutes is not None and not (0 <= minutes <= 600):
        errors.setdefault("minutes_late", []).append("must be between 0 and 600")
    # Minutes late only mean something for a late code; a changed code drops them.
    if code is None or code.kind != AttendanceCode.Kind.LATE:
        minutes = None
    return {"code_id": code.pk if code else None, "note": item.note or "", "minutes_late": minutes}


def too_old(index: int, school: School) -> MarkResult:
    """A teacher's change of a roll older than the school's edit window."""
    days = school.teacher_edit_days
    return MarkResult(
        index, "forbidden", errors={"date": [f"is more than {days} days ago; only an admin can change this roll"]}
    )


def results_from(pending: list[PendingMark], failed: list[MarkResult], size: int) -> list[MarkResult]:
    results: list[MarkResult | None] = [None] * size
    for result in failed:
        results[result.index] = result
    for change in pending:
        results[change.index] = MarkResult(index=change.index, status=change.status, mark=change.mark)
    return results  # type: ignore[return-value]


def record_class_marks(*, actor, school: School, marks: Sequence[ClassMarkInput], channel: str) -> list[MarkResult]:
    """Validate each item, then upsert the valid ones and audit every change, in one
    transaction and a constant number of queries. Items are independent: a bad item is
    reported in its result and the others are kept."""
    class_ids = {m.school_class_id for m in marks}
    student_ids = {m.student_id for m in marks}
    # actor None is the system itself (import, demo data): no limits.
    admin_floor = None if actor is None else earliest_editable_date(actor, school)
    is_admin = actor is None or admin_floor is None
    classes_query = SchoolClass.objects.filter(school=school, pk__in=class_ids)
    if not is_admin:  # whether the actor teaches each class, in the same query
        classes_query = classes_query.annotate(
            taught=Exists(
                TeacherAssignment.objects.filter(school=school, school_class_id=OuterRef("pk"), teacher__user=actor)
            )
        )
    classes = {c.pk: c for c in classes_query}
    taught = set(classes) if is_admin else {pk for pk, c in classes.items() if c.taught}
    enrollments = {
        (e.school_class_id, e.student_id): e
        for e in Enrollment.objects.filter(
            school=school, school_class_id__in=class_ids, student_id__in=student_ids
        ).select_related("student")
    }
    # Codes, periods and timetable: read once per request (the roll page has them already).
    codes = {c.pk: c for c in codes_for_school(school)}
    periods = {p.number: p for p in periods_for_school(school)}
    slots: dict[int, dict[int, set[int]]] = {}
    timetabled: set[int] = set()
    for class_id, weekday, _, number, enabled in timetable_slots(school, class_ids):
        timetabled.add(class_id)
        if enabled:
            slots.setdefault(class_id, {}).setdefault(weekday, set()).add(number)

    pending: list[PendingMark] = []
    failed: list[MarkResult] = []
    for index, item in enumerate(marks):
        errors: dict[str, list[str]] = {}
        school_class = classes.get(item.school_class_id)
        if school_class is None or school_class.pk not in taught:
            failed.append(MarkResult(index, "not_found", errors={"class": ["not found"]}))
            continue
        enrollment = enrollments.get((item.school_class_id, item.student_id))
        if enrollment is None or enrollment.student.archived:
            failed.append(MarkResult(index, "not_found", errors={"student_id": ["is not enrolled in this class"]}))
            continue
        if not (school_class.start_date <= item.date <= school_class.end_date):
            errors.setdefault("date", []).append(
                f"must be within the class's dates ({school_class.start_date} to {school_class.end_date})"
            )
        elif (enrollment.start_date and item.date < enrollment.start_date) or (
            enrollment.end_date and item.date > enrollment.end_date
        ):
            errors.setdefault("date", []).append("is outside the student's enrollment in this class")
        if school_class.pk in timetabled:
            allowed = sorted(slots.get(school_class.pk, {}).get(item.date.isoweekday(), set()))
            if item.period not in allowed:
                errors.setdefault("period", []).append(f"must be in [{', '.join(map(str, allowed))}]")
        elif item.period < 1:
            errors.setdefault("period", []).append("must be 1 or more")
        period = periods.get(item.period)
        if period is None and "period" not in errors:
            errors.setdefault("period", []).append("is not one of the school's periods")
        if item.interval < 0:
            errors.setdefault("interval", []).append("must be 0 or more")
        code = check_code(codes, item.code_id, errors)
        values = check_note_and_minutes(item, code, errors)
        if admin_floor is not None and item.date < admin_floor:
            failed.append(too_old(index, school))
            continue
        if errors:
            failed.append(MarkResult(index, "invalid", errors=errors))
            continue
        pending.append(
            PendingMark(
                index=index,
                key={
                    "school_class_id": item.school_class_id,
                    "student_id": item.student_id,
                    "date": item.date,
                    "period_id": period.pk,
                    "interval": item.interval,
                },
                values=None if code is None else values,
            )
        )
    with transaction.atomic():
        save_marks(
            model=ClassMark,
            mark_kind=AuditEntry.MarkKind.CLASS,
            school=school,
            actor=actor,
            channel=channel,
            changes=pending,
        )
    return results_from(pending, failed, len(marks))
