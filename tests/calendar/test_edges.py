"""The calendar's edges, each at its own moment: weekends, a holiday between terms, the first and
last day of a term and of the year, the teacher's edit window, 29 February, a new year that
reaches the school before UTC, the nights the clocks change, and a school counting periods from 0.

A school system lives by its calendar: these are the days on which a clock read in the wrong
place (UTC's day instead of the school's, wall times instead of instants) shows."""

from __future__ import annotations

from datetime import date, datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from apps.classes.models import ClassMark
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.excusals.models import Excusal
from apps.excusals.services import ExcusalError, excusal_create
from apps.school.models import Period
from tests import factories as f

HTMX = {"HTTP_HX_REQUEST": "true"}
pytestmark = pytest.mark.django_db

# A school year of three terms with holidays between them (the factories' default year has none).
TERMS = [
    ("Autumn term", date(2026, 9, 1), date(2026, 12, 18)),
    ("Spring term", date(2027, 1, 5), date(2027, 3, 26)),
    ("Summer term", date(2027, 4, 12), date(2027, 7, 16)),
]


def school_with_terms(timezone: str = "Europe/London", *, terms=TERMS, weekdays=(1, 2, 3, 4, 5), periods=(1, 3)):
    """A teacher who teaches 7C English (``periods`` on ``weekdays``) and advises Year 7, two
    students, a parent of the first, and the school's admin."""
    school = f.make_school("Calendar School", terms=terms, timezone=timezone)
    teacher = f.make_teacher(school, "cal.teacher", "Cara", "Lendar")
    year7 = f.make_year_group(school, "Year 7", teacher)
    students = f.make_students(school, 2, year7, prefix="C")
    english = f.make_class(school, "7C English", [teacher], students, periods=periods, weekdays=weekdays)
    return SimpleNamespace(
        school=school,
        teacher=teacher.user,
        admin=f.make_admin(school, "cal.admin").user,
        parent=f.make_parent(school, "cal.parent", students[0]),
        year7=year7,
        students=students,
        english=english,
    )


def today_page(client, user, day: date | None = None) -> str:
    client.force_login(user)
    response = client.get(reverse("classes:today"), {"date": day.isoformat()} if day else {})
    assert response.status_code == 200
    return response.content.decode()


def untaken(client, admin) -> list[tuple[str, date, int]]:
    """Office Today's "rolls not yet taken": (class, date, period number) each."""
    client.force_login(admin)
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    return [(m.school_class.name, m.date, m.period.number) for m in response.context["unmarked"]]


def default_term(client, admin) -> str:
    client.force_login(admin)
    response = client.get(reverse("reports:term_reports"))
    assert response.status_code == 200
    return response.context["term"].name


def roll(s, day: date, period: int = 1) -> str:
    return reverse("classes:roll", args=[s.english.pk, day.isoformat(), period])


def tap(client, user, s, day: date, period: int, mb_status: int, student=None):
    """One tap on the roll page, as the teacher's phone sends it."""
    student = student or s.students[0]
    client.force_login(user)
    url = reverse("classes:roll_student", args=[s.english.pk, day.isoformat(), period, student.pk])
    return client.post(url, {"code": f.code(s.school, mb_status).pk}, **HTMX)


def saved_dates(s) -> list[date]:
    return sorted(ClassMark.objects.filter(school_class=s.english).values_list("date", flat=True))


# --- weekends and holidays ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment, weekday",
    [(datetime(2026, 11, 21, 10, tzinfo=ZoneInfo("UTC")), 6), (datetime(2026, 11, 22, 10, tzinfo=ZoneInfo("UTC")), 7)],
    ids=["saturday", "sunday"],
)
def test_a_weekend_has_no_rolls_to_take(client, pinned_clock, moment, weekday):
    pinned_clock.move_to(moment)
    s = school_with_terms()
    assert s.school.today().isoweekday() == weekday

    html = today_page(client, s.teacher)
    assert "is not a school day" in html
    assert roll(s, s.school.today()) not in html
    assert reverse("homeroom:roll", args=[s.year7.pk, s.school.today().isoformat()]) not in html
    assert untaken(client, s.admin) == []
    # The roll of a class that does not meet at the weekend is a clear 404, not an empty roll.
    client.force_login(s.teacher)
    assert client.get(roll(s, s.school.today())).status_code == 404
    # The week's untaken rolls are its five school days, twice a day.
    client.force_login(s.admin)
    response = client.get(reverse("reports:unmarked"), {"start": "2026-11-16", "end": "2026-11-22"})
    days = sorted({m.date for m in response.context["meetings"]})
    assert days == [date(2026, 11, d) for d in (16, 17, 18, 19, 20)]
    assert len(response.context["meetings"]) == 10


@pytest.mark.time_machine(datetime(2026, 12, 23, 10, tzinfo=ZoneInfo("Europe/London")))
def test_a_holiday_between_terms_has_no_rolls_and_reports_show_the_term_just_ended(client):
    s = school_with_terms()
    assert s.school.today() == date(2026, 12, 23)  # a Wednesday, between the autumn and spring terms

    html = today_page(client, s.teacher)
    assert "outside the school's terms" in html
    assert roll(s, s.school.today()) not in html
    assert untaken(client, s.admin) == []
    client.force_login(s.admin)
    response = client.get(reverse("reports:unmarked"), {"start": "2026-12-14", "end": "2026-12-23"})
    assert max(m.date for m in response.context["meetings"]) == date(2026, 12, 18)
    assert default_term(client, s.admin) == "Autumn term"


@pytest.mark.time_machine(datetime(2026, 12, 18, 15, tzinfo=ZoneInfo("Europe/London")))
def test_the_last_day_of_a_term_is_a_school_day_of_that_term(client):
    s = school_with_terms()
    html = today_page(client, s.teacher)
    assert roll(s, date(2026, 12, 18), 1) in html and roll(s, date(2026, 12, 18), 3) in html
    assert untaken(client, s.admin) == [("7C English", date(2026, 12, 18), 1), ("7C English", date(2026, 12, 18), 3)]
    assert default_term(client, s.admin) == "Autumn term"
    assert tap(client, s.teacher, s, date(2026, 12, 18), 3, 0).status_code == 200
    assert saved_dates(s) == [date(2026, 12, 18)]


@pytest.mark.time_machine(datetime(2027, 1, 5, 10, tzinfo=ZoneInfo("Europe/London")))
def test_the_first_day_of_a_term_starts_its_reports_and_its_rolls(client):
    s = school_with_terms()
    assert default_term(client, s.admin) == "Spring term"
    html = today_page(client, s.teacher)
    assert roll(s, date(2027, 1, 5), 1) in html
    # Period 1 (08:30) has started at 10:00, period 3 (10:30) has not.
    assert untaken(client, s.admin) == [("7C English", date(2027, 1, 5), 1)]
    client.force_login(s.admin)
    response = client.get(reverse("reports:unmarked"), {"start": "2026-12-14", "end": "2027-01-05"})
    days = sorted({m.date for m in response.context["meetings"]})
    assert days == [date(2026, 12, d) for d in (14, 15, 16, 17, 18)] + [date(2027, 1, 5)]


@pytest.mark.time_machine(datetime(2026, 9, 1, 9, tzinfo=ZoneInfo("Europe/London")))
def test_the_first_day_of_the_year_opens_its_rolls_and_the_day_before_has_none(client):
    s = school_with_terms()
    assert s.school.today() == date(2026, 9, 1)
    assert tap(client, s.teacher, s, date(2026, 9, 1), 1, 1).status_code == 200
    assert saved_dates(s) == [date(2026, 9, 1)]
    # The Monday before the year began: within the edit window, but no class meets then.
    assert "outside the school's terms" in today_page(client, s.teacher, date(2026, 8, 31))
    assert client.get(roll(s, date(2026, 8, 31))).status_code == 404
    [result] = record_class_marks(
        actor=s.teacher,
        school=s.school,
        channel="web",
        marks=[ClassMarkInput(s.english.pk, s.students[0].pk, date(2026, 8, 31), 1, f.code(s.school, 0).pk)],
    )
    assert not result.ok
    assert saved_dates(s) == [date(2026, 9, 1)]
    assert default_term(client, s.admin) == "Autumn term"


@pytest.mark.time_machine(datetime(2027, 7, 19, 9, tzinfo=ZoneInfo("Europe/London")))
def test_the_last_day_of_the_year_is_the_last_day_with_rolls(client):
    s = school_with_terms()
    last = date(2027, 7, 16)  # a Friday; today is the Monday after
    client.force_login(s.teacher)
    assert client.get(roll(s, last)).status_code == 200
    assert tap(client, s.teacher, s, last, 1, 0).status_code == 200
    assert saved_dates(s) == [last]
    assert "outside the school's terms" in today_page(client, s.teacher)
    assert client.get(roll(s, s.school.today())).status_code == 404
    assert untaken(client, s.admin) == []
    assert default_term(client, s.admin) == "Summer term"


# --- the teacher's edit window -------------------------------------------------------------------


@pytest.mark.time_machine(datetime(2026, 11, 18, 10, tzinfo=ZoneInfo("UTC")))
def test_the_edit_window_is_seven_days_back_and_not_eight(client, world, teacher, admin):
    s = SimpleNamespace(school=world.school, english=world.english, students=world.students)
    assert world.school.teacher_edit_days == 7
    seven, eight = date(2026, 11, 11), date(2026, 11, 10)  # Wednesday and Tuesday, both timetabled
    assert "only an admin" not in tap(client, teacher, s, seven, 1, 0).content.decode()
    assert "only an admin can change this roll" in tap(client, teacher, s, eight, 1, 0).content.decode()
    assert ClassMark.objects.filter(school_class=world.english).get().date == seven
    assert tap(client, admin, s, eight, 1, 0).status_code == 200
    assert saved_dates(s) == [eight, seven]


# --- 29 February ---------------------------------------------------------------------------------


@pytest.mark.time_machine(datetime(2028, 2, 29, 10, tzinfo=ZoneInfo("UTC")))
def test_29_february_is_a_day_like_any_other(client, world, teacher, parent):
    s = SimpleNamespace(school=world.school, english=world.english, students=world.students)
    leap = date(2028, 2, 29)
    assert world.school.today() == leap
    assert "Today, Tuesday 29 February 2028" in today_page(client, teacher)
    assert tap(client, teacher, s, leap, 1, 0).status_code == 200
    assert saved_dates(s) == [leap]

    guardian, child = world.parent, world.students[0]
    with pytest.raises(ExcusalError) as refused:  # 13 days, counting 29 February
        excusal_create(
            actor=parent, student=child, parent=guardian, start_date=date(2028, 2, 17), end_date=date(2028, 2, 29)
        )
    assert "(is 13)" in str(refused.value.errors)
    twelve = excusal_create(
        actor=parent, student=child, parent=guardian, start_date=date(2028, 2, 18), end_date=date(2028, 2, 29)
    )
    assert twelve.duration == 12
    assert Excusal(start_date=date(2028, 2, 28), end_date=date(2028, 3, 1)).duration == 3

    client.force_login(parent)
    response = client.get(reverse("excusals:family"), {"month": "2028-02"})
    assert response.status_code == 200
    calendar = response.context["children"][0]["calendar"]
    in_month = [d for week in calendar.weeks for d in week if d.in_month]
    assert len(in_month) == 29 and in_month[-1].day == leap and in_month[-1].is_today
    assert in_month[-1].excusal == twelve
    # A 29 February that does not exist is refused, not a 500.
    client.force_login(teacher)
    assert client.get(reverse("classes:today"), {"date": "2027-02-29"}).status_code == 400


# --- the school's day is not UTC's day -----------------------------------------------------------


@pytest.mark.time_machine(datetime(2026, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC")))
def test_at_2330_utc_on_31_december_a_school_ahead_of_utc_is_in_the_new_year(client):
    s = school_with_terms("Asia/Tokyo", terms=[("Winter term", date(2026, 12, 1), date(2027, 3, 31))])
    new_year = date(2027, 1, 1)  # 08:30 on a Friday in Tokyo
    assert s.school.today() == new_year
    assert "Today, Friday 1 January 2027" in today_page(client, s.teacher)
    # Period 1 starts at 08:30 school time: it has just begun; period 3 has not.
    assert untaken(client, s.admin) == [("7C English", new_year, 1)]
    assert tap(client, s.teacher, s, new_year, 1, 0).status_code == 200
    assert saved_dates(s) == [new_year]
    # The edit window counts back from the school's day: 25 December is 7 days back, 24 is 8.
    assert "only an admin" not in tap(client, s.teacher, s, date(2026, 12, 25), 1, 0).content.decode()
    assert "only an admin" in tap(client, s.teacher, s, date(2026, 12, 24), 1, 0).content.decode()
    # The same instant is still 31 December in a school behind UTC.
    assert f.make_school("Far West", timezone="America/New_York").today() == date(2026, 12, 31)


# --- the nights the clocks change ------------------------------------------------------------------


def night_school(timezone: str, sunday: date, start: time):
    """A class that meets on Sundays at ``start``, school time (period 1 moved there)."""
    s = school_with_terms(timezone, terms=[("Term", date(2026, 9, 1), date(2027, 7, 16))], weekdays=(7,), periods=(1,))
    Period.objects.filter(school=s.school, number=1).update(start_time=start, end_time=time(start.hour + 1, 20))
    assert s.school.today() == sunday
    return s


UTC = ZoneInfo("UTC")


@pytest.mark.parametrize(
    "timezone, sunday, start, moment, started",
    [
        # Clocks go back at 02:00 summer time, to 01:00: 01:15 comes twice.
        ("Europe/London", date(2026, 10, 25), time(1, 30), datetime(2026, 10, 25, 0, 15, tzinfo=UTC), False),
        ("Europe/London", date(2026, 10, 25), time(1, 30), datetime(2026, 10, 25, 0, 45, tzinfo=UTC), True),
        ("Europe/London", date(2026, 10, 25), time(1, 30), datetime(2026, 10, 25, 1, 15, tzinfo=UTC), True),
        ("America/New_York", date(2026, 11, 1), time(1, 30), datetime(2026, 11, 1, 5, 15, tzinfo=UTC), False),
        ("America/New_York", date(2026, 11, 1), time(1, 30), datetime(2026, 11, 1, 5, 45, tzinfo=UTC), True),
        ("America/New_York", date(2026, 11, 1), time(1, 30), datetime(2026, 11, 1, 6, 15, tzinfo=UTC), True),
        # Clocks go forward: 01:30 in London and 02:30 in New York never happen that night, and are
        # read at the offset before the change (an hour after the gap, by the new clock).
        ("Europe/London", date(2027, 3, 28), time(1, 30), datetime(2027, 3, 28, 1, 15, tzinfo=UTC), False),
        ("Europe/London", date(2027, 3, 28), time(1, 30), datetime(2027, 3, 28, 1, 45, tzinfo=UTC), True),
        ("America/New_York", date(2027, 3, 14), time(2, 30), datetime(2027, 3, 14, 7, 15, tzinfo=UTC), False),
        ("America/New_York", date(2027, 3, 14), time(2, 30), datetime(2027, 3, 14, 7, 45, tzinfo=UTC), True),
    ],
    ids=[
        "london-back-first-0115",
        "london-back-first-0145",
        "london-back-second-0115",
        "newyork-back-first-0115",
        "newyork-back-first-0145",
        "newyork-back-second-0115",
        "london-forward-0215",
        "london-forward-0245",
        "newyork-forward-0315",
        "newyork-forward-0345",
    ],
)
def test_a_period_on_the_night_the_clocks_change_starts_once(
    client, pinned_clock, timezone, sunday, start, moment, started
):
    pinned_clock.move_to(moment)
    s = night_school(timezone, sunday, start)
    assert untaken(client, s.admin) == ([("7C English", sunday, 1)] if started else [])
    assert roll(s, sunday) in today_page(client, s.teacher)


def test_the_audit_log_tells_the_two_0120s_apart_when_the_clocks_go_back(client, pinned_clock):
    pinned_clock.move_to(datetime(2026, 10, 25, 0, 20, tzinfo=UTC))  # 01:20 BST
    s = night_school("Europe/London", date(2026, 10, 25), time(1, 0))
    assert tap(client, s.teacher, s, date(2026, 10, 25), 1, 0).status_code == 200
    pinned_clock.move_to(datetime(2026, 10, 25, 1, 20, tzinfo=UTC))  # 01:20 GMT, an hour later
    assert tap(client, s.teacher, s, date(2026, 10, 25), 1, 2).status_code == 200

    client.force_login(s.admin)
    html = client.get(reverse("reports:audit")).content.decode()
    assert "25 Oct 2026 01:20 BST" in html and "25 Oct 2026 01:20 GMT" in html
    assert html.index("01:20 GMT") < html.index("01:20 BST")  # newest first


# --- a school that counts periods from 0 ----------------------------------------------------------


@pytest.mark.time_machine(datetime(2026, 11, 18, 10, tzinfo=ZoneInfo("UTC")))
def test_a_school_counting_periods_from_0_labels_them_so_and_keeps_the_wire_from_1(client, world, teacher, admin):
    world.school.periods_from_zero = True
    world.school.save()
    day = world.school.today()
    html = today_page(client, teacher)
    assert html.index("Period 0</span>") < html.index("Period 2</span>")
    assert "Period 1</span>" not in html and "Period 3</span>" not in html
    client.force_login(teacher)
    page = client.get(reverse("classes:roll", args=[world.english.pk, day.isoformat(), 1])).content.decode()
    assert "Period 0" in page
    assert untaken(client, admin) == [("7A English", day, 1), ("8B Science", day, 2)]
