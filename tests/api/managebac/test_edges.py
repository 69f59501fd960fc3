"""Ids and numbers beyond what the database holds are answered like any unknown id, never a 500."""

from __future__ import annotations

HUGE = 10**20


def test_out_of_range_ids_are_not_found(world, monday, admin, api_as):
    api = api_as(admin)
    response = api.get(f"classes/{HUGE}")
    assert (response.status_code, response.json()) == (404, {"error": f"Couldn't find Class with 'id'={HUGE}"})
    response = api.patch(f"students/{world.students[0].pk}/excusals/{HUGE}", {"excusal": {"comment": "x"}})
    assert response.status_code == 404
    response = api.post(
        f"students/{world.students[0].pk}/excusals",
        {"excusal": {"parent_id": HUGE, "start_date": str(monday), "end_date": str(monday)}},
    )
    assert (response.status_code, list(response.json()["errors"])) == (422, ["parent_id"])
    results = api.put(
        f"classes/{world.english.pk}/attendance",
        {"attendances": [{"student_id": HUGE, "date": str(monday), "period": HUGE, "status": 0}]},
    ).json()["attendance"]
    assert results == [
        {
            "index": 0,
            "student_id": HUGE,
            "status": "unprocessable_entity",
            "errors": {
                "student_id": ["must be less than or equal to 9223372036854775807"],
                "period": ["must be less than or equal to 32767"],
            },
        }
    ]
