"""Bulk marks: a trip marked once for all its lessons and homeroom; the preview counts what the
save then does; marks with another code kept unless overwritten; only an admin of the school."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.homeroom.models import DailyMark
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from apps.school.models import Period
from tests import factories as f

WED, FRI = date(2026, 11, 18), date(2026, 11, 20)
URL = reverse("reports:bulk_marks")


@pytest.fixture
def marked(world):
    """Before the trip: Y7000 absent in English period 1 on Wednesday; Y7001 already on the trip
    in homeroom on Wednesday."""
    s0, s1, _ = world.students
    f.saved(
        record_class_marks(
            actor=None,
            school=world.school,
            channel="web",
            marks=[ClassMarkInput(world.english.pk, s0.pk, WED, 1, f.code(world.school, 0).pk)],
        )
    )
    f.saved(
        record_daily_marks(
            actor=None,
            school=world.school,
            channel="web",
            marks=[DailyMarkInput(s1.pk, WED, f.code(world.school, 12).pk)],
        )
    )
    return world


def trip(world, **extra) -> dict:
    return {
        "year_group": world.year7.pk,
        "code": f.code(world.school, 12).pk,
        "start_date": WED.isoformat(),
        "end_date": FRI.isoformat(),
        "note": "Museum trip",
        **extra,
    }


def counts(response) -> tuple[int, int, int, int]:
    p = response.context["preview"]
    return len(p.created), len(p.changed), len(p.kept), p.same


def test_trip_preview_matches_what_is_saved_and_keeps_other_codes(client, marked, admin):
    world = marked
    client.force_login(admin)
    before = AuditEntry.objects.count()
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    preview = client.post(URL, {**trip(world), "preview": "1"})
    assert preview.status_code == 200
    # 3 students x 3 days: English periods 1 and 3 (18 lessons) and homeroom (9 days).
    assert counts(preview) == (25, 0, 1, 1)
    assert b"Save 25 marks" in preview.content
    assert b"Absent" in preview.content  # the mark with another code is listed
    assert ClassMark.objects.count() == 1 and AuditEntry.objects.count() == before  # a preview saves nothing

    saved = client.post(URL, {**trip(world), "save": "1"}, follow=True)
    assert "Saved: 25 marks created, 0 changed, 1 with another code kept." in saved.content.decode()
    fieldtrip = f.code(world.school, 12)
    assert ClassMark.objects.filter(code=fieldtrip, note="Museum trip").count() == 18 - 1
    assert DailyMark.objects.filter(code=fieldtrip).count() == 9
    kept = ClassMark.objects.get(student=world.students[0], date=WED, period__number=1)
    assert kept.code == f.code(world.school, 0)
    new = AuditEntry.objects.filter(pk__gt=last)
    assert new.count() == 25
    assert set(new.values_list("channel", "changed_by")) == {("web", admin.pk)}
    # Asked again, nothing is left to create.
    assert counts(client.post(URL, {**trip(world), "preview": "1"})) == (0, 0, 1, 26)


def test_overwrite_changes_the_marks_with_another_code(client, marked, admin):
    world = marked
    client.force_login(admin)
    preview = client.post(URL, {**trip(world, overwrite="on"), "preview": "1"})
    assert counts(preview) == (25, 1, 0, 1)
    client.post(URL, {**trip(world, overwrite="on"), "save": "1"})
    mark = ClassMark.objects.get(student=world.students[0], date=WED, period__number=1)
    assert mark.code == f.code(world.school, 12)
    entry = AuditEntry.objects.filter(mark_kind="class", mark_id=mark.pk).order_by("pk").last()
    assert (entry.before["code_id"], entry.after["code_id"]) == (f.code(world.school, 0).pk, mark.code_id)


def test_chosen_periods_and_students_by_name(client, marked, admin):
    world = marked
    client.force_login(admin)
    third = Period.objects.get(school=world.school, number=3)
    form = {
        **trip(world),
        "year_group": "",
        "students": [world.students[2].pk],
        "school_class": world.science.pk,  # Y8000, who meets in period 2: none of it in period 3
        "periods": [third.pk],
    }
    preview = client.post(URL, {**form, "preview": "1"})
    assert counts(preview) == (3, 0, 0, 0)  # Y7002's English period 3 on three days, no homeroom
    client.post(URL, {**form, "save": "1"})
    assert set(ClassMark.objects.filter(period=third).values_list("student_id", flat=True)) == {world.students[2].pk}
    assert not DailyMark.objects.filter(student=world.students[2]).exists()


def test_bad_input_is_refused_and_saves_nothing(client, marked, admin):
    world = marked
    client.force_login(admin)
    for wrong in (
        {"year_group": ""},  # nobody picked
        {"end_date": "2026-11-17"},  # before the first day
        {"end_date": "2027-06-30"},  # too long a stretch
        {"code": "x"},
        {"students": [world.far_students[0].pk]},  # another school's student
        {"school_class": world.far_class.pk},
    ):
        response = client.post(URL, {**trip(world, **wrong), "save": "1"})
        assert response.status_code == 200, wrong
        assert b'role="alert"' in response.content, wrong
    assert ClassMark.objects.count() == 1 and DailyMark.objects.count() == 1


def test_only_the_schools_admins_mark_in_bulk(client, marked):
    world = marked
    for user in (world.teacher.user, world.parent.user):
        client.force_login(user)
        assert client.get(URL).status_code == 404
        assert client.post(URL, {**trip(world), "save": "1"}).status_code == 404
    client.force_login(world.other_school_admin.user)
    assert client.post(f"{URL}?school={world.school.pk}", {**trip(world), "save": "1"}).status_code == 404
    # In their own school our year group and code are not choices: refused, nothing saved.
    response = client.post(URL, {**trip(world), "save": "1"})
    assert response.status_code == 200 and b'role="alert"' in response.content
    assert ClassMark.objects.count() == 1 and DailyMark.objects.count() == 1
