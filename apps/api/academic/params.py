"""Reading the course-offering dialect's query and headers: a date, a UUID, and the school the
request speaks for (``X-School-Id``); what cannot be read is a 422 naming it."""

from __future__ import annotations

import uuid
from datetime import date

from django.http import Http404
from rest_framework import exceptions

from apps.api.academic.errors import Unprocessable, field_error
from apps.school.access import schools_for
from apps.school.dates import OUT_OF_RANGE, in_range, parse_iso
from apps.school.models import School

SCHOOL_HEADER = "X-School-Id"


def parse_day(raw: str, name: str) -> date:
    """A query's YYYY-MM-DD date in Rollbook's range (apps/school/dates.py), else a 422 naming it."""
    found = parse_iso(raw.strip())
    if found is None:
        raise Unprocessable(
            [field_error("query", name, "Input should be a valid date in the format YYYY-MM-DD", "date_parsing")]
        )
    if not in_range(found):
        raise Unprocessable([field_error("query", name, OUT_OF_RANGE)])
    return found


def parse_uuid(raw, location: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except (TypeError, ValueError):
        raise Unprocessable([field_error(location, name, "Input should be a valid UUID", "uuid_parsing")]) from None


def school_for(request) -> School:
    """The school the request speaks for: the token user's only school, or the one named by
    ``X-School-Id`` (required when the user belongs to several; one query)."""
    raw = request.headers.get(SCHOOL_HEADER)
    schools = schools_for(request.user)
    if raw is not None:  # sent, even blank: it must be a school's id (a blank one is a 422, not "none")
        wanted = parse_uuid(raw.strip(), "header", SCHOOL_HEADER.lower())
        school = schools.filter(uuid=wanted).first()
        if school is None:
            raise Http404("School not found")
        return school
    found = list(schools[:2])
    if len(found) == 1:
        return found[0]
    if not found:
        raise exceptions.PermissionDenied("The token's user belongs to no school")
    raise Unprocessable(
        [
            field_error(
                "header",
                SCHOOL_HEADER.lower(),
                f"The token's user belongs to several schools: send {SCHOOL_HEADER} with the school's id",
                "missing",
            )
        ]
    )
