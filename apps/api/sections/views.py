"""Section-style (Schoology-compatible) endpoints: a section's attendance and enrollments."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from apps.api.sections import selectors
from apps.api.sections.dialect import sections_view
from apps.api.sections.errors import BadRequest, Gone
from apps.api.sections.paging import next_link
from apps.api.sections.serializers import (
    AttendanceListOut,
    AttendanceQuerySerializer,
    AttendanceRowSerializer,
    AttendanceWriteIn,
    AttendanceWriteOut,
    EnrollmentListOut,
    EnrollmentOut,
    ListQuerySerializer,
    attendance_list,
    attendance_rows,
    first_error,
    member_data,
)
from apps.attendance.channels import Channel
from apps.classes.access import covered_marks, get_class_or_cover
from apps.classes.models import SchoolClass
from apps.classes.selectors import class_meetings
from apps.classes.services import ClassDayInput, record_class_days

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# The services name fields in their own words; the wire has the dialect's names.
WIRE_FIELDS = {"notes": "comment", "student_id": "enrollment_id", "class": "section_id"}

EMPTY = OpenApiResponse(description="Empty body")
ONE_LINE = OpenApiResponse(OpenApiTypes.STR, description="A one-line message (text/plain)")
COMMON_ERRORS = {
    (400, "text/plain"): ONE_LINE,
    (401, "text/plain"): ONE_LINE,
    403: OpenApiResponse(description="Empty body: the client lacks the scope"),
    404: OpenApiResponse(description="Empty body: no such section visible to the client's user"),
}
SECTION_ID = OpenApiParameter("section_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def valid_query(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    if not serializer.is_valid():
        raise BadRequest(first_error(serializer.errors))
    return serializer.validated_data


def section_for(request, section_id, *, attendance: bool) -> tuple[SchoolClass, bool]:
    """The section if the client's user may see it, or covers it (its enrollments only on a day
    of the cover), else 404; and whether they see all of it. 410 for attendance when the school
    keeps attendance in its SIS."""
    section, whole = get_class_or_cover(request.user, section_id, today=not attendance)
    if attendance and section.school.attendance_in_sis:
        raise Gone()
    return section, whole


@extend_schema(
    methods=["GET"],
    operation_id="sections_attendance_list",
    summary="A section's attendance records, grouped by date then status",
    description=(
        "One record per enrollment and date: the most serious mark of that day across periods "
        "(absent > late > excused > other > present) with its note. Records of kind present are "
        "left out. Statuses: 1 present, 2 absent, 3 late, 4 excused. JSON, or XML when Accept asks for it. "
        "410 Gone with an empty body when the school manages attendance in its SIS."
    ),
    parameters=[
        SECTION_ID,
        OpenApiParameter("start", OpenApiTypes.STR, description="First date (YYYY-MM-DD), or a paging offset"),
        OpenApiParameter("end", OpenApiTypes.DATE, description="Last date, inclusive"),
        OpenApiParameter("enrollment_id", OpenApiTypes.INT),
        OpenApiParameter("limit", OpenApiTypes.INT, description="Records a page: default 200, at most 1000"),
        OpenApiParameter("offset", OpenApiTypes.INT, description="Records to skip (links.next carries it)"),
    ],
    responses={200: AttendanceListOut, 410: EMPTY, **COMMON_ERRORS},
)
@extend_schema(
    methods=["PUT"],
    operation_id="sections_attendance_update",
    summary="Set attendance statuses of a section",
    description=(
        "Each row sets every enabled timetabled period of the section on that date's weekday "
        "(period 1 when the section has no timetable). Numbers may be strings. Each row gets its "
        "own response_code: 200 with the mark id, 400 with a message, or 404 for an unknown "
        "enrollment; good rows are kept."
    ),
    parameters=[SECTION_ID],
    request=AttendanceWriteIn,
    responses={200: AttendanceWriteOut, 410: EMPTY, **COMMON_ERRORS},
    examples=[
        OpenApiExample(
            "Mark absent",
            value={"attendances": {"attendance": [{"enrollment_id": "784754", "date": "2014-05-20", "status": "2"}]}},
            request_only=True,
        )
    ],
)
@sections_view(["GET", "PUT"])
def section_attendance(request, section_id):
    section, whole = section_for(request, section_id, attendance=True)
    if request.method == "PUT":
        # A cover teacher's rows: the write path takes only the lessons their covers name.
        return Response(write_attendance(request, section))
    query = valid_query(AttendanceQuerySerializer, request)
    records = selectors.section_day_records(
        section,
        start=query["start_date"],
        end=query.get("end"),
        enrollment_id=query.get("enrollment_id"),
        only=None if whole else covered_marks(request.user),
    )
    offset, limit = query["offset"], query["limit"]
    page, totals = selectors.section_records_page(records, offset=offset, limit=limit)
    more = len(page) > limit
    next_url = next_link(request, offset + limit) if more else None
    return Response(attendance_list(page[:limit], totals, next_url))


def row_message(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{WIRE_FIELDS.get(field, field)}: {' '.join(messages)}" for field, messages in errors.items())


def write_attendance(request, section: SchoolClass) -> dict:
    """Translate the rows into class marks, write them through the one write path, and
    answer per row."""
    try:
        rows = attendance_rows(request.data)
    except ValueError as error:
        raise BadRequest(str(error)) from None

    answers: list[dict | None] = [None] * len(rows)
    valid: dict[int, dict] = {}
    for index, row in enumerate(rows):
        serializer = AttendanceRowSerializer(data=row)
        if serializer.is_valid():
            valid[index] = serializer.validated_data
        else:
            answers[index] = {"response_code": 400, "message": first_error(serializer.errors)}

    enrollments = selectors.section_enrollments_by_id(section, {r["enrollment_id"] for r in valid.values()})
    meetings = class_meetings(section)
    codes = selectors.section_codes(section)
    days: dict[int, ClassDayInput] = {}
    for index, row in valid.items():
        enrollment = enrollments.get(row["enrollment_id"])
        if enrollment is None:
            if row["enrollment_id"] >= selectors.TEACHER_ID_OFFSET:
                answers[index] = {"response_code": 400, "message": "enrollment_id: attendance is taken for students"}
            else:
                answers[index] = {"response_code": 404, "message": "enrollment_id: no such enrollment in this section"}
            continue
        day = row["date"]
        if not meetings.on(day):
            weekday = WEEKDAYS[day.isoweekday() - 1]
            answers[index] = {"response_code": 400, "message": f"date: the section does not meet on {weekday}s"}
            continue
        code = codes.get(row["status"])
        if code is None:
            answers[index] = {"response_code": 400, "message": "status: the school has no attendance code for it"}
            continue
        days[index] = ClassDayInput(enrollment.student_id, day, code.pk, note=row.get("comment") or "")

    outcomes = (
        record_class_days(actor=request.user, school_class=section, days=list(days.values()), channel=Channel.SECTIONS)
        if days
        else []
    )
    for index, results in zip(days, outcomes, strict=True):
        failed = next((r for r in results if not r.ok), None)
        if failed is None:
            answers[index] = {"id": str(results[0].mark.pk), "response_code": 200}
        else:
            code_for = 404 if failed.status == "not_found" else 400
            answers[index] = {"response_code": code_for, "message": row_message(failed.errors)}
    return {"attendance": answers}


def enrollment_url(request, section: SchoolClass, member_id: int) -> str:
    return request.build_absolute_uri(reverse("sections:enrollment", args=[section.pk, member_id]))


@extend_schema(
    operation_id="sections_enrollments_list",
    summary="A section's enrollments: teachers (admin 1) and students (admin 0)",
    description=(
        "A student row's id is the enrollment_id used by attendance. Teacher rows have no "
        "attendance; their ids are 10^12 plus the teaching assignment's id, so they never collide "
        "with a student's enrollment id."
    ),
    parameters=[
        SECTION_ID,
        OpenApiParameter("start", OpenApiTypes.INT, description="Rows to skip"),
        OpenApiParameter("offset", OpenApiTypes.INT, description="Rows to skip (links.next carries it)"),
        OpenApiParameter("limit", OpenApiTypes.INT, description="Rows a page: default 200, at most 1000"),
    ],
    responses={200: EnrollmentListOut, **COMMON_ERRORS},
)
@sections_view(["GET"])
def section_enrollments(request, section_id):
    section, _ = section_for(request, section_id, attendance=False)
    query = valid_query(ListQuerySerializer, request)
    offset, limit = query["offset"], query["limit"]
    members, total = selectors.section_members(section, offset=offset, limit=limit)
    links = {"self": request.build_absolute_uri()}
    if offset + len(members) < total:
        links["next"] = next_link(request, offset + limit)
    return Response(
        {
            "enrollment": [member_data(m, self_url=enrollment_url(request, section, m.id)) for m in members],
            "total": str(total),
            "links": links,
        }
    )


@extend_schema(
    operation_id="sections_enrollment_detail",
    summary="One enrollment of a section",
    parameters=[SECTION_ID, OpenApiParameter("enrollment_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    responses={200: EnrollmentOut, **COMMON_ERRORS},
)
@sections_view(["GET"])
def section_enrollment(request, section_id, enrollment_id):
    section, _ = section_for(request, section_id, attendance=False)
    member = selectors.section_member(section, int(enrollment_id))
    if member is None:
        return Response(status=404)
    return Response(member_data(member, self_url=enrollment_url(request, section, member.id)))


@extend_schema(exclude=True)
@sections_view(["GET", "POST", "PUT", "DELETE"])
def unknown_path(request, path: str = ""):
    """A path the section-style API does not have: its empty 404."""
    raise Http404
