"""Office pages for the school day as it runs: cover for an absent teacher, a trip or an absence
marked once for all its lessons (bulk marks), and who is on site now."""

from __future__ import annotations

import zoneinfo
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from apps.classes.models import Cover, CoverPeriod
from apps.reports import bulk, on_site
from apps.reports.day_forms import MAX_STUDENTS, BulkMarksForm, CoverForm, OnSiteForm
from apps.school.access import office_for

# ---------------------------------------------------------------- cover


@login_required
def covers(request):
    """The school's covers that have not ended, and a form to add one."""
    office = office_for(request)
    school = office.school
    form = CoverForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            cover = Cover.objects.create(
                school=school,
                school_class=data["school_class"],
                teacher=data["teacher"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                note=data["note"],
                created_by=request.user,
            )
            CoverPeriod.objects.bulk_create(
                CoverPeriod(school=school, cover=cover, period=period) for period in data["periods"]
            )
        messages.success(request, f"{cover.teacher.first_name} {cover.teacher.last_name} covers {cover.school_class}.")
        return redirect(office.url("reports:covers"))
    rows = (
        Cover.objects.filter(school=school, end_date__gte=school.today())
        .select_related("school_class", "teacher")
        .prefetch_related("periods")
        .order_by("start_date", "school_class__name", "id")
    )
    return render(
        request,
        "reports/covers.html",
        {"office": office, "school": school, "form": form, "covers": rows, "section": "covers"},
    )


@login_required
@require_POST
def cover_delete(request, cover_id: int):
    office = office_for(request)
    cover = Cover.objects.filter(school=office.school, pk=cover_id).select_related("school_class").first()
    if cover is None:
        raise Http404("No such cover")
    cover.delete()
    messages.success(request, gettext("Cover of %(class_name)s removed.") % {"class_name": cover.school_class})
    return redirect(office.url("reports:covers"))


# ---------------------------------------------------------------- bulk marks


@login_required
def bulk_marks(request):
    """Pick students, a code, days and periods; "Preview" counts what a save would do, "Save"
    does it in one save through the write path (and says what it did)."""
    office = office_for(request)
    school = office.school
    form = BulkMarksForm(request.POST or None, school=school)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        students = form.chosen_students()
        numbers = {p.number for p in data["periods"]} or None
        args = (school, students, data["code"], data["start_date"], data["end_date"], numbers)
        if len(students) > MAX_STUDENTS:
            form.add_error(
                None,
                gettext("At most %(most)s students at once (%(picked)s picked).")
                % {"most": MAX_STUDENTS, "picked": len(students)},
            )
        elif "save" in request.POST:
            saved = bulk.apply(
                actor=request.user,
                school=school,
                students=students,
                code=data["code"],
                start=data["start_date"],
                end=data["end_date"],
                numbers=numbers,
                note=data["note"],
                overwrite=data["overwrite"],
            )
            if saved.plan.too_many:
                form.add_error(
                    None,
                    gettext("That is more than %(most)s marks: pick fewer students or days.")
                    % {"most": bulk.MAX_MARKS},
                )
            else:
                kept = len(saved.plan.kept)
                values = {"created": saved.created, "changed": saved.changed, "kept": kept}
                if kept:
                    text = ngettext(
                        "Saved: %(created)d mark created, %(changed)d changed, %(kept)d with another code kept.",
                        "Saved: %(created)d marks created, %(changed)d changed, %(kept)d with another code kept.",
                        saved.created,
                    )
                else:
                    text = ngettext(
                        "Saved: %(created)d mark created, %(changed)d changed.",
                        "Saved: %(created)d marks created, %(changed)d changed.",
                        saved.created,
                    )
                text = text % values
                if saved.refused:
                    messages.error(
                        request,
                        gettext("%(count)s not saved: %(problems)s")
                        % {
                            "count": len(saved.refused),
                            "problems": "; ".join(
                                f"{lesson.student.full_name} {date_format(lesson.day, 'd M')} {lesson.where}: "
                                + ", ".join(m for ms in errors.values() for m in ms)
                                for lesson, errors in saved.refused[:5]
                            ),
                        },
                    )
                messages.success(request, text)
                return redirect(office.url("reports:bulk_marks"))
        else:
            preview = bulk.plan(*args, overwrite=data["overwrite"])
            if preview.too_many:
                form.add_error(
                    None,
                    gettext("That is more than %(most)s marks: pick fewer students or days.")
                    % {"most": bulk.MAX_MARKS},
                )
                preview = None
            else:
                preview.students = students
    return render(
        request,
        "reports/bulk_marks.html",
        {"office": office, "school": school, "form": form, "preview": preview, "section": "bulk"},
    )


# ---------------------------------------------------------------- on site now

REFRESH_SECONDS = 30


@login_required
def on_site_now(request):
    """Who is in school now, by year group (filtered by a year group or a class): for a phone
    and for print, reloading itself every 30 seconds (a Refresh header: no JavaScript) unless
    ``?paused=1``."""
    office = office_for(request)
    school = office.school
    form = OnSiteForm(request.GET or None, school=school)
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    now = timezone.localtime(timezone=zoneinfo.ZoneInfo(school.timezone))
    groups = on_site.on_site(
        school, now.date(), year_group=chosen.get("year_group"), school_class=chosen.get("school_class")
    )
    paused = request.GET.get("paused") == "1"
    kept = {k: v for k, v in request.GET.items() if k != "paused"}
    response = render(
        request,
        "reports/on_site.html",
        {
            "office": office,
            "school": school,
            "form": form,
            "groups": groups,
            "now": now,
            "present": sum(len(g.present) for g in groups),
            "absent": sum(len(g.absent) for g in groups),
            "unmarked": sum(len(g.unmarked) for g in groups),
            "refresh": REFRESH_SECONDS,
            "paused": paused,
            "resume_url": "?" + urlencode(kept),
            "pause_url": "?" + urlencode({**kept, "paused": "1"}),
            "section": "on_site",
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
    # The browser reloads the page by this header (as a meta refresh would, without JavaScript);
    # "Stop updating" turns it off, as WCAG 2.2.1 asks of a page that refreshes itself.
    if not paused:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response
