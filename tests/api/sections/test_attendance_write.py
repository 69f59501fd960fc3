"""PUT sections/{id}/attendance: the day rule for writes, per-row answers, numbers as strings,
hostile XML, scopes, and a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark, Enrollment
from apps.school.models import AttendanceCode
from tests import factories as f
from tests.api.sections.conftest import enrollment_of, mark, sections_for


def put(api, section, *rows, **options):
    return api.put(f"sections/{section.pk}/attendance", {"attendances": {"attendance": list(rows)}}, **options)


def day_marks(student, day):
    return {m.period.number: m for m in ClassMark.objects.filter(student=student, date=day).select_related("period")}


def test_a_row_sets_every_timetabled_period_of_that_weekday(world, teacher_api, monday, teacher):
    student = world.students[0]
    enrollment = enrollment_of(world, student)

    response = put(
        teacher_api, world.english, {"enrollment_id": enrollment.pk, "date": str(monday), "status": 2, "comment": "flu"}
    )

    assert response.status_code == 200
    marks = day_marks(student, monday)
    assert sorted(marks) == [1, 3]  # 7A English meets in periods 1 and 3
    assert {m.code.mb_status for m in marks.values()} == {0}
    assert {m.note for m in marks.values()} == {"flu"}
    assert {m.channel for m in marks.values()} == {"sections"}
    assert {m.recorded_by_id for m in marks.values()} == {teacher.pk}
    assert response.json() == {"attendance": [{"id": str(marks[1].pk), "response_code": 200}]}
    assert AuditEntry.objects.filter(channel="sections", changed_by=teacher).count() == 2


def test_disabled_slots_are_not_written(world, teacher_api, monday):
    world.english.slots.filter(weekday=1, period__number=3).update(enabled=False)
    enrollment = enrollment_of(world, world.students[0])

    put(teacher_api, world.english, {"enrollment_id": enrollment.pk, "date": str(monday), "status": 3})

    assert sorted(day_marks(world.students[0], monday)) == [1]


def test_a_section_without_a_timetable_is_written_in_period_1(world, teacher_api, monday):
    world.english.slots.all().delete()
    enrollment = enrollment_of(world, world.students[0])

    response = put(teacher_api, world.english, {"enrollment_id": enrollment.pk, "date": str(monday), "status": 4})

    assert response.json()["attendance"][0]["response_code"] == 200
    marks = day_marks(world.students[0], monday)
    assert sorted(marks) == [1] and marks[1].code.mb_status == 13


def test_a_day_the_section_does_not_meet_is_a_400(world, teacher_api, monday):
    saturday = monday - timedelta(days=2)
    enrollment = enrollment_of(world, world.students[0])

    response = put(teacher_api, world.english, {"enrollment_id": enrollment.pk, "date": str(saturday), "status": 2})

    [row] = response.json()["attendance"]
    assert row["response_code"] == 400 and "Saturday" in row["message"]
    assert not ClassMark.objects.exists()


@pytest.mark.parametrize(("status", "mb_status"), [(1, 1), (2, 0), (3, 2), (4, 13)])
def test_statuses_map_to_the_schools_codes(world, teacher_api, monday, status, mb_status):
    enrollment = enrollment_of(world, world.students[0])

    put(teacher_api, world.english, {"enrollment_id": enrollment.pk, "date": str(monday), "status": status})

    assert {m.code.mb_status for m in day_marks(world.students[0], monday).values()} == {mb_status}


def test_numbers_may_arrive_as_strings(world, teacher_api, monday):
    enrollment = enrollment_of(world, world.students[0])

    response = put(
        teacher_api, world.english, {"enrollment_id": str(enrollment.pk), "date": str(monday), "status": "3"}
    )

    assert response.json()["attendance"][0]["response_code"] == 200
    assert {m.code.mb_status for m in day_marks(world.students[0], monday).values()} == {2}


def test_present_overwrites_an_absence_and_reads_back_as_nothing(world, teacher_api, monday):
    mark(world, world.students[0], monday, 1, 0)
    mark(world, world.students[0], monday, 3, 0)
    enrollment = enrollment_of(world, world.students[0])

    put(teacher_api, world.english, {"enrollment_id": enrollment.pk, "date": str(monday), "status": "1"})
    body = teacher_api.get(f"sections/{world.english.pk}/attendance", {"start": str(monday)}).json()

    assert body["date"] == []


def test_written_day_reads_back_through_the_day_rule(world, teacher_api, monday):
    enrollment = enrollment_of(world, world.students[0])
    put(
        teacher_api, world.english, {"enrollment_id": enrollment.pk, "date": str(monday), "status": 3, "comment": "bus"}
    )

    body = teacher_api.get(f"sections/{world.english.pk}/attendance", {"start": str(monday)}).json()

    [day] = body["date"]
    assert day["statuses"]["status"] == [
        {
            "status_code": 3,
            "attendances": {
                "attendance": [{"enrollment_id": enrollment.pk, "date": str(monday), "status": 3, "comment": "bus"}]
            },
        }
    ]


def test_bad_rows_are_reported_and_good_rows_kept(world, teacher_api, monday):
    first, second = (enrollment_of(world, s) for s in world.students[:2])
    elsewhere = enrollment_of(world, world.year8_students[0], world.science)

    response = put(
        teacher_api,
        world.english,
        {"enrollment_id": first.pk, "date": str(monday), "status": 9},
        {"enrollment_id": first.pk, "date": "20-11-2026", "status": 2},
        {"date": str(monday), "status": 2},
        {"enrollment_id": 987654, "date": str(monday), "status": 2},
        {"enrollment_id": elsewhere.pk, "date": str(monday), "status": 2},
        {"enrollment_id": second.pk, "date": str(monday), "status": 2},
        {"enrollment_id": first.pk, "date": str(monday), "status": 2, "comment": "x" * 3000},
    )

    assert response.status_code == 200
    rows = response.json()["attendance"]
    assert [r["response_code"] for r in rows] == [400, 400, 400, 404, 404, 200, 400]
    assert rows[0]["message"].startswith("status:")
    assert rows[1]["message"].startswith("date:")
    assert rows[2]["message"].startswith("enrollment_id:")
    assert rows[6]["message"].startswith("comment:")
    assert all("id" not in r for r in rows if r["response_code"] != 200)
    assert ClassMark.objects.filter(student=world.students[1]).count() == 2
    assert not ClassMark.objects.exclude(student=world.students[1]).exists()


def test_a_teacher_row_id_is_not_an_attendance_enrollment(world, teacher_api, monday):
    rows = teacher_api.get(f"sections/{world.english.pk}/enrollments").json()["enrollment"]
    teacher_row = next(r for r in rows if r["admin"] == 1)

    response = put(teacher_api, world.english, {"enrollment_id": teacher_row["id"], "date": str(monday), "status": 2})

    assert response.json()["attendance"][0]["response_code"] == 400
    assert not ClassMark.objects.exists()


def test_teacher_edit_window_and_class_dates_are_kept(world, teacher_api, monday):
    enrollment = enrollment_of(world, world.students[0])
    long_ago = f.last_weekday(world.school, 1, before=monday - timedelta(days=30))
    after_the_class = f.last_weekday(world.school, 1, before=world.english.end_date + timedelta(days=20))

    rows = put(
        teacher_api,
        world.english,
        {"enrollment_id": enrollment.pk, "date": str(long_ago), "status": 2},
        {"enrollment_id": enrollment.pk, "date": str(after_the_class), "status": 2},
    ).json()["attendance"]

    assert [r["response_code"] for r in rows] == [400, 400]
    assert "admin" in rows[0]["message"] and rows[1]["message"].startswith("date:")
    assert not ClassMark.objects.exists()


def test_admin_may_change_an_old_roll(world, admin_api, monday):
    enrollment = enrollment_of(world, world.students[0])
    long_ago = f.last_weekday(world.school, 1, before=monday - timedelta(days=30))

    rows = put(admin_api, world.english, {"enrollment_id": enrollment.pk, "date": str(long_ago), "status": 2}).json()

    assert rows["attendance"][0]["response_code"] == 200


def test_a_disabled_code_is_a_400(world, teacher_api, monday):
    AttendanceCode.objects.filter(school=world.school, mb_status=13).update(enabled=False)
    enrollment = enrollment_of(world, world.students[0])

    rows = put(teacher_api, world.english, {"enrollment_id": enrollment.pk, "date": str(monday), "status": 4}).json()

    assert rows["attendance"][0]["response_code"] == 400
    assert not ClassMark.objects.exists()


def test_a_single_row_object_is_accepted(world, teacher_api, monday):
    enrollment = enrollment_of(world, world.students[0])
    body = {"attendances": {"attendance": {"enrollment_id": enrollment.pk, "date": str(monday), "status": 2}}}

    response = teacher_api.put(f"sections/{world.english.pk}/attendance", body)

    assert response.json()["attendance"][0]["response_code"] == 200


def test_several_xml_rows_are_read_as_a_list(world, teacher_api, monday):
    first, second = (enrollment_of(world, s) for s in world.students[:2])
    body = (
        "<result><attendances>"
        f"<attendance><enrollment_id>{first.pk}</enrollment_id><date>{monday}</date><status>2</status>"
        "<comment /></attendance>"
        f"<attendance><enrollment_id>{second.pk}</enrollment_id><date>{monday}</date><status>3</status></attendance>"
        "</attendances></result>"
    )

    response = teacher_api.put(f"sections/{world.english.pk}/attendance", body, content_type="application/xml")

    assert [r["response_code"] for r in response.json()["attendance"]] == [200, 200]
    assert ClassMark.objects.count() == 4


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        '{"attendance": []}',
        '{"attendances": {"attendance": []}}',
        '{"attendances": "x"}',
        "",
    ],
)
def test_a_body_of_another_shape_is_a_400(world, teacher_api, body):
    response = teacher_api.put(f"sections/{world.english.pk}/attendance", body)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain") and response.content


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<result><attendances><attendance><enrollment_id>{enrollment}</enrollment_id><date>{day}</date>
<status>2</status><comment>&lol9;</comment></attendance></attendances></result>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE result [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<result><attendances><attendance><enrollment_id>{enrollment}</enrollment_id><date>{day}</date>
<status>2</status><comment>&secret;</comment></attendance></attendances></result>"""

PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE result [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<result><attendances><attendance><enrollment_id>{enrollment}</enrollment_id><date>{day}</date>
<status>2</status></attendance></attendances></result>"""


@pytest.mark.parametrize("template", [BILLION_LAUGHS, EXTERNAL_ENTITY, PARAMETER_ENTITY])
@pytest.mark.parametrize("content_type", ["text/xml", "application/xml"])
def test_hostile_xml_is_refused_and_changes_nothing(world, teacher_api, monday, template, content_type):
    enrollment = enrollment_of(world, world.students[0])
    body = template.format(enrollment=enrollment.pk, day=monday)

    response = teacher_api.put(f"sections/{world.english.pk}/attendance", body, content_type=content_type)

    assert response.status_code == 400
    assert response.content == b"XML with a DTD or entities is not accepted"
    assert not ClassMark.objects.exists() and not AuditEntry.objects.exists()


def test_malformed_xml_is_a_400(world, teacher_api):
    response = teacher_api.put(f"sections/{world.english.pk}/attendance", "<result><oops>", content_type="text/xml")

    assert response.status_code == 400


@pytest.mark.parametrize(("scopes", "code"), [(["read:attendance"], 403), (["write:all"], 200), ([], 403)])
def test_write_needs_a_write_scope(world, client, teacher, monday, scopes, code):
    api = sections_for(client, teacher, scopes=scopes)
    enrollment = enrollment_of(world, world.students[0])

    response = put(api, world.english, {"enrollment_id": enrollment.pk, "date": str(monday), "status": 2})

    assert response.status_code == code
    if code == 403:
        assert response.content == b""
        assert not ClassMark.objects.exists()


@pytest.mark.parametrize("who", ["teacher", "other_teacher", "other_school_admin", "parent", "other_parent"])
def test_writing_a_section_the_user_may_not_see_is_404(world, client, request, monday, who):
    api = sections_for(client, request.getfixturevalue(who))
    section = world.science if who == "teacher" else world.english
    enrollment = section.enrollments.first()

    response = put(api, section, {"enrollment_id": enrollment.pk, "date": str(monday), "status": 2})

    assert (response.status_code, response.content) == (404, b"")
    assert not ClassMark.objects.exists()


def test_write_query_count_is_constant_in_the_number_of_rows(world, client, teacher, monday):
    def rows(enrollments):
        return [{"enrollment_id": e.pk, "date": str(monday), "status": "2", "comment": "c"} for e in enrollments]

    def count(body_rows) -> int:
        api = sections_for(client, teacher)
        with CaptureQueriesContext(connection) as queries:
            response = put(api, world.english, *body_rows)
        assert {r["response_code"] for r in response.json()["attendance"]} == {200}
        return len(queries)

    # The first write reads the school's set-up, which later requests find kept (apps/school/memo.py).
    count(rows(Enrollment.objects.filter(school_class=world.english)[1:2]))
    small = count(rows(Enrollment.objects.filter(school_class=world.english)[:1]))
    more = f.make_students(world.school, 30, world.year7, prefix="More")
    Enrollment.objects.bulk_create(Enrollment(school=world.school, school_class=world.english, student=s) for s in more)
    ClassMark.objects.all().delete()

    large = count(rows(Enrollment.objects.filter(school_class=world.english)))

    assert large == small
    assert ClassMark.objects.count() == 33 * 2
