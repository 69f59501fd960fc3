"""Who may see and change what, for everything the school app holds: schools, the roles people
have in them, year groups, parents' children, and which school an office page is about. One
helper per object kind; each raises Http404 for what the user may not see (pages show a 404,
dialects translate it into their own error). What a user sees through classes (classes, and the
students of the classes they teach) is in apps/classes/access.py: this app imports no other."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from apps.school.memo import recalled, remember, remembered
from apps.school.models import Administrator, Advisor, Guardianship, Parent, School, Student, Teacher, YearGroup


def admin_school_ids(user) -> QuerySet:
    """The ids of the schools the user administers, as a subquery."""
    return Administrator.objects.filter(user=user).values("school_id")


def advised_year_group_ids(user) -> QuerySet:
    """The ids of the year groups the user advises, as a subquery."""
    return Advisor.objects.filter(teacher__user=user).values("year_group_id")


def schools_for(user) -> QuerySet[School]:
    """Every school the user belongs to, in any role."""
    if not user.is_authenticated:
        return School.objects.none()
    # One `id IN (…)` per role, not a join of the four role tables: joined, they multiply each
    # school's rows (administrators x teachers x parents x students, hundreds of millions at
    # 2,000 students) before DISTINCT, and the Today page took 16 s.
    return School.objects.filter(
        Q(id__in=admin_school_ids(user))
        | Q(id__in=Teacher.objects.filter(user=user).values("school_id"))
        | Q(id__in=Parent.objects.filter(user=user).values("school_id"))
        | Q(id__in=Student.objects.filter(user=user).values("school_id"))
    )


def administered_schools(user) -> QuerySet[School]:
    if not user.is_authenticated:
        return School.objects.none()
    return School.objects.filter(id__in=admin_school_ids(user))


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
    if not user.is_authenticated:
        return False
    known = recalled(("runs", user.pk, school_id))
    if known is not None:
        return known
    return school_id in Membership.of(user).admin_school_ids


def knows_membership(user, membership: Membership) -> None:
    """Remember for this request the user's ``Membership``, read with a page's own query
    (apps/classes/tapped.py), sparing ``Membership.of`` its query."""
    remember(("membership", user.pk), membership)


def knows_whether_runs(user, school_id: int, runs: bool) -> None:
    """Remember for this request whether the user administers the school (read with a page's
    own query: apps/classes/tapped.py), sparing ``is_school_admin`` its query."""
    remember(("runs", user.pk, school_id), bool(runs))


# ---------------------------------------------------------------- the office


def office_schools(user) -> QuerySet[School]:
    """Every school the user administers; a 404 for anyone who administers none (one query)."""
    schools = administered_schools(user)
    if not schools.exists():
        raise Http404("Not an attendance manager")
    return schools


@dataclass(frozen=True)
class Office:
    """The school an office page is about, and the schools its user may pick from (by name).
    ``?school=`` names the pick; links and forms between office pages keep it."""

    school: School
    schools: tuple[School, ...]

    @property
    def several(self) -> bool:
        return len(self.schools) > 1

    def url(self, name: str, *args, **query) -> str:
        """The address of the page ``name``, with ``query`` (empty values left out) and, when
        the user has schools to pick from, the school picked."""
        params = {key: value for key, value in query.items() if value not in (None, "")}
        if self.several:
            params["school"] = self.school.pk
        address = reverse(name, args=args)
        return f"{address}?{urlencode(params)}" if params else address


def _picked(schools: Sequence[School], wanted: str | None, default: School) -> School:
    """The school ``wanted`` names (its id as a query sends it) among ``schools``, else
    ``default``; a 404 for one that is not among them."""
    if not wanted:
        return default
    school = next((s for s in schools if str(s.pk) == wanted), None)
    if school is None:
        raise Http404("No such school")
    return school


def office_for(request) -> Office:
    """The office of a school admin: the school ``?school=`` names, else the first they run.
    A 404 for anyone who runs no school, and for a school that is not theirs (one query)."""
    schools = tuple(administered_schools(request.user))
    if not schools:
        raise Http404("Not an attendance manager")
    wanted = request.GET.get("school") or request.POST.get("school")  # a form may carry it hidden
    return Office(_picked(schools, wanted, schools[0]), schools)


def reports_office(request) -> tuple[Office, bool]:
    """The school whose term reports the user reads, and whether they read it as its admin:
    the schools they run or teach in, ``?school=`` picking one (else the first they run, else
    the first they teach in). Anyone else, or a school not theirs, is a 404 (one query)."""
    user = request.user
    if not user.is_authenticated:
        raise Http404("No reports for this user")
    schools = tuple(
        School.objects.filter(
            Q(id__in=admin_school_ids(user)) | Q(id__in=Teacher.objects.filter(user=user).values("school_id"))
        ).annotate(runs=Exists(Administrator.objects.filter(user=user, school=OuterRef("pk"))))
    )
    if not schools:
        raise Http404("No reports for this user")
    school = _picked(schools, request.GET.get("school"), next((s for s in schools if s.runs), schools[0]))
    return Office(school, schools), school.runs


def people_of(schools: QuerySet[School]) -> QuerySet:
    """Logins with any role (admin, teacher, parent) in these schools."""
    return get_user_model().objects.filter(
        Q(admin_roles__school__in=schools) | Q(teacher_roles__school__in=schools) | Q(parent_roles__school__in=schools)
    )


# ---------------------------------------------------------------- year groups


def visible_year_groups(user) -> QuerySet[YearGroup]:
    """Year groups of the schools the user administers and the ones they advise."""
    if not user.is_authenticated:
        return YearGroup.objects.none()
    return YearGroup.objects.filter(Q(school_id__in=admin_school_ids(user)) | Q(id__in=advised_year_group_ids(user)))


def get_year_group_for_user(
    user, year_group_id, *, school: School | None = None, annotations: dict | None = None
) -> YearGroup:
    """The year group if the user may see it; with ``annotations``, read in the same query."""
    groups = visible_year_groups(user).select_related("school")
    if annotations:
        groups = groups.annotate(**annotations)
    if school is not None:
        groups = groups.filter(school=school)
    try:
        return groups.get(pk=year_group_id)
    except (YearGroup.DoesNotExist, ValueError, TypeError):
        raise Http404("No such year group") from None


# ---------------------------------------------------------------- parents and their children


def children_of(user) -> QuerySet[Student]:
    """The user's children, in every school where they are a parent, archived ones too."""
    if not user.is_authenticated:
        return Student.objects.none()
    return Student.objects.filter(guardianships__parent__user=user).distinct()


def children_of_parent(user) -> QuerySet[Student]:
    """The user's children whose pages they see: archived ones left out, by first name."""
    return children_of(user).filter(archived=False).order_by("first_name", "last_name", "id")


def get_child_for_parent(user, student_id) -> Student:
    try:
        return children_of_parent(user).select_related("school", "year_group").get(pk=student_id)
    except (Student.DoesNotExist, ValueError, TypeError):
        raise Http404("No such child") from None


def is_parent(user) -> bool:
    return user.is_authenticated and Parent.objects.filter(user=user).exists()


def parent_record_for(user, student: Student) -> Parent | None:
    """The user's own Parent row linked to this student (an excusal is sent as them)."""
    return Parent.objects.filter(user=user, school_id=student.school_id, guardianships__student=student).first()


def may_write_excusals(actor, student: Student, parent: Parent | None = None) -> bool:
    """Admins of the student's school, and the student's own parents (as themselves)."""
    if actor is None or not actor.is_authenticated:
        return False
    if is_school_admin(actor, student.school_id):
        return True
    return parent is not None and parent.user_id == actor.pk and parent.school_id == student.school_id


def may_change_excusal(actor, excusal) -> bool:
    """Admins of the school, and any parent of the child: one guardian may change or withdraw
    what the other sent. ``excusal`` is an Excusal (its ``school_id`` and ``student_id`` are read)."""
    if actor is None or not actor.is_authenticated:
        return False
    if is_school_admin(actor, excusal.school_id):
        return True
    return Guardianship.objects.filter(student_id=excusal.student_id, parent__user=actor).exists()


# ---------------------------------------------------------------- marks


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
