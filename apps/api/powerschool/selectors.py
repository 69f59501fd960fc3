"""Reads for the PowerSchool dialect: the schema tables a plugin reads (attendance_code and
period to look ids up in, attendance for the records it wrote), and what a write needs to
resolve its ids (each in one query)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from apps.attendance.rules import note_as_read
from apps.classes.access import covered_marks, visible_classes
from apps.classes.models import ClassMark, Enrollment
from apps.homeroom.models import DailyMark, TimeEntry
from apps.school.access import administered_schools, children_of, schools_for, visible_year_groups
from apps.school.models import DEFAULT_PRESENT_STATUS, AcademicYear, AttendanceCode, Period, School


@dataclass(frozen=True)
class Column:
    """A column as PowerSchool's table metadata describes it."""

    name: str
    type: str
    length: int
    description: str


@dataclass(frozen=True)
class Table:
    name: str
    comment: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _number(name: str, description: str) -> Column:
    return Column(name, "INTEGER", 19, description)


def _text(name: str, description: str, length: int) -> Column:
    return Column(name, "VARCHAR2", length, description)


SCHOOL_ID = _number("schoolid", "The school's SCHOOLS.SCHOOL_NUMBER")
YEAR_ID = _number("yearid", "The academic year's id")
TABLES = {
    table.name: table
    for table in (
        Table(
            "attendance_code",
            "The school's attendance codes, for attendance_codeid",
            (
                _number("id", "The code's id: attendance_codeid"),
                SCHOOL_ID,
                YEAR_ID,
                _text("att_code", "The code's abbreviation", 10),
                _text("description", "The code's label", 50),
                _text("presence_status_cd", "Present or Absent", 10),
                _number("sortorder", "Order of the codes"),
            ),
        ),
        Table(
            "period",
            "The school's periods, for periodid",
            (
                _number("id", "The period's id: periodid"),
                SCHOOL_ID,
                YEAR_ID,
                _number("period_number", "The period's number, from 1"),
                _text("name", "The period's name", 100),
                _number("start_time", "Start, in seconds since midnight"),
                _number("end_time", "End, in seconds since midnight"),
                _number("sort_order", "Order of the periods"),
            ),
        ),
        Table(
            "attendance",
            "Attendance records: daily, time, meeting and interval; a write's ref names one",
            (
                _number("id", "The record's id, as a write answers it"),
                _number("dcid", "The same id (for ATT_ModeTime, the dcid that updates the entry)"),
                _number("studentid", "The student's STUDENTS.ID"),
                SCHOOL_ID,
                YEAR_ID,
                Column("att_date", "DATE", 10, "The day, YYYY-MM-DD"),
                _text("att_mode_code", "ATT_ModeDaily, ATT_ModeTime, ATT_ModeMeeting or ATT_ModeInterval", 20),
                _number("attendance_codeid", "The code's ATTENDANCE_CODE.ID"),
                _text("att_comment", "The note", 4000),
                _number("ccid", "Meeting and interval: the class enrollment's CC.ID"),
                _number("periodid", "Meeting and interval: the period's PERIOD.ID"),
                _number("att_interval", "Interval: the interval, from 1"),
                _number("total_minutes", "Time: the minutes"),
            ),
        ),
    )
}
# Column names of each table we serve, in PowerSchool's words.
TABLE_COLUMNS = {name: table.column_names for name, table in TABLES.items()}
# Tables whose rows are few (a school's codes and periods): read whole, filtered here.
SMALL_TABLES = ("attendance_code", "period")


def seconds(value: time | None) -> int | None:
    return None if value is None else value.hour * 3600 + value.minute * 60 + value.second


def current_year(years: list[AcademicYear], today: date) -> AcademicYear | None:
    """The year containing today, else the latest one that started."""
    for year in years:
        if year.start_date <= today <= year.end_date:
            return year
    started = [y for y in years if y.start_date <= today]
    return started[-1] if started else (years[0] if years else None)


def table_rows(user, table: str, *, school_number: str | None, year_id: str | None) -> list[tuple[int, dict]]:
    """Rows of ``table`` for the user's schools as (id, {column: value}), values not yet strings.
    Codes and periods belong to a school, not a year: a row carries the asked ``yearid`` when
    it is one of its school's years, else the school's current year (three queries)."""
    schools = schools_for(user)
    if school_number is not None:
        schools = schools.filter(number=school_number) if school_number.isdigit() else schools.none()
    by_id: dict[int, School] = {s.pk: s for s in schools}
    years: dict[int, list[AcademicYear]] = {}
    for year in AcademicYear.objects.filter(school_id__in=by_id).order_by("start_date"):
        years.setdefault(year.school_id, []).append(year)
    year_of: dict[int, AcademicYear | None] = {}
    for school_id, school in by_id.items():
        own = years.get(school_id, [])
        if year_id is not None:
            year_of[school_id] = next((y for y in own if str(y.pk) == year_id), None)
        else:
            year_of[school_id] = current_year(own, school.today())
    wanted = [school_id for school_id, year in year_of.items() if year is not None]

    rows = []
    if table == "attendance_code":
        # The roll's default present (-1) is not a code a client may write.
        codes = (
            AttendanceCode.objects.filter(school_id__in=wanted, enabled=True)
            .exclude(mb_status=DEFAULT_PRESENT_STATUS)
            .order_by("school_id", "sort_order", "id")
        )
        for c in codes:
            rows.append(
                (
                    c.pk,
                    {
                        "id": c.pk,
                        "schoolid": by_id[c.school_id].number,
                        "yearid": year_of[c.school_id].pk,
                        "att_code": c.abbreviation,
                        "description": c.label,
                        "presence_status_cd": c.presence,
                        "sortorder": c.sort_order,
                    },
                )
            )
    else:
        for p in Period.objects.filter(school_id__in=wanted).order_by("school_id", "number"):
            rows.append(
                (
                    p.pk,
                    {
                        "id": p.pk,
                        "schoolid": by_id[p.school_id].number,
                        "yearid": year_of[p.school_id].pk,
                        "period_number": p.number,
                        "name": p.name or f"Period {p.number}",
                        "start_time": seconds(p.start_time),
                        "end_time": seconds(p.end_time),
                        "sort_order": p.number,
                    },
                )
            )
    return rows


def schools_by_number(user, numbers: set[int]) -> dict[int, School]:
    return {s.number: s for s in schools_for(user).filter(number__in=numbers)}


def years_by_id(schools: list[School], ids: set[int]) -> dict[int, AcademicYear]:
    return {y.pk: y for y in AcademicYear.objects.filter(school__in=schools, pk__in=ids)}


def codes_by_id(schools: list[School], ids: set[int]) -> dict[int, AttendanceCode]:
    return {c.pk: c for c in AttendanceCode.objects.filter(school__in=schools, pk__in=ids)}


def enrollments_by_id(schools: list[School], ids: set[int]) -> dict[int, Enrollment]:
    return {e.pk: e for e in Enrollment.objects.filter(school__in=schools, pk__in=ids)}


def periods_of(schools: list[School]) -> list[Period]:
    return list(Period.objects.filter(school__in=schools).order_by("number"))


# --- the attendance table ------------------------------------------------------------------------

# PowerSchool keeps every mode in one ATTENDANCE table with one id; Rollbook keeps class marks,
# daily marks and time entries apart. A record's id says which: a class mark's is its row's id,
# a daily mark's 10^15 more, a time entry's 2 x 10^15 more (JavaScript-safe, below 2^53).
MEETING, DAILY, TIME = "class", "daily", "time"
ID_BASE = {MEETING: 0, DAILY: 10**15, TIME: 2 * 10**15}
ID_SPAN = 10**15
KINDS = (MEETING, DAILY, TIME)  # the table's order: by id
EMPTY_COLUMNS = {
    MEETING: {"total_minutes"},
    DAILY: {"ccid", "periodid", "att_interval", "total_minutes"},
    TIME: {"ccid", "periodid", "att_interval"},
}


def attendance_id(kind: str, pk: int) -> int:
    return ID_BASE[kind] + pk


def attendance_key(record_id: int) -> tuple[str, int] | None:
    """The kind and row of an attendance record's id, or None for an id no record can have."""
    for kind in reversed(KINDS):
        if record_id > ID_BASE[kind]:
            pk = record_id - ID_BASE[kind]
            return (kind, pk) if pk < ID_SPAN else None
    return None


def time_entry_pk(dcid: int) -> int | None:
    """The time entry a write's ``dcid`` names (the id its write answered), or None."""
    key = attendance_key(dcid)
    return key[1] if key is not None and key[0] == TIME else None


def visible_records(user, kind: str) -> QuerySet:
    """The records of that kind the user may read: a class's marks for who may see the class
    (and a parent for their children, a cover teacher for the lessons they cover), daily marks
    and time entries for the school's admins, the year group's advisors and the child's parents.
    Each carries ``shown_note``: a mark read only as the child's parent keeps a staff-only note
    to itself (``note_as_read``); time entries have no such choice."""
    if kind == MEETING:
        staff = Q(school_class__in=visible_classes(user)) | covered_marks(user)
        records = ClassMark.objects.filter(staff | Q(student__in=children_of(user)))
        return records.annotate(shown_note=note_as_read(staff))
    staff = Q(school__in=administered_schools(user)) | Q(student__year_group__in=visible_year_groups(user))
    if kind == DAILY:
        return DailyMark.objects.filter(staff | Q(student__in=children_of(user))).annotate(
            shown_note=note_as_read(staff)
        )
    return TimeEntry.objects.filter(staff | Q(student__in=children_of(user))).annotate(shown_note=F("note"))


@dataclass(frozen=True)
class AttendanceQuery:
    """The typed conditions of ``q`` on the attendance table (strings as sent; None: no condition)."""

    conditions: dict[str, str]
    att_date: date | None = None


def _int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def _filtered(user, kind: str, query: AttendanceQuery) -> QuerySet | None:
    """The kind's visible records matching every condition; None when none can."""
    records = visible_records(user, kind)
    wanted = query.conditions
    for name in ("id", "dcid"):
        if name in wanted:
            key = attendance_key(_int(wanted[name]) or 0)
            if key is None or key[0] != kind:
                return None
            records = records.filter(pk=key[1])
    mode = wanted.get("att_mode_code")
    if mode is not None:
        modes = {"ATT_ModeMeeting": MEETING, "ATT_ModeInterval": MEETING, "ATT_ModeDaily": DAILY, "ATT_ModeTime": TIME}
        if modes.get(mode) != kind:
            return None
        if kind == MEETING:
            records = records.filter(interval=0) if mode == "ATT_ModeMeeting" else records.filter(interval__gt=0)
    if EMPTY_COLUMNS[kind] & set(wanted):
        return None  # a column this kind of record leaves empty equals nothing
    numbers = {"studentid": "student_id", "schoolid": "school__number", "attendance_codeid": "code_id"}
    if kind == MEETING:
        numbers |= {"periodid": "period_id", "att_interval": "interval"}
    elif kind == TIME:
        numbers |= {"total_minutes": "minutes"}
    for name, value in wanted.items():
        if name in numbers:
            number = _int(value)
            if number is None:
                return None
            records = records.filter(**{numbers[name]: number})
    if "ccid" in wanted:
        ccid = _int(wanted["ccid"])
        if ccid is None:
            return None
        same = Enrollment.objects.filter(
            pk=ccid, school_class_id=OuterRef("school_class_id"), student_id=OuterRef("student_id")
        )
        records = records.filter(Exists(same))
    if query.att_date is not None:
        records = records.filter(date=query.att_date)
    if "att_comment" in wanted:
        records = records.filter(shown_note=wanted["att_comment"])  # a hidden note matches only ""
    if "yearid" in wanted:
        year = AcademicYear.objects.filter(pk=_int(wanted["yearid"]) or 0).first()
        if year is None:
            return None
        records = records.filter(school_id=year.school_id, date__gte=year.start_date, date__lte=year.end_date)
    return records


def attendance_count(user, query: AttendanceQuery) -> int:
    return sum(found.count() for kind in KINDS if (found := _filtered(user, kind, query)) is not None)


def attendance_rows(user, query: AttendanceQuery, *, offset: int, limit: int) -> list[tuple[int, dict]]:
    """``limit`` records from ``offset``, in id order (class marks, then daily, then time)."""
    found = {kind: records for kind in KINDS if (records := _filtered(user, kind, query)) is not None}
    counts = {kind: records.count() for kind, records in found.items()}
    picked: list = []
    for kind, records in found.items():
        if offset >= counts[kind]:
            offset -= counts[kind]
            continue
        picked += [(kind, r) for r in _values(kind, records.order_by("pk")[offset : offset + limit - len(picked)])]
        offset = 0
        if len(picked) >= limit:
            break
    return _as_rows(picked)


def attendance_row(user, record_id: int) -> tuple[int, dict] | None:
    key = attendance_key(record_id)
    if key is None:
        return None
    kind, pk = key
    rows = _as_rows([(kind, r) for r in _values(kind, visible_records(user, kind).filter(pk=pk))])
    return rows[0] if rows else None


def _values(kind: str, records: QuerySet) -> list[dict]:
    fields = ["pk", "student_id", "school_id", "school__number", "date", "code_id", "shown_note"]
    if kind == MEETING:
        enrollment = Enrollment.objects.filter(
            school_class_id=OuterRef("school_class_id"), student_id=OuterRef("student_id")
        ).values("pk")[:1]
        return list(records.annotate(ccid=Subquery(enrollment)).values(*fields, "ccid", "period_id", "interval"))
    if kind == TIME:
        return list(records.values(*fields, "minutes"))
    return list(records.values(*fields))


def _as_rows(picked: list[tuple[str, dict]]) -> list[tuple[int, dict]]:
    """(id, {column: value}) of each record; its yearid is the school's year holding its date (one query)."""
    school_ids = {r["school_id"] for _, r in picked}
    years = list(AcademicYear.objects.filter(school_id__in=school_ids)) if school_ids else []
    rows = []
    for kind, r in picked:
        record_id = attendance_id(kind, r["pk"])
        holding = (y for y in years if y.school_id == r["school_id"] and y.start_date <= r["date"] <= y.end_date)
        year = next(holding, None)
        values = {
            "id": record_id,
            "dcid": record_id,
            "studentid": r["student_id"],
            "schoolid": r["school__number"],
            "yearid": year.pk if year else None,
            "att_date": r["date"].isoformat(),
            "att_mode_code": {DAILY: "ATT_ModeDaily", TIME: "ATT_ModeTime"}.get(kind)
            or ("ATT_ModeInterval" if r["interval"] else "ATT_ModeMeeting"),
            "attendance_codeid": r["code_id"],
            "att_comment": r["shown_note"],
        }
        if kind == MEETING:
            values |= {"ccid": r["ccid"], "periodid": r["period_id"], "att_interval": r["interval"] or None}
        if kind == TIME:
            values["total_minutes"] = r["minutes"]
        rows.append((record_id, values))
    return rows
