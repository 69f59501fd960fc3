"""Every endpoint that names a record refuses those who may not see it: another teacher, another
parent, another school's admin get ManageBac's 404; no token gets 401; nothing is written."""

from __future__ import annotations

import json

import pytest

from apps.classes.models import ClassMark
from apps.excusals.models import Excusal
from apps.excusals.services import excusal_create
from apps.homeroom.models import DailyMark
from apps.school.models import Term


@pytest.fixture
def targets(world, admin, monday):
    excusal = excusal_create(
        actor=admin, student=world.students[0], parent=world.parent, start_date=monday, end_date=monday
    )
    term = Term.objects.filter(school=world.school).order_by("start_date").first()
    english, year7, s0 = world.english.pk, world.year7.pk, world.students[0].pk
    item = {"student_id": s0, "date": str(monday), "period": 1, "status": 0}
    return [
        ("GET", f"classes/{english}", None, "Class", english),
        ("GET", f"classes/{english}/students", None, "Class", english),
        ("GET", f"classes/{english}/timetable", None, "Class", english),
        ("GET", f"classes/{english}/attendance/term/{term.pk}", None, "Class", english),
        ("GET", f"classes/{english}/attendance/date/{monday}", None, "Class", english),
        ("PUT", f"classes/{english}/attendance", {"attendances": [item]}, "Class", english),
        ("GET", f"students/{s0}", None, "Student", s0),
        ("GET", f"students/{s0}/excusals", None, "Student", s0),
        (
            "POST",
            f"students/{s0}/excusals",
            {"excusal": {"parent_id": world.parent.pk, "start_date": str(monday), "end_date": str(monday)}},
            "Student",
            s0,
        ),
        ("PATCH", f"students/{s0}/excusals/{excusal.pk}", {"excusal": {"comment": "x"}}, "Student", s0),
        ("DELETE", f"students/{s0}/excusals/{excusal.pk}", None, "Student", s0),
        ("PUT", f"students/{s0}/set_homeroom_attendance", {"date": str(monday), "status": 0}, "Student", s0),
        ("GET", f"year-groups/{year7}/students", None, "YearGroup", year7),
        ("GET", f"year-groups/{year7}/homeroom/attendance/term/{term.pk}", None, "YearGroup", year7),
        ("GET", f"year-groups/{year7}/homeroom/attendance/date/{monday}", None, "YearGroup", year7),
        ("GET", f"year-groups/{year7}/homeroom/attendance/term/{term.pk}/adjustments", None, "YearGroup", year7),
    ]


@pytest.mark.parametrize("role", ["other_teacher", "other_parent", "other_school_admin"])
def test_outsiders_get_404(world, targets, role, request, api_as):
    api = api_as(request.getfixturevalue(role), ["read:all", "write:all"])
    for method, path, body, model, record in targets:
        response = (
            api.send(method, path, body)
            if body is not None
            else api.client.generic(method, api.url(path), headers=api.headers())
        )
        assert (response.status_code, response.json()) == (
            404,
            {"error": f"Couldn't find {model} with 'id'={record}"},
        ), (role, method, path)
    assert Excusal.objects.count() == 1
    assert Excusal.objects.get().comment == ""
    assert not ClassMark.objects.exists() and not DailyMark.objects.exists()


def test_no_token_gets_401_everywhere(world, targets, client):
    for method, path, body, _, _ in targets:
        response = client.generic(method, f"/v2/{path}", json.dumps(body), content_type="application/json")
        assert (response.status_code, response.json()) == (401, {"error": "Access Denied"}), (method, path)
    for path in ["ping", "classes", "students", "year-groups", "school/academic-years", "students/excusals/2025-01-06"]:
        assert client.get(f"/v2p1/{path}").status_code == 401
    assert Excusal.objects.count() == 1


def test_lists_show_outsiders_nothing_of_ours(world, targets, monday, other_parent, other_school_admin, api_as):
    ours = {world.english.pk, world.science.pk}
    for user in [other_parent, other_school_admin]:
        api = api_as(user)
        assert not ours & {c["id"] for c in api.get("classes").json()["classes"]}
        assert world.students[0].pk not in {s["id"] for s in api.get("students").json()["students"]}
        assert world.year7.pk not in {g["id"] for g in api.get("year-groups").json()["year_groups"]}
        assert api.get(f"students/excusals/{monday}").json()["excusals"] == []
