"""Pages of the classes app."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def today(request):
    # Placeholder until its issue lands.
    return render(request, "placeholder.html", {"title": "Today's rolls"})
