"""The OneRoster roster import: the real Ed-Fi sample with its flaws, re-imports, refusals."""

from __future__ import annotations

import io
import shutil
import uuid
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from apps.classes.models import Enrollment, SchoolClass, TeacherAssignment, TimetableSlot
from apps.roster import files
from apps.roster.report import RosterError
from apps.roster.services import import_roster
from apps.school.models import (
    AcademicYear,
    Administrator,
    AttendanceCode,
    Guardianship,
    Parent,
    Period,
    School,
    Student,
    Teacher,
    Term,
    YearGroup,
)
from tests.roster.csvs import append_rows, edit_rows, rows_of, table_counts, totals, write

SAMPLE = Path(__file__).resolve().parent / "oneroster" / "edfi-sample"  # unchanged, see the README there

User = get_user_model()
ENGLISH = "25590100101Trad120ENG112011"
ALGEBRA = "25590100102Trad220ALG112011"
SCHOOL = "255901001"
FALL = "255901001_2021_2020-2021_Fall"
SPRING = "255901001_2021_2020-2021_Spring"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def export(tmp_path):
    """A copy of the sample that a test may change."""
    folder = tmp_path / "export"
    shutil.copytree(SAMPLE, folder)
    return folder


def student_row(sourced_id: str, given: str, family: str, **more: str) -> dict[str, str]:
    return {
        "sourcedId": sourced_id,
        "enabledUser": "true",
        "orgSourcedIds": SCHOOL,
        "role": "student",
        "username": f"{given} {family}",
        "givenName": given,
        "familyName": family,
        **more,
    }


def enrollment_row(sourced_id: str, class_id: str, user_id: str, role: str = "student", **more) -> dict[str, str]:
    return {
        "sourcedId": sourced_id,
        "classSourcedId": class_id,
        "schoolSourcedId": SCHOOL,
        "userSourcedId": user_id,
        "role": role,
        **more,
    }


@pytest.mark.django_db
def test_the_real_sample_loads_with_its_flaws():
    report = import_roster(SAMPLE)

    school = School.objects.get()
    assert (school.name, school.sourced_id) == ("Grand Bend High School", SCHOOL)
    assert school.number >= 1  # no identifier in the sample: a free number
    assert AttendanceCode.objects.filter(school=school).count() == 16  # seeded by the School signal

    year = AcademicYear.objects.get()
    assert (year.name, year.start_date, year.end_date) == (
        "2020-2021 School Year",
        date(2020, 8, 17),
        date(2021, 5, 28),
    )
    # The semesters have no parentSourcedId: they land in the year whose dates contain them.
    assert [(t.name, t.start_date, t.end_date, t.academic_year_id) for t in Term.objects.all()] == [
        ("2020-2021 Fall Semester", date(2020, 8, 17), date(2020, 12, 18), year.pk),
        ("2020-2021 Spring Semester", date(2021, 1, 4), date(2021, 5, 28), year.pk),
    ]

    english = SchoolClass.objects.get(sourced_id=ENGLISH)
    assert (english.name, english.code, english.subject, english.grade) == (
        "ENG-1",
        "English I",
        "English/Language Arts I (9th grade)",
        "09",
    )
    assert (english.academic_year, english.start_date, english.end_date) == (year, date(2020, 8, 17), date(2021, 5, 28))
    assert sorted(english.slots.values_list("weekday", "period__number", "location", "enabled")) == [
        (day, 1, "120", True) for day in range(1, 6)
    ]
    algebra = SchoolClass.objects.get(sourced_id=ALGEBRA)
    assert sorted(algebra.slots.values_list("weekday", "period__number")) == [(day, 2) for day in range(1, 6)]
    assert sorted(Period.objects.values_list("number", flat=True)) == [1, 2]

    assert Student.objects.count() == 8
    mary = Student.objects.get(sourced_id="604863")
    assert (mary.first_name, mary.last_name, mary.email) == ("Mary", "Archer", "Mary.Archer@studentgps.org")
    assert mary.student_number == "863"  # from userIds "{Local:863}"
    assert mary.user.username == "Mary.Archer"  # "Mary Archer": spaces become dots
    assert not mary.user.has_usable_password()  # the sample has no passwords
    peter = Student.objects.get(sourced_id="604918")
    assert (peter.middle_name, peter.user.username) == ("Ivan", "Peter.Ivan.Nash")

    # The teacher rows carry one empty field more than the header.
    assert sorted(Teacher.objects.values_list("last_name", flat=True)) == ["Christian", "Preston"]
    preston = Teacher.objects.get(sourced_id="207268")
    assert list(english.teachers.all()) == [preston]
    assert preston.user.username == "Sara.Stacy.Preston"

    # Two per-semester enrollments of a student in a class become one, spanning both.
    assert Enrollment.objects.count() == 10
    assert sorted(english.enrollments.values_list("student__sourced_id", flat=True)) == [
        "604863",
        "604874",
        "604969",
        "604974",
        "605015",
    ]
    assert sorted(algebra.enrollments.values_list("student__sourced_id", flat=True)) == [
        "604863",
        "604874",
        "604918",
        "604927",
        "604938",
    ]
    enrollment = Enrollment.objects.get(school_class=english, student=mary)
    assert (enrollment.start_date, enrollment.end_date) == (date(2020, 8, 17), date(2021, 5, 28))
    assert enrollment.sourced_id == "6F4283DC-F831-4437-A9A3-E030C7AF0493"  # the earliest part's
    assert enrollment.uuid == uuid.UUID("6F4283DC-F831-4437-A9A3-E030C7AF0493")
    assignment = TeacherAssignment.objects.get(school_class=english)
    assert assignment.uuid == uuid.UUID("0F465D5B-AFAB-43EB-8BE6-FFF394581900")

    assert report.created["students"] == 8 and report.created["enrollments"] == 10
    assert report.created["timetable slots"] == 10 and report.created["logins"] == 10
    assert totals(report, "updated") == totals(report, "archived") == 0


@pytest.mark.django_db
def test_a_zip_of_the_sample_loads(tmp_path):
    archive = tmp_path / "roster.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for file in SAMPLE.iterdir():
            zipped.write(file, f"export-2021/{file.name}")  # many exports wrap their files in a folder
        zipped.writestr("../../evil/users.csv", "sourcedId\n")  # never extracted, never read
        zipped.writestr("a/b/c/users.csv", "sourcedId\n")

    report = import_roster(archive)

    assert report.created["students"] == 8
    assert Enrollment.objects.count() == 10


@pytest.mark.django_db
def test_a_zip_member_larger_than_the_limit_is_refused(tmp_path, monkeypatch):
    archive = tmp_path / "roster.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for file in SAMPLE.iterdir():
            zipped.write(file, file.name)
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1000)

    with pytest.raises(RosterError) as refused:
        import_roster(archive)

    assert refused.value.errors == ["users.csv: larger than 0 MB"]  # the first file over 1000 bytes
    assert School.objects.count() == 0


@pytest.mark.django_db
def test_a_second_import_of_the_same_export_changes_nothing():
    import_roster(SAMPLE)
    before = table_counts()
    ids = sorted(Enrollment.objects.values_list("id", "uuid", "start_date", "end_date"))

    report = import_roster(SAMPLE)

    assert totals(report, "created") == totals(report, "updated") == totals(report, "archived") == 0
    assert totals(report, "removed") == 0
    assert table_counts() == before
    assert sorted(Enrollment.objects.values_list("id", "uuid", "start_date", "end_date")) == ids


@pytest.mark.django_db
def test_a_newer_export_updates_archives_and_creates(export):
    import_roster(SAMPLE)
    kyle = Student.objects.get(sourced_id="604874")
    kyle_enrollment_ids = set(kyle.enrollments.values_list("id", flat=True))
    edit_rows(export, "users", "604863", familyName="Archer-Bell")
    edit_rows(export, "users", "604927", status="tobedeleted")
    edit_rows(export, "orgs", SCHOOL, name="Grand Bend High")
    edit_rows(export, "classes", ALGEBRA, periods="2,3")
    append_rows(
        export,
        "users",
        student_row("605100", "Nora", "Quinn"),
        {
            "sourcedId": "700001",
            "enabledUser": "true",
            "orgSourcedIds": SCHOOL,
            "role": "guardian",
            "username": "nora.guardian",
            "givenName": "Ruth",
            "familyName": "Quinn",
            "agentSourcedIds": "605100",
            "password": "s3cret-pass",
        },
    )
    append_rows(
        export,
        "enrollments",
        enrollment_row("E-605100", ENGLISH, "605100", beginDate="2021-01-04", endDate="2021-05-28"),
    )

    report = import_roster(export)

    mary = Student.objects.get(sourced_id="604863")
    assert mary.last_name == "Archer-Bell" and mary.user.last_name == "Archer-Bell"
    larry = Student.objects.get(sourced_id="604927")
    assert larry.archived and not larry.user.is_active
    assert School.objects.get().name == "Grand Bend High"
    nora = Student.objects.get(sourced_id="605100")
    assert nora.enrollments.get().start_date == date(2021, 1, 4)
    guardian = Parent.objects.get(sourced_id="700001")
    assert list(guardian.children.all()) == [nora]
    assert guardian.user.check_password("s3cret-pass")
    algebra = SchoolClass.objects.get(sourced_id=ALGEBRA)
    assert sorted(algebra.slots.values_list("weekday", "period__number")) == sorted(
        [(day, 2) for day in range(1, 6)] + [(day, 3) for day in range(1, 6)]
    )
    assert set(Student.objects.get(sourced_id="604874").enrollments.values_list("id", flat=True)) == (
        kyle_enrollment_ids
    )

    assert report.updated["students"] == 1 and report.archived["students"] == 1
    assert report.created["students"] == 1 and report.created["parents"] == 1
    assert report.created["guardianships"] == 1 and report.created["enrollments"] == 1
    assert report.updated["schools"] == 1 and report.created["periods"] == 1
    assert report.created["timetable slots"] == 5
    assert report.updated["logins"] == 1 and report.archived["logins"] == 1 and report.created["logins"] == 2
    assert report.created["classes"] == report.updated["classes"] == 0


@pytest.mark.django_db
def test_a_period_dropped_from_a_class_disables_its_slots(export):
    import_roster(SAMPLE)
    edit_rows(export, "classes", ENGLISH, periods="Periods 4 and 5")

    report = import_roster(export)

    english = SchoolClass.objects.get(sourced_id=ENGLISH)
    assert sorted(english.slots.filter(enabled=True).values_list("weekday", "period__number")) == sorted(
        (day, period) for day in range(1, 6) for period in (4, 5)
    )
    assert english.slots.filter(enabled=False, period__number=1).count() == 5
    assert report.archived["timetable slots"] == 5 and report.created["timetable slots"] == 10


@pytest.mark.django_db
def test_tobedeleted_classes_enrollments_and_assignments(export):
    import_roster(SAMPLE)
    mary = Student.objects.get(sourced_id="604863")
    edit_rows(export, "classes", ALGEBRA, status="tobedeleted")
    # Both semesters of Mary in English are deleted: the enrollment goes; marks would stay.
    edit_rows(export, "enrollments", "6F4283DC-F831-4437-A9A3-E030C7AF0493", status="tobedeleted")
    edit_rows(export, "enrollments", "12379415-A8B2-435C-BD6A-C39C6DA0B454", status="tobedeleted")
    # Only the autumn part of Kyle in English: his enrollment shrinks to the spring.
    edit_rows(export, "enrollments", "B3599829-090C-4BC5-AA59-15E90427A7BA", status="tobedeleted")
    edit_rows(export, "enrollments", "0F465D5B-AFAB-43EB-8BE6-FFF394581900", status="tobedeleted")
    edit_rows(export, "enrollments", "54AFE73B-66E5-451E-B681-013D9865EA27", status="tobedeleted")

    report = import_roster(export)

    assert SchoolClass.objects.get(sourced_id=ALGEBRA).archived
    english = SchoolClass.objects.get(sourced_id=ENGLISH)
    assert not english.enrollments.filter(student=mary).exists()
    kyle = english.enrollments.get(student__sourced_id="604874")
    assert (kyle.start_date, kyle.end_date, kyle.sourced_id) == (
        date(2021, 1, 4),
        date(2021, 5, 28),
        "BC2ABC3B-BE0A-41C1-AE69-BAFEFA985320",
    )
    assert not english.teachers.exists()
    assert report.archived["classes"] == 1
    assert report.removed["enrollments"] == 1 and report.updated["enrollments"] == 1
    assert report.removed["teacher assignments"] == 1


@pytest.mark.django_db
def test_a_bad_row_is_refused_with_file_and_line_and_nothing_saved(export):
    import_roster(SAMPLE)
    edit_rows(export, "orgs", SCHOOL, name="Renamed")
    edit_rows(export, "users", "604927", role="wizard")  # line 5 of users.csv
    before = table_counts()

    with pytest.raises(CommandError) as refused:
        call_command("import_oneroster", str(export), stdout=io.StringIO())

    assert "users.csv line 5: role 'wizard' is not a OneRoster role" in str(refused.value)
    assert "nothing was saved" in str(refused.value)
    assert table_counts() == before
    assert School.objects.get().name == "Grand Bend High School"


@pytest.mark.django_db
def test_a_bad_reference_found_after_writes_began_rolls_everything_back(export):
    edit_rows(export, "orgs", SCHOOL, name="Renamed")
    append_rows(export, "enrollments", enrollment_row("E-X", ENGLISH, "999999"))
    before = table_counts()

    with pytest.raises(RosterError) as refused:
        import_roster(export)

    assert refused.value.errors == ["enrollments.csv line 26: user '999999' is not a student of Renamed"]
    assert table_counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("file", "sourced_id", "changes", "error"),
    [
        ("users", "207270", {"sms": "x"}, "users.csv line 10: has 19 fields, the header has 18"),
        (
            "users",
            "604863",
            {"email": "not-an-email"},
            "users.csv line 2: email 'not-an-email' is not an email address",
        ),
        ("users", "604863", {"status": "gone"}, "users.csv line 2: status 'gone' is not active or tobedeleted"),
        (
            "academicSessions",
            FALL,
            {"endDate": "2020-18-12"},
            "academicSessions.csv line 3: endDate '2020-18-12' is not a date (YYYY-MM-DD)",
        ),
        (
            "academicSessions",
            FALL,
            {"endDate": "9999-12-31"},
            "academicSessions.csv line 3: endDate '9999-12-31' must be between 1900-01-01 and 2200-12-31",
        ),
        ("classes", ENGLISH, {"classType": "lab"}, "classes.csv line 2: classType 'lab' is not a OneRoster class type"),
        (
            "classes",
            ENGLISH,
            {"termSourcedIds": "nope"},
            "classes.csv line 2: term 'nope' is not in academicSessions.csv or the database",
        ),
        (
            "enrollments",
            "6F4283DC-F831-4437-A9A3-E030C7AF0493",
            {"classSourcedId": "nope"},
            "enrollments.csv line 2: class 'nope' is not a class of Grand Bend High School",
        ),
        (
            "enrollments",
            "7381FA73-FC6A-42C8-8951-32346DEB84E1",
            {"role": "student"},
            "enrollments.csv line 22: user '207270' is not a student of Grand Bend High School",
        ),
    ],
)
def test_bad_rows_are_refused(export, file, sourced_id, changes, error):
    if file == "users" and "sms" in changes:
        header, rows = rows_of(export, "users")
        rows[8][-1] = "surprise"  # the trailing extra field is no longer empty
        write(export, "users", header, rows)
    else:
        edit_rows(export, file, sourced_id, **changes)

    with pytest.raises(RosterError) as refused:
        import_roster(export)

    assert error in refused.value.errors
    assert table_counts()["School"] == 0


@pytest.mark.django_db
def test_every_bad_row_is_listed_not_just_the_first(export):
    edit_rows(export, "users", "604863", role="wizard")
    edit_rows(export, "users", "604874", enabledUser="maybe")

    with pytest.raises(RosterError) as refused:
        import_roster(export)

    assert refused.value.errors == [
        "users.csv line 2: role 'wizard' is not a OneRoster role",
        "users.csv line 3: enabledUser 'maybe' is not true or false",
    ]


@pytest.mark.django_db
def test_a_missing_required_file_is_refused(export):
    (export / "enrollments.csv").unlink()

    with pytest.raises(CommandError) as refused:
        call_command("import_oneroster", str(export))

    assert "enrollments.csv: missing (the manifest lists it as bulk)" in str(refused.value)
    assert School.objects.count() == 0


@pytest.mark.django_db
def test_a_file_the_manifest_calls_absent_may_be_missing(export):
    header, rows = rows_of(export, "manifest")
    rows = [["file.courses", "absent"] if row[0] == "file.courses" else row for row in rows]
    write(export, "manifest", header, rows)
    (export / "courses.csv").unlink()

    assert import_roster(export).created["classes"] == 2


@pytest.mark.django_db
def test_a_folder_without_a_manifest_is_refused(tmp_path):
    with pytest.raises(RosterError) as refused:
        import_roster(tmp_path)

    assert refused.value.errors == ["manifest.csv: missing (is this a OneRoster CSV export?)"]


@pytest.mark.django_db
def test_an_unknown_oneroster_version_is_refused(export):
    # 1.2 is read since issue 17 (tests/roster/test_shapes.py); 2.0 does not exist.
    edit_rows(export, "manifest", "oneroster.version", value="2.0")

    with pytest.raises(RosterError) as refused:
        import_roster(export)

    assert refused.value.errors == ["manifest.csv line 3: oneroster.version '2.0' is not 1.1 or 1.2"]


@pytest.mark.django_db
def test_a_missing_column_is_refused(export):
    header, rows = rows_of(export, "users")
    write(export, "users", [c if c != "role" else "rol" for c in header], rows)

    with pytest.raises(RosterError) as refused:
        import_roster(export)

    assert refused.value.errors == ["users.csv line 1: missing column(s) role"]


@pytest.mark.django_db
def test_parents_are_linked_from_either_side(export):
    append_rows(
        export,
        "users",
        # The parent names the child …
        {
            "sourcedId": "P1",
            "enabledUser": "true",
            "orgSourcedIds": SCHOOL,
            "role": "parent",
            "givenName": "Pam",
            "familyName": "Archer",
            "agentSourcedIds": "604863",
        },
        # … or the child names the guardian (a relative with no org of their own).
        {
            "sourcedId": "P2",
            "enabledUser": "true",
            "orgSourcedIds": "",
            "role": "relative",
            "username": "Gran Hughes",
            "givenName": "Gran",
            "familyName": "Hughes",
        },
    )
    edit_rows(export, "users", "604874", agentSourcedIds="P2")

    report = import_roster(export)

    pam, gran = Parent.objects.get(sourced_id="P1"), Parent.objects.get(sourced_id="P2")
    assert [s.sourced_id for s in pam.children.all()] == ["604863"]
    assert [s.sourced_id for s in gran.children.all()] == ["604874"]
    assert pam.user is None  # no username, no login
    assert gran.user.username == "Gran.Hughes" and not gran.user.has_usable_password()
    assert report.created["guardianships"] == 2

    # A newer bulk export where Kyle no longer names Gran removes that link, nothing else.
    edit_rows(export, "users", "604874", agentSourcedIds="")
    report = import_roster(export)

    assert not gran.children.exists() and pam.children.count() == 1
    assert report.removed["guardianships"] == 1


@pytest.mark.django_db
def test_uuid_sourced_ids_become_uuids(export):
    school_uuid, student_uuid, class_uuid = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for name in ("orgs", "classes", "users", "enrollments", "academicSessions"):
        path = export / f"{name}.csv"
        text = path.read_text(encoding="utf-8")
        text = text.replace(ENGLISH, str(class_uuid).upper())  # before SCHOOL, which it starts with
        text = text.replace(SCHOOL, str(school_uuid)).replace("604863", str(student_uuid))
        path.write_text(text, encoding="utf-8")

    import_roster(export)

    assert School.objects.get().uuid == school_uuid
    assert Student.objects.get(first_name="Mary").uuid == student_uuid
    assert SchoolClass.objects.get(name="ENG-1").uuid == class_uuid
    assert Student.objects.get(first_name="Kyle").uuid != student_uuid
    assert import_roster(export).created["students"] == 0  # found again by sourcedId


@pytest.mark.django_db
def test_passwords_are_set_and_changed(export):
    edit_rows(export, "users", "604863", password="first-Pass-1")
    import_roster(export)
    mary = Student.objects.get(sourced_id="604863").user
    assert mary.check_password("first-Pass-1")

    assert import_roster(export).updated["logins"] == 0  # the same password is not a change

    edit_rows(export, "users", "604863", password="")
    assert import_roster(export).updated["logins"] == 0  # an empty column keeps the password
    edit_rows(export, "users", "604863", password="second-Pass-2")
    assert import_roster(export).updated["logins"] == 1
    mary.refresh_from_db()
    assert mary.check_password("second-Pass-2")


@pytest.mark.django_db
def test_an_existing_login_is_never_taken_over(export):
    stranger = User.objects.create_user("Mary.Archer", password="theirs")

    with pytest.raises(RosterError) as refused:
        import_roster(export)

    assert refused.value.errors == ["users.csv line 2: username 'Mary.Archer' already belongs to another login"]
    stranger.refresh_from_db()
    assert stranger.check_password("theirs")


@pytest.mark.django_db
def test_two_users_with_the_same_username_are_refused(export):
    edit_rows(export, "users", "604874", username="Mary  Archer")

    with pytest.raises(RosterError) as refused:
        import_roster(export)

    assert refused.value.errors == ["users.csv line 3: username 'Mary.Archer' is also used on users.csv line 2"]


@pytest.mark.django_db
def test_homerooms_become_year_groups_with_advisors(export):
    append_rows(
        export,
        "classes",
        {
            "sourcedId": "HR9",
            "title": "Grade 9 Homeroom",
            "grades": "09",
            "courseSourcedId": "ENG-1",
            "classType": "homeroom",
            "schoolSourcedId": SCHOOL,
            "termSourcedIds": FALL,
        },
    )
    append_rows(
        export,
        "enrollments",
        enrollment_row("HR-T", "HR9", "207268", role="teacher"),
        enrollment_row("HR-S1", "HR9", "604863"),
        enrollment_row("HR-S2", "HR9", "604874"),
    )

    report = import_roster(export)

    year_group = YearGroup.objects.get()
    assert (year_group.name, year_group.grade, year_group.sourced_id) == ("Grade 9 Homeroom", "09", "HR9")
    assert [t.sourced_id for t in year_group.advisors.all()] == ["207268"]
    assert sorted(year_group.students.values_list("sourced_id", flat=True)) == ["604863", "604874"]
    assert SchoolClass.objects.count() == 2  # a homeroom is not a class
    assert report.created["year groups"] == 1 and report.created["advisors"] == 1

    edit_rows(export, "enrollments", "HR-S2", status="tobedeleted")
    edit_rows(export, "enrollments", "HR-T", status="tobedeleted")
    report = import_roster(export)

    assert Student.objects.get(sourced_id="604874").year_group is None
    assert not year_group.advisors.exists()
    assert report.updated["students"] == 1 and report.removed["advisors"] == 1


@pytest.mark.django_db
def test_administrators_are_imported(export):
    append_rows(
        export,
        "users",
        {
            "sourcedId": "A1",
            "enabledUser": "true",
            "orgSourcedIds": "255901",  # the district: every school of it
            "role": "administrator",
            "username": "office",
            "givenName": "Olive",
            "familyName": "Office",
            "password": "0ffice-pass",
        },
    )

    import_roster(export)

    admin = Administrator.objects.get()
    assert admin.school.sourced_id == SCHOOL
    assert admin.user.username == "office" and admin.user.check_password("0ffice-pass")


@pytest.mark.django_db
def test_a_delta_file_extends_and_trims_merged_enrollments(export, tmp_path):
    import_roster(SAMPLE)
    delta = tmp_path / "delta"
    shutil.copytree(SAMPLE, delta)
    header, rows = rows_of(delta, "manifest")
    write(delta, "manifest", header, [[r[0], "delta" if r[0] == "file.enrollments" else r[1]] for r in rows])
    header, _ = rows_of(delta, "enrollments")
    write(delta, "enrollments", header, [])
    append_rows(
        delta,
        "enrollments",
        # Only the spring part of Mary in English is deleted: the autumn part still counts.
        enrollment_row(
            "12379415-A8B2-435C-BD6A-C39C6DA0B454",
            ENGLISH,
            "604863",
            status="tobedeleted",
            beginDate="2021-01-04",
            endDate="2021-05-28",
        ),
        # A summer part for Kyle in English extends his span.
        enrollment_row("KYLE-SUMMER", ENGLISH, "604874", beginDate="2021-06-01", endDate="2021-06-30"),
    )

    import_roster(delta)

    mary = Enrollment.objects.get(school_class__sourced_id=ENGLISH, student__sourced_id="604863")
    assert (mary.start_date, mary.end_date) == (date(2020, 8, 17), date(2021, 1, 3))
    kyle = Enrollment.objects.get(school_class__sourced_id=ENGLISH, student__sourced_id="604874")
    assert (kyle.start_date, kyle.end_date) == (date(2020, 8, 17), date(2021, 6, 30))


@pytest.mark.django_db
def test_a_term_outside_every_school_year_is_refused(export):
    edit_rows(export, "academicSessions", SPRING, endDate="2021-08-01")

    with pytest.raises(RosterError) as refused:
        import_roster(export)

    assert refused.value.errors == [
        "academicSessions.csv line 4: no school year contains 2021-01-04 to 2021-08-01; set parentSourcedId"
    ]


@pytest.mark.django_db
def test_the_command_prints_counts_and_dry_run_saves_nothing():
    out = io.StringIO()
    call_command("import_oneroster", str(SAMPLE), "--dry-run", stdout=out)
    assert "students: 8 created, 0 updated, 0 archived" in out.getvalue()
    assert "Dry run: nothing was saved." in out.getvalue()
    assert Student.objects.count() == 0

    out = io.StringIO()
    call_command("import_oneroster", str(SAMPLE), stdout=out)
    lines = out.getvalue().splitlines()
    assert "enrollments: 10 created, 0 updated, 0 archived" in lines
    assert "classes: 2 created, 0 updated, 0 archived" in lines
    assert lines[-1] == f"Imported {SAMPLE}."


def _grow(folder: Path, extra: int) -> None:
    """Add ``extra`` students, each with a parent and enrollments in both classes and semesters."""
    users, enrollments = [], []
    for n in range(extra):
        sid = f"S{n}"
        users.append(student_row(sid, f"Given{n}", f"Family{n}", agentSourcedIds=f"G{n}", password=f"pw-{n}"))
        users.append(
            {
                "sourcedId": f"G{n}",
                "enabledUser": "true",
                "orgSourcedIds": SCHOOL,
                "role": "guardian",
                "username": f"guardian {n}",
                "givenName": "Guardian",
                "familyName": f"Family{n}",
            }
        )
        for class_id in (ENGLISH, ALGEBRA):
            for term, (begin, end) in (("F", ("2020-08-17", "2020-12-18")), ("S", ("2021-01-04", "2021-05-28"))):
                enrollments.append(
                    enrollment_row(f"{sid}{class_id}{term}", class_id, sid, beginDate=begin, endDate=end)
                )
    append_rows(folder, "users", *users)
    append_rows(folder, "enrollments", *enrollments)


@pytest.mark.django_db
def test_the_import_costs_the_same_number_of_queries_whatever_its_size(tmp_path, django_assert_max_num_queries):
    counts = []
    for size in (2, 20):
        folder = tmp_path / f"size{size}"
        shutil.copytree(SAMPLE, folder)
        _grow(folder, size)
        # The first import creates everything, the second finds everything again.
        for bound in (45, 30):
            with django_assert_max_num_queries(bound) as queries:
                import_roster(folder)
            counts.append(len(queries))
        assert Student.objects.count() == 8 + size and Enrollment.objects.count() == 10 + 2 * size
        assert Guardianship.objects.count() == size
        for model in (Enrollment, TeacherAssignment, TimetableSlot, SchoolClass, School, User):
            model.objects.all().delete()
    first_small, again_small, first_large, again_large = counts
    assert (first_small, again_small) == (first_large, again_large)


@pytest.mark.django_db
def test_a_delta_users_file_links_a_new_guardian_to_an_imported_student(tmp_path):
    import_roster(SAMPLE)
    delta = tmp_path / "delta"
    delta.mkdir()
    write(
        delta,
        "manifest",
        ["propertyName", "value"],
        [["manifest.version", "1.0"], ["oneroster.version", "1.1"]]
        + [[f"file.{name}", "absent"] for name in ("orgs", "academicSessions", "courses", "classes", "enrollments")]
        + [["file.users", "delta"]],
    )
    header, _ = rows_of(SAMPLE, "users")
    write(delta, "users", header, [])
    append_rows(
        delta,
        "users",
        {
            "sourcedId": "G1",
            "status": "active",
            "enabledUser": "true",
            "role": "guardian",
            "username": "g.archer",
            "givenName": "Greta",
            "familyName": "Archer",
            "agentSourcedIds": "604863",
        },
    )

    report = import_roster(delta)

    greta = Parent.objects.get(sourced_id="G1")
    assert [s.sourced_id for s in greta.children.all()] == ["604863"]
    assert greta.school.sourced_id == SCHOOL
    assert report.created["parents"] == report.created["guardianships"] == 1
    assert Student.objects.count() == 8


@pytest.mark.django_db
def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    bogus = tmp_path / "roster.zip"
    bogus.write_text("sourcedId\n")

    with pytest.raises(RosterError, match="neither a folder nor a .zip"):
        import_roster(bogus)


@pytest.mark.django_db
def test_a_tobedeleted_teacher_or_parent_loses_their_login_and_aides_are_skipped(export):
    append_rows(
        export,
        "users",
        {
            "sourcedId": "P1",
            "enabledUser": "true",
            "orgSourcedIds": SCHOOL,
            "role": "parent",
            "username": "pam",
            "givenName": "Pam",
            "familyName": "Archer",
            "agentSourcedIds": "604863",
        },
        {
            "sourcedId": "AIDE1",
            "enabledUser": "true",
            "orgSourcedIds": SCHOOL,
            "role": "aide",
            "givenName": "Al",
            "familyName": "Aide",
        },
    )
    report = import_roster(export)
    assert "users.csv line 13: role 'aide' has no place in Rollbook; skipped" in report.warnings
    edit_rows(export, "users", "207268", status="tobedeleted")
    edit_rows(export, "users", "P1", status="tobedeleted")

    report = import_roster(export)

    assert not Teacher.objects.get(sourced_id="207268").user.is_active
    pam = Parent.objects.get(sourced_id="P1")
    assert not pam.user.is_active and not pam.children.exists()
    assert Teacher.objects.get(sourced_id="207270").user.is_active
    assert report.archived["logins"] == 2 and report.removed["guardianships"] == 1


@pytest.mark.django_db
def test_two_schools_share_the_years_and_a_teacher_of_both_has_one_login(export):
    second = "255901002"
    append_rows(
        export,
        "orgs",
        {"sourcedId": second, "name": "Grand Bend Middle School", "type": "school", "identifier": "102"},
    )
    edit_rows(export, "users", "207270", orgSourcedIds=f"{SCHOOL},{second}")
    # Sessions belong to the schools that use them (issue 17): the middle school has a class in both.
    append_rows(
        export,
        "classes",
        {
            "sourcedId": "MS-ART",
            "title": "Art",
            "classType": "scheduled",
            "courseSourcedId": "ENG-1",
            "schoolSourcedId": second,
            "termSourcedIds": f"{FALL},{SPRING}",
        },
    )

    import_roster(export)

    middle = School.objects.get(sourced_id=second)
    assert middle.number == 102
    assert middle.academicyear_set.get().terms.count() == 2
    kelley = Teacher.objects.filter(sourced_id="207270")
    assert sorted(t.school.name for t in kelley) == ["Grand Bend High School", "Grand Bend Middle School"]
    assert len({t.user_id for t in kelley}) == 1
    assert import_roster(export).created["teachers"] == 0


@pytest.mark.django_db
def test_a_school_number_taken_by_another_school_is_refused(export, school):
    edit_rows(export, "orgs", SCHOOL, identifier=str(school.number))

    with pytest.raises(RosterError) as refused:
        import_roster(export)

    assert refused.value.errors == [
        f"orgs.csv line 3: identifier {school.number} is already the number of another school"
    ]
