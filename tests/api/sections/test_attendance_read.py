"""GET sections/{id}/attendance: the day rule, the status mapping, filters, paging, 410,
forbidden sections and scopes, and a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.classes.models import Enrollment
from tests import factories as f
from tests.api.sections.conftest import enrollment_of, mark, sections_for


def records_of(body: dict) -> list[tuple]:
    """(date, status_code, enrollment_id, status, comment) of every record, in body order."""
    return [
        (day["date"], group["status_code"], r["enrollment_id"], r["status"], r["comment"])
        for day in body["date"]
        for group in day["statuses"]["status"]
        for r in group["attendances"]["attendance"]
    ]


def get(api, section, **params):
    return api.get(f"sections/{section.pk}/attendance", params)


def test_day_rule_reports_the_most_serious_mark_of_the_day_with_its_note(world, teacher_api, monday):
    first, second, third = world.students
    mark(world, first, monday, 1, 2, note="bus")  # late
    mark(world, first, monday, 3, 0, note="left at break")  # absent wins
    mark(world, second, monday, 1, 13, note="dentist")  # excused wins over other
    mark(world, second, monday, 3, 3, note="no tie")  # dress code: other, present
    mark(world, third, monday, 1, 1)  # present days are left out
    mark(world, third, monday, 3, 11)  # sports: kind present

    body = get(teacher_api, world.english, start=monday.isoformat()).json()

    day = monday.isoformat()
    assert records_of(body) == [
        (day, 2, enrollment_of(world, first).pk, 2, "left at break"),
        (day, 4, enrollment_of(world, second).pk, 4, "dentist"),
    ]
    assert body["totals"] == {"total": [{"status": 2, "count": 1}, {"status": 4, "count": 1}]}


def test_ties_go_to_the_earliest_period(world, teacher_api, monday):
    mark(world, world.students[0], monday, 3, 0, note="afternoon")
    mark(world, world.students[0], monday, 1, 0, note="morning")

    body = get(teacher_api, world.english).json()

    assert [r[4] for r in records_of(body)] == ["morning"]


@pytest.mark.parametrize(
    ("mb_status", "expected"),
    [(0, 2), (2, 3), (4, 3), (13, 4), (10, 4), (5, 2), (14, 2), (3, 1)],
)
def test_status_mapping_by_kind_and_other_by_presence(world, teacher_api, monday, mb_status, expected):
    mark(world, world.students[0], monday, 1, mb_status, note="n")

    body = get(teacher_api, world.english).json()

    assert [r[3] for r in records_of(body)] == [expected]


@pytest.mark.parametrize("mb_status", [-1, 1, 11, 12])
def test_present_kinds_are_left_out(world, teacher_api, monday, mb_status):
    mark(world, world.students[0], monday, 1, mb_status, note="present, with a note")

    body = get(teacher_api, world.english).json()

    assert body == {"date": [], "totals": {"total": []}}


def test_start_and_end_are_inclusive_dates(world, teacher_api, monday):
    tuesday, wednesday = monday + timedelta(days=1), monday + timedelta(days=2)
    for day in (monday, tuesday, wednesday):
        mark(world, world.students[0], day, 1, 0)

    body = get(teacher_api, world.english, start=tuesday.isoformat(), end=wednesday.isoformat()).json()

    assert [r[0] for r in records_of(body)] == [tuesday.isoformat(), wednesday.isoformat()]


def test_enrollment_id_filter(world, teacher_api, monday):
    mark(world, world.students[0], monday, 1, 0)
    mark(world, world.students[1], monday, 1, 2)
    wanted = enrollment_of(world, world.students[1]).pk

    body = get(teacher_api, world.english, enrollment_id=wanted).json()

    assert [r[2] for r in records_of(body)] == [wanted]
    assert body["totals"]["total"] == [{"status": 3, "count": 1}]


def test_enrollment_of_another_section_filters_everything_out(world, teacher_api, monday):
    mark(world, world.students[0], monday, 1, 0)
    elsewhere = enrollment_of(world, world.year8_students[0], world.science).pk

    body = get(teacher_api, world.english, enrollment_id=elsewhere).json()

    assert body["date"] == []


def test_start_zero_is_an_offset_not_a_date(world, teacher_api, monday):
    mark(world, world.students[0], monday, 1, 0)

    body = get(teacher_api, world.english, start=0, limit=20).json()

    assert len(records_of(body)) == 1


@pytest.mark.parametrize(
    "params",
    [{"start": "yesterday"}, {"end": "2024-13-01"}, {"limit": 0}, {"enrollment_id": "x"}, {"offset": -1}],
)
def test_bad_query_parameters_are_a_400_with_a_message(world, teacher_api, params):
    response = get(teacher_api, world.english, **params)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain") and response.content
    assert b"\n" not in response.content


def test_end_before_start_is_a_400(world, teacher_api, monday):
    response = get(teacher_api, world.english, start=monday.isoformat(), end=(monday - timedelta(days=1)).isoformat())

    assert response.status_code == 400


def make_days(world, count: int, students=None) -> list:
    """``count`` school days back from last Monday, each with every given student absent."""
    students = students or world.students
    day, days = f.last_weekday(world.school, 1), []
    while len(days) < count:
        if day.isoweekday() <= 5:
            days.append(day)
            for student in students:
                mark(world, student, day, 1, 0, note=f"{student.first_name} {day}")
        day -= timedelta(days=1)
    return days


def test_paging_follows_links_next_across_pages(world, teacher_api):
    make_days(world, 5)  # 15 records
    seen, pages = [], 0
    response = get(teacher_api, world.english, start=0, limit=4)
    while True:
        pages += 1
        body = response.json()
        seen += records_of(body)
        assert body["totals"]["total"] == [{"status": 2, "count": 15}]
        if "links" not in body:
            break
        assert "offset=" in body["links"]["next"] and "start=" not in body["links"]["next"]
        response = teacher_api.follow(body["links"]["next"])
        assert response.status_code == 200

    assert pages == 4
    assert len(seen) == 15 and len(set(seen)) == 15
    assert [r[0] for r in seen] == sorted(r[0] for r in seen)


def test_paging_keeps_the_date_filters(world, teacher_api):
    days = make_days(world, 4)
    start = days[2].isoformat()

    body = get(teacher_api, world.english, start=start, limit=2).json()
    follow = teacher_api.follow(body["links"]["next"]).json()

    assert f"start={start}" in body["links"]["next"]
    assert {r[0] for r in records_of(body) + records_of(follow)} <= {d.isoformat() for d in days[:3]}
    assert body["totals"]["total"] == [{"status": 2, "count": 9}]


def test_limit_is_capped(world, teacher_api, monkeypatch):
    monkeypatch.setattr("apps.api.sections.serializers.MAX_LIMIT", 2)
    make_days(world, 1)

    body = get(teacher_api, world.english, limit=500).json()

    assert len(records_of(body)) == 2 and "next" in body["links"]


def test_default_limit_is_200(world, teacher_api):
    make_days(world, 1)

    body = get(teacher_api, world.english).json()

    assert len(records_of(body)) == 3 and "links" not in body


def test_attendance_managed_in_the_sis_is_gone(world, teacher_api, monday):
    world.school.attendance_in_sis = True
    world.school.save()
    enrollment = enrollment_of(world, world.students[0])

    read = get(teacher_api, world.english)
    write = teacher_api.put(
        f"sections/{world.english.pk}/attendance",
        {"attendances": {"attendance": [{"enrollment_id": enrollment.pk, "date": str(monday), "status": 2}]}},
    )

    assert (read.status_code, read.content) == (410, b"")
    assert (write.status_code, write.content) == (410, b"")
    assert not world.english.marks.exists()
    # The roster is still there to read.
    assert teacher_api.get(f"sections/{world.english.pk}/enrollments").status_code == 200


@pytest.mark.parametrize("who", ["teacher", "other_teacher", "other_school_admin", "parent", "other_parent"])
def test_sections_the_client_user_may_not_see_are_404_with_an_empty_body(world, client, request, who):
    user = request.getfixturevalue(who)
    api = sections_for(client, user)
    # teacher: 8B Science is the other teacher's; other_teacher: 7A English is the teacher's;
    # parents and the other school's admin see neither class.
    section = world.science if who == "teacher" else world.english

    response = get(api, section)

    assert (response.status_code, response.content) == (404, b"")


def test_another_schools_section_is_404_even_for_an_admin(world, admin_api):
    assert get(admin_api, world.far_class).status_code == 404


def test_unknown_section_is_404(world, admin_api):
    assert admin_api.get("sections/999999/attendance").status_code == 404


def test_admin_reads_any_section_of_the_school(world, admin_api, monday):
    mark(world, world.year8_students[0], monday, 2, 0, school_class=world.science)

    body = get(admin_api, world.science).json()

    assert len(records_of(body)) == 1


@pytest.mark.parametrize(("scopes", "code"), [(["write:attendance"], 403), (["read:all"], 200), ([], 403)])
def test_read_needs_a_read_scope(world, client, teacher, scopes, code):
    api = sections_for(client, teacher, scopes=scopes)

    response = get(api, world.english)

    assert response.status_code == code
    if code == 403:
        assert response.content == b""


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200
    return len(queries)


def test_query_count_is_constant_in_the_number_of_records(world, client, teacher, django_assert_max_num_queries):
    make_days(world, 1)
    small = count_queries(lambda: get(sections_for(client, teacher), world.english, start=0))

    more = f.make_students(world.school, 20, world.year7, prefix="More")
    Enrollment.objects.bulk_create(Enrollment(school=world.school, school_class=world.english, student=s) for s in more)
    make_days(world, 10, students=[*world.students, *more])
    api = sections_for(client, teacher)
    with django_assert_max_num_queries(small):
        response = get(api, world.english, start=0, limit=1000)

    assert len(records_of(response.json())) == 230


def test_totals_count_every_page_and_a_page_past_the_last(world, teacher_api, monday):
    first, second, third = world.students
    mark(world, first, monday, 1, 0)  # absent
    mark(world, second, monday, 1, 2)  # late
    mark(world, third, monday - timedelta(days=7), 1, 13)  # excused, a week before: the first page
    every_page = [{"status": 2, "count": 1}, {"status": 3, "count": 1}, {"status": 4, "count": 1}]

    for offset, records in [(0, 1), (1, 1), (2, 1), (3, 0), (10, 0)]:
        body = get(teacher_api, world.english, offset=offset, limit=1).json()
        assert body["totals"]["total"] == every_page, offset
        assert len(records_of(body)) == records, offset


def test_a_read_is_seven_queries(world, client, teacher, monday, django_assert_num_queries):
    """The client with its user and whether the nonce was used; forgetting old nonces; the nonce
    recorded (a savepoint, the insert and its release); the section the user may see, with its
    school; the page with the totals of every page."""
    make_days(world, 2)
    api = sections_for(client, teacher)
    assert get(api, world.english, start=0).status_code == 200  # the first use records last_used_at
    with django_assert_num_queries(7):
        body = get(api, world.english, start=0).json()
    assert body["totals"]["total"] == [{"status": 2, "count": 6}]
