"""The change log of what moves a figure besides marks: excusals (parents' pages, the ManageBac
API), term adjustments, attendance codes and school settings (office pages and the Django
admin), API clients (office page, shell, Django admin). Each change is one entry with who,
when, channel, before and after; a refused change logs nothing; the office's audit page shows,
filters and exports them, to the school's own admins only."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format

from apps.api.models import ApiClient
from apps.api.services import api_client_issue
from apps.audit.models import AuditEntry
from apps.excusals.models import Excusal
from apps.excusals.services import excusal_create
from apps.homeroom.models import Adjustment
from apps.reports import services
from apps.school.models import AttendanceCode, Profile, School, Term
from tests import factories as f

AUDIT = reverse("reports:audit")
NOW = "2026-11-18T10:00"


def log(kind: str, school=None) -> list[AuditEntry]:
    entries = AuditEntry.objects.filter(mark_kind=kind)
    if school is not None:
        entries = entries.filter(school=school)
    return list(entries.order_by("changed_at", "id"))


def trail(entries: list[AuditEntry]) -> list[tuple]:
    return [(e.channel, e.changed_by and e.changed_by.username, e.before, e.after) for e in entries]


@pytest.fixture
def monday(world):
    return f.last_weekday(world.school, 1)


@pytest.fixture
def superuser_client(client, db):
    root = get_user_model().objects.create_superuser("root", "root@example.org", f.PASSWORD)
    client.force_login(root)
    return client


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


# ---------------------------------------------------------------- excusals


def test_a_parents_excusal_sent_changed_and_withdrawn_is_logged(client, world, parent, monday):
    child = world.students[0]
    client.force_login(parent)
    sent = client.post(
        "/family/excusals/new/",
        {"child": child.pk, "start_date": monday.isoformat(), "end_date": monday.isoformat(), "comment": "Fever"},
    )
    assert sent.status_code == 302
    excusal = Excusal.objects.get()
    two_days = (monday + timedelta(days=1)).isoformat()
    detail = reverse("excusals:detail", args=[excusal.pk])
    assert client.post(detail, {"end_date": two_days, "comment": "Fever, day 2"}).status_code == 302
    assert client.post(reverse("excusals:withdraw", args=[excusal.pk])).status_code == 302

    entries = log("excusal")
    day = monday.isoformat()
    first = {"start_date": day, "end_date": day, "comment": "Fever"}
    second = {"start_date": day, "end_date": two_days, "comment": "Fever, day 2"}
    assert trail(entries) == [
        ("web", "parent", None, first),
        ("web", "parent", first, second),
        ("web", "parent", second, None),
    ]
    assert {(e.school_id, e.mark_id) for e in entries} == {(world.school.pk, excusal.pk)}
    assert entries[0].key == {"student_id": child.pk, "parent_id": world.parent.pk}
    assert entries[0].changed_at.isoformat().startswith(NOW)


# ---------------------------------------------------------------- office settings


def test_school_settings_changes_are_logged_and_a_save_that_changes_nothing_is_not(client, world, admin):
    client.force_login(admin)
    settings_page = reverse("reports:settings")
    data = {"teacher_edit_days": 3, "attendance_in_sis": "on", "timezone": "Europe/Vienna", "default_language": "fr"}
    assert client.post(settings_page, data).status_code == 302
    assert client.post(settings_page, data).status_code == 302  # the same again: nothing changes
    assert client.post(settings_page, {**data, "teacher_edit_days": -1}).status_code == 200  # refused

    [entry] = log("settings")
    assert (entry.school_id, entry.mark_id, entry.key, entry.channel, entry.changed_by) == (
        world.school.pk,
        world.school.pk,
        {},
        "web",
        admin,
    )
    assert entry.before == {
        "teacher_edit_days": 7,
        "attendance_in_sis": False,
        "periods_from_zero": False,
        "timezone": "UTC",
        "default_language": "en-gb",
    }
    assert entry.after == {
        "teacher_edit_days": 3,
        "attendance_in_sis": True,
        "periods_from_zero": False,
        "timezone": "Europe/Vienna",
        "default_language": "fr",
    }


def test_attendance_code_edits_are_logged(client, world, admin):
    late = f.code(world.school, 2)
    client.force_login(admin)
    url = reverse("reports:code_edit", args=[late.pk])
    form = {"label": "Tardy", "abbreviation": "T", "kind": "late", "presence": "Present", "colour": "#B45309"}
    assert client.post(url, {**form, "enabled": "on", "quick": "on"}).status_code == 302
    assert (
        client.post(url, {**form, "abbreviation": "A", "enabled": "on", "quick": "on"}).status_code == 200
    )  # taken: refused

    [entry] = log("code")
    assert (entry.mark_id, entry.key, entry.channel, entry.changed_by) == (late.pk, {"mb_status": 2}, "web", admin)
    changed = {k for k in entry.after if entry.after[k] != entry.before[k]}
    assert changed == {"label", "abbreviation"}
    assert (entry.before["label"], entry.after["label"], entry.after["abbreviation"]) == ("Late", "Tardy", "T")


def test_term_adjustments_added_changed_and_deleted_are_logged(client, world, admin):
    student, term = world.students[0], Term.objects.filter(school=world.school).first()
    late, absent = f.code(world.school, 2), f.code(world.school, 0)
    client.force_login(admin)
    added = client.post(
        reverse("reports:adjustments"),
        {"student": student.pk, "term": term.pk, "code": late.pk, "adjustment": 3, "reason": "Trip week"},
    )
    assert added.status_code == 302
    adjustment = Adjustment.objects.get()
    edit = reverse("reports:adjustment_edit", args=[adjustment.pk])
    assert client.post(edit, {"code": absent.pk, "adjustment": -2, "reason": ""}).status_code == 302
    assert client.post(edit, {"code": absent.pk, "adjustment": 0}).status_code == 200  # refused
    assert client.post(reverse("reports:adjustment_delete", args=[adjustment.pk])).status_code == 302

    first = {"code_id": late.pk, "adjustment": 3, "reason": "Trip week"}
    second = {"code_id": absent.pk, "adjustment": -2, "reason": ""}
    entries = log("adjustment")
    assert trail(entries) == [
        ("web", "admin", None, first),
        ("web", "admin", first, second),
        ("web", "admin", second, None),
    ]
    assert entries[0].key == {"student_id": student.pk, "term_id": term.pk}


def test_only_the_schools_admins_change_its_settings_and_nothing_is_logged_otherwise(
    world, teacher, other_school_admin
):
    code = f.code(world.school, 2)
    for actor in (teacher, other_school_admin):
        with pytest.raises(PermissionError):
            services.school_settings_update(
                actor=actor,
                school=world.school,
                teacher_edit_days=1,
                attendance_in_sis=False,
                periods_from_zero=False,
                timezone="UTC",
            )
        with pytest.raises(PermissionError):
            services.attendance_code_update(
                actor=actor,
                code=code,
                label="X",
                abbreviation="X",
                kind="late",
                presence="Present",
                colour="#000000",
                enabled=True,
            )
    assert not AuditEntry.objects.exists()


# ---------------------------------------------------------------- API clients


def test_api_clients_created_and_revoked_on_the_office_page_are_logged(client, world, admin, teacher):
    client.force_login(admin)
    page = reverse("api_clients:list")
    created = client.post(page, {"name": "Timetable sync", "user": teacher.pk, "scopes": ["read:attendance"]})
    assert created.status_code == 200
    api_client = ApiClient.objects.get()
    assert client.post(reverse("api_clients:revoke", args=[api_client.pk])).status_code == 302
    assert client.post(reverse("api_clients:revoke", args=[api_client.pk])).status_code == 302  # already revoked

    api_client.refresh_from_db()
    entries = log("api_client")
    active = {"name": "Timetable sync", "scopes": ["read:attendance"], "revoked_at": None}
    assert trail(entries) == [
        ("web", "admin", None, active),
        ("web", "admin", active, {**active, "revoked_at": api_client.revoked_at.isoformat()}),
    ]
    assert {(e.school_id, e.mark_id) for e in entries} == {(world.school.pk, api_client.pk)}
    assert entries[0].key == {"user_id": teacher.pk, "user": "teacher"}
    # The token and secrets are never in the log.
    assert api_client.token_hash not in json.dumps([e.after for e in entries])


def test_a_client_of_someone_in_two_schools_is_logged_in_both(world, admin, other_school_admin):
    both = f.make_teacher(world.other_school, "shared", "Sam", "Shared")
    both.user.admin_roles.create(school=world.school, first_name="Sam", last_name="Shared")
    out = StringIO()
    call_command("api_client", "create", "Both", "--user", "shared", stdout=out)
    issued = json.loads(out.getvalue())
    call_command("api_client", "revoke", str(issued["id"]), stdout=StringIO())
    entries = log("api_client")
    assert sorted((e.school_id, e.channel, e.changed_by_id, e.after is not None) for e in entries) == sorted(
        [(s.pk, "shell", None, True) for s in (world.school, world.other_school) for _ in range(2)]
    )


# ---------------------------------------------------------------- the Django admin


def test_changes_in_the_django_admin_are_logged(superuser_client, world):
    school = world.school
    data = {
        "name": school.name,
        "number": school.number,
        "sourced_id": "",
        "timezone": "Europe/London",
        "teacher_edit_days": 5,
        "attendance_in_sis": "",
        "default_language": "en-gb",
    }
    response = superuser_client.post(admin_url(School, "change", school.pk), data)
    assert response.status_code == 302, response.content
    [settings] = log("settings")
    assert (settings.channel, settings.changed_by.username) == ("admin", "root")
    assert (settings.before["timezone"], settings.after["timezone"], settings.after["teacher_edit_days"]) == (
        "UTC",
        "Europe/London",
        5,
    )

    code = f.code(school, 14)
    code_data = {
        "school": school.pk,
        "abbreviation": "O",
        "label": "Off site",
        "kind": code.kind,
        "presence": code.presence,
        "enabled": "on",
        "colour": code.colour,
        "sort_order": code.sort_order,
    }
    assert superuser_client.post(admin_url(AttendanceCode, "change", code.pk), code_data).status_code == 302
    [code_entry] = log("code")
    assert (code_entry.channel, code_entry.before["label"], code_entry.after["label"]) == ("admin", "Other", "Off site")

    term = Term.objects.filter(school=school).first()
    adjustment_data = {
        "school": school.pk,
        "student": world.students[1].pk,
        "term": term.pk,
        "code": code.pk,
        "adjustment": 4,
        "reason": "",
    }
    assert superuser_client.post(admin_url(Adjustment, "add"), adjustment_data).status_code == 302
    adjustment = Adjustment.objects.get()
    deleted = superuser_client.post(admin_url(Adjustment, "delete", adjustment.pk), {"post": "yes"})
    assert deleted.status_code == 302
    assert [(e.channel, e.before is None, e.after is None) for e in log("adjustment")] == [
        ("admin", True, False),
        ("admin", False, True),
    ]

    api_client = ApiClient.issue(name="Sync", user=world.admin.user, scopes=["read:attendance"]).client
    renamed = superuser_client.post(
        admin_url(ApiClient, "change", api_client.pk), {"name": "Nightly sync", "scopes": ["read:attendance"]}
    )
    assert renamed.status_code == 302
    revoked = superuser_client.post(
        admin_url(ApiClient, "changelist"), {"action": "revoke", "_selected_action": [api_client.pk]}
    )
    assert revoked.status_code == 302
    assert [
        (e.channel, e.before["name"], e.after["name"], e.after["revoked_at"] is None) for e in log("api_client")
    ] == [
        ("admin", "Sync", "Nightly sync", True),
        ("admin", "Nightly sync", "Nightly sync", False),
    ]


# ---------------------------------------------------------------- the audit page


@pytest.fixture
def changes(world, admin, parent, monday):
    """One change of each kind in the school, and an excusal in the other school."""
    child = world.students[0]
    excusal_create(actor=parent, student=child, parent=world.parent, start_date=monday, end_date=monday, comment="Ill")
    term = Term.objects.filter(school=world.school).first()
    services.adjustment_create(
        actor=admin, school=world.school, student=child, term=term, code=f.code(world.school, 2), adjustment=2
    )
    late = f.code(world.school, 2)
    services.attendance_code_update(
        actor=admin,
        code=late,
        label="Tardy",
        abbreviation=late.abbreviation,
        kind=late.kind,
        presence=late.presence,
        colour=late.colour,
        enabled=True,
    )
    services.school_settings_update(
        actor=admin,
        school=world.school,
        teacher_edit_days=2,
        attendance_in_sis=False,
        periods_from_zero=False,
        timezone="UTC",
    )
    api_client_issue(actor=admin, channel="web", name="Sync", user=admin, scopes=["read:attendance"])
    far_parent = f.make_parent(world.other_school, "far_parent", world.far_students[0])
    excusal_create(
        actor=far_parent.user,
        student=world.far_students[0],
        parent=far_parent,
        start_date=monday,
        end_date=monday,
        comment="Far away",
    )


def test_the_audit_page_shows_each_kind_of_change(client, world, admin, changes, monday):
    client.force_login(admin)
    response = client.get(AUDIT)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r.entry.mark_kind, r.what) for r in rows] == [
        ("api_client", "API client “Sync”, acting for admin"),
        ("settings", "School settings"),
        ("code", "Attendance code L Tardy"),
        ("adjustment", "Term adjustment, Term 1"),
        ("excusal", "Excusal"),
    ]
    by_kind = {r.entry.mark_kind: r for r in rows}
    assert (by_kind["settings"].before_text, by_kind["settings"].after_text) == (
        "Days back teachers may edit a roll: 7",
        "Days back teachers may edit a roll: 2",
    )
    assert (by_kind["code"].before_text, by_kind["code"].after_text) == ("Label: Late", "Label: Tardy")
    assert by_kind["adjustment"].after_text == "Code: Tardy (L); Adjustment: 2"
    assert by_kind["excusal"].student == world.students[0]
    day = f"{monday.day} {monday:%b %Y}"
    assert (by_kind["excusal"].before_text, by_kind["excusal"].after_text) == (
        "",
        f"First day away: {day}; Last day away: {day}; Reason: Ill",
    )
    html = response.content.decode()
    assert "Term adjustment, Term 1" in html and "Label: Tardy" in html and "Far away" not in html


def test_the_audit_page_names_the_fields_in_the_readers_language(client, world, admin, changes, monday):
    Profile.objects.create(user=admin, language="es")
    client.force_login(admin)
    services.school_settings_update(
        actor=admin,
        school=world.school,
        teacher_edit_days=2,
        attendance_in_sis=False,
        periods_from_zero=False,
        timezone="UTC",
        default_language="fr",
    )
    response = client.get(AUDIT)
    assert response["Content-Language"] == "es"
    rows = response.context["rows"]
    settings_rows = [(r.before_text, r.after_text) for r in rows if r.entry.mark_kind == "settings"]
    assert settings_rows == [
        ("Idioma predeterminado: Inglés", "Idioma predeterminado: Francés"),
        (
            "Días atrás en que los docentes pueden editar una lista: 7",
            "Días atrás en que los docentes pueden editar una lista: 2",
        ),
    ]
    by_kind = {r.entry.mark_kind: r for r in rows}
    assert by_kind["code"].after_text == "Etiqueta: Tardy"
    assert by_kind["adjustment"].after_text == "Código: Tardy (L); Ajuste: 2"
    day = date_format(monday, "j M Y")
    assert by_kind["excusal"].after_text == f"Primer día de ausencia: {day}; Último día de ausencia: {day}; Motivo: Ill"
    export = client.get(AUDIT, {"format": "csv", "kind": "excusal"}).content.decode()
    assert f"Primer día de ausencia: {day}" in export


def test_a_parents_emails_changed_on_the_family_page_are_on_the_audit_page(client, world, admin, parent):
    client.force_login(parent)
    sent = client.post(reverse("notifications:family_preference"), {"emails": "", "email": "pat@example.org"})
    assert sent.status_code == 302
    client.force_login(admin)
    response = client.get(AUDIT, {"kind": "preference"})
    assert response.status_code == 200
    [row] = response.context["rows"]
    assert (row.before_text, row.after_text) == (
        f"Email address: {world.parent.email or '–'}; Absence emails: yes",
        "Email address: pat@example.org; Absence emails: no",
    )


def test_the_audit_page_filters_by_what_changed_and_by_student(client, world, admin, changes):
    client.force_login(admin)
    only = client.get(AUDIT, {"kind": "excusal"}).context["rows"]
    assert [r.entry.mark_kind for r in only] == ["excusal"]
    child = client.get(AUDIT, {"student": world.students[0].student_number}).context["rows"]
    assert {r.entry.mark_kind for r in child} == {"excusal", "adjustment"}
    by_channel = client.get(AUDIT, {"channel": "web", "kind": "api_client"}).context["rows"]
    assert [r.entry.mark_kind for r in by_channel] == ["api_client"]
    refused = client.get(AUDIT, {"kind": "everything"})
    assert refused.status_code == 400 and refused.context["rows"] == []


def test_the_audit_export_includes_the_changes(client, world, admin, changes):
    client.force_login(admin)
    response = client.get(AUDIT, {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Changed at", "Changed by", "Channel", "Student", "Date", "Class", "Period", "Before", "After"]
    by_what = {r[5]: r for r in rows[1:]}
    assert set(by_what) == {
        "API client “Sync”, acting for admin",
        "School settings",
        "Attendance code L Tardy",
        "Term adjustment, Term 1",
        "Excusal",
    }
    assert by_what["School settings"][7:] == [
        "Days back teachers may edit a roll: 7",
        "Days back teachers may edit a roll: 2",
    ]
    assert by_what["Excusal"][3] == world.students[0].full_name and by_what["Excusal"][2] == "Web"
    assert by_what["Excusal"][1] == world.parent.user.get_full_name() == "Pat Parent"
    xlsx = client.get(AUDIT, {"format": "xlsx", "kind": "code"})
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")


def test_another_schools_admin_sees_none_of_these_changes(client, world, other_school_admin, changes):
    client.force_login(other_school_admin)
    rows = client.get(AUDIT).context["rows"]
    assert [(r.entry.mark_kind, r.entry.school_id) for r in rows] == [("excusal", world.other_school.pk)]
    assert "Tardy" not in client.get(AUDIT, {"format": "csv"}).content.decode()
    for kind in ("settings", "code", "adjustment", "api_client"):
        assert client.get(AUDIT, {"kind": kind}).context["rows"] == []


@pytest.mark.parametrize("user", ["teacher", "parent"])
def test_the_audit_page_is_the_admins_only(client, world, changes, request, user):
    client.force_login(request.getfixturevalue(user))
    assert client.get(AUDIT).status_code == 404
    assert client.get(AUDIT, {"format": "csv"}).status_code == 404


def _audit_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(AUDIT)
    assert response.status_code == 200
    return len(captured)


def test_the_audit_page_costs_the_same_however_many_changes(
    client, world, admin, changes, django_assert_max_num_queries
):
    client.force_login(admin)
    few = _audit_queries(client)
    term = Term.objects.filter(school=world.school).first()
    for n, student in enumerate(world.students[1:] + world.year8_students):
        services.adjustment_create(
            actor=admin, school=world.school, student=student, term=term, code=f.code(world.school, 0), adjustment=n + 1
        )
    for days in range(5, 25):
        services.school_settings_update(
            actor=admin,
            school=world.school,
            teacher_edit_days=days,
            attendance_in_sis=days % 2 == 0,
            periods_from_zero=False,
            timezone="UTC",
        )
    with django_assert_max_num_queries(few):
        response = client.get(AUDIT)
    assert len(response.context["rows"]) == 5 + 3 + 20
