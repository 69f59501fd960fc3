"""Django admin: every model registered; each list and change page renders with a bounded,
size-independent number of queries; marks, excusals and the audit log cannot be changed there;
API clients never show their hashes."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.api.models import AccessToken, ApiClient, OAuthNonce, hash_secret
from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark, Enrollment
from apps.demo.builder import DEMO_SCHOOL_NUMBER
from apps.excusals.models import Excusal
from apps.excusals.services import excusal_create
from apps.homeroom.models import Adjustment
from apps.homeroom.services import TimeEntryInput, record_time_entries
from apps.school.models import AttendanceCode, School, Student, Term
from tests import factories as f

ADMIN_APPS = ["school", "classes", "homeroom", "excusals", "audit", "api"]
# Signed-in sessions are no admin's to browse: their keys sign people in (Django's own sessions
# are not in the admin either).
NOT_IN_ADMIN = {"LoginSession"}
MODELS = [
    model
    for label in ADMIN_APPS
    for model in apps.get_app_config(label).get_models()
    if model.__name__ not in NOT_IN_ADMIN
]
CHANGELIST_QUERIES = 10
CHANGE_PAGE_QUERIES = 15


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.org", f.PASSWORD)
    client.force_login(user)
    return client


def build_demo(students: int, *extra: str) -> School:
    call_command("seed_demo", "--students", str(students), "--weeks", "1", *extra, stdout=io.StringIO())
    school = School.objects.get(number=DEMO_SCHOOL_NUMBER)
    # The rows the demo may not make on every date (an excusal) and never makes (a time entry,
    # an adjustment, an OAuth2 token, a nonce).
    student = Student.objects.filter(school=school, parents__isnull=False).order_by("pk").first()
    if not Excusal.objects.filter(school=school).exists():
        excusal_create(
            actor=get_user_model().objects.get(username="admin"),
            student=student,
            parent=student.parents.first(),
            start_date=school.today(),
            end_date=school.today(),
            comment="Dentist",
        )
    present = AttendanceCode.objects.get(school=school, mb_status=-1)
    f.saved(
        record_time_entries(
            actor=None,
            school=school,
            entries=[TimeEntryInput(student.pk, school.today() - timedelta(days=1), present.pk, 300)],
            channel="import",
        )
    )
    Adjustment.objects.create(
        school=school, student=student, term=Term.objects.filter(school=school).first(), code=present, adjustment=2
    )
    api_client = ApiClient.objects.filter(user__username="admin").first()
    AccessToken.objects.create(
        client=api_client, token_hash=hash_secret(f"t{students}"), expires_at=timezone.now() + timedelta(hours=1)
    )
    OAuthNonce.objects.create(client_key=api_client.client_id, nonce=f"n{students}", timestamp=1)
    return school


def test_every_model_of_the_project_is_registered():
    missing = [model.__name__ for model in MODELS if model not in admin.site._registry]
    assert not missing


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def test_every_list_and_change_page_renders_with_bounded_queries(superuser_client):
    build_demo(20)
    small = {}
    for model in MODELS:
        small[model] = count_queries(superuser_client, url(model, "changelist"))
        assert small[model] <= CHANGELIST_QUERIES, model.__name__
        assert count_queries(superuser_client, url(model, "changelist") + "?q=Smith") <= CHANGELIST_QUERIES
        obj = model.objects.order_by("pk").first()
        assert obj is not None, model.__name__
        assert count_queries(superuser_client, url(model, "change", obj.pk)) <= CHANGE_PAGE_QUERIES, model.__name__

    # Three times the school: the same number of queries on every list.
    build_demo(60, "--reset")
    for model in MODELS:
        assert count_queries(superuser_client, url(model, "changelist")) == small[model], model.__name__


def test_lists_filter_by_school_kind_channel_and_date(superuser_client):
    school = build_demo(20)
    day = ClassMark.objects.filter(school=school).first().date
    for model, query in [
        (ClassMark, f"?school__id__exact={school.pk}&channel__exact=demo&code__kind__exact=absent"),
        (ClassMark, f"?date__year={day.year}&date__month={day.month}&date__day={day.day}"),
        (AuditEntry, f"?mark_kind__exact=daily&channel__exact=demo&school__id__exact={school.pk}"),
        (AttendanceCode, "?kind__exact=late&enabled__exact=1"),
        (Student, "?archived__exact=0&q=2000"),
        (ApiClient, "?state=active"),
    ]:
        response = superuser_client.get(url(model, "changelist") + query)
        # An unknown filter would redirect to ?e=1; a known one lists.
        assert response.status_code == 200, (model.__name__, query)


def test_audit_entries_cannot_be_added_changed_or_deleted(superuser_client):
    school = build_demo(10)
    entry = AuditEntry.objects.filter(school=school).first()
    page = superuser_client.get(url(AuditEntry, "change", entry.pk))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert superuser_client.post(url(AuditEntry, "change", entry.pk), {"channel": "web"}).status_code == 403
    assert superuser_client.get(url(AuditEntry, "add")).status_code == 403
    assert superuser_client.post(url(AuditEntry, "delete", entry.pk), {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.channel == "demo"
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_marks_are_read_only_in_the_admin(superuser_client):
    school = build_demo(10)
    mark = ClassMark.objects.filter(school=school).first()
    assert superuser_client.post(url(ClassMark, "change", mark.pk), {"note": "edited"}).status_code == 403
    assert superuser_client.get(url(ClassMark, "add")).status_code == 403
    mark.refresh_from_db()
    assert mark.note != "edited"


def test_api_clients_show_no_hashes_and_can_be_revoked(superuser_client):
    build_demo(10)
    api_client = ApiClient.objects.get(user__username="admin")
    page = superuser_client.get(url(ApiClient, "change", api_client.pk))
    assert page.status_code == 200
    for secret in (api_client.token_hash, api_client.secret_hash, api_client.secret_encrypted):
        assert secret.encode() not in page.content
    assert api_client.token_hint.encode() in page.content
    listing = superuser_client.get(url(ApiClient, "changelist"))
    assert api_client.token_hash.encode() not in listing.content
    assert superuser_client.get(url(ApiClient, "add")).status_code == 403

    # Scopes are edited as choices; the hashes cannot be posted.
    response = superuser_client.post(
        url(ApiClient, "change", api_client.pk),
        {"name": "Renamed", "scopes": ["read:attendance"], "token_hash": "0" * 64},
    )
    assert response.status_code == 302
    api_client.refresh_from_db()
    assert api_client.name == "Renamed"
    assert api_client.scope_list == ["read:attendance"]
    assert api_client.token_hash != "0" * 64

    assert AccessToken.objects.filter(client=api_client).exists()
    response = superuser_client.post(
        url(ApiClient, "changelist"), {"action": "revoke", "_selected_action": [api_client.pk]}
    )
    assert response.status_code == 302
    api_client.refresh_from_db()
    assert api_client.revoked_at is not None
    assert not AccessToken.objects.filter(client=api_client).exists()


def test_a_row_pointing_at_another_school_is_refused_with_a_message(superuser_client, world):
    response = superuser_client.post(
        url(Enrollment, "add"),
        {"school": world.school.pk, "school_class": world.english.pk, "student": world.far_students[0].pk},
    )
    assert response.status_code == 200
    assert b"belongs to another school" in response.content
    assert not Enrollment.objects.filter(student=world.far_students[0], school_class=world.english).exists()


def test_inline_rows_take_their_parents_school(superuser_client, world):
    """A guardianship added on a parent's page belongs to the parent's school."""
    parent = world.other_parent
    prefix = "guardianships"
    data = {
        "school": world.school.pk,
        "first_name": parent.first_name,
        "middle_name": "",
        "last_name": parent.last_name,
        "email": "",
        "sourced_id": "",
        "user": parent.user_id,
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-id": parent.guardianships.get().pk,
        f"{prefix}-0-parent": parent.pk,
        f"{prefix}-0-student": world.year8_students[0].pk,
        f"{prefix}-1-parent": parent.pk,
        f"{prefix}-1-student": world.students[1].pk,
    }
    response = superuser_client.post(url(type(parent), "change", parent.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    added = parent.guardianships.get(student=world.students[1])
    assert added.school_id == world.school.pk

    data[f"{prefix}-TOTAL_FORMS"] = "3"
    data[f"{prefix}-INITIAL_FORMS"] = "2"
    data[f"{prefix}-1-id"] = added.pk
    data[f"{prefix}-2-parent"] = parent.pk
    data[f"{prefix}-2-student"] = world.far_students[0].pk
    response = superuser_client.post(url(type(parent), "change", parent.pk), data)
    assert response.status_code == 200
    assert b"belongs to another school" in response.content


@pytest.mark.parametrize("role", ["admin", "teacher", "parent", "other_school_admin"])
def test_school_roles_are_not_let_into_the_django_admin(client, world, request, role):
    """The school's own admins use the office pages; the Django admin is for superusers only."""
    client.force_login(request.getfixturevalue(role))
    for model in (Student, ClassMark, AuditEntry, ApiClient):
        response = client.get(url(model, "changelist"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_anonymous_is_sent_to_the_admin_login(client, db):
    response = client.get(url(AuditEntry, "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_without_permissions_sees_nothing(client, world):
    staff = f.make_user("staff", is_staff=True)
    client.force_login(staff)
    assert client.get(url(Student, "changelist")).status_code == 403
    assert client.get(url(AuditEntry, "change", 1)).status_code == 403
