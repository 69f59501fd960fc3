"""Who may see and change what. One helper per object kind; each raises Http404 for what the
user may not see (pages show a 404, dialects translate it into their own error)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from apps.classes.models import SchoolClass, TeacherAssignment
from apps.school.memo import remembered
from apps.school.models import Administrator, Advisor, Parent, School, Student, Teacher, YearGroup


def _admin_school_ids(user):
    return Administrator.objects.filter(user=user).values("school_id")


def schools_for(user) -> QuerySet[School]:
    """Every school the user belongs to, in any role."""
    if not user.is_authenticated:
        return School.objects.none()
    # One `id IN (…)` per role, not a join of the four role tables: joined, they multiply each
    # school's rows (administrators x teachers x parents x students, hundreds of millions at
    # 2,000 students) before DISTINCT, and the Today page took 16 s.
    return School.objects.filter(
        Q(id__in=_admin_school_ids(user))
        | Q(id__in=Teacher.objects.filter(user=user).values("school_id"))
        | Q(id__in=Parent.objects.filter(user=user).values("school_id"))
        | Q(id__in=Student.objects.filter(user=user).values("school_id"))
    )


def administered_schools(user) -> QuerySet[School]:
    if not user.is_authenticated:
        return School.objects.none()
    return School.objects.filter(id__in=_admin_school_ids(user))


@dataclass(frozen=True)
class Membership:
    """Which schools a user administers and whether they teach or are a parent anywhere: one
    query, remembered for the rest of the request."""

    admin_school_ids: frozenset[int]
    teacher: bool
    parent: bool

    @classmethod
    def of(cls, user) -> Membership:
        if not user.is_authenticated:
            return cls(frozenset(), False, False)
        return remembered(("membership", user.pk), lambda: cls._load(user))

    @classmethod
    def _load(cls, user) -> Membership:
        rows = list(
            get_user_model()
            .objects.filter(pk=user.pk)
            .annotate(
                is_teacher=Exists(Teacher.objects.filter(user=OuterRef("pk"))),
                is_parent=Exists(Parent.objects.filter(user=OuterRef("pk"))),
            )
            .values_list("is_teacher", "is_parent", "admin_roles__school_id")
        )
        if not rows:
            return cls(frozenset(), False, False)
        return cls(frozenset(r[2] for r in rows if r[2] is not None), rows[0][0], rows[0][1])


def is_school_admin(user, school: School | int) -> bool:
    school_id = school if isinstance(school, int) else school.pk
    return user.is_authenticated and school_id in Membership.of(user).admin_school_ids


def visible_classes(user) -> QuerySet[SchoolClass]:
    """Classes of the schools the user administers and the classes they teach."""
    if not user.is_authenticated:
        return SchoolClass.objects.none()
    taught = TeacherAssignment.objects.filter(teacher__user=user).values("school_class_id")
    return SchoolClass.objects.filter(Q(school_id__in=_admin_school_ids(user)) | Q(id__in=taught))


def visible_year_groups(user) -> QuerySet[YearGroup]:
    """Year groups of the schools the user administers and the ones they advise."""
    if not user.is_authenticated:
        return YearGroup.objects.none()
    advised = Advisor.objects.filter(teacher__user=user).values("year_group_id")
    return YearGroup.objects.filter(Q(school_id__in=_admin_school_ids(user)) | Q(id__in=advised))


def visible_students(user) -> QuerySet[Student]:
    """Admins: their schools' students; teachers: students of their classes and advised year
    groups; parents: their own children."""
    if not user.is_authenticated:
        return Student.objects.none()
    taught = TeacherAssignment.objects.filter(teacher__user=user).values("school_class_id")
    advised = Advisor.objects.filter(teacher__user=user).values("year_group_id")
    return Student.objects.filter(
        Q(school_id__in=_admin_school_ids(user))
        | Q(enrollments__school_class_id__in=taught)
        | Q(year_group_id__in=advised)
        | Q(guardianships__parent__user=user)
    ).distinct()


def children_of(user) -> QuerySet[Student]:
    if not user.is_authenticated:
        return Student.objects.none()
    return Student.objects.filter(guardianships__parent__user=user).distinct()


def get_class_for_user(user, class_id, *, school: School | None = None) -> SchoolClass:
    classes = visible_classes(user).select_related("school", "academic_year")
    if school is not None:
        classes = classes.filter(school=school)
    try:
        return classes.get(pk=class_id)
    except (SchoolClass.DoesNotExist, ValueError, TypeError):
        raise Http404("No such class") from None


def get_year_group_for_user(user, year_group_id, *, school: School | None = None) -> YearGroup:
    groups = visible_year_groups(user).select_related("school")
    if school is not None:
        groups = groups.filter(school=school)
    try:
        return groups.get(pk=year_group_id)
    except (YearGroup.DoesNotExist, ValueError, TypeError):
        raise Http404("No such year group") from None


def get_student_for_user(user, student_id, *, school: School | None = None) -> Student:
    students = visible_students(user).select_related("school", "year_group")
    if school is not None:
        students = students.filter(school=school)
    try:
        return students.get(pk=student_id)
    except (Student.DoesNotExist, ValueError, TypeError):
        raise Http404("No such student") from None


def get_school_for_admin(user, school_id) -> School:
    try:
        return administered_schools(user).get(pk=school_id)
    except (School.DoesNotExist, ValueError, TypeError):
        raise Http404("No such school") from None


def earliest_editable_date(user, school: School) -> date | None:
    """Teachers may change marks up to the school's number of days back; admins any date.
    None means no limit."""
    if is_school_admin(user, school):
        return None
    return school.today() - timedelta(days=school.teacher_edit_days)


@dataclass(frozen=True)
class Roles:
    """The roles a user has, across their schools: a user may be several."""

    admin: bool
    teacher: bool
    parent: bool

    @classmethod
    def of(cls, user) -> Roles:
        if not user.is_authenticated:
            return cls(False, False, False)
        membership = Membership.of(user)
        return cls(admin=bool(membership.admin_school_ids), teacher=membership.teacher, parent=membership.parent)
