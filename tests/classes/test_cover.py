"""Cover: an admin assigns a teacher to cover a class; the cover teacher sees those lessons on
Today, takes those rolls (page and API) on those days and periods only, and the audit log says
they were covering."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from apps.api.models import ApiClient
from apps.audit.models import AuditEntry
from apps.classes.access import get_class_for_user
from apps.classes.models import ClassMark, Cover, CoverPeriod
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.school.models import Period
from tests import factories as f


@pytest.fixture
def cover(world):
    """Otto (who teaches 8B Science) covers Tess's 7A English today (a Wednesday), period 1 only."""
    today = world.school.today()
    made = Cover.objects.create(
        school=world.school, school_class=world.english, teacher=world.other_teacher, start_date=today, end_date=today
    )
    first = Period.objects.get(school=world.school, number=1)
    CoverPeriod.objects.create(school=world.school, cover=made, period=first)
    return made


def roll_url(world, day, period: int) -> str:
    return reverse("classes:roll", args=[world.english.pk, day.isoformat(), period])


def test_admin_assigns_cover_on_the_office_page(client, world, admin):
    client.force_login(admin)
    today = world.school.today()
    page = client.get(reverse("reports:covers"))
    assert page.status_code == 200
    assert b"Assign cover" in page.content
    periods = Period.objects.filter(school=world.school, number__in=(1, 3))
    response = client.post(
        reverse("reports:covers"),
        {
            "school_class": world.english.pk,
            "teacher": world.other_teacher.pk,
            "start_date": today.isoformat(),
            "end_date": (today + timedelta(days=2)).isoformat(),
            "periods": [p.pk for p in periods],
            "note": "Tess at a course",
        },
    )
    assert response.status_code == 302
    made = Cover.objects.get()
    assert (made.school_class, made.teacher, made.end_date, made.created_by) == (
        world.english,
        world.other_teacher,
        today + timedelta(days=2),
        admin,
    )
    assert set(made.periods.values_list("number", flat=True)) == {1, 3}
    listed = client.get(reverse("reports:covers"))
    assert b"Otto Other" in listed.content and b"Tess at a course" in listed.content


def test_bad_cover_is_refused_and_saves_nothing(client, world, admin):
    client.force_login(admin)
    today = world.school.today()
    base = {"school_class": world.english.pk, "teacher": world.other_teacher.pk, "start_date": today.isoformat()}
    for wrong in (
        {"end_date": (today - timedelta(days=1)).isoformat()},  # ends before it starts
        {"end_date": today.isoformat(), "teacher": world.teacher.pk},  # already teaches it
        {"end_date": today.isoformat(), "school_class": world.far_class.pk},  # another school's class
        {"end_date": today.isoformat(), "teacher": world.other_school_teacher.pk},  # another school's teacher
        {"end_date": "9999-12-31"},
    ):
        response = client.post(reverse("reports:covers"), {**base, **wrong})
        assert response.status_code == 200
        assert b'role="alert"' in response.content, wrong
    assert not Cover.objects.exists()


def test_cover_teacher_sees_the_lesson_on_today_only_on_its_days(client, world, cover):
    client.force_login(world.other_teacher.user)
    today = world.school.today()
    page = client.get(reverse("classes:today"))
    meetings = [(m.slot.school_class.name, m.slot.period.number, m.covering) for m in page.context["meetings"]]
    assert ("7A English", 1, True) in meetings
    assert ("7A English", 3, True) not in meetings  # the cover names period 1 only
    assert ("8B Science", 2, False) in meetings
    assert b"Cover" in page.content
    tomorrow = client.get(reverse("classes:today"), {"date": (today + timedelta(days=1)).isoformat()})
    assert "7A English" not in [m.slot.school_class.name for m in tomorrow.context["meetings"]]
    # The class's own teacher keeps the lesson, not as cover.
    client.force_login(world.teacher.user)
    own = client.get(reverse("classes:today"))
    assert ("7A English", 1, False) in [
        (m.slot.school_class.name, m.slot.period.number, m.covering) for m in own.context["meetings"]
    ]


def test_cover_teacher_takes_the_covered_roll_and_the_log_says_so(client, world, cover):
    today = world.school.today()
    s0 = world.students[0]
    absent = f.code(world.school, 0)
    client.force_login(world.other_teacher.user)
    assert client.get(roll_url(world, today, 1)).status_code == 200
    response = client.post(roll_url(world, today, 1), {f"s{s0.pk}-code": absent.pk})
    assert response.status_code == 302
    mark = ClassMark.objects.get(student=s0, date=today)
    assert (mark.code, mark.recorded_by) == (absent, world.other_teacher.user)
    entry = AuditEntry.objects.get(mark_kind="class", mark_id=mark.pk)
    assert (entry.changed_by, entry.channel, entry.key.get("covering")) == (world.other_teacher.user, "web", True)
    client.force_login(world.admin.user)
    log = client.get(reverse("reports:audit"))
    assert b"Otto Other</td>" not in log.content and b"(covering)" in log.content
    # The class's own teacher still takes it, and is not logged as covering.
    client.force_login(world.teacher.user)
    late = f.code(world.school, 2)
    tap = reverse("classes:roll_student", args=[world.english.pk, today.isoformat(), 1, s0.pk])
    client.post(tap, {"code": late.pk})
    latest = AuditEntry.objects.filter(mark_kind="class", mark_id=mark.pk).order_by("pk").last()
    assert (latest.changed_by, latest.after["code_id"]) == (world.teacher.user, late.pk)
    assert "covering" not in latest.key


def test_cover_teacher_is_refused_outside_the_cover(client, world, cover):
    today = world.school.today()
    s0 = world.students[0]
    absent = f.code(world.school, 0)
    other_class = f.make_class(world.school, "7C Art", [world.teacher], world.students, periods=(1,))
    client.force_login(world.other_teacher.user)
    refused = [
        roll_url(world, today, 3),  # a period the cover does not name
        roll_url(world, today + timedelta(days=1), 1),  # after it
        roll_url(world, today - timedelta(days=1), 1),  # before it
        reverse("classes:roll", args=[other_class.pk, today.isoformat(), 1]),  # another class
    ]
    for url in refused:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {f"s{s0.pk}-code": absent.pk}).status_code == 404, url
    tap = reverse("classes:roll_student", args=[world.english.pk, (today + timedelta(days=1)).isoformat(), 1, s0.pk])
    assert client.post(tap, {"code": absent.pk}).status_code == 404
    # Nothing else of the class: its report, its students' reports.
    assert client.get(reverse("reports:class_report", args=[world.english.pk])).status_code == 404
    assert client.get(reverse("reports:student_report", args=[s0.pk])).status_code == 404
    # The write path itself refuses the lessons outside the cover, and writes nothing.
    results = record_class_marks(
        actor=world.other_teacher.user,
        school=world.school,
        channel="web",
        marks=[
            ClassMarkInput(world.english.pk, s0.pk, today, 3, absent.pk),
            ClassMarkInput(world.english.pk, s0.pk, today + timedelta(days=1), 1, absent.pk),
            ClassMarkInput(other_class.pk, s0.pk, today, 1, absent.pk),
        ],
    )
    assert [r.status for r in results] == ["not_found"] * 3
    assert not ClassMark.objects.exists() and not AuditEntry.objects.filter(mark_kind="class").exists()


def test_cover_of_every_lesson_opens_each_period_of_its_days(world):
    today = world.school.today()
    Cover.objects.create(
        school=world.school,
        school_class=world.english,
        teacher=world.other_teacher,
        start_date=today - timedelta(days=1),
        end_date=today,
    )
    user = world.other_teacher.user
    for day, period in ((today, 1), (today, 3), (today - timedelta(days=1), 3)):
        assert get_class_for_user(user, world.english.pk, covering=(day, period)) == world.english
    results = record_class_marks(
        actor=user,
        school=world.school,
        channel="web",
        marks=[ClassMarkInput(world.english.pk, world.students[1].pk, today, 3, f.code(world.school, 1).pk)],
    )
    assert results[0].status == "created"


def test_parent_and_other_school_admin_reach_no_cover(client, world, cover):
    today = world.school.today()
    for user in (world.parent.user, world.other_school_admin.user):
        client.force_login(user)
        assert client.get(roll_url(world, today, 1)).status_code == 404
        delete = reverse("reports:cover_delete", args=[cover.pk])
        assert client.post(delete).status_code == 404
        assert client.post(delete, {}, QUERY_STRING=f"school={world.school.pk}").status_code == 404
    client.force_login(world.parent.user)
    assert client.get(reverse("reports:covers")).status_code == 404
    client.force_login(world.other_school_admin.user)
    assert client.get(reverse("reports:covers"), {"school": world.school.pk}).status_code == 404
    own = client.get(reverse("reports:covers"))
    assert own.status_code == 200 and b"7A English" not in own.content
    assert Cover.objects.filter(pk=cover.pk).exists()


def test_admin_removes_a_cover_and_the_roll_closes(client, world, admin, cover):
    client.force_login(admin)
    assert client.post(reverse("reports:cover_delete", args=[cover.pk])).status_code == 302
    assert not Cover.objects.exists()
    client.force_login(world.other_teacher.user)
    assert client.get(roll_url(world, world.school.today(), 1)).status_code == 404


def test_the_api_takes_a_cover_teachers_token_the_same_way(client, world, cover):
    today = world.school.today()
    token = ApiClient.issue(
        name="otto script", user=world.other_teacher.user, scopes=["read:attendance", "write:attendance"]
    ).token

    def put(day, period):
        body = {"attendances": [{"student_id": world.students[0].pk, "date": str(day), "period": period, "status": 0}]}
        return client.put(
            f"/v2p1/classes/{world.english.pk}/attendance",
            data=json.dumps(body),
            content_type="application/json",
            headers={"auth-token": token},
        )

    assert put(today, 1).status_code == 200
    entry = AuditEntry.objects.get(mark_kind="class")
    assert (entry.changed_by, entry.channel, entry.key.get("covering")) == (world.other_teacher.user, "managebac", True)
    outside = put(today + timedelta(days=1), 1)
    assert (outside.status_code, outside.json()["attendance"][0]["status"]) == (200, "not_found")
    assert ClassMark.objects.count() == 1
    # A teacher with no cover of the class gets the dialect's 404, as before.
    stranger = ApiClient.issue(
        name="far script", user=world.other_school_teacher.user, scopes=["write:attendance"]
    ).token
    response = client.put(
        f"/v2p1/classes/{world.english.pk}/attendance",
        data=json.dumps({"attendances": []}),
        content_type="application/json",
        headers={"auth-token": stranger},
    )
    assert response.status_code == 404
