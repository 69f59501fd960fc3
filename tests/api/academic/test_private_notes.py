"""A staff-only note reaches no course-offering answer to a parent's token: a parent reads their
child's day records, which carry a status and never a note."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.api.private_notes import SHARED_LESSON, STAFF_DAY, STAFF_LESSON, write_notes


@pytest.fixture
def notes(world):
    return write_notes(world, f.last_weekday(world.school, 1))


def test_a_parent_reads_the_records_and_no_note(world, parent, api_as, notes):
    api = api_as(parent)
    for params in ({}, {"student_id": str(world.students[0].uuid)}, {"date": notes.day.isoformat()}):
        response = api.get(**params)
        assert response.status_code == 200, response.content
        assert [r["status"] for r in response.json()] == ["absent"]  # the day's most serious mark
        body = response.content.decode()
        assert STAFF_LESSON not in body and STAFF_DAY not in body and SHARED_LESSON not in body
        assert not [name for record in response.json() for name in record if "note" in name or "comment" in name]
