"""A school's set-up (codes, periods, timetable) is kept across requests under its
``setup_version`` (apps/school/memo.py), which the database changes on every write of those rows:
the next tap after any change, however it was made, sees it. Roles are never kept across
requests: a teacher who loses a class loses its roll at the next tap."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from apps.classes.models import ClassMark, TeacherAssignment, TimetableSlot
from apps.school.memo import RequestMemoMiddleware
from apps.school.models import Administrator, AttendanceCode, Period, School
from apps.school.selectors import codes_for_school, periods_for_school
from tests import factories as f

HTMX = {"HTTP_HX_REQUEST": "true"}


def version(school: School) -> int:
    return School.objects.values_list("setup_version", flat=True).get(pk=school.pk)


def tap(client, world, student, code, period=1):
    day = f.last_weekday(world.school, 1).isoformat()
    url = reverse("classes:roll_student", args=[world.english.pk, day, period, student.pk])
    return client.post(url, {"code": code.pk}, **HTMX)


def saved_code(world, student, period=1):
    mark = ClassMark.objects.filter(school_class=world.english, student=student, period__number=period).first()
    return mark.code_id if mark else None


@pytest.mark.parametrize(
    "change",
    [
        "save",
        "queryset update",
        "bulk_create",
        "bulk_update",
        "delete",
    ],
)
@pytest.mark.parametrize("model", ["code", "period", "slot"])
def test_every_write_of_a_set_up_row_changes_the_version(world, model, change):
    """Triggers, not signals: bulk writes and updates (roster sync, the demo) change it too."""
    school = world.school
    before, elsewhere = version(school), version(world.other_school)
    if model == "code":
        row = f.code(school, 0)
        fresh = AttendanceCode(school=school, abbreviation="Zz", label="New", mb_status=None)
    elif model == "period":
        row = Period.objects.filter(school=school).order_by("-number").first()
        fresh = Period(school=school, number=99)
    else:
        row = TimetableSlot.objects.filter(school_class=world.english).first()
        fresh = TimetableSlot(school=school, school_class=world.english, weekday=6, period=row.period)
    model_class = type(row)
    if change == "save":
        row.save()
    elif change == "queryset update":
        model_class.objects.filter(pk=row.pk).update(school=school)
    elif change == "bulk_create":
        model_class.objects.bulk_create([fresh])
    elif change == "bulk_update":
        model_class.objects.bulk_update([row], ["school"])
    else:
        target = fresh if model == "period" else row
        if model == "period":
            fresh.save()
            before = version(school)
        if model == "code":
            ClassMark.objects.filter(code=target).delete()
        model_class.objects.filter(pk=target.pk).delete()
    assert version(school) != before
    # Another school's set-up is untouched by this one's.
    assert version(world.other_school) == elsewhere


def test_a_code_disabled_between_two_taps_is_refused_at_the_next(client, world, teacher):
    client.force_login(teacher)
    late = f.code(world.school, 2)
    student = world.students[0]
    assert tap(client, world, student, late).status_code == 200
    assert saved_code(world, student) == late.pk
    # Without a signal, as a bulk change would: only the database's own trigger sees it.
    AttendanceCode.objects.filter(pk=late.pk).update(enabled=False)
    present = f.code(world.school, -1)
    assert tap(client, world, student, present).status_code == 200
    response = tap(client, world, world.students[1], late)
    assert "not enabled" in response.content.decode()
    assert saved_code(world, world.students[1]) is None


def test_a_renamed_code_shows_its_new_label_at_the_next_tap(client, world, teacher):
    client.force_login(teacher)
    absent = f.code(world.school, 0)
    assert "Absent" in tap(client, world, world.students[0], absent).content.decode()
    AttendanceCode.objects.filter(pk=absent.pk).update(label="Away today")
    assert "Away today" in tap(client, world, world.students[1], absent).content.decode()


def test_a_lesson_taken_off_the_timetable_is_no_roll_at_the_next_tap(client, world, teacher):
    client.force_login(teacher)
    present = f.code(world.school, -1)
    assert tap(client, world, world.students[0], present, period=3).status_code == 200
    TimetableSlot.objects.filter(school_class=world.english, weekday=1, period__number=3).update(enabled=False)
    response = tap(client, world, world.students[1], present, period=3)
    assert response.status_code == 404
    assert saved_code(world, world.students[1], period=3) is None


def test_a_renumbered_period_is_seen_at_the_next_tap(client, world, teacher):
    client.force_login(teacher)
    present = f.code(world.school, -1)
    assert tap(client, world, world.students[0], present, period=3).status_code == 200
    Period.objects.filter(school=world.school, number=3).update(number=7)
    assert tap(client, world, world.students[1], present, period=3).status_code == 404


def test_a_teacher_taken_off_a_class_cannot_tap_its_roll_at_the_next_tap(client, world, teacher):
    client.force_login(teacher)
    present = f.code(world.school, -1)
    assert tap(client, world, world.students[0], present).status_code == 200
    TeacherAssignment.objects.filter(school_class=world.english, teacher=world.teacher).delete()
    assert tap(client, world, world.students[1], present).status_code == 404
    assert saved_code(world, world.students[1]) is None


def test_a_teacher_made_admin_may_change_an_old_roll_at_the_next_tap(client, world, teacher):
    """The edit window comes from the user's roles, read in every request."""
    client.force_login(teacher)
    present = f.code(world.school, -1)
    old = f.last_weekday(world.school, 1) - timedelta(weeks=4)
    url = reverse("classes:roll_student", args=[world.english.pk, old.isoformat(), 1, world.students[0].pk])
    assert "only an admin" in client.post(url, {"code": present.pk}, **HTMX).content.decode()
    Administrator.objects.create(school=world.school, user=teacher)
    response = client.post(url, {"code": present.pk}, **HTMX)
    assert "only an admin" not in response.content.decode()
    assert ClassMark.objects.filter(school_class=world.english, date=old).count() == 1


def test_each_request_has_its_own_copies_of_the_set_up(world):
    """What one request sets on its codes or periods (a label, a related row) is not the next
    request's: each gets copies of the process's, with their own state and related rows."""
    school = School.objects.get(pk=world.school.pk)
    seen = []

    def request(_):
        code, period = codes_for_school(school)[0], periods_for_school(school)[0]
        seen.append((code, period, code.label, period._state.fields_cache.get("school"), period._state.adding))
        code.label = "changed by this request"
        period.school = School(name="not the school")
        period._state.adding = True

    for _ in range(2):
        RequestMemoMiddleware(request)(None)
    (first, first_period, *_), (second, second_period, label, related, adding) = seen
    assert second is not first and second_period is not first_period
    assert second_period._state is not first_period._state
    assert label == AttendanceCode.objects.get(pk=first.pk).label
    assert related is school and adding is False
