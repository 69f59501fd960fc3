"""Exports in the shapes school systems really write (tests/roster/exports/README.md): each
imports, says what it did not take, and a second import changes nothing."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.contrib.auth import get_user_model

from apps.classes.models import Enrollment, SchoolClass
from apps.roster.report import RosterError
from apps.roster.services import import_roster
from apps.school.models import AcademicYear, Administrator, Parent, School, Student, Teacher, Term, YearGroup
from tests.roster.csvs import EXPORTS, append_rows, copy_export, edit_rows, rows_of, snapshot, totals, write

User = get_user_model()
WEEKDAYS = range(1, 6)


def slots(school_class: SchoolClass) -> list[tuple[int, int]]:
    return sorted(school_class.slots.filter(enabled=True).values_list("weekday", "period__number"))


def assert_second_import_changes_nothing(source) -> None:
    before = snapshot()
    report = import_roster(source)
    assert totals(report, "created") == totals(report, "updated") == 0
    assert totals(report, "archived") == totals(report, "removed") == 0
    assert snapshot() == before


@pytest.mark.django_db
def test_a_1_1_export_of_terms_only_gets_its_school_year_from_their_dates():
    report = import_roster(EXPORTS / "terms-only")

    school = School.objects.get()
    assert school.name == "さくら高等学校"
    year = AcademicYear.objects.get()
    assert (year.name, year.start_date, year.end_date, year.sourced_id) == (
        "2026-2027",
        date(2026, 4, 6),
        date(2027, 3, 19),
        "schoolYear:2026",
    )
    assert sorted(Term.objects.values_list("name", "academic_year_id")) == [
        ("2026年度 前期", year.pk),
        ("2026年度 後期", year.pk),
        ("2026年度 通年", year.pk),
    ]
    assert (
        "academicSessions.csv line 2: no schoolYear session for schoolYear 2026: the school year 2026-2027 "
        "(2026-04-06 to 2027-03-19) is made from its terms' dates"
    ) in report.warnings
    assert Student.objects.get(sourced_id="us0002").last_name == "鈴木"
    assert_second_import_changes_nothing(EXPORTS / "terms-only")


@pytest.mark.django_db
def test_enumerations_in_any_letter_case_crlf_a_bom_and_a_blank_file():
    report = import_roster(EXPORTS / "upper-case")

    school = School.objects.get()
    assert (school.name, school.number) == ("Hillside High", 4021)
    biology = SchoolClass.objects.get(sourced_id="C-BIO")  # classType "Scheduled"
    assert slots(biology) == [(day, 2) for day in WEEKDAYS]
    assert set(biology.slots.values_list("location", flat=True)) == {"Lab 2,\r\nNorth wing"}  # a quoted newline
    year_group = YearGroup.objects.get()  # classType "HOMEROOM"
    assert (year_group.name, year_group.grade) == ("Homeroom 10", "10")
    assert sorted(year_group.students.values_list("sourced_id", flat=True)) == ["U1", "U2"]
    assert [t.sourced_id for t in year_group.advisors.all()] == ["T1"]  # role "TEACHER"
    assert sorted(biology.enrollments.values_list("student__sourced_id", flat=True)) == ["U1", "U2"]
    assert list(biology.teachers.values_list("sourced_id", flat=True)) == ["T1"]
    ben = Student.objects.get(sourced_id="U1")  # role "Student", enabledUser "True"
    assert ben.user.is_active and ben.student_number == "1001"
    # Parents linked both ways: Dora names her child, Ben names his guardian.
    assert [c.sourced_id for c in Parent.objects.get(sourced_id="G1").children.all()] == ["U2"]
    assert [c.sourced_id for c in Parent.objects.get(sourced_id="G2").children.all()] == ["U1"]
    assert Term.objects.count() == 2 and report.warnings == []
    assert_second_import_changes_nothing(EXPORTS / "upper-case")


@pytest.mark.django_db
def test_a_1_2_export_with_roles_a_department_and_user_profiles():
    report = import_roster(EXPORTS / "v1.2")

    school = School.objects.get()
    assert (school.name, school.number, school.uuid) == (
        "Riverside Middle School",
        7301,
        uuid.UUID("3f2a1c9e-0000-4000-8000-00000000a001"),
    )
    # The class names the science department: it is the school's class.
    science = SchoolClass.objects.get(name="Life Science 7")
    assert science.school == school and science.uuid == uuid.UUID("7e6f5a4b-0000-4000-8000-000000000c01")
    assert slots(science) == [(1, 1), (3, 1), (5, 1)]  # periods "M1 W1 F1"
    # Roles come from roles.csv: a site administrator runs the school, an aide has no place.
    admin = Administrator.objects.get()
    assert admin.user.username == "office.riverside" and admin.user.check_password("Office-Pass-7301")
    assert "roles.csv line 5: role 'aide' has no place in Rollbook; skipped" in report.warnings
    assert not User.objects.filter(username="aide.lee").exists()
    teacher = Teacher.objects.get()  # a primary and a secondary role: one teacher
    assert teacher.user.username == "r.hughes"
    # OneRoster 1.0's "inactive": archived, login off.
    jon = Student.objects.get(first_name="Jon")
    assert jon.archived and not jon.user.is_active
    # The guardian names the child; the enrollment names a student's GUID in capitals.
    mila = Student.objects.get(first_name="Mila")
    assert [p.first_name for p in mila.parents.all()] == ["Petra"]
    assert sorted(science.enrollments.values_list("student__first_name", flat=True)) == ["Jon", "Mila", "Sora"]
    homeroom = YearGroup.objects.get()
    assert sorted(homeroom.students.values_list("first_name", flat=True)) == ["Mila", "Sora"]
    assert list(homeroom.advisors.all()) == [teacher]
    # A term that starts before its school year is kept, and said.
    assert any("Trimester 1 (2026-08-17 to 2026-11-20) is not within its school year" in w for w in report.warnings)
    assert Term.objects.count() == 3 and AcademicYear.objects.count() == 1
    assert_second_import_changes_nothing(EXPORTS / "v1.2")


@pytest.mark.django_db
def test_a_1_2_delta_removes_an_administrator_role_and_archives_a_student_role(tmp_path):
    import_roster(EXPORTS / "v1.2")
    delta = copy_export("v1.2", tmp_path)
    header, rows = rows_of(delta, "manifest")
    keep = {"file.roles": "delta", "file.users": "delta"}
    write(delta, "manifest", header, [[k, keep.get(k, "absent" if k.startswith("file.") else v)] for k, v in rows])
    header, rows = rows_of(delta, "roles")
    write(delta, "roles", header, [r for r in rows if r[0] in ("r-03", "r-05")])
    edit_rows(delta, "roles", "r-03", status="tobedeleted")
    edit_rows(delta, "roles", "r-05", status="tobedeleted")
    header, rows = rows_of(delta, "users")
    # A user named by no role in this delta keeps the places Rollbook has for them.
    write(delta, "users", header, [r for r in rows if r[6] in ("Omar", "Sora", "Rhiannon")])
    edit_rows(delta, "users", "9a8b7c6d-0000-4000-8000-000000000101", familyName="Hughes-Ward")

    report = import_roster(delta)

    assert not Administrator.objects.exists() and report.removed["administrators"] == 1
    assert Student.objects.get(first_name="Sora").archived and report.archived["students"] == 1
    assert Teacher.objects.get().last_name == "Hughes-Ward" and report.updated["teachers"] == 1
    assert Student.objects.count() == 3 and Enrollment.objects.count() == 3


@pytest.mark.django_db
def test_a_1_2_users_file_in_the_1_1_shape_is_read_without_roles_csv(tmp_path):
    """Some producers label an export 1.2 and keep 1.1's role and orgSourcedIds in users.csv."""
    export = copy_export("upper-case", tmp_path)
    edit_rows(export, "manifest", "oneroster.version", value="1.2")

    import_roster(export)

    assert Student.objects.count() == 2 and Parent.objects.count() == 2


@pytest.mark.django_db
def test_a_class_of_a_department_of_no_school_is_refused_once_at_the_department(tmp_path):
    export = copy_export("v1.2", tmp_path)
    edit_rows(export, "orgs", "3f2a1c9e-0000-4000-8000-00000000de01", parentSourcedId="nowhere")

    with pytest.raises(RosterError) as refused:
        import_roster(export)

    assert refused.value.errors == [
        "orgs.csv line 4: department 'Science Department' belongs to 'nowhere', "
        "which is not a school in this export or the database"
    ]
    assert School.objects.count() == 0


@pytest.mark.django_db
def test_a_user_enrolled_in_a_role_they_do_not_have_is_refused_with_both_rows(tmp_path):
    export = copy_export("terms-only", tmp_path)
    append_rows(
        export,
        "enrollments",
        {"sourcedId": "en9", "classSourcedId": "cl0003", "schoolSourcedId": "or0001", "userSourcedId": "us0002"},
    )
    edit_rows(export, "enrollments", "en9", role="teacher")

    with pytest.raises(RosterError) as refused:
        import_roster(export)

    assert refused.value.errors == [
        "users.csv line 3: user 'us0002' is a student, and enrollments.csv enrolls them as a teacher",
        "enrollments.csv line 8: user 'us0002' is not a teacher of さくら高等学校",
    ]
