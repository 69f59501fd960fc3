"""The office's excusal page: excusals covering a date and absences with none, admins only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.classes.models import Enrollment
from apps.school.models import Administrator
from tests import factories as f
from tests.excusals.conftest import ABSENT, LATE, PRESENT, make_excusal, mark_day, mark_lesson

pytestmark = pytest.mark.django_db
OFFICE = "/office/excusals/"


def test_todays_excusals_by_default(client, world, admin, child):
    today = world.school.today()
    covering = make_excusal(world.parent, child, today - timedelta(days=1), today + timedelta(days=1), "Chickenpox")
    make_excusal(world.parent, child, today + timedelta(days=5), today + timedelta(days=6))
    client.force_login(admin)
    response = client.get(OFFICE)
    assert response.status_code == 200
    assert response.context["day"] == today
    assert response.context["excusals"] == [covering]
    html = response.content.decode()
    assert "Chickenpox" in html and child.full_name in html and "Pat Parent" in html


def test_any_date_through_the_date_picker(client, world, admin, child, monday):
    earlier = monday - timedelta(days=14)
    old = make_excusal(world.parent, child, earlier, earlier)
    client.force_login(admin)
    response = client.get(OFFICE, {"date": earlier.isoformat()})
    assert response.context["day"] == earlier
    assert response.context["excusals"] == [old]
    html = response.content.decode()
    assert f'value="{earlier:%Y-%m-%d}"' in html
    assert f'href="?date={earlier - timedelta(days=1):%Y-%m-%d}" rel="prev"' in html


@pytest.mark.parametrize(
    "bad, message",
    [
        ("2026-02-31", "Enter a valid date."),
        ("0001-01-01", "Choose a date between 1 January 1900 and 31 December 2200."),
        ("9999-12-31", "Choose a date between 1 January 1900 and 31 December 2200."),
    ],
)
def test_a_bad_date_is_a_400_that_says_so_and_shows_today(client, world, admin, bad, message):
    client.force_login(admin)
    response = client.get(OFFICE, {"date": bad})
    assert response.status_code == 400
    assert response.context["day"] == world.school.today()
    assert f"{message} Showing today." in response.content.decode()


def test_unexcused_absences_link_to_their_rolls(client, world, admin, child, monday):
    other = world.students[1]
    mark_day(world.school, child, monday, ABSENT)
    mark_lesson(world.school, world.english, child, monday, 3, ABSENT)
    mark_lesson(world.school, world.english, other, monday, 1, ABSENT)
    mark_day(world.school, other, monday, ABSENT)
    make_excusal(world.parent, other, monday, monday)  # covered: not listed
    mark_lesson(world.school, world.english, world.students[2], monday, 1, LATE)  # not an absence
    mark_day(world.school, world.students[2], monday, PRESENT)
    client.force_login(admin)

    response = client.get(OFFICE, {"date": monday.isoformat()})

    rows = [(a.student, a.where, a.period_number) for a in response.context["absences"]]
    assert rows == [(child, "Homeroom", None), (child, "7A English", 3)]
    html = response.content.decode()
    assert reverse("homeroom:roll", args=[world.year7.pk, monday.isoformat()]) in html
    assert reverse("classes:roll", args=[world.english.pk, monday.isoformat(), 3]) in html


def test_period_labels_follow_the_school_but_roll_links_use_the_wire_number(client, world, admin, child, monday):
    world.school.periods_from_zero = True
    world.school.save()
    mark_lesson(world.school, world.english, child, monday, 3, ABSENT)
    client.force_login(admin)
    response = client.get(OFFICE, {"date": monday.isoformat()})
    [absence] = response.context["absences"]
    assert (absence.period_number, absence.period_label) == (3, 2)
    assert reverse("classes:roll", args=[world.english.pk, monday.isoformat(), 3]) in response.content.decode()


def test_other_schools_rows_never_show(client, world, admin, monday):
    far_child = world.far_students[0]
    far_parent = f.make_parent(world.other_school, "far_parent", far_child)
    make_excusal(far_parent, far_child, monday, monday)
    mark_lesson(world.other_school, world.far_class, world.far_students[1], monday, 1, ABSENT)
    client.force_login(admin)
    response = client.get(OFFICE, {"date": monday.isoformat()})
    assert response.context["excusals"] == [] and response.context["absences"] == []


def test_an_admin_of_two_schools_picks_one(client, world, admin, monday):
    Administrator.objects.create(school=world.other_school, first_name="Ada", last_name="Admin", user=admin)
    far_child = world.far_students[0]
    far = make_excusal(f.make_parent(world.other_school, "far_parent", far_child), far_child, monday, monday)
    client.force_login(admin)
    response = client.get(OFFICE, {"date": monday.isoformat(), "school": world.other_school.pk})
    assert response.context["school"] == world.other_school
    assert response.context["excusals"] == [far]
    assert 'name="school"' in response.content.decode()


def test_a_school_the_admin_does_not_run_is_a_404(client, world, admin):
    client.force_login(admin)
    assert client.get(OFFICE, {"school": world.other_school.pk}).status_code == 404
    assert client.get(OFFICE, {"school": "nonsense"}).status_code == 404


def test_other_school_admin_sees_only_their_own_school(client, world, other_school_admin, child):
    today = world.school.today()
    make_excusal(world.parent, child, today, today)
    client.force_login(other_school_admin)
    response = client.get(OFFICE)
    assert response.context["school"] == world.other_school
    assert response.context["excusals"] == []
    assert client.get(OFFICE, {"school": world.school.pk}).status_code == 404


@pytest.mark.parametrize("user", ["teacher", "other_teacher", "parent", "other_parent"])
def test_teachers_and_parents_get_404(client, world, request, user):
    client.force_login(request.getfixturevalue(user))
    assert client.get(OFFICE).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(OFFICE)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def _busy_day(world, size: int, day):
    school = world.school
    students = f.make_students(school, size, world.year7, prefix=f"Busy{size}-")
    Enrollment.objects.bulk_create(Enrollment(school=school, school_class=world.english, student=s) for s in students)
    parent = f.make_parent(school, f"busy_parent_{size}", *students)
    for i, student in enumerate(students):
        mark_day(school, student, day, ABSENT)
        mark_lesson(school, world.english, student, day, 1, ABSENT)
        if i % 2:
            make_excusal(parent, student, day, day)


def test_queries_do_not_grow_with_the_number_of_rows(client, world, admin, monday, django_assert_max_num_queries):
    client.force_login(admin)
    _busy_day(world, 2, monday)
    with CaptureQueriesContext(connection) as small:
        response = client.get(OFFICE, {"date": monday.isoformat()})
    assert len(response.context["absences"]) == 2
    _busy_day(world, 8, monday)
    with django_assert_max_num_queries(len(small)):
        response = client.get(OFFICE, {"date": monday.isoformat()})
    assert len(response.context["absences"]) == 2 + 8
    assert len(response.context["excusals"]) == 1 + 4
