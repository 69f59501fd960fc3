"""Golden tests: our answers have the keys, types and nesting of the example bodies in seed 002."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from apps.excusals.services import excusal_create
from apps.homeroom.models import Adjustment
from apps.school.models import Term
from tests import factories as f
from tests.seeds import seed_path

SEED = seed_path("002")
REQUEST_LINE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE) (/v2/\S+) HTTP/1\.1$", re.MULTILINE)


def seed_examples() -> dict[tuple[str, str], list]:
    """(method, path template) → the JSON bodies that follow its request line: the response for
    GET and DELETE, the request then the response for the others."""
    text = SEED.read_text()
    matches = list(REQUEST_LINE.finditer(text))
    examples = {}
    decoder = json.JSONDecoder()
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        chunk = text[match.end() : end]
        bodies = []
        for brace in re.finditer(r"^\{$", chunk, re.MULTILINE):
            if bodies and brace.start() < bodies[-1][1]:
                continue  # inside the previous body
            value, stop = decoder.raw_decode(chunk, brace.start())
            bodies.append((value, stop))
        examples[(match.group(1), match.group(2))] = [value for value, _ in bodies]
    return examples


EXAMPLES = seed_examples()


def assert_same_shape(expected, actual, maps: frozenset[str] = frozenset(), path: str = "$") -> None:
    """Same keys, types and nesting. Objects at ``maps`` paths are keyed by data (labels,
    periods): their values are checked against the example's first value."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        if path in maps:
            assert actual, f"{path}: empty; the test data should fill it"
            sample = next(iter(expected.values()))
            for key, value in actual.items():
                assert isinstance(key, str)
                assert_same_shape(sample, value, maps, f"{path}.*")
            return
        assert set(actual) == set(expected), f"{path}: keys {sorted(actual)} != {sorted(expected)}"
        for key, value in expected.items():
            assert_same_shape(value, actual[key], maps, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: expected a list, got {actual!r}"
        assert actual, f"{path}: empty; the test data should fill it"
        for item in actual:
            assert_same_shape(expected[0], item, maps, f"{path}[]")
    else:
        assert type(actual) is type(expected), f"{path}: {actual!r} is not a {type(expected).__name__}"


def test_the_seed_holds_every_example_we_check():
    assert len(EXAMPLES) == 11
    assert all(EXAMPLES.values())


@pytest.fixture
def golden_world(world, taken_roll, admin):
    term = Term.objects.filter(school=world.school).order_by("start_date").first()
    s0, s1 = world.students[:2]
    for student, status, amount in [(s0, 1, 3), (s1, 0, 2), (s1, 2, 3)]:
        Adjustment.objects.create(
            school=world.school, student=student, term=term, code=f.code(world.school, status), adjustment=amount
        )
    excusal = excusal_create(
        actor=admin,
        student=s0,
        parent=world.parent,
        start_date=taken_roll,
        end_date=taken_roll,
        comment="Chloe was sick.",
    )
    return term, excusal


def test_get_endpoints_answer_in_the_seed_shapes(world, golden_world, taken_roll, admin, api_as, prefix):
    term, excusal = golden_world
    api = api_as(admin, prefix=prefix)
    english, year7, s0 = world.english.pk, world.year7.pk, world.students[0].pk
    cases = [
        (
            "/v2/classes/{id}/attendance/term/{term_id}",
            f"classes/{english}/attendance/term/{term.pk}",
            {"$.students[].attendance"},
        ),
        (
            "/v2/classes/{id}/attendance/date/{date}",
            f"classes/{english}/attendance/date/{taken_roll}",
            {"$.students[].attendance"},
        ),
        ("/v2/classes/{id}/timetable", f"classes/{english}/timetable", set()),
        (
            "/v2/year-groups/{year_group_id}/homeroom/attendance/term/{term_id}",
            f"year-groups/{year7}/homeroom/attendance/term/{term.pk}",
            {"$.students[].attendance"},
        ),
        (
            "/v2/year-groups/{year_group_id}/homeroom/attendance/date/{date}",
            f"year-groups/{year7}/homeroom/attendance/date/{taken_roll}",
            set(),
        ),
        (
            "/v2/year-groups/{year_group_id}/homeroom/attendance/term/{term_id}/adjustments",
            f"year-groups/{year7}/homeroom/attendance/term/{term.pk}/adjustments",
            set(),
        ),
        ("/v2/students/{student_id}/excusals", f"students/{s0}/excusals", set()),
    ]
    for template, path, maps in cases:
        response = api.get(path)
        assert response.status_code == 200, (path, response.content)
        if template == "/v2/year-groups/{year_group_id}/homeroom/attendance/term/{term_id}/adjustments":
            # Students without adjustments have an empty list; the shape is checked on the others.
            body = response.json()
            body["students"] = [x for x in body["students"] if x["attendance_adjustments"]]
        else:
            body = response.json()
        [example] = EXAMPLES[("GET", template)]
        assert_same_shape(example, body, frozenset(maps))


def test_write_endpoints_take_and_answer_the_seed_bodies(world, taken_roll, admin, api_as, prefix):
    api = api_as(admin, prefix=prefix)
    s0 = world.students[0]
    request, example = EXAMPLES[("POST", "/v2/students/{student_id}/excusals")]
    request["excusal"].update(
        parent_id=world.parent.pk, start_date=str(taken_roll), end_date=str(taken_roll + timedelta(days=2))
    )
    response = api.post(f"students/{s0.pk}/excusals", request)
    assert response.status_code == 201, response.content
    assert_same_shape(example, response.json())
    excusal_id = response.json()["excusal"]["id"]

    request, example = EXAMPLES[("PATCH", "/v2/students/{student_id}/excusals/{id}")]
    request["excusal"]["end_date"] = str(taken_roll + timedelta(days=1))
    response = api.patch(f"students/{s0.pk}/excusals/{excusal_id}", request)
    assert response.status_code == 200, response.content
    assert_same_shape(example, response.json())

    [example] = EXAMPLES[("DELETE", "/v2/students/{student_id}/excusals/{id}")]
    response = api.delete(f"students/{s0.pk}/excusals/{excusal_id}")
    assert response.status_code == 200, response.content
    assert_same_shape(example, response.json())

    request, example = EXAMPLES[("PUT", "/v2/students/{id}/set_homeroom_attendance")]
    request["date"] = str(taken_roll)
    response = api.put(f"students/{s0.pk}/set_homeroom_attendance", request)
    assert response.status_code == 200, response.content
    assert response.json() == example == {"status": "ok"}
