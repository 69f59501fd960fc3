"""Input and output shapes of the section-style dialect (seed 001): numbers may arrive as
strings; records come out grouped by date, then status code."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from rest_framework import serializers

from apps.api.sections.paging import DEFAULT_LIMIT, MAX_LIMIT, paging_offset
from apps.api.sections.selectors import SECTION_STATUSES, SectionMember
from apps.attendance.rules import MAX_NOTE_LENGTH
from apps.school.dates import OUT_OF_RANGE, DateRange, in_range, parse_iso

DATE_FORMATS = ["%Y-%m-%d"]
# Rows of one attendance PUT: a week of a full section (30 students, 5 days) many times over.
MAX_ROWS = 1000


class AttendanceQuerySerializer(serializers.Serializer):
    """``start`` is an inclusive date, or (when it is a number, as clients send ``start=0``) a
    paging offset; ``offset`` is what ``links.next`` carries."""

    start = serializers.CharField(required=False, allow_blank=True)
    end = serializers.DateField(required=False, input_formats=DATE_FORMATS, validators=[DateRange()])
    enrollment_id = serializers.IntegerField(required=False, min_value=1)
    limit = serializers.IntegerField(required=False, min_value=1)
    offset = serializers.IntegerField(required=False, min_value=0)

    def validate(self, attrs):
        start = (attrs.pop("start", "") or "").strip()
        attrs["start_date"] = None
        if start.isascii() and start.isdigit():  # (isdigit alone takes "²", which int() refuses)
            attrs.setdefault("offset", paging_offset(start))
        elif start:
            attrs["start_date"] = parse_iso(start)
            if attrs["start_date"] is None:
                raise serializers.ValidationError({"start": "must be a date (YYYY-MM-DD) or a paging offset"})
            if not in_range(attrs["start_date"]):
                raise serializers.ValidationError({"start": OUT_OF_RANGE})
        if attrs["start_date"] and attrs.get("end") and attrs["end"] < attrs["start_date"]:
            raise serializers.ValidationError({"end": "must not be before start"})
        attrs["offset"] = paging_offset(attrs.get("offset", 0))
        attrs["limit"] = min(attrs.get("limit", DEFAULT_LIMIT), MAX_LIMIT)
        return attrs


class ListQuerySerializer(serializers.Serializer):
    """Paging of a list: ``start`` or ``offset`` (both offsets) and ``limit``."""

    start = serializers.IntegerField(required=False, min_value=0)
    offset = serializers.IntegerField(required=False, min_value=0)
    limit = serializers.IntegerField(required=False, min_value=1)

    def validate(self, attrs):
        start = attrs.pop("start", 0)
        attrs["offset"] = paging_offset(attrs.get("offset", start))
        attrs["limit"] = min(attrs.get("limit", DEFAULT_LIMIT), MAX_LIMIT)
        return attrs


class AttendanceRowSerializer(serializers.Serializer):
    """One row of a PUT: ``{"enrollment_id","date","status","comment"}``."""

    enrollment_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)  # (a larger one fits no column)
    date = serializers.DateField(input_formats=DATE_FORMATS, validators=[DateRange()])
    status = serializers.ChoiceField(choices=SECTION_STATUSES)
    comment = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=MAX_NOTE_LENGTH)


def first_error(errors) -> str:
    """A serializer's errors as one line: ``status: "9" is not a valid choice.``"""
    if isinstance(errors, dict):
        for field, messages in errors.items():
            message = first_error(messages)
            return message if field == "non_field_errors" else f"{field}: {message}"
    if isinstance(errors, list) and errors:
        return first_error(errors[0])
    return str(errors)


def attendance_rows(data) -> list:
    """The rows of a PUT body, ``attendances.attendance`` being a list or (one row from XML,
    or a lenient client) a single object. Raises ValueError for any other structure."""
    if not isinstance(data, dict) or not isinstance(data.get("attendances"), dict):
        raise ValueError('The body must be {"attendances": {"attendance": [...]}}')
    rows = data["attendances"].get("attendance")
    if isinstance(rows, dict):
        return [rows]
    if isinstance(rows, list) and len(rows) > MAX_ROWS:
        raise ValueError(f"attendances.attendance may hold at most {MAX_ROWS} attendances")
    if isinstance(rows, list) and rows:
        return rows
    raise ValueError("attendances.attendance must hold at least one attendance")


def grouped_records(records: Iterable[dict]) -> list[dict]:
    """Seed 001's nesting: dates in order, each with its statuses in order, each with its
    attendances."""
    by_date: dict[date, dict[int, list[dict]]] = {}
    for record in records:
        by_date.setdefault(record["date"], {}).setdefault(record["section_status"], []).append(record)
    return [
        {
            "date": day.isoformat(),
            "statuses": {
                "status": [
                    {
                        "status_code": status,
                        "attendances": {
                            "attendance": [
                                {
                                    "enrollment_id": r["enrollment_id"],
                                    "date": day.isoformat(),
                                    "status": status,
                                    "comment": r["note"] or "",
                                }
                                for r in rows
                            ]
                        },
                    }
                    for status, rows in sorted(statuses.items())
                ]
            },
        }
        for day, statuses in sorted(by_date.items())
    ]


def attendance_list(records: list[dict], totals: list[dict], next_url: str | None) -> dict:
    body: dict = {
        "date": grouped_records(records),
        "totals": {"total": [{"status": t["section_status"], "count": t["count"]} for t in totals]},
    }
    if next_url:
        body["links"] = {"next": next_url}
    return body


def member_data(member: SectionMember, *, self_url: str) -> dict:
    """An enrollment, in a list or on its own, as Schoology documents it: ``id`` and ``uid``
    strings, ``admin`` (0 or 1) and ``status`` (1 to 5) numbers."""
    return {
        "id": str(member.id),
        "uid": str(member.uid),
        "school_uid": member.school_uid,
        "name_first": member.first_name,
        "name_last": member.last_name,
        "name_display": f"{member.first_name} {member.last_name}".strip(),
        "admin": member.admin,
        "status": member.status,
        "links": {"self": self_url},
    }


# --- for the OpenAPI schema only --------------------------------------------------------

STATUS_HELP = "1 present, 2 absent, 3 late, 4 excused"


class AttendanceRecordOut(serializers.Serializer):
    enrollment_id = serializers.IntegerField()
    date = serializers.DateField()
    status = serializers.IntegerField(help_text=STATUS_HELP)
    comment = serializers.CharField(allow_blank=True)


class AttendancesOut(serializers.Serializer):
    attendance = AttendanceRecordOut(many=True)


class StatusGroupOut(serializers.Serializer):
    status_code = serializers.IntegerField(help_text=STATUS_HELP)
    attendances = AttendancesOut()


class StatusesOut(serializers.Serializer):
    status = StatusGroupOut(many=True)


class DateGroupOut(serializers.Serializer):
    date = serializers.DateField()
    statuses = StatusesOut()


class TotalOut(serializers.Serializer):
    status = serializers.IntegerField(help_text=STATUS_HELP)
    count = serializers.IntegerField()


class TotalsOut(serializers.Serializer):
    total = TotalOut(many=True)


class NextLinkOut(serializers.Serializer):
    next = serializers.URLField(help_text="The next page, when more records remain")


class AttendanceListOut(serializers.Serializer):
    date = DateGroupOut(many=True)
    totals = TotalsOut()
    links = NextLinkOut(required=False)


class AttendanceRowIn(serializers.Serializer):
    enrollment_id = serializers.IntegerField(help_text="May be sent as a string")
    date = serializers.DateField()
    status = serializers.IntegerField(help_text=STATUS_HELP + "; may be sent as a string")
    comment = serializers.CharField(required=False, allow_blank=True)


class AttendanceRowsIn(serializers.Serializer):
    attendance = AttendanceRowIn(many=True)


class AttendanceWriteIn(serializers.Serializer):
    attendances = AttendanceRowsIn()


class AttendanceResultOut(serializers.Serializer):
    id = serializers.CharField(required=False, help_text="The id of the mark written (absent when refused)")
    response_code = serializers.IntegerField(help_text="200, 400 (see message) or 404 (unknown enrollment)")
    message = serializers.CharField(required=False)


class AttendanceWriteOut(serializers.Serializer):
    attendance = AttendanceResultOut(many=True)


class SelfLinkOut(serializers.Serializer):
    self = serializers.URLField()


class EnrollmentOut(serializers.Serializer):
    id = serializers.CharField(
        help_text="Student rows: the enrollment_id used by attendance; teacher rows: above 10^12"
    )
    uid = serializers.CharField()
    school_uid = serializers.CharField(allow_blank=True)
    name_first = serializers.CharField()
    name_last = serializers.CharField()
    name_display = serializers.CharField()
    admin = serializers.IntegerField(help_text="1 for teachers, 0 for students")
    status = serializers.IntegerField(help_text="1 active, 2 expired, 5 archived")
    links = SelfLinkOut()


class EnrollmentListOut(serializers.Serializer):
    enrollment = EnrollmentOut(many=True)
    total = serializers.CharField()
    links = SelfLinkOut()
