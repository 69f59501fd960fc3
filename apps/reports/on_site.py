"""Who is on site now: each student's latest mark today (the last saved; of two saved at once,
the later lesson's, homeroom counting as before the first), by year group: present (late
included), absent (dismissed and signed out included: every code that counts as absent), and
not yet marked anywhere today."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext

from apps.classes.models import ClassMark, SchoolClass
from apps.homeroom.models import DailyMark
from apps.school.models import AttendanceCode, School, Student, YearGroup
from apps.school.selectors import as_people_read, codes_for_school


@dataclass
class Seen:
    student: Student
    code: AttendanceCode | None = None
    where: str = ""


@dataclass
class Group:
    name: str
    present: list[Seen] = field(default_factory=list)
    absent: list[Seen] = field(default_factory=list)
    unmarked: list[Seen] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.present) + len(self.absent) + len(self.unmarked)


def on_site(
    school: School, day: date, *, year_group: YearGroup | None = None, school_class: SchoolClass | None = None
) -> list[Group]:
    """The school's students (or one year group's, or one class's) by year group, each as its
    latest mark today says: three queries (students, lesson marks, homeroom marks), and the
    codes the request has read."""
    students = Student.objects.filter(school=school, archived=False).select_related("year_group")
    if year_group is not None:
        students = students.filter(year_group=year_group)
    if school_class is not None:
        students = students.filter(enrollments__school_class=school_class).distinct()
    students = list(students.order_by("year_group__grade", "year_group__name", "last_name", "first_name", "id"))
    ids = [s.pk for s in students]
    codes = as_people_read(codes_for_school(school))
    latest: dict[int, tuple[tuple, int, str]] = {}

    def seen(student_id: int, order: tuple, code_id: int, where: str) -> None:
        if student_id not in latest or order > latest[student_id][0]:
            latest[student_id] = (order, code_id, where)

    for student_id, code_id, recorded_at in DailyMark.objects.filter(
        school=school, student_id__in=ids, date=day
    ).values_list("student_id", "code_id", "recorded_at"):
        seen(student_id, (recorded_at, 0, 0), code_id, gettext("Homeroom"))
    for student_id, code_id, number, interval, recorded_at, name in ClassMark.objects.filter(
        school=school, student_id__in=ids, date=day
    ).values_list("student_id", "code_id", "period__number", "interval", "recorded_at", "school_class__name"):
        where = gettext("%(class_name)s, period %(label)s") % {
            "class_name": name,
            "label": number + school.period_offset,
        }
        seen(student_id, (recorded_at, number, interval), code_id, where)
    groups: dict[int | None, Group] = {}
    for student in students:
        group = groups.setdefault(
            student.year_group_id, Group(student.year_group.name if student.year_group else gettext("No year group"))
        )
        if student.pk not in latest:
            group.unmarked.append(Seen(student))
            continue
        _, code_id, where = latest[student.pk]
        code = codes[code_id]
        (group.present if code.counts_as_present else group.absent).append(Seen(student, code, where))
    return list(groups.values())
