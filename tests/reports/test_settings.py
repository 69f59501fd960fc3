"""Settings pages and their services: valid changes saved, bad ones refused with nothing changed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.homeroom.models import Adjustment
from apps.reports import services
from apps.school.models import AttendanceCode, School
from tests import factories as f


def code_form(code, **changes):
    data = {
        "label": code.label,
        "abbreviation": code.abbreviation,
        "kind": code.kind,
        "presence": code.presence,
        "colour": code.colour,
        "enabled": "on" if code.enabled else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_school_settings_saved(client, world, admin):
    client.force_login(admin)
    response = client.post(
        reverse("reports:settings"),
        {"teacher_edit_days": 3, "attendance_in_sis": "on", "timezone": "Europe/Vienna", "default_language": "ar"},
    )
    assert response.status_code == 302
    school = School.objects.get(pk=world.school.pk)
    assert (school.teacher_edit_days, school.attendance_in_sis, school.periods_from_zero, school.timezone) == (
        3,
        True,
        False,
        "Europe/Vienna",
    )
    assert school.default_language == "ar"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"teacher_edit_days": -1, "timezone": "UTC"}, "teacher_edit_days"),
        ({"teacher_edit_days": 400, "timezone": "UTC"}, "teacher_edit_days"),
        ({"teacher_edit_days": 5, "timezone": "Mars/Olympus"}, "timezone"),
        ({"teacher_edit_days": 5, "timezone": "UTC", "default_language": "tlh"}, "default_language"),
        ({"teacher_edit_days": 5, "timezone": "UTC", "default_language": ""}, "default_language"),
    ],
)
def test_school_settings_refused(client, world, admin, data, field):
    client.force_login(admin)
    response = client.post(reverse("reports:settings"), {"default_language": "es", **data, "periods_from_zero": "on"})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    school = School.objects.get(pk=world.school.pk)
    assert (school.teacher_edit_days, school.periods_from_zero, school.timezone) == (7, False, "UTC")
    assert school.default_language == "en-gb"


def test_code_changed(client, world, admin):
    code = f.code(world.school, 15)
    client.force_login(admin)
    response = client.post(
        reverse("reports:code_edit", args=[code.pk]),
        code_form(code, label="Music lesson", abbreviation="ML", colour="#0F766E", enabled="on", presence="Present"),
    )
    assert response.status_code == 302
    code.refresh_from_db()
    assert (code.label, code.abbreviation, code.colour, code.enabled, code.mb_status) == (
        "Music lesson",
        "ML",
        "#0f766e",
        True,
        15,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"colour": "#12345"}, "colour"),
        ({"abbreviation": "A"}, "abbreviation"),  # Absent's
        ({"kind": "sometimes"}, "kind"),
        ({"label": ""}, "label"),
    ],
)
def test_code_change_refused(client, world, admin, changes, field):
    code = f.code(world.school, 15)
    before = AttendanceCode.objects.filter(pk=code.pk).values().get()
    client.force_login(admin)
    response = client.post(
        reverse("reports:code_edit", args=[code.pk]), code_form(code, **{"label": "Changed", **changes})
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert AttendanceCode.objects.filter(pk=code.pk).values().get() == before


def test_default_present_cannot_be_disabled(client, world, admin):
    code = f.code(world.school, -1)
    client.force_login(admin)
    # The checkbox is disabled on the page; a forged post leaves the code enabled.
    response = client.post(reverse("reports:code_edit", args=[code.pk]), code_form(code, enabled=""))
    assert response.status_code == 302
    code.refresh_from_db()
    assert code.enabled
    with pytest.raises(ValidationError) as error:
        services.attendance_code_update(
            actor=admin,
            code=code,
            label=code.label,
            abbreviation=code.abbreviation,
            kind=code.kind,
            presence=code.presence,
            colour=code.colour,
            enabled=False,
        )
    assert "enabled" in error.value.message_dict
    code.refresh_from_db()
    assert code.enabled


def test_codes_page_shows_mb_status_read_only(client, world, admin):
    client.force_login(admin)
    html = client.get(reverse("reports:code_edit", args=[f.code(world.school, 0).pk])).content.decode()
    assert "ManageBac status" in html and 'name="mb_status"' not in html


def test_adjustment_created_changed_and_refused(client, term_data, admin):
    client.force_login(admin)
    url = reverse("reports:adjustments")
    s1, late, term1 = term_data.s1, term_data.codes.late, term_data.term1
    response = client.post(
        url, {"student": s1.pk, "term": term1.pk, "code": late.pk, "adjustment": 3, "reason": "Trip week"}
    )
    assert response.status_code == 302
    adjustment = Adjustment.objects.get(student=s1, term=term1, code=late)
    assert (adjustment.adjustment, adjustment.reason) == (3, "Trip week")

    count = Adjustment.objects.count()
    duplicate = client.post(url, {"student": s1.pk, "term": term1.pk, "code": late.pk, "adjustment": 1})
    assert "code" in duplicate.context["form"].errors
    zero = client.post(url, {"student": s1.pk, "term": term1.pk, "code": late.pk, "adjustment": 0})
    assert "adjustment" in zero.context["form"].errors
    far = term_data.world.far_students[0]
    foreign = client.post(url, {"student": far.pk, "term": term1.pk, "code": late.pk, "adjustment": 1})
    assert "student" in foreign.context["form"].errors
    assert Adjustment.objects.count() == count

    edit = reverse("reports:adjustment_edit", args=[adjustment.pk])
    # Student and term are fixed: a forged change of them is ignored.
    response = client.post(
        edit, {"student": term_data.s0.pk, "term": term1.pk, "code": late.pk, "adjustment": -2, "reason": ""}
    )
    assert response.status_code == 302
    adjustment.refresh_from_db()
    assert (adjustment.student_id, adjustment.adjustment, adjustment.reason) == (s1.pk, -2, "")
    # Changing to a code the student already has an adjustment of is refused.
    response = client.post(edit, {"code": term_data.codes.present.pk, "adjustment": 1})
    assert "code" in response.context["form"].errors
    adjustment.refresh_from_db()
    assert adjustment.code_id == late.pk

    report = client.get(reverse("reports:year_group_report", args=[term_data.world.year7.pk]), {"term": term1.pk})
    s1_row = next(r for r in report.context["report"].rows if r.key == s1.pk)
    assert s1_row.figures.adjustments == {term_data.codes.present.pk: -1, late.pk: -2}
    assert s1_row.figures.counts[late.pk] == 0  # 1 marked late, -2: never below zero


def test_settings_services_refuse_non_admins(term_data, teacher, other_school_admin):
    school = term_data.school
    for actor in (teacher, other_school_admin, None):
        with pytest.raises(PermissionError):
            services.school_settings_update(
                actor=actor,
                school=school,
                teacher_edit_days=1,
                attendance_in_sis=False,
                periods_from_zero=False,
                timezone="UTC",
            )
        with pytest.raises(PermissionError):
            services.adjustment_create(
                actor=actor,
                school=school,
                student=term_data.s0,
                term=term_data.term1,
                code=term_data.codes.late,
                adjustment=1,
            )
        with pytest.raises(PermissionError):
            services.adjustment_delete(actor=actor, adjustment=Adjustment.objects.filter(school=school).first())
    assert School.objects.get(pk=school.pk).teacher_edit_days == 7


def test_settings_pages_refuse_posts_from_others(client, term_data, teacher, other_school_admin, parent):
    code = term_data.codes.late
    for user in (teacher, parent, other_school_admin):
        client.force_login(user)
        response = client.post(reverse("reports:code_edit", args=[code.pk]), code_form(code, label="Hacked"))
        assert response.status_code == 404
    code.refresh_from_db()
    assert code.label == "Late"
    client.force_login(teacher)
    assert client.post(reverse("reports:settings"), {"teacher_edit_days": 365, "timezone": "UTC"}).status_code == 404
    assert School.objects.get(pk=term_data.school.pk).teacher_edit_days == 7
