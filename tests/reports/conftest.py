"""A small, fully known term of marks for the report tests (every number hand-computed in
the tests that read it), and helpers to grow the school for query-count tests."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from apps.attendance.channels import Channel
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.excusals.services import excusal_create
from apps.homeroom.models import Adjustment
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from apps.school.models import Guardianship, Student, Term
from tests import factories as f


def record_lessons(school, marks) -> None:
    results = record_class_marks(actor=None, school=school, marks=marks, channel=Channel.DEMO)
    assert all(r.ok for r in results), [r.errors for r in results if not r.ok]


def record_homeroom(school, marks) -> None:
    results = record_daily_marks(actor=None, school=school, marks=marks, channel=Channel.DEMO)
    assert all(r.ok for r in results), [r.errors for r in results if not r.ok]


@pytest.fixture
def term_data(world):
    """Two weeks of Term 1 (Monday ``mon0`` and the week of ``mon1``, at least a week ago).

    7A English (periods 1 and 3), lessons:
      s0: mon1 P1 ✓, mon1 P3 A (excused by a parent), tue1 P1 A, tue1 P3 L
      s1: mon1 P1 ✓, mon1 P3 ✓, tue1 P1 E, tue1 P3 ✓
      s2 (archived afterwards): mon1 P1 A, mon1 P3 D
    8B Science (period 2): y8 mon1 P2 ✓
    Homeroom:
      s0: mon0 ✓, mon1 A (excused by a parent), tue1 A, wed1 ✓
      s1: mon0 ✓, mon1 ✓, tue1 ✓, wed1 L
      s2: mon1 A;  y8: mon1 E
    Adjustments in Term 1: s0 A +2, s1 ✓ -1; in Term 2: s1 L +5 (never counted in Term 1).
    Excusal: s0 on mon1 only.
    """
    school = world.school
    s0, s1, s2 = world.students
    y8 = world.year8_students[0]
    mon1 = f.last_weekday(school, 1, before=school.today() - timedelta(days=7))
    mon0, tue1, wed1 = mon1 - timedelta(days=7), mon1 + timedelta(days=1), mon1 + timedelta(days=2)
    c = SimpleNamespace(
        present=f.code(school, -1),
        absent=f.code(school, 0),
        late=f.code(school, 2),
        excused=f.code(school, 13),
        dismissed=f.code(school, 5),
    )
    english, science = world.english.pk, world.science.pk

    def lesson(student, day, period, code, class_id=english):
        return ClassMarkInput(school_class_id=class_id, student_id=student.pk, date=day, period=period, code_id=code.pk)

    record_lessons(
        school,
        [
            lesson(s0, mon1, 1, c.present),
            lesson(s0, mon1, 3, c.absent),
            lesson(s0, tue1, 1, c.absent),
            lesson(s0, tue1, 3, c.late),
            lesson(s1, mon1, 1, c.present),
            lesson(s1, mon1, 3, c.present),
            lesson(s1, tue1, 1, c.excused),
            lesson(s1, tue1, 3, c.present),
            lesson(s2, mon1, 1, c.absent),
            lesson(s2, mon1, 3, c.dismissed),
            lesson(y8, mon1, 2, c.present, class_id=science),
        ],
    )

    def day(student, on, code):
        return DailyMarkInput(student_id=student.pk, date=on, code_id=code.pk)

    record_homeroom(
        school,
        [
            day(s0, mon0, c.present),
            day(s0, mon1, c.absent),
            day(s0, tue1, c.absent),
            day(s0, wed1, c.present),
            day(s1, mon0, c.present),
            day(s1, mon1, c.present),
            day(s1, tue1, c.present),
            day(s1, wed1, c.late),
            day(s2, mon1, c.absent),
            day(y8, mon1, c.excused),
        ],
    )
    excusal_create(
        actor=world.parent.user, student=s0, parent=world.parent, start_date=mon1, end_date=mon1, channel=Channel.DEMO
    )
    term1, term2 = Term.objects.filter(school=school).order_by("start_date")
    Adjustment.objects.create(school=school, student=s0, term=term1, code=c.absent, adjustment=2, reason="Transfer")
    Adjustment.objects.create(school=school, student=s1, term=term1, code=c.present, adjustment=-1)
    Adjustment.objects.create(school=school, student=s1, term=term2, code=c.late, adjustment=5)
    Student.objects.filter(pk=s2.pk).update(archived=True)
    return SimpleNamespace(
        world=world,
        school=school,
        s0=s0,
        s1=s1,
        s2=s2,
        y8=y8,
        mon0=mon0,
        mon1=mon1,
        tue1=tue1,
        wed1=wed1,
        codes=c,
        term1=term1,
        term2=term2,
    )


def grow_school(data, extra: int) -> None:
    """Add ``extra`` Year 7 students to 7A English with a day of lessons and homeroom each,
    an excusal and an adjustment: more rows, same number of queries."""
    world, school = data.world, data.school
    students = f.make_students(school, extra, world.year7, prefix=f"G{extra}x")
    from apps.classes.models import Enrollment

    Enrollment.objects.bulk_create(Enrollment(school=school, school_class=world.english, student=s) for s in students)
    codes = [data.codes.present, data.codes.absent, data.codes.late]
    record_lessons(
        school,
        [
            ClassMarkInput(
                school_class_id=world.english.pk,
                student_id=s.pk,
                date=data.mon1,
                period=p,
                code_id=codes[(i + p) % 3].pk,
            )
            for i, s in enumerate(students)
            for p in (1, 3)
        ],
    )
    record_homeroom(
        school,
        [
            DailyMarkInput(student_id=s.pk, date=d, code_id=codes[i % 3].pk)
            for i, s in enumerate(students)
            for d in (data.mon1, data.tue1)
        ],
    )
    for s in students[:3]:
        Guardianship.objects.create(school=school, parent=world.parent, student=s)
        excusal_create(
            actor=world.parent.user,
            student=s,
            parent=world.parent,
            start_date=data.mon1,
            end_date=data.tue1,
            channel=Channel.DEMO,
        )
        Adjustment.objects.create(school=school, student=s, term=data.term1, code=data.codes.late, adjustment=1)
