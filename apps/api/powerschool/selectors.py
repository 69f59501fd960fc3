"""Reads for the PowerSchool dialect: the attendance_code and period tables a plugin looks ids
up in, and what a write needs to resolve its ids (each in one query)."""

from __future__ import annotations

from datetime import date, time

from apps.classes.models import Enrollment
from apps.school.access import schools_for
from apps.school.models import DEFAULT_PRESENT_STATUS, AcademicYear, AttendanceCode, Period, School

# Column names of each table we serve, in PowerSchool's words.
TABLE_COLUMNS = {
    "attendance_code": ("id", "schoolid", "yearid", "att_code", "description", "presence_status_cd", "sortorder"),
    "period": ("id", "schoolid", "yearid", "period_number", "name", "start_time", "end_time", "sort_order"),
}


def seconds(value: time | None) -> int | None:
    return None if value is None else value.hour * 3600 + value.minute * 60 + value.second


def current_year(years: list[AcademicYear], today: date) -> AcademicYear | None:
    """The year containing today, else the latest one that started."""
    for year in years:
        if year.start_date <= today <= year.end_date:
            return year
    started = [y for y in years if y.start_date <= today]
    return started[-1] if started else (years[0] if years else None)


def table_rows(user, table: str, *, school_number: str | None, year_id: str | None) -> list[tuple[int, dict]]:
    """Rows of ``table`` for the user's schools as (id, {column: value}), values not yet strings.
    Codes and periods belong to a school, not a year: a row carries the asked ``yearid`` when
    it is one of its school's years, else the school's current year (three queries)."""
    schools = schools_for(user)
    if school_number is not None:
        schools = schools.filter(number=school_number) if school_number.isdigit() else schools.none()
    by_id: dict[int, School] = {s.pk: s for s in schools}
    years: dict[int, list[AcademicYear]] = {}
    for year in AcademicYear.objects.filter(school_id__in=by_id).order_by("start_date"):
        years.setdefault(year.school_id, []).append(year)
    year_of: dict[int, AcademicYear | None] = {}
    for school_id, school in by_id.items():
        own = years.get(school_id, [])
        if year_id is not None:
            year_of[school_id] = next((y for y in own if str(y.pk) == year_id), None)
        else:
            year_of[school_id] = current_year(own, school.today())
    wanted = [school_id for school_id, year in year_of.items() if year is not None]

    rows = []
    if table == "attendance_code":
        # The roll's default present (-1) is not a code a client may write.
        codes = (
            AttendanceCode.objects.filter(school_id__in=wanted, enabled=True)
            .exclude(mb_status=DEFAULT_PRESENT_STATUS)
            .order_by("school_id", "sort_order", "id")
        )
        for c in codes:
            rows.append(
                (
                    c.pk,
                    {
                        "id": c.pk,
                        "schoolid": by_id[c.school_id].number,
                        "yearid": year_of[c.school_id].pk,
                        "att_code": c.abbreviation,
                        "description": c.label,
                        "presence_status_cd": c.presence,
                        "sortorder": c.sort_order,
                    },
                )
            )
    else:
        for p in Period.objects.filter(school_id__in=wanted).order_by("school_id", "number"):
            rows.append(
                (
                    p.pk,
                    {
                        "id": p.pk,
                        "schoolid": by_id[p.school_id].number,
                        "yearid": year_of[p.school_id].pk,
                        "period_number": p.number,
                        "name": p.name or f"Period {p.number}",
                        "start_time": seconds(p.start_time),
                        "end_time": seconds(p.end_time),
                        "sort_order": p.number,
                    },
                )
            )
    return rows


def schools_by_number(user, numbers: set[int]) -> dict[int, School]:
    return {s.number: s for s in schools_for(user).filter(number__in=numbers)}


def years_by_id(schools: list[School], ids: set[int]) -> dict[int, AcademicYear]:
    return {y.pk: y for y in AcademicYear.objects.filter(school__in=schools, pk__in=ids)}


def codes_by_id(schools: list[School], ids: set[int]) -> dict[int, AttendanceCode]:
    return {c.pk: c for c in AttendanceCode.objects.filter(school__in=schools, pk__in=ids)}


def enrollments_by_id(schools: list[School], ids: set[int]) -> dict[int, Enrollment]:
    return {e.pk: e for e in Enrollment.objects.filter(school__in=schools, pk__in=ids)}


def periods_of(schools: list[School]) -> list[Period]:
    return list(Period.objects.filter(school__in=schools).order_by("number"))
