"""The one write path for excusals, used by the parent pages and the ManageBac excusal
endpoints alike. Every change is logged (apps/audit/log.py) with the channel it came through."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext

from apps.attendance import term_counts
from apps.attendance.channels import Channel
from apps.attendance.engine import lock_school
from apps.audit.log import log_change, state
from apps.excusals.models import MAX_EXCUSAL_DAYS, Excusal
from apps.notifications.absences import excusal_sent
from apps.school.access import may_change_excusal, may_write_excusals
from apps.school.dates import OUT_OF_RANGE, in_range
from apps.school.models import Guardianship, Parent, Student
from apps.school.text import Refusal, unstorable


class ExcusalError(Exception):
    """Refused: ``errors`` maps a field to its messages (ManageBac's 422 shape)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def _check(student: Student, start: date, end: date, *, excluding: int | None = None) -> None:
    errors: dict[str, list[str]] = {}
    for name, value in (("start_date", start), ("end_date", end)):
        if not in_range(value):
            errors[name] = [OUT_OF_RANGE]
    if errors:
        raise ExcusalError(errors)
    if end < start:
        errors["end_date"] = [
            Refusal("must be on or after the start date", gettext("The last day must be on or after the start date."))
        ]
    else:
        days = (end - start).days + 1
        if days > MAX_EXCUSAL_DAYS:
            errors["duration"] = [
                Refusal(
                    f"must be between 1 and {MAX_EXCUSAL_DAYS} days (is {days})",
                    gettext("An excusal must be between 1 and %(most)s days (is %(days)s).")
                    % {"most": MAX_EXCUSAL_DAYS, "days": days},
                )
            ]
    if not errors:
        overlapping = Excusal.objects.filter(student=student, start_date__lte=end, end_date__gte=start)
        if excluding is not None:
            overlapping = overlapping.exclude(pk=excluding)
        if overlapping.exists():
            errors["base"] = ["overlaps with another excusal of this student"]
    if errors:
        raise ExcusalError(errors)


def _check_comment(comment: str | None) -> None:
    if problem := unstorable(comment):
        raise ExcusalError({"comment": [problem]})


def _locked(excusal: Excusal) -> Excusal:
    """The excusal as it is now, its student's row locked: every write of a student's excusals
    takes that lock first, so what the log calls "before" is what the change changed.
    ``Excusal.DoesNotExist`` when it was withdrawn meanwhile. The school's lock comes first: the
    change recomputes the student's term counts, which no save may be doing meanwhile."""
    lock_school(excusal.school_id)
    Student.objects.select_for_update().filter(pk=excusal.student_id).first()
    return Excusal.objects.get(pk=excusal.pk)


def excusal_create(
    *,
    actor,
    student: Student,
    parent: Parent,
    start_date: date,
    end_date: date,
    comment: str = "",
    channel: str = Channel.WEB,
) -> Excusal:
    _check_comment(comment)
    if (
        parent.school_id != student.school_id
        or not Guardianship.objects.filter(parent=parent, student=student).exists()
    ):
        raise ExcusalError({"parent_id": ["is not a parent of this student"]})
    if not may_write_excusals(actor, student, parent):
        raise PermissionError("may not send excusals for this student")
    with transaction.atomic():
        # Lock the student's row so two excusals sent at once cannot both pass the overlap check
        # (the school's lock first, as in _locked).
        lock_school(student.school_id)
        Student.objects.select_for_update().filter(pk=student.pk).first()
        _check(student, start_date, end_date)
        excusal = Excusal.objects.create(
            school_id=student.school_id,
            student=student,
            parent=parent,
            start_date=start_date,
            end_date=end_date,
            comment=comment or "",
        )
        log_change(excusal, actor=actor, channel=channel, before=None, after=state(excusal))
        term_counts.excusal_changed(student.school_id, student.pk, [(start_date, end_date)])
        excusal_sent(student_id=student.pk, start=start_date, end=end_date)
    return excusal


def excusal_update(
    *,
    actor,
    excusal: Excusal,
    end_date: date | None = None,
    comment: str | None = None,
    channel: str = Channel.WEB,
) -> Excusal:
    """Only the end date and the comment change."""
    _check_comment(comment)
    if not may_change_excusal(actor, excusal):
        raise PermissionError("may not change this excusal")
    with transaction.atomic():
        current = _locked(excusal)
        before = state(current)
        new_end = end_date if end_date is not None else current.end_date
        _check(excusal.student, current.start_date, new_end, excluding=excusal.pk)
        excusal.start_date, excusal.end_date = current.start_date, new_end
        excusal.comment = comment if comment is not None else current.comment
        excusal.save(update_fields=["end_date", "comment", "updated_at"])
        log_change(excusal, actor=actor, channel=channel, before=before, after=state(excusal))
        term_counts.excusal_changed(
            excusal.school_id,
            excusal.student_id,
            [(current.start_date, current.end_date), (excusal.start_date, excusal.end_date)],
        )
        excusal_sent(student_id=excusal.student_id, start=excusal.start_date, end=excusal.end_date)
    return excusal


def excusal_delete(*, actor, excusal: Excusal, channel: str = Channel.WEB) -> Excusal:
    if not may_change_excusal(actor, excusal):
        raise PermissionError("may not withdraw this excusal")
    excusal_id = excusal.pk
    with transaction.atomic():
        current = _locked(excusal)
        log_change(excusal, actor=actor, channel=channel, before=state(current), after=None)
        excusal.delete()
        term_counts.excusal_changed(current.school_id, current.student_id, [(current.start_date, current.end_date)])
    excusal.pk = excusal_id  # the ManageBac DELETE answers with the deleted record
    return excusal
