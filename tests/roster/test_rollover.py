"""Year rollover, end to end: this year's export, marks taken on it, then next year's export
beside it (tests/roster/exports/district-2026/ and district-2027/)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from apps.classes.models import Channel, ClassMark, Enrollment, SchoolClass
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.homeroom.models import DailyMark
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from apps.reports import selectors as reports
from apps.roster.report import RosterError
from apps.roster.services import import_roster
from apps.school.models import AcademicYear, AttendanceCode, School, Student, Term, YearGroup
from tests.roster.csvs import EXPORTS, copy_export, edit_rows, snapshot, totals

User = get_user_model()
THIS_YEAR, NEXT_YEAR = EXPORTS / "district-2026", EXPORTS / "district-2027"
MONDAY, TUESDAY = date(2026, 11, 16), date(2026, 11, 17)  # in Term 1, before the tests' clock


def take_marks() -> None:
    """This year's marks, through the write path, as the district office."""
    office = User.objects.get(username="district.office")
    north = School.objects.get(number=501)
    maths = SchoolClass.objects.get(sourced_id="LN-7A-MATH")
    amy, bo = Student.objects.get(sourced_id="S-N1"), Student.objects.get(sourced_id="S-N2")
    absent, late = (AttendanceCode.objects.get(school=north, mb_status=s) for s in (0, 2))
    results = record_class_marks(
        actor=office,
        school=north,
        marks=[
            ClassMarkInput(maths.pk, amy.pk, MONDAY, 1, absent.pk),
            ClassMarkInput(maths.pk, amy.pk, TUESDAY, 1, late.pk, minutes_late=5),
            ClassMarkInput(maths.pk, bo.pk, MONDAY, 1, late.pk, minutes_late=10),
        ],
        channel=Channel.WEB,
    )
    daily = record_daily_marks(
        actor=office,
        school=north,
        marks=[DailyMarkInput(amy.pk, MONDAY, absent.pk), DailyMarkInput(bo.pk, MONDAY, late.pk)],
        channel=Channel.WEB,
    )
    assert [r.status for r in results + daily] == ["created"] * 5


def reports_of_this_year(client) -> dict[str, object]:
    """This year's reports as the office reads them: CSV exports of the pages, and the figures."""
    north = School.objects.get(number=501)
    term = Term.objects.get(school=north, sourced_id="LN-2027-T1")
    maths = SchoolClass.objects.get(sourced_id="LN-7A-MATH")
    amy = Student.objects.get(sourced_id="S-N1")
    client.force_login(User.objects.get(username="district.office"))
    pages = {
        "class": f"/office/reports/classes/{maths.pk}/?term={term.pk}&format=csv",
        "student": f"/office/reports/students/{amy.pk}/?term={term.pk}&format=csv",
    }
    found = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        found[name] = response.content.decode()
    homeroom, lessons = reports.school_overview(north, term)
    found["school totals"] = (repr(homeroom.totals), repr(lessons.totals))
    found["lessons by class"] = [(row.label, repr(row.figures)) for row in lessons.rows]
    return found


def this_years_rows() -> dict[str, list]:
    north_classes = SchoolClass.objects.filter(sourced_id__in=["LN-7A-MATH", "LS-7B-MATH"])
    return {
        "classes": sorted(north_classes.values_list()),
        "enrollments": sorted(Enrollment.objects.filter(school_class__in=north_classes).values_list()),
        "class marks": sorted(ClassMark.objects.values_list()),
        "daily marks": sorted(DailyMark.objects.values_list()),
        "terms": sorted(Term.objects.filter(sourced_id__endswith="2027-T1").values_list()),
    }


@pytest.mark.django_db
def test_next_years_export_keeps_this_years_classes_marks_and_reports(client):
    import_roster(THIS_YEAR)
    take_marks()
    rows_before, reports_before = this_years_rows(), reports_of_this_year(client)
    assert "Abbot, Amy" in reports_before["class"] and "7A Maths,1,1,2" in reports_before["student"]

    report = import_roster(NEXT_YEAR)

    # This year: classes, enrollments, marks and reports as they were.
    assert this_years_rows() == rows_before
    assert reports_of_this_year(client) == reports_before
    # Next year beside it, in each school.
    north = School.objects.get(number=501)
    assert list(AcademicYear.objects.filter(school=north).values_list("name", flat=True)) == ["2026-2027", "2027-2028"]
    assert AcademicYear.objects.filter(school__number=502).count() == 2
    assert SchoolClass.objects.get(sourced_id="LN-8A-MATH-28").academic_year.name == "2027-2028"
    # Students move to their new year groups; a new student joins Year 7.
    groups = dict(Student.objects.filter(school=north).values_list("first_name", "year_group__sourced_id"))
    assert groups == {"Amy": "LN-HR8-28", "Bo": "LN-HR8-28", "Di": "LN-HR7-28"}
    assert Student.objects.get(sourced_id="S-S1").year_group.name == "Year 8 South"
    assert not YearGroup.objects.get(sourced_id="LN-HR7").students.exists()  # last year's, kept
    assert report.updated["students"] == 3 and report.created["students"] == 1
    assert report.archived["classes"] == report.removed["enrollments"] == 0

    before = snapshot()
    again = import_roster(NEXT_YEAR)
    assert totals(again, "created") == totals(again, "updated") == totals(again, "removed") == 0
    assert snapshot() == before


@pytest.mark.django_db
def test_a_class_with_marks_never_moves_to_next_year(tmp_path):
    import_roster(THIS_YEAR)
    take_marks()
    next_year = copy_export("district-2027", tmp_path)
    # A SIS that reuses last year's section id for next year's class.
    for name, column in (("classes", "sourcedId"), ("enrollments", "classSourcedId")):
        path = next_year / f"{name}.csv"
        path.write_text(path.read_text().replace("LN-8A-MATH-28", "LN-7A-MATH"))
    edit_rows(next_year, "users", "S-N1", familyName="Abbot-Ray")
    before = snapshot()

    with pytest.raises(RosterError) as refused:
        import_roster(next_year)

    assert refused.value.errors == [
        "classes.csv line 2: class 'LN-7A-MATH' has marks in another school year; its terms would move it: "
        "give next year's class a sourcedId of its own"
    ]
    assert snapshot() == before
