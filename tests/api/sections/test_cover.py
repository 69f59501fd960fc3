"""A cover teacher's token on the section-style API: the covered lessons on the covered days
(write, and read back), the section's enrollments on a day of the cover; outside the dates and
for another section a 404 as for anyone else."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark, Cover
from tests import factories as f
from tests.api.sections.conftest import enrollment_of, mark, sections_for


@pytest.fixture
def cover_api(client, other_teacher):
    """Otto (who teaches 8B Science) as a section-style client."""
    return sections_for(client, other_teacher)


def covers(world, start, end=None, school_class=None):
    return Cover.objects.create(
        school=world.school,
        school_class=school_class or world.english,
        teacher=world.other_teacher,
        start_date=start,
        end_date=end or start,
    )


def put(api, section, *rows):
    return api.put(f"sections/{section.pk}/attendance", {"attendances": {"attendance": list(rows)}})


def test_a_cover_teacher_writes_the_covered_day_and_reads_it_back(world, cover_api, monday, other_teacher):
    covers(world, monday)
    student = world.students[0]
    mark(world, student, monday - timedelta(days=7), 1, 0, note="a week before")

    response = put(
        cover_api, world.english, {"enrollment_id": enrollment_of(world, student).pk, "date": str(monday), "status": 2}
    )

    assert response.status_code == 200
    assert response.json()["attendance"][0]["response_code"] == 200
    marks = ClassMark.objects.filter(student=student, date=monday)
    assert sorted(m.period.number for m in marks) == [1, 3]
    assert {m.recorded_by_id for m in marks} == {other_teacher.pk}
    entries = AuditEntry.objects.filter(changed_by=other_teacher, channel="sections")
    assert entries.count() == 2
    assert all(e.key.get("covering") is True for e in entries)

    read = cover_api.get(f"sections/{world.english.pk}/attendance", {"start": str(monday - timedelta(days=14))})
    assert read.status_code == 200
    dates = [day["date"] for day in read.json()["date"]]
    assert dates == [str(monday)]  # the week before is not the cover's


def test_outside_the_cover_dates_a_cover_teacher_writes_nothing(world, cover_api, monday):
    covers(world, monday)
    enrollment = enrollment_of(world, world.students[0])

    response = put(
        cover_api, world.english, {"enrollment_id": enrollment.pk, "date": str(monday - timedelta(days=7)), "status": 2}
    )

    assert response.json()["attendance"][0]["response_code"] == 404
    assert not ClassMark.objects.exists()


def test_a_cover_does_not_open_another_section(world, cover_api, monday):
    other = f.make_class(world.school, "7A Maths", [world.teacher], world.students, periods=(2,))
    covers(world, monday)
    enrollment = other.enrollments.first()

    response = put(cover_api, other, {"enrollment_id": enrollment.pk, "date": str(monday), "status": 2})
    assert (response.status_code, response.content) == (404, b"")
    assert cover_api.get(f"sections/{other.pk}/attendance").status_code == 404
    assert cover_api.get(f"sections/{other.pk}/enrollments").status_code == 404
    assert not ClassMark.objects.exists()


def test_enrollments_on_a_day_of_the_cover_only(world, cover_api):
    today = world.school.today()
    cover = covers(world, today)
    url = f"sections/{world.english.pk}/enrollments"

    listed = cover_api.get(url)
    assert listed.status_code == 200
    enrollment = enrollment_of(world, world.students[0])
    assert str(enrollment.pk) in {row["id"] for row in listed.json()["enrollment"]}
    assert cover_api.get(f"{url}/{enrollment.pk}").status_code == 200

    Cover.objects.filter(pk=cover.pk).update(start_date=today - timedelta(days=3), end_date=today - timedelta(days=1))
    assert cover_api.get(url).status_code == 404
    assert cover_api.get(f"{url}/{enrollment.pk}").status_code == 404
