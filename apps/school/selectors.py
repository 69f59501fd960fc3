"""Reads of the school's set-up, shared by pages and dialects."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from django.db.models import Model

from apps.school.memo import remembered_across
from apps.school.models import DEFAULT_PRESENT_STATUS, PRESENT_STATUS, AttendanceCode, Period, School, Term

T = TypeVar("T", bound=Model)


def _copy(row: T) -> T:
    """A model instance's copy as ``copy.copy`` makes it (Django's ``Model.__getstate__``: its
    fields, its own state and cache of related rows) without pickling's round trip, half the
    time: each request makes its own copies of its school's set-up."""
    mine = object.__new__(type(row))
    mine.__dict__.update(row.__getstate__())
    return mine


def codes_for_school(school: School) -> list[AttendanceCode]:
    """The school's codes in its order (one query, once per request; inside a request, once per
    process until the school's set-up changes: apps/school/memo.py)."""
    return list(
        remembered_across(
            ("codes", school.pk),
            school.setup_version,
            lambda: list(AttendanceCode.objects.filter(school=school)),
            own=lambda codes: [_copy(c) for c in codes],
        )
    )


def code_by_mb_status(codes: list[AttendanceCode]) -> dict[int, AttendanceCode]:
    return {c.mb_status: c for c in codes if c.mb_status is not None}


def default_present_code(codes: list[AttendanceCode]) -> AttendanceCode | None:
    return code_by_mb_status(codes).get(DEFAULT_PRESENT_STATUS)


def as_people_read(codes: list[AttendanceCode]) -> dict[int, AttendanceCode]:
    """One school's codes by id as the pages people read show them: ManageBac's explicit Present
    (1) reads as the roll's default present (-1, which is never disabled): one Present. Rolls,
    counts, reports, charts, the family pages and the exports all read codes through this; the
    APIs keep the two apart."""
    shown = {c.pk: c for c in codes}
    by_status = code_by_mb_status(codes)
    default, explicit = by_status.get(DEFAULT_PRESENT_STATUS), by_status.get(PRESENT_STATUS)
    if default is not None and explicit is not None:
        shown[explicit.pk] = default
    return shown


def counts_as_people_read(counts: dict[int, int], shown: dict[int, AttendanceCode]) -> dict[int, int]:
    """Counts per code id (or adjustments) added up by the code people read (``as_people_read``)."""
    merged: dict[int, int] = {}
    for code_id, n in counts.items():
        key = shown[code_id].pk if code_id in shown else code_id
        merged[key] = merged.get(key, 0) + n
    return merged


def periods_for_school(school: School) -> list[Period]:
    """The school's periods by number (one query, once per request; inside a request, once per
    process until the school's set-up changes)."""

    def own(periods: list[Period]) -> list[Period]:
        mine = [_copy(p) for p in periods]
        for period in mine:
            period.school = school  # for its label: this request's school row
        return mine

    return list(remembered_across(("periods", school.pk), school.setup_version, lambda: _periods_of(school), own))


def _periods_of(school: School) -> list[Period]:
    periods = list(Period.objects.filter(school=school))
    for period in periods:
        period.school = school  # for its label, without a query per period
    return periods


def term_on(school: School, on: date) -> Term | None:
    return Term.objects.filter(school=school, start_date__lte=on, end_date__gte=on).first()
