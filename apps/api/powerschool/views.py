"""The PowerSchool endpoints: the token, metadata, the code and period tables, and the three
attendance writes, which translate each record and go through the one write path."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from apps.api.powerschool import selectors
from apps.api.powerschool import serializers as s
from apps.api.powerschool.dialect import powerschool_view
from apps.api.powerschool.errors import ValidationFailed, problem
from apps.api.powerschool.oauth import TokenAddressThrottle, TokenClientIdThrottle, issue_access_token
from apps.api.throttling import retry_after
from apps.attendance.channels import Channel
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.homeroom.services import DailyMarkInput, TimeEntryInput, record_daily_marks, record_time_entries
from apps.school.access import schools_for
from apps.school.dates import OUT_OF_RANGE, in_range, parse_iso

POWERSCHOOL_VERSION = "25.3.0"  # batch_daily_time is "available since 25.3.0"
MAX_BATCH = 200
MAX_PAGE_SIZE = 1000
MAX_ID = 2**63 - 1  # the largest id a database row can have
DEFAULT_PAGE_SIZE = 100
DAILY, TIME, MEETING, INTERVAL = "ATT_ModeDaily", "ATT_ModeTime", "ATT_ModeMeeting", "ATT_ModeInterval"
# The write path's field names, as PowerSchool names them.
WIRE_FIELDS = {
    "status": "attendance_codeid",
    "date": "att_date",
    "student_id": "studentid",
    "period": "periodid",
    "class": "ccid",
    "notes": "att_comment",
    "minutes": "total_minutes",
    "interval": "att_interval",
    "minutes_late": "attendance_codeid",
}
ERROR_CODES = {"invalid": "FIELD_VALIDATION_ERROR", "not_found": "NOT_FOUND", "forbidden": "FORBIDDEN"}
TAG_AUTH, TAG_TABLES, TAG_WRITE = "PowerSchool: authorization", "PowerSchool: tables", "PowerSchool: attendance"


# --- token and metadata -----------------------------------------------------------------------


def answer_token_request(request):
    # oauthlib reads the form itself, from the raw body and headers.
    try:
        raw = request.body
    except RequestDataTooBig:
        return JsonResponse(
            {"error": "invalid_request", "error_description": "The request body is too large"}, status=413
        )
    status, headers, body = issue_access_token(
        uri=request.build_absolute_uri(), body=raw.decode("utf-8", "replace"), headers=dict(request.headers.items())
    )
    response = JsonResponse(body, status=status)
    for name in ("Cache-Control", "Pragma", "WWW-Authenticate"):
        if name in headers:
            response[name] = headers[name]
    return response


def token_exception_handler(exc, context) -> Response | None:
    """The token endpoint's refusals in OAuth2's shape: a client asking too often is told to
    ``slow_down`` (RFC 8628's code), with Retry-After."""
    if isinstance(exc, exceptions.Throttled):
        wait = retry_after(exc)
        return Response(
            {
                "error": "slow_down",
                "error_description": f"Too many token requests: try again in {wait['Retry-After']} seconds",
            },
            status=exc.status_code,
            headers=wait,
        )
    return exception_handler(exc, context)


class TokenView(APIView):
    """The token endpoint: no authentication but the client's own credentials, and a limit on
    how often a client id, or an address, may ask."""

    authentication_classes = []
    permission_classes = []
    parser_classes = [FormParser]
    throttle_classes = [TokenClientIdThrottle, TokenAddressThrottle]

    def get_exception_handler(self):
        return token_exception_handler

    @extend_schema(
        tags=[TAG_AUTH],
        summary="Get an access token (OAuth2 client credentials)",
        description="HTTP Basic client_id:client_secret and the form field grant_type=client_credentials. "
        "The token is a bearer token for /ws/ until expires_in seconds have passed. "
        "Also answered at /oauth/access_token/. A client id or an address that asks more often than "
        "POWERSCHOOL_TOKEN_RATE_LIMIT is answered 429 slow_down with Retry-After.",
        request={"application/x-www-form-urlencoded": s.PowerSchoolTokenRequestIn},
        responses={
            200: s.PowerSchoolTokenOut,
            400: s.PowerSchoolTokenErrorOut,
            401: s.PowerSchoolTokenErrorOut,
            429: s.PowerSchoolTokenErrorOut,
        },
        auth=[],
    )
    def post(self, request):
        return answer_token_request(request)


@extend_schema(exclude=True)
class TokenSlashView(TokenView):
    """The same endpoint with a trailing slash, left out of the schema so it is listed once."""


# A secret sent in the form (RFC 6749 allows it) never appears in an error report.
access_token = sensitive_post_parameters("client_secret", "client_id")(TokenView.as_view())
access_token_slash = sensitive_post_parameters("client_secret", "client_id")(TokenSlashView.as_view())


@extend_schema(tags=[TAG_AUTH], summary="Plugin and server metadata", responses={200: s.PowerSchoolMetadataOut})
@powerschool_view(["GET"])
def metadata(request):
    school = schools_for(request.user).first()
    return Response(
        {
            "metadata": {
                "plugin_id": request.auth.pk,
                "powerschool_version": POWERSCHOOL_VERSION,
                "district_timezone": school.timezone if school else "UTC",
                "schema_table_query_max_page_size": MAX_PAGE_SIZE,
            }
        }
    )


# --- schema tables ----------------------------------------------------------------------------


def query_conditions(raw: str, table: str) -> dict[str, str]:
    """``q=schoolid==N;yearid==M``: equality conditions joined by ``;`` (and)."""
    conditions: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in raw.split(";"))):
        name, sep, value = part.partition("==")
        name = name.strip().lower()
        if not sep or name not in selectors.TABLE_COLUMNS[table] or not value.strip() or "," in value:
            raise ValidationFailed([problem("q", "INVALID_QUERY", table)])
        conditions[name] = value.strip()
    return conditions


def whole_number(raw: str) -> int | None:
    """ASCII digits only (``str.isdigit`` also takes ``²`` and ``٣``, which ``int`` refuses);
    None for anything else. Python refuses to read more than 4300 digits: so do we."""
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 4000:
        return None
    return int(raw)


def page_number(raw: str | None, default: int, name: str, table: str) -> int:
    if raw in (None, ""):
        return default
    value = whole_number(raw)
    if value is None or value < 1:
        raise ValidationFailed([problem(name, "INVALID_VALUE", table)])
    return min(value, MAX_ID)


TABLE_PARAMETER = OpenApiParameter("table", OpenApiTypes.STR, OpenApiParameter.PATH, enum=sorted(selectors.TABLES))
Q_PARAMETER = OpenApiParameter("q", OpenApiTypes.STR, description="e.g. schoolid==100;yearid==3 (== conditions, and)")
PROJECTION_PARAMETER = OpenApiParameter("projection", OpenApiTypes.STR, description="Columns, comma-separated, or *")
TABLE_ERRORS = {400: s.PowerSchoolValidationFailedOut, 404: s.PowerSchoolValidationFailedOut}


def table_named(table: str) -> selectors.Table:
    found = selectors.TABLES.get(table.lower())
    if found is None:
        raise NotFound(f"Table {table.lower()[:60]} not found")
    return found


def read_projection(request, table: selectors.Table) -> tuple[str, ...]:
    raw = request.query_params.get("projection", "*").strip() or "*"
    if raw in ("*", f"{table.name}.*"):
        return table.column_names
    projection = tuple(c.strip().lower().removeprefix(f"{table.name}.") for c in raw.split(","))
    if any(c not in table.column_names for c in projection):
        raise ValidationFailed([problem("projection", "INVALID_COLUMN", table.name)])
    return projection


def read_query(request, table: selectors.Table) -> dict[str, str]:
    conditions = query_conditions(request.query_params.get("q", ""), table.name)
    if "att_date" in conditions:  # a date, and one Rollbook keeps (apps/school/dates.py)
        day = parse_iso(conditions["att_date"])
        if day is None or not in_range(day):
            raise ValidationFailed([problem("q", "INVALID_DATE", table.name)])
    return conditions


def attendance_query(conditions: dict[str, str]) -> selectors.AttendanceQuery:
    day = conditions.get("att_date")
    return selectors.AttendanceQuery(conditions, parse_iso(day) if day else None)


def small_table_rows(user, table: str, conditions: dict[str, str]) -> list[tuple[int, dict]]:
    """The rows of a small table matching the conditions (they are read whole: a school's codes or periods)."""
    rows = selectors.table_rows(user, table, school_number=conditions.get("schoolid"), year_id=conditions.get("yearid"))
    return [
        (row_id, values)
        for row_id, values in rows
        if all(str(values.get(name)) == wanted for name, wanted in conditions.items())
    ]


def table_record(table: str, row_id: int, values: dict, projection: tuple[str, ...]) -> dict:
    """A row as PowerSchool answers it: values as strings, empty columns left out."""
    return {
        "id": row_id,
        "name": table,
        "tables": {table: {c: str(values[c]) for c in projection if values.get(c) is not None}},
    }


@extend_schema(
    tags=[TAG_TABLES],
    summary="Rows of a table: attendance_code, period or attendance",
    description="Codes and periods belong to a school; each row carries the asked yearid (one of its "
    "school's years) or the school's current year. attendance holds the records the client may read "
    "(the ones its writes answer with ref), in id order. Values are strings; empty columns are left out.",
    parameters=[
        TABLE_PARAMETER,
        PROJECTION_PARAMETER,
        Q_PARAMETER,
        OpenApiParameter("page", OpenApiTypes.INT, description="From 1"),
        OpenApiParameter("pagesize", OpenApiTypes.INT, description=f"Default 100, at most {MAX_PAGE_SIZE}"),
    ],
    responses={200: s.PowerSchoolTableOut, **TABLE_ERRORS},
)
@powerschool_view(["GET"], scope="read:attendance", resource="schema_table")
def schema_table(request, table: str):
    found = table_named(table)
    projection = read_projection(request, found)
    conditions = read_query(request, found)
    page = page_number(request.query_params.get("page"), 1, "page", found.name)
    size = min(
        page_number(request.query_params.get("pagesize"), DEFAULT_PAGE_SIZE, "pagesize", found.name), MAX_PAGE_SIZE
    )
    offset = (page - 1) * size
    if found.name == "attendance":
        rows = selectors.attendance_rows(request.user, attendance_query(conditions), offset=offset, limit=size)
    else:
        rows = small_table_rows(request.user, found.name, conditions)[offset : offset + size]
    return Response({"name": found.name, "record": [table_record(found.name, i, v, projection) for i, v in rows]})


@extend_schema(
    tags=[TAG_TABLES],
    summary="How many rows of a table match q",
    parameters=[TABLE_PARAMETER, Q_PARAMETER],
    responses={200: s.PowerSchoolCountOut, **TABLE_ERRORS},
)
@powerschool_view(["GET"], scope="read:attendance", resource="schema_table")
def schema_table_count(request, table: str):
    found = table_named(table)
    conditions = read_query(request, found)
    if found.name == "attendance":
        count = selectors.attendance_count(request.user, attendance_query(conditions))
    else:
        count = len(small_table_rows(request.user, found.name, conditions))
    return Response({"count": count})


@extend_schema(
    tags=[TAG_TABLES],
    summary="A table's columns",
    description="PowerSchool's table metadata: name, comment, primary key and each column's name, type, "
    "length, description and access (ViewOnly: the tables are read here, attendance is written through "
    "/ws/attendance/…). expansions is accepted; access is always included.",
    parameters=[TABLE_PARAMETER, OpenApiParameter("expansions", OpenApiTypes.STR, description="Accepted")],
    responses={200: s.PowerSchoolTableMetadataOut, 404: s.PowerSchoolValidationFailedOut},
)
@powerschool_view(["GET"], scope="read:attendance", resource="schema_table")
def schema_table_metadata(request, table: str):
    found = table_named(table)
    return Response(
        {
            "name": found.name.upper(),
            "comment": found.comment,
            "primaryKey": "ID",
            "schemaType": "CORE",
            "queries": {},
            "columns": [
                {
                    "name": c.name.upper(),
                    "description": c.description,
                    "type": c.type,
                    "length": c.length,
                    "required": c.name == "id",
                    "access": "ViewOnly",
                }
                for c in found.columns
            ],
        }
    )


@extend_schema(
    tags=[TAG_TABLES],
    operation_id="ws_schema_table_row_retrieve",
    summary="One row of a table, by id (a write's ref names one of attendance)",
    parameters=[
        TABLE_PARAMETER,
        OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH),
        PROJECTION_PARAMETER,
    ],
    responses={200: s.PowerSchoolTableRecordOut, **TABLE_ERRORS},
)
@powerschool_view(["GET"], scope="read:attendance", resource="schema_table")
def schema_table_row(request, table: str, id: str):  # noqa: A002 - the path's name, as PowerSchool's
    found = table_named(table)
    projection = read_projection(request, found)
    row_id = whole_number(id)
    row = None
    if row_id is not None and row_id <= MAX_ID:
        if found.name == "attendance":
            row = selectors.attendance_row(request.user, row_id)
        else:
            row = next((r for r in small_table_rows(request.user, found.name, {}) if r[0] == row_id), None)
    if row is None:  # no such row, or not one this client may read: the same answer
        raise NotFound(f"Record {id[:40]} not found in table {found.name}")
    return Response(table_record(found.name, *row, projection))


@extend_schema(exclude=True)
@powerschool_view(["GET", "POST", "PUT", "PATCH", "DELETE"], resource="request")
def unknown(request, path: str):
    """Any other path under /ws/: PowerSchool's JSON 404, never Django's HTML page."""
    raise NotFound(f"No resource at /ws/{path[:200]}")


# --- attendance writes ------------------------------------------------------------------------


@dataclass
class Item:
    """One record of a write payload on its way through: its fields, what it resolves to, and
    what became of it."""

    index: int
    fields: dict
    errors: list[dict] = field(default_factory=list)
    values: dict = field(default_factory=dict)
    outcome: str = ""  # INSERT or UPDATE once applied
    row_id: int | None = None

    def error(self, name: str, description: str, code: str = "FIELD_VALIDATION_ERROR") -> None:
        self.errors.append({"field": f"attendance/{name}", "error_code": code, "error_description": description})

    def integer(self, name: str, *, required: bool = True, minimum: int = 0) -> int | None:
        raw = self.fields.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                self.error(name, f"{name} is required")
            return None
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            self.error(name, f"{name} must be a whole number")
            return None
        value = raw if isinstance(raw, int) else whole_number(raw)
        if value is None:
            self.error(name, f"{name} must be a whole number")
            return None
        if value < minimum:
            self.error(name, f"{name} must be {minimum} or more")
            return None
        if value > MAX_ID:
            self.error(name, f"{name} must be {MAX_ID} or less")
            return None
        return value

    @property
    def action(self) -> str:
        return self.outcome or ("UPDATE" if self.fields.get("dcid") not in (None, "") else "INSERT")


def payload_items(request, *, most: int, exactly: int | None = None) -> list[Item]:
    """The records of a write payload; a payload of another shape or size is refused whole."""
    data = request.data
    if not isinstance(data, dict):
        raise ValidationFailed([problem("body", "INVALID_PAYLOAD")])
    records = data.get("record")
    if not isinstance(records, list):
        raise ValidationFailed([problem("record", "MISSING_FIELD" if records is None else "INVALID_TYPE")])
    if not records:
        raise ValidationFailed([problem("record", "EMPTY")])
    if exactly is not None and len(records) != exactly:
        raise ValidationFailed([problem("record", "SINGLE_RECORD_REQUIRED")])
    if len(records) > most:
        raise ValidationFailed([problem("record", f"LIMIT_EXCEEDED_{most}")])
    items, problems = [], []
    for index, record in enumerate(records):
        tables = record.get("tables") if isinstance(record, dict) else None
        fields = tables.get("attendance") if isinstance(tables, dict) else None
        if not isinstance(fields, dict) or any(isinstance(v, dict | list) for v in fields.values()):
            problems.append(problem(f"record[{index}].tables.attendance", "INVALID_PAYLOAD"))
            continue
        items.append(Item(index, {str(k).lower(): v for k, v in fields.items()}))
    if problems:
        raise ValidationFailed(problems)
    return items


def read_common(item: Item, modes: tuple[str, ...]) -> None:
    v = item.values
    v["student_id"] = item.integer("studentid", minimum=1)
    v["school_number"] = item.integer("schoolid")
    v["year_id"] = item.integer("yearid", minimum=1)
    v["code_id"] = item.integer("attendance_codeid", minimum=1)
    v["date"] = parse_iso(str(item.fields.get("att_date") or "").strip())
    if v["date"] is None:
        item.error("att_date", "att_date must be a date (YYYY-MM-DD)")
    elif not in_range(v["date"]):
        item.error("att_date", f"att_date {OUT_OF_RANGE}")
        v["date"] = None
    mode = str(item.fields.get("att_mode_code") or "").strip()
    v["mode"] = mode
    if mode not in modes:
        item.error("att_mode_code", f"att_mode_code must be one of {', '.join(modes)}")
    comment = item.fields.get("att_comment")
    v["note"] = "" if comment is None else str(comment)
    if mode == TIME:
        v["minutes"] = item.integer("total_minutes")
        dcid = item.integer("dcid", required=False, minimum=1)
        v["entry_id"] = None if dcid is None else selectors.time_entry_pk(dcid)
        if dcid is not None and v["entry_id"] is None:
            item.error("dcid", "dcid is not the id of a time entry (ATT_ModeTime) record", "NOT_FOUND")
    if mode in (MEETING, INTERVAL):
        v["ccid"] = item.integer("ccid", minimum=1)
        v["period_id"] = item.integer("periodid", required=False, minimum=1)
        v["start_time"] = item.integer("start_time", required=False)
        v["end_time"] = item.integer("end_time", required=False)
        no_period = str(item.fields.get("periodid") or "").strip() == ""  # (a bad one has its own error)
        if no_period and (v["start_time"] is None or v["end_time"] is None):
            item.error("periodid", "periodid, or start_time and end_time, is required")
        v["interval"] = item.integer("att_interval", minimum=1) if mode == INTERVAL else 0


def match_period(periods, period_id, start, end):
    """A period by id, else the one whose times are exactly start and end, else the one that
    contains them."""
    if period_id is not None:
        return next((p for p in periods if p.pk == period_id), None)
    timed = [p for p in periods if p.start_time and p.end_time]
    exact = [p for p in timed if (selectors.seconds(p.start_time), selectors.seconds(p.end_time)) == (start, end)]
    if exact:
        return exact[0]
    return next(
        (p for p in timed if selectors.seconds(p.start_time) <= start and end <= selectors.seconds(p.end_time)), None
    )


def resolve(request, items: list[Item]) -> None:
    """Look every id up (a constant number of queries) and check it belongs together."""
    ok = [i for i in items if not i.errors]
    schools = selectors.schools_by_number(request.user, {i.values["school_number"] for i in ok})
    found = list(schools.values())
    years = selectors.years_by_id(found, {i.values["year_id"] for i in ok})
    codes = selectors.codes_by_id(found, {i.values["code_id"] for i in ok})
    meeting = [i for i in ok if i.values["mode"] in (MEETING, INTERVAL)]
    enrollments = selectors.enrollments_by_id(found, {i.values["ccid"] for i in meeting}) if meeting else {}
    periods = selectors.periods_of(found) if meeting else []
    for item in ok:
        v = item.values
        school = schools.get(v["school_number"])
        if school is None:
            item.error("schoolid", "schoolid is not a school this client may write to", "NOT_FOUND")
            continue
        v["school"] = school
        year = years.get(v["year_id"])
        if year is None or year.school_id != school.pk:
            item.error("yearid", "yearid is not an academic year of this school")
        elif not (year.start_date <= v["date"] <= year.end_date):
            item.error("att_date", f"att_date is outside the academic year ({year.start_date} to {year.end_date})")
        code = codes.get(v["code_id"])
        if code is None or code.school_id != school.pk:
            item.error("attendance_codeid", "attendance_codeid is not an attendance code of this school")
        if v["mode"] in (MEETING, INTERVAL):
            enrollment = enrollments.get(v["ccid"])
            if enrollment is None or enrollment.school_id != school.pk or enrollment.student_id != v["student_id"]:
                item.error("ccid", "ccid is not a class enrollment of this student", "NOT_FOUND")
            else:
                v["class_id"] = enrollment.school_class_id
            own = [p for p in periods if p.school_id == school.pk]
            period = match_period(own, v["period_id"], v["start_time"], v["end_time"])
            if period is None:
                name = "periodid" if v["period_id"] is not None else "start_time"
                item.error(name, f"{name} does not match one of the school's periods")
            else:
                v["period_number"] = period.number


def apply(request, items: list[Item]) -> None:
    """Hand the valid items to the write path, one call per school and kind of mark."""
    groups: dict[tuple, list[Item]] = defaultdict(list)
    for item in items:
        if not item.errors:
            kind = {DAILY: "daily", TIME: "time"}.get(item.values["mode"], "class")
            groups[(item.values["school"].pk, kind)].append(item)
    for (_, kind), group in groups.items():
        school = group[0].values["school"]
        common = {"actor": request.user, "school": school, "channel": Channel.POWERSCHOOL}
        if kind == "daily":
            marks = [
                DailyMarkInput(i.values["student_id"], i.values["date"], i.values["code_id"], i.values["note"])
                for i in group
            ]
            results = record_daily_marks(marks=marks, **common)
        elif kind == "time":
            entries = [
                TimeEntryInput(
                    student_id=i.values["student_id"],
                    date=i.values["date"],
                    code_id=i.values["code_id"],
                    minutes=i.values["minutes"],
                    note=i.values["note"],
                    entry_id=i.values["entry_id"],
                )
                for i in group
            ]
            results = record_time_entries(entries=entries, **common)
        else:
            marks = [
                ClassMarkInput(
                    school_class_id=i.values["class_id"],
                    student_id=i.values["student_id"],
                    date=i.values["date"],
                    period=i.values["period_number"],
                    code_id=i.values["code_id"],
                    note=i.values["note"],
                    interval=i.values["interval"],
                )
                for i in group
            ]
            results = record_class_marks(marks=marks, **common)
        record_kind = {"daily": selectors.DAILY, "time": selectors.TIME}.get(kind, selectors.MEETING)
        for item, result in zip(group, results, strict=True):
            if result.ok:
                item.outcome = "INSERT" if result.status == "created" else "UPDATE"
                item.row_id = selectors.attendance_id(record_kind, result.mark.pk)
                continue
            for name, messages in result.errors.items():
                wire = WIRE_FIELDS.get(name, name)
                for message in messages:
                    item.error(wire, f"{wire} {message}", ERROR_CODES.get(result.status, "FIELD_VALIDATION_ERROR"))


def envelope(request, items: list[Item]) -> Response:
    base = request.build_absolute_uri("/").rstrip("/")
    results = []
    for item in items:
        if item.errors:
            results.append({"status": "ERROR", "action": item.action, "error_message": {"error": item.errors}})
        else:
            results.append(
                {
                    "status": "SUCCESS",
                    "action": item.action,
                    "success_message": {
                        "id": item.row_id,
                        "ref": f"{base}/ws/schema/table/attendance/{item.row_id}",
                    },
                }
            )
    return Response(
        {
            "results": {
                "insert_count": sum(1 for i in items if not i.errors and i.outcome == "INSERT"),
                "update_count": sum(1 for i in items if not i.errors and i.outcome == "UPDATE"),
                "delete_count": 0,
                "result": results[0] if len(results) == 1 else results,
            }
        }
    )


def write(request, items: list[Item], modes: tuple[str, ...]) -> Response:
    for item in items:
        read_common(item, modes)
    resolve(request, items)
    apply(request, items)
    return envelope(request, items)


WRITE_RESPONSES = {
    200: s.PowerSchoolWriteEnvelopeOut,
    400: s.PowerSchoolValidationFailedOut,
    401: s.PowerSchoolValidationFailedOut,
    403: s.PowerSchoolValidationFailedOut,
}


@extend_schema(
    tags=[TAG_WRITE],
    summary="Create or update daily or time attendance records in a batch (1 to 200)",
    description="ATT_ModeDaily: one mark per student and date. ATT_ModeTime: minutes; dcid updates "
    "that entry, otherwise a new one is added. Each record succeeds or fails on its own.",
    request=s.PowerSchoolAttendanceListIn,
    responses=WRITE_RESPONSES,
)
@powerschool_view(["POST"], scope="write:attendance")
def batch_daily_time(request):
    return write(request, payload_items(request, most=MAX_BATCH), (DAILY, TIME))


@extend_schema(
    tags=[TAG_WRITE],
    summary="Create or update one daily or time attendance record",
    request=s.PowerSchoolAttendanceListIn,
    responses=WRITE_RESPONSES,
)
@powerschool_view(["POST"], scope="write:attendance")
def daily_time(request):
    return write(request, payload_items(request, most=1, exactly=1), (DAILY, TIME))


@extend_schema(
    tags=[TAG_WRITE],
    summary="Create or update meeting or interval attendance of one student on one day",
    description="ATT_ModeMeeting: the class mark of ccid in periodid (or the period of start_time and "
    "end_time). ATT_ModeInterval: likewise, one mark per att_interval.",
    request=s.PowerSchoolAttendanceListIn,
    responses=WRITE_RESPONSES,
)
@powerschool_view(["POST"], scope="write:attendance")
def meeting_interval(request):
    items = payload_items(request, most=MAX_BATCH)
    for name in ("studentid", "att_date"):
        if len({str(i.fields.get(name, "")).strip() for i in items}) > 1:
            raise ValidationFailed([problem(name, "SINGLE_STUDENT_AND_DAY_REQUIRED")])
    return write(request, items, (MEETING, INTERVAL))
