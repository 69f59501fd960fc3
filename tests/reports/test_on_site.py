"""On site now: after a morning of marks, each student where their latest mark today puts them;
admins only, their own school only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from apps.classes.services import ClassMarkInput, record_class_marks
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from tests import factories as f

URL = reverse("reports:on_site")
WED = datetime(2026, 11, 18, tzinfo=UTC).date()


def at(clock, hour: int, minute: int) -> None:
    clock.move_to(datetime(2026, 11, 18, hour, minute, tzinfo=UTC))


@pytest.fixture
def morning(world, pinned_clock):
    """Homeroom at 8:30 (Y7000 present, Y7001 absent), English period 1 at 9:00 (Y7000 present,
    Y7001 absent, Y7002 late), and at 9:40 the office signs Y7000 out (Dismissed); nobody marks
    Y8000. The page is read at 10:00."""
    s0, s1, s2 = world.students
    code = {n: f.code(world.school, n).pk for n in (0, 1, 2, 5)}
    teacher, office = world.teacher.user, world.admin.user

    def homeroom(actor, *marks):
        f.saved(record_daily_marks(actor=actor, school=world.school, channel="web", marks=list(marks)))

    at(pinned_clock, 8, 30)
    homeroom(teacher, DailyMarkInput(s0.pk, WED, code[1]), DailyMarkInput(s1.pk, WED, code[0]))
    at(pinned_clock, 9, 0)
    f.saved(
        record_class_marks(
            actor=teacher,
            school=world.school,
            channel="web",
            marks=[
                ClassMarkInput(world.english.pk, s.pk, WED, 1, c)
                for s, c in ((s0, code[1]), (s1, code[0]), (s2, code[2]))
            ],
        )
    )
    at(pinned_clock, 9, 40)
    homeroom(office, DailyMarkInput(s0.pk, WED, code[5]))
    at(pinned_clock, 10, 0)
    return world


def names(seen) -> list[str]:
    return [s.student.first_name for s in seen]


def test_counts_after_a_morning_of_marks(client, morning, admin, django_assert_max_num_queries):
    client.force_login(admin)
    with django_assert_max_num_queries(12):
        page = client.get(URL)
    assert page.status_code == 200
    assert (page.context["present"], page.context["absent"], page.context["unmarked"]) == (1, 2, 1)
    year7, year8 = page.context["groups"]
    assert (year7.name, names(year7.present), names(year7.absent), names(year7.unmarked)) == (
        "Year 7",
        ["Y7002"],
        ["Y7000", "Y7001"],
        [],
    )
    assert [s.code.label for s in year7.absent] == ["Dismissed", "Absent"]
    assert [s.where for s in year7.absent] == ["Homeroom", "7A English, period 1"]
    assert (year8.name, names(year8.unmarked)) == ("Year 8", ["Y8000"])
    html = page.content.decode()
    assert page["Refresh"] == "30"  # the browser reloads it, no JavaScript needed
    assert "Stop updating" in html
    assert "Year 7: 1 present, 2 absent, 0 not yet marked" in html


def test_updating_can_be_stopped_and_started_again(client, morning, admin):
    client.force_login(admin)
    paused = client.get(URL, {"year_group": morning.year7.pk, "paused": "1"})
    assert "Refresh" not in paused.headers
    assert f'href="?year_group={morning.year7.pk}">Update every 30 s' in paused.content.decode()
    assert client.get(URL, {"year_group": morning.year7.pk})["Refresh"] == "30"


def test_filtered_by_class_and_by_year_group(client, morning, admin):
    client.force_login(admin)
    by_class = client.get(URL, {"school_class": morning.science.pk})
    assert [(g.name, names(g.unmarked)) for g in by_class.context["groups"]] == [("Year 8", ["Y8000"])]
    by_group = client.get(URL, {"year_group": morning.year7.pk})
    assert [g.name for g in by_group.context["groups"]] == ["Year 7"]
    assert client.get(URL, {"school_class": morning.far_class.pk}).status_code == 400


def test_before_any_mark_everyone_is_unmarked(client, world, admin, pinned_clock):
    at(pinned_clock, 7, 0)
    client.force_login(admin)
    page = client.get(URL)
    assert (page.context["present"], page.context["absent"], page.context["unmarked"]) == (0, 0, 4)


def test_only_admins_of_the_school(client, morning):
    for user in (morning.teacher.user, morning.parent.user):
        client.force_login(user)
        assert client.get(URL).status_code == 404
    client.force_login(morning.other_school_admin.user)
    assert client.get(URL, {"school": morning.school.pk}).status_code == 404
    own = client.get(URL)
    assert own.status_code == 200
    assert "Y7000" not in own.content.decode() and "Far000" in own.content.decode()
