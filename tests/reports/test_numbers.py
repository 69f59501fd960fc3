"""Report numbers against the hand-computed term in conftest.py (``term_data``)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.reports import selectors
from apps.reports.selectors import figures_from
from tests import factories as f
from tests.reports.conftest import record_homeroom


def numbers(figures, codes):
    """A figures object as plain numbers: counts by code abbreviation (zeros left out)."""
    by_id = {c.pk: c.abbreviation for c in codes}
    return {
        "counts": {by_id[k]: v for k, v in figures.counts.items() if v},
        "total": figures.total,
        "present": figures.present,
        "rate": figures.rate_percent,
        "late": figures.late,
        "excused": figures.excused,
        "unexcused": figures.unexcused,
        "adjustments": figures.adjustment_total,
    }


def rows_by_label(report):
    return {row.label: numbers(row.figures, report.codes) for row in report.rows}


def test_class_report_counts_rates_and_excusals(term_data):
    report = selectors.class_report(term_data.world.english, term_data.term1)
    rows = rows_by_label(report)
    assert set(rows) == {"Pupil000, Y7000", "Pupil001, Y7001"}
    assert rows["Pupil000, Y7000"] == {
        "counts": {"✓": 1, "A": 2, "L": 1},
        "total": 4,
        "present": 2,
        "rate": 50.0,
        "late": 1,
        "excused": 1,  # the mon1 absence a parent excused
        "unexcused": 1,
        "adjustments": 0,
    }
    assert rows["Pupil001, Y7001"] == {
        "counts": {"✓": 3, "E": 1},
        "total": 4,
        "present": 3,
        "rate": 75.0,
        "late": 0,
        "excused": 1,
        "unexcused": 0,
        "adjustments": 0,
    }
    assert numbers(report.totals, report.codes) == {
        "counts": {"✓": 4, "A": 2, "L": 1, "E": 1},
        "total": 8,
        "present": 5,
        "rate": 62.5,
        "late": 1,
        "excused": 2,
        "unexcused": 1,
        "adjustments": 0,
    }


def test_class_report_with_archived_students(term_data):
    report = selectors.class_report(term_data.world.english, term_data.term1, include_archived=True)
    rows = rows_by_label(report)
    assert rows["Pupil002, Y7002"] == {
        "counts": {"A": 1, "D": 1},
        "total": 2,
        "present": 0,
        "rate": 0.0,
        "late": 0,
        "excused": 0,
        "unexcused": 1,  # Dismissed is absent but not of kind absent: neither excused nor unexcused
        "adjustments": 0,
    }
    assert [r.archived for r in report.rows] == [False, False, True]
    totals = numbers(report.totals, report.codes)
    assert (totals["total"], totals["present"], totals["rate"], totals["excused"], totals["unexcused"]) == (
        10,
        5,
        50.0,
        2,
        2,
    )


def test_year_group_report_applies_term_adjustments(term_data):
    report = selectors.year_group_report(term_data.world.year7, term_data.term1)
    rows = rows_by_label(report)
    assert rows["Pupil000, Y7000"] == {
        "counts": {"✓": 2, "A": 4},  # 2 absences marked + 2 adjusted
        "total": 6,
        "present": 2,
        "rate": 33.3,
        "late": 0,
        "excused": 1,
        "unexcused": 3,
        "adjustments": 2,
    }
    assert rows["Pupil001, Y7001"] == {
        "counts": {"✓": 2, "L": 1},  # 3 marked present - 1 adjusted; Term 2's L +5 left out
        "total": 3,
        "present": 3,
        "rate": 100.0,
        "late": 1,
        "excused": 0,
        "unexcused": 0,
        "adjustments": -1,
    }
    assert report.rows[0].figures.adjustments == {term_data.codes.absent.pk: 2}
    assert numbers(report.totals, report.codes) == {
        "counts": {"✓": 4, "A": 4, "L": 1},
        "total": 9,
        "present": 5,
        "rate": 55.6,
        "late": 1,
        "excused": 1,
        "unexcused": 3,
        "adjustments": 1,
    }
    with_archived = selectors.year_group_report(term_data.world.year7, term_data.term1, include_archived=True)
    totals = numbers(with_archived.totals, with_archived.codes)
    assert (totals["total"], totals["rate"], totals["unexcused"]) == (10, 50.0, 4)


def test_term_two_has_only_its_own_adjustment(term_data):
    report = selectors.year_group_report(term_data.world.year7, term_data.term2)
    rows = rows_by_label(report)
    assert rows["Pupil001, Y7001"]["counts"] == {"L": 5}
    assert rows["Pupil001, Y7001"]["rate"] == 100.0
    assert rows["Pupil000, Y7000"]["total"] == 0
    assert rows["Pupil000, Y7000"]["rate"] is None


def test_school_overview_by_year_group_and_class(term_data):
    by_group, by_class = selectors.school_overview(term_data.school, term_data.term1)
    groups = rows_by_label(by_group)
    assert groups["Year 7"]["total"] == 9 and groups["Year 7"]["rate"] == 55.6
    assert groups["Year 8"] == {
        "counts": {"E": 1},
        "total": 1,
        "present": 0,
        "rate": 0.0,
        "late": 0,
        "excused": 1,
        "unexcused": 0,
        "adjustments": 0,
    }
    assert numbers(by_group.totals, by_group.codes) == {
        "counts": {"✓": 4, "A": 4, "L": 1, "E": 1},
        "total": 10,
        "present": 5,
        "rate": 50.0,
        "late": 1,
        "excused": 2,
        "unexcused": 3,
        "adjustments": 1,
    }
    classes = rows_by_label(by_class)
    assert classes["7A English"]["total"] == 8 and classes["7A English"]["rate"] == 62.5
    assert classes["8B Science"]["counts"] == {"✓": 1}
    totals = numbers(by_class.totals, by_class.codes)
    assert (totals["total"], totals["present"], totals["rate"], totals["excused"], totals["unexcused"]) == (
        9,
        6,
        66.7,
        2,
        1,
    )


def test_school_overview_filters(term_data):
    by_group, by_class = selectors.school_overview(
        term_data.school, term_data.term1, year_group=term_data.world.year8, include_archived=True
    )
    assert [r.label for r in by_group.rows] == ["Year 8"]
    assert [r.label for r in by_class.rows] == ["8B Science"]
    _, by_class = selectors.school_overview(
        term_data.school, term_data.term1, school_class=term_data.world.english, include_archived=True
    )
    assert [(r.label, r.figures.total) for r in by_class.rows] == [("7A English", 10)]


def test_student_report(term_data):
    homeroom, lessons = selectors.student_report(term_data.s0, term_data.term1)
    assert numbers(homeroom.totals, homeroom.codes)["counts"] == {"✓": 2, "A": 4}
    assert numbers(homeroom.totals, homeroom.codes)["rate"] == 33.3
    assert rows_by_label(lessons) == {
        "7A English": {
            "counts": {"✓": 1, "A": 2, "L": 1},
            "total": 4,
            "present": 2,
            "rate": 50.0,
            "late": 1,
            "excused": 1,
            "unexcused": 1,
            "adjustments": 0,
        }
    }


def test_chronic_absence_homeroom_and_lessons(term_data):
    today = term_data.school.today()
    rows = selectors.chronic_absence(term_data.school, term_data.term1, today=today)
    # y8: 1 of 1 absent (excused still counts as absent); s0: 2 of 4. Adjustments are not sessions.
    assert [(r.student.pk, r.absent, r.total, r.absence_percent) for r in rows] == [
        (term_data.y8.pk, 1, 1, 100.0),
        (term_data.s0.pk, 2, 4, 50.0),
    ]
    with_archived = selectors.chronic_absence(term_data.school, term_data.term1, today=today, include_archived=True)
    assert term_data.s2.pk in {r.student.pk for r in with_archived}
    lessons = selectors.chronic_absence(
        term_data.school, term_data.term1, today=today, source=selectors.LESSONS, sort="name"
    )
    assert [(r.student.pk, r.absent, r.total) for r in lessons] == [(term_data.s0.pk, 2, 4), (term_data.s1.pk, 1, 4)]


def test_chronic_absence_trend_is_weekly(term_data):
    rows = selectors.chronic_absence(term_data.school, term_data.term1, today=term_data.school.today())
    s0 = next(r for r in rows if r.student.pk == term_data.s0.pk)
    weeks = {p.week: p for p in s0.trend}
    assert weeks[term_data.mon0].rate == 1.0
    assert weeks[term_data.mon1].total == 3 and weeks[term_data.mon1].present == 1
    assert sum(p.total for p in s0.trend) == 4
    assert all(p.week.isoweekday() == 1 for p in s0.trend)


def test_chronic_absence_threshold_is_ten_percent_inclusive(world):
    school = world.school
    present, absent = f.code(school, -1), f.code(school, 0)
    s0, s1, _ = world.students
    start = f.last_weekday(school, 1, before=school.today() - timedelta(days=30))
    days = [start + timedelta(days=i) for i in range(11)]
    from apps.homeroom.services import DailyMarkInput

    marks = [
        DailyMarkInput(student_id=s0.pk, date=d, code_id=(absent if i == 0 else present).pk)
        for i, d in enumerate(days[:10])
    ]
    marks += [
        DailyMarkInput(student_id=s1.pk, date=d, code_id=(absent if i == 0 else present).pk) for i, d in enumerate(days)
    ]
    record_homeroom(school, marks)
    term = selectors.pick_term(selectors.school_terms(school), None, school.today())
    rows = selectors.chronic_absence(school, term, today=school.today())
    assert [(r.student.pk, r.absent, r.total) for r in rows] == [(s0.pk, 1, 10)]  # 1 in 11 is under 10%


def test_weekly_rates_cover_every_week(term_data):
    marks = selectors.marks_for(selectors.HOMEROOM, term_data.school, term_data.term1).filter(
        student__year_group=term_data.world.year7
    )
    points = selectors.weekly_rates(marks, term_data.term1, until=term_data.school.today())
    by_week = {p.week: p for p in points}
    assert by_week[term_data.mon0].total == 2 and by_week[term_data.mon0].rate == 1.0
    assert (by_week[term_data.mon1].total, by_week[term_data.mon1].present) == (6, 4)
    assert sum(p.total for p in points) == 8
    assert points[0].week <= term_data.term1.start_date < points[0].week + timedelta(days=7)


@pytest.mark.parametrize(
    ("raw", "covered", "adjustments", "expected"),
    [
        ({}, 0, {}, (0, 0, None, 0, 0)),
        ({"A": 3}, 5, {}, (3, 0, 0.0, 3, 0)),  # never more excused than absences
        ({"A": 1}, 0, {"A": -4}, (0, 0, None, 0, 0)),  # an adjustment cannot go below zero
    ],
)
def test_figures_edges(world, raw, covered, adjustments, expected):
    codes = {c.abbreviation: c for c in selectors.school_codes(world.school)}
    by_id = {c.pk: c for c in codes.values()}
    figures = figures_from(
        {codes[k].pk: v for k, v in raw.items()}, covered, {codes[k].pk: v for k, v in adjustments.items()}, by_id
    )
    assert (figures.total, figures.present, figures.rate, figures.excused, figures.unexcused) == expected


def test_unmarked_rolls_over_a_range(term_data):
    from django.utils import timezone

    now = timezone.localtime()
    meetings = selectors.unmarked_rolls(term_data.school, term_data.mon0, term_data.wed1, now=now)
    # 8 school days × 3 timetabled meetings, 5 of them taken.
    assert len(meetings) == 8 * 3 - 5
    by_teacher = dict(selectors.group_by_teacher(meetings))
    assert len(by_teacher["Teacher, Tess"]) == 8 * 2 - 4
    assert len(by_teacher["Other, Otto"]) == 8 - 1
    assert (term_data.world.english.pk, term_data.mon1) not in {(m.school_class.pk, m.date) for m in meetings}


def test_unmarked_rolls_today_only_counts_started_periods(term_data):
    import zoneinfo
    from datetime import datetime, time

    tz = zoneinfo.ZoneInfo(term_data.school.timezone)
    at_ten = datetime.combine(term_data.wed1, time(10, 0), tzinfo=tz)
    meetings = selectors.unmarked_rolls(term_data.school, term_data.wed1, term_data.wed1, now=at_ten)
    # Period 1 (8:30) and 2 (9:30) have started; period 3 (10:30) not yet.
    assert sorted((m.school_class.name, m.period.number) for m in meetings) == [("7A English", 1), ("8B Science", 2)]


def test_unexcused_absences_leave_out_excused_ones(term_data):
    on_mon1 = selectors.unexcused_absences_on(term_data.school, term_data.mon1)
    assert [(a.student.pk, a.where) for a in on_mon1] == [
        (term_data.s2.pk, "Homeroom"),
        (term_data.s2.pk, "7A English"),
    ]
    on_tue1 = selectors.unexcused_absences_on(term_data.school, term_data.tue1)
    assert [(a.student.pk, a.where) for a in on_tue1] == [
        (term_data.s0.pk, "Homeroom"),
        (term_data.s0.pk, "7A English"),
    ]
