"""Pages of the reports app."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def dashboard(request):
    # Placeholder until its issue lands.
    return render(request, "placeholder.html", {"title": "Office"})
