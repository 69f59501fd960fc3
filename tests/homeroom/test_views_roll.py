"""The homeroom roll page: a year group's daily marks, the same experience as a class roll."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.excusals.models import Excusal
from apps.homeroom.models import DailyMark
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from tests import factories as f

HTMX = {"HTTP_HX_REQUEST": "true"}


def monday(world):
    return f.last_weekday(world.school, 1)


def roll_url(world, day=None, year_group=None):
    return reverse("homeroom:roll", args=[(year_group or world.year7).pk, (day or monday(world)).isoformat()])


def student_url(world, student, day=None):
    return reverse("homeroom:roll_student", args=[world.year7.pk, (day or monday(world)).isoformat(), student.pk])


def all_present_url(world, day=None):
    return reverse("homeroom:roll_all_present", args=[world.year7.pk, (day or monday(world)).isoformat()])


def marks(world, day=None):
    return {m.student_id: m for m in DailyMark.objects.filter(date=day or monday(world)).select_related("code")}


def test_the_homeroom_roll_lists_the_year_group(client, world, teacher):
    archived = f.make_students(world.school, 1, world.year7, prefix="Gone")[0]
    archived.archived = True
    archived.save()
    client.force_login(teacher)
    response = client.get(roll_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert all(s.full_name in html for s in world.students)
    assert archived.full_name not in html and world.year8_students[0].full_name not in html
    assert "Year 7 homeroom" in html and "0 of 3" in html
    assert 'type="radio"' in html and "Keyboard shortcuts" in html


def test_an_excusal_is_a_badge_and_one_click_applies_it(client, world, teacher):
    student = world.students[0]
    day = monday(world)
    Excusal.objects.create(
        school=world.school,
        student=student,
        parent=world.parent,
        start_date=day - timedelta(days=1),
        end_date=day,
        comment="Grandma's funeral",
    )
    client.force_login(teacher)
    html = client.get(roll_url(world)).content.decode()
    assert "“Grandma&#x27;s funeral”" in html and f"Apply excused to {student.full_name}" in html
    client.post(student_url(world, student), {"code": f.code(world.school, 13).pk}, **HTMX)
    assert marks(world)[student.pk].code.mb_status == 13


def test_a_tap_writes_a_daily_mark_and_returns_the_row_and_counts(client, world, teacher):
    student = world.students[0]
    absent = f.code(world.school, 0)
    client.force_login(teacher)
    response = client.post(student_url(world, student), {"code": absent.pk}, **HTMX)
    html = response.content.decode()
    assert html.startswith(f'<li class="student is-marked k-absent" id="s{student.pk}"')
    assert 'hx-swap-oob="true"' in html and "<strong>1 of 3</strong>" in html
    mark = marks(world)[student.pk]
    assert (mark.code, mark.channel, mark.recorded_by) == (absent, "web", teacher)
    assert AuditEntry.objects.filter(mark_kind="daily", channel="web").count() == 1


def test_mark_all_present_and_the_whole_form(client, world, teacher):
    s0, s1, s2 = world.students
    absent = f.code(world.school, 0)
    client.force_login(teacher)
    data = {f"s{s.pk}-was": "::" for s in world.students} | {f"s{s0.pk}-code": absent.pk, "action": "all_present"}
    response = client.post(roll_url(world), data, follow=True)
    assert response.redirect_chain == [(roll_url(world), 302)]
    assert "Saved 3 marks." in response.content.decode()
    saved = marks(world)
    assert saved[s0.pk].code == absent and saved[s1.pk].code.mb_status == saved[s2.pk].code.mb_status == -1

    tuesday = monday(world) + timedelta(days=1)
    if tuesday <= world.school.today():
        response = client.post(all_present_url(world, tuesday), **HTMX)
        assert response.content.decode().startswith('<ol id="roll-rows"')
        assert {m.code.mb_status for m in marks(world, tuesday).values()} == {-1}


def test_the_whole_form_with_an_error_is_shown_again(client, world, teacher):
    s0 = world.students[0]
    client.force_login(teacher)
    response = client.post(roll_url(world), {f"s{s0.pk}-code": f.code(world.school, 2).pk, f"s{s0.pk}-minutes": "-4"})
    assert response.status_code == 200
    assert "Minutes late must be between 0 and 600" in response.content.decode()
    assert marks(world) == {}


def test_older_homeroom_rolls_are_read_only_for_teachers_not_admins(client, world, teacher, admin):
    day = world.school.today() - timedelta(days=world.school.teacher_edit_days + 1)
    student = world.students[0]
    client.force_login(teacher)
    html = client.get(roll_url(world, day)).content.decode()
    assert "Read only." in html and '<fieldset class="codes" disabled>' in html
    response = client.post(student_url(world, student, day), {"code": f.code(world.school, 0).pk}, **HTMX)
    assert "only an admin can change this roll" in response.content.decode()
    assert marks(world, day) == {}
    client.force_login(admin)
    assert "Read only." not in client.get(roll_url(world, day)).content.decode()
    client.post(student_url(world, student, day), {"code": f.code(world.school, 0).pk}, **HTMX)
    assert student.pk in marks(world, day)


def test_two_people_saving_the_same_student(client, world, teacher, admin):
    student = world.students[0]
    absent, late = f.code(world.school, 0), f.code(world.school, 2)
    client.force_login(teacher)
    colleague = Client()
    colleague.force_login(admin)
    assert client.post(student_url(world, student), {"code": absent.pk}, **HTMX).status_code == 200
    assert colleague.post(student_url(world, student), {"code": late.pk}, **HTMX).status_code == 200
    assert DailyMark.objects.filter(student=student).count() == 1
    assert marks(world)[student.pk].code == late
    assert AuditEntry.objects.filter(mark_kind="daily", key__student_id=student.pk).count() == 2


@pytest.mark.parametrize("bad", ["monday", "2026-02-31"])
def test_bad_dates_and_days_outside_the_school_year_are_404(client, world, teacher, bad):
    client.force_login(teacher)
    assert client.get(f"/homeroom/{world.year7.pk}/{bad}/").status_code == 404
    far = world.school.today() + timedelta(days=400)
    assert client.get(roll_url(world, far)).status_code == 404


def actions(world):
    student = world.students[0]
    code = f.code(world.school, 0).pk
    return [
        ("get", roll_url(world), {}),
        ("post", roll_url(world), {f"s{student.pk}-code": code}),
        ("post", student_url(world, student), {"code": code}),
        ("post", all_present_url(world), {}),
    ]


@pytest.mark.parametrize("role", ["other_teacher", "parent", "other_parent", "other_school_admin"])
def test_other_people_get_404_on_every_action(client, world, role, request):
    client.force_login(request.getfixturevalue(role))
    for method, url, data in actions(world):
        assert getattr(client, method)(url, data, **HTMX).status_code == 404, (role, method, url)
    assert not DailyMark.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, world):
    for method, url, data in actions(world):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not DailyMark.objects.exists()


def test_an_admin_may_take_any_homeroom_of_their_school(client, world, admin):
    client.force_login(admin)
    for method, url, data in actions(world):
        assert getattr(client, method)(url, data, **HTMX).status_code in {200, 302}
    assert len(marks(world)) == 3
    assert client.get(roll_url(world, year_group=world.year8)).status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_the_page_and_a_tap_cost_the_same_queries_whatever_the_size(
    client, world, teacher, size, django_assert_max_num_queries, write_lock_queries
):
    group = f.make_year_group(world.school, f"Year {size}", world.teacher)
    students = f.make_students(world.school, size, group, prefix=f"H{size}")
    day = monday(world)
    f.saved(
        record_daily_marks(
            actor=None,
            school=world.school,
            channel="demo",
            marks=[DailyMarkInput(s.pk, day, f.code(world.school, 0).pk) for s in students[1::2]],
        )
    )
    Excusal.objects.bulk_create(
        Excusal(school=world.school, student=s, parent=world.parent, start_date=day, end_date=day) for s in students
    )
    client.force_login(teacher)
    url = reverse("homeroom:roll", args=[group.pk, day.isoformat()])
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.content.decode().count("Apply excused to") == size
    tap = reverse("homeroom:roll_student", args=[group.pk, day.isoformat(), students[0].pk])
    code = f.code(world.school, -1).pk
    with django_assert_max_num_queries(17 + write_lock_queries):
        client.post(tap, {"code": code}, **HTMX)
    with django_assert_max_num_queries(16 + write_lock_queries):
        client.post(reverse("homeroom:roll_all_present", args=[group.pk, day.isoformat()]), **HTMX)
    assert DailyMark.objects.filter(student__year_group=group, date=day).count() == size
