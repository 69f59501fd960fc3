"""The course-offering list is bounded: still the vendor's bare array, at most ``limit`` records
(default 200, at most 1000) from ``offset``, a ``Link: <…>; rel="next"`` header while more
remain, and ``start_date``/``end_date`` filters. The OpenAPI document says the same."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from apps.attendance.channels import Channel
from apps.classes.services import ClassMarkInput, record_class_marks
from tests import factories as f

WEDNESDAY = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
NEXT = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')


@pytest.fixture(autouse=True)
def wednesday_morning():
    with time_machine.travel(WEDNESDAY, tick=False):
        yield


@pytest.fixture
def weekdays(world):
    """Every weekday of 7A English from its first day to yesterday (the class meets Monday to Friday)."""
    first, last = world.english.start_date, world.school.today() - timedelta(days=1)
    return [first + timedelta(days=n) for n in range((last - first).days + 1) if (first + timedelta(n)).weekday() < 5]


@pytest.fixture
def records(world, weekdays):
    """A record (period 1 absent) per student of 7A English and weekday: more than a page."""
    absent = f.code(world.school, 0)
    marks = [ClassMarkInput(world.english.pk, s.pk, day, 1, absent.pk) for s in world.students for day in weekdays]
    results = record_class_marks(actor=None, school=world.school, marks=marks, channel=Channel.DEMO)
    assert all(r.ok for r in results)
    assert len(marks) > 200
    return len(marks)


@pytest.fixture
def api(admin, api_as):
    return api_as(admin)


def next_url(response) -> str | None:
    link = response.headers.get("Link")
    if link is None:
        return None
    match = NEXT.match(link)
    assert match, link
    return match["url"]


def follow(api, url):
    path, _, query = url.removeprefix("http://testserver").partition("?")
    assert path == "/academic/attendance"
    return api.client.get(f"{path}?{query}", headers=api.headers())


def test_the_list_is_a_bare_array_of_a_default_page_with_a_link_to_the_next(world, api, records):
    first = api.get()
    assert first.status_code == 200
    page = first.json()
    assert isinstance(page, list) and len(page) == 200
    url = next_url(first)
    assert url.startswith("http://testserver/academic/attendance?") and "offset=200" in url and "limit=200" in url

    second = follow(api, url)
    rest = second.json()
    assert len(rest) == records - 200
    assert next_url(second) is None  # the last page
    everything = page + rest
    assert len({r["id"] for r in everything}) == records
    dates = [r["attendance_date"] for r in everything]
    assert dates == sorted(dates, reverse=True)  # newest first, across pages


def test_limit_and_offset_walk_the_list_and_keep_the_filters(world, api, records):
    seen, url = [], None
    response = api.get(limit=50, course_offering_id=str(world.english.uuid))
    while True:
        assert response.status_code == 200
        seen += response.json()
        url = next_url(response)
        if url is None:
            break
        assert f"course_offering_id={world.english.uuid}" in url and "limit=50" in url
        response = follow(api, url)
    assert len(seen) == len({r["id"] for r in seen}) == records
    assert api.get(offset=records).json() == []  # past the end: an empty page, no link
    assert "Link" not in api.get(offset=records).headers


def test_a_larger_limit_is_clamped_to_1000(world, api, records):
    response = api.get(limit=5000)
    assert response.status_code == 200 and len(response.json()) == min(records, 1000)
    link = api.get(limit=1).headers["Link"]
    assert "limit=1" in link and "offset=1" in link and link.endswith('>; rel="next"')


def test_start_and_end_dates_are_inclusive(world, api, records, weekdays):
    monday, friday = weekdays[-5], weekdays[-1]
    response = api.get(start_date=monday.isoformat(), end_date=friday.isoformat())
    days = {r["attendance_date"] for r in response.json()}
    assert days == {d.isoformat() for d in weekdays[-5:]}
    assert len(response.json()) == 5 * len(world.students)
    only = api.get(start_date=friday.isoformat(), end_date=friday.isoformat()).json()
    assert {r["attendance_date"] for r in only} == {friday.isoformat()}
    assert api.get(end_date=(weekdays[0] - timedelta(days=1)).isoformat()).json() == []


@pytest.mark.parametrize(
    "params, name",
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"limit": "²"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "x"}, "offset"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "2026-02-30"}, "start_date"),
        ({"end_date": ""}, "end_date"),
        ({"start_date": "0001-01-01"}, "start_date"),
        ({"end_date": "9999-12-31"}, "end_date"),
        ({"start_date": "2026-11-18", "end_date": "2026-11-17"}, "end_date"),
    ],
)
def test_bad_paging_and_dates_are_a_422_naming_the_query_field(world, api, params, name):
    response = api.get(**params)
    assert response.status_code == 422, response.content
    assert [d["loc"] for d in response.json()["detail"]] == [["query", name]]


def test_a_huge_offset_is_an_empty_page(world, api, records):
    for offset in (str(10**30), "9" * 5000):
        response = api.get(offset=offset)
        assert response.status_code == 200 and response.json() == []


def test_a_page_costs_the_same_queries_however_long_the_list(world, api, records, django_assert_max_num_queries):
    api.get(limit=10)
    with django_assert_max_num_queries(4):
        small = api.get(limit=10)
    with django_assert_max_num_queries(4):
        large = api.get(limit=1000)
    assert len(small.json()) == 10 and len(large.json()) == records


def test_the_openapi_document_describes_the_paging(client):
    operation = client.get("/api/schema/?format=json").json()["paths"]["/academic/attendance"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["limit"]["schema"] == {"type": "integer", "minimum": 1}
    assert parameters["offset"]["schema"] == {"type": "integer", "minimum": 0}
    assert (
        parameters["start_date"]["schema"] == parameters["end_date"]["schema"] == {"type": "string", "format": "date"}
    )
    answer = operation["responses"]["200"]
    assert answer["content"]["application/json"]["schema"]["type"] == "array"  # the bare array
    assert "Link" in answer["headers"]


def test_the_edges_of_the_date_range_are_taken(world, api):
    response = api.get(start_date=date(1900, 1, 1).isoformat(), end_date=date(2200, 12, 31).isoformat())
    assert response.status_code == 200
