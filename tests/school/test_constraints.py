"""The database itself refuses duplicate marks and rows that cross schools."""

import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.classes.models import ClassMark, Enrollment
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.excusals.models import Excusal
from apps.homeroom.models import DailyMark
from apps.school.models import Period
from tests import factories as f


def class_mark(world, **overrides):
    fields = {
        "school": world.school,
        "school_class": world.english,
        "student": world.students[0],
        "date": f.last_weekday(world.school, 1),
        "period": Period.objects.get(school=world.school, number=1),
        "code": f.code(world.school, 0),
        "channel": "web",
        "recorded_at": timezone.now(),
    }
    return ClassMark(**{**fields, **overrides})


def refused(make_row):
    """The row is refused by the database, at once or when deferred keys are checked."""
    with pytest.raises(IntegrityError), transaction.atomic():
        make_row()
        connection.check_constraints()


def test_a_duplicate_class_mark_is_impossible(world):
    class_mark(world).save()
    refused(lambda: class_mark(world, code=f.code(world.school, 2)).save())


def test_a_duplicate_daily_mark_is_impossible(world):
    day = f.last_weekday(world.school, 1)
    row = {"school": world.school, "student": world.students[0], "date": day, "channel": "web"}
    DailyMark.objects.create(**row, code=f.code(world.school, 0), recorded_at=timezone.now())
    refused(lambda: DailyMark.objects.create(**row, code=f.code(world.school, 1), recorded_at=timezone.now()))


def test_an_enrollment_cannot_join_a_class_to_another_schools_student(world):
    refused(
        lambda: Enrollment.objects.create(
            school=world.school, school_class=world.english, student=world.far_students[0]
        )
    )


def test_a_mark_cannot_use_another_schools_code_or_class(world):
    refused(lambda: class_mark(world, code=f.code(world.other_school, 0)).save())
    refused(lambda: class_mark(world, school_class=world.far_class).save())


def test_an_excusal_cannot_name_another_schools_parent(world):
    far_parent = f.make_parent(world.other_school, "far_parent", world.far_students[0])
    day = world.school.today()
    refused(
        lambda: Excusal.objects.create(
            school=world.school, student=world.students[0], parent=far_parent, start_date=day, end_date=day
        )
    )


def test_an_excusal_cannot_end_before_it_starts(world):
    day = world.school.today()
    refused(
        lambda: Excusal.objects.create(
            school=world.school,
            student=world.students[0],
            parent=world.parent,
            start_date=day,
            end_date=day.replace(day=1) if day.day > 1 else day - day.resolution,
        )
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transactions_cannot_both_insert_the_same_mark(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite takes one writer at a time")
    first_inserted = threading.Event()
    outcomes = {}

    def first():
        try:
            with transaction.atomic():
                class_mark(world).save()
                first_inserted.set()
                time.sleep(1)  # the second transaction now tries the same key and must wait
            outcomes["first"] = "committed"
        finally:
            connection.close()

    def second():
        first_inserted.wait(timeout=10)
        try:
            with transaction.atomic():
                class_mark(world, code=f.code(world.school, 2)).save()
            outcomes["second"] = "committed"
        except IntegrityError:
            outcomes["second"] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == {"first": "committed", "second": "refused"}
    assert ClassMark.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_through_the_service_leave_one_mark_and_every_audit_entry(world, teacher, admin):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite takes one writer at a time")
    day = f.last_weekday(world.school, 1)
    start = threading.Barrier(6)
    errors = []

    def write(actor, status):
        try:
            start.wait()
            [result] = record_class_marks(
                actor=actor,
                school=world.school,
                channel="web",
                marks=[ClassMarkInput(world.english.pk, world.students[0].pk, day, 1, f.code(world.school, status).pk)],
            )
            assert result.ok, result.errors
        except Exception as exc:  # noqa: BLE001 — collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=write, args=(actor, status))
        for actor, status in [(teacher, 0), (admin, 2), (teacher, 13)] * 2
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    from apps.audit.models import AuditEntry

    mark = ClassMark.objects.get()
    entries = list(AuditEntry.objects.order_by("pk"))
    # Replaying the log in order gives the mark: every change was logged against what it replaced.
    state = None
    for entry in entries:
        assert entry.before == state
        state = entry.after
    assert state["code_id"] == mark.code_id
