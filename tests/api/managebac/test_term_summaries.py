"""The term summaries are built as ManageBac's bodies themselves, without a serializer: their bytes
are what the schema's serializers (ClassTermSummaryOut, HomeroomTermSummaryOut) and the null-dropping
renderer made of the same summaries, and each costs four queries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.api.managebac import selectors
from apps.api.managebac import serializers as s
from apps.api.managebac.formats import DropNullsJSONRenderer
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from apps.school.models import AttendanceCode, Term
from tests import factories as f


@pytest.fixture
def term(world) -> Term:
    return Term.objects.filter(school=world.school).order_by("start_date").first()


@pytest.fixture
def trip(world, taken_roll) -> AttendanceCode:
    """A code with no ManageBac status, taken in class and in homeroom on the Friday before the roll."""
    trip = AttendanceCode.objects.create(
        school=world.school, abbreviation="T", label="Trip", mb_status=None, kind="other", presence="Present"
    )
    day = taken_roll - timedelta(days=3)
    s0, s1, s2 = world.students
    f.saved(
        record_class_marks(
            actor=None,
            school=world.school,
            channel="web",
            marks=[ClassMarkInput(world.english.pk, s0.pk, day, 1, trip.pk)],
        )
    )
    f.saved(
        record_daily_marks(actor=None, school=world.school, channel="web", marks=[DailyMarkInput(s1.pk, day, trip.pk)])
    )
    return trip


def rendered_by_serializer(serializer, body: dict) -> bytes:
    """The body as the serializer rendered it, a category with no status carrying a null."""
    for student in body["students"]:
        for category in student["attendance_categories"]:
            category.setdefault("status", None)
    return DropNullsJSONRenderer().render(serializer(body).data)


@pytest.mark.parametrize("archived", [False, True])
def test_the_class_summary_is_what_its_serializer_rendered(world, term, trip, teacher, api_as, archived):
    world.students[2].archived = True
    world.students[2].save()
    response = api_as(teacher).get(
        f"classes/{world.english.pk}/attendance/term/{term.pk}", archived_students=str(archived).lower()
    )
    assert response.status_code == 200
    summary = selectors.class_term_summary(world.english, term, include_archived=archived)
    assert response.content == rendered_by_serializer(s.ClassTermSummaryOut, summary)
    # The code with no status: its category leaves the status out, as the null-dropping renderer did.
    assert b'{"label":"Trip","value":1}' in response.content
    assert len(response.json()["students"]) == (3 if archived else 2)


@pytest.mark.parametrize("archived", [False, True])
def test_the_homeroom_summary_is_what_its_serializer_rendered(world, term, trip, teacher, api_as, archived):
    world.students[2].archived = True
    world.students[2].save()
    response = api_as(teacher).get(
        f"year-groups/{world.year7.pk}/homeroom/attendance/term/{term.pk}", archived_students=str(archived).lower()
    )
    assert response.status_code == 200
    summary = selectors.homeroom_term_summary(world.year7, term, include_archived=archived)
    assert response.content == rendered_by_serializer(s.HomeroomTermSummaryOut, summary)
    assert b'{"label":"Trip","value":1}' in response.content


def test_the_class_summary_bytes(world, term, taken_roll, teacher, api_as):
    s0, s1, s2 = (x.pk for x in world.students)
    response = api_as(teacher).get(f"classes/{world.english.pk}/attendance/term/{term.pk}")
    assert response.content == (
        b'{"students":[' + b'{"id":%d,"attendance":{"Present":1,"Absent":1},"attendance_categories":'
        b'[{"label":"Present","status":1,"value":1},{"label":"Absent","status":0,"value":1}]},'
        % s0
        + b'{"id":%d,"attendance":{"Late":1,"Present":1},"attendance_categories":'
        b'[{"label":"Late","status":2,"value":1},{"label":"Present","status":-1,"value":1}]},'
        % s1
        + b'{"id":%d,"attendance":{"Present":2},"attendance_categories":'
        b'[{"label":"Present","status":1,"value":2}]}'
        % s2
        + b'],"timetable":{"period_starts_count_from":1,"period_offset":0}}'
    )


@pytest.mark.parametrize("kind", ["class", "homeroom"])
def test_a_summary_is_four_queries(world, term, taken_roll, teacher, api_as, kind, django_assert_num_queries):
    """The token with its user; the class or year group the user may see, with its school and the
    term; the students; the counts. The school's codes come from the set-up kept across requests."""
    api = api_as(teacher)
    path = (
        f"classes/{world.english.pk}/attendance/term/{term.pk}"
        if kind == "class"
        else f"year-groups/{world.year7.pk}/homeroom/attendance/term/{term.pk}"
    )
    assert api.get(path).status_code == 200  # the first use records last_used_at and reads the codes
    with django_assert_num_queries(4):
        assert api.get(path).status_code == 200
