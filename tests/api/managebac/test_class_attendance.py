"""Class attendance over ManageBac: the term summary, a day's marks, the bulk PUT, the timetable."""

from __future__ import annotations

from datetime import timedelta

from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark, TimetableSlot
from apps.school.models import AttendanceCode, Term
from tests import factories as f


def first_term(world) -> Term:
    return Term.objects.filter(school=world.school).order_by("start_date").first()


def test_term_summary_sums_labels_and_leaves_out_zero_counts(world, taken_roll, teacher, api_as):
    response = api_as(teacher).get(f"classes/{world.english.pk}/attendance/term/{first_term(world).pk}")
    assert response.status_code == 200
    students = {s["id"]: s for s in response.json()["students"]}
    s0, s1, s2 = world.students
    # Status 1 and the roll's default (-1) share the label Present: counted together.
    assert students[s1.pk]["attendance"] == {"Late": 1, "Present": 1}
    assert students[s1.pk]["attendance_categories"] == [
        {"label": "Late", "status": 2, "value": 1},
        {"label": "Present", "status": -1, "value": 1},
    ]
    assert students[s2.pk]["attendance"] == {"Present": 2}
    assert [c["status"] for c in students[s2.pk]["attendance_categories"]] == [1]
    assert response.json()["timetable"] == {"period_starts_count_from": 1, "period_offset": 0}


def test_term_summary_lists_unmarked_students_and_archived_only_on_request(world, teacher, api_as):
    archived = world.students[2]
    archived.archived = True
    archived.save()
    api = api_as(teacher)
    path = f"classes/{world.english.pk}/attendance/term/{first_term(world).pk}"
    body = api.get(path).json()
    assert [s["id"] for s in body["students"]] == [s.pk for s in world.students[:2]]
    assert body["students"][0] == {"id": world.students[0].pk, "attendance": {}, "attendance_categories": []}
    assert archived.pk in [s["id"] for s in api.get(path, archived_students="true").json()["students"]]


def test_term_of_another_school_is_not_found(world, teacher, api_as):
    far_term = Term.objects.filter(school=world.other_school).first()
    response = api_as(teacher).get(f"classes/{world.english.pk}/attendance/term/{far_term.pk}")
    assert response.status_code == 404
    assert response.json() == {"error": f"Couldn't find AcademicTerm with 'id'={far_term.pk}"}


def test_period_numbering_follows_the_school_setting(world, taken_roll, teacher, api_as):
    world.school.periods_from_zero = True
    world.school.save()
    body = api_as(teacher).get(f"classes/{world.english.pk}/attendance/date/{taken_roll}").json()
    assert body["timetable"] == {"period_starts_count_from": 0, "period_offset": -1}
    # Keys stay the wire numbers (from 1); the offset tells a client how to label them.
    assert set(body["students"][0]["attendance"]) == {"1", "3"}


def test_day_is_sparse_by_period(world, taken_roll, teacher, api_as):
    body = api_as(teacher).get(f"classes/{world.english.pk}/attendance/date/{taken_roll}").json()
    first = body["students"][0]
    assert first == {
        "id": world.students[0].pk,
        "attendance": {
            "1": {"status": "Present", "note": "", "category": {"status": 1}},
            "3": {"status": "Absent", "note": "Left for an appointment.", "category": {"status": 0}},
        },
    }


def test_day_outside_the_class_dates_is_422(world, teacher, api_as):
    api = api_as(teacher)
    before = world.english.start_date - timedelta(days=1)
    response = api.get(f"classes/{world.english.pk}/attendance/date/{before}")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["date"]
    response = api.get(f"classes/{world.english.pk}/attendance/date/not-a-date")
    assert response.status_code == 422
    assert response.json() == {"errors": {"date": ["is not a valid date (yyyy-mm-dd)"]}}


def test_put_answers_per_item_and_keeps_the_good_items(world, monday, teacher, api_as):
    s0, s1, s2 = world.students
    outsider = world.year8_students[0]
    response = api_as(teacher).put(
        f"classes/{world.english.pk}/attendance",
        {
            "attendances": [
                {"student_id": s0.pk, "date": str(monday), "period": 1, "status": 0, "notes": "Ill"},
                {"student_id": s1.pk, "date": str(monday), "period": 2, "status": 0},
                {"student_id": outsider.pk, "date": str(monday), "period": 1, "status": 0},
                {"student_id": s2.pk, "date": str(monday), "period": 3, "status": -1},
                {"student_id": s2.pk, "date": "23/11/2026", "period": 3, "status": 2},
                {"date": str(monday), "period": 3, "status": 2},
                {"student_id": s2.pk, "date": str(monday), "period": 3, "status": 99},
                {"student_id": s2.pk, "date": str(monday), "period": 3, "status": 2},
            ]
        },
    )
    assert response.status_code == 200
    assert response.json() == {
        "attendance": [
            {"index": 0, "student_id": s0.pk, "status": "ok"},
            {
                "index": 1,
                "student_id": s1.pk,
                "status": "unprocessable_entity",
                "errors": {"period": ["must be in [1, 3]"]},
            },
            {"index": 2, "student_id": outsider.pk, "status": "not_found"},
            {
                "index": 3,
                "student_id": s2.pk,
                "status": "unprocessable_entity",
                "errors": {"status": ["is read-only over the API"]},
            },
            {
                "index": 4,
                "student_id": s2.pk,
                "status": "unprocessable_entity",
                "errors": {"date": ["is not a valid date (yyyy-mm-dd)"]},
            },
            {"index": 5, "status": "unprocessable_entity", "errors": {"student_id": ["can't be blank"]}},
            {
                "index": 6,
                "student_id": s2.pk,
                "status": "unprocessable_entity",
                "errors": {"status": ["is not included in the list"]},
            },
            {"index": 7, "student_id": s2.pk, "status": "ok"},
        ]
    }
    marks = {(m.student_id, m.period.number): m for m in ClassMark.objects.select_related("code", "period")}
    assert set(marks) == {(s0.pk, 1), (s2.pk, 3)}
    assert (marks[(s0.pk, 1)].code.mb_status, marks[(s0.pk, 1)].note) == (0, "Ill")
    assert {m.channel for m in marks.values()} == {"managebac"}
    entries = AuditEntry.objects.all()
    assert {(e.channel, e.changed_by_id) for e in entries} == {("managebac", teacher.pk)}


def test_put_upserts_and_reports_disabled_codes(world, monday, teacher, api_as):
    api = api_as(teacher)
    s0 = world.students[0]
    path = f"classes/{world.english.pk}/attendance"
    item = {"student_id": s0.pk, "date": str(monday), "period": 1, "status": 0}
    assert api.put(path, {"attendances": [item]}).json()["attendance"][0]["status"] == "ok"
    assert api.put(path, {"attendances": [{**item, "status": 2}]}).json()["attendance"][0]["status"] == "ok"
    assert ClassMark.objects.get().code.mb_status == 2
    custom = f.code(world.school, 15)
    assert not custom.enabled
    result = api.put(path, {"attendances": [{**item, "status": 15}]}).json()["attendance"][0]
    assert result["status"] == "unprocessable_entity" and list(result["errors"]) == ["status"]


def test_put_outside_the_class_dates_and_the_edit_window(world, teacher, api_as):
    api = api_as(teacher)
    path = f"classes/{world.english.pk}/attendance"
    s0 = world.students[0]
    late = f.last_weekday(world.school, 1, world.english.end_date + timedelta(days=10))
    old = f.last_weekday(world.school, 1, world.school.today() - timedelta(days=world.school.teacher_edit_days + 1))
    results = api.put(
        path,
        {
            "attendances": [
                {"student_id": s0.pk, "date": str(late), "period": 1, "status": 0},
                {"student_id": s0.pk, "date": str(old), "period": 1, "status": 0},
            ]
        },
    ).json()["attendance"]
    assert [r["status"] for r in results] == ["unprocessable_entity", "unprocessable_entity"]
    assert list(results[0]["errors"]) == ["date"] and list(results[1]["errors"]) == ["date"]
    assert not ClassMark.objects.exists()


def test_put_with_a_bad_body_is_400(world, teacher, api_as):
    api = api_as(teacher)
    path = f"classes/{world.english.pk}/attendance"
    invalid = {"error": "Invalid payload data structure."}
    for body in ["{not json", [], {"attendances": {"student_id": 1}}, {"attendances": [1, 2]}, {}]:
        response = api.put(path, body)
        assert response.status_code == 400, body
        assert response.json() == invalid
    response = api.client.put(
        api.url(path), data="attendances=1", content_type="application/x-www-form-urlencoded", headers=api.headers()
    )
    assert (response.status_code, response.json()) == (400, invalid)


def test_put_to_a_class_the_teacher_does_not_teach_is_404(world, monday, teacher, api_as):
    item = {"student_id": world.year8_students[0].pk, "date": str(monday), "period": 2, "status": 0}
    response = api_as(teacher).put(f"classes/{world.science.pk}/attendance", {"attendances": [item]})
    assert response.status_code == 404
    assert response.json() == {"error": f"Couldn't find Class with 'id'={world.science.pk}"}
    assert not ClassMark.objects.exists()


def test_timetable_hides_disabled_slots_unless_asked(world, teacher, api_as):
    TimetableSlot.objects.filter(school_class=world.english, weekday=5, period__number=3).update(
        enabled=False, location="Hall"
    )
    api = api_as(teacher)
    year = api.get(f"classes/{world.english.pk}/timetable").json()["timetable"]["academic_years"][0]
    assert year["id"] == world.english.academic_year_id and year["period_starts_count_from"] == 1
    assert len(year["slots"]) == 9
    assert year["slots"][0] == {"day": 1, "period": 1, "location": "Room 1", "enabled": True}
    slots = api.get(f"classes/{world.english.pk}/timetable", include_disabled="true").json()["timetable"]
    assert {"day": 5, "period": 3, "location": "Hall", "enabled": False} in slots["academic_years"][0]["slots"]


def test_labels_come_from_the_school_codes(world, taken_roll, teacher, api_as):
    AttendanceCode.objects.filter(school=world.school, mb_status=0).update(label="Away")
    body = api_as(teacher).get(f"classes/{world.english.pk}/attendance/date/{taken_roll}").json()
    assert body["students"][0]["attendance"]["3"]["status"] == "Away"
