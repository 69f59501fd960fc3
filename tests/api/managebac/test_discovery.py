"""The endpoints a client uses to find ids, paging, and what each token may see."""

from __future__ import annotations

import pytest

from apps.school.models import Student, Term
from tests import factories as f


def ids(items) -> list[int]:
    return [item["id"] for item in items]


def test_teacher_token_sees_only_that_teachers_classes(world, teacher, api_as, prefix):
    api = api_as(teacher, prefix=prefix)
    body = api.get("classes").json()
    assert ids(body["classes"]) == [world.english.pk]
    english = body["classes"][0]
    assert english["teachers"] == [{"teacher_id": world.teacher.pk}]
    assert api.get(f"classes/{world.english.pk}").json() == {"class": english}
    for path in [
        f"classes/{world.science.pk}",
        f"classes/{world.science.pk}/students",
        f"classes/{world.science.pk}/timetable",
        f"classes/{world.science.pk}/attendance/date/{f.last_weekday(world.school)}",
    ]:
        response = api.get(path)
        assert (response.status_code, response.json()) == (
            404,
            {"error": f"Couldn't find Class with 'id'={world.science.pk}"},
        ), path


def test_admin_sees_the_school_and_not_the_other_school(world, admin, other_school_admin, api_as):
    assert ids(api_as(admin).get("classes").json()["classes"]) == [world.english.pk, world.science.pk]
    far = api_as(other_school_admin)
    assert ids(far.get("classes").json()["classes"]) == [world.far_class.pk]
    term = Term.objects.filter(school=world.school).first()
    for path, model, record in [
        (f"classes/{world.english.pk}", "Class", world.english.pk),
        (f"classes/{world.english.pk}/attendance/term/{term.pk}", "Class", world.english.pk),
        (f"students/{world.students[0].pk}", "Student", world.students[0].pk),
        (f"students/{world.students[0].pk}/excusals", "Student", world.students[0].pk),
        (f"year-groups/{world.year7.pk}/students", "YearGroup", world.year7.pk),
    ]:
        response = far.get(path)
        assert (response.status_code, response.json()) == (404, {"error": f"Couldn't find {model} with 'id'={record}"})


def test_class_term_ids(world, admin, api_as):
    english = api_as(admin).get(f"classes/{world.english.pk}").json()["class"]
    terms = list(Term.objects.filter(school=world.school).order_by("start_date"))
    assert (english["start_term_id"], english["end_term_id"]) == (terms[0].pk, terms[-1].pk)
    assert "uid" not in english and "grade" not in english  # blank values are left out, like nulls


def test_class_students_and_archived(world, teacher, api_as):
    api = api_as(teacher)
    Student.objects.filter(pk=world.students[2].pk).update(archived=True)
    body = api.get(f"classes/{world.english.pk}/students").json()
    assert sorted(body["student_ids"]) == [s.pk for s in world.students[:2]]
    assert body["meta"]["total_count"] == 2
    assert len(api.get(f"classes/{world.english.pk}/students", archived_students="true").json()["student_ids"]) == 3


def test_students(world, teacher, parent, api_as):
    body = api_as(teacher).get("students").json()
    assert ids(body["students"]) == [s.pk for s in world.students]
    first = body["students"][0]
    assert first == {
        "id": world.students[0].pk,
        "first_name": "Y7000",
        "last_name": "Pupil000",
        "student_id": "Y700000",
        "year_group_id": world.year7.pk,
        "archived": False,
        "parent_ids": [world.parent.pk],
    }
    assert api_as(teacher).get(f"students/{world.students[0].pk}").json() == {"student": first}
    assert ids(api_as(parent).get("students").json()["students"]) == [world.students[0].pk]


def test_year_groups(world, teacher, admin, api_as):
    body = api_as(teacher).get("year-groups").json()
    assert body["year_groups"] == [
        {"id": world.year7.pk, "name": "Year 7", "grade": "7", "student_ids": [s.pk for s in world.students]}
    ]
    assert ids(api_as(admin).get("year-groups").json()["year_groups"]) == [world.year7.pk, world.year8.pk]
    students = api_as(teacher).get(f"year-groups/{world.year7.pk}/students").json()
    assert ids(students["students"]) == [s.pk for s in world.students]
    assert api_as(teacher).get(f"year-groups/{world.year8.pk}/students").status_code == 404


def test_academic_years(world, teacher, api_as):
    body = api_as(teacher).get("school/academic-years").json()
    [year] = body["academic_years"]["school"]["academic_years"]
    terms = list(Term.objects.filter(school=world.school).order_by("start_date"))
    assert year["id"] == terms[0].academic_year_id
    assert [t["id"] for t in year["academic_terms"]] == [t.pk for t in terms]
    assert year["academic_terms"][0] == {
        "id": terms[0].pk,
        "name": terms[0].name,
        "starts_on": str(terms[0].start_date),
        "ends_on": str(terms[0].end_date),
    }


@pytest.fixture
def crowd(world):
    """Seven more Year 7 students: ten the teacher (Year 7's advisor) may see."""
    return f.make_students(world.school, 7, world.year7, prefix="Extra")


@pytest.mark.parametrize(
    "params, page_ids, meta",
    [
        ({}, slice(0, 10), {"current_page": 1, "total_pages": 1, "total_count": 10, "per_page": 100}),
        ({"per_page": 4}, slice(0, 4), {"current_page": 1, "total_pages": 3, "total_count": 10, "per_page": 4}),
        (
            {"per_page": 4, "page": 3},
            slice(8, 10),
            {"current_page": 3, "total_pages": 3, "total_count": 10, "per_page": 4},
        ),
        (
            {"per_page": 4, "page": 4},
            slice(0, 0),
            {"current_page": 4, "total_pages": 3, "total_count": 10, "per_page": 4},
        ),
        ({"per_page": 500}, slice(0, 10), {"current_page": 1, "total_pages": 1, "total_count": 10, "per_page": 200}),
        (
            {"per_page": 0, "page": -2},
            slice(0, 10),
            {"current_page": 1, "total_pages": 1, "total_count": 10, "per_page": 100},
        ),
        (
            {"per_page": "x", "page": "y"},
            slice(0, 10),
            {"current_page": 1, "total_pages": 1, "total_count": 10, "per_page": 100},
        ),
    ],
)
def test_paging(world, crowd, teacher, api_as, params, page_ids, meta):
    everyone = sorted(s.pk for s in [*world.students, *crowd])
    body = api_as(teacher).get("students", **params).json()
    assert ids(body["students"]) == everyone[page_ids]
    assert body["meta"] == meta


def test_empty_list(db, api_as):
    lonely = f.make_admin(f.make_school("Empty School"), "lonely_admin").user
    body = api_as(lonely).get("students").json()
    assert body == {"students": [], "meta": {"current_page": 1, "total_pages": 0, "total_count": 0, "per_page": 100}}


def test_per_page_over_200_is_clamped_on_a_long_list(world, admin, api_as):
    f.make_students(world.school, 205, world.year8, prefix="Many")
    api = api_as(admin)
    first = api.get("students", per_page=1000).json()
    assert len(first["students"]) == 200
    assert first["meta"] == {"current_page": 1, "total_pages": 2, "total_count": 209, "per_page": 200}
    second = api.get("students", per_page=1000, page=2).json()
    assert len(second["students"]) == 9
