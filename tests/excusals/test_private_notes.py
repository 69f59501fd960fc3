"""Private notes (issue 18 point 10): a teacher's note is for staff unless the teacher ticks
"share with the family"; a staff-only note reaches no family page."""

import importlib
from datetime import timedelta

from django.apps import apps as django_apps
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.homeroom.models import DailyMark
from tests import factories as f
from tests.excusals.conftest import ABSENT, LATE, PRESENT, mark_day, mark_lesson

HTMX = {"HTTP_HX_REQUEST": "true"}


def _family_pages(client, parent, child, day) -> str:
    client.force_login(parent)
    family = client.get(reverse("excusals:family"), {"month": day.strftime("%Y-%m")})
    month = client.get(reverse("excusals:child", args=[child.pk]), {"month": day.strftime("%Y-%m")})
    assert family.status_code == month.status_code == 200
    return family.content.decode() + month.content.decode()


def test_a_staff_only_note_reaches_no_family_page(client, world, parent, child, monday):
    mark_lesson(world.school, world.english, child, monday, 1, LATE, "Rude to the cover teacher", shared=False)
    mark_lesson(world.school, world.english, child, monday, 3, PRESENT, "Staff only: check the file", shared=False)
    mark_day(world.school, child, monday, ABSENT, "Social services called", shared=False)
    mark_day(world.school, child, monday - timedelta(days=7), PRESENT, "Brought the form back")

    html = _family_pages(client, parent, child, monday)

    for private in ("Rude to the cover teacher", "Staff only: check the file", "Social services called"):
        assert private not in html
    assert "Brought the form back" in html  # a shared note is shown
    # The marks themselves still show; a present mark with only a staff-only note is not news.
    client.force_login(parent)
    recent = client.get(reverse("excusals:family")).context["children"][0]["recent"]
    assert [(m.where, m.code.label, m.note) for m in recent if m.date == monday] == [
        ("Homeroom", "Absent", ""),
        ("7A English", "Late", ""),
    ]


def test_a_new_note_from_the_api_is_for_staff_and_a_later_api_write_keeps_the_teachers_choice(world, child, monday):
    def write(note, shared=None):
        [result] = record_class_marks(
            actor=None,
            school=world.school,
            channel="demo",
            marks=[
                ClassMarkInput(
                    world.english.pk,
                    child.pk,
                    monday,
                    1,
                    f.code(world.school, LATE).pk,
                    note,
                    shared_with_family=shared,
                )
            ],
        )
        assert result.ok, result.errors
        return ClassMark.objects.get(student=child, date=monday)

    assert write("Bus was late").shared_with_family is False
    assert write("Bus was late", shared=True).shared_with_family is True
    assert write("Bus was very late").shared_with_family is True  # None keeps it
    entry = AuditEntry.objects.filter(mark_kind="class").order_by("id")[1]
    assert (entry.before["shared_with_family"], entry.after["shared_with_family"]) == (False, True)
    assert write("").shared_with_family is False  # no note, nothing shared


def test_the_roll_ticks_share_with_the_family_through_the_write_path(client, world, teacher, parent, child, monday):
    url = reverse("classes:roll_student", args=[world.english.pk, monday.isoformat(), 1, child.pk])
    late = str(f.code(world.school, LATE).pk)
    client.force_login(teacher)

    # A note typed without the box: for staff; the row then offers the box.
    html = client.post(url, {f"s{child.pk}-code": late, f"s{child.pk}-note": "Came in at 9:10"}, **HTMX).content
    assert ClassMark.objects.get(student=child).shared_with_family is False
    assert f'name="s{child.pk}-shared">' in html.decode()
    assert "Came in at 9:10" not in _family_pages(client, parent, child, monday)

    client.force_login(teacher)
    form = {f"s{child.pk}-code": late, f"s{child.pk}-note": "Came in at 9:10", f"s{child.pk}-shared": "on"}
    html = client.post(url, form, **HTMX).content.decode()
    assert f'name="s{child.pk}-shared" checked>' in html
    assert ClassMark.objects.get(student=child).shared_with_family is True
    entry = AuditEntry.objects.filter(mark_kind="class").latest("id")
    assert (entry.before["shared_with_family"], entry.after["shared_with_family"], entry.changed_by) == (
        False,
        True,
        teacher,
    )
    assert "Came in at 9:10" in _family_pages(client, parent, child, monday)

    # Unticking (the note sent, the box not) makes it staff-only again; a tap that sends no note keeps it.
    client.force_login(teacher)
    client.post(url, {f"s{child.pk}-code": late, f"s{child.pk}-note": "Came in at 9:10"}, **HTMX)
    assert ClassMark.objects.get(student=child).shared_with_family is False
    client.post(url, {f"s{child.pk}-code": late, f"s{child.pk}-note": "Came in", f"s{child.pk}-shared": "on"}, **HTMX)
    client.post(url, {f"s{child.pk}-code": late}, **HTMX)
    assert ClassMark.objects.get(student=child).shared_with_family is True


def test_the_whole_roll_form_saves_a_change_of_the_box_alone(client, world, teacher, child, monday):
    mark_lesson(world.school, world.english, child, monday, 1, ABSENT, "Ill", shared=False)
    code = f.code(world.school, ABSENT).pk
    roll = reverse("classes:roll", args=[world.english.pk, monday.isoformat(), 1])
    client.force_login(teacher)
    form = {
        f"s{child.pk}-code": str(code),
        f"s{child.pk}-note": "Ill",
        f"s{child.pk}-shared": "on",
        f"s{child.pk}-was": f"{code}::Ill",
    }
    assert "Saved 1 mark." in client.post(roll, form, follow=True).content.decode()
    assert ClassMark.objects.get(student=child).shared_with_family is True


def test_the_homeroom_roll_shares_a_note_only_when_ticked(client, world, teacher, parent, child, monday):
    url = reverse("homeroom:roll_student", args=[world.year7.pk, monday.isoformat(), child.pk])
    absent = str(f.code(world.school, ABSENT).pk)
    client.force_login(teacher)
    client.post(url, {f"s{child.pk}-code": absent, f"s{child.pk}-note": "Dentist, mum rang"}, **HTMX)
    assert DailyMark.objects.get(student=child).shared_with_family is False
    assert "Dentist, mum rang" not in _family_pages(client, parent, child, monday)
    client.force_login(teacher)
    form = {f"s{child.pk}-code": absent, f"s{child.pk}-note": "Dentist, mum rang", f"s{child.pk}-shared": "on"}
    client.post(url, form, **HTMX)
    assert DailyMark.objects.get(student=child).shared_with_family is True
    assert "Dentist, mum rang" in _family_pages(client, parent, child, monday)


def test_the_migration_shares_the_notes_families_already_saw(world, child, monday):
    mark_lesson(world.school, world.english, child, monday, 1, LATE, "Seen by the family", shared=False)
    mark_lesson(world.school, world.english, child, monday, 3, ABSENT, shared=False)
    mark_day(world.school, child, monday, ABSENT, "Also seen", shared=False)
    for app, name in (
        ("classes", "0005_classmark_shared_with_family"),
        ("homeroom", "0004_dailymark_shared_with_family"),
    ):
        importlib.import_module(f"apps.{app}.migrations.{name}").existing_notes_shared(django_apps, None)
    assert dict(ClassMark.objects.values_list("note", "shared_with_family")) == {"Seen by the family": True, "": False}
    assert DailyMark.objects.get(student=child).shared_with_family is True
