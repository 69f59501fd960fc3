"""Pages of the classes app."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def today(request):
    # Placeholder until its issue lands.
    return render(request, "placeholder.html", {"title": "Today's rolls"})


@login_required
def class_roll(request, class_id, date, period):
    # Placeholder until its issue lands.
    return render(request, "placeholder.html", {"title": "Class roll"})
