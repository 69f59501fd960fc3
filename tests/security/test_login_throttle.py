"""Sign-in throttling (django-axes): after LOGIN_FAILURE_LIMIT failed sign-ins for one username
from one address, that pair is locked out for the cool-off, with one page that says the same
whether or not the username exists."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.factories import PASSWORD

LOGIN = "/accounts/login/"


def sign_in(client, username, password, ip="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def page_text(response) -> str:
    """The page without what changes on every response (CSRF token, CSP nonce)."""
    text = response.content.decode()
    text = re.sub(r'"x-csrftoken": "[^"]+"', "", text)
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return re.sub(r'nonce="[^"]+"', "", text)


@pytest.fixture(autouse=True)
def limit_three(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def test_the_settings_default_to_five_failures_and_fifteen_minutes():
    from django.conf import settings as django_settings

    # Read from LOGIN_FAILURE_LIMIT and LOGIN_COOLOFF_MINUTES; the test environment sets neither.
    from attendance_site import settings as module

    assert module.AXES_FAILURE_LIMIT == 5
    assert module.AXES_COOLOFF_TIME == timedelta(minutes=15)
    assert django_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_failures_below_the_limit_show_the_form_and_the_right_password_still_works(client, teacher):
    for _ in range(2):
        response = sign_in(client, "teacher", "wrong")
        assert response.status_code == 200
        assert b"Sign in" in response.content
    response = sign_in(client, "teacher", PASSWORD)
    assert response.status_code == 302
    # A good sign-in forgets the failures.
    assert not AccessAttempt.objects.filter(username="teacher").exists()


def test_the_limit_locks_the_username_from_that_address_even_with_the_right_password(client, teacher):
    for _ in range(2):
        assert sign_in(client, "teacher", "wrong").status_code == 200
    locked = sign_in(client, "teacher", "wrong")
    assert locked.status_code == 429
    assert b"Too many attempts" in locked.content
    assert b"15 minutes" in locked.content
    assert locked["Retry-After"] == "900"
    # Now even the right password is refused, and no session is made.
    again = sign_in(client, "teacher", PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302  # still anonymous: off to sign in


def test_the_lockout_is_per_username_and_address(client, teacher, other_teacher):
    for _ in range(3):
        sign_in(client, "teacher", "wrong")
    assert sign_in(client, "teacher", PASSWORD).status_code == 429
    # The same person from another address, and another user from the same address, still sign in.
    assert sign_in(client, "teacher", PASSWORD, ip="198.51.100.20").status_code == 302
    client.logout()
    assert sign_in(client, "other_teacher", PASSWORD).status_code == 302


def test_the_lockout_page_is_the_same_for_a_username_that_does_not_exist(client, teacher):
    pages = {}
    for username in ("teacher", "nobody.at.all"):
        for _ in range(2):
            sign_in(client, username, "wrong")
        pages[username] = sign_in(client, username, "wrong")
    real, unknown = pages["teacher"], pages["nobody.at.all"]
    assert real.status_code == unknown.status_code == 429
    assert page_text(real) == page_text(unknown)
    assert b"nobody.at.all" not in unknown.content
    assert real["Retry-After"] == unknown["Retry-After"]


def test_the_lock_ends_after_the_cool_off(client, teacher):
    for _ in range(3):
        sign_in(client, "teacher", "wrong")
    assert sign_in(client, "teacher", PASSWORD).status_code == 429
    # Age the failures past the cool-off, as the clock would.
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
    assert sign_in(client, "teacher", PASSWORD).status_code == 302


def test_the_django_admin_sign_in_is_throttled_too(client, admin):
    def admin_sign_in(password):
        return client.post("/django-admin/login/", {"username": "admin", "password": password}, REMOTE_ADDR="1.2.3.4")

    for _ in range(3):
        admin_sign_in("wrong")
    response = admin_sign_in(PASSWORD)
    assert response.status_code == 429
