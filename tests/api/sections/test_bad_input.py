"""Bad input to the section-style dialect, in JSON and in XML, and what it answers: a one-line
400 for a body or query it cannot read (XML with a DTD or entities included), a one-line 413
for a body too large, empty 404s for a section the client may not see; in a PUT each row
answers for itself (400 with a message, 404 for an unknown enrollment) and the good rows are
kept. Nothing refused reaches the database."""

from __future__ import annotations

import json
from datetime import timedelta
from xml.etree import ElementTree as ET  # noqa: S405 - builds the test's own bodies

import pytest

from apps.classes.models import ClassMark
from tests.api.bad_input import (
    IMPOSSIBLE_DATES,
    MALFORMED_JSON,
    MALFORMED_XML,
    NOT_AN_OBJECT,
    OUT_OF_RANGE_DATES,
    RANGE_MESSAGE,
    UNICODE_NOTES,
    UNSTORABLE_TEXT,
    XML_BOMBS,
    nothing_changes,
    oversized_json,
)
from tests.api.sections.conftest import enrollment_of, sections_for

XML_TYPES = ["application/xml", "text/xml"]


def attendance_path(section) -> str:
    return f"sections/{section.pk}/attendance"


def row(world, day, student=None, **extra) -> dict:
    enrollment = enrollment_of(world, student or world.students[0])
    return {"enrollment_id": enrollment.pk, "date": str(day), "status": 2, "comment": "", **extra}


def json_body(*rows) -> dict:
    return {"attendances": {"attendance": list(rows)}}


def xml_body(*rows) -> str:
    root = ET.Element("result")
    attendances = ET.SubElement(root, "attendances")
    for fields in rows:
        element = ET.SubElement(attendances, "attendance")
        for name, value in fields.items():
            ET.SubElement(element, name).text = str(value)
    return ET.tostring(root, encoding="unicode")


def put(api, section, *rows, fmt="json"):
    if fmt == "json":
        return api.put(attendance_path(section), json_body(*rows))
    return api.put(attendance_path(section), xml_body(*rows).encode(), content_type="application/xml")


def one_line(response, status: int = 400) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert text and "\n" not in text
    return text


def row_answers(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["attendance"]


# --- bodies that cannot be read ---------------------------------------------------------------


@pytest.mark.parametrize("body", MALFORMED_JSON.values(), ids=MALFORMED_JSON.keys())
def test_malformed_json_is_a_one_line_400(world, teacher_api, body):
    with nothing_changes():
        one_line(teacher_api.put(attendance_path(world.english), body))


@pytest.mark.parametrize("body", NOT_AN_OBJECT.values(), ids=NOT_AN_OBJECT.keys())
def test_json_that_is_not_an_object_is_a_one_line_400(world, teacher_api, body):
    with nothing_changes():
        one_line(teacher_api.put(attendance_path(world.english), json.dumps(body)))


@pytest.mark.parametrize("content_type", XML_TYPES)
@pytest.mark.parametrize("body", MALFORMED_XML.values(), ids=MALFORMED_XML.keys())
def test_malformed_xml_is_a_one_line_400(world, teacher_api, body, content_type):
    with nothing_changes():
        one_line(teacher_api.put(attendance_path(world.english), body.encode(), content_type=content_type))


@pytest.mark.parametrize("content_type", XML_TYPES)
@pytest.mark.parametrize("body", XML_BOMBS.values(), ids=XML_BOMBS.keys())
def test_xml_bombs_and_external_entities_are_refused(world, teacher_api, body, content_type):
    with nothing_changes():
        response = teacher_api.put(attendance_path(world.english), body.encode(), content_type=content_type)
    assert one_line(response) == "XML with a DTD or entities is not accepted"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (oversized_json(), "application/json"),
        (b"<result>" + b"x" * (2621440 + 1) + b"</result>", "application/xml"),
        (b"grant=" + b"x" * (2621440 + 1), "application/x-www-form-urlencoded"),
    ],
    ids=["JSON", "XML", "a form"],
)
def test_a_body_over_the_upload_limit_is_a_one_line_413(world, teacher_api, settings, body, content_type):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2621440
    with nothing_changes():
        response = teacher_api.put(attendance_path(world.english), body, content_type=content_type)
    assert one_line(response, 413) == "The request body is larger than 2621440 bytes"


SHAPES = {
    "attendances missing": {"attendance": []},
    "attendances a list": {"attendances": []},
    "attendances a string": {"attendances": "x"},
    "no rows": {"attendances": {"attendance": []}},
    "rows a string": {"attendances": {"attendance": "x"}},
    "rows null": {"attendances": {"attendance": None}},
}


@pytest.mark.parametrize("body", SHAPES.values(), ids=SHAPES.keys())
def test_a_body_of_another_shape_is_a_one_line_400(world, teacher_api, body):
    with nothing_changes():
        one_line(teacher_api.put(attendance_path(world.english), body))


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_put_of_1000_rows_is_taken_and_1001_refused(world, admin_api, fmt):
    monday = world.school.today() - timedelta(days=world.school.today().isoweekday() - 1)
    days = [monday - timedelta(days=n) for n in range(90) if (monday - timedelta(days=n)).isoweekday() <= 5]
    rows = [row(world, day, s) for day in days for s in world.students]
    rows = (rows * 20)[:1000]

    with nothing_changes():
        refused = put(admin_api, world.english, *rows, rows[0], fmt=fmt)
    assert one_line(refused) == "attendances.attendance may hold at most 1000 attendances"
    answers = row_answers(put(admin_api, world.english, *rows, fmt=fmt))
    assert len(answers) == 1000 and {a["response_code"] for a in answers} == {200}


# --- a bad row: its own 400 or 404, nothing written -------------------------------------------

WRONG_VALUES = {
    "a word": "abc",
    "a fraction": 1.5,
    "true": True,
    "null": None,
    "a list": [1],
    "an object": {"id": 1},
    "negative": -1,
    "zero": 0,
    "huge": 10**30,
    "superscript": "²",
}


@pytest.mark.parametrize("field", ["enrollment_id", "status"])
@pytest.mark.parametrize("value", WRONG_VALUES.values(), ids=WRONG_VALUES.keys())
def test_a_bad_row_field_is_a_row_400_or_404(world, teacher_api, monday, field, value):
    with nothing_changes():
        [answer] = row_answers(put(teacher_api, world.english, row(world, monday, **{field: value})))
    assert answer["response_code"] in (400, 404), answer
    assert answer["message"].startswith(f"{field}:")


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("value", IMPOSSIBLE_DATES.values(), ids=IMPOSSIBLE_DATES.keys())
def test_an_impossible_date_is_a_row_400(world, teacher_api, monday, fmt, value):
    if fmt == "xml" and "\x00" in value:
        return  # XML cannot carry a NUL at all: the malformed XML case above
    with nothing_changes():
        [answer] = row_answers(put(teacher_api, world.english, row(world, monday, date=value), fmt=fmt))
    assert answer["response_code"] == 400 and answer["message"].startswith("date:"), answer


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_a_date_outside_the_section_is_a_row_400(world, admin_api, monday, value):
    with nothing_changes():
        [answer] = row_answers(put(admin_api, world.english, row(world, monday, date=value)))
    assert answer["response_code"] == 400 and answer["message"].startswith("date:"), answer


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("value", OUT_OF_RANGE_DATES.values(), ids=OUT_OF_RANGE_DATES.keys())
def test_a_date_out_of_range_is_a_row_400_naming_the_range(world, admin_api, monday, fmt, value):
    with nothing_changes():
        [answer] = row_answers(put(admin_api, world.english, row(world, monday, date=value), fmt=fmt))
    assert answer["response_code"] == 400 and answer["message"] == f"date: {RANGE_MESSAGE}", answer


@pytest.mark.parametrize("name", ["start", "end"])
@pytest.mark.parametrize("value", OUT_OF_RANGE_DATES.values(), ids=OUT_OF_RANGE_DATES.keys())
def test_a_filter_date_out_of_range_is_a_one_line_400(world, teacher_api, name, value):
    response = teacher_api.get(attendance_path(world.english), {name: value})
    one_line(response)
    assert response.content.decode() == f"{name}: {RANGE_MESSAGE}"


# --- ids the client may not see ----------------------------------------------------------------


@pytest.mark.parametrize("section_id", ["987654", str(10**17)])
def test_unknown_sections_are_an_empty_404(world, teacher_api, monday, section_id):
    with nothing_changes():
        responses = [
            teacher_api.put(f"sections/{section_id}/attendance", json_body(row(world, monday))),
            teacher_api.get(f"sections/{section_id}/attendance"),
            teacher_api.get(f"sections/{section_id}/enrollments"),
        ]
    assert [(r.status_code, r.content) for r in responses] == [(404, b"")] * 3


@pytest.mark.parametrize("section_id", [str(10**20), "-1", "abc", "%00"])
def test_section_ids_that_are_no_id_are_the_dialects_empty_404(world, teacher_api, monday, section_id):
    # Not one of the dialect's paths at all: still its own empty 404, not Django's HTML page.
    with nothing_changes():
        response = teacher_api.put(f"sections/{section_id}/attendance", json_body(row(world, monday)))
    assert (response.status_code, response.content) == (404, b"")


def test_another_schools_section_is_an_empty_404(world, client, monday, other_school_admin):
    far_api = sections_for(client, other_school_admin)
    with nothing_changes():
        response = far_api.put(attendance_path(world.english), json_body(row(world, monday)))
    assert (response.status_code, response.content) == (404, b"")


def test_enrollments_of_other_sections_and_schools_are_a_row_404(world, admin_api, monday):
    science = world.science.enrollments.first()
    far = world.far_class.enrollments.first()
    rows = [row(world, monday, enrollment_id=e.pk) for e in (science, far)] + [row(world, monday, enrollment_id=987654)]
    with nothing_changes():
        answers = row_answers(put(admin_api, world.english, *rows))
    assert [a["response_code"] for a in answers] == [404, 404, 404]


# --- paging ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "-5"},
        {"limit": "abc"},
        {"limit": "1.5"},
        {"limit": "9" * 2000},
        {"offset": "-1"},
        {"offset": "abc"},
        {"start": "²"},
        {"start": "-1"},
        {"start": "yesterday"},
        {"start": "2026-02-30"},
        {"end": "0000-01-01"},
        {"enrollment_id": "abc"},
        {"start": "2026-02-02", "end": "2026-02-01"},
    ],
)
def test_unreadable_paging_and_filters_are_a_one_line_400(world, teacher_api, params):
    one_line(teacher_api.get(attendance_path(world.english), params))


@pytest.mark.parametrize(
    "params",
    [
        {"limit": str(10**30)},
        {"limit": "1000000"},
        {"offset": str(10**30)},
        {"offset": str(2**63)},
        {"start": "9" * 900},
        {"start": str(2**64)},
        {"enrollment_id": str(10**30)},
    ],
)
@pytest.mark.parametrize("path", ["attendance", "enrollments"])
def test_huge_paging_is_clamped_or_an_empty_page(world, admin_api, monday, params, path):
    if path == "enrollments" and "enrollment_id" in params:
        return  # attendance's filter only
    response = admin_api.get(f"sections/{world.english.pk}/{path}", params)
    assert response.status_code == 200, response.content
    body = response.json()
    if path == "attendance":
        assert body["date"] == [] and "links" not in body or "limit" in params
    elif "limit" not in params:
        assert body["enrollment"] == [] and "next" not in body["links"]


# --- comments -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("note", UNICODE_NOTES.values(), ids=UNICODE_NOTES.keys())
def test_unicode_comments_round_trip(world, teacher_api, monday, fmt, note):
    [answer] = row_answers(put(teacher_api, world.english, row(world, monday, comment=note), fmt=fmt))
    assert answer["response_code"] == 200
    assert {m.note for m in ClassMark.objects.all()} == {note}

    as_json = teacher_api.get(attendance_path(world.english), {"start": str(monday), "end": str(monday)}).json()
    record = as_json["date"][0]["statuses"]["status"][0]["attendances"]["attendance"][0]
    assert record["comment"] == note
    as_xml = teacher_api.get(
        attendance_path(world.english), {"start": str(monday), "end": str(monday)}, accept="application/xml"
    )
    assert ET.fromstring(as_xml.content).find(".//comment").text == note  # noqa: S314 - our own answer


@pytest.mark.parametrize("text", UNSTORABLE_TEXT.values(), ids=UNSTORABLE_TEXT.keys())
def test_a_comment_no_database_can_store_is_a_row_400(world, teacher_api, monday, text):
    with nothing_changes():
        [answer] = row_answers(put(teacher_api, world.english, row(world, monday, comment=text)))
    assert answer["response_code"] == 400 and answer["message"].startswith("comment:"), answer


def test_a_comment_over_2000_characters_is_a_row_400(world, teacher_api, monday):
    with nothing_changes():
        [answer] = row_answers(put(teacher_api, world.english, row(world, monday, comment="x" * 2001)))
    assert answer["response_code"] == 400 and answer["message"].startswith("comment:"), answer


# --- one bad row among good ones --------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_one_bad_row_does_not_stop_the_others(world, teacher_api, monday, fmt):
    s0, s1, s2 = world.students
    rows = [
        row(world, monday, s0),
        row(world, monday, s1, date="2026-02-30"),
        row(world, monday, s2, status=9),
        row(world, monday, enrollment_id=987654),
        row(world, monday, s2, status=3),
    ]
    answers = row_answers(put(teacher_api, world.english, *rows, fmt=fmt))
    assert [a["response_code"] for a in answers] == [200, 400, 400, 404, 200]
    assert sorted(set(ClassMark.objects.values_list("student_id", flat=True))) == [s0.pk, s2.pk]
