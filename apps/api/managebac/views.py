"""The ManageBac endpoints (v2 and v2p1): translate the wire shape, call the selectors and the
one write path, and answer in ManageBac's shape."""

from __future__ import annotations

from datetime import date

from django.db.models import OuterRef, Subquery
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, status
from rest_framework.response import Response

from apps.api.managebac import selectors
from apps.api.managebac import serializers as s
from apps.api.managebac.dialect import managebac_view
from apps.api.managebac.errors import InvalidPayload, RecordNotFound, Unprocessable
from apps.api.managebac.formats import json_object
from apps.api.managebac.paging import paginate
from apps.attendance.channels import Channel
from apps.attendance.rules import MarkResult
from apps.classes.access import covered_marks, covers_of, get_class_for_user, get_class_or_cover, get_student_for_user
from apps.classes.models import SchoolClass
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.excusals.models import Excusal
from apps.excusals.services import ExcusalError, excusal_create, excusal_delete, excusal_update
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from apps.school.access import get_year_group_for_user
from apps.school.dates import OUT_OF_RANGE, in_range, parse_iso
from apps.school.models import Parent, Term, YearGroup
from apps.school.selectors import code_by_mb_status, codes_for_school

# --- schema helpers ---------------------------------------------------------------------------

READ_ERRORS = {401: s.ErrorOut, 404: s.ErrorOut}
WRITE_ERRORS = {400: s.ErrorOut, 401: s.ErrorOut, 404: s.ErrorOut, 422: s.ErrorsOut}
PAGING = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Page to show, from 1"),
    OpenApiParameter("per_page", OpenApiTypes.INT, description="Records a page: default 100, at most 200"),
]
# Items a class attendance PUT may carry: a week of a full class's every period fits (30 students,
# 5 days, 6 periods is 900); more is a 422 and nothing is written.
MAX_ATTENDANCES = 1000
ARCHIVED = OpenApiParameter(
    "archived_students", OpenApiTypes.BOOL, description="Include archived students (default false)"
)


def date_in_path(description: str = "A date as yyyy-mm-dd") -> OpenApiParameter:
    return OpenApiParameter("date", OpenApiTypes.DATE, OpenApiParameter.PATH, description=description)


def mb_schema(group: str, summary: str, **kwargs):
    responses = kwargs.pop("responses")
    errors = kwargs.pop("errors", READ_ERRORS)
    return extend_schema(tags=[f"ManageBac: {group}"], summary=summary, responses={**responses, **errors}, **kwargs)


# --- request helpers --------------------------------------------------------------------------


def flag(request, name: str) -> bool:
    return request.query_params.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def parse_date(raw: str, field: str = "date") -> date:
    found = parse_iso(raw)
    if found is None:
        raise Unprocessable({field: ["is not a valid date (yyyy-mm-dd)"]})
    if not in_range(found):
        raise Unprocessable({field: [OUT_OF_RANGE]})
    return found


def find_class(request, class_id: int, *, covering: bool = False, annotations: dict | None = None):
    """The class if the user may see it; with ``covering``, also one they cover (a write: the
    write path then takes only the lessons their cover names)."""
    try:
        return get_class_for_user(request.user, class_id, covering=covering, annotations=annotations)
    except Http404:
        raise RecordNotFound("Class", class_id) from None


def find_class_or_cover(request, class_id: int, **day) -> tuple[SchoolClass, bool]:
    """The class and whether the user sees all of it, or one they cover (with ``today=True``
    only on a day of the cover; apps/classes/access.py)."""
    try:
        return get_class_or_cover(request.user, class_id, **day)
    except Http404:
        raise RecordNotFound("Class", class_id) from None


def find_year_group(request, year_group_id: int, *, annotations: dict | None = None):
    try:
        return get_year_group_for_user(request.user, year_group_id, annotations=annotations)
    except Http404:
        raise RecordNotFound("YearGroup", year_group_id) from None


def find_student(request, student_id: int):
    try:
        return get_student_for_user(request.user, student_id)
    except Http404:
        raise RecordNotFound("Student", student_id) from None


def term_dates(term_id: int) -> dict:
    """Annotations that read a term of the row's school with the row: its dates (None when the
    school has no such term)."""
    terms = Term.objects.filter(school_id=OuterRef("school_id"), pk=term_id)
    return {"term_start": Subquery(terms.values("start_date")), "term_end": Subquery(terms.values("end_date"))}


def find_class_and_term(request, class_id: int, term_id: int) -> tuple[SchoolClass, Term]:
    """The class if the user may see it, and the term of its school (one query)."""
    school_class = find_class(request, class_id, annotations=term_dates(term_id))
    return school_class, term_read_with(school_class, term_id)


def find_year_group_and_term(request, year_group_id: int, term_id: int) -> tuple[YearGroup, Term]:
    """The year group if the user may see it, and the term of its school (one query)."""
    year_group = find_year_group(request, year_group_id, annotations=term_dates(term_id))
    return year_group, term_read_with(year_group, term_id)


def term_read_with(row, term_id: int) -> Term:
    """The term ``term_dates`` read with ``row``: its id, school and dates, what the term reads
    below need."""
    if row.term_start is None:
        raise RecordNotFound("AcademicTerm", term_id)
    return Term(pk=term_id, school=row.school, start_date=row.term_start, end_date=row.term_end)


def find_excusal(student, excusal_id: int) -> Excusal:
    excusal = Excusal.objects.select_related("student", "parent").filter(student=student, pk=excusal_id).first()
    if excusal is None:
        raise RecordNotFound("Excusal", excusal_id)
    return excusal


def valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise Unprocessable(s.rails_errors(serializer.errors))
    return serializer.validated_data


def envelope(name: str, data) -> Response:
    return Response({name: data})


# --- anything else under the prefix ---------------------------------------------------------


@extend_schema(exclude=True)
@managebac_view(["GET", "POST", "PUT", "PATCH", "DELETE"], scope="")
def unknown_path(request, path: str = ""):
    """A path ManageBac does not have: its 404 body, so clients always get JSON."""
    raise exceptions.NotFound()


# --- discovery --------------------------------------------------------------------------------


@mb_schema("discovery", "Check the token", responses={200: s.PongOut}, errors={401: s.ErrorOut})
@managebac_view(["GET"], scope="")
def ping(request):
    return Response({"pong": "ok"})


@mb_schema("discovery", "List classes", parameters=PAGING, responses={200: s.ClassListOut})
@managebac_view(["GET"])
def class_list(request):
    classes, meta = paginate(request, selectors.classes_for_client(request.user))
    return Response({"classes": s.ClassOut(selectors.class_rows(classes), many=True).data, "meta": meta})


@mb_schema("discovery", "Get a class", responses={200: inline_serializer("ClassEnvelope", {"class": s.ClassOut()})})
@managebac_view(["GET"])
def class_detail(request, class_id: int):
    school_class = find_class(request, class_id)
    return envelope("class", s.ClassOut(selectors.class_rows([school_class])[0]).data)


@mb_schema("discovery", "List a class's student ids", parameters=[*PAGING, ARCHIVED], responses={200: s.StudentIdsOut})
@managebac_view(["GET"])
def class_students(request, class_id: int):
    school_class, _ = find_class_or_cover(request, class_id, today=True)
    students = selectors.enrolled_students(school_class, include_archived=flag(request, "archived_students"))
    ids, meta = paginate(request, students.values_list("id", flat=True))
    return Response({"student_ids": ids, "meta": meta})


@mb_schema("discovery", "List students", parameters=[*PAGING, ARCHIVED], responses={200: s.StudentListOut})
@managebac_view(["GET"])
def student_list(request):
    students = selectors.students_for_client(request.user, include_archived=flag(request, "archived_students"))
    rows, meta = paginate(request, students)
    return Response({"students": s.StudentOut([selectors.student_row(x) for x in rows], many=True).data, "meta": meta})


@mb_schema("discovery", "Get a student", responses={200: s.StudentEnvelopeOut})
@managebac_view(["GET"])
def student_detail(request, student_id: int):
    student = find_student(request, student_id)
    return envelope("student", s.StudentOut(selectors.student_row(student)).data)


@mb_schema("discovery", "List year groups", parameters=PAGING, responses={200: s.YearGroupListOut})
@managebac_view(["GET"])
def year_group_list(request):
    groups, meta = paginate(request, selectors.year_groups_for_client(request.user))
    return Response(
        {"year_groups": s.YearGroupOut([selectors.year_group_row(g) for g in groups], many=True).data, "meta": meta}
    )


@mb_schema(
    "discovery", "List a year group's students", parameters=[*PAGING, ARCHIVED], responses={200: s.StudentListOut}
)
@managebac_view(["GET"])
def year_group_students(request, year_group_id: int):
    year_group = find_year_group(request, year_group_id)
    students = selectors.year_group_students(year_group, include_archived=flag(request, "archived_students"))
    rows, meta = paginate(request, students.prefetch_related("guardianships").order_by("id"))
    return Response({"students": s.StudentOut([selectors.student_row(x) for x in rows], many=True).data, "meta": meta})


@mb_schema("discovery", "List academic years and their terms", responses={200: s.AcademicYearsOut})
@managebac_view(["GET"])
def academic_years(request):
    return Response(s.AcademicYearsOut(selectors.academic_years_for_client(request.user)).data)


# --- class attendance ----------------------------------------------------------------------


@mb_schema(
    "class attendance",
    "Get attendance for a class during an academic term",
    parameters=[ARCHIVED],
    responses={200: s.ClassTermSummaryOut},
)
@managebac_view(["GET"])
def class_term_attendance(request, class_id: int, term_id: int):
    school_class, term = find_class_and_term(request, class_id, term_id)
    # Built as the body itself (no serializer); tests hold it to ClassTermSummaryOut's rendering.
    archived = flag(request, "archived_students")
    return Response(selectors.class_term_summary(school_class, term, include_archived=archived))


@mb_schema(
    "class attendance",
    "Get class attendance for a date",
    description="The date must be between the class's start and end dates (else 422). Each student's "
    "attendance is a sparse object keyed by period number.",
    parameters=[date_in_path()],
    responses={200: s.ClassDayOut},
    errors={**READ_ERRORS, 422: s.ErrorsOut},
)
@managebac_view(["GET"])
def class_day_attendance(request, class_id: int, date: str):
    school_class, whole = find_class_or_cover(request, class_id)
    on = parse_date(date)
    if not whole and not covers_of(request.user, on).filter(school_class=school_class).exists():
        raise RecordNotFound("Class", class_id)  # a cover teacher: the days of their covers only
    if not (school_class.start_date <= on <= school_class.end_date):
        between = f"{school_class.start_date} to {school_class.end_date}"
        raise Unprocessable({"date": [f"must be between the class's start and end dates ({between})"]})
    only = None if whole else covered_marks(request.user)
    return Response(s.ClassDayOut(selectors.class_day(school_class, on, only=only)).data)


def attendance_result(index: int, student_id, result: MarkResult | None, errors: dict | None = None) -> dict:
    if result is not None and result.ok:
        return {"index": index, "student_id": student_id, "status": "ok"}
    if result is not None and result.status == "not_found":
        return {"index": index, "student_id": student_id, "status": "not_found"}
    return {
        "index": index,
        "student_id": student_id,
        "status": "unprocessable_entity",
        "errors": errors if errors is not None else result.errors,
    }


@mb_schema(
    "class attendance",
    "Set or update a class's attendance for students",
    description="Each item is applied on its own (upsert by student, date and period); the reply "
    "has one result per item, in order. Status -1 (the roll's default present) is read-only. "
    f"At most {MAX_ATTENDANCES} items (more is a 422 and nothing is written).",
    request=s.SetClassAttendanceIn,
    responses={200: s.SetClassAttendanceOut},
    # item errors are in the 200's results
    errors={400: s.ErrorOut, 401: s.ErrorOut, 404: s.ErrorOut, 413: s.ErrorOut, 422: s.ErrorsOut},
)
@managebac_view(["PUT"])
def set_class_attendance(request, class_id: int):
    school_class = find_class(request, class_id, covering=True)
    items = json_object(request).get("attendances")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise InvalidPayload()
    if len(items) > MAX_ATTENDANCES:
        raise Unprocessable({"attendances": [f"is too long (maximum is {MAX_ATTENDANCES} items)"]})
    codes = code_by_mb_status(codes_for_school(school_class.school))
    answers: list[dict | None] = [None] * len(items)
    wanted: list[tuple[int, ClassMarkInput]] = []
    for index, item in enumerate(items):
        raw_id = item.get("student_id")
        student_id = raw_id if isinstance(raw_id, int) and not isinstance(raw_id, bool) else None
        serializer = s.AttendanceItemIn(data=item)
        if not serializer.is_valid():
            answers[index] = attendance_result(index, student_id, None, s.rails_errors(serializer.errors))
            continue
        data = serializer.validated_data
        code = codes.get(data["status"])
        if code is None:
            answers[index] = attendance_result(index, student_id, None, {"status": ["is not included in the list"]})
            continue
        mark = ClassMarkInput(
            school_class_id=school_class.pk,
            student_id=data["student_id"],
            date=data["date"],
            period=data["period"],
            code_id=code.pk,
            note=data.get("notes") or "",
        )
        wanted.append((index, mark))
    results = record_class_marks(
        actor=request.user, school=school_class.school, marks=[m for _, m in wanted], channel=Channel.MANAGEBAC
    )
    for (index, mark), result in zip(wanted, results, strict=True):
        answers[index] = attendance_result(index, mark.student_id, result)
    return Response(s.SetClassAttendanceOut({"attendance": answers}).data)


@mb_schema(
    "class attendance",
    "Get a class's timetable",
    parameters=[OpenApiParameter("include_disabled", OpenApiTypes.BOOL, description="Include disabled slots")],
    responses={200: s.TimetableOut},
)
@managebac_view(["GET"])
def class_timetable(request, class_id: int):
    school_class = find_class(request, class_id)
    timetable = selectors.class_timetable(school_class, include_disabled=flag(request, "include_disabled"))
    return Response(s.TimetableOut(timetable).data)


# --- excusals ---------------------------------------------------------------------------------


def excusal_page(request, excusals) -> Response:
    rows, meta = paginate(request, excusals)
    return Response({"excusals": s.ExcusalOut(rows, many=True).data, "meta": meta})


@mb_schema(
    "excusals",
    "Get all excusals for a date",
    parameters=[date_in_path(), *PAGING],
    responses={200: s.ExcusalListOut},
    errors={**READ_ERRORS, 422: s.ErrorsOut},
)
@managebac_view(["GET"])
def excusals_on_date(request, date: str):
    return excusal_page(request, selectors.excusals_on(request.user, parse_date(date)))


@mb_schema(
    "excusals",
    "Get all excusals for a student",
    methods=["GET"],
    parameters=[
        OpenApiParameter("applies_on", OpenApiTypes.DATE, description="Only excusals covering this date"),
        *PAGING,
    ],
    responses={200: s.ExcusalListOut},
    errors={**READ_ERRORS, 422: s.ErrorsOut},
)
@mb_schema(
    "excusals",
    "Create an excusal for a student",
    methods=["POST"],
    description="422 when the parent is not linked to the student, the duration (inclusive calendar "
    "days) is not within 1..12, or it overlaps another excusal of the student.",
    request=s.ExcusalCreateIn,
    responses={201: s.ExcusalEnvelopeOut},
    errors=WRITE_ERRORS,
)
@managebac_view(["GET", "POST"])
def student_excusals(request, student_id: int):
    student = find_student(request, student_id)
    if request.method == "GET":
        raw = request.query_params.get("applies_on", "").strip()
        applies_on = parse_date(raw, "applies_on") if raw else None
        return excusal_page(request, selectors.excusals_of(student, applies_on=applies_on))
    fields = json_object(request).get("excusal")
    if not isinstance(fields, dict):
        raise InvalidPayload()
    data = valid(s.ExcusalCreateFields, fields)
    parent = Parent.objects.filter(school_id=student.school_id, pk=data["parent_id"]).first()
    if parent is None:
        raise Unprocessable({"parent_id": ["is not a parent of this student"]})
    try:
        excusal = excusal_create(
            actor=request.user,
            student=student,
            parent=parent,
            start_date=data["start_date"],
            end_date=data["end_date"],
            comment=data.get("comment") or "",
            channel=Channel.MANAGEBAC,
        )
    except ExcusalError as error:
        raise Unprocessable(error.errors) from None
    except PermissionError:
        raise exceptions.NotAuthenticated() from None
    return Response({"excusal": s.ExcusalOut(excusal).data}, status=status.HTTP_201_CREATED)


@mb_schema(
    "excusals",
    "Update an excusal for a student",
    methods=["PATCH"],
    description="Only end_date and comment change; other fields are ignored.",
    request=s.ExcusalUpdateIn,
    responses={200: s.ExcusalEnvelopeOut},
    errors=WRITE_ERRORS,
)
@mb_schema(
    "excusals",
    "Delete an excusal for a student",
    methods=["DELETE"],
    responses={200: s.ExcusalEnvelopeOut},
    errors={401: s.ErrorOut, 404: s.ErrorOut},
)
@managebac_view(["PATCH", "DELETE"])
def student_excusal(request, student_id: int, excusal_id: int):
    student = find_student(request, student_id)
    excusal = find_excusal(student, excusal_id)
    try:
        if request.method == "DELETE":
            excusal = excusal_delete(actor=request.user, excusal=excusal, channel=Channel.MANAGEBAC)
        else:
            fields = json_object(request).get("excusal")
            if not isinstance(fields, dict):
                raise InvalidPayload()
            data = valid(s.ExcusalUpdateFields, fields)
            excusal = excusal_update(
                actor=request.user,
                excusal=excusal,
                end_date=data.get("end_date"),
                comment=data.get("comment"),
                channel=Channel.MANAGEBAC,
            )
    except Excusal.DoesNotExist:
        raise RecordNotFound("Excusal", excusal_id) from None
    except ExcusalError as error:
        raise Unprocessable(error.errors) from None
    except PermissionError:
        raise exceptions.NotAuthenticated() from None
    return envelope("excusal", s.ExcusalOut(excusal).data)


# --- homeroom ---------------------------------------------------------------------------------


@mb_schema(
    "homeroom attendance",
    "Get homeroom attendance for a year group and term",
    parameters=[ARCHIVED],
    responses={200: s.HomeroomTermSummaryOut},
)
@managebac_view(["GET"])
def homeroom_term_attendance(request, year_group_id: int, term_id: int):
    year_group, term = find_year_group_and_term(request, year_group_id, term_id)
    # Built as the body itself (no serializer); tests hold it to HomeroomTermSummaryOut's rendering.
    archived = flag(request, "archived_students")
    return Response(selectors.homeroom_term_summary(year_group, term, include_archived=archived))


@mb_schema(
    "homeroom attendance",
    "Get homeroom attendance for a year group by date",
    parameters=[date_in_path()],
    responses={200: s.HomeroomDayOut},
    errors={**READ_ERRORS, 422: s.ErrorsOut},
)
@managebac_view(["GET"])
def homeroom_day_attendance(request, year_group_id: int, date: str):
    year_group = find_year_group(request, year_group_id)
    return Response(s.HomeroomDayOut(selectors.homeroom_day(year_group, parse_date(date))).data)


@mb_schema(
    "homeroom attendance",
    "Get homeroom attendance adjustments for a year group and term",
    responses={200: s.AdjustmentsOut},
)
@managebac_view(["GET"])
def homeroom_adjustments(request, year_group_id: int, term_id: int):
    year_group, term = find_year_group_and_term(request, year_group_id, term_id)
    return Response(s.AdjustmentsOut(selectors.homeroom_adjustments(year_group, term)).data)


@mb_schema(
    "homeroom attendance",
    "Set a student's homeroom attendance",
    description="Creates the student's daily mark for the date, or updates it.",
    request=s.HomeroomAttendanceIn,
    responses={200: s.StatusOkOut},
    errors=WRITE_ERRORS,
)
@managebac_view(["PUT"])
def set_homeroom_attendance(request, student_id: int):
    student = find_student(request, student_id)
    data = valid(s.HomeroomAttendanceIn, json_object(request))
    code = code_by_mb_status(codes_for_school(student.school)).get(data["status"])
    if code is None:
        raise Unprocessable({"status": ["is not included in the list"]})
    mark = DailyMarkInput(student_id=student.pk, date=data["date"], code_id=code.pk, note=data.get("notes") or "")
    [result] = record_daily_marks(actor=request.user, school=student.school, marks=[mark], channel=Channel.MANAGEBAC)
    if result.status == "not_found":
        raise RecordNotFound("Student", student_id)
    if not result.ok:
        raise Unprocessable(result.errors)
    return Response({"status": "ok"})
