"""Who may see what through classes: the classes a user sees, and the students of the classes
they teach (beside their schools' and their advised year groups'). Built on apps/school/access.py,
which holds everything else about who sees what; each helper raises Http404 for what the user may
not see."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from apps.classes.models import Cover, CoverPeriod, Enrollment, SchoolClass, TeacherAssignment
from apps.school.access import admin_school_ids, advised_year_group_ids
from apps.school.models import School, Student


def taught_class_ids(user) -> QuerySet:
    """The ids of the classes the user teaches, as a subquery."""
    return TeacherAssignment.objects.filter(teacher__user=user).values("school_class_id")


# What a cover opens: a lesson (a date and period number), a day (any of its lessons: a
# roster read that day), or, for a dialect that looks a class up before it reads the dates of a
# write, any cover at all (the write path then checks each mark's date and period against the
# covers: apps/classes/services.py; reads keep to ``covered_marks``).
Covering = tuple[date, int] | date | bool | None


def covers_of(user, covering: Covering = True) -> QuerySet[Cover]:
    """The user's covers: those of a lesson (its date within the cover's, its period among the
    cover's periods or the cover limited to none), of a day (any of its lessons), or with ``True``
    all of them."""
    covers = Cover.objects.filter(teacher__user=user)
    if isinstance(covering, date):
        covers = covers.filter(start_date__lte=covering, end_date__gte=covering)
    elif isinstance(covering, tuple):
        day, number = covering
        links = CoverPeriod.objects.filter(cover=OuterRef("pk"))
        covers = covers.filter(start_date__lte=day, end_date__gte=day).filter(
            ~Exists(links) | Exists(links.filter(period__number=number))
        )
    return covers


def covered_marks(user) -> Q:
    """A filter on class marks: those in a lesson the user covers (its class, a day within the
    cover's dates, a period the cover names or any when it names none). No query of its own."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    links = CoverPeriod.objects.filter(cover=OuterRef("pk"))
    covers = Cover.objects.filter(
        teacher__user=user,
        school_class_id=OuterRef("school_class_id"),
        start_date__lte=OuterRef("date"),
        end_date__gte=OuterRef("date"),
    )
    in_period = links.filter(period_id=OuterRef(OuterRef("period_id")))
    return Q(Exists(covers.filter(~Exists(links) | Exists(in_period))))


def visible_classes(user, *, covering: Covering = None) -> QuerySet[SchoolClass]:
    """Classes of the schools the user administers and the classes they teach; with
    ``covering``, also the classes they cover then (``covers_of``)."""
    if not user.is_authenticated:
        return SchoolClass.objects.none()
    seen = Q(school_id__in=admin_school_ids(user)) | Q(id__in=taught_class_ids(user))
    if covering:
        seen |= Q(id__in=covers_of(user, covering).values("school_class_id"))
    return SchoolClass.objects.filter(seen)


def get_class_for_user(
    user, class_id, *, school: School | None = None, covering: Covering = None, annotations: dict | None = None
) -> SchoolClass:
    """The class if the user may see it (with ``covering``, also a class they cover then); with
    ``annotations``, read in the same query."""
    classes = visible_classes(user, covering=covering).select_related("school", "academic_year")
    if annotations:
        classes = classes.annotate(**annotations)
    if school is not None:
        classes = classes.filter(school=school)
    try:
        return classes.get(pk=class_id)
    except (SchoolClass.DoesNotExist, ValueError, TypeError):
        raise Http404("No such class") from None


def get_class_or_cover(
    user, class_id, *, school: School | None = None, today: bool = False
) -> tuple[SchoolClass, bool]:
    """For the APIs: the class and True if the user may see all of it; else, for a class they
    cover, the class and False, and its marks keep to ``covered_marks``. With ``today`` (a roster
    read), only a cover of the school's today opens it. The user's own classes
    cost what ``get_class_for_user`` does; a cover teacher one or two queries more."""
    try:
        return get_class_for_user(user, class_id, school=school), True
    except Http404:
        pass
    classes = SchoolClass.objects.filter(id__in=covers_of(user).values("school_class_id"))
    if school is not None:
        classes = classes.filter(school=school)
    try:
        covered = classes.select_related("school", "academic_year").get(pk=class_id)
    except (SchoolClass.DoesNotExist, ValueError, TypeError):
        raise Http404("No such class") from None
    if today and not covers_of(user, covered.school.today()).filter(school_class=covered).exists():
        raise Http404("No such class")
    return covered, False


def visible_students(user) -> QuerySet[Student]:
    """Admins: their schools' students; teachers: students of their classes and advised year
    groups; parents: their own children."""
    if not user.is_authenticated:
        return Student.objects.none()
    return Student.objects.filter(
        Q(school_id__in=admin_school_ids(user))
        | Q(enrollments__school_class_id__in=taught_class_ids(user))
        | Q(year_group_id__in=advised_year_group_ids(user))
        | Q(guardianships__parent__user=user)
    ).distinct()


def get_student_for_user(user, student_id, *, school: School | None = None) -> Student:
    students = visible_students(user).select_related("school", "year_group")
    if school is not None:
        students = students.filter(school=school)
    try:
        return students.get(pk=student_id)
    except (Student.DoesNotExist, ValueError, TypeError):
        raise Http404("No such student") from None


def report_students(user) -> QuerySet[Student]:
    """Students whose report a user may read: an admin's school, a teacher's classes and
    advised year groups. Unlike ``visible_students`` parents are left out: reports are staff pages."""
    enrolled = Enrollment.objects.filter(student=OuterRef("pk"), school_class_id__in=taught_class_ids(user))
    return Student.objects.filter(
        Q(school_id__in=admin_school_ids(user)) | Q(year_group_id__in=advised_year_group_ids(user)) | Exists(enrolled)
    )


def get_report_student(user, student_id) -> Student:
    try:
        return report_students(user).select_related("school", "year_group").get(pk=student_id)
    except (Student.DoesNotExist, ValueError, TypeError):
        raise Http404("No such student") from None


def photo_students(user) -> QuerySet[Student]:
    """Students whose photo a user may see: those of ``visible_students`` (their schools',
    classes', year groups', children), and those of a class the user covers today (in any
    school's time zone, so the day either side of UTC's)."""
    if not user.is_authenticated:
        return Student.objects.none()
    today = timezone.now().date()
    covered = Cover.objects.filter(
        teacher__user=user, start_date__lte=today + timedelta(days=1), end_date__gte=today - timedelta(days=1)
    ).values("school_class_id")
    return Student.objects.filter(
        Q(pk__in=visible_students(user).values("pk"))
        | Q(pk__in=Enrollment.objects.filter(school_class_id__in=covered).values("student_id"))
    )
