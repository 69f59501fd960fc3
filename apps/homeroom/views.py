"""The homeroom roll pages: a year group's daily marks, the same experience as a class roll,
written through ``record_daily_marks``."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from apps.attendance.channels import Channel
from apps.attendance.roll import RollSheet
from apps.attendance.roll_forms import (
    WantedMark,
    apply_results,
    carry_errors,
    is_read_only,
    parse_day,
    render_rows,
    render_tap,
    saved_into,
    saved_message,
    sheet_context,
    unmarked_filled,
    wanted_mark,
    wanted_roll,
)
from apps.homeroom.selectors import homeroom_roll_counts, homeroom_roll_sheet, is_school_day
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from apps.school.access import get_year_group_for_user
from apps.school.models import YearGroup
from apps.school.selectors import codes_for_school

TEMPLATE = "homeroom/roll.html"


def _roll_day(request, year_group_id: int, day_text: str) -> tuple[YearGroup, date]:
    year_group = get_year_group_for_user(request.user, year_group_id)
    day = parse_day(day_text)
    if not is_school_day(year_group.school, day):
        raise Http404("Not a day of the school's academic years")
    return year_group, day


def _context(request, year_group: YearGroup, day: date, sheet: RollSheet) -> dict:
    for row in sheet.rows:
        row.url = reverse("homeroom:roll_student", args=[year_group.pk, day.isoformat(), row.student.pk])
    return {
        **sheet_context(request, sheet),
        "year_group": year_group,
        "day": day,
        "sheet": sheet,
        "read_only": is_read_only(request.user, year_group.school, day),
        "edit_days": year_group.school.teacher_edit_days,
        "roll_url": reverse("homeroom:roll", args=[year_group.pk, day.isoformat()]),
        "all_present_url": reverse("homeroom:roll_all_present", args=[year_group.pk, day.isoformat()]),
    }


def _save(request, year_group: YearGroup, day: date, wanted: list[WantedMark]):
    return record_daily_marks(
        actor=request.user,
        school=year_group.school,
        channel=Channel.WEB,
        marks=[
            DailyMarkInput(
                student_id=item.row.student.pk,
                date=day,
                code_id=item.code_id,
                note=item.note,
                minutes_late=item.minutes_late,
                shared_with_family=item.shared,
            )
            for item in wanted
        ],
    )


@login_required
@require_http_methods(["GET", "POST"])
def homeroom_roll(request, year_group_id: int, date: str):
    """A year group's homeroom roll. A POST saves the whole form and redirects back."""
    year_group, day = _roll_day(request, year_group_id, date)
    sheet = homeroom_roll_sheet(year_group, day)
    if request.method == "POST":
        wanted = wanted_roll(request.POST, sheet)
        changed = apply_results(wanted, _save(request, year_group, day, wanted)) if wanted else 0
        if not any(row.errors for row in sheet.rows):
            messages.success(request, saved_message(changed))
            return redirect("homeroom:roll", year_group.pk, day.isoformat())
        fresh = homeroom_roll_sheet(year_group, day)
        carry_errors(sheet, fresh)
        sheet = fresh
        messages.error(request, gettext("Some marks were not saved: see the students marked below."))
    return render(request, TEMPLATE, _context(request, year_group, day, sheet))


@login_required
@require_POST
def homeroom_roll_student(request, year_group_id: int, date: str, student_id: int):
    """One tap on the homeroom roll: HTMX gets the row back, a plain POST a redirect."""
    year_group, day = _roll_day(request, year_group_id, date)
    sheet = homeroom_roll_sheet(year_group, day, student_id=student_id)
    row = sheet.row_for(student_id)
    if row is None:
        raise Http404("No such student on this roll")
    wanted = wanted_mark(request.POST, row, code=request.POST.get("code"))
    if wanted is not None:
        results = _save(request, year_group, day, [wanted])
        apply_results([wanted], results)
        saved_into([wanted], results, {c.pk: c for c in codes_for_school(year_group.school)})
    if request.htmx:
        # Only what a tap changes: this row (as saved) and the counts (one aggregate query).
        context = _context(request, year_group, day, sheet)
        return render_tap(request, sheet, row, context, homeroom_roll_counts(year_group, day))
    if row.errors:
        messages.error(
            request,
            gettext("%(student)s: %(problems)s")
            % {"student": row.student.full_name, "problems": "; ".join(row.error_messages)},
        )
    else:
        messages.success(request, gettext("Saved %(student)s.") % {"student": row.student.full_name})
    return redirect(reverse("homeroom:roll", args=[year_group.pk, day.isoformat()]) + f"#s{row.student.pk}")


@login_required
@require_POST
def homeroom_roll_all_present(request, year_group_id: int, date: str):
    """Everyone in the year group not yet marked that day gets the default present code."""
    year_group, day = _roll_day(request, year_group_id, date)
    sheet = homeroom_roll_sheet(year_group, day)
    wanted = unmarked_filled(sheet)
    changed = 0
    if wanted:
        results = _save(request, year_group, day, wanted)
        changed = apply_results(wanted, results)
        saved_into(wanted, results, {c.pk: c for c in codes_for_school(year_group.school)})
    if request.htmx:
        # The sheet holds every row, now as saved: its counts are the roll's.
        return render_rows(request, sheet, _context(request, year_group, day, sheet))
    failed = [row for row in sheet.rows if row.errors]
    if failed:
        messages.error(
            request,
            gettext("%(count)s not saved: %(problems)s")
            % {"count": len(failed), "problems": "; ".join(", ".join(r.error_messages) for r in failed[:3])},
        )
    else:
        messages.success(request, saved_message(changed))
    return redirect("homeroom:roll", year_group.pk, day.isoformat())
