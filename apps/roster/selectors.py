"""Reads behind the roster pages: which school an admin's upload is for, and their uploads."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from apps.roster.models import RosterUpload
from apps.school.access import administered_schools
from apps.school.models import School

RECENT = 10


def recent_uploads(school: School) -> QuerySet[RosterUpload]:
    return (
        RosterUpload.objects.filter(school=school)
        .defer("export", "preview", "outcome", "problems")
        .select_related("uploaded_by", "applied_by")[:RECENT]
    )


def get_upload_for_user(user, upload_id: int) -> RosterUpload:
    """An upload of a school the user administers, else 404."""
    try:
        return (
            RosterUpload.objects.defer("export")
            .select_related("school", "uploaded_by", "applied_by")
            .get(pk=upload_id, school__in=administered_schools(user))
        )
    except RosterUpload.DoesNotExist:
        raise Http404("No such upload") from None
