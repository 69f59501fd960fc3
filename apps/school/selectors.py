"""Reads of the school's set-up, shared by pages and dialects."""

from __future__ import annotations

from datetime import date

from apps.school.models import DEFAULT_PRESENT_STATUS, AttendanceCode, Period, School, Term


def codes_for_school(school: School) -> list[AttendanceCode]:
    return list(AttendanceCode.objects.filter(school=school))


def code_by_mb_status(codes: list[AttendanceCode]) -> dict[int, AttendanceCode]:
    return {c.mb_status: c for c in codes if c.mb_status is not None}


def default_present_code(codes: list[AttendanceCode]) -> AttendanceCode | None:
    return code_by_mb_status(codes).get(DEFAULT_PRESENT_STATUS)


def periods_for_school(school: School) -> list[Period]:
    return list(Period.objects.filter(school=school))


def term_on(school: School, on: date) -> Term | None:
    return Term.objects.filter(school=school, start_date__lte=on, end_date__gte=on).first()
