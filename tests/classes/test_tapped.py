"""The tap's hand-written row (apps/classes/tapped.py) against what the ORM helpers it stands for
read on the same data: the roll's row (``roll_enrollments``), the roll's counts
(``class_roll_counts``), who may tap (``visible_classes``) and what the write path checks."""

import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.attendance.roll import EXCUSAL_FIELDS, excusal_of, photo_url
from apps.audit.models import AuditEntry
from apps.classes.access import visible_classes
from apps.classes.models import Cover, CoverPeriod, Enrollment, TeacherAssignment
from apps.classes.selectors import (
    _lesson_marks,
    class_meeting_period,
    class_roll_counts,
    current_enrollments,
    roll_enrollments,
)
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.classes.tapped import membership_of, roll_rows, tapped_row
from apps.excusals.models import Excusal
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from apps.school.access import Membership
from apps.school.models import Administrator, Parent, Period, Student, StudentPhoto
from tests import factories as f


def monday(world):
    return f.last_weekday(world.school, 1)


def the_orms(user, school_class, day, number, student):
    """What the ORM helpers read: the roll's row, its counts, and who may tap."""
    enrolled = Enrollment.objects.filter(current_enrollments(day), school_class=school_class, student=student)
    row = roll_enrollments(enrolled, school_class.school, day).first()
    counts = class_roll_counts(school_class, day, class_meeting_period(school_class, day, number))
    mine = {"school_class": school_class, "teacher__user": user}
    return (
        row,
        counts,
        {
            "taught": TeacherAssignment.objects.filter(**mine).exists(),
            "covered": Cover.objects.filter(**mine).exists(),
            "runs": Administrator.objects.filter(user=user, school=school_class.school).exists(),
            "sees": visible_classes(user, covering=(day, number)).filter(pk=school_class.pk).exists(),
        },
    )


def assert_same(user, school_class, day, number, student):
    tapped = tapped_row(user, school_class.pk, day, number, student.pk)
    row, counts, access = the_orms(user, school_class, day, number, student)
    assert tapped is not None and row is not None
    assert tapped.pk == row.pk and tapped.student == row.student and tapped.school_class == school_class
    for name in ("start_date", "end_date", "uuid"):
        assert getattr(tapped, name) == getattr(row, name)
    assert tapped.student.__dict__ == row.student.__dict__ | {"_state": tapped.student._state}
    assert tapped.school_class.school.pk == school_class.school_id
    assert tapped.school_class.academic_year.pk == school_class.academic_year_id
    assert tapped.school_class.start_date == school_class.start_date  # a date, on SQLite too
    assert tapped.school_class.school.uuid == school_class.school.uuid
    excusal, expected = excusal_of(tapped), excusal_of(row)
    fields = ("pk", "start_date", "end_date", "comment")
    assert (excusal and [getattr(excusal, n) for n in fields]) == (expected and [getattr(expected, n) for n in fields])
    assert tapped.homeroom_code_id == row.homeroom_code_id
    assert photo_url(tapped, student.pk) == photo_url(row, student.pk)
    # The counts: the students on the roll and their marks by code.
    assert (tapped.roll_total or 0) == counts.total
    codes = Counter(int(c) for c in (tapped.roll_codes or "").split(",") if c)
    assert {c.pk: n for c, n in counts.counts if n} == dict(codes)
    assert (tapped.taught, tapped.covered, tapped.runs) == (access["taught"], access["covered"], access["runs"])
    assert (tapped.runs or tapped.taught or tapped.covers_lesson) == access["sees"]
    # The lesson's mark and the latest of an earlier lesson that day, as the ORM's read has them.
    marks, earlier = _lesson_marks(school_class, day, class_meeting_period(school_class, day, number), [student.pk])
    assert same_mark(tapped.lesson_mark, marks.get(student.pk))
    assert same_mark(tapped.earlier_mark, earlier.get(student.pk))
    if tapped.earlier_mark:
        expected = earlier[student.pk]
        assert tapped.earlier_mark.period.label == expected.period.label
        assert tapped.earlier_mark.school_class.name == expected.school_class.name
    return tapped


def same_mark(mark, expected) -> bool:
    fields = ("pk", "code_id", "note", "minutes_late", "shared_with_family", "recorded_at", "period_id")
    return (mark and [getattr(mark, n) for n in fields]) == (expected and [getattr(expected, n) for n in fields])


@pytest.fixture
def busy(world):
    """Monday's 7A English: marks of two students in period 1, the first student excused (twice:
    the later excusal counts), absent in homeroom, with a photo and marked in period 2's art."""
    day = monday(world)
    first, second, third = world.students
    absent, present = f.code(world.school, 0), f.code(world.school, -1)
    f.saved(
        record_class_marks(
            actor=None,
            school=world.school,
            channel="demo",
            marks=[
                ClassMarkInput(world.english.pk, first.pk, day, 1, absent.pk),
                ClassMarkInput(world.english.pk, second.pk, day, 1, present.pk),
            ],
        )
    )
    homeroom = [DailyMarkInput(first.pk, day, absent.pk)]
    f.saved(record_daily_marks(actor=None, school=world.school, channel="demo", marks=homeroom))
    for comment in ("dentist", "ill"):
        Excusal.objects.create(
            school=world.school, student=first, parent=world.parent, start_date=day, end_date=day, comment=comment
        )
    StudentPhoto.objects.create(school=world.school, student=first, thumbnail=b"\xff\xd8")
    art = f.make_class(world.school, "7A Art", [world.other_teacher], world.students, periods=(2,))
    late = ClassMarkInput(art.pk, first.pk, day, 2, f.code(world.school, 2).pk, note="bus", minutes_late=5)
    f.saved(record_class_marks(actor=None, school=world.school, channel="demo", marks=[late]))
    return day


def test_the_row_is_the_roll_helpers_for_each_student(world, teacher, busy):
    for student in world.students:
        for number in (1, 3):
            tapped = assert_same(teacher, world.english, busy, number, student)
            assert tapped.taught and not tapped.runs
    first = tapped_row(teacher, world.english.pk, busy, 1, world.students[0].pk)
    assert first.excusal_comment == "ill" and first.has_photo and first.roll_total == 3
    assert first.roll_codes is not None and first.lesson_mark.code == f.code(world.school, 0)
    assert first.earlier_mark is None  # nothing before period 1
    third = tapped_row(teacher, world.english.pk, busy, 3, world.students[0].pk)
    assert third.lesson_mark is None and third.earlier_mark.school_class.name == "7A Art"  # period 2's, not 1's
    assert third.earlier_mark.note == "bus" and third.earlier_mark.minutes_late == 5


def test_an_admin_a_cover_teacher_and_a_stranger(world, admin, other_teacher, other_school_admin, busy):
    student = world.students[1]
    assert assert_same(admin, world.english, busy, 1, student).runs
    stranger = assert_same(other_teacher, world.english, busy, 1, student)
    assert not (stranger.runs or stranger.taught or stranger.covered or stranger.covers_lesson)
    cover = Cover.objects.create(
        school=world.school, school_class=world.english, teacher=world.other_teacher, start_date=busy, end_date=busy
    )
    assert assert_same(other_teacher, world.english, busy, 3, student).covers_lesson  # a cover of every period
    first = Period.objects.get(school=world.school, number=1)
    CoverPeriod.objects.create(school=world.school, cover=cover, period=first)
    assert assert_same(other_teacher, world.english, busy, 1, student).covers_lesson
    limited = assert_same(other_teacher, world.english, busy, 3, student)
    assert limited.covered and not limited.covers_lesson
    assert not assert_same(other_teacher, world.english, busy + timedelta(days=1), 1, student).covers_lesson
    far = assert_same(other_school_admin, world.english, busy, 1, student)
    assert not (far.runs or far.taught or far.covers_lesson)


def test_no_row_off_the_roll(world, teacher, busy):
    student = world.students[2]
    assert tapped_row(teacher, world.english.pk, busy, 1, world.year8_students[0].pk) is None
    Enrollment.objects.filter(school_class=world.english, student=student).update(end_date=busy - timedelta(days=1))
    assert tapped_row(teacher, world.english.pk, busy, 1, student.pk) is None
    assert tapped_row(teacher, world.english.pk, busy - timedelta(days=1), 1, student.pk) is not None
    student.archived = True
    student.save()
    assert tapped_row(teacher, world.english.pk, busy - timedelta(days=1), 1, student.pk) is None


@pytest.mark.postgres
def test_on_postgresql_the_row_is_prepared_after_a_few_runs(world, teacher, busy):
    student = world.students[0]
    for _ in range(8):
        assert_same(teacher, world.english, busy, 1, student)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%excusals_excusal x2%"])
        assert cursor.fetchone()[0] == 1


@pytest.mark.postgres
def test_on_postgresql_a_taps_statements_are_prepared(client, world, teacher):
    """The whole tap runs ``preparing``: its write path's statements too, each saving and audited."""
    client.force_login(teacher)
    student = world.students[0]
    url = reverse("classes:roll_student", args=[world.english.pk, monday(world).isoformat(), 1, student.pk])
    codes = [f.code(world.school, 0), f.code(world.school, -1)]
    for n in range(7):
        response = client.post(url, {"code": codes[n % 2].pk}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and "errorlist" not in response.content.decode()
    assert AuditEntry.objects.filter(mark_kind=AuditEntry.MarkKind.CLASS).count() == 7
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ['INSERT INTO "audit_auditentry"%']
        )
        assert cursor.fetchone()[0] == 1


@pytest.mark.parametrize("setting, threshold", [("", "5"), ("false", "None")])
def test_prepared_statements_can_be_turned_off_for_a_pooler(setting, threshold):
    """Behind a pooler in transaction mode a prepared statement would be looked for on another
    server connection: ``POSTGRES_PREPARED_STATEMENTS=false`` leaves psycopg preparing nothing."""
    root = Path(__file__).resolve().parents[2]
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(root),
        "DEBUG": "true",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "POSTGRES_PREPARED_STATEMENTS": setting,
        "DJANGO_SETTINGS_MODULE": "attendance_site.settings",
    }
    read = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS']['prepare_threshold'])"
    result = subprocess.run(
        [sys.executable, "-c", read], cwd=root, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == threshold


# --- the roll page's rows ----------------------------------------------------------------------


# What the page's rows and the tap's row both carry.
SHARED = (*(f"excusal_{n}" for n in EXCUSAL_FIELDS), "homeroom_code_id", "has_photo", "taught", "covered", "runs")


def assert_page_same(user, school_class, day, number):
    """The page's rows: the ORM's roll (``roll_enrollments``) in its order, each row as the tap's
    row of that student (which the tests above hold to the ORM), and the user's ``Membership``."""
    rows = roll_rows(user, school_class.pk, day, number)
    enrolled = Enrollment.objects.filter(current_enrollments(day), school_class=school_class)
    assert [r.pk for r in rows] == [e.pk for e in roll_enrollments(enrolled, school_class.school, day)]
    for row in rows:
        tapped = tapped_row(user, school_class.pk, day, number, row.student_id)
        assert row.student.__dict__ == tapped.student.__dict__ | {"_state": row.student._state}
        assert row.school_class is rows[0].school_class and row.school_class.start_date == school_class.start_date
        assert row.school_class.school.uuid == tapped.school_class.school.uuid
        for name in (*SHARED, "covers_lesson"):
            assert getattr(row, name) == getattr(tapped, name), name
        assert same_mark(row.lesson_mark, tapped.lesson_mark) and same_mark(row.earlier_mark, tapped.earlier_mark)
    if rows:
        assert membership_of(rows[0]) == Membership._load(user)
    return rows


def test_the_pages_rows_are_the_roll_in_its_order(world, teacher, busy):
    first = world.students[0]
    late_comer = Student.objects.create(school=world.school, first_name="Zoe", last_name="Aaron", student_number="Z1")
    Enrollment.objects.create(school=world.school, school_class=world.english, student=late_comer)
    for number in (1, 3):
        rows = assert_page_same(teacher, world.english, busy, number)
        assert rows[0].student == late_comer and len(rows) == 4  # by last name, though enrolled last
    row = next(r for r in roll_rows(teacher, world.english.pk, busy, 1) if r.student == first)
    assert row.excusal_comment == "ill" and row.has_photo and row.homeroom_code_id is not None
    assert row.taught and not row.runs and row.is_teacher and not row.is_parent and not row.admin_school_ids


def test_the_pages_rows_for_an_admin_a_parent_teacher_a_cover_and_a_stranger(
    world, admin, other_teacher, other_school_admin, busy
):
    assert assert_page_same(admin, world.english, busy, 1)[0].runs
    Parent.objects.create(school=world.school, first_name="O", last_name="T", user=other_teacher)
    Administrator.objects.create(school=world.other_school, first_name="O", last_name="T", user=other_teacher)
    stranger = assert_page_same(other_teacher, world.english, busy, 1)[0]
    assert not (stranger.runs or stranger.taught or stranger.covered or stranger.covers_lesson)
    assert stranger.is_parent and stranger.admin_school_ids == str(world.other_school.pk)
    Cover.objects.create(
        school=world.school, school_class=world.english, teacher=world.other_teacher, start_date=busy, end_date=busy
    )
    assert assert_page_same(other_teacher, world.english, busy, 3)[0].covers_lesson
    far = assert_page_same(other_school_admin, world.english, busy, 1)[0]
    assert not (far.runs or far.taught or far.covers_lesson)


def test_no_rows_for_a_roll_without_students(world, teacher, busy):
    Enrollment.objects.filter(school_class=world.english).update(end_date=busy - timedelta(days=1))
    assert roll_rows(teacher, world.english.pk, busy, 1) == []
    assert roll_rows(teacher, world.english.pk + 1000, busy, 1) == []


def test_the_roll_page_reads_its_rows_and_the_menu_in_one_statement(client, world, teacher, busy):
    """The page's header shows the menu of the user's roles from the rows' ``Membership``: a
    teacher who is a parent and runs another school sees Today, Family and Office."""
    Parent.objects.create(school=world.school, first_name="T", last_name="P", user=teacher)
    Administrator.objects.create(school=world.other_school, first_name="T", last_name="A", user=teacher)
    client.force_login(teacher)
    url = reverse("classes:roll", args=[world.english.pk, busy.isoformat(), 1])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    statements = [q["sql"] for q in queries.captured_queries]
    assert not any("school_teacher" in sql and "EXISTS" in sql and "auth_user" in sql for sql in statements)
    menu = response.content.decode().split("<main", 1)[0]
    for link in (reverse("classes:today"), reverse("excusals:family"), reverse("reports:dashboard")):
        assert f'href="{link}"' in menu
