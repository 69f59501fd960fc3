"""The home page: sends each signed-in user to their place; and a student's photo."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from apps.classes.access import photo_students
from apps.school.access import Roles
from apps.school.models import StudentPhoto


@login_required
def home(request):
    roles = Roles.of(request.user)
    if roles.admin:
        return redirect("reports:dashboard")
    if roles.teacher:
        return redirect("classes:today")
    if roles.parent:
        return redirect("excusals:family")
    return render(request, "school/no_role.html", status=403)


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
