"""The change log of the rows other than marks that move a figure: excusals, term adjustments,
attendance codes, school settings and API clients. Marks log their own changes in bulk
(apps/attendance/engine.py); these go one at a time, as each is changed.

A writer takes the row's ``state`` before it changes it and calls ``log_change`` after, inside
the same transaction, so the entry exists exactly when the change does::

    before = state(excusal)
    excusal.save()
    log_change(excusal, actor=actor, channel=channel, before=before, after=state(excusal))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.school.models import School

Kind = AuditEntry.MarkKind


@dataclass(frozen=True)
class Subject:
    """What the log keeps of one model's rows."""

    kind: str
    # What the row belongs to, kept in the entry's ``key`` after the row is gone.
    key: Callable[[models.Model], dict[str, Any]]
    # The fields whose change is logged, before and after.
    values: tuple[str, ...]
    # A removal is logged too; a school is not: one that may be deleted holds no record, and an
    # entry would hold it (the log protects its school).
    logs_removal: bool = True
    # A logged value that is a field of another model (``{name: "app.Model"}``), which names it.
    elsewhere: dict[str, str] = field(default_factory=dict)


SUBJECTS: dict[str, Subject] = {
    "excusals.Excusal": Subject(
        Kind.EXCUSAL,
        lambda e: {"student_id": e.student_id, "parent_id": e.parent_id},
        ("start_date", "end_date", "comment"),
    ),
    "homeroom.Adjustment": Subject(
        Kind.ADJUSTMENT,
        lambda a: {"student_id": a.student_id, "term_id": a.term_id},
        ("code_id", "adjustment", "reason"),
    ),
    "school.AttendanceCode": Subject(
        Kind.CODE,
        lambda c: {"mb_status": c.mb_status},
        ("abbreviation", "label", "kind", "presence", "enabled", "colour", "sort_order", "quick"),
    ),
    "school.School": Subject(
        Kind.SETTINGS,
        lambda s: {},
        ("teacher_edit_days", "attendance_in_sis", "periods_from_zero", "timezone", "default_language"),
        logs_removal=False,
    ),
    "school.Parent": Subject(
        Kind.PREFERENCE,
        lambda p: {"parent_id": p.pk},
        ("email", "emails"),
        logs_removal=False,
        elsewhere={"emails": "notifications.ParentPreference"},
    ),
    # A person's language, on their login: in the log of every school they have a role in.
    "school.Profile": Subject(Kind.LANGUAGE, lambda p: {"user_id": p.user_id}, ("language",), logs_removal=False),
    "notifications.NotificationSettings": Subject(
        Kind.NOTIFY,
        lambda n: {},
        ("enabled", "absence_delay_minutes", "reminder_after_minutes", "sender_name", "reply_to"),
        logs_removal=False,
    ),
    "api.ApiClient": Subject(
        Kind.API_CLIENT,
        lambda c: {"user_id": c.user_id, "user": c.user.get_username()},
        ("name", "scopes", "revoked_at"),
    ),
}
MODEL_OF_KIND = {subject.kind: label for label, subject in SUBJECTS.items()}


def subject_of(obj: models.Model) -> Subject:
    return SUBJECTS[obj._meta.label]


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def state(obj: models.Model | None) -> dict[str, Any] | None:
    """The logged fields of ``obj`` as they are now (JSON-ready); None for no row."""
    if obj is None or obj.pk is None:
        return None
    return {name: _json(getattr(obj, name)) for name in subject_of(obj).values}


def _school_ids(obj: models.Model) -> list[int]:
    """The schools whose log holds a change of ``obj``: its own; for an API client (or a login's
    profile), every school its user has a role in (it reaches what they may; a client reaching
    none is nobody's figure)."""
    if isinstance(obj, School):
        return [obj.pk]
    if hasattr(obj, "school_id"):
        return [obj.school_id]
    user_id = obj.user_id
    return list(
        School.objects.filter(
            Q(administrator__user_id=user_id)
            | Q(teacher__user_id=user_id)
            | Q(parent__user_id=user_id)
            | Q(student__user_id=user_id)
        )
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )


def log_change(
    obj: models.Model, *, actor, channel: str, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[AuditEntry]:
    """Log that ``obj`` went from ``before`` to ``after`` (None: no row); nothing when they are
    equal. ``obj`` still has its id (a removed row: log it before the delete). One insert (an
    API client: one query more, for its schools). Call inside the transaction of the change."""
    subject = subject_of(obj)
    if before == after or (after is None and not subject.logs_removal):
        return []
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    now = timezone.now()
    key = subject.key(obj)
    return AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                school_id=school_id,
                mark_kind=subject.kind,
                mark_id=obj.pk,
                key=key,
                before=before,
                after=after,
                changed_by_id=actor_id,
                channel=channel,
                changed_at=now,
            )
            for school_id in _school_ids(obj)
        ]
    )
