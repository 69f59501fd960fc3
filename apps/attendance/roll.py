"""A roll as a page shows it (a class meeting or a homeroom day): the codes as buttons, one row
per student with its saved mark and hints, and the counts. Shared by the class and homeroom
roll pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext

from apps.excusals.models import Excusal
from apps.school.models import DEFAULT_PRESENT_STATUS, AttendanceCode, School, Student, StudentPhoto
from apps.school.selectors import as_people_read, codes_for_school
from apps.school.text import sentence_of

ROLL_NAVIGATION_KEYS = {"j", "k"}


@dataclass(frozen=True)
class CodeChoice:
    """An enabled code as a roll button: its keyboard shortcuts are a digit (the first ten
    codes, in the school's order) and its abbreviation when that is a single letter."""

    code: AttendanceCode
    digit: str
    letter: str
    also: tuple[int, ...] = ()  # codes the roll reads as this one (ManageBac's P as the default present)

    @property
    def quick(self) -> bool:
        return self.code.quick

    @property
    def keys(self) -> str:
        return " ".join(k for k in (self.digit, self.letter) if k)

    @property
    def is_late(self) -> bool:
        return self.code.kind == AttendanceCode.Kind.LATE


def roll_code_choices(school: School) -> list[CodeChoice]:
    """The school's enabled codes in order, each with its shortcuts (one query, shared with
    the write path within a request). ManageBac's explicit Present is no button of its own: a
    mark with it reads as the default present, so the roll has one Present."""
    shown = as_people_read(codes_for_school(school))
    choices = []
    for position, code in enumerate(c for pk, c in shown.items() if c.enabled and c.pk == pk):
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
        also = tuple(pk for pk, c in shown.items() if c.pk == code.pk and pk != code.pk)
        choices.append(CodeChoice(code=code, digit=digit, letter=letter, also=also))
    return choices


def aliases_of(codes: list[CodeChoice]) -> dict[int, int]:
    """{code id: the id of the button it reads as} for the codes without a button of their own."""
    return {alias: choice.code.pk for choice in codes for alias in choice.also}


@dataclass
class RollRow:
    """One student on a roll: the saved mark, and what the teacher should see beside it."""

    student: Student
    mark: models.Model | None = None  # a class mark or a daily mark
    suggestion: AttendanceCode | None = None  # pre-selected, not saved (absent in homeroom)
    excusal: Excusal | None = None
    previous: models.Model | None = None  # the student's mark in the lesson before, that day
    errors: dict[str, list[str]] = field(default_factory=dict)
    # What the teacher sent when a save failed, so the page shows it back instead of the saved mark.
    submitted: tuple[int | None, str, int | None] | None = None
    submitted_shared: bool | None = None  # and whether it ticked "share with the family"
    url: str = ""  # where a tap on this row posts; set by the page
    photo_url: str = ""  # the student's photo (apps/classes/views.py), if they have one
    aliases: dict[int, int] = field(default_factory=dict)  # set by the sheet (``aliases_of``)
    shown_code: AttendanceCode | None = None  # the saved mark's code as the roll reads it; set by the sheet

    @property
    def saved_code_id(self) -> int | None:
        """The button the saved mark lights (a P Present lights Present)."""
        return self.aliases.get(self.mark.code_id, self.mark.code_id) if self.mark else None

    @property
    def checked_code_id(self) -> int | None:
        """The code the form pre-selects: what was sent, else the saved mark, else the suggestion."""
        if self.submitted is not None:
            return self.submitted[0]
        if self.mark:
            return self.saved_code_id
        return self.suggestion.pk if self.suggestion else None

    @property
    def shown(self) -> AttendanceCode | None:
        """The saved mark's code as pages read it."""
        return (self.shown_code or self.mark.code) if self.mark else None

    @property
    def mark_kind(self) -> str:
        """The saved mark's kind (present, absent, late, excused, other), else "unmarked"."""
        return self.mark.code.kind if self.mark else "unmarked"

    @property
    def note(self) -> str:
        if self.submitted is not None:
            return self.submitted[1]
        return self.mark.note if self.mark else ""

    @property
    def shared(self) -> bool:
        """Whether the note is shared with the family (a note is for staff unless ticked)."""
        if self.submitted_shared is not None:
            return self.submitted_shared
        return bool(self.mark and self.mark.shared_with_family)

    @property
    def minutes_late(self) -> int | None:
        if self.submitted is not None:
            return self.submitted[2]
        return self.mark.minutes_late if self.mark else None

    @property
    def is_late(self) -> bool:
        return bool(self.mark and self.mark.code.kind == AttendanceCode.Kind.LATE)

    @property
    def is_absent(self) -> bool:
        """Absent or late: what the "absent and late" filter shows."""
        return bool(self.mark and (not self.mark.code.counts_as_present or self.is_late))

    @property
    def error_messages(self) -> list[str]:
        names = {
            "status": gettext("Mark"),
            "notes": gettext("Note"),
            "minutes_late": gettext("Minutes late"),
            "student_id": gettext("Student"),
        }
        return [
            sentence_of(message, f"{names.get(name, name.replace('_', ' ').capitalize())} {message}")
            for name, messages in self.errors.items()
            for message in messages
        ]


@dataclass
class RollSheet:
    """A whole roll (a class meeting or a homeroom day): codes, one row per student, counts."""

    codes: list[CodeChoice]
    rows: list[RollRow]

    def __post_init__(self) -> None:
        aliases = aliases_of(self.codes)
        by_id = {c.code.pk: c.code for c in self.codes}
        for row in self.rows:
            row.aliases = aliases
            if row.mark is not None and row.mark.code_id in aliases:
                row.shown_code = by_id[aliases[row.mark.code_id]]

    def rows_shown(self, show: str, find: str) -> list[RollRow]:
        """The rows a filter (all, unmarked, absent) and a find box (part of a name) leave."""
        find = find.strip().casefold()
        return [
            row
            for row in self.rows
            if (show != "unmarked" or row.mark is None)
            and (show != "absent" or row.is_absent)
            and (not find or find in row.student.full_name.casefold())
        ]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def unmarked(self) -> int:
        return self.total - self.marked

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
                tally[row.saved_code_id] = tally.get(row.saved_code_id, 0) + 1
        return [(c.code, tally[c.code.pk]) for c in self.codes if c.code.pk in tally]

    def row_for(self, student_id: int) -> RollRow | None:
        return next((row for row in self.rows if row.student.pk == student_id), None)

    @property
    def excused_code(self) -> AttendanceCode | None:
        return next((c.code for c in self.codes if c.code.mb_status == EXCUSED_STATUS), None)

    @property
    def present_code(self) -> AttendanceCode | None:
        return next((c.code for c in self.codes if c.code.mb_status == DEFAULT_PRESENT_STATUS), None)


@dataclass
class RollCounts:
    """Only the counts of a roll (what a tap changes besides the student's row): the same
    ``total``, ``marked``, ``state`` and ``counts`` as a RollSheet."""

    codes: list[CodeChoice]
    total: int
    marked: int
    tally: dict[int, int]

    @classmethod
    def of(cls, codes: list[CodeChoice], rows) -> RollCounts:
        """From (code id or None, students) rows."""
        rows = list(rows)
        aliases = aliases_of(codes)
        tally: dict[int, int] = {}
        for code_id, n in rows:
            if code_id is not None:
                shown = aliases.get(code_id, code_id)
                tally[shown] = tally.get(shown, 0) + n
        total = sum(n for _, n in rows)
        return cls(codes=codes, total=total, marked=sum(tally.values()), tally=tally)

    @property
    def state(self) -> str:
        return roll_state(self.marked, self.total)

    @property
    def unmarked(self) -> int:
        return self.total - self.marked

    @property
    def counts(self) -> list[tuple[AttendanceCode, int]]:
        return [(c.code, self.tally[c.code.pk]) for c in self.codes if c.code.pk in self.tally]


EXCUSED_STATUS = 13  # ManageBac's "Excused"


def roll_state(marked: int, total: int) -> str:
    """not_taken, partly_taken or taken."""
    if marked == 0:
        return "not_taken"
    return "taken" if marked >= total else "partly_taken"


EXCUSAL_FIELDS = ("id", "start_date", "end_date", "comment")


def with_excusal(rows: QuerySet, school: School, on: date, student: str) -> QuerySet:
    """``rows`` (one per student, ``student`` naming its student id) with the latest excusal
    covering ``on``, as columns of the same query instead of one more query each."""
    excusal = Excusal.objects.filter(
        school=school, student_id=OuterRef(student), start_date__lte=on, end_date__gte=on
    ).order_by("-created_at", "-id")
    return rows.annotate(**{f"excusal_{name}": Subquery(excusal.values(name)[:1]) for name in EXCUSAL_FIELDS})


def with_photo(rows: QuerySet, student: str) -> QuerySet:
    """``rows`` with ``has_photo``: whether the student (``student`` names its id) has a photo."""
    return rows.annotate(has_photo=Exists(StudentPhoto.objects.filter(student_id=OuterRef(student))))


def photo_url(row, student_id: int) -> str:
    """The photo view's address for a ``with_photo`` row with a photo, else ""."""
    return reverse("student_photo", args=[student_id]) if row.has_photo else ""


def excusal_of(row) -> Excusal | None:
    """The excusal a ``with_excusal`` row carries, if any."""
    if row.excusal_id is None:
        return None
    return Excusal(**{name: getattr(row, f"excusal_{name}") for name in EXCUSAL_FIELDS})
