"""Reads behind the ManageBac endpoints, shaped as ManageBac's bodies; each runs a constant
number of queries whatever the number of students and marks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from apps.api.managebac.formats import WithoutNulls
from apps.classes.access import visible_classes, visible_students
from apps.classes.models import ClassMark, SchoolClass, TimetableSlot
from apps.classes.selectors import class_marks_on, class_term_counts, enrolled_students
from apps.excusals.models import Excusal
from apps.homeroom.models import Adjustment, DailyMark
from apps.homeroom.selectors import daily_marks_on, homeroom_term_counts
from apps.school.access import schools_for, visible_year_groups
from apps.school.models import (
    DEFAULT_PRESENT_STATUS,
    AcademicYear,
    AttendanceCode,
    Guardianship,
    School,
    Student,
    Term,
    YearGroup,
)
from apps.school.selectors import codes_for_school

# The program key of ``school/academic-years``: Rollbook has one calendar per school, no programs.
PROGRAM = "school"


def period_numbering(school: School) -> dict[str, int]:
    return {"period_starts_count_from": 0 if school.periods_from_zero else 1, "period_offset": school.period_offset}


def _category_order(code: AttendanceCode) -> tuple:
    # The roll's default present (-1) comes last, as in ManageBac's examples.
    return (code.mb_status == DEFAULT_PRESENT_STATUS, code.sort_order, code.pk)


def term_summaries(student_ids: Iterable[int], counts: Iterable[tuple], school: School) -> list[dict]:
    """Per student, ``attendance`` (label → count, codes sharing a label summed) and
    ``attendance_categories`` ({label, status, value}, codes with no marks left out, and a
    code's status when it has none): ManageBac's body itself, with no null in it. ``counts``
    are (student_id, code_id, count) rows."""
    # Per code: its place in the order (unique: it ends with the code's id), label and status.
    shown = {c.pk: (_category_order(c), c.label, c.mb_status) for c in codes_for_school(school)}
    by_student: dict[int, list[tuple]] = defaultdict(list)
    for student_id, code_id, n in counts:
        if n:
            by_student[student_id].append((shown[code_id], n))
    summaries = []
    for student_id in student_ids:
        attendance: dict[str, int] = {}
        categories = []
        rows = by_student.get(student_id)
        if rows:
            rows.sort()
            for (_, label, status), n in rows:
                attendance[label] = attendance.get(label, 0) + n
                categories.append(
                    {"label": label, "value": n} if status is None else {"label": label, "status": status, "value": n}
                )
        summaries.append({"id": student_id, "attendance": attendance, "attendance_categories": categories})
    return summaries


def class_term_summary(school_class: SchoolClass, term: Term, *, include_archived: bool) -> dict:
    student_ids = list(enrolled_students(school_class, include_archived=include_archived).values_list("id", flat=True))
    counts = class_term_counts(school_class, term, include_archived=include_archived)
    return WithoutNulls(
        students=term_summaries(student_ids, counts, school_class.school),
        timetable=period_numbering(school_class.school),
    )


def _mark(mark: ClassMark | DailyMark) -> dict:
    return {"status": mark.code.label, "note": mark.note, "category": {"status": mark.code.mb_status}}


def class_day(school_class: SchoolClass, on: date, *, only: Q | None = None) -> dict:
    """Every student enrolled that day, with a sparse object of their marks keyed by period
    (with ``only``, the marks it lets through: a cover teacher's lessons)."""
    by_student: dict[int, dict[str, dict]] = defaultdict(dict)
    for mark in class_marks_on(school_class, on, only=only):
        # Interval marks (PowerSchool) share a period: the first interval stands for it.
        by_student[mark.student_id].setdefault(str(mark.period.number), _mark(mark))
    student_ids = enrolled_students(school_class, on=on).values_list("id", flat=True)
    return {
        "students": [{"id": sid, "attendance": by_student.get(sid, {})} for sid in student_ids],
        "timetable": period_numbering(school_class.school),
    }


def class_timetable(school_class: SchoolClass, *, include_disabled: bool) -> dict:
    slots = TimetableSlot.objects.filter(school_class=school_class).select_related("period")
    if not include_disabled:
        slots = slots.filter(enabled=True)
    year = school_class.academic_year
    return {
        "timetable": {
            "academic_years": [
                {
                    "id": year.pk,
                    "name": year.name,
                    "start_date": year.start_date,
                    "end_date": year.end_date,
                    "period_starts_count_from": 0 if school_class.school.periods_from_zero else 1,
                    "slots": [
                        {"day": s.weekday, "period": s.period.number, "location": s.location, "enabled": s.enabled}
                        for s in slots.order_by("period__number", "weekday")
                    ],
                }
            ]
        }
    }


def year_group_students(year_group: YearGroup, *, include_archived: bool = False) -> QuerySet[Student]:
    students = Student.objects.filter(year_group=year_group)
    if not include_archived:
        students = students.filter(archived=False)
    return students.order_by("last_name", "first_name", "id")


def homeroom_term_summary(year_group: YearGroup, term: Term, *, include_archived: bool) -> dict:
    student_ids = list(year_group_students(year_group, include_archived=include_archived).values_list("id", flat=True))
    counts = homeroom_term_counts(year_group, term, include_archived=include_archived)
    return WithoutNulls(students=term_summaries(student_ids, counts, year_group.school))


def homeroom_day(year_group: YearGroup, on: date) -> dict:
    marks = {m.student_id: _mark(m) for m in daily_marks_on(year_group, on)}
    return {
        "students": [
            {"id": sid, "attendance": marks.get(sid)}
            for sid in year_group_students(year_group).values_list("id", flat=True)
        ]
    }


def homeroom_adjustments(year_group: YearGroup, term: Term) -> dict:
    adjustments: dict[int, list[dict]] = defaultdict(list)
    for adj in (
        Adjustment.objects.filter(term=term, student__year_group=year_group)
        .select_related("code")
        .order_by("student_id", "code__sort_order", "id")
    ):
        adjustments[adj.student_id].append({"id": adj.pk, "name": adj.code.label, "adjustment": adj.adjustment})
    return {
        "students": [
            {"id": sid, "attendance_adjustments": adjustments.get(sid, [])}
            for sid in year_group_students(year_group).values_list("id", flat=True)
        ]
    }


# --- discovery ----------------------------------------------------------------------------


def classes_for_client(user) -> QuerySet[SchoolClass]:
    return visible_classes(user).prefetch_related("assignments").select_related("academic_year").order_by("id")


def class_rows(classes: list[SchoolClass]) -> list[dict]:
    """Classes as ManageBac's class objects, with the terms they start and end in (one query)."""
    terms: dict[int, list[Term]] = defaultdict(list)
    for term in Term.objects.filter(academic_year_id__in={c.academic_year_id for c in classes}).order_by("start_date"):
        terms[term.academic_year_id].append(term)
    rows = []
    for c in classes:
        overlapping = [
            t for t in terms[c.academic_year_id] if t.start_date <= c.end_date and t.end_date >= c.start_date
        ]
        rows.append(
            {
                "id": c.pk,
                "uid": c.sourced_id or None,
                "name": c.name,
                "subject_name": c.subject or None,
                "grade": c.grade or None,
                "start_date": c.start_date,
                "end_date": c.end_date,
                "start_term_id": overlapping[0].pk if overlapping else None,
                "end_term_id": overlapping[-1].pk if overlapping else None,
                "archived": c.archived,
                "teachers": [{"teacher_id": a.teacher_id} for a in c.assignments.all()],
            }
        )
    return rows


def students_for_client(user, *, include_archived: bool = False) -> QuerySet[Student]:
    students = visible_students(user)
    if not include_archived:
        students = students.filter(archived=False)
    return students.prefetch_related(
        Prefetch("guardianships", queryset=Guardianship.objects.order_by("parent_id"))
    ).order_by("id")


def student_row(student: Student) -> dict:
    return {
        "id": student.pk,
        "uid": student.sourced_id or None,
        "first_name": student.first_name,
        "last_name": student.last_name,
        "email": student.email or None,
        "student_id": student.student_number or None,
        "year_group_id": student.year_group_id,
        "archived": student.archived,
        "parent_ids": [g.parent_id for g in student.guardianships.all()],
    }


def year_groups_for_client(user) -> QuerySet[YearGroup]:
    return (
        visible_year_groups(user)
        .prefetch_related(Prefetch("students", queryset=Student.objects.filter(archived=False).order_by("id")))
        .order_by("id")
    )


def year_group_row(year_group: YearGroup) -> dict:
    return {
        "id": year_group.pk,
        "name": year_group.name,
        "grade": year_group.grade or None,
        "student_ids": [s.pk for s in year_group.students.all()],
    }


def academic_years_for_client(user) -> dict:
    years = (
        AcademicYear.objects.filter(school__in=schools_for(user))
        .prefetch_related(Prefetch("terms", queryset=Term.objects.order_by("start_date", "id")))
        .order_by("start_date", "id")
    )
    return {
        "academic_years": {
            PROGRAM: {
                "academic_years": [
                    {
                        "id": y.pk,
                        "name": y.name,
                        "starts_on": y.start_date,
                        "ends_on": y.end_date,
                        "academic_terms": [
                            {"id": t.pk, "name": t.name, "starts_on": t.start_date, "ends_on": t.end_date}
                            for t in y.terms.all()
                        ],
                    }
                    for y in years
                ]
            }
        }
    }


def excusals_on(user, on: date) -> QuerySet[Excusal]:
    """Excusals covering a date, of the students the user may see."""
    return Excusal.objects.filter(
        student__in=visible_students(user).values("id"), start_date__lte=on, end_date__gte=on
    ).order_by("id")


def excusals_of(student: Student, *, applies_on: date | None = None) -> QuerySet[Excusal]:
    excusals = Excusal.objects.filter(student=student)
    if applies_on is not None:
        excusals = excusals.filter(start_date__lte=applies_on, end_date__gte=applies_on)
    return excusals.order_by("id")
