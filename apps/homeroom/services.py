"""The one write path for daily (homeroom) attendance: the homeroom roll page and every
dialect's daily write come through ``record_daily_marks``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q

from apps.audit.models import AuditEntry
from apps.audit.services import PendingMark, save_marks
from apps.classes.services import MarkResult, check_code, check_note_and_minutes, results_from
from apps.homeroom.models import DailyMark
from apps.school.access import earliest_editable_date
from apps.school.models import AcademicYear, Advisor, AttendanceCode, School, Student


@dataclass(frozen=True)
class DailyMarkInput:
    """A wanted daily mark; ``code_id`` None removes it."""

    student_id: int
    date: date
    code_id: int | None
    note: str = ""
    minutes_late: int | None = None


def record_daily_marks(*, actor, school: School, marks: Sequence[DailyMarkInput], channel: str) -> list[MarkResult]:
    """Validate each item, then upsert the valid ones and audit every change, in one
    transaction and a constant number of queries. Items are independent."""
    students = {s.pk: s for s in Student.objects.filter(school=school, pk__in={m.student_id for m in marks})}
    floor = None if actor is None else earliest_editable_date(actor, school)
    is_admin = actor is None or floor is None
    advised = (
        None
        if is_admin
        else set(Advisor.objects.filter(school=school, teacher__user=actor).values_list("year_group_id", flat=True))
    )
    codes = {c.pk: c for c in AttendanceCode.objects.filter(school=school)}
    dates = {m.date for m in marks}
    years = list(
        AcademicYear.objects.filter(school=school)
        .filter(Q(start_date__lte=max(dates), end_date__gte=min(dates)) if dates else Q(pk=None))
        .values_list("start_date", "end_date")
    )

    pending: list[PendingMark] = []
    failed: list[MarkResult] = []
    for index, item in enumerate(marks):
        errors: dict[str, list[str]] = {}
        student = students.get(item.student_id)
        if student is None or student.archived or (advised is not None and student.year_group_id not in advised):
            failed.append(MarkResult(index, "not_found", errors={"student_id": ["not found"]}))
            continue
        if not any(start <= item.date <= end for start, end in years):
            errors.setdefault("date", []).append("is not in one of the school's academic years")
        code = check_code(codes, item.code_id, errors)
        values = check_note_and_minutes(item, code, errors)
        if floor is not None and item.date < floor:
            failed.append(
                MarkResult(
                    index,
                    "forbidden",
                    errors={
                        "date": [
                            f"is more than {school.teacher_edit_days} days ago; only an admin can change this roll"
                        ]
                    },
                )
            )
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
    with transaction.atomic():
        save_marks(
            model=DailyMark,
            mark_kind=AuditEntry.MarkKind.DAILY,
            school=school,
            actor=actor,
            channel=channel,
            changes=pending,
        )
    return results_from(pending, failed, len(marks))
