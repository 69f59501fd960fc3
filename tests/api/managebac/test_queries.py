"""Every ManageBac read, and the bulk write, runs a constant number of queries: measured at two
school sizes, equal, and within a budget."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.classes.models import Enrollment
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.excusals.models import Excusal
from apps.homeroom.models import Adjustment
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from apps.school.models import Guardianship, Parent, Term
from tests import factories as f


def grow(world, monday, count: int) -> None:
    """Add ``count`` Year 7 students to 7A English, each with a parent, marks, an excusal and an adjustment."""
    school = world.school
    students = f.make_students(school, count, world.year7, prefix=f"G{count}-")
    Enrollment.objects.bulk_create(Enrollment(school=school, school_class=world.english, student=s) for s in students)
    parents = Parent.objects.bulk_create(Parent(school=school, first_name="P", last_name=s.last_name) for s in students)
    Guardianship.objects.bulk_create(
        Guardianship(school=school, parent=p, student=s) for p, s in zip(parents, students, strict=True)
    )
    absent, late = f.code(school, 0), f.code(school, 2)
    f.saved(
        record_class_marks(
            actor=None,
            school=school,
            channel="web",
            marks=[ClassMarkInput(world.english.pk, s.pk, monday, p, absent.pk) for s in students for p in (1, 3)],
        )
    )
    f.saved(
        record_daily_marks(
            actor=None, school=school, channel="web", marks=[DailyMarkInput(s.pk, monday, late.pk) for s in students]
        )
    )
    term = Term.objects.filter(school=school).order_by("start_date").first()
    Adjustment.objects.bulk_create(
        Adjustment(school=school, student=s, term=term, code=late, adjustment=1) for s in students
    )
    Excusal.objects.bulk_create(
        Excusal(school=school, student=s, parent=p, start_date=monday, end_date=monday)
        for p, s in zip(parents, students, strict=True)
    )


def read_paths(world, monday) -> list[str]:
    term = Term.objects.filter(school=world.school).order_by("start_date").first()
    english, year7, s0 = world.english.pk, world.year7.pk, world.students[0].pk
    return [
        "ping",
        "classes",
        f"classes/{english}",
        f"classes/{english}/students",
        "students",
        f"students/{s0}",
        "year-groups",
        f"year-groups/{year7}/students",
        "school/academic-years",
        f"classes/{english}/attendance/term/{term.pk}",
        f"classes/{english}/attendance/date/{monday}",
        f"classes/{english}/timetable",
        f"students/excusals/{monday}",
        f"students/{s0}/excusals",
        f"year-groups/{year7}/homeroom/attendance/term/{term.pk}",
        f"year-groups/{year7}/homeroom/attendance/date/{monday}",
        f"year-groups/{year7}/homeroom/attendance/term/{term.pk}/adjustments",
    ]


def queries_of(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.fixture
def api(world, teacher, api_as):
    api = api_as(teacher)
    api.get("ping")  # the first use records last_used_at; measure steady state
    return api


def test_reads_cost_the_same_at_two_sizes(world, monday, api, django_assert_max_num_queries):
    grow(world, monday, 3)
    small = {path: queries_of(lambda path=path: api.get(path)) for path in read_paths(world, monday)}
    grow(world, monday, 40)
    for path in read_paths(world, monday):
        with django_assert_max_num_queries(small[path]):
            body = api.get(path).json()
        assert body, path
    assert max(small.values()) <= 8, small


def test_bulk_put_costs_the_same_at_two_sizes(world, monday, api, django_assert_max_num_queries):
    def body(status: int) -> dict:
        students = Enrollment.objects.filter(school_class=world.english).values_list("student_id", flat=True)
        return {
            "attendances": [
                {"student_id": s, "date": str(monday), "period": p, "status": status} for s in students for p in (1, 3)
            ]
        }

    path = f"classes/{world.english.pk}/attendance"
    grow(world, monday, 3)
    small_body = body(1)
    small = queries_of(lambda: api.put(path, small_body))
    # SQLite caps the parameters of one statement, so Django splits a bulk insert of more than
    # about 80 marks; stay under that to compare like with like (PostgreSQL has no such cap).
    grow(world, monday, 30)
    large_body = body(12)
    with django_assert_max_num_queries(small):
        response = api.put(path, large_body)
    assert {r["status"] for r in response.json()["attendance"]} == {"ok"}
    assert len(response.json()["attendance"]) == 2 * 36


def test_set_homeroom_attendance_is_a_few_queries(world, monday, api, django_assert_max_num_queries):
    grow(world, monday, 40)
    with django_assert_max_num_queries(15):
        response = api.put(
            f"students/{world.students[0].pk}/set_homeroom_attendance",
            {"date": str(monday + timedelta(days=1)), "status": 0},
        )
    assert response.json() == {"status": "ok"}
