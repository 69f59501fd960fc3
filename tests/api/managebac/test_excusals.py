"""Excusals over ManageBac: lists with paging, create/update/delete through the excusal service,
each validation rule as a 422, and who may do what."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.audit.models import AuditEntry
from apps.excusals.models import Excusal
from apps.excusals.services import excusal_create


@pytest.fixture
def excusal(world, admin, monday):
    return excusal_create(
        actor=admin, student=world.students[0], parent=world.parent, start_date=monday, end_date=monday, comment="Ill"
    )


def new_excusal(world, start, end, **extra) -> dict:
    return {
        "excusal": {
            "parent_id": world.parent.pk,
            "start_date": str(start),
            "end_date": str(end),
            "comment": "Family event",
            **extra,
        }
    }


def test_admin_creates_an_excusal(world, monday, admin, api_as):
    s0 = world.students[0]
    response = api_as(admin).post(f"students/{s0.pk}/excusals", new_excusal(world, monday, monday + timedelta(days=2)))
    assert response.status_code == 201
    body = response.json()["excusal"]
    stored = Excusal.objects.get()
    assert body["id"] == stored.pk and body["student_id"] == s0.pk and body["parent_id"] == world.parent.pk
    assert (body["start_date"], body["end_date"], body["duration"]) == (str(monday), str(monday + timedelta(days=2)), 3)
    assert body["comment"] == "Family event"
    assert body["created_at"].endswith("Z") and len(body["created_at"]) == len("2024-11-29T10:45:10.000Z")


def test_parent_creates_for_their_own_child_only(world, monday, parent, api_as):
    api = api_as(parent)
    s0, s1 = world.students[:2]
    assert api.post(f"students/{s0.pk}/excusals", new_excusal(world, monday, monday)).status_code == 201
    response = api.post(f"students/{s1.pk}/excusals", new_excusal(world, monday, monday))
    assert response.status_code == 404
    assert response.json() == {"error": f"Couldn't find Student with 'id'={s1.pk}"}


def test_parent_not_linked_to_the_student_is_422(world, monday, admin, api_as):
    api = api_as(admin)
    s1 = world.students[1]
    for parent_id in [world.parent.pk, world.other_parent.pk, 999999]:
        response = api.post(f"students/{s1.pk}/excusals", new_excusal(world, monday, monday, parent_id=parent_id))
        assert response.status_code == 422
        assert response.json() == {"errors": {"parent_id": ["is not a parent of this student"]}}
    assert not Excusal.objects.exists()


def test_duration_must_be_1_to_12_days(world, monday, admin, api_as):
    api = api_as(admin)
    path = f"students/{world.students[0].pk}/excusals"
    response = api.post(path, new_excusal(world, monday, monday + timedelta(days=12)))
    assert response.status_code == 422
    assert response.json() == {"errors": {"duration": ["must be between 1 and 12 days (is 13)"]}}
    response = api.post(path, new_excusal(world, monday, monday - timedelta(days=1)))
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["end_date"]
    assert api.post(path, new_excusal(world, monday, monday + timedelta(days=11))).status_code == 201


def test_overlap_with_another_excusal_is_422(world, excusal, monday, admin, api_as):
    response = api_as(admin).post(
        f"students/{world.students[0].pk}/excusals", new_excusal(world, monday - timedelta(days=1), monday)
    )
    assert response.status_code == 422
    assert response.json() == {"errors": {"base": ["overlaps with another excusal of this student"]}}


def test_missing_or_bad_fields_are_422_and_a_bad_structure_400(world, monday, admin, api_as):
    api = api_as(admin)
    path = f"students/{world.students[0].pk}/excusals"
    response = api.post(path, {"excusal": {"parent_id": world.parent.pk, "start_date": "soon"}})
    assert response.status_code == 422
    assert response.json() == {
        "errors": {"start_date": ["is not a valid date (yyyy-mm-dd)"], "end_date": ["can't be blank"]}
    }
    for body in [{"start_date": str(monday)}, {"excusal": "x"}, "nope"]:
        assert api.post(path, body).json() == {"error": "Invalid payload data structure."}


def test_patch_changes_only_the_end_date_and_comment(world, excusal, monday, admin, api_as):
    response = api_as(admin).patch(
        f"students/{world.students[0].pk}/excusals/{excusal.pk}",
        {
            "excusal": {
                "start_date": str(monday - timedelta(days=5)),
                "end_date": str(monday + timedelta(days=1)),
                "comment": "Still ill",
                "parent_id": world.other_parent.pk,
            }
        },
    )
    assert response.status_code == 200
    excusal.refresh_from_db()
    assert (excusal.start_date, excusal.end_date, excusal.comment) == (monday, monday + timedelta(days=1), "Still ill")
    assert excusal.parent == world.parent
    assert response.json()["excusal"]["duration"] == 2


def test_patch_is_checked_like_a_new_excusal(world, excusal, monday, admin, api_as):
    api = api_as(admin)
    s0 = world.students[0]
    excusal_create(
        actor=admin,
        student=s0,
        parent=world.parent,
        start_date=monday + timedelta(days=3),
        end_date=monday + timedelta(days=3),
    )
    path = f"students/{s0.pk}/excusals/{excusal.pk}"
    overlap = api.patch(path, {"excusal": {"end_date": str(monday + timedelta(days=4))}})
    assert (overlap.status_code, list(overlap.json()["errors"])) == (422, ["base"])
    too_long = api.patch(path, {"excusal": {"end_date": str(monday + timedelta(days=20))}})
    assert (too_long.status_code, list(too_long.json()["errors"])) == (422, ["duration"])
    excusal.refresh_from_db()
    assert excusal.end_date == monday


def test_delete_answers_with_the_deleted_excusal(world, excusal, parent, api_as):
    response = api_as(parent).delete(f"students/{world.students[0].pk}/excusals/{excusal.pk}")
    assert response.status_code == 200
    assert response.json()["excusal"]["id"] == excusal.pk
    assert not Excusal.objects.exists()


def test_excusal_of_another_student_is_404(world, excusal, admin, api_as):
    s1 = world.students[1]
    response = api_as(admin).delete(f"students/{s1.pk}/excusals/{excusal.pk}")
    assert response.status_code == 404
    assert response.json() == {"error": f"Couldn't find Excusal with 'id'={excusal.pk}"}
    assert Excusal.objects.exists()


def test_teacher_reads_but_may_not_write_excusals(world, excusal, monday, teacher, api_as):
    api = api_as(teacher)
    s0 = world.students[0]
    assert [e["id"] for e in api.get(f"students/{s0.pk}/excusals").json()["excusals"]] == [excusal.pk]
    denied = {"error": "Access Denied"}
    response = api.post(
        f"students/{s0.pk}/excusals", new_excusal(world, monday + timedelta(days=7), monday + timedelta(days=7))
    )
    assert (response.status_code, response.json()) == (401, denied)
    response = api.delete(f"students/{s0.pk}/excusals/{excusal.pk}")
    assert (response.status_code, response.json()) == (401, denied)
    assert Excusal.objects.count() == 1


def test_other_parent_and_other_school_see_nothing(world, excusal, other_parent, other_school_admin, api_as):
    for user in [other_parent, other_school_admin]:
        api = api_as(user)
        path = f"students/{world.students[0].pk}/excusals"
        assert api.get(path).status_code == 404
        assert api.delete(f"{path}/{excusal.pk}").status_code == 404
        assert api.get(f"students/excusals/{excusal.start_date}").json()["excusals"] == []
    assert Excusal.objects.exists()


def test_lists_filter_by_date(world, excusal, monday, admin, api_as):
    api = api_as(admin)
    s0 = world.students[0]
    later = excusal_create(
        actor=admin,
        student=s0,
        parent=world.parent,
        start_date=monday + timedelta(days=2),
        end_date=monday + timedelta(days=4),
    )
    assert [e["id"] for e in api.get(f"students/{s0.pk}/excusals").json()["excusals"]] == [excusal.pk, later.pk]
    on_day = api.get(f"students/{s0.pk}/excusals", applies_on=str(monday + timedelta(days=3))).json()
    assert [e["id"] for e in on_day["excusals"]] == [later.pk]
    assert on_day["meta"] == {"current_page": 1, "total_pages": 1, "total_count": 1, "per_page": 100}
    by_date = api.get(f"students/excusals/{monday}").json()
    assert [e["id"] for e in by_date["excusals"]] == [excusal.pk]
    assert api.get(f"students/{s0.pk}/excusals", applies_on="tuesday").status_code == 422
    assert api.get("students/excusals/yesterday").status_code == 422


# --- the change log ---------------------------------------------------------------------------


def excusal_log() -> list[tuple]:
    entries = AuditEntry.objects.filter(mark_kind="excusal").order_by("changed_at", "id")
    return [(e.channel, e.changed_by and e.changed_by.username, e.before, e.after) for e in entries]


def test_the_office_writes_excusals_over_managebac_and_each_change_is_logged(world, admin, monday, api_as):
    api = api_as(admin)
    child = world.students[0]
    body = {"excusal": {"parent_id": world.parent.pk, "start_date": str(monday), "end_date": str(monday)}}
    created = api.post(f"students/{child.pk}/excusals", body)
    assert created.status_code == 201
    excusal_id = created.json()["excusal"]["id"]
    path = f"students/{child.pk}/excusals/{excusal_id}"
    assert api.patch(path, {"excusal": {"comment": "Sports day"}}).status_code == 200
    assert api.delete(path).status_code == 200

    day = str(monday)
    assert excusal_log() == [
        ("managebac", "admin", None, {"start_date": day, "end_date": day, "comment": ""}),
        (
            "managebac",
            "admin",
            {"start_date": day, "end_date": day, "comment": ""},
            {"start_date": day, "end_date": day, "comment": "Sports day"},
        ),
        ("managebac", "admin", {"start_date": day, "end_date": day, "comment": "Sports day"}, None),
    ]
    # Gone: a second withdrawal finds nothing and logs nothing.
    assert api.delete(path).status_code == 404
    assert len(excusal_log()) == 3


def test_refused_excusal_changes_log_nothing(world, admin, parent, other_parent, monday, api_as):
    child = world.students[0]
    excusal = excusal_create(actor=parent, student=child, parent=world.parent, start_date=monday, end_date=monday)
    assert len(excusal_log()) == 1
    path = f"students/{child.pk}/excusals/{excusal.pk}"
    too_long = api_as(admin).patch(path, {"excusal": {"end_date": str(monday + timedelta(days=20))}})
    assert too_long.status_code == 422
    assert api_as(other_parent).delete(path).status_code == 404  # not their child
    bad_comment = api_as(admin).patch(path, {"excusal": {"comment": "nul\x00"}})
    assert bad_comment.status_code == 422
    assert len(excusal_log()) == 1
    assert Excusal.objects.get().end_date == monday
