"""The home page: sends each signed-in user to their place."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from apps.school.access import Roles


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
