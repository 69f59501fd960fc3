"""Writes to a school's attendance settings: codes, term adjustments, school settings.

Only the school's admins may call them (PermissionError otherwise). Bad values raise
``ValidationError`` with errors by field and leave everything as it was. Every change is
logged (apps/audit/log.py) in its transaction, with what the row was before, read under a lock."""

from __future__ import annotations

import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from apps.attendance.channels import Channel
from apps.audit.log import log_change, state
from apps.homeroom.models import Adjustment
from apps.languages import choice as languages
from apps.school.access import is_school_admin
from apps.school.models import AttendanceCode, School, Student, Term

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_EDIT_DAYS = 366
MAX_ADJUSTMENT = 999


def _require_admin(actor, school: School) -> None:
    if actor is None or not is_school_admin(actor, school):
        raise PermissionError("Only the school's attendance managers may change its settings")


def attendance_code_update(
    *,
    actor,
    code: AttendanceCode,
    label: str,
    abbreviation: str,
    kind: str,
    presence: str,
    colour: str,
    enabled: bool,
    quick: bool | None = None,
    channel: str = Channel.WEB,
) -> AttendanceCode:
    """Change how a code reads and counts. Its ManageBac status is fixed (the dialects map by
    it), and the default present (-1) stays enabled: every taken roll starts from it."""
    _require_admin(actor, code.school)
    errors: dict[str, list[str]] = {}
    label, abbreviation = label.strip(), abbreviation.strip()
    if not label:
        errors.setdefault("label", []).append(gettext("A code needs a label."))
    if not abbreviation:
        errors.setdefault("abbreviation", []).append(gettext("A code needs an abbreviation."))
    elif AttendanceCode.objects.filter(school=code.school, abbreviation=abbreviation).exclude(pk=code.pk).exists():
        errors.setdefault("abbreviation", []).append(
            gettext("Another code already uses “%(abbreviation)s”.") % {"abbreviation": abbreviation}
        )
    if kind not in AttendanceCode.Kind.values:
        errors.setdefault("kind", []).append(gettext("Choose one of the kinds."))
    if presence not in AttendanceCode.Presence.values:
        errors.setdefault("presence", []).append(gettext("Choose Present or Absent."))
    if not COLOUR.match(colour or ""):
        errors.setdefault("colour", []).append(gettext("Use a colour like #1d4ed8."))
    if code.is_default_present and not enabled:
        errors.setdefault("enabled", []).append(gettext("The default present code cannot be disabled."))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            current = AttendanceCode.objects.select_for_update().get(pk=code.pk)
            before = state(current)
            for row in (current, code):
                row.label, row.abbreviation, row.kind, row.presence = label, abbreviation, kind, presence
                row.colour, row.enabled = colour.lower(), enabled
                row.quick = current.quick if quick is None else quick
            current.save(update_fields=["label", "abbreviation", "kind", "presence", "colour", "enabled", "quick"])
            log_change(current, actor=actor, channel=channel, before=before, after=state(current))
    except IntegrityError:
        # Another admin took the abbreviation between our check and our save.
        code.refresh_from_db()
        raise ValidationError(
            {
                "abbreviation": [
                    gettext("Another code already uses “%(abbreviation)s”.") % {"abbreviation": abbreviation}
                ]
            }
        ) from None
    return code


def _check_adjustment(school: School, student: Student, term: Term, code: AttendanceCode, value: int) -> None:
    errors: dict[str, list[str]] = {}
    if student.school_id != school.pk:
        errors.setdefault("student", []).append(gettext("Not a student of this school."))
    if term.school_id != school.pk:
        errors.setdefault("term", []).append(gettext("Not a term of this school."))
    if code.school_id != school.pk:
        errors.setdefault("code", []).append(gettext("Not a code of this school."))
    if value == 0:
        errors.setdefault("adjustment", []).append(gettext("An adjustment of 0 changes nothing."))
    elif abs(value) > MAX_ADJUSTMENT:
        errors.setdefault("adjustment", []).append(
            gettext("Keep it between -%(most)s and %(most)s.") % {"most": MAX_ADJUSTMENT}
        )
    if errors:
        raise ValidationError(errors)


def _duplicate() -> ValidationError:
    return ValidationError(
        {"code": [gettext("This student already has an adjustment of this code in this term: change it.")]}
    )


def adjustment_create(
    *,
    actor,
    school: School,
    student: Student,
    term: Term,
    code: AttendanceCode,
    adjustment: int,
    reason: str = "",
    channel: str = Channel.WEB,
) -> Adjustment:
    """Add a signed correction to a student's count of a code in a term."""
    _require_admin(actor, school)
    _check_adjustment(school, student, term, code, adjustment)
    if Adjustment.objects.filter(student=student, term=term, code=code).exists():
        raise _duplicate()
    try:
        with transaction.atomic():
            created = Adjustment.objects.create(
                school=school, student=student, term=term, code=code, adjustment=adjustment, reason=reason.strip()
            )
            log_change(created, actor=actor, channel=channel, before=None, after=state(created))
    except IntegrityError:
        raise _duplicate() from None
    return created


def adjustment_update(
    *, actor, adjustment: Adjustment, code: AttendanceCode, value: int, reason: str = "", channel: str = Channel.WEB
) -> Adjustment:
    _require_admin(actor, adjustment.school)
    _check_adjustment(adjustment.school, adjustment.student, adjustment.term, code, value)
    if (
        Adjustment.objects.filter(student=adjustment.student, term=adjustment.term, code=code)
        .exclude(pk=adjustment.pk)
        .exists()
    ):
        raise _duplicate()
    try:
        with transaction.atomic():
            before = state(Adjustment.objects.select_for_update().get(pk=adjustment.pk))
            adjustment.code, adjustment.adjustment, adjustment.reason = code, value, reason.strip()
            adjustment.save(update_fields=["code", "adjustment", "reason"])
            log_change(adjustment, actor=actor, channel=channel, before=before, after=state(adjustment))
    except IntegrityError:
        raise _duplicate() from None
    return adjustment


def adjustment_delete(*, actor, adjustment: Adjustment, channel: str = Channel.WEB) -> None:
    _require_admin(actor, adjustment.school)
    with transaction.atomic():
        current = Adjustment.objects.select_for_update().filter(pk=adjustment.pk).first()
        if current is None:  # deleted meanwhile: nothing left to delete or log
            return
        log_change(current, actor=actor, channel=channel, before=state(current), after=None)
        current.delete()


SCHOOL_SETTINGS = ("teacher_edit_days", "attendance_in_sis", "periods_from_zero", "timezone", "default_language")


def school_settings_update(
    *,
    actor,
    school: School,
    teacher_edit_days: int,
    attendance_in_sis: bool,
    periods_from_zero: bool,
    timezone: str,
    default_language: str | None = None,
    channel: str = Channel.WEB,
) -> School:
    """The school-wide attendance settings: the teachers' edit window, the SIS flag, how
    periods are numbered, the clock the school runs on and its default language (None: as it is)."""
    _require_admin(actor, school)
    errors: dict[str, list[str]] = {}
    if not 0 <= teacher_edit_days <= MAX_EDIT_DAYS:
        errors.setdefault("teacher_edit_days", []).append(
            gettext("Use a number of days from 0 to %(most)s.") % {"most": MAX_EDIT_DAYS}
        )
    if timezone not in zoneinfo.available_timezones():
        errors.setdefault("timezone", []).append(gettext("Choose a time zone from the list."))
    if default_language is not None and default_language not in languages.codes():
        errors.setdefault("default_language", []).append(gettext("Choose a language from the list."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = state(School.objects.select_for_update().get(pk=school.pk))
        school.teacher_edit_days = teacher_edit_days
        school.attendance_in_sis = attendance_in_sis
        school.periods_from_zero = periods_from_zero
        school.timezone = timezone
        if default_language is not None:
            school.default_language = default_language
        school.save(update_fields=[*SCHOOL_SETTINGS])
        log_change(school, actor=actor, channel=channel, before=before, after=state(school))
    return school
