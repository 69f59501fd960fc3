"""Seed 001's bodies, parsed out of the seed page, against what the dialect answers."""

from __future__ import annotations

import json
import re
from datetime import date
from xml.etree import ElementTree as ET

import pytest

from apps.classes.models import ClassMark, Enrollment, SchoolClass
from apps.school.models import AcademicYear, Student
from tests import factories as f
from tests.api.sections.conftest import mark, sections_for
from tests.seeds import seed_path

# The section-style vendor page (tests/seeds/001_*.txt).
SEED = seed_path("001")


def seed_bodies() -> tuple[list, list[str]]:
    """The seed's JSON bodies and XML bodies, in page order: GET reply, PUT body, PUT reply."""
    text = SEED.read_text()
    decoder = json.JSONDecoder()
    jsons = [decoder.raw_decode(text, m.end())[0] for m in re.finditer(r"^json\n", text, re.M)]
    xmls = re.findall(r"^xml\n(<\?xml.*?</result>)", text, re.M | re.S)
    assert len(jsons) == 3 and len(xmls) == 3, "seed 001 changed shape"
    return jsons, xmls


def tree(element: ET.Element):
    """An element as (tag, text, children), whitespace between elements ignored."""
    return (element.tag, (element.text or "").strip(), [tree(child) for child in element])


def xml_tree(raw: str | bytes):
    return tree(ET.fromstring(raw.encode() if isinstance(raw, str) else raw))  # noqa: S314 - our own output


@pytest.fixture
def seed_section(world):
    """A 2013–14 section with the seed's enrollment ids, taught by the teacher, meeting on
    Mondays and Tuesdays in period 2."""
    school = world.school
    year = AcademicYear.objects.create(
        school=school, name="2013-14", start_date=date(2013, 9, 1), end_date=date(2014, 7, 15)
    )
    section = SchoolClass.objects.create(
        school=school, name="Seed History", academic_year=year, start_date=year.start_date, end_date=year.end_date
    )
    section.assignments.create(school=school, teacher=world.teacher)
    students = f.make_students(school, 2, world.year7, prefix="Seed")
    Enrollment.objects.create(pk=44783151, school=school, school_class=section, student=students[0])
    Enrollment.objects.create(pk=784754, school=school, school_class=section, student=students[1])
    period = school.period_set.get(number=2)
    section.slots.create(school=school, weekday=1, period=period)
    section.slots.create(school=school, weekday=2, period=period)
    return section, students


def test_get_attendance_json_is_the_seed(world, client, admin, seed_section):
    section, students = seed_section
    mark(world, students[0], date(2014, 1, 13), 2, 0, school_class=section)  # absent
    mark(world, students[0], date(2014, 1, 14), 2, 2, school_class=section)  # late
    mark(world, students[1], date(2014, 1, 14), 2, 1, school_class=section)  # present: left out
    (reply, _, _), _ = seed_bodies()

    response = sections_for(client, admin).get(
        f"sections/{section.pk}/attendance", {"start": "2014-01-13", "end": "2014-01-14"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == reply


@pytest.mark.parametrize("accept", ["text/xml", "application/xml"])
def test_get_attendance_xml_is_the_seed(world, client, admin, seed_section, accept):
    section, students = seed_section
    mark(world, students[0], date(2014, 1, 13), 2, 0, school_class=section)
    mark(world, students[0], date(2014, 1, 14), 2, 2, school_class=section)
    _, (reply, _, _) = seed_bodies()

    response = sections_for(client, admin).get(
        f"sections/{section.pk}/attendance", {"start": "2014-01-13", "end": "2014-01-14"}, accept=accept
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith(accept)
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8" ?>')
    assert b"<comment />" in response.content
    assert xml_tree(response.content) == xml_tree(reply)


def test_put_attendance_json_is_the_seed(world, client, admin, seed_section):
    section, students = seed_section
    (_, body, reply), _ = seed_bodies()

    response = sections_for(client, admin).put(f"sections/{section.pk}/attendance", body)

    assert response.status_code == 200
    data = response.json()
    written = ClassMark.objects.get(school_class=section, student=students[1], date=date(2014, 5, 20))
    assert written.code.mb_status == 1 and written.channel == "sections"
    # Same keys and types as the seed; the id is the mark's own.
    assert data == {"attendance": [{**reply["attendance"][0], "id": str(written.pk)}]}
    assert isinstance(data["attendance"][0]["id"], str)


def test_put_attendance_xml_is_the_seed(world, client, admin, seed_section):
    section, students = seed_section
    _, (_, body, reply) = seed_bodies()

    response = sections_for(client, admin).put(
        f"sections/{section.pk}/attendance", body, content_type="text/xml", accept="text/xml"
    )

    assert response.status_code == 200, response.content
    written = ClassMark.objects.get(school_class=section, student=students[1], date=date(2014, 5, 20))
    expected = reply.replace("<id>564027</id>", f"<id>{written.pk}</id>")
    assert xml_tree(response.content) == xml_tree(expected)


def test_seed_enrollment_ids_are_the_attendance_enrollment_ids(client, admin, seed_section):
    section, students = seed_section

    response = sections_for(client, admin).get(f"sections/{section.pk}/enrollments")

    rows = {row["id"]: row for row in response.json()["enrollment"] if row["admin"] == 0}
    assert set(rows) == {"44783151", "784754"}
    assert rows["44783151"]["name_first"] == students[0].first_name
    assert Student.objects.get(pk=int(rows["784754"]["uid"])) == students[1]
