"""Bad input to the ManageBac dialect (v2 and v2p1), and what it answers: 400 ``Invalid payload
data structure.`` for a body it cannot read, 413 for one too large, 404 ``Couldn't find …`` for
ids the client may not see, 422 ``{"errors": {field: [message]}}`` for a bad field; in a class
attendance PUT each item answers for itself and the good ones are kept. Nothing refused
reaches the database."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from apps.classes.models import ClassMark
from apps.excusals.models import Excusal
from apps.excusals.services import excusal_create
from apps.homeroom.models import DailyMark
from tests.api.bad_input import (
    IMPOSSIBLE_DATES,
    MALFORMED_JSON,
    NOT_AN_OBJECT,
    OUT_OF_RANGE_DATES,
    RANGE_MESSAGE,
    UNICODE_NOTES,
    UNSTORABLE_TEXT,
    nothing_changes,
    oversized_json,
)

INVALID_PAYLOAD = {"error": "Invalid payload data structure."}


@pytest.fixture
def api(admin, api_as, prefix):
    return api_as(admin, prefix=prefix)


@pytest.fixture
def excusal(world, admin, monday):
    return excusal_create(
        actor=admin, student=world.students[0], parent=world.parent, start_date=monday, end_date=monday, comment="Ill"
    )


def item(world, monday, student=None, **extra) -> dict:
    student = student or world.students[0]
    return {"student_id": student.pk, "date": str(monday), "period": 1, "status": 0, "notes": "", **extra}


def writes(world, monday, excusal) -> dict:
    """Every ManageBac write, as (method, path, a good body)."""
    s0 = world.students[0]
    return {
        "class attendance": ("PUT", f"classes/{world.english.pk}/attendance", {"attendances": [item(world, monday)]}),
        "homeroom": ("PUT", f"students/{s0.pk}/set_homeroom_attendance", {"date": str(monday), "status": 0}),
        "new excusal": (
            "POST",
            f"students/{s0.pk}/excusals",
            {
                "excusal": {
                    "parent_id": world.parent.pk,
                    "start_date": str(monday + timedelta(days=1)),
                    "end_date": str(monday + timedelta(days=1)),
                }
            },
        ),
        "excusal change": ("PATCH", f"students/{s0.pk}/excusals/{excusal.pk}", {"excusal": {"comment": "x"}}),
    }


WRITES = ["class attendance", "homeroom", "new excusal", "excusal change"]


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["attendance"]


# --- bodies that cannot be read ---------------------------------------------------------------


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("body", MALFORMED_JSON.values(), ids=MALFORMED_JSON.keys())
def test_malformed_json_is_invalid_payload(world, monday, excusal, api, write, body):
    method, path, _ = writes(world, monday, excusal)[write]
    with nothing_changes():
        response = api.send(method, path, body)
    assert (response.status_code, response.json()) == (400, INVALID_PAYLOAD)


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("body", NOT_AN_OBJECT.values(), ids=NOT_AN_OBJECT.keys())
def test_json_that_is_not_an_object_is_invalid_payload(world, monday, excusal, api, write, body):
    method, path, _ = writes(world, monday, excusal)[write]
    with nothing_changes():
        response = api.send(method, path, json.dumps(body))
    assert (response.status_code, response.json()) == (400, INVALID_PAYLOAD)


@pytest.mark.parametrize("write", WRITES)
def test_xml_is_invalid_payload(world, monday, excusal, api, write):
    method, path, _ = writes(world, monday, excusal)[write]
    call = getattr(api.client, method.lower())
    with nothing_changes():
        response = call(api.url(path), data="<result />", content_type="application/xml", headers=api.headers())
    assert (response.status_code, response.json()) == (400, INVALID_PAYLOAD)


@pytest.mark.parametrize("write", WRITES)
def test_a_body_over_the_upload_limit_is_413(world, monday, excusal, api, write):
    method, path, _ = writes(world, monday, excusal)[write]
    with nothing_changes():
        response = api.send(method, path, oversized_json())
    assert (response.status_code, response.json()) == (413, {"error": "Request Entity Too Large"})


SHAPES = {
    "attendances missing": {},
    "attendances an object": {"attendances": {"student_id": 1}},
    "attendances a string": {"attendances": "all present"},
    "attendances null": {"attendances": None},
    "an item that is a list": {"attendances": [[1, "2026-02-02", 1, 0]]},
    "an item that is null": {"attendances": [None]},
}


@pytest.mark.parametrize("body", SHAPES.values(), ids=SHAPES.keys())
def test_class_attendance_of_another_shape_is_invalid_payload(world, api, body):
    with nothing_changes():
        response = api.put(f"classes/{world.english.pk}/attendance", body)
    assert (response.status_code, response.json()) == (400, INVALID_PAYLOAD)


@pytest.mark.parametrize("excusal_body", [None, [], "Dentist", 7], ids=["null", "list", "string", "number"])
def test_an_excusal_that_is_not_an_object_is_invalid_payload(world, api, excusal_body):
    with nothing_changes():
        response = api.post(f"students/{world.students[0].pk}/excusals", {"excusal": excusal_body})
    assert (response.status_code, response.json()) == (400, INVALID_PAYLOAD)


def test_a_put_of_1000_items_is_taken_and_1001_refused(world, monday, api):
    # 3 students x 2 periods a day: 166 days of the class's year hold 996 items; the rest repeat.
    days = [monday - timedelta(days=n) for n in range(0, 400) if (monday - timedelta(days=n)).isoweekday() <= 5]
    students = world.students
    items = [item(world, day, s, period=p) for day in days for s in students for p in (1, 3)]
    items = [i for i in items if i["date"] >= str(world.english.start_date)][:1000]
    items += [items[0]] * (1000 - len(items))
    path = f"classes/{world.english.pk}/attendance"

    with nothing_changes():
        refused = api.put(path, {"attendances": [*items, items[0]]})
    assert (refused.status_code, refused.json()) == (
        422,
        {"errors": {"attendances": ["is too long (maximum is 1000 items)"]}},
    )
    answers = results(api.put(path, {"attendances": items}))
    assert len(answers) == 1000 and {a["status"] for a in answers} == {"ok"}


# --- a bad field ------------------------------------------------------------------------------

WRONG_VALUES = {
    "a word": "abc",
    "a fraction": 1.5,
    "true": True,
    "null": None,
    "a list": [1],
    "an object": {"id": 1},
    "negative": -1,
    "huge": 10**30,
    "infinity (1e400)": "1e400",
}


@pytest.mark.parametrize("field", ["student_id", "period", "status"])
@pytest.mark.parametrize("value", WRONG_VALUES.values(), ids=WRONG_VALUES.keys())
def test_a_bad_item_field_is_unprocessable(world, monday, api, field, value):
    body = json.dumps({"attendances": [item(world, monday, **{field: value})]})
    if value == "1e400":
        body = body.replace('"1e400"', "1e400")
    with nothing_changes():
        [answer] = results(api.put(f"classes/{world.english.pk}/attendance", body))
    assert answer["status"] == "unprocessable_entity"
    assert field in answer["errors"], answer


@pytest.mark.parametrize(
    "value", [*IMPOSSIBLE_DATES.values(), 20260202, None], ids=[*IMPOSSIBLE_DATES, "number", "null"]
)
def test_an_impossible_item_date_is_unprocessable(world, monday, api, value):
    with nothing_changes():
        [answer] = results(
            api.put(f"classes/{world.english.pk}/attendance", {"attendances": [item(world, monday, date=value)]})
        )
    assert answer["status"] == "unprocessable_entity" and list(answer["errors"]) == ["date"]


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_an_item_date_outside_the_class_is_unprocessable(world, monday, api, value):
    with nothing_changes():
        [answer] = results(
            api.put(f"classes/{world.english.pk}/attendance", {"attendances": [item(world, monday, date=value)]})
        )
    assert answer["status"] == "unprocessable_entity" and list(answer["errors"]) == ["date"]


@pytest.mark.parametrize("value", IMPOSSIBLE_DATES.values(), ids=IMPOSSIBLE_DATES.keys())
def test_impossible_dates_in_paths_and_bodies_are_422(world, monday, excusal, api, value):
    s0 = world.students[0]
    quoted = value.replace("/", "%2F")
    with nothing_changes():
        answers = [
            api.get(f"classes/{world.english.pk}/attendance/date/{quoted}"),
            api.get(f"students/excusals/{quoted}"),
            api.get(f"year-groups/{world.year7.pk}/homeroom/attendance/date/{quoted}"),
            api.get(f"students/{s0.pk}/excusals", applies_on=value),
            api.put(f"students/{s0.pk}/set_homeroom_attendance", {"date": value, "status": 0}),
            api.post(
                f"students/{s0.pk}/excusals",
                {"excusal": {"parent_id": world.parent.pk, "start_date": value, "end_date": str(monday)}},
            ),
            api.patch(f"students/{s0.pk}/excusals/{excusal.pk}", {"excusal": {"end_date": value}}),
        ]
    for response in answers:
        in_path = response.request["REQUEST_METHOD"] == "GET" and not response.request["QUERY_STRING"]
        if in_path and (value == "" or "/" in value):
            # An empty date, or one with slashes, makes another path: ManageBac's 404.
            assert response.status_code == 404 and set(response.json()) == {"error"}
        elif value == "" and "applies_on" in response.request["QUERY_STRING"]:
            assert response.status_code == 200  # an empty filter is no filter
        else:
            assert response.status_code == 422, (response.request["PATH_INFO"], response.content)
            assert set(response.json()) == {"errors"}


@pytest.mark.parametrize("value", OUT_OF_RANGE_DATES.values(), ids=OUT_OF_RANGE_DATES.keys())
def test_dates_out_of_range_in_paths_and_bodies_are_422_naming_the_range(world, monday, excusal, api, value):
    s0 = world.students[0]
    with nothing_changes():
        answers = {
            "date": [
                api.get(f"classes/{world.english.pk}/attendance/date/{value}"),
                api.get(f"students/excusals/{value}"),
                api.get(f"year-groups/{world.year7.pk}/homeroom/attendance/date/{value}"),
                api.put(f"students/{s0.pk}/set_homeroom_attendance", {"date": value, "status": 0}),
            ],
            "applies_on": [api.get(f"students/{s0.pk}/excusals", applies_on=value)],
            "start_date": [
                api.post(
                    f"students/{s0.pk}/excusals",
                    {"excusal": {"parent_id": world.parent.pk, "start_date": value, "end_date": str(monday)}},
                )
            ],
            "end_date": [api.patch(f"students/{s0.pk}/excusals/{excusal.pk}", {"excusal": {"end_date": value}})],
        }
        [item_answer] = results(
            api.put(f"classes/{world.english.pk}/attendance", {"attendances": [item(world, monday, date=value)]})
        )
    for field, responses in answers.items():
        for response in responses:
            assert response.status_code == 422, (response.request["PATH_INFO"], response.content)
            assert response.json() == {"errors": {field: [RANGE_MESSAGE]}}
    assert item_answer == {
        "index": 0,
        "student_id": s0.pk,
        "status": "unprocessable_entity",
        "errors": {"date": [RANGE_MESSAGE]},
    }


@pytest.mark.parametrize("status", [-1, 6, 99, "Absent", "0", 2**40])
def test_homeroom_status_outside_the_list_is_422_or_applied_as_a_number(world, monday, api, status):
    path = f"students/{world.students[0].pk}/set_homeroom_attendance"
    if status == "0":  # a number sent as a string is read as the number
        assert api.put(path, {"date": str(monday), "status": status}).status_code == 200
        return
    with nothing_changes():
        response = api.put(path, {"date": str(monday), "status": status})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["status"]


# --- ids the client may not see ----------------------------------------------------------------


@pytest.mark.parametrize("which", ["unknown", "other school", "huge"])
def test_unknown_and_other_schools_ids_are_not_found(world, monday, excusal, api, which):
    far_student, far_class = world.far_students[0], world.far_class
    class_id = {"unknown": 987654, "other school": far_class.pk, "huge": 10**20}[which]
    student_id = {"unknown": 987654, "other school": far_student.pk, "huge": 10**20}[which]
    with nothing_changes():
        answers = [
            api.put(f"classes/{class_id}/attendance", {"attendances": [item(world, monday)]}),
            api.get(f"classes/{class_id}/attendance/date/{monday}"),
            api.put(f"students/{student_id}/set_homeroom_attendance", {"date": str(monday), "status": 0}),
            api.post(f"students/{student_id}/excusals", {"excusal": {"parent_id": world.parent.pk}}),
            api.patch(f"students/{world.students[0].pk}/excusals/{student_id}", {"excusal": {"comment": "x"}}),
            api.delete(f"students/{world.students[0].pk}/excusals/{student_id}"),
        ]
    for response in answers:
        assert response.status_code == 404, response.content
        assert response.json()["error"].startswith("Couldn't find ")


def test_another_schools_student_in_a_put_is_not_found(world, monday, api):
    far = world.far_students[0]
    with nothing_changes():
        [answer] = results(
            api.put(f"classes/{world.english.pk}/attendance", {"attendances": [item(world, monday, far)]})
        )
    assert answer == {"index": 0, "student_id": far.pk, "status": "not_found"}


def test_another_schools_parent_is_422(world, monday, api):
    far_parent_id = world.other_school_admin.pk + 10**6
    with nothing_changes():
        response = api.post(
            f"students/{world.students[0].pk}/excusals",
            {"excusal": {"parent_id": far_parent_id, "start_date": str(monday), "end_date": str(monday)}},
        )
    assert (response.status_code, response.json()) == (
        422,
        {"errors": {"parent_id": ["is not a parent of this student"]}},
    )


def test_another_schools_admin_sees_nothing_here(world, monday, other_school_admin, api_as):
    api = api_as(other_school_admin)
    with nothing_changes():
        response = api.put(f"classes/{world.english.pk}/attendance", {"attendances": [item(world, monday)]})
    assert (response.status_code, response.json()) == (
        404,
        {"error": f"Couldn't find Class with 'id'={world.english.pk}"},
    )


# --- paging ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "page", "per_page"),
    [
        ({"per_page": "1000000"}, 1, 200),
        ({"per_page": str(10**30)}, 1, 200),
        ({"per_page": "9" * 5000}, 1, 100),
        ({"per_page": "-5"}, 1, 100),
        ({"per_page": "0"}, 1, 100),
        ({"per_page": "abc"}, 1, 100),
        ({"per_page": "²"}, 1, 100),
        ({"per_page": "1.5"}, 1, 100),
        ({"per_page": "\x00"}, 1, 100),
        ({"page": "-1"}, 1, 100),
        ({"page": "abc"}, 1, 100),
        ({"page": str(10**30)}, 10**30, 100),
    ],
)
@pytest.mark.parametrize("path", ["classes", "students", "year-groups", "students/excusals/{monday}"])
def test_paging_clamps_and_defaults(world, monday, excusal, api, params, page, per_page, path):
    response = api.get(path.format(monday=monday), **params)
    assert response.status_code == 200
    body = response.json()
    assert (body["meta"]["current_page"], body["meta"]["per_page"]) == (page, per_page)
    rows = next(value for key, value in body.items() if key != "meta")
    assert (rows == []) == (page > 1)


# --- notes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("note", UNICODE_NOTES.values(), ids=UNICODE_NOTES.keys())
def test_unicode_notes_round_trip(world, monday, excusal, api, note):
    s0 = world.students[0]
    [answer] = results(
        api.put(f"classes/{world.english.pk}/attendance", {"attendances": [item(world, monday, notes=note)]})
    )
    assert answer["status"] == "ok"
    assert (
        api.put(
            f"students/{s0.pk}/set_homeroom_attendance", {"date": str(monday), "status": 0, "notes": note}
        ).status_code
        == 200
    )
    assert api.patch(f"students/{s0.pk}/excusals/{excusal.pk}", {"excusal": {"comment": note}}).status_code == 200

    day = api.get(f"classes/{world.english.pk}/attendance/date/{monday}").json()
    assert next(s for s in day["students"] if s["id"] == s0.pk)["attendance"]["1"]["note"] == note
    homeroom = api.get(f"year-groups/{world.year7.pk}/homeroom/attendance/date/{monday}").json()
    assert next(s for s in homeroom["students"] if s["id"] == s0.pk)["attendance"]["note"] == note
    assert api.get(f"students/{s0.pk}/excusals").json()["excusals"][0]["comment"] == note
    assert (ClassMark.objects.get().note, DailyMark.objects.get().note, Excusal.objects.get().comment) == (note,) * 3


@pytest.mark.parametrize("text", UNSTORABLE_TEXT.values(), ids=UNSTORABLE_TEXT.keys())
def test_text_no_database_can_store_is_422_not_a_500(world, monday, excusal, api, text):
    s0 = world.students[0]
    with nothing_changes():
        [answer] = results(
            api.put(f"classes/{world.english.pk}/attendance", {"attendances": [item(world, monday, notes=text)]})
        )
        homeroom = api.put(
            f"students/{s0.pk}/set_homeroom_attendance", {"date": str(monday), "status": 0, "notes": text}
        )
        changed = api.patch(f"students/{s0.pk}/excusals/{excusal.pk}", {"excusal": {"comment": text}})
        created = api.post(
            f"students/{s0.pk}/excusals",
            {
                "excusal": {
                    "parent_id": world.parent.pk,
                    "start_date": str(monday + timedelta(days=1)),
                    "end_date": str(monday + timedelta(days=1)),
                    "comment": text,
                }
            },
        )
    assert answer["status"] == "unprocessable_entity" and list(answer["errors"]) == ["notes"]
    assert (homeroom.status_code, list(homeroom.json()["errors"])) == (422, ["notes"])
    assert (changed.status_code, list(changed.json()["errors"])) == (422, ["comment"])
    assert (created.status_code, list(created.json()["errors"])) == (422, ["comment"])


def test_a_note_over_2000_characters_is_unprocessable(world, monday, api):
    with nothing_changes():
        [answer] = results(
            api.put(f"classes/{world.english.pk}/attendance", {"attendances": [item(world, monday, notes="x" * 2001)]})
        )
    assert list(answer["errors"]) == ["notes"]


# --- one bad item among good ones -------------------------------------------------------------


def test_one_bad_item_does_not_stop_the_others(world, monday, api):
    s0, s1, s2 = world.students
    body = {
        "attendances": [
            item(world, monday, s0),
            item(world, monday, s1, date="2026-02-30"),
            item(world, monday, s2, notes="\x00"),
            item(world, monday, world.far_students[0]),
            item(world, monday, s2, period=3, status=2),
        ]
    }
    answers = results(api.put(f"classes/{world.english.pk}/attendance", body))
    assert [a["status"] for a in answers] == ["ok", "unprocessable_entity", "unprocessable_entity", "not_found", "ok"]
    assert sorted(ClassMark.objects.values_list("student_id", "period__number")) == [(s0.pk, 1), (s2.pk, 3)]
