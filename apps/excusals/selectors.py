"""Reads for the parents' pages and the office's excusal pages, in a constant number of queries."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils.translation import gettext

from apps.classes.models import ClassMark
from apps.excusals.models import Excusal
from apps.homeroom.models import DailyMark
from apps.school.models import AttendanceCode, School, Student, Term
from apps.school.selectors import as_people_read, codes_for_school

ABSENT = AttendanceCode.Kind.ABSENT
PRESENT_PRESENCE = AttendanceCode.Presence.PRESENT

# ---------------------------------------------------------------- codes


def codes_as_people_read(children: list[Student]) -> dict[int, AttendanceCode]:
    """The codes of the children's schools by id as the family reads them (a P Present as the
    default present: one Present on every child's calendar); one query a school, once a request."""
    shown: dict[int, AttendanceCode] = {}
    for school in {c.school_id: c.school for c in children}.values():
        shown.update(as_people_read(codes_for_school(school)))
    return shown


# ---------------------------------------------------------------- whose excusals


def get_excusal_for_parent(user, excusal_id) -> Excusal:
    """An excusal of one of the user's children, whoever sent it; 404 for any other."""
    if not user.is_authenticated:
        raise Http404("No such excusal")
    try:
        return (
            Excusal.objects.filter(student__guardianships__parent__user=user)
            .select_related("student__school", "parent", "school")
            .distinct()
            .get(pk=excusal_id)
        )
    except (Excusal.DoesNotExist, ValueError, TypeError):
        raise Http404("No such excusal") from None


# ---------------------------------------------------------------- term at a glance


def _covered_by_excusal() -> Exists:
    return Exists(
        Excusal.objects.filter(
            student_id=OuterRef("student_id"), start_date__lte=OuterRef("date"), end_date__gte=OuterRef("date")
        )
    )


@dataclass
class TermSummary:
    """A child's term: days come from daily (homeroom) marks, lessons from class marks."""

    term: Term | None
    days_marked: int = 0
    days_present: int = 0
    days_absent: int = 0
    days_late: int = 0
    days_excused: int = 0
    days_unexcused: int = 0
    lessons_marked: int = 0
    lessons_present: int = 0

    @property
    def day_rate(self) -> float | None:
        return round(self.days_present * 100 / self.days_marked, 1) if self.days_marked else None

    @property
    def lesson_rate(self) -> float | None:
        return round(self.lessons_present * 100 / self.lessons_marked, 1) if self.lessons_marked else None


def current_terms(school_ids: set[int], today: date) -> dict[int, Term]:
    """Per school: the term running today, else the latest one begun (one query)."""
    running: dict[int, Term] = {}
    latest: dict[int, Term] = {}
    for term in Term.objects.filter(school_id__in=school_ids, start_date__lte=today).order_by("start_date"):
        latest[term.school_id] = term
        if term.end_date >= today:
            running.setdefault(term.school_id, term)
    return {**latest, **running}


def _in_terms(children: list[Student], terms: dict[int, Term]) -> Q:
    """Each child's marks within their own school's term; nothing when no child has a term."""
    condition = Q(pk__in=[])
    for school_id, term in terms.items():
        ids = [c.pk for c in children if c.school_id == school_id]
        if ids:
            condition |= Q(student_id__in=ids, date__gte=term.start_date, date__lte=term.end_date)
    return condition


def term_summaries(children: list[Student], today: date) -> dict[int, TermSummary]:
    """This term's figures of every child: three queries whatever the number of children or marks."""
    terms = current_terms({c.school_id for c in children}, today)
    summaries = {c.pk: TermSummary(term=terms.get(c.school_id)) for c in children}
    if not terms:
        return summaries
    in_terms = _in_terms(children, terms)
    days = (
        DailyMark.objects.filter(in_terms)
        .values("student_id")
        .annotate(
            marked=Count("id"),
            present=Count("id", filter=Q(code__presence=PRESENT_PRESENCE)),
            absent=Count("id", filter=~Q(code__presence=PRESENT_PRESENCE)),
            late=Count("id", filter=Q(code__kind=AttendanceCode.Kind.LATE)),
            excused_code=Count("id", filter=Q(code__kind=AttendanceCode.Kind.EXCUSED)),
            absent_kind=Count("id", filter=Q(code__kind=ABSENT)),
            covered=Count("id", filter=Q(code__kind=ABSENT) & Q(_covered_by_excusal())),
        )
        .order_by()
    )
    for row in days:
        summary = summaries[row["student_id"]]
        summary.days_marked = row["marked"]
        summary.days_present = row["present"]
        summary.days_absent = row["absent"]
        summary.days_late = row["late"]
        # An absence a parent's excusal covers counts as excused, as in the term reports.
        summary.days_excused = row["excused_code"] + row["covered"]
        summary.days_unexcused = row["absent_kind"] - row["covered"]
    lessons = (
        ClassMark.objects.filter(in_terms)
        .values("student_id")
        .annotate(marked=Count("id"), present=Count("id", filter=Q(code__presence=PRESENT_PRESENCE)))
        .order_by()
    )
    for row in lessons:
        summaries[row["student_id"]].lessons_marked = row["marked"]
        summaries[row["student_id"]].lessons_present = row["present"]
    return summaries


# ---------------------------------------------------------------- month calendar


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    is_today: bool = False
    weekend: bool = False
    mark: DailyMark | None = None
    excusal: Excusal | None = None
    code: AttendanceCode | None = None  # the mark's code as the family reads it


@dataclass
class MonthCalendar:
    month: date  # the first of the month
    weeks: list[list[CalendarDay]]
    codes: list[AttendanceCode] = field(default_factory=list)  # the codes this month shows, for the legend
    has_excusal: bool = False

    @property
    def previous(self) -> date:
        return (self.month - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        return (self.month + timedelta(days=32)).replace(day=1)


def month_calendars(children: list[Student], month: date, today: date) -> dict[int, MonthCalendar]:
    """A Monday-first month grid per child coloured by its daily marks, with the days its
    excusals cover (two queries)."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    ids = [c.pk for c in children]
    marks: dict[tuple[int, date], DailyMark] = {
        (m.student_id, m.date): m
        for m in DailyMark.objects.filter(student_id__in=ids, date__gte=first, date__lte=last).select_related("code")
    }
    excusals: dict[int, list[Excusal]] = defaultdict(list)
    for excusal in Excusal.objects.filter(student_id__in=ids, start_date__lte=last, end_date__gte=first).order_by(
        "start_date"
    ):
        excusals[excusal.student_id].append(excusal)
    grid = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    shown = codes_as_people_read(children)
    result: dict[int, MonthCalendar] = {}
    for child in children:
        codes: dict[int, AttendanceCode] = {}
        weeks = []
        has_excusal = False
        for week in grid:
            row = []
            for day in week:
                in_month = day.month == first.month
                mark = marks.get((child.pk, day)) if in_month else None
                covering = (
                    next((e for e in excusals[child.pk] if e.start_date <= day <= e.end_date), None)
                    if in_month
                    else None
                )
                code = shown.get(mark.code_id, mark.code) if mark is not None else None
                if code is not None:
                    codes[code.pk] = code
                has_excusal = has_excusal or covering is not None
                row.append(
                    CalendarDay(
                        day=day,
                        in_month=in_month,
                        is_today=day == today,
                        weekend=day.isoweekday() >= 6,
                        mark=mark,
                        excusal=covering,
                        code=code,
                    )
                )
            weeks.append(row)
        result[child.pk] = MonthCalendar(
            month=first,
            weeks=weeks,
            codes=sorted(codes.values(), key=lambda c: (c.sort_order, c.pk)),
            has_excusal=has_excusal,
        )
    return result


# ---------------------------------------------------------------- recent marks


@dataclass
class RecentMark:
    date: date
    where: str
    period_label: int | None
    code: AttendanceCode
    note: str
    minutes_late: int | None
    excused: bool


def _noteworthy(marks: QuerySet) -> QuerySet:
    """Marks a parent wants to hear about: anything other than plain present, or a note the
    teacher shared with the family."""
    return marks.exclude(Q(code__kind=AttendanceCode.Kind.PRESENT) & (Q(note="") | Q(shared_with_family=False)))


def _family_note(mark) -> str:
    """The note a family may read: only one the teacher shared; a staff-only note is never shown."""
    return mark.note if mark.shared_with_family else ""


def _recent(m, shown: dict, where: str, period: int | None) -> RecentMark:
    """A homeroom or lesson mark as the family reads it: one Present (``shown``), the note only
    if shared, and whether an excusal covers the absence (the ``covered`` annotation)."""
    return RecentMark(
        m.date,
        where,
        period,
        shown.get(m.code_id, m.code),
        _family_note(m),
        m.minutes_late,
        m.covered and m.code.kind == ABSENT,
    )


def recent_marks(children: list[Student], since: date, *, per_child: int = 6) -> dict[int, list[RecentMark]]:
    """Each child's latest noteworthy lesson and homeroom marks since a date, newest first
    (two queries: a row number per child keeps each list short in SQL)."""
    ids = [c.pk for c in children]
    offsets = {c.pk: c.school.period_offset for c in children}
    result: dict[int, list[RecentMark]] = {c.pk: [] for c in children}
    if not ids:
        return result
    shown = codes_as_people_read(children)
    daily = (
        _noteworthy(DailyMark.objects.filter(student_id__in=ids, date__gte=since))
        .annotate(covered=_covered_by_excusal())
        .annotate(row=Window(RowNumber(), partition_by=[F("student_id")], order_by=[F("date").desc(), F("id").desc()]))
        .filter(row__lte=per_child)
        .select_related("code")
    )
    for m in daily:
        result[m.student_id].append(_recent(m, shown, gettext("Homeroom"), None))
    lessons = (
        _noteworthy(ClassMark.objects.filter(student_id__in=ids, date__gte=since))
        .annotate(covered=_covered_by_excusal())
        .annotate(
            row=Window(
                RowNumber(),
                partition_by=[F("student_id")],
                order_by=[F("date").desc(), F("period__number").desc(), F("id").desc()],
            )
        )
        .filter(row__lte=per_child)
        .select_related("code", "school_class", "period")
    )
    for m in lessons:
        result[m.student_id].append(_recent(m, shown, m.school_class.name, m.period.number + offsets[m.student_id]))
    for marks in result.values():
        marks.sort(key=lambda m: (m.date, -(m.period_label or 0)), reverse=True)
        del marks[per_child:]
    return result


def month_marks(student: Student, month: date) -> list[RecentMark]:
    """Every lesson and homeroom mark of one child in a month, newest first (two queries)."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    shown = codes_as_people_read([student])
    rows = [
        _recent(m, shown, gettext("Homeroom"), None)
        for m in DailyMark.objects.filter(student=student, date__gte=first, date__lte=last)
        .annotate(covered=_covered_by_excusal())
        .select_related("code")
    ]
    offset = student.school.period_offset
    rows += [
        _recent(m, shown, m.school_class.name, m.period.number + offset)
        for m in ClassMark.objects.filter(student=student, date__gte=first, date__lte=last)
        .annotate(covered=_covered_by_excusal())
        .select_related("code", "school_class", "period")
    ]
    # Newest day first; within a day homeroom, then lessons in period order.
    rows.sort(key=lambda m: (-m.date.toordinal(), m.period_label or 0))
    return rows


# ---------------------------------------------------------------- notifications


@dataclass
class MissingExcusal:
    """A day a child was marked absent that no excusal covers."""

    student: Student
    day: date
    places: list[str] = field(default_factory=list)


def missing_excusals(children: list[Student], since: date) -> list[MissingExcusal]:
    """Days since a date on which a child has an absence (kind absent) in homeroom or a lesson
    and no excusal, newest first (two queries)."""
    by_id = {c.pk: c for c in children}
    found: dict[tuple[int, date], MissingExcusal] = {}

    def add(student_id: int, day: date, place: str) -> None:
        entry = found.setdefault((student_id, day), MissingExcusal(by_id[student_id], day))
        entry.places.append(place)

    uncovered = ~Q(_covered_by_excusal())
    for m in (
        DailyMark.objects.filter(student_id__in=by_id, date__gte=since, code__kind=ABSENT)
        .filter(uncovered)
        .values("student_id", "date")
    ):
        add(m["student_id"], m["date"], gettext("homeroom"))
    for m in (
        ClassMark.objects.filter(student_id__in=by_id, date__gte=since, code__kind=ABSENT)
        .filter(uncovered)
        .values("student_id", "date", "school_class__name", "period__number")
        .order_by("date", "period__number")
    ):
        label = m["period__number"] + by_id[m["student_id"]].school.period_offset
        add(
            m["student_id"],
            m["date"],
            gettext("%(class_name)s, period %(label)s") % {"class_name": m["school_class__name"], "label": label},
        )
    return sorted(found.values(), key=lambda n: (n.day, n.student.first_name), reverse=True)


# ---------------------------------------------------------------- excusals


def excusals_of_children(children: list[Student]) -> list[Excusal]:
    """Every excusal of the children, newest first (one query)."""
    return list(
        Excusal.objects.filter(student_id__in=[c.pk for c in children])
        .select_related("student", "parent")
        .order_by("-start_date", "-id")
    )


def overlapping_excusal(student: Student, start: date, end: date, *, excluding: int | None = None) -> Excusal | None:
    """The excusal a refused range runs into, to name it beside the error."""
    found = Excusal.objects.filter(student=student, start_date__lte=end, end_date__gte=start)
    if excluding is not None:
        found = found.exclude(pk=excluding)
    return found.order_by("start_date").first()


# ---------------------------------------------------------------- the office


def excusals_on(school: School, day: date) -> list[Excusal]:
    """Excusals covering a date in a school (one query)."""
    return list(
        Excusal.objects.filter(school=school, start_date__lte=day, end_date__gte=day)
        .select_related("student__year_group", "parent")
        .order_by("student__last_name", "student__first_name", "student_id")
    )


@dataclass
class OfficeAbsence:
    """An absent mark no excusal covers, and the roll it was taken on."""

    student: Student
    code: AttendanceCode
    where: str
    period_number: int | None = None  # as on the wire, for the roll's URL
    period_label: int | None = None
    class_id: int | None = None
    year_group_id: int | None = None


def unexcused_absences_on(school: School, day: date) -> list[OfficeAbsence]:
    """Students marked absent (homeroom or lessons, kind absent) on a date with no excusal
    covering it (two queries)."""
    uncovered = ~Q(_covered_by_excusal())
    rows = [
        OfficeAbsence(student=m.student, code=m.code, where=gettext("Homeroom"), year_group_id=m.student.year_group_id)
        for m in DailyMark.objects.filter(school=school, date=day, code__kind=ABSENT)
        .filter(uncovered)
        .select_related("student__year_group", "code")
    ]
    rows += [
        OfficeAbsence(
            student=m.student,
            code=m.code,
            where=m.school_class.name,
            period_number=m.period.number,
            period_label=m.period.number + school.period_offset,
            class_id=m.school_class_id,
        )
        for m in ClassMark.objects.filter(school=school, date=day, code__kind=ABSENT)
        .filter(uncovered)
        .select_related("student__year_group", "code", "school_class", "period")
    ]
    rows.sort(key=lambda r: (r.student.last_name, r.student.first_name, r.student.pk, r.period_number or 0))
    return rows
