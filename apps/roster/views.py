"""The office's roster page: upload an export, read its preview, apply it or cancel it. The
check and the import run as background tasks; the page follows them (it reloads itself while
one runs, and has a link to reload by hand)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_tasks import TaskResultStatus, default_task_backend
from django_tasks.exceptions import TaskResultDoesNotExist

from apps.roster import selectors, services
from apps.roster.forms import PhotoUploadForm, UploadForm
from apps.roster.models import RosterUpload
from apps.roster.sync import RosterSync
from apps.school.access import office_for
from apps.school.models import Student, StudentPhoto
from apps.school.photos import save_photos, uploaded_files

STEP_NAMES = dict(
    zip(
        RosterSync.STEPS,
        (_("schools"), _("school years and terms"), _("classes"), _("people"), _("parents"), _("enrollments")),
        strict=True,
    )
)


# How many rows of a kind an import creates, updates, archives and removes, as the page says it.
WORDS = (_("%(count)s new"), _("%(count)s changed"), _("%(count)s archived"), _("%(count)s removed"))
# Each kind of row (apps/roster/report.py KINDS) as the page names it.
KIND_NAMES = {
    "schools": _("schools"),
    "academic years": _("academic years"),
    "terms": _("terms"),
    "periods": _("periods"),
    "classes": _("classes"),
    "timetable slots": _("timetable slots"),
    "year groups": _("year groups"),
    "advisors": _("advisors"),
    "logins": _("logins"),
    "students": _("students"),
    "teachers": _("teachers"),
    "parents": _("parents"),
    "administrators": _("administrators"),
    "guardianships": _("guardianships"),
    "enrollments": _("enrollments"),
    "teacher assignments": _("teacher assignments"),
}


def changes_of(report) -> list[tuple[str, str]]:
    """Each kind that changes, with what happens to how many rows ("2 new, 1 changed")."""
    found = []
    for kind, *counts in report.rows():
        said = [
            str(word) % {"count": number_format(count, force_grouping=True)}
            for count, word in zip(counts, WORDS, strict=True)
            if count
        ]
        if said:
            found.append((str(KIND_NAMES.get(kind, kind)), ", ".join(said)))
    return found


@login_required
def roster(request):
    office = office_for(request)
    school, schools = office.school, list(office.schools)
    form = UploadForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        files = [(file.name, file.read()) for file in form.cleaned_data["export"]]
        try:
            upload = services.upload_create(actor=request.user, school=school, files=files)
        except ValidationError as error:
            form.add_error("export", error)
        else:
            return redirect("roster:upload", upload_id=upload.pk)
    return render(
        request,
        "roster/roster.html",
        {
            "school": school,
            "schools": schools,
            "form": form,
            "uploads": selectors.recent_uploads(school),
            "section": "roster",
        },
        status=400 if form.errors else 200,
    )


@login_required
def upload(request, upload_id: int):
    upload = selectors.get_upload_for_user(request.user, upload_id)
    queued = False
    if upload.running and upload.task_id:
        try:
            queued = default_task_backend.get_result(upload.task_id).status == TaskResultStatus.READY
        except TaskResultDoesNotExist:
            queued = False
    report = upload.outcome_report if upload.status == RosterUpload.Status.APPLIED else upload.preview_report
    steps = list(RosterSync.STEPS)
    return render(
        request,
        "roster/upload.html#state" if request.htmx else "roster/upload.html",
        {
            "upload": upload,
            "school": upload.school,
            "queued": queued,
            "step_number": steps.index(upload.step) + 1 if upload.step in steps else None,
            "step_count": len(steps),
            "step_name": STEP_NAMES.get(upload.step, ""),
            "changes": changes_of(report),
            "warnings": report.warnings,
            "back": f"{reverse('roster:roster')}?school={upload.school_id}",
            "section": "roster",
        },
    )


@login_required
@require_POST
def upload_apply(request, upload_id: int):
    upload = selectors.get_upload_for_user(request.user, upload_id)
    if not services.upload_apply(actor=request.user, upload=upload):
        messages.error(
            request,
            gettext("%(file)s cannot be applied: it is %(status)s.")
            % {"file": upload.filename, "status": upload.get_status_display().lower()},
        )
    return redirect("roster:upload", upload_id=upload.pk)


@login_required
@require_POST
def upload_cancel(request, upload_id: int):
    upload = selectors.get_upload_for_user(request.user, upload_id)
    if services.upload_cancel(actor=request.user, upload=upload):
        messages.success(
            request, gettext("%(file)s is cancelled: nothing of it was saved.") % {"file": upload.filename}
        )
        return redirect(f"{reverse('roster:roster')}?school={upload.school_id}")
    messages.error(
        request,
        gettext("%(file)s cannot be cancelled: it is %(status)s.")
        % {"file": upload.filename, "status": upload.get_status_display().lower()},
    )
    return redirect("roster:upload", upload_id=upload.pk)


@login_required
def photos(request):
    """Students' photos: a .zip or JPEG/PNG files named by student number or sourcedId, saved
    by the same code as ``manage.py import_photos``; the page then lists the files matched,
    unmatched and refused."""
    office = office_for(request)
    school = office.school
    form = PhotoUploadForm(request.POST if request.method == "POST" else None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = save_photos(school, uploaded_files((file.name, file) for file in form.cleaned_data["photos"]))
        form = PhotoUploadForm()
    return render(
        request,
        "roster/photos.html",
        {
            "office": office,
            "school": school,
            "form": form,
            "report": report,
            "with_photo": StudentPhoto.objects.filter(school=school, student__archived=False).count(),
            "students": Student.objects.filter(school=school, archived=False).count(),
            "section": "roster",
        },
        status=400 if form.errors else 200,
    )
