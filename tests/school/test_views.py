"""Signing in and out, and the home page sending each role to its place."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.school.models import Administrator, Parent, Teacher
from tests import factories as f

DASHBOARD = reverse("reports:dashboard")
TODAY = reverse("classes:today")
FAMILY = reverse("excusals:family")


def test_login_page_renders(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content
    assert b"csrfmiddlewaretoken" in response.content


def test_good_password_signs_in_and_goes_home(client, teacher):
    response = client.post(reverse("login"), {"username": "teacher", "password": f.PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert int(client.session[SESSION_KEY]) == teacher.pk
    assert client.get(reverse("home")).url == TODAY


def test_login_honours_a_safe_next_and_ignores_another_site(client, teacher):
    response = client.post(reverse("login"), {"username": "teacher", "password": f.PASSWORD, "next": TODAY})
    assert response.url == TODAY
    client.logout()
    response = client.post(
        reverse("login"), {"username": "teacher", "password": f.PASSWORD, "next": "https://evil.example/"}
    )
    assert response.url == reverse("home")


@pytest.mark.parametrize("username", ["teacher", "nobody"])
def test_bad_password_or_unknown_user_is_refused(client, teacher, username):
    response = client.post(reverse("login"), {"username": username, "password": "wrong-password"})
    assert response.status_code == 200
    assert b'role="alert"' in response.content
    assert SESSION_KEY not in client.session


def test_inactive_user_cannot_sign_in(client, teacher):
    teacher.is_active = False
    teacher.save()
    response = client.post(reverse("login"), {"username": "teacher", "password": f.PASSWORD})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_signed_in_user_visiting_login_goes_home(client, teacher):
    client.force_login(teacher)
    response = client.get(reverse("login"))
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_logout_by_post_signs_out(client, teacher):
    client.force_login(teacher)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert SESSION_KEY not in client.session
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_logout_by_get_is_not_allowed_and_keeps_the_session(client, teacher):
    client.force_login(teacher)
    assert client.get(reverse("logout")).status_code == 405
    assert int(client.session[SESSION_KEY]) == teacher.pk


def test_anonymous_home_goes_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/"


@pytest.mark.parametrize(
    "role, place",
    [("admin", DASHBOARD), ("teacher", TODAY), ("other_teacher", TODAY), ("parent", FAMILY), ("other_parent", FAMILY)],
)
def test_home_sends_each_role_to_its_place(client, world, request, role, place):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == place


def test_other_schools_admin_goes_to_the_dashboard_too(client, other_school_admin):
    client.force_login(other_school_admin)
    assert client.get(reverse("home")).url == DASHBOARD


def test_teacher_who_is_also_a_parent_goes_to_today_and_admin_first_of_all(client, world, teacher):
    Parent.objects.create(school=world.school, first_name="Tess", last_name="Teacher", user=teacher)
    client.force_login(teacher)
    assert client.get(reverse("home")).url == TODAY

    Administrator.objects.create(school=world.school, first_name="Tess", last_name="Teacher", user=teacher)
    assert client.get(reverse("home")).url == DASHBOARD


def test_parent_who_is_a_teacher_in_another_school_goes_to_today(client, world, parent):
    Teacher.objects.create(school=world.other_school, first_name="Pat", last_name="Parent", user=parent)
    client.force_login(parent)
    assert client.get(reverse("home")).url == TODAY


def test_user_without_a_role_sees_the_no_role_page(client, db):
    nobody = f.make_user("nobody")
    client.force_login(nobody)
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert b"Your account has no school yet" in response.content
    assert "school/no_role.html" in [t.name for t in response.templates]


def home_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 302
    return len(queries)


def test_home_runs_the_same_few_queries_however_many_roles_and_classes(client, world, teacher):
    small = home_queries(client, teacher)
    assert small <= 5
    year = f.make_year_group(world.school, "Year 9", world.teacher)
    students = f.make_students(world.school, 30, year, prefix="Y9")
    for n in range(10):
        f.make_class(world.school, f"9{n} Maths", [world.teacher], students)
    Parent.objects.create(school=world.other_school, first_name="Tess", last_name="Teacher", user=teacher)
    assert home_queries(client, teacher) == small
