"""The parent's home and child pages: what they show, who may see them, and their query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.classes.models import Enrollment
from tests import factories as f
from tests.excusals.conftest import ABSENT, EXCUSED, LATE, PRESENT, make_excusal, mark_day, mark_lesson, mark_many

pytestmark = pytest.mark.django_db


def test_home_shows_the_childs_term_at_a_glance(client, world, parent, child, monday):
    # Four homeroom days: present, late, absent (excused by a parent), absent (not excused).
    mark_day(world.school, child, monday - timedelta(days=7), PRESENT)
    mark_day(world.school, child, monday - timedelta(days=6), LATE)
    mark_day(world.school, child, monday - timedelta(days=5), ABSENT)
    mark_day(world.school, child, monday - timedelta(days=4), ABSENT)
    make_excusal(world.parent, child, monday - timedelta(days=5), monday - timedelta(days=5))
    mark_lesson(world.school, world.english, child, monday, 1, PRESENT)
    mark_lesson(world.school, world.english, child, monday, 3, ABSENT)
    client.force_login(parent)

    response = client.get(reverse("excusals:family"))

    assert response.status_code == 200
    summary = response.context["children"][0]["summary"]
    assert (summary.days_marked, summary.days_present, summary.days_absent) == (4, 2, 2)
    assert (summary.days_late, summary.days_excused, summary.days_unexcused) == (1, 1, 1)
    assert summary.day_rate == 50.0
    assert (summary.lessons_marked, summary.lessons_present, summary.lesson_rate) == (2, 1, 50.0)
    html = response.content.decode()
    assert child.full_name in html
    assert "A <strong>day</strong> is one homeroom (daily) mark" in html
    assert "Lessons: 50.0% present of 2 lesson marks." in html


def test_an_excused_code_counts_as_excused(client, world, parent, child, monday):
    mark_day(world.school, child, monday, EXCUSED)
    client.force_login(parent)
    summary = client.get(reverse("excusals:family")).context["children"][0]["summary"]
    assert (summary.days_absent, summary.days_excused, summary.days_unexcused) == (1, 1, 0)


def test_calendar_days_carry_the_code_in_text_and_the_excusal(client, world, parent, child, monday):
    mark_day(world.school, child, monday, ABSENT)
    make_excusal(world.parent, child, monday, monday)
    client.force_login(parent)

    response = client.get(reverse("excusals:family"), {"month": monday.strftime("%Y-%m")})

    calendar = response.context["children"][0]["calendar"]
    [day] = [d for week in calendar.weeks for d in week if d.day == monday]
    assert day.mark.code.label == "Absent" and day.excusal is not None
    assert [c.label for c in calendar.codes] == ["Absent"]
    html = response.content.decode()
    assert '<span class="day-code" aria-hidden="true">A</span><span class="visually-hidden">Absent</span>' in html
    assert "excusal sent" in html
    assert "No homeroom mark" in html  # the legend says what a blank day means


def test_calendar_months_are_real_links(client, world, parent, child):
    client.force_login(parent)
    response = client.get(reverse("excusals:family"), {"month": "2026-01"})
    html = response.content.decode()
    assert response.context["children"][0]["calendar"].month.isoformat() == "2026-01-01"
    assert f'href="?month=2025-12#child-{child.pk}" rel="prev"' in html
    assert f'href="?month=2026-02#child-{child.pk}" rel="next"' in html


@pytest.mark.parametrize("month", ["nonsense", "2026-13", "1899-01", "2026-1"])
def test_a_bad_month_shows_this_month(client, world, parent, month):
    client.force_login(parent)
    response = client.get(reverse("excusals:family"), {"month": month})
    assert response.status_code == 200
    assert response.context["children"][0]["calendar"].month == world.school.today().replace(day=1)


def test_recent_marks_show_the_teachers_notes_and_leave_out_plain_present(client, world, parent, child, monday):
    mark_lesson(world.school, world.english, child, monday, 1, LATE, "Came in at 9:10")
    mark_lesson(world.school, world.english, child, monday, 3, PRESENT)
    mark_day(world.school, child, monday, PRESENT, "Forgot PE kit")
    client.force_login(parent)

    response = client.get(reverse("excusals:family"))

    recent = response.context["children"][0]["recent"]
    assert [(m.where, m.code.label, m.note) for m in recent] == [
        ("Homeroom", "Present", "Forgot PE kit"),
        ("7A English", "Late", "Came in at 9:10"),
    ]
    assert "“Came in at 9:10”" in response.content.decode()


def test_recent_marks_are_capped_per_child(client, world, parent, child, monday):
    for days_back in range(10):
        mark_day(world.school, child, monday - timedelta(days=days_back), ABSENT)
    client.force_login(parent)
    recent = client.get(reverse("excusals:family")).context["children"][0]["recent"]
    assert len(recent) == 6
    assert recent[0].date == monday


def test_home_tells_of_an_absence_with_no_excusal_and_links_the_form(client, world, parent, child, monday):
    mark_lesson(world.school, world.english, child, monday, 1, ABSENT)
    mark_day(world.school, child, monday, ABSENT)
    mark_day(world.school, child, monday - timedelta(days=7), ABSENT)
    make_excusal(world.parent, child, monday - timedelta(days=7), monday - timedelta(days=7))
    client.force_login(parent)

    response = client.get(reverse("excusals:family"))

    [missing] = response.context["missing"]
    assert (missing.student, missing.day) == (child, monday)
    assert missing.places == ["homeroom", "7A English, period 1"]
    html = response.content.decode()
    link = f"{reverse('excusals:new')}?child={child.pk}&amp;start={monday:%Y-%m-%d}"
    assert f'href="{link}"' in html
    assert "Send an excusal for this day" in html


def test_no_notification_once_an_excusal_covers_the_day(client, world, parent, child, monday):
    mark_day(world.school, child, monday, ABSENT)
    make_excusal(world.parent, child, monday - timedelta(days=1), monday + timedelta(days=1))
    client.force_login(parent)
    response = client.get(reverse("excusals:family"))
    assert response.context["missing"] == []
    assert "Absences with no excusal" not in response.content.decode()


def test_late_is_not_an_absence_to_excuse(client, world, parent, child, monday):
    mark_day(world.school, child, monday, LATE)
    client.force_login(parent)
    assert client.get(reverse("excusals:family")).context["missing"] == []


def test_home_lists_current_and_past_excusals(client, world, parent, child, monday):
    today = world.school.today()
    past = make_excusal(world.parent, child, today - timedelta(days=20), today - timedelta(days=18), "Flu")
    coming = make_excusal(world.parent, child, today + timedelta(days=3), today + timedelta(days=4), "Wedding")
    client.force_login(parent)
    response = client.get(reverse("excusals:family"))
    assert response.context["current_excusals"] == [coming]
    assert response.context["past_excusals"] == [past]
    html = response.content.decode()
    assert reverse("excusals:detail", args=[past.pk]) in html and "“Wedding”" in html


def test_child_page_shows_every_mark_of_the_month(client, world, parent, child, monday):
    mark_lesson(world.school, world.english, child, monday, 1, PRESENT)
    mark_lesson(world.school, world.english, child, monday, 3, PRESENT)
    mark_day(world.school, child, monday, PRESENT)
    client.force_login(parent)

    response = client.get(reverse("excusals:child", args=[child.pk]), {"month": monday.strftime("%Y-%m")})

    assert response.status_code == 200
    assert [(m.where, m.period_label) for m in response.context["marks"]] == [
        ("Homeroom", None),
        ("7A English", 1),
        ("7A English", 3),
    ]


def test_child_page_counts_periods_from_zero_when_the_school_does(client, world, parent, child, monday):
    world.school.periods_from_zero = True
    world.school.save()
    mark_lesson(world.school, world.english, child, monday, 1, ABSENT)
    client.force_login(parent)
    response = client.get(reverse("excusals:child", args=[child.pk]), {"month": monday.strftime("%Y-%m")})
    assert [m.period_label for m in response.context["marks"]] == [0]


# ---------------------------------------------------------------- who may see


def test_anonymous_is_sent_to_sign_in(client, world, child):
    for url in [reverse("excusals:family"), reverse("excusals:child", args=[child.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("user", ["teacher", "other_teacher", "admin", "other_school_admin"])
def test_staff_who_are_not_parents_get_404(client, world, request, user, child):
    client.force_login(request.getfixturevalue(user))
    assert client.get(reverse("excusals:family")).status_code == 404
    assert client.get(reverse("excusals:child", args=[child.pk])).status_code == 404


def test_a_teacher_who_is_also_a_parent_sees_their_own_child(client, world, teacher):
    from apps.school.models import Guardianship, Parent

    own = world.year8_students[0]
    parent_role = Parent.objects.create(school=world.school, first_name="Tess", last_name="Teacher", user=teacher)
    Guardianship.objects.create(school=world.school, parent=parent_role, student=own)
    client.force_login(teacher)
    response = client.get(reverse("excusals:family"))
    assert response.status_code == 200
    assert [c["student"] for c in response.context["children"]] == [own]
    # Teaching 7A English gives them no parent's view of its students.
    assert client.get(reverse("excusals:child", args=[world.students[1].pk])).status_code == 404


def test_other_parent_sees_only_their_own_child(client, world, other_parent, child):
    client.force_login(other_parent)
    response = client.get(reverse("excusals:family"))
    assert [c["student"] for c in response.context["children"]] == [world.year8_students[0]]
    assert child.full_name not in response.content.decode()
    assert client.get(reverse("excusals:child", args=[child.pk])).status_code == 404


def test_another_schools_child_is_a_404(client, world, parent):
    client.force_login(parent)
    assert client.get(reverse("excusals:child", args=[world.far_students[0].pk])).status_code == 404
    assert client.get(reverse("excusals:child", args=[999999])).status_code == 404


def test_a_parent_in_two_schools_sees_both_children(client, world, parent):
    far_child = world.far_students[0]
    f.make_parent(world.other_school, "parent_again", far_child)  # a second login: not this parent
    from apps.school.models import Guardianship, Parent

    role = Parent.objects.create(school=world.other_school, first_name="Pat", last_name="Parent", user=parent)
    Guardianship.objects.create(school=world.other_school, parent=role, student=far_child)
    client.force_login(parent)
    response = client.get(reverse("excusals:family"))
    assert {c["student"] for c in response.context["children"]} == {world.students[0], far_child}
    assert response.context["several_schools"] is True
    assert client.get(reverse("excusals:child", args=[far_child.pk])).status_code == 200


def test_a_parent_with_no_linked_child_is_told_so(client, world):
    client.force_login(f.make_parent(world.school, "lonely_parent").user)
    response = client.get(reverse("excusals:family"))
    assert response.status_code == 200
    assert "No children are linked to your account yet" in response.content.decode()


# ---------------------------------------------------------------- query counts


def _family_of(world, size: int):
    """A parent with ``size`` children, each with a fortnight of homeroom and lesson marks,
    notes, absences and an excusal."""
    school = world.school
    children = f.make_students(school, size, world.year7, prefix=f"Kid{size}-")
    Enrollment.objects.bulk_create(Enrollment(school=school, school_class=world.english, student=c) for c in children)
    user = f.make_parent(school, f"parent_of_{size}", *children).user
    monday = f.last_weekday(school, 1)
    days, lessons = [], []
    for c in children:
        for back in range(size * 3):
            day = monday - timedelta(days=back)
            days.append((c, day, [PRESENT, ABSENT, LATE][back % 3], f"note {back}"))
            if day.isoweekday() <= 5:
                lessons.append((world.english, c, day, 1, [ABSENT, PRESENT][back % 2], "lesson note"))
        make_excusal(user.parent_roles.get(), c, monday - timedelta(days=1), monday - timedelta(days=1))
    mark_many(school, days, lessons)
    return user, children


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def test_home_queries_do_not_grow_with_children_or_marks(client, world, django_assert_max_num_queries):
    small, _ = _family_of(world, 1)
    large, _ = _family_of(world, 4)
    client.force_login(small)
    few = _queries(client, reverse("excusals:family"))
    client.force_login(large)
    with django_assert_max_num_queries(few):
        response = client.get(reverse("excusals:family"))
    assert len(response.context["children"]) == 4
    assert few <= 17  # one of them the school's codes, to read a P Present as the default present


def test_child_page_queries_do_not_grow_with_marks(client, world, django_assert_max_num_queries):
    small, [small_child] = _family_of(world, 1)
    large, large_children = _family_of(world, 4)
    month = f.last_weekday(world.school, 1).strftime("%Y-%m")
    client.force_login(small)
    few = _queries(client, reverse("excusals:child", args=[small_child.pk]), {"month": month})
    client.force_login(large)
    with django_assert_max_num_queries(few):
        response = client.get(reverse("excusals:child", args=[large_children[0].pk]), {"month": month})
    assert len(response.context["marks"]) > 12


def test_home_shows_five_missing_excusals_and_the_child_page_all(client, world, parent, child, monday):
    days = [(child, monday - timedelta(days=back), ABSENT, "") for back in range(7)]
    mark_many(world.school, days, [])
    client.force_login(parent)
    home = client.get(reverse("excusals:family"))
    assert home.content.decode().count("Send an excusal for this day") == 5
    assert "And 2 earlier days this term" in home.content.decode()
    page = client.get(reverse("excusals:child", args=[child.pk]))
    assert len(page.context["missing"]) == 7
    assert page.content.decode().count("Send an excusal for this day") == 7
