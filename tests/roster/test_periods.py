"""A class's ``periods`` as school systems write them (tests/roster/exports/periods/): what can be
read becomes its timetable; what needs a guess leaves the class without one, with a warning."""

from __future__ import annotations

import pytest

from apps.classes.models import SchoolClass, TimetableSlot
from apps.roster.periods import read_periods
from apps.roster.services import import_roster
from apps.school.models import School
from tests.roster.csvs import EXPORTS, copy_export, edit_rows, snapshot, totals

WEEK = (1, 2, 3, 4, 5)


def every_day(*periods: int) -> set[tuple[int, int]]:
    return {(day, period) for day in WEEK for period in periods}


@pytest.mark.parametrize(
    ("value", "meetings"),
    [
        ("", set()),
        ("1", every_day(1)),
        ("2,3", every_day(2, 3)),
        ("1 3", every_day(1, 3)),
        ("1-4", every_day(1, 2, 3, 4)),
        ("1 - 3, 6", every_day(1, 2, 3, 6)),
        ("Periods 4 and 5", every_day(4, 5)),
        ("P1, P3", every_day(1, 3)),
        ("M1 W1", {(1, 1), (3, 1)}),
        ("Mon 1, Wed 2", {(1, 1), (3, 2)}),
        ("Tu2 Th2", {(2, 2), (4, 2)}),
        ("R4", {(4, 4)}),  # R is Thursday in M T W R F
        ("Th3-4", {(4, 3), (4, 4)}),
        ("Saturday 2", {(6, 2)}),
        ("3-1", None),  # a range backwards, or day 3 period 1?
        ("A1", None),  # a rotation day
        ("1(A-E)", None),  # PowerSchool's expression: days of a cycle
        ("T1", None),  # Tuesday or Thursday?
        ("S1", None),  # Saturday or Sunday?
        ("MWF 1", None),
        ("Mon", None),
        ("2021", None),
        ("lunch", None),
    ],
)
def test_periods_are_read_where_no_guess_is_needed(value, meetings):
    assert read_periods(value) == meetings


@pytest.mark.django_db
def test_each_class_gets_the_timetable_its_periods_say():
    report = import_roster(EXPORTS / "periods")

    def meets(sourced_id):
        return set(SchoolClass.objects.get(sourced_id=sourced_id).slots.values_list("weekday", "period__number"))

    assert meets("one") == every_day(1)
    assert meets("list") == every_day(1, 3)
    assert meets("range") == every_day(1, 2, 3, 4)  # not periods 1 and 4
    assert meets("words") == every_day(2, 5)
    assert meets("days") == {(1, 1), (3, 1)}
    assert meets("day-names") == {(2, 2), (4, 2)}
    for unread in ("day-period", "rotation", "expression", "none"):
        assert meets(unread) == set()  # kept, with no guessed timetable
    assert SchoolClass.objects.count() == 10
    unread = [w for w in report.warnings if "cannot be read" in w]
    assert unread == [
        f"classes.csv line {line}: periods {value!r} of class {title!r} cannot be read without a guess; "
        "the class keeps the timetable it has (none if new): set it in the admin"
        for line, value, title in (
            (8, "3-1", "Day-period code"),
            (9, "A1", "Rotation day"),
            (10, "1(A-E)", "PowerSchool expression"),
        )
    ]

    before = snapshot()
    again = import_roster(EXPORTS / "periods")
    assert totals(again, "created") == totals(again, "updated") == totals(again, "archived") == 0
    assert snapshot() == before


@pytest.mark.django_db
def test_a_timetable_set_by_hand_survives_a_code_the_import_cannot_read(tmp_path):
    import_roster(EXPORTS / "periods")
    school = School.objects.get()
    rotation = SchoolClass.objects.get(sourced_id="rotation")
    period = school.period_set.get(number=1)
    TimetableSlot.objects.create(school=school, school_class=rotation, weekday=2, period=period, location="Hall")
    export = copy_export("periods", tmp_path)
    edit_rows(export, "classes", "range", periods="1-4 (A)")  # once readable, now not

    report = import_roster(export)

    assert set(rotation.slots.values_list("weekday", "period__number", "location", "enabled")) == {(2, 1, "Hall", True)}
    ranged = SchoolClass.objects.get(sourced_id="range")
    assert ranged.slots.filter(enabled=True).count() == 20  # left as it was
    assert report.archived["timetable slots"] == 0


@pytest.mark.django_db
def test_periods_counted_from_zero_are_read_as_the_school_labels_them(tmp_path):
    import_roster(EXPORTS / "periods")
    School.objects.update(periods_from_zero=True)
    export = copy_export("periods", tmp_path)
    edit_rows(export, "classes", "one", periods="0")

    import_roster(export)

    one = SchoolClass.objects.get(sourced_id="one")
    assert set(one.slots.filter(enabled=True).values_list("weekday", "period__number")) == every_day(1)
