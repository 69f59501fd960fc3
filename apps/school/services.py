"""Writes to the school's own set-up."""

from __future__ import annotations

from apps.school.models import MANAGEBAC_CODES, QUICK_BY_DEFAULT, AttendanceCode, School

DISABLED_BY_DEFAULT = {15, 16, 17, 18}  # Custom 1–4: a school names them before it uses them


def seed_attendance_codes(school: School) -> None:
    """Give a new school ManageBac's set of codes (``MANAGEBAC_CODES``); existing codes are kept."""
    existing = set(AttendanceCode.objects.filter(school=school).values_list("mb_status", flat=True))
    AttendanceCode.objects.bulk_create(
        [
            AttendanceCode(
                school=school,
                mb_status=status,
                abbreviation=abbreviation,
                label=label,
                kind=kind,
                presence=presence,
                colour=colour,
                enabled=status not in DISABLED_BY_DEFAULT,
                quick=status in QUICK_BY_DEFAULT,
                sort_order=order,
            )
            for order, (status, abbreviation, label, kind, presence, colour) in enumerate(MANAGEBAC_CODES)
            if status not in existing
        ]
    )
