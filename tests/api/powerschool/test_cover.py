"""A cover teacher's token on the PowerSchool API: meeting records of the covered lessons on the
covered days (write, and read in the attendance table); outside the dates and for another class
an error record, and nothing to read, as for anyone else."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark, Cover, CoverPeriod
from apps.school.models import Period
from tests import factories as f
from tests.api.powerschool.conftest import payload
from tests.api.powerschool.test_attendance import MEETING, daily, meeting

TABLE = "/ws/schema/table/attendance"


@pytest.fixture
def cover(world, ids):
    """Otto (who teaches 8B Science) covers 7A English on the Monday of ``ids``, period 1 only."""
    made = Cover.objects.create(
        school=world.school,
        school_class=world.english,
        teacher=world.other_teacher,
        start_date=date.fromisoformat(ids["att_date"]),
        end_date=date.fromisoformat(ids["att_date"]),
    )
    CoverPeriod.objects.create(
        school=world.school, cover=made, period=Period.objects.get(school=world.school, number=1)
    )
    return made


def result_of(response):
    return response.json()["results"]["result"]


def test_a_cover_teacher_writes_the_covered_lesson_and_reads_it(world, admin, other_teacher, ps_as, ids, cover):
    ps = ps_as(other_teacher)
    student = world.students[0]
    ps_as(admin).post(MEETING, payload(meeting(world, ids, student, 3, "absent")))  # not covered: period 3

    written = result_of(ps.post(MEETING, payload(meeting(world, ids, student, 1, "late"))))

    assert written["status"] == "SUCCESS"
    lesson = ClassMark.objects.get(student=student, period__number=1)
    assert (lesson.recorded_by, lesson.channel) == (other_teacher, "powerschool")
    assert AuditEntry.objects.get(changed_by=other_teacher).key.get("covering") is True
    record_id = written["success_message"]["id"]
    assert [r["id"] for r in ps.get(TABLE).json()["record"]] == [record_id]
    assert ps.get(f"{TABLE}/count").json() == {"count": 1}
    assert ps.get(f"{TABLE}/{record_id}").status_code == 200


def test_outside_the_cover_a_cover_teacher_writes_and_reads_nothing(world, admin, other_teacher, ps_as, ids, cover):
    ps = ps_as(other_teacher)
    student = world.students[0]
    week_before = (date.fromisoformat(ids["att_date"]) - timedelta(days=7)).isoformat()
    ps_as(admin).post(MEETING, payload(meeting(world, ids, student, 1, "absent", att_date=week_before)))
    earlier = ClassMark.objects.get()

    for record in (meeting(world, ids, student, 1, "late", att_date=week_before), meeting(world, ids, student, 3)):
        answer = result_of(ps.post(MEETING, payload(record)))
        assert answer["status"] == "ERROR"
        assert answer["error_message"]["error"][0]["field"] == "attendance/ccid"
    assert list(ClassMark.objects.all()) == [earlier]
    assert ps.get(TABLE).json()["record"] == []
    assert ps.get(f"{TABLE}/{earlier.pk}").status_code == 404


def test_a_cover_does_not_open_another_class(world, other_teacher, ps_as, ids, cover):
    other = f.make_class(world.school, "7A Maths", [world.teacher], world.students, periods=(1,))
    enrollment = other.enrollments.get(student=world.students[0])
    record = daily(ids, world.students[0], "late", ccid=enrollment.pk, att_mode_code="ATT_ModeMeeting")
    record["tables"]["attendance"]["periodid"] = str(Period.objects.get(school=world.school, number=1).pk)

    answer = result_of(ps_as(other_teacher).post(MEETING, payload(record)))

    assert answer["status"] == "ERROR"
    assert not ClassMark.objects.exists()
