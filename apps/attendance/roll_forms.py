"""Reading a roll form and answering it: shared by the class roll and the homeroom roll
pages, whose own views say which roll and which write path."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from django.http import Http404, HttpResponse, QueryDict
from django.template.loader import render_to_string
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from apps.attendance.roll import RollCounts, RollRow, RollSheet
from apps.attendance.rules import MarkResult
from apps.school.access import earliest_editable_date
from apps.school.dates import read_date
from apps.school.models import AttendanceCode, School
from apps.school.text import Refusal

# A roll field's whole-number error as the page says it, by field.
NOT_WHOLE = {
    "status": _("Mark must be a whole number"),
    "minutes_late": _("Minutes late must be a whole number"),
}

SHEET = "roll/sheet.html"  # the roll both pages draw, and its partials (counts, rows, student_row)
FILTERS = [("all", _("All")), ("unmarked", _("Not marked")), ("absent", _("Absent and late"))]


def sheet_context(request, sheet: RollSheet) -> dict:
    """What ``roll/sheet.html`` needs besides the sheet: the rows the filter (``show``) and the
    find box (``q``) leave, and the keyboard's shortcuts ({key: code id}) for roll.js."""
    show = request.GET.get("show", "all")
    if show not in dict(FILTERS):
        show = "all"
    find = request.GET.get("q", "")[:100]
    keys = {key: c.code.pk for c in sheet.codes for key in (c.digit, c.letter) if key}
    return {
        "rows": sheet.rows_shown(show, find) if isinstance(sheet, RollSheet) else [],
        "show": show,
        "find": find,
        "filters": FILTERS,
        "keys_json": json.dumps(keys, separators=(",", ":")),
    }


def parse_day(value: str | None) -> date:
    """A YYYY-MM-DD date from a URL (between 1900 and 2200, apps/school/dates.py), or a 404."""
    day = read_date(value)
    if day is None:
        raise Http404("Not a date")
    return day


@dataclass
class WantedMark:
    """What the teacher asked for one student."""

    row: RollRow
    code_id: int | None  # None clears the mark
    note: str
    minutes_late: int | None
    shared: bool | None = None  # "share with the family"; None when the form did not send the note


def _field(post: QueryDict, row: RollRow, name: str) -> str | None:
    return post.get(f"s{row.student.pk}-{name}")


def _int_or_error(raw: str | None, field: str, errors: dict[str, list[str]]) -> int | None:
    if raw is None or raw.strip() == "":
        return None
    try:
        return int(raw)
    except ValueError:
        errors.setdefault(field, []).append(Refusal("must be a whole number", str(NOT_WHOLE[field])))
        return None


def _chosen_code(post: QueryDict, row: RollRow) -> str | None:
    """The code a row's quick radios and its "Other mark" list ask for: the list when it was
    changed from what the page showed, else the radio."""
    radio, more = _field(post, row, "code"), _field(post, row, "more")
    if more and (radio is None or more != str(row.checked_code_id)):
        return more
    return radio if radio is not None else (more or None)


def wanted_mark(post: QueryDict, row: RollRow, *, code: str | None = None) -> WantedMark | None:
    """One student's fields as posted (``code`` overrides the radio, as a tapped button does;
    ``clear`` naming the student clears the mark). Fields not posted keep the saved values; None
    when there is nothing to save. Errors in the fields themselves go on the row."""
    if post.get("clear") == str(row.student.pk):
        return WantedMark(row, None, "", None) if row.mark is not None else None
    raw_code = code if code is not None else _chosen_code(post, row)
    note = _field(post, row, "note")
    # The box sits beside the note: where the note was sent, an unticked box (not sent) is False.
    shared = None if note is None else _field(post, row, "shared") is not None
    minutes = _field(post, row, "minutes")
    code_id = _int_or_error(raw_code, "status", row.errors)
    minutes_late = _int_or_error(minutes, "minutes_late", row.errors) if minutes is not None else row.minutes_late
    note = (note if note is not None else row.note).strip()
    if row.errors:
        row.submitted, row.submitted_shared = (code_id, note, minutes_late), shared
        return None
    if row.mark is not None and code_id is not None and code_id == row.saved_code_id:
        code_id = row.mark.code_id  # the button a P Present lights keeps it a P
    if code_id is None:
        if note != row.note and row.mark is None:
            row.errors.setdefault("status", []).append(
                Refusal("is needed before a note can be saved", gettext("Mark is needed before a note can be saved"))
            )
            row.submitted, row.submitted_shared = (None, note, minutes_late), shared
        return None
    return WantedMark(row, code_id, note, minutes_late, shared)


def wanted_roll(post: QueryDict, sheet: RollSheet) -> list[WantedMark]:
    """The whole roll form: only the students whose fields differ from what the page showed
    (hidden ``was`` fields; a row drawn unmarked has none, and whatever it sends is a change),
    so a save never overwrites a colleague's mark the teacher did not touch. "Excuse" and
    "everyone else present" buttons fill in their students."""
    excuse = post.get("excuse")
    all_present = post.get("action") == "all_present"
    wanted = []
    for row in sheet.rows:
        override = None
        if excuse == str(row.student.pk) and sheet.excused_code:
            override = str(sheet.excused_code.pk)
        elif all_present and not _field(post, row, "code") and row.mark is None and sheet.present_code:
            override = str(sheet.present_code.pk)
        mark = wanted_mark(post, row, code=override)
        if mark is None:
            continue
        if mark.code_id is None:  # a cleared mark
            wanted.append(mark)
            continue
        was = _field(post, row, "was")
        now = row_signature(mark.code_id, mark.note, mark.minutes_late)
        if was is not None and was == now and row.mark is not None and not _sharing_changed(mark):
            continue
        wanted.append(mark)
    return wanted


def _sharing_changed(mark: WantedMark) -> bool:
    """Whether the "share with the family" box differs from the saved mark's (a note: rules.py)."""
    return mark.shared is not None and (mark.shared and bool(mark.note)) != mark.row.mark.shared_with_family


def row_signature(code_id: int | None, note: str, minutes_late: int | None) -> str:
    """How a row looked when the page was drawn, posted back to tell what the teacher changed."""
    return f"{code_id or ''}:{'' if minutes_late is None else minutes_late}:{note}"


def apply_results(wanted: list[WantedMark], results: list[MarkResult]) -> int:
    """Put each failed item's errors on its row; returns how many marks changed."""
    changed = 0
    for item, result in zip(wanted, results, strict=True):
        if result.ok:
            changed += result.status != "unchanged"
        else:
            item.row.errors.update(result.errors)
            item.row.submitted = (item.code_id, item.note, item.minutes_late)
            item.row.submitted_shared = item.shared
    return changed


def saved_message(changed: int) -> str:
    if not changed:
        return gettext("Nothing to change: the roll is saved.")
    return ngettext("Saved %(count)d mark.", "Saved %(count)d marks.", changed) % {"count": changed}


def render_tap(request, sheet: RollSheet, row: RollRow, context: dict, counts: RollCounts) -> HttpResponse:
    """The HTMX answer to a tap: the student's row, and the counts out of band (``sheet`` may
    hold only that student's row; ``counts`` are the whole roll's)."""
    context = {**context, "sheet": sheet, "row": row}
    row_html = render_to_string(f"{SHEET}#student_row", context, request=request)
    counts_html = render_to_string(f"{SHEET}#counts", {**context, "sheet": counts, "oob": True}, request=request)
    return HttpResponse(row_html + counts_html)


def saved_into(wanted: list[WantedMark], results: list[MarkResult], codes: dict[int, AttendanceCode]) -> None:
    """Show the saved marks on their rows, without reading the roll again."""
    for item, result in zip(wanted, results, strict=True):
        if not result.ok or result.status == "unchanged":
            continue
        mark = result.mark if result.status != "deleted" else None
        if mark is not None:
            mark.code = codes[mark.code_id]
        item.row.mark = mark


def render_rows(request, sheet: RollSheet, context: dict) -> HttpResponse:
    """The HTMX answer to "everyone else present": all rows, and the counts out of band."""
    context = {**context, "sheet": sheet, "rows": sheet.rows}
    rows_html = render_to_string(f"{SHEET}#rows", context, request=request)
    counts_html = render_to_string(f"{SHEET}#counts", {**context, "oob": True}, request=request)
    return HttpResponse(rows_html + counts_html)


def carry_errors(old: RollSheet, new: RollSheet) -> None:
    """Errors found while saving stay on the rows of the freshly read roll."""
    for row in old.rows:
        if row.errors:
            fresh = new.row_for(row.student.pk)
            if fresh is not None:
                fresh.errors, fresh.submitted = row.errors, row.submitted


def is_read_only(user, school: School, day: date) -> bool:
    floor = earliest_editable_date(user, school)
    return floor is not None and day < floor


def unmarked_filled(sheet: RollSheet) -> list[WantedMark]:
    """Every student without a saved mark: the pre-selected suggestion, else present."""
    present = sheet.present_code
    return [
        WantedMark(row, (row.suggestion or present).pk, "", None)
        for row in sheet.rows
        if row.mark is None and (row.suggestion or present) is not None
    ]
