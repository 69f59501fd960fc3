"""The teacher's day and the class roll pages: whole-form saves without JavaScript, one-tap
saves through HTMX, both through ``record_class_marks``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from apps.classes.access import get_class_for_user
from apps.classes.models import Channel, SchoolClass
from apps.classes.selectors import (
    RollCounts,
    RollRow,
    RollSheet,
    class_meeting_period,
    class_periods_on,
    class_roll_counts,
    class_roll_sheet,
    classes_taught_on,
    why_not_a_school_day,
    year_groups_advised_on,
)
from apps.classes.services import ClassMarkInput, MarkResult, record_class_marks
from apps.school.access import Roles, earliest_editable_date, schools_for
from apps.school.dates import EARLIEST, LATEST, read_date
from apps.school.models import AttendanceCode, Period, School
from apps.school.selectors import codes_for_school


def parse_day(value: str | None) -> date:
    """A YYYY-MM-DD date from a URL (between 1900 and 2200, apps/school/dates.py), or a 404."""
    day = read_date(value)
    if day is None:
        raise Http404("Not a date")
    return day


# --- reading a roll form (shared with the homeroom roll) -------------------------------------------


@dataclass
class WantedMark:
    """What the teacher asked for one student."""

    row: RollRow
    code_id: int | None
    note: str
    minutes_late: int | None


def _field(post: QueryDict, row: RollRow, name: str) -> str | None:
    return post.get(f"s{row.student.pk}-{name}")


def _int_or_error(raw: str | None, field: str, errors: dict[str, list[str]]) -> int | None:
    if raw is None or raw.strip() == "":
        return None
    try:
        return int(raw)
    except ValueError:
        errors.setdefault(field, []).append("must be a whole number")
        return None


def wanted_mark(post: QueryDict, row: RollRow, *, code: str | None = None) -> WantedMark | None:
    """One student's fields as posted (``code`` overrides the radio, as a tapped button does).
    Fields not posted keep the saved values; None when there is no code to save. Errors in the
    fields themselves go on the row."""
    raw_code = code if code is not None else _field(post, row, "code")
    note = _field(post, row, "note")
    minutes = _field(post, row, "minutes")
    code_id = _int_or_error(raw_code, "status", row.errors)
    minutes_late = _int_or_error(minutes, "minutes_late", row.errors) if minutes is not None else row.minutes_late
    note = (note if note is not None else row.note).strip()
    if row.errors:
        row.submitted = (code_id, note, minutes_late)
        return None
    if code_id is None:
        if note != row.note and row.mark is None:
            row.errors.setdefault("status", []).append("is needed before a note can be saved")
            row.submitted = (None, note, minutes_late)
        return None
    return WantedMark(row, code_id, note, minutes_late)


def wanted_roll(post: QueryDict, sheet: RollSheet) -> list[WantedMark]:
    """The whole roll form: only the students whose fields differ from what the page showed
    (hidden ``was`` fields), so a save never overwrites a colleague's mark the teacher did not
    touch. "Excuse" and "everyone else present" buttons fill in their students."""
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
        was = _field(post, row, "was")
        now = row_signature(mark.code_id, mark.note, mark.minutes_late)
        if was is not None and was == now and row.mark is not None:
            continue
        wanted.append(mark)
    return wanted


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
    return changed


def saved_message(changed: int) -> str:
    return f"Saved {changed} mark{'' if changed == 1 else 's'}." if changed else "Nothing to change: the roll is saved."


def render_tap(
    request, template: str, sheet: RollSheet, row: RollRow, context: dict, counts: RollCounts
) -> HttpResponse:
    """The HTMX answer to a tap: the student's row, and the counts out of band (``sheet`` may
    hold only that student's row; ``counts`` are the whole roll's)."""
    context = {**context, "sheet": sheet, "row": row}
    row_html = render_to_string(f"{template}#student_row", context, request=request)
    counts_html = render_to_string(f"{template}#counts", {**context, "sheet": counts, "oob": True}, request=request)
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


def render_rows(request, template: str, sheet: RollSheet, context: dict) -> HttpResponse:
    """The HTMX answer to "everyone else present": all rows, and the counts out of band."""
    context = {**context, "sheet": sheet}
    rows_html = render_to_string(f"{template}#rows", context, request=request)
    counts_html = render_to_string(f"{template}#counts", {**context, "oob": True}, request=request)
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


# --- Today ---------------------------------------------------------------------------------------


@login_required
def today(request):
    roles = Roles.of(request.user)
    if not (roles.teacher or roles.admin):
        raise Http404("No rolls for this account")
    school = schools_for(request.user).first()
    this_day = school.today() if school else timezone.localdate()
    day = read_date(request.GET["date"]) if request.GET.get("date") else this_day
    if day is None:
        return render(
            request,
            "classes/bad_date.html",
            {"value": request.GET["date"], "earliest": EARLIEST, "latest": LATEST, "this_day": this_day},
            status=400,
        )
    # No rolls to take on a weekend or in the holidays (the rolls themselves stay open by address).
    closed = why_not_a_school_day(school, day) if school else ""
    return render(
        request,
        "classes/today.html",
        {
            "day": day,
            "this_day": this_day,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "closed": closed,
            "meetings": [] if closed else classes_taught_on(request.user, day),
            "year_groups": [] if closed else year_groups_advised_on(request.user, day),
            "is_admin": roles.admin,
            "roles": roles,  # already looked up: spares the context processor its queries
            "earliest": EARLIEST,
            "latest": LATEST,
        },
    )


# --- the class roll --------------------------------------------------------------------------------

TEMPLATE = "classes/roll.html"


def _meeting(request, class_id: int, day_text: str, number: int) -> tuple[SchoolClass, date, Period | None]:
    school_class = get_class_for_user(request.user, class_id)
    day = parse_day(day_text)
    return school_class, day, class_meeting_period(school_class, day, number)


def _not_a_meeting(request, school_class: SchoolClass, day: date, number: int) -> HttpResponse:
    """A clear page, not a bare 404, for a class that does not meet then."""
    return render(
        request,
        "classes/not_a_meeting.html",
        {
            "school_class": school_class,
            "day": day,
            "number": number,
            "label": number + school_class.school.period_offset,
            "within_dates": school_class.start_date <= day <= school_class.end_date,
            "periods": class_periods_on(school_class, day)
            if school_class.start_date <= day <= school_class.end_date
            else [],
        },
        status=404,
    )


def _context(request, school_class: SchoolClass, day: date, period: Period, sheet: RollSheet) -> dict:
    for row in sheet.rows:
        row.url = reverse(
            "classes:roll_student", args=[school_class.pk, day.isoformat(), period.number, row.student.pk]
        )
    return {
        "school_class": school_class,
        "day": day,
        "period": period,
        "sheet": sheet,
        "read_only": is_read_only(request.user, school_class.school, day),
        "edit_days": school_class.school.teacher_edit_days,
        "roll_url": reverse("classes:roll", args=[school_class.pk, day.isoformat(), period.number]),
        "all_present_url": reverse("classes:roll_all_present", args=[school_class.pk, day.isoformat(), period.number]),
        "show_homeroom": True,
    }


def _save(request, school_class: SchoolClass, day: date, period: Period, wanted: list[WantedMark]):
    return record_class_marks(
        actor=request.user,
        school=school_class.school,
        channel=Channel.WEB,
        marks=[
            ClassMarkInput(
                school_class_id=school_class.pk,
                student_id=item.row.student.pk,
                date=day,
                period=period.number,
                code_id=item.code_id,
                note=item.note,
                minutes_late=item.minutes_late,
            )
            for item in wanted
        ],
    )


@login_required
@require_http_methods(["GET", "POST"])
def class_roll(request, class_id: int, date: str, period: int):
    """The roll of one class meeting. A POST saves the whole form (the page without
    JavaScript) and redirects back; a form with errors is shown again with them."""
    school_class, day, meeting = _meeting(request, class_id, date, period)
    if meeting is None:
        return _not_a_meeting(request, school_class, day, period)
    sheet = class_roll_sheet(school_class, day, meeting)
    if request.method == "POST":
        wanted = wanted_roll(request.POST, sheet)
        changed = apply_results(wanted, _save(request, school_class, day, meeting, wanted)) if wanted else 0
        if not any(row.errors for row in sheet.rows):
            messages.success(request, saved_message(changed))
            return redirect("classes:roll", school_class.pk, day.isoformat(), meeting.number)
        fresh = class_roll_sheet(school_class, day, meeting)
        carry_errors(sheet, fresh)
        sheet = fresh
        messages.error(request, "Some marks were not saved: see the students marked below.")
    return render(request, TEMPLATE, _context(request, school_class, day, meeting, sheet))


@login_required
@require_POST
def class_roll_student(request, class_id: int, date: str, period: int, student_id: int):
    """One tap: save one student's mark. HTMX gets the row back (and the counts out of band);
    a plain POST is redirected to the roll."""
    school_class, day, meeting = _meeting(request, class_id, date, period)
    if meeting is None:
        return _not_a_meeting(request, school_class, day, period)
    sheet = class_roll_sheet(school_class, day, meeting, student_id=student_id)
    row = sheet.row_for(student_id)
    if row is None:
        raise Http404("No such student on this roll")
    wanted = wanted_mark(request.POST, row, code=request.POST.get("code"))
    if wanted is not None:
        results = _save(request, school_class, day, meeting, [wanted])
        apply_results([wanted], results)
        saved_into([wanted], results, {c.pk: c for c in codes_for_school(school_class.school)})
    if request.htmx:
        # Only what a tap changes: this row (as saved) and the counts (one aggregate query).
        context = _context(request, school_class, day, meeting, sheet)
        counts = class_roll_counts(school_class, day, meeting)
        return render_tap(request, TEMPLATE, sheet, row, context, counts)
    if row.errors:
        messages.error(request, f"{row.student.full_name}: " + "; ".join(row.error_messages))
    else:
        messages.success(request, f"Saved {row.student.full_name}.")
    url = reverse("classes:roll", args=[school_class.pk, day.isoformat(), meeting.number])
    return redirect(f"{url}#s{row.student.pk}")


@login_required
@require_POST
def class_roll_all_present(request, class_id: int, date: str, period: int):
    """Everyone not yet marked gets the default present code (a student absent in homeroom
    gets that absence instead, as the page pre-selected it)."""
    school_class, day, meeting = _meeting(request, class_id, date, period)
    if meeting is None:
        return _not_a_meeting(request, school_class, day, period)
    sheet = class_roll_sheet(school_class, day, meeting)
    wanted = unmarked_filled(sheet)
    changed = 0
    if wanted:
        results = _save(request, school_class, day, meeting, wanted)
        changed = apply_results(wanted, results)
        saved_into(wanted, results, {c.pk: c for c in codes_for_school(school_class.school)})
    if request.htmx:
        # The sheet holds every row, now as saved: its counts are the roll's.
        return render_rows(request, TEMPLATE, sheet, _context(request, school_class, day, meeting, sheet))
    failed = [row for row in sheet.rows if row.errors]
    if failed:
        messages.error(
            request,
            f"{len(failed)} mark{'s' if len(failed) != 1 else ''} not saved: "
            + "; ".join(f"{row.student.full_name}: {', '.join(row.error_messages)}" for row in failed[:3]),
        )
    else:
        messages.success(request, saved_message(changed))
    return redirect("classes:roll", school_class.pk, day.isoformat(), meeting.number)


def unmarked_filled(sheet: RollSheet) -> list[WantedMark]:
    """Every student without a saved mark: the pre-selected suggestion, else present."""
    present = sheet.present_code
    return [
        WantedMark(row, (row.suggestion or present).pk, "", None)
        for row in sheet.rows
        if row.mark is None and (row.suggestion or present) is not None
    ]
