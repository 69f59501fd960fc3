"""What every mark write checks, whichever page or API it comes from, and what it answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, F, Q, TextField, Value, When
from django.utils.translation import gettext

from apps.attendance.channels import API_CHANNELS
from apps.attendance.engine import PendingMark
from apps.school.models import AttendanceCode, School
from apps.school.text import Refusal, unstorable

MAX_NOTE_LENGTH = 2000


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


def check_code(codes: dict[int, AttendanceCode], code_id: int | None, errors: dict[str, list[str]], *, channel: str):
    """The code must be one of the school's enabled codes, and over an API not the roll's
    default present (what a taken roll shows for a student nobody marked); returns it (None
    removes a mark)."""
    if code_id is None:
        return None
    code = codes.get(code_id)
    if code is None:
        errors.setdefault("status", []).append(
            Refusal(
                "is not one of the school's attendance codes",
                gettext("Mark is not one of the school's attendance codes"),
            )
        )
    elif not code.enabled:
        errors.setdefault("status", []).append(
            Refusal(
                f"{code.label} is not enabled in this school",
                gettext("Mark %(code)s is not enabled in this school") % {"code": code.label},
            )
        )
    elif code.is_default_present and channel in API_CHANNELS:
        errors.setdefault("status", []).append("is read-only over the API")
    return code


def check_note(note: str | None, errors: dict[str, list[str]]) -> None:
    if len(note or "") > MAX_NOTE_LENGTH:
        errors.setdefault("notes", []).append(
            Refusal(
                f"is too long (at most {MAX_NOTE_LENGTH} characters)",
                gettext("Note is too long (at most %(limit)s characters)") % {"limit": MAX_NOTE_LENGTH},
            )
        )
    if problem := unstorable(note):
        errors.setdefault("notes", []).append(problem)


def note_as_read(staff: Q) -> Case:
    """A mark's note as its reader may read it, in SQL: the note when the teacher shared it with
    the family or the reader sees the mark as staff (``staff``: a condition on the mark), else
    "". A staff-only note reaches no parent's answer, a parent's API token included."""
    return Case(When(Q(shared_with_family=True) | staff, then=F("note")), default=Value(""), output_field=TextField())


def check_note_and_minutes(item, code, errors: dict[str, list[str]], existing=None) -> dict:
    """A mark's values: its code, note, whether the note is shared with the family, and minutes
    late (kept only for a late code). ``item.shared_with_family`` None (a writer that does not
    say, as the APIs) keeps the ``existing`` mark's choice; a new note is for staff only."""
    check_note(item.note, errors)
    shared = item.shared_with_family
    if shared is None:
        shared = existing is not None and existing.shared_with_family
    shared = bool(shared) and bool(item.note)  # no note, nothing to share
    minutes = item.minutes_late
    if minutes is not None and not (0 <= minutes <= 600):
        errors.setdefault("minutes_late", []).append(
            Refusal("must be between 0 and 600", gettext("Minutes late must be between 0 and 600"))
        )
    # Minutes late only mean something for a late code; a changed code drops them.
    if code is None or code.kind != AttendanceCode.Kind.LATE:
        minutes = None
    return {
        "code_id": code.pk if code else None,
        "note": item.note or "",
        "shared_with_family": shared,
        "minutes_late": minutes,
    }


def too_old(index: int, school: School) -> MarkResult:
    """A teacher's change of a roll older than the school's edit window."""
    days = school.teacher_edit_days
    return MarkResult(
        index,
        "forbidden",
        errors={
            "date": [
                Refusal(
                    f"is more than {days} days ago; only an admin can change this roll",
                    gettext("Date is more than %(days)s days ago; only an admin can change this roll") % {"days": days},
                )
            ]
        },
    )


def results_from(pending: list[PendingMark], failed: list[MarkResult], size: int) -> list[MarkResult]:
    """One result per item, in the items' order: the applied changes' and the refused ones'."""
    results: list[MarkResult | None] = [None] * size
    for result in failed:
        results[result.index] = result
    for change in pending:
        results[change.index] = MarkResult(index=change.index, status=change.status, mark=change.mark)
    return results  # type: ignore[return-value]
