"""A staff-only note reaches no PowerSchool answer to a parent's token: the attendance table, a
record by id and a query on att_comment read it as empty; a shared note and staff readers keep it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from tests import factories as f
from tests.api.private_notes import SHARED_LESSON, STAFF_DAY, STAFF_LESSON, write_notes

TABLE = "/ws/schema/table/attendance"


@pytest.fixture(autouse=True)
def wednesday_morning():
    with time_machine.travel(datetime(2026, 11, 18, 10, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def notes(world):
    return write_notes(world, f.last_weekday(world.school, 1))


def comments(ps, **params) -> dict[int, str]:
    """{record id: att_comment} of the attendance table as the client reads it."""
    response = ps.get(TABLE, projection="*", **params)
    assert response.status_code == 200, response.content
    return {r["id"]: r["tables"]["attendance"]["att_comment"] for r in response.json()["record"]}


def test_a_parent_reads_shared_notes_only(world, parent, teacher, admin, ps_as, notes):
    as_parent = comments(ps_as(parent, scopes=["read:attendance"]))
    assert len(as_parent) == 3  # the child's two lessons and homeroom: the records, not their private notes
    assert sorted(as_parent.values()) == ["", "", SHARED_LESSON]
    for staff in (teacher, admin):  # the teacher teaches 7A English and advises Year 7
        assert sorted(comments(ps_as(staff, scopes=["read:attendance"])).values()) == sorted(
            [STAFF_LESSON, SHARED_LESSON, STAFF_DAY]
        )


def test_a_record_by_id_and_a_query_on_the_note_keep_it_from_a_parent(world, parent, teacher, ps_as, notes):
    ps = ps_as(parent, scopes=["read:attendance"])
    for record_id in comments(ps):
        body = ps.get(f"{TABLE}/{record_id}").content.decode()
        assert STAFF_LESSON not in body and STAFF_DAY not in body
    # Guessing a note finds nothing: the query reads the note as the parent may.
    for secret in (STAFF_LESSON, STAFF_DAY):
        assert comments(ps, q=f"att_comment=={secret}") == {}
        assert ps.get(f"{TABLE}/count", q=f"att_comment=={secret}").json()["count"] == 0
    assert list(comments(ps_as(teacher, scopes=["read:attendance"]), q=f"att_comment=={STAFF_DAY}").values()) == [
        STAFF_DAY
    ]
