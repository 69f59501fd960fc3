"""The teacher's day and the class roll pages: whole-form saves without JavaScript, one-tap
saves through HTMX, both through ``record_class_marks``."""

from __future__ import annotations

import zoneinfo
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.attendance.channels import Channel
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
from apps.classes.access import get_class_for_user, photo_students
from apps.classes.models import SchoolClass
from apps.classes.selectors import (
    RollSheet,
    class_meeting_period,
    class_periods_on,
    class_roll_counts,
    class_roll_sheet,
    classes_taught_on,
    mark_the_time,
    roll_counts,
    why_not_a_school_day,
    year_groups_advised_on,
)
from apps.classes.services import ClassMarkInput, already_read, record_class_marks
from apps.classes.tapped import membership_of, roll_rows, tapped_row
from apps.school.access import Roles, knows_membership, knows_whether_runs, schools_for
from apps.school.dates import EARLIEST, LATEST, read_date
from apps.school.models import Period, StudentPhoto
from apps.school.prepared import preparing
from apps.school.selectors import codes_for_school

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
    meetings = [] if closed else classes_taught_on(request.user, day)
    year_groups = [] if closed else year_groups_advised_on(request.user, day)
    # Homeroom comes first, before the school's first period; on this day the lesson under way
    # (or the next) is marked, by the school's clock.
    first_period = Period.objects.filter(school=school).order_by("number").first() if year_groups else None
    first_start = first_period.start_time if first_period else None
    homeroom_when = ""
    if school and day == this_day:
        now = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(school.timezone))
        homeroom_when = mark_the_time(meetings, now, first_start)
    return render(
        request,
        "classes/today.html",
        {
            "day": day,
            "this_day": this_day,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "closed": closed,
            "meetings": meetings,
            "year_groups": year_groups,
            "first_period": first_period,
            "homeroom_when": homeroom_when if year_groups else "",
            "is_admin": roles.admin,
            "roles": roles,  # already looked up: spares the context processor its queries
            "earliest": EARLIEST,
            "latest": LATEST,
        },
    )


# --- the class roll --------------------------------------------------------------------------------

TEMPLATE = "classes/roll.html"


def _meeting(request, class_id: int, day_text: str, number: int) -> tuple[SchoolClass, date, Period | None]:
    day = parse_day(day_text)
    # A teacher covering the class sees this lesson's roll too (apps/classes/access.py).
    school_class = get_class_for_user(request.user, class_id, covering=(day, number))
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
        **sheet_context(request, sheet),
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
                shared_with_family=item.shared,
            )
            for item in wanted
        ],
    )


@login_required
@require_http_methods(["GET", "POST"])
def class_roll(request, class_id: int, date: str, period: int):
    """The roll of one class meeting. A POST saves the whole form (the page without
    JavaScript) and redirects back; a form with errors is shown again with them."""
    day = parse_day(date)
    read = _roll_read(request, class_id, day, period)
    if read is None:  # nobody on the roll, or nobody the user may see: the class looked up alone
        school_class, day, meeting = _meeting(request, class_id, date, period)
        enrollments = None
    else:
        school_class, enrollments = read
        meeting = class_meeting_period(school_class, day, period)
    if meeting is None:
        return _not_a_meeting(request, school_class, day, period)
    sheet = class_roll_sheet(school_class, day, meeting, enrollments=enrollments)
    if request.method == "POST":
        wanted = wanted_roll(request.POST, sheet)
        changed = apply_results(wanted, _save(request, school_class, day, meeting, wanted)) if wanted else 0
        if not any(row.errors for row in sheet.rows):
            messages.success(request, saved_message(changed))
            return redirect("classes:roll", school_class.pk, day.isoformat(), meeting.number)
        fresh = class_roll_sheet(school_class, day, meeting)
        carry_errors(sheet, fresh)
        sheet = fresh
        messages.error(request, gettext("Some marks were not saved: see the students marked below."))
    return render(request, TEMPLATE, _context(request, school_class, day, meeting, sheet))


def _roll_read(request, class_id: int, day: date, number: int):
    """The class and its roll's enrollments, as the page shows them, if the user may see the
    roll: one statement (``roll_rows``), which tells the request the user's ``Membership`` and
    whether they run the school too. None when nobody is on the roll or the user may not see it."""
    user = request.user
    enrollments = roll_rows(user, class_id, day, number)
    first = enrollments[0] if enrollments else None
    if not _sees(first):
        return None
    knows_membership(user, membership_of(first))
    knows_whether_runs(user, first.school_class.school_id, first.runs)
    return first.school_class, enrollments


def _sees(row) -> bool:
    """Whether a row of ``tapped.py`` is on a roll the user may see: whom
    visible_classes(user, covering=(day, number)) lets see the class, its school's admins, its
    teachers, and a teacher covering this lesson."""
    return row is not None and (row.runs or row.taught or row.covers_lesson)


def _tapped(request, class_id: int, day: date, number: int, student_id: int):
    """The student's enrollment on a roll the user may see (the class and its school with it),
    as the roll reads it, with what the write path checks (``teaches_or_covers``, and whether the
    user runs the school): one statement (``tapped_row``). None when there is no such row to
    tap: the page then looks the class up on its own, to answer as it always does."""
    user = request.user
    enrollment = tapped_row(user, class_id, day, number, student_id)
    if not _sees(enrollment):
        return None
    school_class = enrollment.school_class
    school_class.taught, school_class.covered = enrollment.taught, enrollment.covered
    knows_whether_runs(user, school_class.school_id, enrollment.runs)
    already_read(user, school_class, enrollment, runs=enrollment.runs)
    return school_class, enrollment


@login_required
@require_POST
def class_roll_student(request, class_id: int, date: str, period: int, student_id: int):
    """One tap: save one student's mark. HTMX gets the row back (and the counts out of band);
    a plain POST is redirected to the roll. Its statements are prepared on PostgreSQL
    (``preparing``): the same few, many times a lesson, on each connection."""
    with preparing():
        return _tap(request, class_id, date, period, student_id)


def _tap(request, class_id: int, date: str, period: int, student_id: int):
    day = parse_day(date)
    tapped = _tapped(request, class_id, day, period, student_id)
    if tapped is None:
        school_class, day, meeting = _meeting(request, class_id, date, period)
        enrollments = None
    else:
        school_class, enrollment = tapped
        meeting = class_meeting_period(school_class, day, period)
        enrollments = [enrollment]
    if meeting is None:
        return _not_a_meeting(request, school_class, day, period)
    sheet = class_roll_sheet(school_class, day, meeting, student_id=student_id, enrollments=enrollments)
    row = sheet.row_for(student_id)
    if row is None:
        raise Http404("No such student on this roll")
    before = row.mark.code_id if row.mark else None
    wanted = wanted_mark(request.POST, row, code=request.POST.get("code"))
    if wanted is not None:
        results = _save(request, school_class, day, meeting, [wanted])
        apply_results([wanted], results)
        saved_into([wanted], results, {c.pk: c for c in codes_for_school(school_class.school)})
    if request.htmx:
        # Only what a tap changes: this row (as saved) and the counts: read with the row before
        # the save, this student's mark moved to what was saved (else one aggregate query).
        context = _context(request, school_class, day, meeting, sheet)
        if tapped is not None:
            counts = roll_counts(sheet.codes, tapped[1], before, row.mark.code_id if row.mark else None)
        else:
            counts = class_roll_counts(school_class, day, meeting)
        return render_tap(request, sheet, row, context, counts)
    if row.errors:
        messages.error(
            request,
            gettext("%(student)s: %(problems)s")
            % {"student": row.student.full_name, "problems": "; ".join(row.error_messages)},
        )
    else:
        messages.success(request, gettext("Saved %(student)s.") % {"student": row.student.full_name})
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
        return render_rows(request, sheet, _context(request, school_class, day, meeting, sheet))
    failed = [row for row in sheet.rows if row.errors]
    if failed:
        messages.error(
            request,
            ngettext("%(count)d mark not saved: %(problems)s", "%(count)d marks not saved: %(problems)s", len(failed))
            % {
                "count": len(failed),
                "problems": "; ".join(
                    gettext("%(student)s: %(problems)s")
                    % {"student": row.student.full_name, "problems": ", ".join(row.error_messages)}
                    for row in failed[:3]
                ),
            },
        )
    else:
        messages.success(request, saved_message(changed))
    return redirect("classes:roll", school_class.pk, day.isoformat(), meeting.number)


# --- a student's photo -------------------------------------------------------------------------


@login_required
@require_GET
def student_photo(request, student_id: int):
    """A student's photo, only to staff who may see the student and to the student's parents;
    404 for anyone else and for a student without a photo. Never cached by a shared cache."""
    photo = StudentPhoto.objects.filter(student__in=photo_students(request.user), student_id=student_id).first()
    if photo is None:
        raise Http404("No photo")
    response = HttpResponse(bytes(photo.thumbnail), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
