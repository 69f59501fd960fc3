"""The arrows of the day links point the way the page reads: back is to the left in English and
to the right in Arabic; the roll's keyboard help names the arrow keys as they are."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.school.models import Profile
from tests import factories as f


def day_links(html: str) -> dict[str, str]:
    """The arrow of each link of the page to another day: "back" (the roll's link to its day,
    Today's previous day) and "on" (Today's next day)."""
    found = {}
    if back := re.search(r'<p class="back"><a href="[^"]+">(\S+) ', html):
        found["back"] = back.group(1)
    if previous := re.search(r'rel="prev">(\S+) <span>', html):
        found["previous"] = previous.group(1)
    if following := re.search(r'rel="next"><span>[^<]*</span> (\S+)</a>', html):
        found["next"] = following.group(1)
    return found


@pytest.mark.parametrize(("language", "back", "on"), [("en-gb", "←", "→"), ("ar", "→", "←")])
def test_the_day_links_point_the_way_the_page_reads(client, world, teacher, language, back, on):
    Profile.objects.create(user=teacher, language=language)
    client.force_login(teacher)
    monday = f.last_weekday(world.school, 1).isoformat()

    class_roll = client.get(reverse("classes:roll", args=[world.english.pk, monday, 1])).content.decode()
    assert day_links(class_roll) == {"back": back}
    assert "<kbd>←</kbd> <kbd>→</kbd>" in class_roll  # the arrow keys, whatever the language
    homeroom = client.get(reverse("homeroom:roll", args=[world.year7.pk, monday])).content.decode()
    assert day_links(homeroom) == {"back": back}
    today = client.get(reverse("classes:today"), {"date": monday}).content.decode()
    assert day_links(today) == {"previous": back, "next": on}
    assert ('dir="rtl"' in today) == (language == "ar")
