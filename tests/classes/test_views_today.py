"""The teacher's day: their lessons by period and their homerooms, each with its roll's state."""

from datetime import timedelta

import pytest
from django.urls import reverse

from apps.classes.services import ClassMarkInput, record_class_marks
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from tests import factories as f

TODAY = reverse("classes:today")


def monday(world):
    return f.last_weekday(world.school, 1)


def test_the_teacher_sees_their_lessons_by_period_and_their_homeroom(client, world, teacher):
    day = monday(world)
    client.force_login(teacher)
    response = client.get(TODAY, {"date": day.isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    first = reverse("classes:roll", args=[world.english.pk, day.isoformat(), 1])
    third = reverse("classes:roll", args=[world.english.pk, day.isoformat(), 3])
    assert html.index(first) < html.index(third)
    assert 'Period 1</span><span class="time">08:30–09:20' in html and "Room 3" in html
    assert "8B Science" not in html  # a colleague's class
    assert reverse("homeroom:roll", args=[world.year7.pk, day.isoformat()]) in html
    assert reverse("homeroom:roll", args=[world.year8.pk, day.isoformat()]) not in html
    assert html.count("Not taken") == 3


def test_each_roll_shows_whether_it_is_taken(client, world, teacher):
    day = monday(world)
    present = f.code(world.school, -1)
    s0, s1, s2 = world.students
    f.saved(
        record_class_marks(
            actor=teacher,
            school=world.school,
            channel="web",
            marks=[ClassMarkInput(world.english.pk, s.pk, day, 1, present.pk) for s in (s0, s1, s2)]
            + [ClassMarkInput(world.english.pk, s0.pk, day, 3, present.pk)],
        )
    )
    f.saved(
        record_daily_marks(
            actor=teacher, school=world.school, channel="web", marks=[DailyMarkInput(s1.pk, day, present.pk)]
        )
    )
    client.force_login(teacher)
    html = client.get(TODAY, {"date": day.isoformat()}).content.decode()
    assert '<span class="state taken">Taken</span>' in html
    assert html.count("Partly taken, 1 of 3") == 2  # period 3 and homeroom
    assert "Not taken" not in html


def test_a_weekend_has_no_lessons_and_days_link_to_each_other(client, world, teacher):
    saturday = f.last_weekday(world.school, 6)
    client.force_login(teacher)
    html = client.get(TODAY, {"date": saturday.isoformat()}).content.decode()
    assert "No classes on your timetable on this day." in html
    assert f'href="?date={(saturday - timedelta(days=1)).isoformat()}"' in html
    assert f'href="?date={(saturday + timedelta(days=1)).isoformat()}"' in html
    assert '<form method="get" action="/today/"' in html and 'type="date"' in html


def test_without_a_date_it_is_the_schools_today(client, world, teacher):
    client.force_login(teacher)
    html = client.get(TODAY).content.decode()
    assert f'value="{world.school.today().isoformat()}"' in html
    assert "Today, " in html


def test_period_labels_count_from_zero_when_the_school_does(client, world, teacher):
    world.school.periods_from_zero = True
    world.school.save()
    client.force_login(teacher)
    html = client.get(TODAY, {"date": monday(world).isoformat()}).content.decode()
    assert "Period 0</span>" in html and "Period 2</span>" in html and "Period 1</span>" not in html


@pytest.mark.parametrize(
    "bad", ["tomorrow", "2026-02-30", "2026-1-1", "0001-01-01", "1899-12-31", "2201-01-01", "9999-12-31"]
)
def test_a_bad_or_out_of_range_date_is_a_clear_400(client, world, teacher, bad):
    client.force_login(teacher)
    response = client.get(TODAY, {"date": bad})
    assert response.status_code == 400
    assert "is not a date between 1 January 1900 and 31 December 2200" in response.content.decode()


@pytest.mark.parametrize("edge", ["1900-01-01", "2200-12-31"])
def test_the_first_and_last_days_rollbook_takes_are_shown(client, world, teacher, edge):
    client.force_login(teacher)
    response = client.get(TODAY, {"date": edge})
    assert response.status_code == 200
    assert 'min="1900-01-01" max="2200-12-31"' in response.content.decode()


def test_parents_have_no_today_page_and_anonymous_signs_in(client, world, parent):
    response = client.get(TODAY)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(parent)
    assert client.get(TODAY).status_code == 404


def test_other_people_see_only_their_own_rolls(client, world, other_teacher, other_school_admin, admin):
    day = monday(world).isoformat()
    english = reverse("classes:roll", args=[world.english.pk, day, 1])
    for user in (other_teacher, other_school_admin, admin):
        client.force_login(user)
        response = client.get(TODAY, {"date": day})
        assert response.status_code == 200
        assert english not in response.content.decode()
    client.force_login(other_teacher)
    assert "8B Science" in client.get(TODAY, {"date": day}).content.decode()


@pytest.mark.parametrize("size", [3, 30])
def test_today_costs_the_same_queries_whatever_the_size(client, world, teacher, size, django_assert_max_num_queries):
    day = monday(world)
    present = f.code(world.school, -1)
    for n in range(size // 3):
        students = f.make_students(world.school, size, world.year7, prefix=f"T{n}-")
        school_class = f.make_class(world.school, f"Class {n}", [world.teacher], students, periods=(n % 6 + 1,))
        f.saved(
            record_class_marks(
                actor=None,
                school=world.school,
                channel="demo",
                marks=[ClassMarkInput(school_class.pk, s.pk, day, n % 6 + 1, present.pk) for s in students[:2]],
            )
        )
    client.force_login(teacher)
    with django_assert_max_num_queries(10):
        response = client.get(TODAY, {"date": day.isoformat()})
    assert response.content.decode().count('class="meeting ') == 2 + size // 3 + 1
