"""Sessions with their user beside them (apps/school/sessions.py): one hand-written statement
reads a request's session and the user it signs in as, and signs in exactly whom Django's own
database sessions and ModelBackend would."""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.school.models import LoginSession
from apps.school.sessions import SessionStore

pytestmark = pytest.mark.django_db


def fields_of(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_a_signed_in_request_reads_its_session_and_user_in_one_statement(client, teacher):
    client.force_login(teacher)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.wsgi_request.user == teacher
    session_reads = [q["sql"] for q in queries if "school_loginsession" in q["sql"]]
    assert len(session_reads) == 1, session_reads
    assert not [q["sql"] for q in queries if q["sql"].lstrip().startswith('SELECT "auth_user"')]


def test_the_session_and_its_user_are_read_as_the_orm_reads_them(client, teacher):
    client.force_login(teacher)
    key = client.cookies["sessionid"].value
    store = SessionStore(session_key=key)
    read = store._get_session_from_db()
    orm = LoginSession.objects.select_related("user").get(session_key=key)
    assert fields_of(read) == fields_of(orm)
    assert fields_of(read.user) == fields_of(orm.user)
    assert read.user.last_login == orm.user.last_login and read.user.last_login.tzinfo is not None
    assert store.load()[SESSION_KEY] == str(teacher.pk)


def test_an_expired_session_signs_nobody_in_and_is_not_read(client, teacher):
    client.force_login(teacher)
    key = client.cookies["sessionid"].value
    LoginSession.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    store = SessionStore(session_key=key)
    assert store._get_session_from_db() is None
    assert store.session_key is None  # a new key is made on the next save, as Django's store does
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_an_unknown_key_signs_nobody_in(client, teacher):
    client.cookies["sessionid"] = "x" * 32
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_user_made_inactive_after_signing_in_is_signed_out(client, teacher):
    client.force_login(teacher)
    get_user_model().objects.filter(pk=teacher.pk).update(is_active=False)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_changed_password_ends_the_other_sessions(client, teacher):
    client.force_login(teacher)
    teacher.set_password("a new one, long enough")
    teacher.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_session_without_a_user_keeps_its_data(client, school):
    store = SessionStore()
    store["language"] = "ar"
    store.save()
    assert LoginSession.objects.get(session_key=store.session_key).user_id is None
    read = SessionStore(session_key=store.session_key)
    assert read.load() == {"language": "ar"}
    assert read._get_session_from_db().user_id is None
