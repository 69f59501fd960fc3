"""The daily write path and the audit log it shares with class marks."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction

from apps.attendance.engine import LOCK_EACH_KEY_UP_TO, school_write_lock
from apps.audit.models import AuditEntry
from apps.homeroom.models import DailyMark
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from tests import factories as f


def test_an_advisor_records_daily_marks_and_each_change_is_audited(world, teacher):
    day = f.last_weekday(world.school, 2)
    absent, present = f.code(world.school, 0), f.code(world.school, 1)
    s0, s1 = world.students[:2]
    results = record_daily_marks(
        actor=teacher,
        school=world.school,
        channel="web",
        marks=[DailyMarkInput(s0.pk, day, absent.pk, note="dentist"), DailyMarkInput(s1.pk, day, present.pk)],
    )
    assert [r.status for r in results] == ["created", "created"]
    results = record_daily_marks(
        actor=teacher,
        school=world.school,
        channel="managebac",
        marks=[DailyMarkInput(s0.pk, day, present.pk), DailyMarkInput(s1.pk, day, present.pk)],
    )
    assert [r.status for r in results] == ["updated", "unchanged"]
    mark = DailyMark.objects.get(student=s0, date=day)
    assert (mark.code, mark.channel, mark.recorded_by) == (present, "managebac", teacher)
    entries = AuditEntry.objects.filter(mark_kind="daily", mark_id=mark.pk)
    assert [(e.before and e.before["note"], e.after["code_id"]) for e in entries] == [
        (None, absent.pk),
        ("dentist", present.pk),
    ]


def test_daily_marks_refuse_what_the_actor_may_not_mark(world, teacher, other_teacher, admin):
    day = f.last_weekday(world.school, 2)
    absent = f.code(world.school, 0)
    year8 = world.year8_students[0]
    far = world.far_students[0]
    results = record_daily_marks(
        actor=teacher,
        school=world.school,
        channel="web",
        marks=[
            DailyMarkInput(year8.pk, day, absent.pk),  # not in a year group they advise
            DailyMarkInput(far.pk, day, absent.pk),  # another school's student
            DailyMarkInput(world.students[0].pk, day + timedelta(days=400), absent.pk),  # outside the year
            DailyMarkInput(world.students[0].pk, day, f.code(world.school, 15).pk),  # Custom 1, disabled
            DailyMarkInput(world.students[0].pk, day, 10**6),
        ],
    )  # no such code
    assert [r.status for r in results] == ["not_found", "not_found", "invalid", "invalid", "invalid"]
    assert results[3].errors == {"status": ["Custom 1 is not enabled in this school"]}
    assert results[4].errors == {"status": ["is not one of the school's attendance codes"]}
    assert (
        record_daily_marks(
            actor=admin, school=world.school, channel="web", marks=[DailyMarkInput(year8.pk, day, absent.pk)]
        )[0].status
        == "created"
    )
    assert DailyMark.objects.count() == 1
    assert AuditEntry.objects.count() == 1


def test_a_later_item_for_the_same_day_wins_and_both_changes_are_logged(world, teacher):
    day = f.last_weekday(world.school, 2)
    s0 = world.students[0]
    results = record_daily_marks(
        actor=teacher,
        school=world.school,
        channel="web",
        marks=[
            DailyMarkInput(s0.pk, day, f.code(world.school, 0).pk),
            DailyMarkInput(s0.pk, day, f.code(world.school, 2).pk, minutes_late=7),
        ],
    )
    assert [r.status for r in results] == ["created", "updated"]
    assert DailyMark.objects.get().minutes_late == 7
    assert AuditEntry.objects.count() == 2


def test_minutes_late_are_kept_only_for_late_codes(world, teacher):
    day = f.last_weekday(world.school, 2)
    f.saved(
        record_daily_marks(
            actor=teacher,
            school=world.school,
            channel="web",
            marks=[DailyMarkInput(world.students[0].pk, day, f.code(world.school, 0).pk, minutes_late=9)],
        )
    )
    assert DailyMark.objects.get().minutes_late is None


@pytest.mark.parametrize("size", [4, 50])
def test_daily_writes_cost_a_constant_number_of_queries(world, teacher, django_assert_max_num_queries, size):
    students = f.make_students(world.school, size, world.year7, prefix=f"D{size}")
    day = f.last_weekday(world.school, 2)
    absent = f.code(world.school, 0)
    with django_assert_max_num_queries(12):
        results = record_daily_marks(
            actor=teacher,
            school=world.school,
            channel="web",
            marks=[DailyMarkInput(s.pk, day, absent.pk) for s in students],
        )
    assert all(r.status == "created" for r in results)


def test_audit_entries_are_never_edited_or_deleted(world, teacher):
    day = f.last_weekday(world.school, 2)
    f.saved(
        record_daily_marks(
            actor=teacher,
            school=world.school,
            channel="web",
            marks=[DailyMarkInput(world.students[0].pk, day, f.code(world.school, 0).pk)],
        )
    )
    entry = AuditEntry.objects.get()
    entry.channel = "managebac"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.all().update(channel="x")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().channel == "web"


def test_a_batch_larger_than_the_lock_table_saves_under_one_school_lock(world, admin, django_assert_max_num_queries):
    """A term's homeroom marks in one batch (18,000 keys) is more advisory locks than PostgreSQL's
    lock table holds (sized for 6,400 by default; here it ran out between 10,000 and 15,000 with
    "out of shared memory"): past
    LOCK_EACH_KEY_UP_TO keys the write takes its school's lock instead, in the same one query."""

    students = f.make_students(world.school, 300, world.year7, prefix="Big")
    today = world.school.today()
    days = [d for d in (today - timedelta(days=n) for n in range(1, 90)) if d.isoweekday() < 6][:60]
    present = f.code(world.school, 1)
    marks = [DailyMarkInput(s.pk, day, present.pk) for s in students for day in days]
    assert len(marks) > 15000 > LOCK_EACH_KEY_UP_TO
    # On SQLite Django splits the bulk statements by its parameter limit; PostgreSQL does not.
    with django_assert_max_num_queries(12 if connection.vendor == "postgresql" else 1000):
        results = record_daily_marks(actor=admin, school=world.school, channel="import", marks=marks)
    assert {r.status for r in results} == {"created"}
    assert DailyMark.objects.filter(student__in=students).count() == len(marks)
    assert AuditEntry.objects.filter(mark_kind=AuditEntry.MarkKind.DAILY).count() >= len(marks)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_large_batch_waits_for_a_small_write_of_its_school_and_then_logs_after_it(world, admin, teacher):
    """A small write holds its school's lock shared; a large batch takes it exclusively, so it
    waits for the small one to commit (seen in pg_locks, no timers), then reads its mark and logs
    the change from it."""

    students = f.make_students(world.school, LOCK_EACH_KEY_UP_TO + 1, world.year7, prefix="Wide")
    day = f.last_weekday(world.school, 2)
    absent, present = f.code(world.school, 0), f.code(world.school, 1)
    small_saved, finish_small = threading.Event(), threading.Event()
    errors = []

    def small_write():
        try:
            with transaction.atomic():
                f.saved(
                    record_daily_marks(
                        actor=teacher,
                        school=world.school,
                        channel="web",
                        marks=[DailyMarkInput(students[0].pk, day, absent.pk)],
                    )
                )
                small_saved.set()
                finish_small.wait(30)
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            small_saved.set()
            connection.close()

    def large_write():
        try:
            f.saved(
                record_daily_marks(
                    actor=admin,
                    school=world.school,
                    channel="import",
                    marks=[DailyMarkInput(s.pk, day, present.pk) for s in students],
                )
            )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    small = threading.Thread(target=small_write)
    small.start()
    small_saved.wait(30)
    large = threading.Thread(target=large_write)
    large.start()
    with connection.cursor() as cursor:
        for _ in range(3000):  # until the large batch is seen waiting on an advisory lock
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            if cursor.fetchone()[0]:
                break
            time.sleep(0.01)
        else:
            pytest.fail("the large batch never waited for the school's lock")
    finish_small.set()
    small.join(30)
    large.join(60)

    assert errors == []
    assert DailyMark.objects.filter(student__in=students, code=present).count() == len(students)
    first = AuditEntry.objects.filter(key__student_id=students[0].pk).order_by("changed_at", "pk")
    assert [(e.before and e.before["code_id"], e.after["code_id"]) for e in first] == [
        (None, absent.pk),
        (absent.pk, present.pk),
    ]


def test_a_long_job_holds_its_schools_lock_once_instead_of_a_lock_per_mark(world, admin):
    """Many small saves in one transaction (the demo school, a year's import) would hold a lock
    per mark to the end and run PostgreSQL's lock table out ("out of shared memory"); inside
    ``school_write_lock`` they hold the school's lock alone."""

    students = f.make_students(world.school, 400, world.year7, prefix="Long")
    today = world.school.today()
    days = [d for d in (today - timedelta(days=n) for n in range(1, 90)) if d.isoweekday() < 6][:45]
    present = f.code(world.school, 1)
    assert len(students) <= LOCK_EACH_KEY_UP_TO < len(students) * len(days)
    with transaction.atomic(), school_write_lock(world.school):
        for day in days:  # 45 saves of 400 marks: 18,000 marks in one transaction
            results = record_daily_marks(
                actor=admin,
                school=world.school,
                channel="import",
                marks=[DailyMarkInput(s.pk, day, present.pk) for s in students],
            )
            assert {r.status for r in results} == {"created"}
    assert DailyMark.objects.filter(student__in=students).count() == len(students) * len(days)


@pytest.mark.django_db(transaction=True)
def test_the_schools_lock_needs_a_transaction(world):

    with pytest.raises(RuntimeError, match="needs a transaction"), school_write_lock(world.school):
        pass
