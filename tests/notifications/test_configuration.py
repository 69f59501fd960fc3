"""Email configuration from the environment: EMAIL_URL, DEFAULT_FROM_EMAIL and SITE_URL are read
at start, and a bad value stops the server there with a message saying what is wrong."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from attendance_site.mail import check_from_address, check_site_url, parse_email_url
from tests.security.test_secret_keys import start, strong


def test_smtp_with_a_user_and_password_uses_starttls_on_587():
    assert parse_email_url("smtp://att%40school.org:p%40ss%3Aword@mail.example.org:587") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "att@school.org",
        "EMAIL_HOST_PASSWORD": "p@ss:word",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 10,
        "EMAIL_SSL_CERTFILE": None,
        "EMAIL_SSL_KEYFILE": None,
    }


def test_smtps_is_implicit_tls_on_465_and_the_options_are_read():
    settings = parse_email_url("smtps://mail.example.org?timeout=30&ssl_certfile=/etc/c.pem&ssl_keyfile=/etc/k.pem")
    assert (settings["EMAIL_PORT"], settings["EMAIL_USE_SSL"], settings["EMAIL_USE_TLS"]) == (465, True, False)
    assert (settings["EMAIL_TIMEOUT"], settings["EMAIL_SSL_CERTFILE"], settings["EMAIL_SSL_KEYFILE"]) == (
        30,
        "/etc/c.pem",
        "/etc/k.pem",
    )


def test_plain_smtp_on_a_local_relay():
    settings = parse_email_url("smtp://127.0.0.1:1025?tls=false")
    assert (settings["EMAIL_HOST"], settings["EMAIL_PORT"], settings["EMAIL_USE_TLS"]) == ("127.0.0.1", 1025, False)
    assert parse_email_url("smtp://relay.lan:25")["EMAIL_USE_TLS"] is False
    assert parse_email_url("console://") == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


@pytest.mark.parametrize(
    "value, problem",
    [
        ("mail.example.org", "must start with smtp:// or smtps://, not nothing"),
        ("imap://mail.example.org", "must start with smtp:// or smtps://, not imap://"),
        ("smtp://", "names no mail server"),
        ("smtp://mail.example.org:99999", "has a port that is not a number"),
        ("smtp://mail.example.org:abc", "has a port that is not a number"),
        ("smtp://mail.example.org/inbox", "has a path or #fragment"),
        ("smtp://mail.example.org?tls=maybe", "option tls must be true or false, not 'maybe'"),
        ("smtp://mail.example.org?starttls=1", "has unknown option 'starttls'"),
        ("smtps://mail.example.org?tls=true", "which is TLS already"),
        ("smtp://mail.example.org?timeout=0", "option timeout must be a whole number of seconds"),
        ("smtp://mail.example.org?timeout", "has options that are not name=value pairs"),
    ],
)
def test_a_bad_email_url_is_refused_with_what_is_wrong(value, problem):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL") as refused:
        parse_email_url(value)
    assert problem in str(refused.value)


def test_the_password_is_never_in_the_message():
    with pytest.raises(ImproperlyConfigured) as refused:
        parse_email_url("smtp://user:hunter2secret@mail.example.org?tls=maybe")
    assert "hunter2secret" not in str(refused.value)


def test_from_address_and_site_url():
    assert check_from_address("Northfield attendance <attendance@northfield.sch.uk>").startswith("Northfield")
    assert check_site_url("https://rollbook.example.org/") == "https://rollbook.example.org"
    for bad in ["not an address", "Rollbook <nobody>", ""]:
        with pytest.raises(ImproperlyConfigured, match="DEFAULT_FROM_EMAIL must be an address"):
            check_from_address(bad)
    for bad in [
        "rollbook.example.org",
        "ftp://rollbook.example.org",
        "https://",
        "https://x.org?next=/",
        "https://u:p@x.org",
    ]:
        with pytest.raises(ImproperlyConfigured, match="SITE_URL must be the address people open Rollbook at"):
            check_site_url(bad)


PRINT_MAIL = (
    "from django.conf import settings as s; "
    "print(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.DEFAULT_FROM_EMAIL, s.SITE_URL)"
)


def test_the_server_starts_with_good_values_and_reads_them():
    result = start(
        {
            "SECRET_KEY": strong(),
            "EMAIL_URL": "smtps://u:p@mail.example.org:2465",
            "DEFAULT_FROM_EMAIL": "Attendance <attendance@example.org>",
            "SITE_URL": "https://rollbook.example.org/",
        },
        ["-c", f"import django; django.setup(); {PRINT_MAIL}"],
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "mail.example.org",
        "2465",
        "False",
        "True",
        "Attendance",
        "<attendance@example.org>",
        "https://rollbook.example.org",
    ]


@pytest.mark.parametrize(
    "environment, message",
    [
        ({"EMAIL_URL": "smtp://mail.example.org?tls=maybe"}, "EMAIL_URL option tls must be true or false"),
        ({"EMAIL_URL": "smtp://mail.example.org"}, "SITE_URL is not set: with EMAIL_URL"),
        ({"SITE_URL": "rollbook.example.org"}, "SITE_URL must be the address people open Rollbook at"),
        ({"DEFAULT_FROM_EMAIL": "attendance"}, "DEFAULT_FROM_EMAIL must be an address"),
    ],
)
def test_the_server_does_not_start_on_a_bad_value(environment, message):
    result = start({"SECRET_KEY": strong(), **environment}, ["manage.py", "check"])
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr
