"""The term counts the reports read (apps/attendance/term_counts.py) always say what the marks
say: after any sequence of class and homeroom marks and clears, excusals sent, extended and
withdrawn, term adjustments, a term's days moved, a code's kind changed and students archived,
all through the services that do them, every term report (chronic absence too) equals the same
report computed from the marks (``from_marks=True``), and the counts equal the counts rebuilt
from nothing.

Every example runs in a savepoint that is rolled back, so the examples share one ``world``.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.attendance import term_counts
from apps.attendance.channels import Channel
from apps.classes.models import ClassTermCount
from apps.classes.selectors import class_term_counts
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.excusals.models import Excusal
from apps.excusals.services import ExcusalError, excusal_create, excusal_delete, excusal_update
from apps.homeroom.models import Adjustment, DailyTermCount
from apps.homeroom.selectors import homeroom_term_counts
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from apps.reports import selectors
from apps.reports.services import adjustment_create, adjustment_delete, adjustment_update, attendance_code_update
from apps.school.models import AttendanceCode, Student, Term
from tests import factories as f

STUDENTS = ["s0", "s1", "s2", "y8"]
CODES = ["absent", "present", "late", "excused", "clear"]
DAYS = range(4)

class_steps = st.tuples(
    st.just("class"),
    st.lists(
        st.tuples(
            st.sampled_from(STUDENTS[:3]), st.sampled_from(DAYS), st.sampled_from([1, 3]), st.sampled_from(CODES)
        ),
        min_size=1,
        max_size=4,
    ),
)
science_steps = st.tuples(
    st.just("science"),
    st.lists(st.tuples(st.sampled_from(DAYS), st.sampled_from(CODES)), min_size=1, max_size=2),
)
daily_steps = st.tuples(
    st.just("daily"),
    st.lists(
        st.tuples(st.sampled_from(STUDENTS), st.sampled_from(DAYS), st.sampled_from(CODES)), min_size=1, max_size=4
    ),
)
excusal_steps = st.tuples(
    st.sampled_from(["excuse", "extend", "withdraw"]),
    st.sampled_from(["s0", "y8"]),
    st.sampled_from(DAYS),
    st.sampled_from([0, 1, 2]),
)
adjustment_steps = st.tuples(
    st.just("adjust"),
    st.sampled_from(STUDENTS),
    st.sampled_from([0, 1]),
    st.sampled_from(CODES[:4]),
    st.sampled_from([-3, -1, 0, 2]),
)
term_steps = st.tuples(st.just("term"), st.sampled_from([None, 1, 2, 3]))
kind_steps = st.tuples(
    st.just("kind"), st.sampled_from(["late", "excused"]), st.sampled_from(AttendanceCode.Kind.values)
)
archive_steps = st.tuples(st.just("archive"), st.sampled_from(STUDENTS), st.booleans())

steps = st.lists(
    st.one_of(
        class_steps,
        class_steps,
        science_steps,
        daily_steps,
        daily_steps,
        excusal_steps,
        excusal_steps,
        adjustment_steps,
        term_steps,
        kind_steps,
        archive_steps,
    ),
    min_size=1,
    max_size=12,
)


@pytest.fixture
def school_world(world):
    school = world.school
    # Four school days in Term 1, a week and more ago: the admin may mark them.
    monday = f.last_weekday(school, 1, before=school.today() - timedelta(days=7))
    days = [monday - timedelta(days=7), monday, monday + timedelta(days=1), monday + timedelta(days=2)]
    term1, term2 = Term.objects.filter(school=school).order_by("start_date")
    s0, s1, s2 = world.students
    return {
        "world": world,
        "school": school,
        "days": days,
        "terms": (term1, term2),
        "term1_end": term1.end_date,
        "students": {"s0": s0, "s1": s1, "s2": s2, "y8": world.year8_students[0]},
        "parents": {"s0": world.parent, "y8": world.other_parent},
        "codes": {
            "absent": f.code(school, 0),
            "present": f.code(school, -1),
            "late": f.code(school, 2),
            "excused": f.code(school, 13),
        },
    }


def code_id(w, name: str) -> int | None:
    return None if name == "clear" else w["codes"][name].pk


def run(w, step) -> None:
    admin, school, days, students = w["world"].admin.user, w["school"], w["days"], w["students"]
    kind = step[0]
    if kind == "class":
        items = [
            ClassMarkInput(w["world"].english.pk, students[s].pk, days[d], p, code_id(w, c)) for s, d, p, c in step[1]
        ]
        # An archived student's marks are refused: nothing changes.
        record_class_marks(actor=admin, school=school, marks=items, channel=Channel.WEB)
    elif kind == "science":
        items = [
            ClassMarkInput(w["world"].science.pk, students["y8"].pk, days[d], 2, code_id(w, c)) for d, c in step[1]
        ]
        record_class_marks(actor=admin, school=school, marks=items, channel=Channel.WEB)
    elif kind == "daily":
        items = [DailyMarkInput(students[s].pk, days[d], code_id(w, c)) for s, d, c in step[1]]
        record_daily_marks(actor=admin, school=school, marks=items, channel=Channel.WEB)
    elif kind in ("excuse", "extend", "withdraw"):
        _, name, first, length = step
        student = students[name]
        latest = Excusal.objects.filter(student=student).order_by("-start_date").first()
        try:
            if kind == "excuse":
                excusal_create(
                    actor=admin,
                    student=student,
                    parent=w["parents"][name],
                    start_date=days[first],
                    end_date=days[first] + timedelta(days=length),
                )
            elif latest is not None and kind == "extend":
                excusal_update(actor=admin, excusal=latest, end_date=latest.start_date + timedelta(days=length))
            elif latest is not None:
                excusal_delete(actor=admin, excusal=latest)
        except ExcusalError:
            pass  # overlapping another: refused, nothing changed
    elif kind == "adjust":
        _, name, term_index, code, value = step
        student, term = students[name], w["terms"][term_index]
        current = Adjustment.objects.filter(student=student, term=term).first()
        try:
            if current is not None and value == 0:
                adjustment_delete(actor=admin, adjustment=current)
            elif current is not None:
                adjustment_update(actor=admin, adjustment=current, code=w["codes"][code], value=value)
            elif value:
                adjustment_create(
                    actor=admin, school=school, student=student, term=term, code=w["codes"][code], adjustment=value
                )
        except ValidationError:
            pass  # another adjustment of that code in the term: refused
    elif kind == "term":
        # The boundary between the terms moves: some marked days go to Term 2, or back.
        term1, term2 = w["terms"]
        boundary = w["term1_end"] + timedelta(days=1) if step[1] is None else days[step[1]]
        term1.end_date, term2.start_date = boundary - timedelta(days=1), boundary
        term1.save()
        term2.save()
    elif kind == "kind":
        code = w["codes"][step[1]]
        code.refresh_from_db()
        attendance_code_update(
            actor=admin,
            code=code,
            label=code.label,
            abbreviation=code.abbreviation,
            kind=step[2],
            presence=code.presence,
            colour=code.colour,
            enabled=code.enabled,
        )
    elif kind == "archive":
        student = students[step[1]]
        student.archived = step[2]
        student.save(update_fields=["archived"])


def every_report(w, *, from_marks: bool) -> list:
    world = w["world"]
    found = []
    for term in Term.objects.filter(school=w["school"]).order_by("start_date"):
        for archived in (False, True):
            found.append(selectors.school_overview(w["school"], term, include_archived=archived, from_marks=from_marks))
            found.append(
                selectors.school_overview(
                    w["school"], term, include_archived=archived, year_group=world.year7, from_marks=from_marks
                )
            )
            found.append(
                selectors.school_overview(
                    w["school"],
                    term,
                    include_archived=archived,
                    school_class=world.english,
                    class_ids=[world.english.pk],
                    year_group_ids=[world.year7.pk],
                    from_marks=from_marks,
                )
            )
            for school_class in (world.english, world.science):
                found.append(
                    selectors.class_report(school_class, term, include_archived=archived, from_marks=from_marks)
                )
                found.append(class_term_counts(school_class, term, include_archived=archived, from_marks=from_marks))
            for year_group in (world.year7, world.year8):
                found.append(
                    selectors.year_group_report(year_group, term, include_archived=archived, from_marks=from_marks)
                )
                found.append(homeroom_term_counts(year_group, term, include_archived=archived, from_marks=from_marks))
        for student in Student.objects.filter(school=w["school"]).order_by("pk"):
            found.append(selectors.student_report(student, term, from_marks=from_marks))
        # Chronic absence counts the term so far: "today" on a marked day leaves later marks out.
        for source in (selectors.HOMEROOM, selectors.LESSONS):
            for today in (w["school"].today(), w["days"][2]):
                found.append(
                    selectors.chronic_absence(
                        w["school"], term, source=source, today=today, include_archived=True, from_marks=from_marks
                    )
                )
    return found


def counts_rows(school) -> set[tuple]:
    rows = set(
        ClassTermCount.objects.filter(school=school).values_list(
            "term_id", "school_class_id", "student_id", "code_id", "marks", "covered"
        )
    )
    return rows | set(
        DailyTermCount.objects.filter(school=school).values_list("term_id", "student_id", "code_id", "marks", "covered")
    )


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same examples on every run and in CI
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_every_term_report_equals_the_same_report_from_the_marks(school_world, steps):
    with rolled_back():
        for step in steps:
            run(school_world, step)
        from_counts = every_report(school_world, from_marks=False)
        assert from_counts == every_report(school_world, from_marks=True), steps
        kept = counts_rows(school_world["school"])
        term_counts.rebuild_school(school_world["school"].pk)
        assert kept == counts_rows(school_world["school"]), steps


def test_the_counts_follow_a_mark_an_excusal_and_a_term(world):
    """One walk through, with the numbers: a lesson absent, excused by a parent, cleared."""
    school, s0, admin = world.school, world.students[0], world.admin.user
    term1 = Term.objects.filter(school=school).order_by("start_date").first()
    day = f.last_weekday(school, 1, before=school.today() - timedelta(days=7))
    absent = f.code(school, 0)

    def rows():
        return list(
            ClassTermCount.objects.filter(student=s0).values_list(
                "term_id", "school_class_id", "code_id", "marks", "covered"
            )
        )

    record_class_marks(
        actor=admin,
        school=school,
        marks=[
            ClassMarkInput(world.english.pk, s0.pk, day, 1, absent.pk),
            ClassMarkInput(world.english.pk, s0.pk, day, 3, absent.pk),
        ],
        channel=Channel.WEB,
    )
    assert rows() == [(term1.pk, world.english.pk, absent.pk, 2, 0)]
    excusal = excusal_create(actor=admin, student=s0, parent=world.parent, start_date=day, end_date=day)
    assert rows() == [(term1.pk, world.english.pk, absent.pk, 2, 2)]
    [report] = [r for r in selectors.class_report(world.english, term1).rows if r.key == s0.pk]
    assert (report.figures.absent, report.figures.excused, report.figures.unexcused) == (2, 2, 0)
    excusal_delete(actor=admin, excusal=excusal)
    assert rows() == [(term1.pk, world.english.pk, absent.pk, 2, 0)]
    record_class_marks(
        actor=admin, school=school, marks=[ClassMarkInput(world.english.pk, s0.pk, day, 1, None)], channel=Channel.WEB
    )
    assert rows() == [(term1.pk, world.english.pk, absent.pk, 1, 0)]
    # The day moves to Term 2: its count goes with it.
    term1.end_date = day - timedelta(days=1)
    term1.save()
    term2 = Term.objects.filter(school=school).order_by("start_date").last()
    term2.start_date = day
    term2.save()
    assert rows() == [(term2.pk, world.english.pk, absent.pk, 1, 0)]
