"""The course-offering endpoint (``/academic/attendance``): translate the wire shape, call the
selectors and the one write path, and answer with the record."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from apps.api.academic import selectors
from apps.api.academic import serializers as s
from apps.api.academic.dialect import academic_view
from apps.api.academic.errors import Unprocessable, field_error
from apps.api.academic.paging import DEFAULT_LIMIT, MAX_LIMIT, next_link, parse_count
from apps.api.academic.params import SCHOOL_HEADER, parse_day, parse_uuid, school_for
from apps.attendance.channels import Channel
from apps.classes.selectors import class_meetings
from apps.classes.services import ClassDayInput, record_class_days

# DRF's error codes as the vendor's error types.
ERROR_TYPES = {"required": "missing", "null": "missing", "invalid_choice": "enum", "date_out_of_range": "value_error"}
FIELD_TYPES = {"attendance_date": "date_parsing", "status": "enum"}
# Fields of the write path's errors, as the wire names them.
WIRE_FIELDS = {"date": "attendance_date", "period": "attendance_date", "status": "status", "notes": "status"}

TAG = "Course-offering (Athena): attendance"
SCHOOL_PARAMETER = OpenApiParameter(
    SCHOOL_HEADER,
    OpenApiTypes.UUID,
    OpenApiParameter.HEADER,
    description="The school's id; required when the token's user belongs to several schools",
)
ERRORS = {
    401: s.AcademicDetailOut,
    403: s.AcademicDetailOut,
    404: s.AcademicDetailOut,
    422: s.AcademicValidationErrorOut,
}


def body_errors(errors: dict) -> list[dict]:
    found = []
    for name, messages in errors.items():
        for message in messages if isinstance(messages, list) else [messages]:
            code = getattr(message, "code", "invalid")
            kind = ERROR_TYPES.get(code) or ("uuid_parsing" if name.endswith("_id") else FIELD_TYPES.get(name, code))
            found.append(field_error("body", name, str(message), kind))
    return found


def record_response(record: dict, code: int = status.HTTP_200_OK) -> Response:
    return Response(s.AcademicAttendanceOut(record).data, status=code)


@extend_schema(
    methods=["GET"],
    tags=[TAG],
    summary="List attendance records",
    description="Per student, course offering and date, the day's record (the most serious mark of the "
    "class's periods that day: absent > late > excused > present), newest date first. A bare array of "
    f"at most limit records (default {DEFAULT_LIMIT}, at most {MAX_LIMIT}: a larger limit is clamped) "
    'from offset; when more remain, the Link header holds the next page\'s URL (rel="next").',
    parameters=[
        OpenApiParameter("student_id", OpenApiTypes.UUID, description="Only this student's records"),
        OpenApiParameter("course_offering_id", OpenApiTypes.UUID, description="Only this course offering's records"),
        OpenApiParameter(
            "start_date", OpenApiTypes.DATE, description="Records from this day (inclusive; 1900-01-01 to 2200-12-31)"
        ),
        OpenApiParameter(
            "end_date", OpenApiTypes.DATE, description="Records up to this day (inclusive; 1900-01-01 to 2200-12-31)"
        ),
        OpenApiParameter(
            "limit",
            {"type": "integer", "minimum": 1},
            description=f"Records a page, default {DEFAULT_LIMIT}; more than {MAX_LIMIT} is clamped to {MAX_LIMIT}",
        ),
        OpenApiParameter("offset", {"type": "integer", "minimum": 0}, description="Records to skip, default 0"),
        OpenApiParameter(
            "Link",
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            response=[200],
            description='<URL of the next page>; rel="next", when more records remain',
        ),
        SCHOOL_PARAMETER,
    ],
    responses={200: s.AcademicAttendanceOut(many=True), **ERRORS},
)
@extend_schema(
    methods=["POST"],
    tags=[TAG],
    summary="Create attendance record",
    description="Sets the student's attendance in every period the course offering meets that day. "
    "201 when the day had no attendance yet; posting again for the same enrollment and date updates "
    "the record and answers 200.",
    parameters=[SCHOOL_PARAMETER],
    request=s.AcademicAttendanceIn,
    responses={201: s.AcademicAttendanceOut, 200: s.AcademicAttendanceOut, **ERRORS},
)
@academic_view(["GET", "POST"])
def attendance(request):
    if request.method == "GET":
        return list_records(request)
    return write_record(request)


def list_records(request) -> Response:
    params = request.query_params
    # A filter that is sent, even blank, must be a UUID (a 422 naming it), as X-School-Id must.
    raw = {name: params[name].strip() for name in ("student_id", "course_offering_id") if name in params}
    wanted = {name: parse_uuid(value, "query", name) for name, value in raw.items()}
    start = parse_day(params["start_date"], "start_date") if "start_date" in params else None
    end = parse_day(params["end_date"], "end_date") if "end_date" in params else None
    if start and end and end < start:
        raise Unprocessable([field_error("query", "end_date", "Input should be on or after start_date")])
    limit = min(parse_count(params["limit"], "limit", minimum=1) if "limit" in params else DEFAULT_LIMIT, MAX_LIMIT)
    offset = parse_count(params["offset"], "offset", minimum=0) if "offset" in params else 0
    school = school_for(request)
    student = school_class = None
    if "student_id" in wanted:
        student = selectors.student_by_uuid(request.user, school, wanted["student_id"])
        if student is None:
            raise Http404("Student not found")
    if "course_offering_id" in wanted:
        school_class = selectors.class_by_uuid(request.user, school, wanted["course_offering_id"])
        if school_class is None:
            raise Http404("Course offering not found")
    records = selectors.day_records(
        user=request.user,
        school=school,
        student=student,
        school_class=school_class,
        start=start,
        end=end,
        offset=offset,
        limit=limit + 1,  # one more tells whether a next page follows
    )
    response = Response(s.AcademicAttendanceOut(records[:limit], many=True).data)
    if len(records) > limit:
        response["Link"] = next_link(request, offset + limit, limit)
    return response


def write_record(request) -> Response:
    if not isinstance(request.data, dict):
        raise exceptions.ParseError()
    given = s.AcademicAttendanceIn(data=request.data)
    if not given.is_valid():
        raise Unprocessable(body_errors(given.errors))
    data = given.validated_data
    school = school_for(request)
    school_class = selectors.class_by_uuid(request.user, school, data["course_offering_id"])
    if school_class is None:
        raise Http404("Course offering not found")
    enrollment = selectors.enrollment_by_uuid(school_class, data["course_enrollment_id"])
    if enrollment is None:
        raise Http404("Course enrollment not found")
    problems = []
    if enrollment.student.uuid != data["student_id"]:
        problems.append(field_error("body", "student_id", "Is not the student of this course enrollment"))
    if selectors.assignment_by_uuid(school_class, data["teacher_assignment_id"]) is None:
        problems.append(
            field_error("body", "teacher_assignment_id", "Is not a teacher assignment of this course offering")
        )
    day = data["attendance_date"]
    if not class_meetings(school_class).on(day):
        problems.append(field_error("body", "attendance_date", f"The course offering does not meet on {day:%A}s"))
    code = selectors.status_codes(school).get(data["status"])
    if code is None:
        problems.append(field_error("body", "status", "The school has no attendance code for this status"))
    if problems:
        raise Unprocessable(problems)

    with transaction.atomic():
        [results] = record_class_days(
            actor=request.user,
            school_class=school_class,
            # The day keeps each period's note and minutes late, and a code that already reads
            # as the status (Health stays Health rather than becoming Excused).
            days=[ClassDayInput(enrollment.student_id, day, code.pk, note=None)],
            channel=Channel.ACADEMIC,
            same_status=lambda old, new: selectors.status_of(old.kind, old.presence) == data["status"],
        )
        failed = next((r for r in results if not r.ok), None)
        if failed is not None:
            # Raising inside the block undoes the periods already written: a day is all or nothing.
            raise write_error(failed)
    # 201 when the day had no attendance yet: every period's mark is new.
    created = all(r.status == "created" for r in results)
    records = selectors.day_records(
        user=request.user, school=school, student=enrollment.student, school_class=school_class, on=day
    )
    return record_response(records[0], status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def write_error(result) -> exceptions.APIException:
    messages = [f"{name}: {'; '.join(texts)}" for name, texts in result.errors.items()]
    if result.status == "forbidden":
        return exceptions.PermissionDenied("; ".join(messages))
    if result.status == "not_found":
        return exceptions.NotFound("; ".join(messages))
    return Unprocessable(
        [
            field_error("body", WIRE_FIELDS.get(name, name), message)
            for name, texts in result.errors.items()
            for message in texts
        ]
    )
