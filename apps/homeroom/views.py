"""Pages of the homeroom app."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def homeroom_roll(request, year_group_id, date):
    # Placeholder until its issue lands.
    return render(request, "placeholder.html", {"title": "Homeroom roll"})
