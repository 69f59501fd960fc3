"""Teacher Today in the order of the day (issue 18 point 7): homeroom first, before period 1,
and the lesson under way or the next marked by the school's clock; office Today lists the
homerooms whose roll is not taken."""

import re

import pytest
from django.urls import reverse

from apps.homeroom.services import DailyMarkInput, record_daily_marks
from apps.school.models import School
from tests import factories as f

TODAY = reverse("classes:today")


def _day_of(client, teacher) -> str:
    client.force_login(teacher)
    response = client.get(TODAY)
    assert response.status_code == 200
    return response.content.decode()


def _tags(html: str) -> list[tuple[str, str]]:
    """Each listed roll's period label and its Now/Next tag, in page order."""
    found = []
    for item in html.split('<li class="meeting')[1:]:
        label = re.search(r'<span class="period-label">([^<]+)</span>', item).group(1)
        tag = re.search(r'<span class="when-tag">(Now|Next)</span>', item)
        found.append((label, tag.group(1) if tag else ""))
    return found


@pytest.mark.time_machine("2026-11-18 08:10 +00:00")  # a Wednesday, before period 1 (08:30)
def test_homeroom_comes_first_and_is_now_before_period_1(client, world, teacher):
    html = _day_of(client, teacher)
    homeroom = reverse("homeroom:roll", args=[world.year7.pk, "2026-11-18"])
    first = reverse("classes:roll", args=[world.english.pk, "2026-11-18", 1])
    assert html.index(homeroom) < html.index(first)
    assert '<span class="period-label">Homeroom</span><span class="time">before 08:30</span>' in html
    assert _tags(html) == [("Homeroom", "Now"), ("Period 1", "Next"), ("Period 3", "")]
    assert html.count('aria-current="time"') == 1


@pytest.mark.time_machine("2026-11-18 08:45 +00:00")
def test_the_lesson_under_way_is_now(client, world, teacher):
    html = _day_of(client, teacher)
    assert _tags(html) == [("Homeroom", ""), ("Period 1", "Now"), ("Period 3", "")]
    assert re.search(r'<li class="meeting state-not_taken is-now" aria-current="time">\s*<a href="[^"]+/1/"', html)


@pytest.mark.time_machine("2026-11-18 09:25 +00:00")  # between period 1 and period 3 (the teacher has no period 2)
def test_between_lessons_the_next_is_marked(client, world, teacher):
    assert _tags(_day_of(client, teacher)) == [("Homeroom", ""), ("Period 1", ""), ("Period 3", "Next")]
    assert 'aria-current="time"' not in _day_of(client, teacher)


@pytest.mark.time_machine("2026-11-18 15:00 +00:00")
def test_after_the_last_lesson_and_on_another_day_nothing_is_marked(client, world, teacher):
    assert _tags(_day_of(client, teacher)) == [("Homeroom", ""), ("Period 1", ""), ("Period 3", "")]
    html = client.get(TODAY, {"date": "2026-11-19"}).content.decode()
    assert 'class="when-tag"' not in html


@pytest.mark.time_machine("2026-11-17 23:45 +00:00")  # 08:45 on the 18th in Tokyo
def test_the_schools_time_zone_decides(client, world, teacher):
    School.objects.filter(pk=world.school.pk).update(timezone="Asia/Tokyo")
    assert _tags(_day_of(client, teacher)) == [("Homeroom", ""), ("Period 1", "Now"), ("Period 3", "")]


@pytest.mark.time_machine("2026-11-18 10:00 +00:00")
def test_office_today_lists_untaken_homerooms(client, world, admin, django_assert_max_num_queries):
    client.force_login(admin)
    html = client.get(reverse("reports:dashboard")).content.decode()
    year7 = reverse("homeroom:roll", args=[world.year7.pk, "2026-11-18"])
    year8 = reverse("homeroom:roll", args=[world.year8.pk, "2026-11-18"])
    assert year7 in html and year8 in html
    assert "Tess Teacher" in html
    export = client.get(reverse("reports:dashboard"), {"format": "csv"}).content.decode()
    assert "2026-11-18,Homeroom,Year 7,Tess Teacher" in export and "2026-11-18,Homeroom,Year 8," in export
    # One student marked in Year 7: its roll is started, so no longer listed; Year 8's still is.
    f.saved(
        record_daily_marks(
            actor=None,
            school=world.school,
            channel="demo",
            marks=[DailyMarkInput(world.students[0].pk, world.school.today(), f.code(world.school, 0).pk)],
        )
    )
    with django_assert_max_num_queries(30):
        html = client.get(reverse("reports:dashboard")).content.decode()
    assert year7 not in html and year8 in html
    # Another school's homerooms never appear.
    other = world.other_school
    assert not any(f"/homeroom/{g.pk}/" in html for g in other.yeargroup_set.all())


@pytest.mark.time_machine("2026-11-21 10:00 +00:00")  # a Saturday
def test_office_today_lists_no_homeroom_on_a_day_without_school(client, world, admin):
    client.force_login(admin)
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert reverse("homeroom:roll", args=[world.year7.pk, "2026-11-21"]) not in html
