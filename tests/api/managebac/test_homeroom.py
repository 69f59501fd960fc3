"""Homeroom attendance over ManageBac: term summary, a day, adjustments, and setting a student's mark."""

from __future__ import annotations

from apps.audit.models import AuditEntry
from apps.homeroom.models import Adjustment, DailyMark
from apps.school.models import Term
from tests import factories as f


def first_term(world) -> Term:
    return Term.objects.filter(school=world.school).order_by("start_date").first()


def test_term_summary(world, taken_roll, teacher, api_as):
    response = api_as(teacher).get(f"year-groups/{world.year7.pk}/homeroom/attendance/term/{first_term(world).pk}")
    assert response.status_code == 200
    students = {s["id"]: s for s in response.json()["students"]}
    assert students[world.students[1].pk] == {
        "id": world.students[1].pk,
        "attendance": {"Absent": 1},
        "attendance_categories": [{"label": "Absent", "status": 0, "value": 1}],
    }
    assert "timetable" not in response.json()


def test_day_leaves_out_the_attendance_of_unmarked_students(world, taken_roll, teacher, api_as):
    DailyMark.objects.filter(student=world.students[2]).delete()
    body = api_as(teacher).get(f"year-groups/{world.year7.pk}/homeroom/attendance/date/{taken_roll}").json()
    assert body["students"][1] == {
        "id": world.students[1].pk,
        "attendance": {"status": "Absent", "note": "Dentist.", "category": {"status": 0}},
    }
    assert body["students"][2] == {"id": world.students[2].pk}


def test_adjustments(world, teacher, api_as):
    term = first_term(world)
    adjustment = Adjustment.objects.create(
        school=world.school, student=world.students[0], term=term, code=f.code(world.school, 2), adjustment=-2
    )
    body = api_as(teacher).get(f"year-groups/{world.year7.pk}/homeroom/attendance/term/{term.pk}/adjustments").json()
    assert body["students"][0] == {
        "id": world.students[0].pk,
        "attendance_adjustments": [{"id": adjustment.pk, "name": "Late", "adjustment": -2}],
    }
    assert body["students"][1]["attendance_adjustments"] == []


def test_set_homeroom_attendance_creates_then_updates(world, monday, teacher, api_as):
    api = api_as(teacher)
    s0 = world.students[0]
    path = f"students/{s0.pk}/set_homeroom_attendance"
    response = api.put(path, {"date": str(monday), "status": 0, "notes": "text"})
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert api.put(path, {"date": str(monday), "status": 10}).json() == {"status": "ok"}
    mark = DailyMark.objects.select_related("code").get()
    assert (mark.student_id, mark.date, mark.code.mb_status, mark.note, mark.channel) == (
        s0.pk,
        monday,
        10,
        "",
        "managebac",
    )
    assert AuditEntry.objects.filter(channel="managebac", changed_by=teacher).count() == 2


def test_set_homeroom_attendance_checks_the_body(world, monday, teacher, api_as):
    api = api_as(teacher)
    path = f"students/{world.students[0].pk}/set_homeroom_attendance"
    for status in [-1, 6, 19, "late"]:
        response = api.put(path, {"date": str(monday), "status": status})
        assert response.status_code == 422
        assert response.json() == {"errors": {"status": ["is not included in the list"]}}
    response = api.put(path, {"status": 1})
    assert (response.status_code, response.json()) == (422, {"errors": {"date": ["can't be blank"]}})
    far = world.school.today().replace(year=world.school.today().year + 5)
    assert list(api.put(path, {"date": str(far), "status": 1}).json()["errors"]) == ["date"]
    assert api.put(path, "[1]").status_code == 400
    assert not DailyMark.objects.exists()


def test_only_advisors_and_admins_set_homeroom_attendance(world, monday, teacher, admin, other_teacher, api_as):
    # teacher advises Year 7 only; other_teacher advises Year 8.
    year8_student = world.year8_students[0]
    path = f"students/{year8_student.pk}/set_homeroom_attendance"
    body = {"date": str(monday), "status": 0}
    response = api_as(teacher).put(path, body)
    assert response.status_code == 404
    assert response.json() == {"error": f"Couldn't find Student with 'id'={year8_student.pk}"}
    assert api_as(other_teacher).put(path, body).status_code == 200
    assert api_as(admin).put(path, {**body, "status": 1}).status_code == 200


def test_teacher_of_a_class_may_not_set_homeroom_of_a_year_group_they_do_not_advise(world, monday, api_as):
    # Teaching a Year 7 student in a class is not advising Year 7.
    f.make_class(world.school, "Mixed Science", [world.other_teacher], [world.students[0]], periods=(4,))
    response = api_as(world.other_teacher.user).put(
        f"students/{world.students[0].pk}/set_homeroom_attendance", {"date": str(monday), "status": 0}
    )
    assert response.status_code == 404
    assert not DailyMark.objects.exists()


def test_year_group_of_another_school_or_not_advised_is_404(world, teacher, other_school_admin, api_as):
    term = first_term(world)
    response = api_as(teacher).get(f"year-groups/{world.year8.pk}/homeroom/attendance/term/{term.pk}")
    assert (response.status_code, response.json()) == (
        404,
        {"error": f"Couldn't find YearGroup with 'id'={world.year8.pk}"},
    )
    assert (
        api_as(other_school_admin).get(f"year-groups/{world.year7.pk}/homeroom/attendance/term/{term.pk}").status_code
        == 404
    )
