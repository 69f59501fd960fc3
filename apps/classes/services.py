"""The one write path for class attendance: every roll page tap and every dialect's class
write comes through ``record_class_marks``; a dialect that writes a whole day of a class
(section-style, course-offering) comes through ``record_class_days``, which calls it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef

from apps.attendance.engine import MarkBatch, PendingMark, lock_marks
from apps.attendance.rules import MarkResult, check_code, check_note_and_minutes, results_from, too_old
from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark, Cover, Enrollment, SchoolClass, TeacherAssignment
from apps.classes.selectors import class_meetings, timetable_slots
from apps.notifications.absences import marks_saved
from apps.school.access import earliest_editable_date
from apps.school.memo import recalled, remember
from apps.school.models import AttendanceCode, School
from apps.school.selectors import codes_for_school, periods_for_school


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
    shared_with_family: bool | None = None  # None keeps the mark's choice (a new note: staff only)


def record_class_marks(*, actor, school: School, marks: Sequence[ClassMarkInput], channel: str) -> list[MarkResult]:
    """Lock the marks, validate each item against what is there now, then upsert the valid ones
    and audit every change, in one transaction and a constant number of queries. Items are
    independent: a bad item is reported in its result and the others are kept."""
    class_ids = {m.school_class_id for m in marks}
    student_ids = {m.student_id for m in marks}
    # actor None is the system itself (import, demo data): no limits.
    admin_floor = None if actor is None else earliest_editable_date(actor, school)
    is_admin = actor is None or admin_floor is None
    # Codes, periods and timetable: read once per request (the roll page has them already).
    codes = {c.pk: c for c in codes_for_school(school)}
    periods = {p.number: p for p in periods_for_school(school)}

    def key(item: ClassMarkInput, period) -> dict:
        return {
            "school_class_id": item.school_class_id,
            "student_id": item.student_id,
            "date": item.date,
            "period_id": period.pk,
            "interval": item.interval,
        }

    # No savepoint of its own inside a caller's transaction: a failure undoes the caller's too.
    with transaction.atomic(savepoint=False):
        batch = MarkBatch(
            model=ClassMark,
            mark_kind=AuditEntry.MarkKind.CLASS,
            school=school,
            keys=[key(m, periods[m.period]) for m in marks if m.period in periods],
        )
        # A tap's page has read the class and the enrollment in this request (``already_read``).
        classes = recalled(_classes_key(actor, school, class_ids, is_admin)) or _classes_to_write(
            actor, school, class_ids, is_admin
        )
        taught = set(classes) if is_admin else {pk for pk, c in classes.items() if c.taught}
        # The covers of classes the actor does not teach: one more query, only for a cover teacher.
        covered = {pk for pk, c in classes.items() if pk not in taught and c.covered}
        covers = _covers(actor, school, covered) if covered else {}
        enrollments = recalled(_enrollments_key(school, class_ids, student_ids)) or {
            (e.school_class_id, e.student_id): e
            for e in Enrollment.objects.filter(
                school=school, school_class_id__in=class_ids, student_id__in=student_ids
            ).select_related("student")
        }
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
            covering = school_class is not None and school_class.pk in covered
            if school_class is None or not (school_class.pk in taught or covering):
                failed.append(MarkResult(index, "not_found", errors={"class": ["not found"]}))
                continue
            # A cover teacher reaches the class only in the lessons their covers name.
            if covering and not any(
                c.opens(item.date, periods.get(item.period)) for c in covers.get(school_class.pk, ())
            ):
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
            code = check_code(codes, item.code_id, errors, channel=channel)
            existing = batch.existing.get(batch.key_of(key(item, period))) if period is not None else None
            values = check_note_and_minutes(item, code, errors, existing)
            if admin_floor is not None and item.date < admin_floor:
                failed.append(too_old(index, school))
                continue
            if errors:
                failed.append(MarkResult(index, "invalid", errors=errors))
                continue
            pending.append(
                PendingMark(
                    index=index, key=key(item, period), values=None if code is None else values, covering=covering
                )
            )
        batch.save(actor=actor, channel=channel, changes=pending)
        marks_saved(school=school, channel=channel, changes=pending)
    return results_from(pending, failed, len(marks))


def _classes_key(actor, school: School, class_ids, is_admin: bool) -> tuple:
    return ("classes to write", actor.pk if actor is not None else None, school.pk, frozenset(class_ids), is_admin)


def _enrollments_key(school: School, class_ids, student_ids) -> tuple:
    return ("enrollments to write", school.pk, frozenset(class_ids), frozenset(student_ids))


def _classes_to_write(actor, school: School, class_ids, is_admin: bool) -> dict[int, SchoolClass]:
    """The classes, and unless the actor runs the school whether they teach or cover each (one query)."""
    classes_query = SchoolClass.objects.filter(school=school, pk__in=class_ids)
    if not is_admin:  # whether the actor teaches or covers each class, in the same query
        classes_query = classes_query.annotate(**teaches_or_covers(actor, school))
    return {c.pk: c for c in classes_query}


def teaches_or_covers(actor, school: School, school_class: str = "pk") -> dict:
    """``taught`` and ``covered``: whether the actor teaches or covers the row's class (the column
    ``school_class`` names), as the write path reads them."""
    mine = {"school": school, "school_class_id": OuterRef(school_class), "teacher__user": actor}
    return {
        "taught": Exists(TeacherAssignment.objects.filter(**mine)),
        "covered": Exists(Cover.objects.filter(**mine)),
    }


def already_read(actor, school_class: SchoolClass, enrollment: Enrollment, *, runs: bool) -> None:
    """For a tap on a roll page: the class and the student's enrollment (with its student), as
    the page's own query read them in this request (``taught`` and ``covered`` annotated by
    ``teaches_or_covers``, ``runs``: whether the actor administers the school), so that
    ``record_class_marks`` checks its item against them instead of reading them again."""
    school = school_class.school
    ids, students = {school_class.pk}, {enrollment.student_id}
    remember(_classes_key(actor, school, ids, runs), {school_class.pk: school_class})
    remember(_enrollments_key(school, ids, students), {(school_class.pk, enrollment.student_id): enrollment})


@dataclass(frozen=True)
class _Cover:
    start_date: date
    end_date: date
    period_ids: frozenset[int]  # empty: every period

    def opens(self, day: date, period) -> bool:
        return (
            period is not None
            and self.start_date <= day <= self.end_date
            and (not self.period_ids or period.pk in self.period_ids)
        )


def _covers(actor, school: School, class_ids) -> dict[int, list[_Cover]]:
    """The actor's covers of these classes, by class (one query)."""
    rows: dict[int, tuple[int, date, date, set[int]]] = {}
    for pk, class_id, start, end, period_id in Cover.objects.filter(
        school=school, school_class_id__in=class_ids, teacher__user=actor
    ).values_list("pk", "school_class_id", "start_date", "end_date", "period_links__period_id"):
        rows.setdefault(pk, (class_id, start, end, set()))[3].update({period_id} - {None})
    found: dict[int, list[_Cover]] = {}
    for class_id, start, end, period_ids in rows.values():
        found.setdefault(class_id, []).append(_Cover(start, end, frozenset(period_ids)))
    return found


@dataclass(frozen=True)
class ClassDayInput:
    """A student's attendance in every period a class meets on a day. ``note`` None keeps each
    period's note and minutes late."""

    student_id: int
    date: date
    code_id: int
    note: str | None = None


def record_class_days(
    *,
    actor,
    school_class: SchoolClass,
    days: Sequence[ClassDayInput],
    channel: str,
    same_status: Callable[[AttendanceCode, AttendanceCode], bool] | None = None,
) -> list[list[MarkResult]]:
    """Write each day as the class marks of every period the class meets that day (period 1
    without a timetable), through ``record_class_marks``; one list of results per day, empty
    when the class does not meet that day (``class_meetings(...).on(day)`` tells beforehand).

    A day that keeps notes (``note`` None) also rewrites any other interval already marked in
    those periods, and a period whose code ``same_status`` says already reads as the wanted one
    keeps it (Health stays Health rather than becoming Excused). What it keeps is read under the
    write path's locks: never an older note put back over another writer's change."""
    school = school_class.school
    meetings = class_meetings(school_class)
    codes = {c.pk: c for c in codes_for_school(school)}
    keeping = [day for day in days if day.note is None]
    marks: list[ClassMarkInput] = []
    positions: list[range] = []
    with transaction.atomic(savepoint=False):
        existing: dict[tuple, list[ClassMark]] = {}
        if keeping:
            period_ids = {p.number: p.pk for p in periods_for_school(school)}
            lock_marks(
                school_id=school.pk,
                model=ClassMark,
                mark_kind=AuditEntry.MarkKind.CLASS,
                keys=[
                    {
                        "school_class_id": school_class.pk,
                        "student_id": day.student_id,
                        "date": day.date,
                        "period_id": period_ids[number],
                        "interval": 0,
                    }
                    for day in keeping
                    for number in meetings.on(day.date)
                    if number in period_ids
                ],
            )
            for mark in ClassMark.objects.filter(
                school=school,
                school_class=school_class,
                student_id__in={d.student_id for d in keeping},
                date__in={d.date for d in keeping},
            ).select_related("code", "period"):
                existing.setdefault((mark.student_id, mark.date), []).append(mark)
        for day in days:
            first = len(marks)
            periods = meetings.on(day.date)
            if day.note is None:
                by_meeting = {(m.period.number, m.interval): m for m in existing.get((day.student_id, day.date), [])}
                wanted = codes.get(day.code_id)
                for number, interval in sorted({(n, 0) for n in periods} | {k for k in by_meeting if k[0] in periods}):
                    current = by_meeting.get((number, interval))
                    keep = (
                        current is not None
                        and wanted is not None
                        and same_status is not None
                        and current.code.enabled
                        and same_status(current.code, wanted)
                    )
                    marks.append(
                        ClassMarkInput(
                            school_class_id=school_class.pk,
                            student_id=day.student_id,
                            date=day.date,
                            period=number,
                            interval=interval,
                            code_id=current.code_id if keep else day.code_id,
                            note=current.note if current else "",
                            minutes_late=current.minutes_late if current else None,
                        )
                    )
            else:
                marks.extend(
                    ClassMarkInput(
                        school_class_id=school_class.pk,
                        student_id=day.student_id,
                        date=day.date,
                        period=number,
                        code_id=day.code_id,
                        note=day.note,
                    )
                    for number in periods
                )
            positions.append(range(first, len(marks)))
        results = record_class_marks(actor=actor, school=school, marks=marks, channel=channel) if marks else []
    return [[results[p] for p in span] for span in positions]
