"""A district export of two schools, each with its own school year and terms of the same titles
(tests/roster/exports/district-2026/): each school gets its own sessions, not the other's."""

from __future__ import annotations

from datetime import date

import pytest

from apps.roster.services import import_roster
from apps.school.models import AcademicYear, Administrator, School, Term
from tests.roster.csvs import EXPORTS, append_rows, copy_export, snapshot, totals

THIS_YEAR, NEXT_YEAR = EXPORTS / "district-2026", EXPORTS / "district-2027"


def calendar(school: School) -> list[tuple[str, date, date, list[tuple[str, date, date]]]]:
    return [
        (year.name, year.start_date, year.end_date, [(t.name, t.start_date, t.end_date) for t in year.terms.all()])
        for year in AcademicYear.objects.filter(school=school).prefetch_related("terms")
    ]


NORTH_2027 = (
    "2026-2027",
    date(2026, 8, 24),
    date(2027, 6, 18),
    [("Term 1", date(2026, 8, 24), date(2027, 1, 15)), ("Term 2", date(2027, 1, 19), date(2027, 6, 18))],
)
SOUTH_2027 = (
    "2026-2027",
    date(2026, 8, 31),
    date(2027, 6, 25),
    [("Term 1", date(2026, 8, 31), date(2027, 1, 22)), ("Term 2", date(2027, 1, 25), date(2027, 6, 25))],
)


@pytest.mark.django_db
def test_each_school_gets_its_own_year_and_terms():
    report = import_roster(THIS_YEAR)

    north, south = School.objects.get(number=501), School.objects.get(number=502)
    assert calendar(north) == [NORTH_2027]
    # South's first term names no parent and lies inside North's year as well: it goes to the
    # school year of the school that uses it.
    assert calendar(south) == [SOUTH_2027]
    # A session no school uses is reported, not copied into every school.
    assert (
        "academicSessions.csv line 8: term 'Summer school' is used by no school of this export "
        "(no class, course or org column names it); not imported"
    ) in report.warnings
    assert not Term.objects.filter(name="Summer school").exists()
    # The district's administrator administers both schools.
    assert sorted(Administrator.objects.values_list("school__name", flat=True)) == ["Lakeview North", "Lakeview South"]

    before = snapshot()
    again = import_roster(THIS_YEAR)
    assert totals(again, "created") == totals(again, "updated") == 0
    assert snapshot() == before


@pytest.mark.django_db
def test_the_next_years_export_adds_one_year_to_each_school():
    import_roster(THIS_YEAR)

    import_roster(NEXT_YEAR)

    north, south = School.objects.get(number=501), School.objects.get(number=502)
    assert [year[0] for year in calendar(north)] == ["2026-2027", "2027-2028"]
    assert [year[0] for year in calendar(south)] == ["2026-2027", "2027-2028"]
    assert calendar(north)[0] == NORTH_2027 and calendar(south)[0] == SOUTH_2027
    assert Term.objects.filter(school=north).count() == Term.objects.filter(school=south).count() == 4


@pytest.mark.django_db
def test_an_org_column_on_a_session_says_whose_it_is(tmp_path):
    export = copy_export("district-2026", tmp_path)
    # The summer school, named by no class, says which school runs it (a column some exports add).
    rows = (export / "academicSessions.csv").read_text().splitlines()
    summer = rows[-1].replace(",,2027", ",LS-2027,2027")  # after the school year: its parent is named
    rows = [rows[0] + ",orgSourcedId", *(f"{row}," for row in rows[1:-1]), summer + ",LS"]
    (export / "academicSessions.csv").write_text("\n".join(rows) + "\n")
    append_rows(
        export,
        "academicSessions",
        {
            "sourcedId": "DISTRICT-INSET",
            "title": "District training days",
            "type": "term",
            "startDate": "2026-09-03",
            "endDate": "2026-09-04",
            "orgSourcedId": "LD",
            "schoolYear": "2027",
        },
    )

    report = import_roster(export)

    assert list(Term.objects.filter(name="Summer school").values_list("school__name", flat=True)) == ["Lakeview South"]
    # A district's session is each of its schools', in each school's own year.
    training = Term.objects.filter(name="District training days").select_related("academic_year", "school")
    assert sorted((t.school.name, t.academic_year.start_date) for t in training) == [
        ("Lakeview North", date(2026, 8, 24)),
        ("Lakeview South", date(2026, 8, 31)),
    ]
    assert not any("used by no school" in warning for warning in report.warnings)


@pytest.mark.django_db
def test_a_school_of_the_export_that_uses_no_session_gets_none(tmp_path):
    export = copy_export("district-2026", tmp_path)
    append_rows(export, "orgs", {"sourcedId": "LE", "name": "Lakeview East", "type": "school", "parentSourcedId": "LD"})

    import_roster(export)

    assert not AcademicYear.objects.filter(school__name="Lakeview East").exists()
    assert AcademicYear.objects.count() == 2
