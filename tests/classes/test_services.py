"""The class write path: bulk upsert, per-item results, audit, constant queries."""

from datetime import timedelta

import pytest

from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark
from apps.classes.services import ClassMarkInput, record_class_marks
from tests import factories as f


def monday(world):
    return f.last_weekday(world.school, 1)


def test_creates_updates_and_audits(world, teacher):
    day = monday(world)
    absent, late = f.code(world.school, 0), f.code(world.school, 2)
    s0, s1 = world.students[:2]
    results = record_class_marks(
        actor=teacher,
        school=world.school,
        channel="web",
        marks=[
            ClassMarkInput(world.english.pk, s0.pk, day, 1, absent.pk, note="ill"),
            ClassMarkInput(world.english.pk, s1.pk, day, 1, late.pk, minutes_late=5),
        ],
    )
    assert [r.status for r in results] == ["created", "created"]
    results = record_class_marks(
        actor=teacher,
        school=world.school,
        channel="managebac",
        marks=[
            ClassMarkInput(world.english.pk, s0.pk, day, 1, late.pk, minutes_late=3),
            ClassMarkInput(world.english.pk, s1.pk, day, 1, late.pk, minutes_late=5),
        ],
    )
    assert [r.status for r in results] == ["updated", "unchanged"]
    mark = ClassMark.objects.get(student=s0, date=day)
    assert (mark.code, mark.minutes_late, mark.channel, mark.note) == (late, 3, "managebac", "")
    entries = list(AuditEntry.objects.filter(mark_id=mark.pk))
    assert [e.channel for e in entries] == ["web", "managebac"]
    assert entries[1].before["code_id"] == absent.pk and entries[1].after["code_id"] == late.pk


def test_bad_items_are_reported_and_good_ones_kept(world, teacher):
    day = monday(world)
    absent = f.code(world.school, 0)
    results = record_class_marks(
        actor=teacher,
        school=world.school,
        channel="web",
        marks=[
            ClassMarkInput(world.english.pk, world.students[0].pk, day, 1, absent.pk),
            ClassMarkInput(world.english.pk, world.students[1].pk, day, 2, absent.pk),
            ClassMarkInput(world.english.pk, world.year8_students[0].pk, day, 1, absent.pk),
            ClassMarkInput(world.science.pk, world.year8_students[0].pk, day, 2, absent.pk),
        ],
    )
    assert [r.status for r in results] == ["created", "invalid", "not_found", "not_found"]
    assert results[1].errors == {"period": ["must be in [1, 3]"]}
    assert ClassMark.objects.count() == 1


def test_teacher_cannot_edit_beyond_the_window_but_admin_can(world, teacher, admin):
    old = f.last_weekday(world.school, 1, world.school.today() - timedelta(days=world.school.teacher_edit_days + 1))
    absent = f.code(world.school, 0)
    mark = ClassMarkInput(world.english.pk, world.students[0].pk, old, 1, absent.pk)
    assert record_class_marks(actor=teacher, school=world.school, channel="web", marks=[mark])[0].status == "forbidden"
    assert record_class_marks(actor=admin, school=world.school, channel="web", marks=[mark])[0].status == "created"


def test_removing_a_mark_is_audited(world, teacher):
    day = monday(world)
    absent = f.code(world.school, 0)
    key = {"school_class_id": world.english.pk, "student_id": world.students[0].pk, "date": day, "period": 1}
    f.saved(
        record_class_marks(
            actor=teacher, school=world.school, channel="web", marks=[ClassMarkInput(**key, code_id=absent.pk)]
        )
    )
    [result] = record_class_marks(
        actor=teacher, school=world.school, channel="web", marks=[ClassMarkInput(**key, code_id=None)]
    )
    assert result.status == "deleted"
    assert not ClassMark.objects.exists()
    assert AuditEntry.objects.last().after is None


@pytest.mark.parametrize("size", [5, 60])
def test_queries_are_constant_in_the_number_of_marks(world, teacher, django_assert_max_num_queries, size):
    students = f.make_students(world.school, size, world.year7, prefix=f"B{size}")
    from apps.classes.models import Enrollment

    Enrollment.objects.bulk_create(
        Enrollment(school=world.school, school_class=world.english, student=s) for s in students
    )
    day = monday(world)
    absent = f.code(world.school, 0)
    marks = [ClassMarkInput(world.english.pk, s.pk, day, p, absent.pk) for s in students for p in (1, 3)]
    with django_assert_max_num_queries(14):
        results = record_class_marks(actor=teacher, school=world.school, channel="web", marks=marks)
    assert all(r.status == "created" for r in results)
    assert ClassMark.objects.count() == 2 * size


def test_a_batch_larger_than_one_insert_gives_every_mark_its_own_row_and_audit(world, teacher):
    """The upsert goes in statements of at most what the database takes (SQLite: 999 values, so
    71 marks); every result's mark is its row, new or updated, and its audit entry names it."""
    from apps.classes.models import Enrollment

    students = f.make_students(world.school, 60, world.year7, prefix="Big")
    Enrollment.objects.bulk_create(
        Enrollment(school=world.school, school_class=world.english, student=s) for s in students
    )
    day = monday(world)
    absent, late = f.code(world.school, 0), f.code(world.school, 2)
    first = [ClassMarkInput(world.english.pk, s.pk, day, p, absent.pk) for s in students[::2] for p in (1, 3)]
    record_class_marks(actor=teacher, school=world.school, channel="web", marks=first)
    marks = [ClassMarkInput(world.english.pk, s.pk, day, p, late.pk, minutes_late=4) for s in students for p in (1, 3)]
    results = record_class_marks(actor=teacher, school=world.school, channel="managebac", marks=marks)
    assert [r.status for r in results] == [("updated" if n % 4 < 2 else "created") for n in range(120)]
    rows = {(m.student_id, m.period.number): m for m in ClassMark.objects.filter(school_class=world.english, date=day)}
    assert len(rows) == 120
    for item, result in zip(marks, results, strict=True):
        row = rows[(item.student_id, item.period)]
        assert result.mark.pk == row.pk and (row.code_id, row.minutes_late, row.channel) == (late.pk, 4, "managebac")
    by_id = {m.pk: m for m in rows.values()}
    latest = list(AuditEntry.objects.filter(channel="managebac"))
    assert sorted(e.mark_id for e in latest) == sorted(by_id)
    for entry in latest:
        mark = by_id[entry.mark_id]
        assert (entry.key["student_id"], entry.key["period_id"]) == (mark.student_id, mark.period_id)
        assert entry.after["code_id"] == late.pk
