"""The one write path for daily attendance: daily (homeroom) marks through
``record_daily_marks`` and PowerSchool's minutes through ``record_time_entries``; the homeroom
roll page and every dialect's daily write come through them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from apps.attendance.engine import MarkBatch, PendingMark
from apps.attendance.rules import MarkResult, check_code, check_note, check_note_and_minutes, results_from, too_old
from apps.audit.models import AuditEntry
from apps.homeroom.models import DailyMark, TimeEntry
from apps.notifications.absences import marks_saved
from apps.school.access import earliest_editable_date
from apps.school.models import AcademicYear, Advisor, AttendanceCode, School, Student
from apps.school.selectors import codes_for_school


@dataclass(frozen=True)
class DailyMarkInput:
    """A wanted daily mark; ``code_id`` None removes it."""

    student_id: int
    date: date
    code_id: int | None
    note: str = ""
    minutes_late: int | None = None
    shared_with_family: bool | None = None  # None keeps the mark's choice (a new note: staff only)


@dataclass(frozen=True)
class DailyRules:
    """What every daily write checks, loaded once for a batch (four queries): which students the
    actor may mark (admins: the school's; advisors: their year groups'), the school's codes,
    the academic years around the dates, and the teachers' edit window."""

    school: School
    students: dict[int, Student]
    advised: set[int] | None
    codes: dict[int, AttendanceCode]
    years: list[tuple[date, date]]
    floor: date | None

    @classmethod
    def load(cls, *, actor, school: School, items: Sequence) -> DailyRules:
        floor = None if actor is None else earliest_editable_date(actor, school)
        advised = (
            None
            if actor is None or floor is None
            else set(Advisor.objects.filter(school=school, teacher__user=actor).values_list("year_group_id", flat=True))
        )
        dates = {item.date for item in items}
        years = (
            AcademicYear.objects.filter(school=school, start_date__lte=max(dates), end_date__gte=min(dates))
            if dates
            else AcademicYear.objects.none()
        )
        return cls(
            school=school,
            students={s.pk: s for s in Student.objects.filter(school=school, pk__in={i.student_id for i in items})},
            advised=advised,
            codes={c.pk: c for c in codes_for_school(school)},
            years=list(years.values_list("start_date", "end_date")),
            floor=floor,
        )

    def may_mark(self, student_id: int) -> bool:
        student = self.students.get(student_id)
        return (
            student is not None
            and not student.archived
            and (self.advised is None or student.year_group_id in self.advised)
        )

    def check_date(self, day: date, errors: dict[str, list[str]]) -> None:
        if not any(start <= day <= end for start, end in self.years):
            errors.setdefault("date", []).append("is not in one of the school's academic years")

    def too_old(self, day: date) -> bool:
        return self.floor is not None and day < self.floor


def record_daily_marks(*, actor, school: School, marks: Sequence[DailyMarkInput], channel: str) -> list[MarkResult]:
    """Lock the marks, validate each item against what is there now, then upsert the valid ones
    and audit every change, in one transaction and a constant number of queries. Items are
    independent."""
    # No savepoint of its own inside a caller's transaction: a failure undoes the caller's too.
    with transaction.atomic(savepoint=False):
        batch = MarkBatch(
            model=DailyMark,
            mark_kind=AuditEntry.MarkKind.DAILY,
            school=school,
            keys=[{"student_id": item.student_id, "date": item.date} for item in marks],
        )
        rules = DailyRules.load(actor=actor, school=school, items=marks)
        pending: list[PendingMark] = []
        failed: list[MarkResult] = []
        for index, item in enumerate(marks):
            errors: dict[str, list[str]] = {}
            if not rules.may_mark(item.student_id):
                failed.append(MarkResult(index, "not_found", errors={"student_id": ["not found"]}))
                continue
            rules.check_date(item.date, errors)
            code = check_code(rules.codes, item.code_id, errors, channel=channel)
            existing = batch.existing.get((item.student_id, item.date))
            values = check_note_and_minutes(item, code, errors, existing)
            if rules.too_old(item.date):
                failed.append(too_old(index, school))
                continue
            if errors:
                failed.append(MarkResult(index, "invalid", errors=errors))
                continue
            pending.append(
                PendingMark(
                    index=index,
                    key={"student_id": item.student_id, "date": item.date},
                    values=None if code is None else values,
                )
            )
        batch.save(actor=actor, channel=channel, changes=pending)
        marks_saved(school=school, channel=channel, changes=pending)
    return results_from(pending, failed, len(marks))


# --- time entries (PowerSchool ATT_ModeTime) ----------------------------------------------------

MAX_MINUTES_A_DAY = 24 * 60


@dataclass(frozen=True)
class TimeEntryInput:
    """A wanted time entry: minutes of attendance under a code. ``entry_id`` (PowerSchool's
    ``dcid``) updates that entry; without it a new entry is added, as a day may have several."""

    student_id: int
    date: date
    code_id: int | None
    minutes: int
    note: str = ""
    entry_id: int | None = None


def record_time_entries(*, actor, school: School, entries: Sequence[TimeEntryInput], channel: str) -> list[MarkResult]:
    """Validate each item as ``record_daily_marks`` does (who may mark the student, the
    academic year, the code, the edit window), plus the minutes and the entry being updated
    (read locked); then add the new entries, change the changed ones and audit every change,
    through the same engine, in one transaction and a constant number of queries. Items are
    independent."""
    with transaction.atomic(savepoint=False):
        batch = MarkBatch(
            model=TimeEntry,
            mark_kind=AuditEntry.MarkKind.TIME,
            school=school,
            keys=[{"id": e.entry_id} for e in entries if e.entry_id is not None],
        )
        rules = DailyRules.load(actor=actor, school=school, items=entries)
        pending: list[PendingMark] = []
        failed: list[MarkResult] = []
        for index, item in enumerate(entries):
            errors: dict[str, list[str]] = {}
            if not rules.may_mark(item.student_id):
                failed.append(MarkResult(index, "not_found", errors={"student_id": ["not found"]}))
                continue
            if item.entry_id is not None:
                entry = batch.existing.get((item.entry_id,))
                if entry is None:
                    failed.append(MarkResult(index, "not_found", errors={"dcid": ["no such time entry"]}))
                    continue
                if entry.student_id != item.student_id or entry.date != item.date:
                    errors.setdefault("dcid", []).append("is a time entry of another student or date")
            rules.check_date(item.date, errors)
            if item.code_id is None:
                errors.setdefault("status", []).append("is required")
            code = check_code(rules.codes, item.code_id, errors, channel=channel)
            if not (0 <= item.minutes <= MAX_MINUTES_A_DAY):
                errors.setdefault("minutes", []).append(f"must be between 0 and {MAX_MINUTES_A_DAY}")
            check_note(item.note, errors)
            if rules.too_old(item.date):
                failed.append(too_old(index, school))
                continue
            if errors:
                failed.append(MarkResult(index, "invalid", errors=errors))
                continue
            pending.append(
                PendingMark(
                    index=index,
                    key={"id": item.entry_id, "student_id": item.student_id, "date": item.date},
                    values={"code_id": code.pk, "minutes": item.minutes, "note": item.note or ""},
                )
            )
        # Minutes under a code tell no parent: the absence email tells homeroom and lesson
        # absences, the ones the family page shows (docs/notifications.md), and minutes are neither.
        batch.save(actor=actor, channel=channel, changes=pending)
    return results_from(pending, failed, len(entries))
