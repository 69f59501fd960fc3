"""A staff-only note reaches no section-style answer to a parent's token: a parent reads no
section (404, empty body), its records nor its enrollments; the class's teacher reads the notes."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.api.private_notes import STAFF_LESSON, write_notes
from tests.api.sections.conftest import enrollment_of, sections_for


@pytest.fixture
def notes(world):
    return write_notes(world, f.last_weekday(world.school, 1))


def test_a_parent_reads_no_note(world, client, parent, notes):
    api = sections_for(client, parent)
    section = world.english.pk
    for path in (
        f"sections/{section}/attendance",
        f"sections/{section}/enrollments",
        f"sections/{section}/enrollments/{enrollment_of(world, world.students[0]).pk}",
    ):
        response = api.get(path)
        assert (response.status_code, response.content) == (404, b""), path


def test_the_teacher_reads_the_staff_only_note(world, teacher_api, notes):
    body = teacher_api.get(f"sections/{world.english.pk}/attendance").content.decode()
    assert STAFF_LESSON in body  # the day's most serious mark (absent, period 1) and its note
