"""The office page where a school's admins list, create and revoke API clients."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from apps.api.forms import ApiClientForm
from apps.api.models import ApiClient
from apps.api.services import api_client_issue, api_client_revoke
from apps.attendance.channels import Channel
from apps.school.access import office_schools, people_of


def clients_for_admin(schools):
    """Clients acting for anyone with a role in these schools."""
    return ApiClient.objects.filter(user__in=people_of(schools).values("id")).select_related("user")


@never_cache
@sensitive_variables("issued")
@login_required
def api_clients(request):
    schools = office_schools(request.user)
    form = ApiClientForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        issued = api_client_issue(
            actor=request.user,
            channel=Channel.WEB,
            name=form.cleaned_data["name"],
            user=form.cleaned_data["user"],
            scopes=form.cleaned_data["scopes"],
        )
        # Rendered, not redirected: the token and secret exist only in this response.
        return render(request, "api/client_created.html", {"issued": issued})
    clients = clients_for_admin(schools).order_by(F("revoked_at").asc(nulls_first=True), "name", "id")
    return render(
        request,
        "api/clients.html",
        {"form": form, "clients": clients, "schools": schools},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def revoke_api_client(request, client_id: int):
    client = get_object_or_404(clients_for_admin(office_schools(request.user)), pk=client_id)
    api_client_revoke(actor=request.user, channel=Channel.WEB, client=client)
    messages.success(request, f"“{client.name}” is revoked: its token and secrets no longer work.")
    return redirect("api_clients:list")
