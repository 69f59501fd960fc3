"""The database guards the record: a mark, an excusal or an audit entry is never removed by a
cascade (deleting its school, class, student, the parent who sent it, or the login that made a
change is refused, in code and in the Django admin, where it is a clear page, not a 500); on
PostgreSQL the audit table refuses UPDATE and DELETE even from raw SQL, except inside the demo
school's removal."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from apps.audit.models import AuditEntry, purge_in_this_transaction
from apps.classes.models import ClassMark, SchoolClass
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.demo.builder import DEMO_SCHOOL_NUMBER
from apps.excusals.models import Excusal
from apps.excusals.services import excusal_create
from apps.homeroom.models import DailyMark, TimeEntry
from apps.homeroom.services import DailyMarkInput, TimeEntryInput, record_daily_marks, record_time_entries
from apps.school.models import Parent, School, Student
from tests import factories as f


@pytest.fixture
def day(world):
    return f.last_weekday(world.school, 1)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser_client(client, db):
    root = get_user_model().objects.create_superuser("root", "root@example.org", f.PASSWORD)
    client.force_login(root)
    return client


def lesson(world, student, day, actor=None) -> None:
    f.saved(
        record_class_marks(
            actor=actor,
            school=world.school,
            channel="web",
            marks=[ClassMarkInput(world.english.pk, student.pk, day, 1, f.code(world.school, 0).pk)],
        )
    )


def test_a_student_with_a_class_mark_is_not_deleted(world, day):
    student = world.students[0]
    lesson(world, student, day)
    with pytest.raises(ProtectedError):
        student.delete()
    assert ClassMark.objects.filter(student=student).exists() and Student.objects.filter(pk=student.pk).exists()


def test_a_student_with_a_daily_mark_or_a_time_entry_is_not_deleted(world, day):
    with_daily, with_time = world.students[1], world.students[2]
    f.saved(
        record_daily_marks(
            actor=None,
            school=world.school,
            channel="web",
            marks=[DailyMarkInput(with_daily.pk, day, f.code(world.school, 0).pk)],
        )
    )
    f.saved(
        record_time_entries(
            actor=None,
            school=world.school,
            channel="import",
            entries=[TimeEntryInput(with_time.pk, day, f.code(world.school, 1).pk, 300)],
        )
    )
    for student in (with_daily, with_time):
        with pytest.raises(ProtectedError):
            student.delete()
    assert (
        DailyMark.objects.filter(student=with_daily).exists() and TimeEntry.objects.filter(student=with_time).exists()
    )


def test_a_class_with_marks_and_a_school_with_marks_are_not_deleted(world, day):
    lesson(world, world.students[0], day)
    with pytest.raises(ProtectedError):
        SchoolClass.objects.get(pk=world.english.pk).delete()
    with pytest.raises(ProtectedError):
        School.objects.get(pk=world.school.pk).delete()
    assert ClassMark.objects.filter(school=world.school).count() == 1
    assert AuditEntry.objects.filter(school=world.school).count() == 1


def test_an_excusal_outlives_no_one_it_belongs_to(world, parent, day):
    child = world.students[0]
    excusal_create(actor=parent, student=child, parent=world.parent, start_date=day, end_date=day)
    with pytest.raises(ProtectedError):
        Student.objects.get(pk=child.pk).delete()
    with pytest.raises(ProtectedError):
        Parent.objects.get(pk=world.parent.pk).delete()
    assert Excusal.objects.filter(student=child).exists()


def test_a_login_that_changed_something_is_not_deleted(world, teacher, day):
    lesson(world, world.students[0], day, actor=teacher)
    with pytest.raises(ProtectedError):
        get_user_model().objects.get(pk=teacher.pk).delete()
    assert AuditEntry.objects.get().changed_by == teacher


def test_what_holds_no_record_is_still_deleted(world, day):
    """A student with no marks, excusals or log goes as before, and so does a school of such
    students (a school with classes never could: its years and periods are PROTECTed)."""
    unmarked = world.students[2]
    lesson(world, world.students[0], day)
    unmarked.delete()
    assert not Student.objects.filter(pk=unmarked.pk).exists()
    fresh = f.make_school("Empty School")
    student = f.make_students(fresh, 1, f.make_year_group(fresh))[0]
    f.make_parent(fresh, "fresh_parent", student)
    fresh.delete()
    assert not School.objects.filter(pk=fresh.pk).exists() and not Student.objects.filter(pk=student.pk).exists()


@pytest.mark.parametrize("target", ["student", "class", "school", "parent", "user"])
def test_the_django_admin_refuses_with_a_clear_page(superuser_client, world, teacher, parent, day, target):
    child = world.students[0]
    lesson(world, child, day, actor=teacher)
    excusal_create(actor=parent, student=child, parent=world.parent, start_date=day, end_date=day)
    obj = {
        "student": child,
        "class": world.english,
        "school": world.school,
        "parent": world.parent,
        "user": teacher,
    }[target]
    url = admin_url(type(obj), "delete", obj.pk)
    page = superuser_client.get(url)
    assert page.status_code == 200
    assert f"Cannot delete {type(obj)._meta.verbose_name}" in page.content.decode()
    refused = superuser_client.post(url, {"post": "yes"})
    assert refused.status_code == 200 and "Cannot delete" in refused.content.decode()
    assert type(obj).objects.filter(pk=obj.pk).exists()
    # The list's bulk delete refuses too.
    action = superuser_client.post(
        admin_url(type(obj), "changelist"), {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )
    assert action.status_code == 200 and "Cannot delete" in action.content.decode()
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert ClassMark.objects.count() == 1 and Excusal.objects.count() == 1


def test_the_demo_reset_still_removes_the_demo_school_and_its_log(db):
    call_command("seed_demo", "--students", "10", "--weeks", "1", stdout=io.StringIO())
    old = School.objects.get(number=DEMO_SCHOOL_NUMBER)
    assert AuditEntry.objects.filter(school=old).exists()
    call_command("seed_demo", "--students", "10", "--weeks", "1", "--reset", stdout=io.StringIO())
    new = School.objects.get(number=DEMO_SCHOOL_NUMBER)
    assert new.pk != old.pk
    assert not AuditEntry.objects.filter(school_id=old.pk).exists()
    assert not ClassMark.objects.filter(school_id=old.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_purge_needs_a_transaction():
    """Outside one, SET LOCAL would last no longer than its own statement: refused, loudly."""
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError, match="needs a transaction"):
        purge_in_this_transaction()


# ---------------------------------------------------------------- PostgreSQL's trigger


def _raw(sql: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@pytest.mark.postgres
def test_postgresql_refuses_to_update_or_delete_an_audit_entry(world, day):
    lesson(world, world.students[0], day)
    entry = AuditEntry.objects.get()
    for sql in (
        "UPDATE audit_auditentry SET channel = 'import' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw(sql, [entry.pk])
    # A purge allows deleting (only that: an update stays refused), for its transaction only.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        purge_in_this_transaction()
        _raw("UPDATE audit_auditentry SET channel = 'import' WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk, channel="web").exists()
    with transaction.atomic():
        purge_in_this_transaction()
        assert _raw("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk]) == 1
    assert not AuditEntry.objects.exists()


@pytest.mark.postgres
def test_postgresql_refuses_the_set_null_a_deleted_login_would_need(world, teacher, day):
    """Even a delete that skips Django's PROTECT (raw SQL) cannot blank who made a change."""
    lesson(world, world.students[0], day, actor=teacher)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("UPDATE audit_auditentry SET changed_by_id = NULL")
    assert AuditEntry.objects.get().changed_by_id == teacher.pk
