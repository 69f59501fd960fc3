"""Reads behind the office pages: attendance aggregated in SQL, a constant number of queries.

The term reports read the term counts (``ClassTermCount``, ``DailyTermCount``: a few rows per
student, kept by the write path, see apps/attendance/term_counts.py); with ``from_marks=True``
the same report is computed from the marks themselves, which is what the tests hold the counts
to and what the benchmark times as the report's floor."""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.apps import apps as django_apps
from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncWeek
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.audit.log import MODEL_OF_KIND, SUBJECTS
from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark, ClassTermCount, Enrollment, SchoolClass, TimetableSlot
from apps.classes.selectors import why_not_a_school_day
from apps.excusals.models import Excusal
from apps.homeroom.models import Adjustment, DailyMark, DailyTermCount
from apps.school.models import (
    AttendanceCode,
    School,
    Student,
    Teacher,
    Term,
    YearGroup,
)
from apps.school.selectors import as_people_read, counts_as_people_read

ABSENT = AttendanceCode.Kind.ABSENT
EXCUSED = AttendanceCode.Kind.EXCUSED
LATE = AttendanceCode.Kind.LATE
PRESENT = AttendanceCode.Presence.PRESENT
CHRONIC_THRESHOLD = 0.10
MAX_UNMARKED_DAYS = 92

HOMEROOM = "homeroom"
LESSONS = "lessons"
SOURCES = {HOMEROOM: _("Homeroom (daily)"), LESSONS: _("Lessons (class periods)")}


# ---------------------------------------------------------------- terms and codes


def school_terms(school: School) -> list[Term]:
    return list(Term.objects.filter(school=school).select_related("academic_year").order_by("start_date"))


def pick_term(terms: list[Term], wanted: Any, today: date) -> Term | None:
    """The term asked for by id, else the one running today, else the latest begun, else the first."""
    by_id = {str(t.pk): t for t in terms}
    if wanted not in (None, "") and str(wanted) in by_id:
        return by_id[str(wanted)]
    for term in terms:
        if term.start_date <= today <= term.end_date:
            return term
    begun = [t for t in terms if t.start_date <= today]
    return begun[-1] if begun else (terms[0] if terms else None)


def school_codes(school: School) -> list[AttendanceCode]:
    return list(AttendanceCode.objects.filter(school=school).order_by("sort_order", "id"))


# ---------------------------------------------------------------- figures


@dataclass
class Figures:
    """A group's counts per code (adjustments applied) and what follows from them."""

    counts: dict[int, int] = field(default_factory=dict)
    adjustments: dict[int, int] = field(default_factory=dict)
    total: int = 0
    present: int = 0
    absent: int = 0
    late: int = 0
    excused: int = 0
    unexcused: int = 0
    rate: float | None = None

    @property
    def adjustment_total(self) -> int:
        return sum(self.adjustments.values())

    @property
    def rate_percent(self) -> float | None:
        return None if self.rate is None else round(self.rate * 100, 1)


def figures_from(
    raw: dict[int, int], covered_absent: int, adjustments: dict[int, int], codes: dict[int, AttendanceCode]
) -> Figures:
    """Derive a group's figures from its per-code counts. Works on a handful of aggregate rows
    (one per code), never on marks. An absence of kind absent that a parent's excusal covers
    counts as excused; a code of kind excused always does. ``codes`` is ``as_people_read``: a
    P Present counts with the default present, as one Present."""
    raw, adjustments = counts_as_people_read(raw, codes), counts_as_people_read(adjustments, codes)
    counts: dict[int, int] = {}
    for code_id in set(raw) | set(adjustments):
        # A negative adjustment can correct a count down to nothing, not below.
        counts[code_id] = max(0, raw.get(code_id, 0) + adjustments.get(code_id, 0))
    figures = Figures(counts=counts, adjustments={k: v for k, v in adjustments.items() if v})
    absent_kind = 0
    for code_id, count in counts.items():
        code = codes[code_id]
        figures.total += count
        if code.presence == PRESENT:
            figures.present += count
        else:
            figures.absent += count
        if code.kind == LATE:
            figures.late += count
        elif code.kind == EXCUSED:
            figures.excused += count
        elif code.kind == ABSENT:
            absent_kind += count
    covered = min(covered_absent, absent_kind)
    figures.excused += covered
    figures.unexcused = absent_kind - covered
    figures.rate = figures.present / figures.total if figures.total else None
    return figures


def _covered_by_excusal() -> Exists:
    return Exists(
        Excusal.objects.filter(
            student_id=OuterRef("student_id"), start_date__lte=OuterRef("date"), end_date__gte=OuterRef("date")
        )
    )


def tally(marks: QuerySet, group_field: str) -> dict[Any, tuple[dict[int, int], int]]:
    """Per group: marks per code and absences covered by an excusal. One GROUP BY query with
    conditional counts, over the marks or over their term counts (``marks`` of either)."""
    if marks.model in (ClassTermCount, DailyTermCount):
        annotations = {
            "count": Sum("marks"),
            "covered_absent": Coalesce(Sum("covered", filter=Q(code__kind=ABSENT)), 0),
        }
    else:
        annotations = {
            "count": Count("id"),
            "covered_absent": Count("id", filter=Q(code__kind=ABSENT) & Q(_covered_by_excusal())),
        }
    rows = marks.values(group_field, "code_id").annotate(**annotations).order_by()
    result: dict[Any, tuple[dict[int, int], int]] = {}
    for row in rows:
        counts, covered = result.get(row[group_field], ({}, 0))
        counts[row["code_id"]] = row["count"]
        result[row[group_field]] = (counts, covered + row["covered_absent"])
    return result


def adjustment_tally(adjustments: QuerySet, group_field: str) -> dict[Any, dict[int, int]]:
    rows = adjustments.values(group_field, "code_id").annotate(total=Sum("adjustment")).order_by()
    result: dict[Any, dict[int, int]] = defaultdict(dict)
    for row in rows:
        result[row[group_field]][row["code_id"]] = row["total"]
    return dict(result)


@dataclass
class ReportRow:
    key: Any
    label: str
    figures: Figures
    sublabel: str = ""
    archived: bool = False
    url_id: int | None = None


@dataclass
class Report:
    title: str
    term: Term
    source: str
    codes: list[AttendanceCode]
    rows: list[ReportRow]
    totals: Figures
    group_label: str = field(default_factory=lambda: gettext("Student"))
    include_archived: bool = False
    shows_adjustments: bool = False


def _columns(codes: list[AttendanceCode], rows: list[ReportRow], totals: Figures) -> list[AttendanceCode]:
    """The codes the report has marks or adjustments of, in the school's order: a dozen empty
    columns would hide the few that matter."""
    used = {code_id for code_id, count in totals.counts.items() if count} | set(totals.adjustments)
    for row in rows:
        used |= {code_id for code_id, count in row.figures.counts.items() if count} | set(row.figures.adjustments)
    return [c for c in codes if c.pk in used]


def _totals(tallies, adjustments, codes_by_id) -> Figures:
    raw: dict[int, int] = defaultdict(int)
    covered = 0
    for counts, group_covered in tallies.values():
        for code_id, count in counts.items():
            raw[code_id] += count
        covered += group_covered
    adjusted: dict[int, int] = defaultdict(int)
    for group in adjustments.values():
        for code_id, value in group.items():
            adjusted[code_id] += value
    return figures_from(dict(raw), covered, dict(adjusted), codes_by_id)


def _class_marks(school: School, term: Term, include_archived: bool) -> QuerySet:
    marks = ClassMark.objects.filter(school=school, date__gte=term.start_date, date__lte=term.end_date)
    return marks if include_archived else marks.filter(student__archived=False)


def _daily_marks(school: School, term: Term, include_archived: bool) -> QuerySet:
    marks = DailyMark.objects.filter(school=school, date__gte=term.start_date, date__lte=term.end_date)
    return marks if include_archived else marks.filter(student__archived=False)


def _class_counts(school: School, term: Term, include_archived: bool, from_marks: bool) -> QuerySet:
    """The term's class marks, or their term counts: ``tally`` reads either, and both filter by
    ``school_class`` and ``student``."""
    if from_marks:
        return _class_marks(school, term, include_archived)
    counts = ClassTermCount.objects.filter(school=school, term=term)
    return counts if include_archived else counts.filter(student__archived=False)


def _daily_counts(school: School, term: Term, include_archived: bool, from_marks: bool) -> QuerySet:
    if from_marks:
        return _daily_marks(school, term, include_archived)
    counts = DailyTermCount.objects.filter(school=school, term=term)
    return counts if include_archived else counts.filter(student__archived=False)


def _adjustments(school: School, term: Term, include_archived: bool) -> QuerySet:
    adjustments = Adjustment.objects.filter(school=school, term=term)
    return adjustments if include_archived else adjustments.filter(student__archived=False)


def _student_rows(students, tallies, adjustments, codes_by_id) -> list[ReportRow]:
    return [
        ReportRow(
            key=s.pk,
            url_id=s.pk,
            label=f"{s.last_name}, {s.first_name}",
            sublabel=s.student_number,
            archived=s.archived,
            figures=figures_from(*tallies.get(s.pk, ({}, 0)), adjustments.get(s.pk, {}), codes_by_id),
        )
        for s in students
    ]


def class_report(
    school_class: SchoolClass, term: Term, *, include_archived: bool = False, from_marks: bool = False
) -> Report:
    """A class's lessons in the term, one row per enrolled student (4 queries)."""
    codes = school_codes(school_class.school)
    codes_by_id = as_people_read(codes)
    students = Student.objects.filter(enrollments__school_class=school_class).order_by("last_name", "first_name", "id")
    if not include_archived:
        students = students.filter(archived=False)
    students = list(students)
    tallies = tally(
        _class_counts(school_class.school, term, include_archived, from_marks).filter(school_class=school_class),
        "student_id",
    )
    rows = _student_rows(students, tallies, {}, codes_by_id)
    # A student who left the class keeps their marks: show them too, after the enrolled ones.
    listed = {s.pk for s in students}
    missing = [pk for pk in tallies if pk not in listed]
    if missing:
        rows += _student_rows(
            Student.objects.filter(pk__in=missing).order_by("last_name", "first_name"), tallies, {}, codes_by_id
        )
    totals = _totals(tallies, {}, codes_by_id)
    return Report(
        title=gettext("%(name)s: lessons") % {"name": school_class.name},
        term=term,
        source=LESSONS,
        codes=_columns(codes, rows, totals),
        rows=rows,
        totals=totals,
        include_archived=include_archived,
    )


def year_group_report(
    year_group: YearGroup, term: Term, *, include_archived: bool = False, from_marks: bool = False
) -> Report:
    """A year group's homeroom (daily) marks in the term with adjustments, one row per student
    (4 queries)."""
    school = year_group.school
    codes = school_codes(school)
    codes_by_id = as_people_read(codes)
    students = Student.objects.filter(year_group=year_group).order_by("last_name", "first_name", "id")
    if not include_archived:
        students = students.filter(archived=False)
    tallies = tally(
        _daily_counts(school, term, include_archived, from_marks).filter(student__year_group=year_group), "student_id"
    )
    adjustments = adjustment_tally(
        _adjustments(school, term, include_archived).filter(student__year_group=year_group), "student_id"
    )
    rows = _student_rows(list(students), tallies, adjustments, codes_by_id)
    totals = _totals(tallies, adjustments, codes_by_id)
    return Report(
        title=gettext("%(name)s: homeroom") % {"name": year_group.name},
        term=term,
        source=HOMEROOM,
        codes=_columns(codes, rows, totals),
        rows=rows,
        totals=totals,
        include_archived=include_archived,
        shows_adjustments=True,
    )


def school_overview(
    school: School,
    term: Term,
    *,
    include_archived: bool = False,
    year_group: YearGroup | None = None,
    school_class: SchoolClass | None = None,
    class_ids: QuerySet | None = None,
    year_group_ids: QuerySet | None = None,
    from_marks: bool = False,
) -> tuple[Report, Report]:
    """Homeroom by year group (adjustments applied) and lessons by class, for the term.
    ``class_ids``/``year_group_ids`` narrow to what a teacher may see (7 queries)."""
    codes = school_codes(school)
    codes_by_id = as_people_read(codes)

    groups = YearGroup.objects.filter(school=school)
    daily = _daily_counts(school, term, include_archived, from_marks)
    adjustments = _adjustments(school, term, include_archived)
    if year_group_ids is not None:
        groups = groups.filter(pk__in=year_group_ids)
        daily = daily.filter(student__year_group_id__in=year_group_ids)
        adjustments = adjustments.filter(student__year_group_id__in=year_group_ids)
    if year_group is not None:
        groups = groups.filter(pk=year_group.pk)
        daily = daily.filter(student__year_group=year_group)
        adjustments = adjustments.filter(student__year_group=year_group)
    daily_tallies = tally(daily, "student__year_group_id")
    daily_adjustments = adjustment_tally(adjustments, "student__year_group_id")
    group_rows = [
        ReportRow(
            key=g.pk,
            url_id=g.pk,
            label=g.name,
            figures=figures_from(*daily_tallies.get(g.pk, ({}, 0)), daily_adjustments.get(g.pk, {}), codes_by_id),
        )
        for g in groups
    ]
    group_totals = _totals(
        {k: v for k, v in daily_tallies.items() if k in {r.key for r in group_rows}},
        {k: v for k, v in daily_adjustments.items() if k in {r.key for r in group_rows}},
        codes_by_id,
    )

    classes = SchoolClass.objects.filter(school=school, start_date__lte=term.end_date, end_date__gte=term.start_date)
    lessons = _class_counts(school, term, include_archived, from_marks)
    if class_ids is not None:
        classes = classes.filter(pk__in=class_ids)
        lessons = lessons.filter(school_class_id__in=class_ids)
    if school_class is not None:
        classes = classes.filter(pk=school_class.pk)
        lessons = lessons.filter(school_class=school_class)
    if year_group is not None:
        # Only the year group's students' lessons, in the classes they attend.
        lessons = lessons.filter(student__year_group=year_group)
        classes = classes.filter(enrollments__student__year_group=year_group).distinct()
    if not include_archived:
        classes = classes.filter(archived=False)
    class_tallies = tally(lessons, "school_class_id")
    class_list = list(classes.prefetch_related(Prefetch("teachers", queryset=Teacher.objects.order_by("last_name"))))
    class_rows = [
        ReportRow(
            key=c.pk,
            url_id=c.pk,
            label=c.name,
            sublabel=", ".join(t.full_name for t in c.teachers.all()),
            archived=c.archived,
            figures=figures_from(*class_tallies.get(c.pk, ({}, 0)), {}, codes_by_id),
        )
        for c in class_list
    ]
    class_totals = _totals(
        {k: v for k, v in class_tallies.items() if k in {r.key for r in class_rows}}, {}, codes_by_id
    )
    return (
        Report(
            title=gettext("Homeroom by year group"),
            term=term,
            source=HOMEROOM,
            codes=_columns(codes, group_rows, group_totals),
            rows=group_rows,
            totals=group_totals,
            group_label=gettext("Year group"),
            include_archived=include_archived,
            shows_adjustments=True,
        ),
        Report(
            title=gettext("Lessons by class"),
            term=term,
            source=LESSONS,
            codes=_columns(codes, class_rows, class_totals),
            rows=class_rows,
            totals=class_totals,
            group_label=gettext("Class"),
            include_archived=include_archived,
        ),
    )


def student_report(
    student: Student, term: Term, *, class_ids: QuerySet | None = None, from_marks: bool = False
) -> tuple[Report, Report]:
    """One student's term: homeroom (with adjustments) and one row per class (5 queries).
    ``class_ids`` narrows the classes to those a teacher teaches."""
    school = student.school
    codes = school_codes(school)
    codes_by_id = as_people_read(codes)
    daily = tally(_daily_counts(school, term, True, from_marks).filter(student=student), "student_id")
    adjustments = adjustment_tally(_adjustments(school, term, True).filter(student=student), "student_id")
    daily_figures = figures_from(*daily.get(student.pk, ({}, 0)), adjustments.get(student.pk, {}), codes_by_id)
    daily_row = ReportRow(key=student.pk, label=gettext("Homeroom"), figures=daily_figures)

    lessons = _class_counts(school, term, True, from_marks).filter(student=student)
    # The classes of this term: another year's (after a roster rollover) are not this term's.
    in_term = Q(start_date__lte=term.end_date, end_date__gte=term.start_date)
    classes = SchoolClass.objects.filter(
        (Q(enrollments__student=student) & in_term) | Q(pk__in=lessons.values("school_class_id"))
    ).distinct()
    if class_ids is not None:
        lessons = lessons.filter(school_class_id__in=class_ids)
        classes = classes.filter(pk__in=class_ids)
    class_tallies = tally(lessons, "school_class_id")
    class_rows = [
        ReportRow(
            key=c.pk,
            url_id=c.pk,
            label=c.name,
            archived=c.archived,
            figures=figures_from(*class_tallies.get(c.pk, ({}, 0)), {}, codes_by_id),
        )
        for c in classes.order_by("name")
    ]
    class_totals = _totals(class_tallies, {}, codes_by_id)
    return (
        Report(
            title=gettext("Homeroom"),
            term=term,
            source=HOMEROOM,
            codes=_columns(codes, [daily_row], daily_figures),
            rows=[daily_row],
            totals=daily_figures,
            group_label="",
            shows_adjustments=True,
        ),
        Report(
            title=gettext("Lessons"),
            term=term,
            source=LESSONS,
            codes=_columns(codes, class_rows, class_totals),
            rows=class_rows,
            totals=class_totals,
            group_label=gettext("Class"),
        ),
    )


# ---------------------------------------------------------------- weeks


@dataclass
class WeekPoint:
    week: date
    total: int
    present: int
    absent: int

    @property
    def rate(self) -> float | None:
        return self.present / self.total if self.total else None


def term_weeks(term: Term, until: date | None = None) -> list[date]:
    """Mondays of the term's weeks (up to ``until``)."""
    end = min(term.end_date, until) if until else term.end_date
    monday = term.start_date - timedelta(days=term.start_date.weekday())
    weeks = []
    while monday <= end:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def _week_key(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def weekly_rates(marks: QuerySet, term: Term, *, until: date | None = None) -> list[WeekPoint]:
    """Attendance per week of the term (one query): every week appears, empty ones with no rate."""
    rows = (
        marks.annotate(week=TruncWeek("date"))
        .values("week")
        .annotate(
            total=Count("id"),
            present=Count("id", filter=Q(code__presence=PRESENT)),
            absent=Count("id", filter=~Q(code__presence=PRESENT)),
        )
        .order_by("week")
    )
    by_week = {_week_key(r["week"]): r for r in rows}
    return [
        WeekPoint(
            week=w,
            total=by_week.get(w, {}).get("total", 0),
            present=by_week.get(w, {}).get("present", 0),
            absent=by_week.get(w, {}).get("absent", 0),
        )
        for w in term_weeks(term, until)
    ]


def marks_for(source: str, school: School, term: Term, include_archived: bool = False) -> QuerySet:
    if source == LESSONS:
        return _class_marks(school, term, include_archived)
    return _daily_marks(school, term, include_archived)


def code_distribution(marks: QuerySet, codes: list[AttendanceCode]) -> list[tuple[AttendanceCode, int]]:
    """How many marks of each code as people read it (one query; a P Present counts with the
    default present); codes with none left out."""
    counts = counts_as_people_read(
        dict(marks.values("code_id").annotate(n=Count("id")).order_by().values_list("code_id", "n")),
        as_people_read(codes),
    )
    return [(c, counts[c.pk]) for c in codes if counts.get(c.pk)]


# ---------------------------------------------------------------- chronic absence


@dataclass
class ChronicRow:
    student: Student
    total: int
    absent: int
    trend: list[WeekPoint]

    @property
    def absence_rate(self) -> float:
        return self.absent / self.total

    @property
    def absence_percent(self) -> float:
        return round(self.absence_rate * 100, 1)


CHRONIC_SORTS = {
    "rate": (lambda r: (-r.absence_rate, r.student.last_name, r.student.first_name)),
    "-rate": (lambda r: (r.absence_rate, r.student.last_name, r.student.first_name)),
    "absent": (lambda r: (-r.absent, r.student.last_name, r.student.first_name)),
    "name": (lambda r: (r.student.last_name, r.student.first_name, r.student.pk)),
    "year": (lambda r: (r.student.year_group.name if r.student.year_group else "", r.student.last_name)),
}


def chronic_absence(
    school: School,
    term: Term,
    *,
    source: str = HOMEROOM,
    today: date,
    year_group: YearGroup | None = None,
    include_archived: bool = False,
    sort: str = "rate",
    from_marks: bool = False,
) -> list[ChronicRow]:
    """Students absent (presence Absent) in 10% or more of their marked sessions in the term so
    far, each with a weekly trend (5 queries whatever the school's size): the term's counts,
    less the marks after today in a term still running (``from_marks``: all from the marks)."""
    until = min(term.end_date, today)
    marks = marks_for(source, school, term, include_archived).filter(date__lte=until)
    if year_group is not None:
        marks = marks.filter(student__year_group=year_group)
    if from_marks:
        per_student = {
            r["student_id"]: r
            for r in marks.values("student_id")
            .annotate(total=Count("id"), absent=Count("id", filter=~Q(code__presence=PRESENT)))
            .order_by()
            .filter(absent__gt=0)
        }
    else:
        per_student = _sessions_so_far(source, school, term, until, include_archived, year_group)
    # Integer arithmetic keeps the threshold exact on every database: absent / total >= 10%.
    chronic_ids = [
        pk for pk, r in per_student.items() if r["absent"] * 100 >= r["total"] * int(CHRONIC_THRESHOLD * 100)
    ]
    if not chronic_ids:
        return []
    weeks = term_weeks(term, until)
    weekly: dict[int, dict[date, dict]] = defaultdict(dict)
    for r in (
        marks.filter(student_id__in=chronic_ids)
        .annotate(week=TruncWeek("date"))
        .values("student_id", "week")
        .annotate(total=Count("id"), present=Count("id", filter=Q(code__presence=PRESENT)))
        .order_by()
    ):
        weekly[r["student_id"]][_week_key(r["week"])] = r
    students = Student.objects.filter(pk__in=chronic_ids).select_related("year_group")
    rows = []
    for student in students:
        data = per_student[student.pk]
        trend = [
            WeekPoint(
                week=w,
                total=weekly[student.pk].get(w, {}).get("total", 0),
                present=weekly[student.pk].get(w, {}).get("present", 0),
                absent=weekly[student.pk].get(w, {}).get("total", 0) - weekly[student.pk].get(w, {}).get("present", 0),
            )
            for w in weeks
        ]
        rows.append(ChronicRow(student=student, total=data["total"], absent=data["absent"], trend=trend))
    rows.sort(key=CHRONIC_SORTS.get(sort, CHRONIC_SORTS["rate"]))
    return rows


def _sessions_so_far(source, school, term, until, include_archived, year_group) -> dict[int, dict]:
    """Per student with an absence, marked sessions and absences in the term up to ``until``:
    from the term counts, less the term's marks after ``until`` (2 or 3 queries)."""
    counts = (_class_counts if source == LESSONS else _daily_counts)(school, term, include_archived, False)
    later = marks_for(source, school, term, include_archived).filter(date__gt=until)
    if year_group is not None:
        counts, later = counts.filter(student__year_group=year_group), later.filter(student__year_group=year_group)
    absent_codes = {c.pk for c in school_codes(school) if c.presence != PRESENT}
    per_student: dict[int, dict] = {}
    rows = list(counts.values("student_id", "code_id").annotate(n=Sum("marks")).order_by())
    if until < term.end_date:
        rows += [{**r, "n": -r["n"]} for r in later.values("student_id", "code_id").annotate(n=Count("id")).order_by()]
    for r in rows:
        found = per_student.setdefault(r["student_id"], {"total": 0, "absent": 0})
        found["total"] += r["n"]
        if r["code_id"] in absent_codes:
            found["absent"] += r["n"]
    return {k: v for k, v in per_student.items() if v["absent"] > 0}


# ---------------------------------------------------------------- today and unmarked rolls


@dataclass
class Meeting:
    """A class meeting (date and period) by the timetable."""

    school_class: SchoolClass
    date: date
    period: Any
    teachers: list[Teacher]


def _timetabled_slots(school: School, start: date, end: date) -> list[TimetableSlot]:
    return list(
        TimetableSlot.objects.filter(
            school=school,
            enabled=True,
            school_class__archived=False,
            school_class__start_date__lte=end,
            school_class__end_date__gte=start,
        )
        # A class nobody is enrolled in has no roll to take.
        .filter(Exists(Enrollment.objects.filter(school_class=OuterRef("school_class_id"))))
        .select_related("school_class", "period")
        .prefetch_related(
            Prefetch("school_class__teachers", queryset=Teacher.objects.order_by("last_name", "first_name"))
        )
        .order_by("period__number", "school_class__name")
    )


def unmarked_rolls(school: School, start: date, end: date, *, now: datetime) -> list[Meeting]:
    """Timetabled meetings from ``start`` to ``end`` (school days inside a term, up to now) with
    no mark at all. The calendar is walked in Python (dates × slots); marks are only read as
    the distinct meetings that have any (4 queries whatever the size)."""
    today = now.date()
    end = min(end, today)
    if end < start:
        return []
    terms = list(Term.objects.filter(school=school, start_date__lte=end, end_date__gte=start))
    slots = _timetabled_slots(school, start, end)
    taken = set(
        ClassMark.objects.filter(school=school, date__gte=start, date__lte=end)
        .values_list("school_class_id", "date", "period_id")
        .distinct()
    )
    by_weekday: dict[int, list[TimetableSlot]] = defaultdict(list)
    for slot in slots:
        by_weekday[slot.weekday].append(slot)
    meetings = []
    day = start
    while day <= end:
        if any(t.start_date <= day <= t.end_date for t in terms):
            for slot in by_weekday.get(day.isoweekday(), []):
                school_class = slot.school_class
                if not (school_class.start_date <= day <= school_class.end_date):
                    continue
                if day == today and not _started(slot.period, now):
                    continue
                if (school_class.pk, day, slot.period_id) in taken:
                    continue
                meetings.append(
                    Meeting(
                        school_class=school_class,
                        date=day,
                        period=slot.period,
                        teachers=list(school_class.teachers.all()),
                    )
                )
        day += timedelta(days=1)
    return meetings


def _started(period, now: datetime) -> bool:
    """Whether the period has begun by ``now`` (aware, in the school's time zone). Compared as
    instants, not wall times: on the night the clocks go back, a period at 01:30 began at the
    first 01:30, so at the second 01:15 it has started. A start the clocks skip (01:30 when they
    go forward from 01:00 to 02:00) is read at the offset before the change, as Python's zoneinfo
    does: 01:30 GMT, which is 02:30 BST. A period without a start time
    cannot be said to have started: it is never counted as late."""
    if period.start_time is None:
        return False
    start = datetime.combine(now.date(), period.start_time, tzinfo=now.tzinfo)
    return start.astimezone(UTC) <= now.astimezone(UTC)


def group_by_teacher(meetings: list[Meeting]) -> list[tuple[str, list[Meeting]]]:
    groups: dict[str, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        for teacher in meeting.teachers or [None]:
            groups[f"{teacher.last_name}, {teacher.first_name}" if teacher else gettext("No teacher")].append(meeting)
    return sorted(groups.items())


def group_by_class(meetings: list[Meeting]) -> list[tuple[str, list[Meeting]]]:
    groups: dict[str, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        groups[meeting.school_class.name].append(meeting)
    return sorted(groups.items())


@dataclass
class UntakenHomeroom:
    year_group: YearGroup
    advisors: list[Teacher]


def untaken_homerooms(school: School, day: date) -> list[UntakenHomeroom]:
    """The year groups whose homeroom roll has no mark on a school day (homeroom comes before
    the first period, so it is due all day): two queries, and one to know the day."""
    if why_not_a_school_day(school, day):
        return []
    marked = DailyMark.objects.filter(school=school, date=day, student__year_group=OuterRef("pk"))
    groups = (
        YearGroup.objects.filter(school=school)
        .filter(Exists(Student.objects.filter(year_group=OuterRef("pk"), archived=False)), ~Exists(marked))
        .prefetch_related(Prefetch("advisors", queryset=Teacher.objects.order_by("last_name", "first_name")))
        .order_by("grade", "name")
    )
    return [UntakenHomeroom(g, list(g.advisors.all())) for g in groups]


def counts_on(school: School, day: date) -> tuple[list[tuple[AttendanceCode, int]], list[tuple[AttendanceCode, int]]]:
    """Marks per code on a day: class marks and daily marks (3 queries)."""
    codes = school_codes(school)
    return (
        code_distribution(ClassMark.objects.filter(school=school, date=day), codes),
        code_distribution(DailyMark.objects.filter(school=school, date=day), codes),
    )


@dataclass
class OpenAbsence:
    student: Student
    code: AttendanceCode
    where: str
    period: Any = None


def unexcused_absences_on(school: School, day: date) -> list[OpenAbsence]:
    """Absences (kind absent) on a day that no excusal covers: homeroom and lessons (2 queries)."""
    covered = _covered_by_excusal()
    daily = (
        DailyMark.objects.filter(school=school, date=day, code__kind=ABSENT)
        .filter(~covered)
        .select_related("student__year_group", "code")
    )
    lessons = (
        ClassMark.objects.filter(school=school, date=day, code__kind=ABSENT)
        .filter(~covered)
        .select_related("student__year_group", "code", "school_class", "period")
    )
    rows = [OpenAbsence(student=m.student, code=m.code, where=gettext("Homeroom")) for m in daily]
    rows += [OpenAbsence(student=m.student, code=m.code, where=m.school_class.name, period=m.period) for m in lessons]
    rows.sort(
        key=lambda r: (r.student.last_name, r.student.first_name, r.student.pk, r.period.number if r.period else 0)
    )
    return rows


# ---------------------------------------------------------------- audit log


@dataclass
class AuditRow:
    entry: AuditEntry
    student: Student | None
    school_class: SchoolClass | None
    period: Any
    before: AttendanceCode | None
    after: AttendanceCode | None
    before_note: str
    after_note: str
    # A change other than a mark: what changed, and its fields before and after, in words.
    what: str = ""
    before_text: str = ""
    after_text: str = ""

    @property
    def is_mark(self) -> bool:
        return self.entry.mark_kind in AuditEntry.MARKS


def _day_text(value: date) -> str:
    return date_format(value, "j M Y")


def _value_text(field, value: Any, codes: dict[int, AttendanceCode], tz) -> str:
    """One logged value as the office reads it, by the kind of its model field."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(field, models.ForeignKey) and field.related_model is AttendanceCode:
        code = codes.get(value)
        return f"{code.label} ({code.abbreviation})" if code else gettext("code %(id)s") % {"id": value}
    if isinstance(field, models.BooleanField):
        return gettext("yes") if value else gettext("no")
    if isinstance(field, models.DateTimeField):
        return datetime.fromisoformat(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")
    if isinstance(field, models.DateField):
        return _day_text(date.fromisoformat(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _logged_field(label: str, name: str):
    """The model field a logged value of the model ``label`` is, named in the reader's language."""
    return django_apps.get_model(SUBJECTS[label].elsewhere.get(name, label))._meta.get_field(name)


def _state_text(label: str, fields: tuple[str, ...], state: dict | None, other: dict | None, codes, tz) -> str:
    """The fields of ``state`` that differ from ``other`` (all of them, set ones, for a row
    added or removed), in the order of ``fields``, as "Field: value; …"."""
    if state is None:
        return ""
    present = [n for n in fields if n in state]
    if other is None:
        names = [n for n in present if state[n] not in (None, "", [])]
    else:
        names = [n for n in present if state[n] != other.get(n)]
    said = []
    for name in names:
        logged = _logged_field(label, name)
        said.append(f"{capfirst(logged.verbose_name)}: {_value_text(logged, state[name], codes, tz)}")
    return "; ".join(said)


def _what(entry: AuditEntry, codes: dict[int, AttendanceCode], terms: dict[int, Term]) -> str:
    kind, key, state = entry.mark_kind, entry.key, entry.after or entry.before or {}
    label = entry.get_mark_kind_display()
    if kind == AuditEntry.MarkKind.ADJUSTMENT:
        term = terms.get(key.get("term_id"))
        return f"{label}, {term.name if term else gettext('(removed term)')}"
    if kind == AuditEntry.MarkKind.CODE:
        code = codes.get(entry.mark_id)
        return f"{label} {code.abbreviation} {code.label}" if code else f"{label} {state.get('abbreviation', '')}"
    if kind == AuditEntry.MarkKind.API_CLIENT:
        return gettext("%(kind)s “%(name)s”, acting for %(user)s") % {
            "kind": label,
            "name": state.get("name", ""),
            "user": key.get("user", ""),
        }
    return label


def audit_log(
    school: School,
    *,
    student_ids: list[int] | None = None,
    school_class: SchoolClass | None = None,
    on: date | None = None,
    channel: str = "",
    kind: str = "",
    limit: int = 200,
) -> list[AuditRow]:
    """The newest changes first, with code labels and names resolved in bulk (5 queries; one
    more when term adjustments are among them). ``kind`` is what changed (a MarkKind); a class
    or a date keeps the marks of it only."""
    from apps.school.models import Period

    entries = AuditEntry.objects.filter(school=school).select_related("changed_by").order_by("-changed_at", "-id")
    if student_ids is not None:
        entries = entries.filter(key__student_id__in=student_ids)
    if school_class is not None:
        entries = entries.filter(mark_kind=AuditEntry.MarkKind.CLASS, key__school_class_id=school_class.pk)
    if on is not None:
        entries = entries.filter(key__date=on.isoformat())
    if channel:
        entries = entries.filter(channel=channel)
    if kind:
        entries = entries.filter(mark_kind=kind)
    entries = list(entries[:limit])
    codes = {c.pk: c for c in school_codes(school)}
    student_by_id = {
        s.pk: s for s in Student.objects.filter(school=school, pk__in={e.key.get("student_id") for e in entries})
    }
    class_by_id = {
        c.pk: c
        for c in SchoolClass.objects.filter(school=school, pk__in={e.key.get("school_class_id") for e in entries})
    }
    period_by_id = {p.pk: p for p in Period.objects.filter(school=school)}
    term_ids = {e.key.get("term_id") for e in entries if e.mark_kind == AuditEntry.MarkKind.ADJUSTMENT}
    term_by_id = {t.pk: t for t in Term.objects.filter(school=school, pk__in=term_ids)} if term_ids else {}
    tz = zoneinfo.ZoneInfo(school.timezone)
    rows = []
    for e in entries:
        row = AuditRow(
            entry=e,
            student=student_by_id.get(e.key.get("student_id")),
            school_class=class_by_id.get(e.key.get("school_class_id")),
            period=period_by_id.get(e.key.get("period_id")),
            before=None,
            after=None,
            before_note="",
            after_note="",
        )
        if row.is_mark:
            row.before = codes.get((e.before or {}).get("code_id"))
            row.after = codes.get((e.after or {}).get("code_id"))
            row.before_note = (e.before or {}).get("note") or ""
            row.after_note = (e.after or {}).get("note") or ""
        else:
            label = MODEL_OF_KIND[e.mark_kind]
            fields = SUBJECTS[label].values
            row.what = _what(e, codes, term_by_id)
            row.before_text = _state_text(label, fields, e.before, e.after, codes, tz)
            row.after_text = _state_text(label, fields, e.after, e.before, codes, tz)
        rows.append(row)
    return rows
