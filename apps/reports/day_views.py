"""Office pages for the school day as it runs: cover for an absent teacher, a trip or an absence
marked once for all its lessons (bulk marks), and who is on site now."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.classes.models import Cover, CoverPeriod
from apps.reports.day_forms import CoverForm
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
    messages.success(request, f"Cover of {cover.school_class} removed.")
    return redirect(office.url("reports:covers"))
