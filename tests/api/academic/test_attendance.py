"""Course-offering attendance: the day rule, create and update, validation naming the field,
scopes, tokens, schools and visibility, and constant query counts."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from apps.api.academic.selectors import record_id
from apps.api.models import ApiClient
from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark, TimetableSlot
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.school.models import Teacher
from tests import factories as f


def body_for(school_class, student, day, status="present", **changes):
    body = {
        "course_offering_id": str(school_class.uuid),
        "teacher_assignment_id": str(school_class.assignments.order_by("pk").first().uuid),
        "course_enrollment_id": str(school_class.enrollments.get(student=student).uuid),
        "student_id": str(student.uuid),
        "attendance_date": day.isoformat(),
        "status": status,
    }
    body.update(changes)
    return body


@pytest.fixture
def monday(world):
    return f.last_weekday(world.school, 1)


def marks_of(student, day):
    return [
        (m.period.number, m.code.mb_status)
        for m in ClassMark.objects.filter(student=student, date=day).select_related("period", "code")
    ]


def test_create_sets_every_timetabled_period_then_a_second_post_updates(world, teacher, api_as, monday):
    api = api_as(teacher)
    student = world.students[0]

    created = api.post(body_for(world.english, student, monday, "late"))
    updated = api.post(body_for(world.english, student, monday, "absent"))

    assert created.status_code == 201 and updated.status_code == 200
    assert created.json()["id"] == updated.json()["id"]
    assert created.json()["id"] == str(record_id(world.english.enrollments.get(student=student).uuid, monday))
    assert updated.json()["status"] == "absent"
    assert sorted(marks_of(student, monday)) == [(1, 0), (3, 0)]  # English meets in periods 1 and 3
    mark = ClassMark.objects.filter(student=student).first()
    assert (mark.channel, mark.recorded_by) == ("academic", teacher)
    assert AuditEntry.objects.filter(channel="academic").count() == 4


def test_the_same_status_again_is_200_and_changes_nothing(world, teacher, api_as, monday):
    api = api_as(teacher)
    body = body_for(world.english, world.students[0], monday, "late")
    api.post(body)
    entries = AuditEntry.objects.count()
    assert api.post(body).status_code == 200
    assert AuditEntry.objects.count() == entries


def test_a_period_already_of_that_status_keeps_its_code_and_notes_are_kept(world, teacher, api_as, monday):
    student = world.students[0]
    health = f.code(world.school, 10)  # excused, like Excused (13)
    f.saved(
        record_class_marks(
            actor=None,
            school=world.school,
            marks=[ClassMarkInput(world.english.pk, student.pk, monday, 1, health.pk, note="dentist")],
            channel="web",
        )
    )
    assert api_as(teacher).post(body_for(world.english, student, monday, "excused")).status_code == 200
    marks = {m.period.number: m for m in ClassMark.objects.filter(student=student).select_related("period", "code")}
    assert (marks[1].code.mb_status, marks[1].note) == (10, "dentist")
    assert marks[3].code.mb_status == 13


def test_reading_reports_the_most_serious_mark_of_the_day(world, teacher, api_as, monday):
    student = world.students[0]
    codes = {n: f.code(world.school, n).pk for n in (0, 2, 13)}
    f.saved(
        record_class_marks(
            actor=None,
            school=world.school,
            marks=[
                ClassMarkInput(world.english.pk, student.pk, monday, 1, codes[2]),
                ClassMarkInput(world.english.pk, student.pk, monday, 3, codes[0]),
                ClassMarkInput(world.english.pk, student.pk, monday - timedelta(days=7), 1, codes[13]),
                ClassMarkInput(world.english.pk, student.pk, monday - timedelta(days=7), 3, codes[2]),
            ],
            channel="web",
        )
    )
    records = api_as(teacher).get(student_id=str(student.uuid)).json()
    assert [(r["attendance_date"], r["status"]) for r in records] == [
        (monday.isoformat(), "absent"),
        ((monday - timedelta(days=7)).isoformat(), "late"),
    ]


def test_other_codes_read_by_presence(world, teacher, api_as, monday):
    student = world.students[0]
    dismissed = f.code(world.school, 5)  # other, Absent
    f.saved(
        record_class_marks(
            actor=None,
            school=world.school,
            marks=[ClassMarkInput(world.english.pk, student.pk, monday, 1, dismissed.pk)],
            channel="web",
        )
    )
    assert api_as(teacher).get(student_id=str(student.uuid)).json()[0]["status"] == "absent"


def test_a_class_without_a_timetable_is_taken_in_period_1(world, teacher, api_as, monday):
    TimetableSlot.objects.filter(school_class=world.english).delete()
    assert api_as(teacher).post(body_for(world.english, world.students[0], monday, "absent")).status_code == 201
    assert marks_of(world.students[0], monday) == [(1, 0)]


def test_a_day_the_class_does_not_meet_is_422_on_the_date(world, teacher, api_as, monday):
    saturday = monday - timedelta(days=2)
    response = api_as(teacher).post(body_for(world.english, world.students[0], saturday))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "attendance_date"]
    assert not ClassMark.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"student_id": "not-a-uuid"}, "student_id"),
        ({"course_offering_id": "1234"}, "course_offering_id"),
        ({"course_enrollment_id": ""}, "course_enrollment_id"),
        ({"teacher_assignment_id": 7}, "teacher_assignment_id"),
        ({"status": "tardy"}, "status"),
        ({"status": 1}, "status"),
        ({"attendance_date": "15/03/2024"}, "attendance_date"),
    ],
)
def test_malformed_fields_are_422_naming_the_field(world, teacher, api_as, monday, change, field):
    response = api_as(teacher).post(body_for(world.english, world.students[0], monday, **change))
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", field]]
    assert not ClassMark.objects.exists()


def test_a_missing_field_is_422(world, teacher, api_as, monday):
    body = body_for(world.english, world.students[0], monday)
    del body["status"]
    response = api_as(teacher).post(body)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "status"], "msg": "This field is required.", "type": "missing"}
    ]


@pytest.mark.parametrize("body", ["not json", "[1, 2]"])
def test_a_body_that_is_not_a_json_object_is_422(world, teacher, api_as, body):
    response = api_as(teacher).post(body)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body"]


def test_the_student_must_be_the_enrollments(world, teacher, api_as, monday):
    body = body_for(world.english, world.students[0], monday, student_id=str(world.students[1].uuid))
    response = api_as(teacher).post(body)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "student_id"]


def test_the_teacher_assignment_must_be_of_that_class(world, teacher, api_as, monday):
    science_assignment = world.science.assignments.get()
    body = body_for(world.english, world.students[0], monday, teacher_assignment_id=str(science_assignment.uuid))
    response = api_as(teacher).post(body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "teacher_assignment_id"]


def test_an_unknown_enrollment_is_404(world, teacher, api_as, monday):
    body = body_for(world.english, world.students[0], monday, course_enrollment_id=str(uuid.uuid4()))
    response = api_as(teacher).post(body)
    assert response.status_code == 404 and "detail" in response.json()


def test_the_teacher_edit_window_is_kept(world, teacher, admin, api_as, monday):
    long_ago = monday - timedelta(days=28)
    response = api_as(teacher).post(body_for(world.english, world.students[0], long_ago))
    assert response.status_code == 403 and "days ago" in response.json()["detail"]
    assert api_as(admin).post(body_for(world.english, world.students[0], long_ago)).status_code == 201


# --- tokens, scopes, schools, visibility ------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Token abc"])
def test_no_or_bad_token_is_401(world, client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/academic/attendance", headers=headers)
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_is_401(world, teacher, api_as):
    api = api_as(teacher)
    ApiClient.objects.get(user=teacher).revoke()
    assert api.get().status_code == 401


def test_writing_needs_a_write_scope(world, teacher, api_as, monday):
    response = api_as(teacher, scopes=["read:attendance"]).post(body_for(world.english, world.students[0], monday))
    assert response.status_code == 403 and "write:attendance" in response.json()["detail"]
    assert not ClassMark.objects.exists()


def test_reading_needs_a_read_scope(world, teacher, api_as):
    response = api_as(teacher, scopes=["write:attendance"]).get()
    assert response.status_code == 403 and "read:attendance" in response.json()["detail"]


def test_all_scopes_are_wildcards(world, teacher, api_as, monday):
    api = api_as(teacher, scopes=["read:all", "write:all"])
    assert api.post(body_for(world.english, world.students[0], monday)).status_code == 201
    assert len(api.get().json()) == 1


def test_another_teachers_class_is_404(world, other_teacher, api_as, monday):
    api = api_as(other_teacher)
    assert api.post(body_for(world.english, world.students[0], monday)).status_code == 404
    assert api.get(course_offering_id=str(world.english.uuid)).status_code == 404
    assert not ClassMark.objects.exists()


def test_another_schools_ids_are_404(world, other_school_admin, api_as, monday):
    api = api_as(other_school_admin)
    assert api.post(body_for(world.english, world.students[0], monday)).status_code == 404
    assert api.get(student_id=str(world.students[0].uuid)).status_code == 404
    assert api.get(course_offering_id=str(world.english.uuid)).status_code == 404


def test_a_parent_reads_their_child_only(world, teacher, parent, api_as, monday):
    api_as(teacher).post(body_for(world.english, world.students[0], monday, "late"))
    api_as(teacher).post(body_for(world.english, world.students[1], monday, "absent"))
    family = api_as(parent)
    assert [r["status"] for r in family.get(student_id=str(world.students[0].uuid)).json()] == ["late"]
    assert [r["student_id"] for r in family.get().json()] == [str(world.students[0].uuid)]
    assert family.get(student_id=str(world.students[1].uuid)).status_code == 404
    assert family.post(body_for(world.english, world.students[0], monday)).status_code == 404


def test_a_teacher_reads_only_their_classes(world, teacher, other_teacher, api_as, monday):
    api_as(teacher).post(body_for(world.english, world.students[0], monday))
    assert api_as(other_teacher).get().json() == []


@pytest.fixture
def teacher_in_two_schools(world, teacher):
    """The teacher also teaches Far English at the other school."""
    far_self = Teacher.objects.create(school=world.other_school, first_name="Tess", last_name="Teacher", user=teacher)
    world.far_class.assignments.create(school=world.other_school, teacher=far_self)
    return teacher


def test_a_user_of_several_schools_names_one_with_x_school_id(world, teacher_in_two_schools, api_as, monday):
    api = api_as(teacher_in_two_schools)
    missing = api.get()
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["header", "x-school-id"]

    api.school_id = world.other_school.uuid
    far = api.post(body_for(world.far_class, world.far_students[0], monday, "absent"))
    assert far.status_code == 201 and far.json()["school_id"] == str(world.other_school.uuid)
    assert api.post(body_for(world.english, world.students[0], monday)).status_code == 404  # the other school's
    assert [r["course_offering_id"] for r in api.get().json()] == [str(world.far_class.uuid)]

    api.school_id = world.school.uuid
    assert api.post(body_for(world.english, world.students[0], monday)).status_code == 201


def test_x_school_id_must_be_one_of_the_users_schools(world, teacher, api_as):
    api = api_as(teacher, school_id=world.other_school.uuid)
    assert api.get().status_code == 404
    api.school_id = "not-a-uuid"
    response = api.get()
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["header", "x-school-id"]


def test_query_ids_must_be_uuids(world, teacher, api_as):
    response = api_as(teacher).get(student_id="12")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "student_id"]


def test_filters_by_course_offering(world, admin, api_as, monday):
    api = api_as(admin)
    api.post(body_for(world.english, world.students[0], monday, "late"))
    science_student = world.year8_students[0]
    api.post(body_for(world.science, science_student, monday, "absent"))
    english = api.get(course_offering_id=str(world.english.uuid)).json()
    both = api.get(student_id=str(world.students[0].uuid), course_offering_id=str(world.science.uuid)).json()
    assert [r["course_offering_id"] for r in english] == [str(world.english.uuid)]
    assert both == []
    assert len(api.get().json()) == 2


def test_reading_costs_the_same_queries_at_two_sizes(world, admin, api_as, monday, django_assert_num_queries):
    api = api_as(admin)
    api.get()  # the client's first use stamps last_used_at

    def take_roll(students, days):
        marks = [
            ClassMarkInput(
                world.english.pk, s.pk, monday - timedelta(days=7 * week), period, f.code(world.school, 0).pk
            )
            for s in students
            for week in range(days)
            for period in (1, 3)
        ]
        f.saved(record_class_marks(actor=None, school=world.school, marks=marks, channel="web"))

    take_roll(world.students, 1)
    with django_assert_num_queries(4) as small:
        assert len(api.get(course_offering_id=str(world.english.uuid)).json()) == 3
    extra = f.make_students(world.school, 20, world.year7, prefix="More")
    world.english.enrollments.bulk_create(
        [world.english.enrollments.model(school=world.school, school_class=world.english, student=s) for s in extra]
    )
    take_roll([*world.students, *extra], 5)
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(api.get(course_offering_id=str(world.english.uuid)).json()) == 23 * 5


def test_writing_costs_the_same_queries_in_a_small_and_a_large_class(
    world, teacher, api_as, monday, django_assert_num_queries, write_lock_queries
):
    api = api_as(teacher)
    api.get()
    # The first write reads the school's set-up, which later requests find kept (apps/school/memo.py).
    assert api.post(body_for(world.english, world.students[1], monday, "late")).status_code == 201
    small_body = body_for(world.english, world.students[0], monday, "late")
    # The write locks the day's marks before reading them, and the write path locks them again.
    # 16, and the 2 statements that recompute the term counts of the marks saved.
    with django_assert_num_queries(18 + 2 * write_lock_queries) as small:
        assert api.post(small_body).status_code == 201
    extra = f.make_students(world.school, 30, world.year7, prefix="More")
    world.english.enrollments.bulk_create(
        [world.english.enrollments.model(school=world.school, school_class=world.english, student=s) for s in extra]
    )
    large_body = body_for(world.english, extra[-1], monday, "late")
    with django_assert_num_queries(len(small.captured_queries)):
        assert api.post(large_body).status_code == 201


def test_a_date_outside_the_class_is_422_on_the_date(world, admin, api_as):
    before = world.english.start_date - timedelta(days=7)
    before -= timedelta(days=before.isoweekday() - 1)  # a Monday
    response = api_as(admin).post(body_for(world.english, world.students[0], before))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "attendance_date"]
