"""The authorization matrix: every URL pattern of the project, asked by every role for
an object it may see and for objects it may not (another teacher's class, another family's
child, another school's rows).

``PAGES``, ``MANAGEBAC_ROUTES`` (under both /v2 and /v2p1), ``SECTIONS``, ``ACADEMIC`` and
``POWERSCHOOL`` classify each pattern by ``namespace:name``; ``ADMIN_PREFIX`` classifies the
Django admin as one group, checked on the representative ``ADMIN_PAGES``. A pattern
none of them classifies fails ``test_every_url_pattern_is_classified``. A role that a target
does not list gets the denial SECURITY.md promises: in pages a 404 (anonymous: the login page),
in an API the dialect's own error. Every answer is also searched for the names its role must
never see, and a refused write must leave the attendance book as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from apps.api.models import SCOPES, ApiClient
from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark, Cover
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.excusals.models import Excusal
from apps.homeroom.models import Adjustment, DailyMark, TimeEntry
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from apps.roster.models import RosterUpload
from apps.school.models import AcademicYear, Administrator, Period, StudentPhoto, Term
from tests import factories as f
from tests.api.powerschool.conftest import basic
from tests.api.sections.conftest import oauth_header

# ---------------------------------------------------------------------------------- roles

PAGE_ROLES = ("admin", "teacher", "other_teacher", "parent", "other_parent", "other_school_admin", "anonymous")
SIGNED_IN = PAGE_ROLES[:-1]
READ_WRITE = ("read:attendance", "write:attendance")
# API roles: who the client acts for and its scopes; "anonymous" sends no credentials and
# "bad_token" sends credentials that are not any client's.
API_CLIENTS = {
    "all_scopes": ("admin", SCOPES),
    "read_only": ("admin", ("read:attendance",)),
    "write_only": ("admin", ("write:attendance",)),
    "read_all_only": ("admin", ("read:all",)),  # the wildcards stand in for their verb's scope
    "write_all_only": ("admin", ("write:all",)),
    "no_scope": ("admin", ()),
    "teacher": ("teacher", READ_WRITE),
    "parent": ("parent", READ_WRITE),
    "other_school": ("other_school_admin", SCOPES),
}
API_ROLES = (*API_CLIENTS, "anonymous", "bad_token")
VALID_CLIENTS = tuple(API_CLIENTS)
READERS = ("all_scopes", "read_only", "read_all_only", "teacher", "parent", "other_school")

# What each role must never find in any answer: names of people and classes it has no right to.
FAR = ("Far000", "Far001", "Far English", "Southbank")
Y7 = ("Y7000", "Y7001", "Y7002")
NEVER_SEEN = {
    "admin": FAR,
    "teacher": (*FAR, "Y8000", "8B Science"),
    "other_teacher": (*FAR, *Y7, "7A English"),
    "parent": (*FAR, "Y7001", "Y7002", "Y8000"),
    "other_parent": (*FAR, *Y7),
    "other_school_admin": ("Northfield", *Y7, "Y8000", "7A English", "8B Science"),
    "anonymous": (*FAR, *Y7, "Y8000", "Northfield"),
    "superuser": (),
    "all_scopes": FAR,
    "read_only": FAR,
    "write_only": FAR,
    "read_all_only": FAR,
    "write_all_only": FAR,
    "no_scope": FAR,
    "other_school": ("Northfield", *Y7, "Y8000", "7A English", "8B Science"),
    "bad_token": (*FAR, *Y7, "Y8000", "Northfield"),
}


def roles(status, *names: str) -> dict[str, object]:
    return dict.fromkeys(names, status)


# ---------------------------------------------------------------------------------- the school


@pytest.fixture
def w(world):
    """The ``world`` school plus what the matrix asks for: excusals of both families and of the
    other school, adjustments, API clients in both schools, a superuser for the Django admin."""
    s = world
    today = s.school.today()
    far_parent = f.make_parent(s.other_school, "far_parent", s.far_students[0], first="Fay")
    term = Term.objects.filter(school=s.school).order_by("start_date").first()
    far_term = Term.objects.filter(school=s.other_school).order_by("start_date").first()
    w = SimpleNamespace(**vars(s))
    w.today = today
    w.monday = f.last_weekday(s.school, 1)
    w.far_parent = far_parent
    w.term = term
    w.far_term = far_term
    w.far_year_group = s.far_students[0].year_group
    w.excusal = excusal(s.school, s.students[0], s.parent, today + timedelta(days=1))
    w.other_family_excusal = excusal(s.school, s.year8_students[0], s.other_parent, today + timedelta(days=1))
    w.far_excusal = excusal(s.other_school, s.far_students[0], far_parent, today + timedelta(days=1))
    w.adjustment = Adjustment.objects.create(
        school=s.school, student=s.students[0], term=term, code=f.code(s.school, 0), adjustment=1
    )
    w.far_adjustment = Adjustment.objects.create(
        school=s.other_school, student=s.far_students[0], term=far_term, code=f.code(s.other_school, 0), adjustment=1
    )
    # Covers next week (so that no roll or Today page of this week changes): each school's own.
    w.cover = Cover.objects.create(
        school=s.school,
        school_class=s.english,
        teacher=s.other_teacher,
        start_date=today + timedelta(days=7),
        end_date=today + timedelta(days=7),
    )
    w.far_cover = Cover.objects.create(
        school=s.other_school,
        school_class=s.far_class,
        teacher=s.other_school_teacher,
        start_date=today + timedelta(days=7),
        end_date=today + timedelta(days=7),
    )
    for student in (s.students[0], s.year8_students[0], s.far_students[0]):
        StudentPhoto.objects.create(school=student.school, student=student, thumbnail=b"\xff\xd8 a photo")
    w.code = f.code(s.school, 0)
    w.far_code = f.code(s.other_school, 0)
    w.own_client = ApiClient.issue(name="Northfield sync", user=s.teacher.user, scopes=list(READ_WRITE)).client
    w.far_client = ApiClient.issue(name="Southbank sync", user=s.other_school_admin.user, scopes=list(SCOPES)).client
    w.roster_upload = roster_upload(s.school, s.admin.user, "northfield-roster.zip")
    w.far_roster_upload = roster_upload(s.other_school, s.other_school_admin.user, "southbank-roster.zip")
    w.superuser = f.make_user("root", is_staff=True, is_superuser=True)
    w.staff = f.make_user("staff_only", is_staff=True)  # staff, but given no model permissions
    w.issued = {
        role: ApiClient.issue(name=f"matrix {role}", user=getattr(s, who).user, scopes=list(scopes))
        for role, (who, scopes) in API_CLIENTS.items()
    }
    w.spare_excusals = {}
    w.access_tokens = {}
    for school, klass, pupils, period in (
        (s.school, s.english, s.students, 1),
        (s.school, s.science, s.year8_students, 2),
        (s.other_school, s.far_class, s.far_students, 1),
    ):
        absent_marks(school, klass, pupils, period)
    return w


def absent_marks(school, klass, pupils, period) -> None:
    """Absences with notes naming the student, on Monday and (when it is a school day) today,
    so that reports, the audit log and the office's lists have rows to leak if they would."""
    absent = f.code(school, 0)
    for day in {f.last_weekday(school, 1), school.today()}:
        notes = {p.pk: f"{p.first_name} went home" for p in pupils}
        f.saved(
            record_class_marks(
                actor=None,
                school=school,
                channel="web",
                marks=[ClassMarkInput(klass.pk, p.pk, day, period, absent.pk, note=notes[p.pk]) for p in pupils],
            )
        )
        f.saved(
            record_daily_marks(
                actor=None,
                school=school,
                channel="web",
                marks=[DailyMarkInput(p.pk, day, absent.pk, note=notes[p.pk]) for p in pupils],
            )
        )


def roster_upload(school, user, filename: str) -> RosterUpload:
    """An uploaded export, checked and ready to apply."""
    return RosterUpload.objects.create(
        school=school, filename=filename, export=b"", status="ready", uploaded_by=user, uploaded_at=timezone.now()
    )


def excusal(school, student, parent, start, days: int = 1) -> Excusal:
    return Excusal.objects.create(
        school=school,
        student=student,
        parent=parent,
        start_date=start,
        end_date=start + timedelta(days=days - 1),
        comment=f"{student.first_name} is at the dentist",
    )


def spare_excusal(w, student, parent, key) -> Excusal:
    """An excusal of its own for each (target, role), so that one role's DELETE does not turn
    the next role's into a 404."""
    if key not in w.spare_excusals:
        earlier = sum(1 for e in w.spare_excusals.values() if e.student_id == student.pk)
        start = w.today + timedelta(days=3 + 14 * earlier)
        w.spare_excusals[key] = excusal(student.school, student, parent, start)
    return w.spare_excusals[key]


def new_excusal_dates(w, role: str) -> tuple[str, str]:
    """Dates for a POSTed excusal that overlap nothing (each role its own week)."""
    start = w.today + timedelta(days=4 + 14 * API_ROLES.index(role))
    return start.isoformat(), start.isoformat()


def book(w) -> tuple:
    """The attendance book: what a refused request must leave exactly as it was."""
    return (
        ClassMark.objects.count(),
        DailyMark.objects.count(),
        TimeEntry.objects.count(),
        AuditEntry.objects.count(),
        tuple(Excusal.objects.order_by("pk").values_list("pk", "end_date", "comment")),
        tuple(Adjustment.objects.order_by("pk").values_list("pk", "adjustment", "reason", "code_id")),
        ApiClient.objects.filter(revoked_at__isnull=False).count(),
    )


# ---------------------------------------------------------------------------------- pages


@dataclass
class Page:
    """One object (or none) asked for through a page's URL. ``expect`` maps method → role →
    status for the roles that get anything but the denial (404; anonymous: the login page)."""

    label: str
    kwargs: Callable = lambda w: {}
    expect: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    query: Callable = lambda w: {}
    form: Callable = lambda w: {"matrix": "1"}  # not empty, so that a view binds its form
    hidden: Callable = lambda w: ()
    writers: tuple[str, ...] | None = None  # who may change the book by POST (default: who may POST)


def english(w):
    return {"class_id": w.english.pk, "date": w.monday.isoformat(), "period": 1}


def science(w):
    return {"class_id": w.science.pk, "date": w.monday.isoformat(), "period": 2}


def far_roll(w):
    return {"class_id": w.far_class.pk, "date": f.last_weekday(w.other_school, 1).isoformat(), "period": 1}


def year7(w):
    return {"year_group_id": w.year7.pk, "date": w.monday.isoformat()}


def year8(w):
    return {"year_group_id": w.year8.pk, "date": w.monday.isoformat()}


def far_homeroom(w):
    return {"year_group_id": w.far_year_group.pk, "date": f.last_weekday(w.other_school, 1).isoformat()}


def names(*students_of: Callable) -> Callable:
    return lambda w: [s.first_name for get in students_of for s in get(w)]


def y7s(w):
    return w.students


def y8s(w):
    return w.year8_students


def fars(w):
    return w.far_students


def rolls(kind: str, methods: tuple[str, ...], *, get=200, post=302, student: bool = False) -> list[Page]:
    """The three objects of a roll page: the teacher's, the other teacher's, the other school's."""
    if kind == "class":
        own, other, far = english, science, far_roll
        own_staff, other_staff = "teacher", "other_teacher"
    else:
        own, other, far = year7, year8, far_homeroom
        own_staff, other_staff = "teacher", "other_teacher"

    def with_student(make, pick):
        if not student:
            return make
        return lambda w: {**make(w), "student_id": pick(w)[0].pk}

    def marks_form(pupils):
        return lambda w: {f"s{p.pk}-code": f.code(p.school, 2).pk for p in pupils(w)}

    def expect(*who):
        answer = {}
        if "GET" in methods:
            answer["GET"] = roles(get, *who) if get != 405 else roles(405, *SIGNED_IN)
        if "POST" in methods:
            answer["POST"] = roles(post, *who)
        return answer

    return [
        Page(
            f"own {kind}",
            with_student(own, y7s),
            expect("admin", own_staff),
            form=marks_form(y7s),
            hidden=names(y7s),
        ),
        Page(
            f"another teacher's {kind}",
            with_student(other, y8s),
            expect("admin", other_staff),
            form=marks_form(y8s),
            hidden=names(y8s),
        ),
        Page(
            f"the other school's {kind}",
            with_student(far, fars),
            expect("other_school_admin"),
            form=marks_form(fars),
            hidden=names(fars),
        ),
    ]


OFFICE = ("admin", "other_school_admin")
# A real date, but none Rollbook takes (apps/school/dates.py: 1900-01-01 to 2200-12-31).
FAR_FUTURE, FAR_PAST = "9999-12-31", "0001-01-01"


def out_of_range_roll(kind: str, *, get=404, student: bool = False) -> Page:
    """The teacher's own roll on a day out of range: no such roll, for everyone (a page that
    only takes POST answers GET with 405 first)."""
    make = english if kind == "class" else year7

    def kwargs(w):
        found = {**make(w), "date": FAR_FUTURE}
        return {**found, "student_id": w.students[0].pk} if student else found

    expect = {"GET": roles(405, *SIGNED_IN)} if get == 405 else {}
    return Page(f"own {kind} on a day out of range", kwargs, expect, form=lambda w: {"matrix": "1"})


def office_page(get=200, post=None, *, named=True) -> list[Page]:
    """The page as each admin opens it; with ``named``, also with ``?school=`` naming the other
    school (its admin's own; a 404 for the admin who does not run it) and naming no school."""
    expect = {"GET": roles(get, *OFFICE)}
    if post is not None:
        expect["POST"] = roles(post, *OFFICE)
    pages = [Page("the admin's own school", expect=expect)]
    if named:
        pages += school_named(get, post, who=("other_school_admin",))
    return pages


def school_named(get=200, post=None, *, who, kwargs=lambda w: {}, label="") -> list[Page]:
    """``?school=`` naming the other school (``who`` may open it) and naming no school at all."""
    expect = {"GET": roles(get, *who)}
    if post is not None:
        expect["POST"] = roles(post, *who)
    return [
        Page(f"{label}the other school named", kwargs, expect, query=lambda w: {"school": w.other_school.pk}),
        Page(f"{label}no school named", kwargs, query=lambda w: {"school": "nonsense"}),
    ]


def per_school(kwargs_own, kwargs_far, *, get=200, post=None, hidden_own=(), hidden_far=()) -> list[Page]:
    def expect(who):
        answer = {"GET": roles(get, who)}
        if post is not None:
            answer["POST"] = roles(post, who)
        return answer

    return [
        Page("own school's", kwargs_own, expect("admin"), hidden=lambda w: hidden_own),
        Page("the other school's", kwargs_far, expect("other_school_admin"), hidden=lambda w: hidden_far),
    ]


def far_filters(w):
    """Filters naming the other school's term, class and year group."""
    return {"term": w.far_term.pk, "school_class": w.far_class.pk, "year_group": w.far_year_group.pk}


def other_teacher_filters(w):
    return {"school_class": w.science.pk, "year_group": w.year8.pk}


def filtered(status=200, *who, query=far_filters) -> list[Page]:
    """The page filtered by another school's (or teacher's) rows, as a page and as a CSV export."""
    return [
        Page("filtered by rows it may not see", query=query, expect={"GET": roles(status, *who)}),
        Page(
            "exported, filtered by rows it may not see",
            query=lambda w: {**query(w), "format": "csv"},
            expect={"GET": roles(status, *who)},
        ),
    ]


def as_csv(pages: list[Page]) -> list[Page]:
    """The same objects asked for as CSV exports (the export is answered before the page)."""
    return [
        Page(
            f"{p.label} as CSV",
            p.kwargs,
            p.expect,
            query=lambda w, q=p.query: {**q(w), "format": "csv"},
            hidden=p.hidden,
        )
        for p in pages
    ]


PAGES: dict[str, tuple[tuple[str, ...], list[Page]]] = {
    # name: (methods, targets)
    "home": (("GET",), [Page("nothing", expect={"GET": roles(302, *SIGNED_IN)})]),
    # A child's photo: the student's staff and parents only (each of these students has one).
    "student_photo": (
        ("GET", "POST"),
        [
            Page(
                "a student of the teacher",
                lambda w: {"student_id": w.students[0].pk},
                {"GET": roles(200, "admin", "teacher", "parent"), "POST": roles(405, *SIGNED_IN)},
            ),
            Page(
                "another teacher's student",
                lambda w: {"student_id": w.year8_students[0].pk},
                {
                    "GET": roles(200, "admin", "other_teacher", "other_parent"),
                    "POST": roles(405, *SIGNED_IN),
                },
            ),
            Page(
                "the other school's student",
                lambda w: {"student_id": w.far_students[0].pk},
                {"GET": roles(200, "other_school_admin"), "POST": roles(405, *SIGNED_IN)},
            ),
        ],
    ),
    "login": (
        ("GET", "POST"),
        [
            Page(
                "nothing",
                expect={
                    "GET": {**roles(302, *SIGNED_IN), "anonymous": 200},
                    "POST": {**roles(302, *SIGNED_IN), "anonymous": 200},
                },
            )
        ],
    ),
    "logout": (
        ("GET", "POST"),
        [Page("nothing", expect={"GET": roles(405, *PAGE_ROLES), "POST": roles(302, *PAGE_ROLES)})],
    ),
    "classes:today": (
        ("GET",),
        [
            Page("nothing", expect={"GET": roles(200, "admin", "teacher", "other_teacher", "other_school_admin")}),
            *(
                Page(
                    f"the day {day}",
                    query=lambda w, day=day: {"date": day},
                    expect={"GET": roles(400, "admin", "teacher", "other_teacher", "other_school_admin")},
                )
                for day in (FAR_FUTURE, FAR_PAST)
            ),
        ],
    ),
    "classes:roll": (
        ("GET", "POST"),
        [*rolls("class", ("GET", "POST")), out_of_range_roll("class")],
    ),
    "classes:roll_student": (
        ("GET", "POST"),
        [
            *rolls("class", ("GET", "POST"), get=405, student=True),
            out_of_range_roll("class", get=405, student=True),
        ],
    ),
    "classes:roll_all_present": (
        ("GET", "POST"),
        [*rolls("class", ("GET", "POST"), get=405), out_of_range_roll("class", get=405)],
    ),
    "homeroom:roll": (
        ("GET", "POST"),
        [*rolls("homeroom", ("GET", "POST")), out_of_range_roll("homeroom")],
    ),
    "homeroom:roll_student": (
        ("GET", "POST"),
        [
            *rolls("homeroom", ("GET", "POST"), get=405, student=True),
            out_of_range_roll("homeroom", get=405, student=True),
        ],
    ),
    "homeroom:roll_all_present": (
        ("GET", "POST"),
        [*rolls("homeroom", ("GET", "POST"), get=405), out_of_range_roll("homeroom", get=405)],
    ),
    "excusals:family": (
        ("GET",),
        [
            Page("nothing", expect={"GET": roles(200, "parent", "other_parent")}),
            Page(
                "a month out of range (this month instead)",
                query=lambda w: {"month": FAR_FUTURE[:7]},
                expect={"GET": roles(200, "parent", "other_parent")},
            ),
        ],
    ),
    "excusals:child": (
        ("GET",),
        [
            Page(
                "own child",
                lambda w: {"student_id": w.students[0].pk},
                {"GET": roles(200, "parent")},
                hidden=names(lambda w: w.students[:1]),
            ),
            Page(
                "another family's child",
                lambda w: {"student_id": w.year8_students[0].pk},
                {"GET": roles(200, "other_parent")},
                hidden=names(y8s),
            ),
            Page("the other school's child", lambda w: {"student_id": w.far_students[0].pk}, {}, hidden=names(fars)),
        ],
    ),
    "excusals:new": (
        ("GET", "POST"),
        [
            Page(
                "no child named",
                expect={"GET": roles(200, "parent", "other_parent"), "POST": roles(200, "parent", "other_parent")},
            ),
            Page(
                "own child named",
                query=lambda w: {"child": w.students[0].pk},
                form=lambda w: {"child": w.students[0].pk, "start_date": "", "comment": ""},
                expect={"GET": roles(200, "parent"), "POST": roles(200, "parent", "other_parent")},
                hidden=names(lambda w: w.students[:1]),
            ),
            Page(
                "a whole excusal for the parent's child",
                form=lambda w: {
                    "child": w.students[0].pk,
                    "start_date": (w.today + timedelta(days=30)).isoformat(),
                    "end_date": "",
                    "comment": "Matrix visit",
                },
                expect={"GET": roles(200, "parent", "other_parent"), "POST": {"parent": 302, "other_parent": 200}},
                writers=("parent",),
            ),
            Page(
                "an excusal out of range for the parent's child",
                query=lambda w: {"child": w.students[0].pk, "start": FAR_FUTURE},  # a prefill that is ignored
                form=lambda w: {"child": w.students[0].pk, "start_date": FAR_FUTURE, "end_date": "", "comment": "Far"},
                expect={"GET": roles(200, "parent"), "POST": roles(200, "parent", "other_parent")},
                writers=(),
            ),
        ],
    ),
    "excusals:detail": (
        ("GET", "POST"),
        [
            Page(
                "own excusal",
                lambda w: {"excusal_id": w.excusal.pk},
                {"GET": roles(200, "parent"), "POST": roles(302, "parent")},
                form=lambda w: {"end_date": (w.excusal.end_date + timedelta(days=1)).isoformat(), "comment": "Later"},
                hidden=names(lambda w: w.students[:1]),
            ),
            Page(
                "another family's excusal",
                lambda w: {"excusal_id": w.other_family_excusal.pk},
                {"GET": roles(200, "other_parent"), "POST": roles(302, "other_parent")},
                form=lambda w: {
                    "end_date": (w.other_family_excusal.end_date + timedelta(days=1)).isoformat(),
                    "comment": "Later",
                },
                hidden=names(y8s),
            ),
            Page(
                "the other school's excusal",
                lambda w: {"excusal_id": w.far_excusal.pk},
                {},
                form=lambda w: {
                    "end_date": (w.far_excusal.end_date + timedelta(days=1)).isoformat(),
                    "comment": "Later",
                },
                hidden=names(fars),
            ),
            Page(
                "own excusal moved to a day out of range",
                lambda w: {"excusal_id": w.excusal.pk},
                {"GET": roles(200, "parent"), "POST": roles(200, "parent")},
                form=lambda w: {"end_date": FAR_FUTURE, "comment": "Later"},
                writers=(),
            ),
        ],
    ),
    "excusals:withdraw": (
        ("GET", "POST"),
        [
            Page(
                "own excusal",
                lambda w: {"excusal_id": w.excusal.pk},
                {"GET": roles(200, "parent"), "POST": roles(302, "parent")},
                hidden=names(lambda w: w.students[:1]),
            ),
            Page(
                "another family's excusal",
                lambda w: {"excusal_id": w.other_family_excusal.pk},
                {"GET": roles(200, "other_parent"), "POST": roles(302, "other_parent")},
                hidden=names(y8s),
            ),
            Page("the other school's excusal", lambda w: {"excusal_id": w.far_excusal.pk}, {}, hidden=names(fars)),
        ],
    ),
    "excusals:office": (
        ("GET",),
        [
            *office_page(named=False),
            Page("a day out of range", query=lambda w: {"date": FAR_PAST}, expect={"GET": roles(400, *OFFICE)}),
            Page(
                "the other school named",
                query=lambda w: {"school": w.other_school.pk},
                expect={"GET": roles(200, "other_school_admin")},
                hidden=names(fars),
            ),
        ],
    ),
    "reports:dashboard": (("GET",), office_page()),
    "reports:unmarked": (
        ("GET",),
        [
            *office_page(),
            Page(
                "days out of range",
                query=lambda w: {"start": FAR_PAST, "end": FAR_PAST},
                expect={"GET": roles(400, *OFFICE)},
            ),
        ],
    ),
    "reports:term_reports": (
        ("GET",),
        [
            Page("nothing", expect={"GET": roles(200, "admin", "teacher", "other_teacher", "other_school_admin")}),
            *school_named(who=("other_school_admin",)),
            *filtered(200, "admin", "teacher", "other_teacher", "other_school_admin"),
            *filtered(200, "admin", "teacher", "other_teacher", "other_school_admin", query=other_teacher_filters),
        ],
    ),
    "reports:class_report": (
        ("GET",),
        [
            Page(
                "own class",
                lambda w: {"class_id": w.english.pk},
                {"GET": roles(200, "admin", "teacher")},
                hidden=names(y7s),
            ),
            Page(
                "own class, the other school's term",
                lambda w: {"class_id": w.english.pk},
                {"GET": roles(200, "admin", "teacher")},
                query=lambda w: {"term": w.far_term.pk},
            ),
            Page(
                "another teacher's class",
                lambda w: {"class_id": w.science.pk},
                {"GET": roles(200, "admin", "other_teacher")},
                hidden=names(y8s),
            ),
            Page(
                "the other school's class",
                lambda w: {"class_id": w.far_class.pk},
                {"GET": roles(200, "other_school_admin")},
                hidden=names(fars),
            ),
        ],
    ),
    "reports:year_group_report": (
        ("GET",),
        [
            Page(
                "own year group",
                lambda w: {"year_group_id": w.year7.pk},
                {"GET": roles(200, "admin", "teacher")},
                hidden=names(y7s),
            ),
            Page(
                "another advisor's year group",
                lambda w: {"year_group_id": w.year8.pk},
                {"GET": roles(200, "admin", "other_teacher")},
                hidden=names(y8s),
            ),
            Page(
                "the other school's year group",
                lambda w: {"year_group_id": w.far_year_group.pk},
                {"GET": roles(200, "other_school_admin")},
                hidden=names(fars),
            ),
        ],
    ),
    "reports:student_report": (
        ("GET",),
        [
            Page(
                "a student of the teacher",
                lambda w: {"student_id": w.students[0].pk},
                {"GET": roles(200, "admin", "teacher")},
                hidden=names(lambda w: w.students[:1]),
            ),
            Page(
                "another teacher's student",
                lambda w: {"student_id": w.year8_students[0].pk},
                {"GET": roles(200, "admin", "other_teacher")},
                hidden=names(y8s),
            ),
            Page(
                "the other school's student",
                lambda w: {"student_id": w.far_students[0].pk},
                {"GET": roles(200, "other_school_admin")},
                hidden=names(lambda w: w.far_students[:1]),
            ),
        ],
    ),
    "reports:chronic": (("GET",), [*office_page(), *filtered(200, *OFFICE)]),
    "reports:charts": (("GET",), [*office_page(), *filtered(200, *OFFICE)]),
    "reports:settings": (("GET", "POST"), office_page(post=200)),
    "reports:codes": (("GET",), office_page()),
    "reports:code_edit": (
        ("GET", "POST"),
        [
            *per_school(lambda w: {"code_id": w.code.pk}, lambda w: {"code_id": w.far_code.pk}, post=200),
            *school_named(post=200, who=("other_school_admin",), kwargs=lambda w: {"code_id": w.far_code.pk}),
            *school_named(post=200, who=(), kwargs=lambda w: {"code_id": w.code.pk}, label="own school's code, "),
        ],
    ),
    "reports:adjustments": (("GET", "POST"), office_page(post=200)),
    "reports:adjustment_edit": (
        ("GET", "POST"),
        [
            *per_school(
                lambda w: {"adjustment_id": w.adjustment.pk},
                lambda w: {"adjustment_id": w.far_adjustment.pk},
                post=200,
                hidden_own=("Y7000",),
                hidden_far=("Far000",),
            ),
            *school_named(
                post=200, who=("other_school_admin",), kwargs=lambda w: {"adjustment_id": w.far_adjustment.pk}
            ),
            *school_named(
                post=200,
                who=(),
                kwargs=lambda w: {"adjustment_id": w.adjustment.pk},
                label="own school's adjustment, ",
            ),
        ],
    ),
    "reports:adjustment_delete": (
        ("GET", "POST"),
        [
            # Before the admin's own delete below, which removes the adjustment.
            Page(
                "own school's, the other school named",
                lambda w: {"adjustment_id": w.adjustment.pk},
                {"GET": roles(405, *SIGNED_IN)},
                query=lambda w: {"school": w.other_school.pk},
            ),
            Page(
                "own school's",
                lambda w: {"adjustment_id": w.adjustment.pk},
                {"GET": roles(405, *SIGNED_IN), "POST": roles(302, "admin")},
            ),
            Page(
                "the other school's",
                lambda w: {"adjustment_id": w.far_adjustment.pk},
                {"GET": roles(405, *SIGNED_IN), "POST": roles(302, "other_school_admin")},
            ),
        ],
    ),
    "notifications:outbox": (("GET",), office_page()),
    "notifications:remind": (
        ("GET", "POST"),
        [Page("the admin's own school", expect={"GET": roles(405, *SIGNED_IN), "POST": roles(302, *OFFICE)})],
    ),
    "notifications:family_preference": (
        ("GET", "POST"),
        [Page("own switch", expect={"GET": roles(405, *SIGNED_IN), "POST": roles(302, "parent", "other_parent")})],
    ),
    # Anyone's own language, signed in or not: the form names nobody else (tests/languages).
    "languages:choose": (
        ("GET", "POST"),
        [Page("own language", expect={"GET": roles(405, *PAGE_ROLES), "POST": roles(302, *PAGE_ROLES)})],
    ),
    "notifications:unsubscribe": (
        ("GET", "POST"),
        [
            Page(
                "a token that is not one",
                lambda w: {"token": "nonsense"},
                {"GET": roles(400, *PAGE_ROLES), "POST": roles(400, *PAGE_ROLES)},
            )
        ],
    ),
    "reports:audit": (
        ("GET",),
        [
            *office_page(),
            # A class that is not the school's is a filter that cannot be read: 400, as a bad date is.
            *(
                Page(page.label, query=page.query, expect={"GET": {"admin": 400, "other_school_admin": 200}})
                for page in filtered(200, *OFFICE, query=lambda w: {**far_filters(w), "student": "Far"})
            ),
            Page("a day out of range", query=lambda w: {"date": FAR_FUTURE}, expect={"GET": roles(400, *OFFICE)}),
        ],
    ),
    "roster:roster": (("GET", "POST"), office_page(post=400)),
    "roster:photos": (("GET", "POST"), office_page(post=400)),
    "roster:upload": (
        ("GET",),
        per_school(
            lambda w: {"upload_id": w.roster_upload.pk},
            lambda w: {"upload_id": w.far_roster_upload.pk},
            hidden_own=("northfield-roster.zip",),
            hidden_far=("southbank-roster.zip",),
        ),
    ),
    **{
        name: (
            ("GET", "POST"),
            [
                Page(
                    "own school's upload",
                    lambda w: {"upload_id": w.roster_upload.pk},
                    {"GET": roles(405, *SIGNED_IN), "POST": roles(302, "admin")},
                ),
                Page(
                    "the other school's upload",
                    lambda w: {"upload_id": w.far_roster_upload.pk},
                    {"GET": roles(405, *SIGNED_IN), "POST": roles(302, "other_school_admin")},
                ),
            ],
        )
        for name in ("roster:upload_apply", "roster:upload_cancel")
    },
    "reports:covers": (("GET", "POST"), office_page(post=200)),
    "reports:bulk_marks": (("GET", "POST"), office_page(post=200)),
    "reports:on_site": (
        ("GET",),
        [
            *office_page(),
            # Another school's class or year group is a filter that cannot be read: 400.
            Page(
                "filtered by rows it may not see",
                query=far_filters,
                expect={"GET": {"admin": 400, "other_school_admin": 200}},
            ),
        ],
    ),
    "reports:cover_delete": (
        ("GET", "POST"),
        [
            # Before the admin's own delete below, which removes the cover.
            Page(
                "own school's, the other school named",
                lambda w: {"cover_id": w.cover.pk},
                {"GET": roles(405, *SIGNED_IN)},
                query=lambda w: {"school": w.other_school.pk},
            ),
            Page(
                "own school's",
                lambda w: {"cover_id": w.cover.pk},
                {"GET": roles(405, *SIGNED_IN), "POST": roles(302, "admin")},
            ),
            Page(
                "the other school's",
                lambda w: {"cover_id": w.far_cover.pk},
                {"GET": roles(405, *SIGNED_IN), "POST": roles(302, "other_school_admin")},
            ),
        ],
    ),
    "api-schema": (("GET",), [Page("nothing", expect={"GET": roles(200, *PAGE_ROLES)})]),
    "api-docs": (("GET",), [Page("nothing", expect={"GET": roles(200, *PAGE_ROLES)})]),
    # One page for all the admin's schools: it names none.
    "api_clients:list": (("GET", "POST"), office_page(post=400, named=False)),
    "api_clients:revoke": (
        ("GET", "POST"),
        [
            Page(
                "own school's client",
                lambda w: {"client_id": w.own_client.pk},
                {"GET": roles(405, *SIGNED_IN), "POST": roles(302, "admin")},
                hidden=lambda w: ["Northfield sync"],
            ),
            Page(
                "the other school's client",
                lambda w: {"client_id": w.far_client.pk},
                {"GET": roles(405, *SIGNED_IN), "POST": roles(302, "other_school_admin")},
                hidden=lambda w: ["Southbank sync"],
            ),
        ],
    ),
}

# Every report also answers as a CSV export, before it renders the page: ask for those too.
for _name in (
    "reports:dashboard",
    "reports:unmarked",
    "reports:term_reports",
    "reports:class_report",
    "reports:year_group_report",
    "reports:student_report",
    "reports:chronic",
    "reports:audit",
):
    _targets = PAGES[_name][1]
    _targets.extend(as_csv([t for t in _targets if "rows it may not see" not in t.label]))

ADMIN_PREFIX = "django-admin/"
# A representative set of the Django admin: (URL name, kwargs builder, what a non-staff user must
# not see, the answer for a staff login without model permissions).
ADMIN_PAGES = [
    ("admin:index", lambda w: {}, (), 200),
    ("admin:app_list", lambda w: {"app_label": "school"}, (), 404),
    ("admin:school_student_changelist", lambda w: {}, ("Y7000",), 403),
    ("admin:school_student_change", lambda w: {"object_id": w.students[0].pk}, ("Y7000",), 403),
    ("admin:classes_classmark_changelist", lambda w: {}, ("7A English",), 403),
    ("admin:excusals_excusal_changelist", lambda w: {}, ("dentist",), 403),
    ("admin:excusals_excusal_change", lambda w: {"object_id": w.excusal.pk}, ("dentist",), 403),
    ("admin:audit_auditentry_changelist", lambda w: {}, ("Southbank",), 403),
    ("admin:api_apiclient_changelist", lambda w: {}, ("matrix",), 403),
    ("admin:auth_user_changelist", lambda w: {}, ("other_school_admin",), 403),
    ("admin:password_change", lambda w: {}, (), 200),
]


# ---------------------------------------------------------------------------------- APIs


@dataclass
class Call:
    """One object asked for through an API route. ``expect`` maps method → role → outcome for
    the roles that do not get the dialect's default denial; an outcome is a status, a tuple of
    statuses, or "success" / "record_error" / "empty" (PowerSchool's answers inside a 200)."""

    label: str
    kwargs: Callable = lambda w, role: {}
    expect: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    query: Callable = lambda w: {}
    body: Callable = lambda w, role: None
    headers: Callable = lambda w: {}
    hidden: Callable = lambda w: ()
    scoped: bool = True
    methods: tuple[str, ...] | None = None  # when only some of the route's methods apply
    not_found: object = 404  # what a client with the scope gets for an object it may not see


@dataclass
class ApiRoute:
    dialect: str
    methods: tuple[str, ...]
    calls: list[Call]


ADMIN_READ = ("all_scopes", "read_only", "read_all_only")
ADMIN_WRITE = ("all_scopes", "write_only", "write_all_only")


def three(label, own, other, far, *, methods, read_own=(), write_own=(), ok_read=200, ok_write=200, **extra):
    """The usual three objects of a staff route: the teacher's, the other teacher's and the
    other school's, with the statuses of the roles that may read and write each."""

    def expect(readers, writers):
        answer = {}
        for method in methods:
            if method == "GET":
                answer[method] = roles(ok_read, *readers)
            else:
                answer[method] = roles(ok_write, *writers)
        return answer

    hidden = extra.pop("hidden", (None, None, None))
    bodies = extra.pop("bodies", (None, None, None))

    def call(suffix, kwargs, readers, writers, hide, body):
        return Call(
            f"{label} {suffix}",
            kwargs,
            expect(readers, writers),
            hidden=hide or (lambda w: ()),
            body=body or (lambda w, role: None),
            **extra,
        )

    return [
        call("of the teacher", own, (*ADMIN_READ, *read_own), (*ADMIN_WRITE, *write_own), hidden[0], bodies[0]),
        call("of another teacher", other, ADMIN_READ, ADMIN_WRITE, hidden[1], bodies[1]),
        call("of the other school", far, ("other_school",), ("other_school",), hidden[2], bodies[2]),
    ]


def mb_class(w, role):
    return {"class_id": w.english.pk}


def mb_science(w, role):
    return {"class_id": w.science.pk}


def mb_far_class(w, role):
    return {"class_id": w.far_class.pk}


def with_term(make, term):
    return lambda w, role: {**make(w, role), "term_id": term(w).pk}


def OUT_OF_RANGE_DAY(w):  # noqa: N802 - a day, like w.monday
    return date(9999, 12, 31)


def with_date(make, day=lambda w: w.monday):
    return lambda w, role: {**make(w, role), "date": day(w).isoformat()}


def mb_year7(w, role):
    return {"year_group_id": w.year7.pk}


def mb_year8(w, role):
    return {"year_group_id": w.year8.pk}


def mb_far_year(w, role):
    return {"year_group_id": w.far_year_group.pk}


def class_marks_body(student, period):
    return lambda w, role: {
        "attendances": [{"student_id": student(w).pk, "date": w.monday.isoformat(), "period": period, "status": 0}]
    }


def first(attr):
    return lambda w: getattr(w, attr)[0]


def excusal_body(student, parent):
    def body(w, role):
        start, end = new_excusal_dates(w, role)
        return {"excusal": {"parent_id": parent(w).pk, "start_date": start, "end_date": end, "comment": "Visit"}}

    return body


def spare(student, parent, label):
    return lambda w, role: {
        "student_id": student(w).pk,
        "excusal_id": spare_excusal(w, student(w), parent(w), (label, role)).pk,
    }


HIDE_Y7 = lambda w: ("Y7000",)  # noqa: E731
HIDE_Y8 = lambda w: ("Y8000",)  # noqa: E731
HIDE_FAR = lambda w: ("Far000",)  # noqa: E731

MANAGEBAC_ROUTES: dict[str, ApiRoute] = {
    "ping": ApiRoute(
        "managebac", ("GET",), [Call("any client", expect={"GET": roles(200, *VALID_CLIENTS)}, scoped=False)]
    ),
    "unknown": ApiRoute(
        "managebac",
        ("GET", "POST", "PUT", "PATCH", "DELETE"),
        [Call("a path ManageBac has not", lambda w, role: {"path": "no/such/thing"}, scoped=False)],
    ),
    "classes": ApiRoute("managebac", ("GET",), [Call("list", expect={"GET": roles(200, *READERS)})]),
    "class": ApiRoute(
        "managebac",
        ("GET",),
        three(
            "class",
            mb_class,
            mb_science,
            mb_far_class,
            methods=("GET",),
            read_own=("teacher",),
            hidden=(lambda w: ["7A English"], lambda w: ["8B Science"], lambda w: ["Far English"]),
        ),
    ),
    "class-students": ApiRoute(
        "managebac",
        ("GET",),
        three("class", mb_class, mb_science, mb_far_class, methods=("GET",), read_own=("teacher",)),
    ),
    "class-attendance": ApiRoute(
        "managebac",
        ("PUT",),
        [
            *three(
                "class",
                mb_class,
                mb_science,
                mb_far_class,
                methods=("PUT",),
                write_own=("teacher",),
                bodies=(
                    class_marks_body(first("students"), 1),
                    class_marks_body(first("year8_students"), 2),
                    class_marks_body(first("far_students"), 1),
                ),
            ),
            Call(
                "the teacher's class with students of another class and school",
                mb_class,
                {"PUT": roles("items_not_found", *ADMIN_WRITE, "teacher")},
                body=lambda w, role: {
                    "attendances": [
                        {"student_id": s.pk, "date": w.monday.isoformat(), "period": 1, "status": 0}
                        for s in (w.year8_students[0], w.far_students[0])
                    ]
                },
            ),
        ],
    ),
    "class-attendance-term": ApiRoute(
        "managebac",
        ("GET",),
        three(
            "class",
            with_term(mb_class, lambda w: w.term),
            with_term(mb_science, lambda w: w.term),
            with_term(mb_far_class, lambda w: w.far_term),
            methods=("GET",),
            read_own=("teacher",),
        ),
    ),
    "class-attendance-date": ApiRoute(
        "managebac",
        ("GET",),
        [
            *three(
                "class",
                with_date(mb_class),
                with_date(mb_science),
                with_date(mb_far_class),
                methods=("GET",),
                read_own=("teacher",),
            ),
            *three(
                "class on a day out of range",
                with_date(mb_class, OUT_OF_RANGE_DAY),
                with_date(mb_science, OUT_OF_RANGE_DAY),
                with_date(mb_far_class, OUT_OF_RANGE_DAY),
                methods=("GET",),
                read_own=("teacher",),
                ok_read=422,
            ),
        ],
    ),
    "class-timetable": ApiRoute(
        "managebac",
        ("GET",),
        three("class", mb_class, mb_science, mb_far_class, methods=("GET",), read_own=("teacher",)),
    ),
    "students": ApiRoute("managebac", ("GET",), [Call("list", expect={"GET": roles(200, *READERS)})]),
    "excusals-date": ApiRoute(
        "managebac",
        ("GET",),
        [
            Call(
                "excusals of tomorrow",
                lambda w, role: {"date": (w.today + timedelta(days=1)).isoformat()},
                {"GET": roles(200, *READERS)},
            ),
            Call(
                "excusals of a day out of range",
                lambda w, role: {"date": FAR_PAST},
                {"GET": roles(422, *READERS)},
            ),
        ],
    ),
    "student": ApiRoute(
        "managebac",
        ("GET",),
        three(
            "student",
            lambda w, role: {"student_id": w.students[0].pk},
            lambda w, role: {"student_id": w.year8_students[0].pk},
            lambda w, role: {"student_id": w.far_students[0].pk},
            methods=("GET",),
            read_own=("teacher", "parent"),
            hidden=(HIDE_Y7, HIDE_Y8, HIDE_FAR),
        ),
    ),
    "student-excusals": ApiRoute(
        "managebac",
        ("GET", "POST"),
        [
            Call(
                "excusals of a child of the parent",
                lambda w, role: {"student_id": w.students[0].pk},
                {
                    "GET": roles(200, *ADMIN_READ, "teacher", "parent"),
                    "POST": {**roles(201, *ADMIN_WRITE, "parent"), "teacher": 401},
                },
                body=excusal_body(first("students"), lambda w: w.parent),
                hidden=lambda w: ["dentist"],
            ),
            Call(
                "excusals of another family's child",
                lambda w, role: {"student_id": w.year8_students[0].pk},
                {"GET": roles(200, *ADMIN_READ), "POST": roles(201, *ADMIN_WRITE)},
                body=excusal_body(first("year8_students"), lambda w: w.other_parent),
                hidden=lambda w: ["dentist"],
            ),
            Call(
                "excusals of the other school's child",
                lambda w, role: {"student_id": w.far_students[0].pk},
                {"GET": roles(200, "other_school"), "POST": roles(201, "other_school")},
                body=excusal_body(first("far_students"), lambda w: w.far_parent),
                hidden=lambda w: ["dentist"],
            ),
            Call(
                "excusals of a child of the parent on a day out of range",
                lambda w, role: {"student_id": w.students[0].pk},
                # The body is read before who may write is asked (as for any malformed body).
                {
                    "GET": roles(422, *ADMIN_READ, "teacher", "parent"),
                    "POST": roles(422, *ADMIN_WRITE, "teacher", "parent"),
                },
                query=lambda w: {"applies_on": FAR_FUTURE},
                body=lambda w, role: {
                    "excusal": {"parent_id": w.parent.pk, "start_date": FAR_FUTURE, "end_date": FAR_FUTURE}
                },
            ),
        ],
    ),
    "student-excusal": ApiRoute(
        "managebac",
        ("PATCH", "DELETE"),
        [
            Call(
                "an excusal of the parent's child",
                spare(first("students"), lambda w: w.parent, "own"),
                {
                    "PATCH": {**roles(200, *ADMIN_WRITE, "parent"), "teacher": 401},
                    "DELETE": {**roles(200, *ADMIN_WRITE, "parent"), "teacher": 401},
                },
                body=lambda w, role: {"excusal": {"comment": "Changed"}},
            ),
            Call(
                "an excusal of another family's child",
                spare(first("year8_students"), lambda w: w.other_parent, "other"),
                {"PATCH": roles(200, *ADMIN_WRITE), "DELETE": roles(200, *ADMIN_WRITE)},
                body=lambda w, role: {"excusal": {"comment": "Changed"}},
            ),
            Call(
                "another family's excusal under the parent's child",
                lambda w, role: {"student_id": w.students[0].pk, "excusal_id": w.other_family_excusal.pk},
                body=lambda w, role: {"excusal": {"comment": "Changed"}},
            ),
            Call(
                "an excusal of the other school",
                spare(first("far_students"), lambda w: w.far_parent, "far"),
                {"PATCH": roles(200, "other_school"), "DELETE": roles(200, "other_school")},
                body=lambda w, role: {"excusal": {"comment": "Changed"}},
            ),
        ],
    ),
    "set-homeroom-attendance": ApiRoute(
        "managebac",
        ("PUT",),
        three(
            "student",
            lambda w, role: {"student_id": w.students[0].pk},
            lambda w, role: {"student_id": w.year8_students[0].pk},
            lambda w, role: {"student_id": w.far_students[0].pk},
            methods=("PUT",),
            write_own=("teacher",),
            bodies=(
                lambda w, role: {"date": w.monday.isoformat(), "status": 0},
                lambda w, role: {"date": w.monday.isoformat(), "status": 0},
                lambda w, role: {"date": f.last_weekday(w.other_school, 1).isoformat(), "status": 0},
            ),
        )
        + [
            Call(
                "student of the teacher on a day out of range",
                lambda w, role: {"student_id": w.students[0].pk},
                {"PUT": roles(422, *ADMIN_WRITE, "teacher", "parent")},  # (the body is read first)
                body=lambda w, role: {"date": FAR_FUTURE, "status": 0},
            )
        ],
    ),
    "year-groups": ApiRoute("managebac", ("GET",), [Call("list", expect={"GET": roles(200, *READERS)})]),
    "year-group-students": ApiRoute(
        "managebac",
        ("GET",),
        three("year group", mb_year7, mb_year8, mb_far_year, methods=("GET",), read_own=("teacher",)),
    ),
    "homeroom-attendance-term": ApiRoute(
        "managebac",
        ("GET",),
        three(
            "year group",
            with_term(mb_year7, lambda w: w.term),
            with_term(mb_year8, lambda w: w.term),
            with_term(mb_far_year, lambda w: w.far_term),
            methods=("GET",),
            read_own=("teacher",),
        ),
    ),
    "homeroom-attendance-date": ApiRoute(
        "managebac",
        ("GET",),
        [
            *three(
                "year group",
                with_date(mb_year7),
                with_date(mb_year8),
                with_date(mb_far_year),
                methods=("GET",),
                read_own=("teacher",),
            ),
            *three(
                "year group on a day out of range",
                with_date(mb_year7, OUT_OF_RANGE_DAY),
                with_date(mb_year8, OUT_OF_RANGE_DAY),
                with_date(mb_far_year, OUT_OF_RANGE_DAY),
                methods=("GET",),
                read_own=("teacher",),
                ok_read=422,
            ),
        ],
    ),
    "homeroom-adjustments": ApiRoute(
        "managebac",
        ("GET",),
        three(
            "year group",
            with_term(mb_year7, lambda w: w.term),
            with_term(mb_year8, lambda w: w.term),
            with_term(mb_far_year, lambda w: w.far_term),
            methods=("GET",),
            read_own=("teacher",),
        ),
    ),
    "academic-years": ApiRoute("managebac", ("GET",), [Call("list", expect={"GET": roles(200, *READERS)})]),
}


def section(attr):
    return lambda w, role: {"section_id": getattr(w, attr).pk}


def section_marks(klass, student):
    def body(w, role):
        enrollment = klass(w).enrollments.get(student=student(w))
        day = w.monday if klass(w).school_id == w.school.pk else f.last_weekday(w.other_school, 1)
        return {"attendances": {"attendance": [{"enrollment_id": enrollment.pk, "date": day.isoformat(), "status": 2}]}}

    return body


def section_enrollment(klass, student):
    return lambda w, role: {"section_id": klass(w).pk, "enrollment_id": klass(w).enrollments.get(student=student(w)).pk}


SECTIONS = {
    "sections:unknown": ApiRoute(
        "sections",
        ("GET", "PUT"),
        [Call("an id that is not a number", lambda w, role: {"path": "sections/abc/attendance"})],
    ),
    "sections:attendance": ApiRoute(
        "sections",
        ("GET", "PUT"),
        [
            *three(
                "section",
                section("english"),
                section("science"),
                section("far_class"),
                methods=("GET", "PUT"),
                read_own=("teacher",),
                write_own=("teacher",),
                bodies=(
                    section_marks(lambda w: w.english, first("students")),
                    section_marks(lambda w: w.science, first("year8_students")),
                    section_marks(lambda w: w.far_class, first("far_students")),
                ),
            ),
            Call(
                "the teacher's section from a day out of range",
                section("english"),
                {"GET": roles(400, *ADMIN_READ, "teacher")},
                query=lambda w: {"start": FAR_FUTURE},
                methods=("GET",),
            ),
            Call(
                "the teacher's section asked for the other school's enrollment",
                section("english"),
                {"GET": roles(200, *ADMIN_READ, "teacher")},
                query=lambda w: {"enrollment_id": w.far_class.enrollments.get(student=w.far_students[0]).pk},
                methods=("GET",),  # the other school's names are in every role's NEVER_SEEN
            ),
            Call(
                "the teacher's section with enrollments of another section and school",
                section("english"),
                {"PUT": roles("items_not_found", *ADMIN_WRITE, "teacher")},
                body=lambda w, role: {
                    "attendances": {
                        "attendance": [
                            {"enrollment_id": e.pk, "date": w.monday.isoformat(), "status": 2}
                            for e in (
                                w.science.enrollments.get(student=w.year8_students[0]),
                                w.far_class.enrollments.get(student=w.far_students[0]),
                            )
                        ]
                    }
                },
                methods=("PUT",),
            ),
        ],
    ),
    "sections:enrollments": ApiRoute(
        "sections",
        ("GET",),
        three(
            "section",
            section("english"),
            section("science"),
            section("far_class"),
            methods=("GET",),
            read_own=("teacher",),
            hidden=(HIDE_Y7, HIDE_Y8, HIDE_FAR),
        ),
    ),
    "sections:enrollment": ApiRoute(
        "sections",
        ("GET",),
        [
            *three(
                "enrollment",
                section_enrollment(lambda w: w.english, first("students")),
                section_enrollment(lambda w: w.science, first("year8_students")),
                section_enrollment(lambda w: w.far_class, first("far_students")),
                methods=("GET",),
                read_own=("teacher",),
                hidden=(HIDE_Y7, HIDE_Y8, HIDE_FAR),
            ),
            Call(
                "the section's own teacher",
                lambda w, role: {
                    "section_id": w.english.pk,
                    "enrollment_id": 10**12 + w.english.assignments.first().pk,
                },
                {"GET": roles(200, *ADMIN_READ, "teacher")},
            ),
            Call(
                "another section's teacher under the teacher's section",
                lambda w, role: {
                    "section_id": w.english.pk,
                    "enrollment_id": 10**12 + w.science.assignments.first().pk,
                },
                hidden=lambda w: ["Otto"],
            ),
            Call(
                "another section's enrollment under the teacher's section",
                lambda w, role: {
                    "section_id": w.english.pk,
                    "enrollment_id": w.science.enrollments.get(student=w.year8_students[0]).pk,
                },
                hidden=HIDE_Y8,
            ),
        ],
    ),
}


def academic_body(klass, student, day):
    def body(w, role):
        school_class = klass(w)
        return {
            "course_offering_id": str(school_class.uuid),
            "teacher_assignment_id": str(school_class.assignments.first().uuid),
            "course_enrollment_id": str(school_class.enrollments.get(student=student(w)).uuid),
            "student_id": str(student(w).uuid),
            "attendance_date": day(w).isoformat(),
            "status": "late",
        }

    return body


ACADEMIC = {
    "academic:attendance": ApiRoute(
        "academic",
        ("GET", "POST"),
        [
            Call("every record the client may see", expect={"GET": roles(200, *READERS)}, methods=("GET",)),
            Call(
                "a class of the teacher",
                query=lambda w: {"course_offering_id": w.english.uuid},
                expect={"GET": roles(200, *ADMIN_READ, "teacher"), "POST": roles((200, 201), *ADMIN_WRITE, "teacher")},
                body=academic_body(lambda w: w.english, first("students"), lambda w: w.monday),
            ),
            Call(
                "the teacher's class with another school's enrollment",
                body=lambda w, role: {
                    **academic_body(lambda w: w.english, first("students"), lambda w: w.monday)(w, role),
                    "course_enrollment_id": str(w.far_class.enrollments.get(student=w.far_students[0]).uuid),
                    "student_id": str(w.far_students[0].uuid),
                },
                methods=("POST",),
            ),
            Call(
                "the teacher's class with another class's enrollment",
                body=lambda w, role: {
                    **academic_body(lambda w: w.english, first("students"), lambda w: w.monday)(w, role),
                    "course_enrollment_id": str(w.science.enrollments.get(student=w.year8_students[0]).uuid),
                    "student_id": str(w.year8_students[0].uuid),
                },
                methods=("POST",),
            ),
            Call(
                "records from a day out of range",
                query=lambda w: {"start_date": FAR_PAST},
                expect={"GET": roles(422, *READERS)},
                methods=("GET",),
            ),
            Call(
                "a record of the teacher's class on a day out of range",
                expect={"POST": roles(422, *ADMIN_WRITE, "teacher", "parent", "other_school")},
                body=academic_body(lambda w: w.english, first("students"), OUT_OF_RANGE_DAY),
                methods=("POST",),
            ),
            Call(
                "a child of the parent",
                query=lambda w: {"student_id": w.students[0].uuid},
                expect={"GET": roles(200, *ADMIN_READ, "teacher", "parent")},
                methods=("GET",),
            ),
            Call(
                "another teacher's class",
                query=lambda w: {"course_offering_id": w.science.uuid},
                expect={"GET": roles(200, *ADMIN_READ), "POST": roles((200, 201), *ADMIN_WRITE)},
                body=academic_body(lambda w: w.science, first("year8_students"), lambda w: w.monday),
            ),
            Call(
                "another family's child",
                query=lambda w: {"student_id": w.year8_students[0].uuid},
                expect={"GET": roles(200, *ADMIN_READ)},
                methods=("GET",),
            ),
            Call(
                "the other school's class",
                query=lambda w: {"course_offering_id": w.far_class.uuid},
                expect={"GET": roles(200, "other_school"), "POST": roles((200, 201), "other_school")},
                body=academic_body(
                    lambda w: w.far_class, first("far_students"), lambda w: f.last_weekday(w.other_school, 1)
                ),
            ),
            Call(
                "the other school's student",
                query=lambda w: {"student_id": w.far_students[0].uuid},
                expect={"GET": roles(200, "other_school")},
                methods=("GET",),
            ),
            Call(
                "the other school named in X-School-Id",
                headers=lambda w: {"X-School-Id": str(w.other_school.uuid)},
                expect={"GET": roles(200, "other_school")},
                methods=("GET",),
            ),
        ],
    ),
}


def ps_record(student, *, mode="ATT_ModeDaily", klass=None):
    def body(w, role):
        pupil = student(w)
        school = pupil.school
        fields = {
            "studentid": pupil.pk,
            "schoolid": school.number,
            "yearid": AcademicYear.objects.get(school=school).pk,
            "att_date": f.last_weekday(school, 1).isoformat(),
            "att_mode_code": mode,
            "attendance_codeid": f.code(school, 0).pk,
        }
        if mode == "ATT_ModeMeeting":
            fields["ccid"] = klass(w).enrollments.get(student=pupil).pk
            number = 2 if klass(w) == w.science else 1
            fields["periodid"] = Period.objects.get(school=school, number=number).pk
        record = {"name": "attendance", "tables": {"attendance": {k: str(v) for k, v in fields.items()}}}
        return {"name": "attendance", "record": [record]}

    return body


def ps_writes(mode="ATT_ModeDaily"):
    klasses = (lambda w: w.english, lambda w: w.science, lambda w: w.far_class)
    return [
        Call(
            "a student of the teacher",
            body=ps_record(first("students"), mode=mode, klass=klasses[0]),
            expect={"POST": {**roles("success", *ADMIN_WRITE, "teacher"), "parent": "record_error"}},
            not_found="record_error",
        ),
        Call(
            "another teacher's student",
            body=ps_record(first("year8_students"), mode=mode, klass=klasses[1]),
            expect={"POST": roles("success", *ADMIN_WRITE)},
            not_found="record_error",
        ),
        Call(
            "the other school's student",
            body=ps_record(first("far_students"), mode=mode, klass=klasses[2]),
            expect={"POST": roles("success", "other_school")},
            not_found="record_error",
        ),
    ]


def ps_out_of_range(mode="ATT_ModeDaily"):
    """A record of the teacher's student on a day out of range: every writer's record is refused."""

    def body(w, role):
        made = ps_record(first("students"), mode=mode, klass=lambda w: w.english)(w, role)
        made["record"][0]["tables"]["attendance"]["att_date"] = FAR_FUTURE
        return made

    return Call("a student of the teacher on a day out of range", body=body, not_found="record_error")


def ps_foreign_enrollment(w, role):
    """A meeting record of the client's school whose ccid is the other school's enrollment."""
    body = ps_record(first("students"), mode="ATT_ModeMeeting", klass=lambda w: w.english)(w, role)
    far = w.far_class.enrollments.get(student=w.far_students[0])
    body["record"][0]["tables"]["attendance"]["ccid"] = str(far.pk)
    return body


def ps_table(table):
    return [
        Call(
            f"{table} of the client's school",
            lambda w, role: {"table": table},
            query=lambda w: {"q": f"schoolid=={w.school.number}"},
            expect={"GET": roles(200, *ADMIN_READ, "teacher", "parent")},
            not_found="empty",
        ),
        Call(
            f"{table} of the other school",
            lambda w, role: {"table": table},
            query=lambda w: {"q": f"schoolid=={w.other_school.number}"},
            expect={"GET": roles(200, "other_school")},
            not_found="empty",
        ),
    ]


def ps_class_mark(klass, student):
    """The id of a class mark in the attendance table (a class mark's id is its row's)."""
    return lambda w, role: {
        "table": "attendance",
        "id": str(ClassMark.objects.filter(school_class=klass(w), student=student(w))[0].pk),
    }


def ps_daily_mark(student):
    """The id of a daily mark in the attendance table: 10^15 plus its row's."""
    return lambda w, role: {
        "table": "attendance",
        "id": str(10**15 + DailyMark.objects.filter(student=student(w))[0].pk),
    }


def ps_period(school):
    return lambda w, role: {"table": "period", "id": str(Period.objects.filter(school=school(w)).first().pk)}


def ps_every_table(label, *, readers=READERS, query=lambda w: {}):
    return [
        Call(
            f"{label}: {table}",
            lambda w, role, table=table: {"table": table},
            {"GET": roles(200, *readers)},
            query=query,
        )
        for table in ("attendance_code", "period", "attendance")
    ]


TOKEN = Call(
    "client credentials",
    expect={"GET": roles(405, *API_ROLES), "POST": roles(200, *VALID_CLIENTS)},
    scoped=False,
    not_found=401,
)

POWERSCHOOL = {
    "powerschool:token": ApiRoute("powerschool_token", ("GET", "POST"), [TOKEN]),
    "powerschool:token_slash": ApiRoute("powerschool_token", ("GET", "POST"), [TOKEN]),
    "powerschool:metadata": ApiRoute(
        "powerschool", ("GET",), [Call("any client", expect={"GET": roles(200, *VALID_CLIENTS)}, scoped=False)]
    ),
    "powerschool:schema_table": ApiRoute(
        "powerschool", ("GET",), [*ps_table("attendance_code"), *ps_table("period"), *ps_table("attendance")]
    ),
    # A count is a number whatever the client may see (tests/api/powerschool/test_tables.py
    # checks which rows it counts); the metadata is the same for every reader.
    "powerschool:schema_table_count": ApiRoute(
        "powerschool",
        ("GET",),
        ps_every_table("the client's school", query=lambda w: {"q": f"schoolid=={w.school.number}"}),
    ),
    "powerschool:schema_table_metadata": ApiRoute("powerschool", ("GET",), ps_every_table("columns")),
    "powerschool:schema_table_row": ApiRoute(
        "powerschool",
        ("GET",),
        [
            *three(
                "a class mark",
                ps_class_mark(lambda w: w.english, first("students")),
                ps_class_mark(lambda w: w.science, first("year8_students")),
                ps_class_mark(lambda w: w.far_class, first("far_students")),
                methods=("GET",),
                read_own=("teacher", "parent"),
            ),
            *three(
                "a daily mark",
                ps_daily_mark(first("students")),
                ps_daily_mark(first("year8_students")),
                ps_daily_mark(first("far_students")),
                methods=("GET",),
                read_own=("teacher", "parent"),
            ),
            Call(
                "a period of the client's school",
                ps_period(lambda w: w.school),
                {"GET": roles(200, *ADMIN_READ, "teacher", "parent")},
            ),
            Call(
                "a period of the other school", ps_period(lambda w: w.other_school), {"GET": roles(200, "other_school")}
            ),
            Call("an id no record has", lambda w, role: {"table": "attendance", "id": str(10**15 - 1)}),
        ],
    ),
    "powerschool:unknown": ApiRoute(
        "powerschool",
        ("GET", "POST", "PUT", "PATCH", "DELETE"),
        [Call("a path PowerSchool has not", lambda w, role: {"path": "v1/student/5"}, scoped=False)],
    ),
    "powerschool:batch_daily_time": ApiRoute("powerschool", ("POST",), [*ps_writes(), ps_out_of_range()]),
    "powerschool:daily_time": ApiRoute("powerschool", ("POST",), [*ps_writes(), ps_out_of_range()]),
    "powerschool:meeting_interval": ApiRoute(
        "powerschool",
        ("POST",),
        [
            *ps_writes("ATT_ModeMeeting"),
            ps_out_of_range("ATT_ModeMeeting"),
            Call("the other school's enrollment as ccid", body=ps_foreign_enrollment, not_found="record_error"),
        ],
    ),
}

APIS: dict[str, ApiRoute] = {
    **{f"{ns}:{name}": route for ns in ("managebac_v2", "managebac_v2p1") for name, route in MANAGEBAC_ROUTES.items()},
    **SECTIONS,
    **ACADEMIC,
    **POWERSCHOOL,
}


# ---------------------------------------------------------------------------------- the walk


def walk(patterns, prefix: str = "", namespace: str = ""):
    """(full route, ``namespace:name`` or None) of every pattern, through includes."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), (namespace + pattern.name) if pattern.name else None


def project_routes() -> list[tuple[str, str | None]]:
    return list(walk(get_resolver().url_patterns))


def unclassified(routes) -> list[str]:
    """Every pattern the matrix does not classify, named by its route (and name)."""
    classified = set(PAGES) | set(APIS)
    return [
        f"{route} ({name})" if name else route
        for route, name in routes
        if not route.startswith(ADMIN_PREFIX) and name not in classified
    ]


def test_every_url_pattern_is_classified():
    routes = project_routes()
    missing = unclassified(routes)
    assert not missing, "URL patterns the authorization matrix does not classify: " + ", ".join(missing)
    named = {name for route, name in routes if name}
    assert set(PAGES) | set(APIS) == named - {n for r, n in routes if r.startswith(ADMIN_PREFIX)}, (
        "classified names that are no URL pattern: " + ", ".join(sorted((set(PAGES) | set(APIS)) - named))
    )
    assert any(route.startswith(ADMIN_PREFIX) for route, _ in routes)


def test_an_unclassified_pattern_is_named_in_the_failure():
    routes = [*project_routes(), ("office/new-thing/<int:id>/", "reports:new_thing"), ("bare/", None)]
    assert unclassified(routes) == ["office/new-thing/<int:id>/ (reports:new_thing)", "bare/"]


def test_representative_admin_pages_are_admin_routes():
    names = {name for route, name in project_routes() if route.startswith(ADMIN_PREFIX)}
    assert {page[0] for page in ADMIN_PAGES} <= names


# ---------------------------------------------------------------------------------- checking


def denied_first(expect: Mapping[str, object], all_roles) -> list[str]:
    """Refused roles ask first, so an allowed write (a DELETE, a revoke) cannot hide a leak."""
    return sorted(all_roles, key=lambda role: role in expect)


def never_seen(role: str, body: str) -> list[str]:
    return [text for text in NEVER_SEEN[role] if text in body]


def text_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.fixture
def browsers(w):
    """A signed-in browser per page role (and the superuser), and one signed out."""
    clients = {}
    for role in (*SIGNED_IN, "superuser", "staff"):
        client = Client()
        client.force_login(getattr(w, role) if role in ("superuser", "staff") else getattr(w, role).user)
        clients[role] = client
    clients["anonymous"] = Client()
    return clients


def check_page_answer(role, method, expected, response, body, hidden) -> str | None:
    status = response.status_code
    if expected == "login":
        location = response.headers.get("Location", "")
        if status != 302 or not location.startswith("/accounts/login/?next="):
            return f"expected the login page, got {status} {location}"
    elif status != expected:
        return f"expected {expected}, got {status}"
    if expected in (404, "login"):
        leaked = [text for text in hidden if text in body]
        if leaked:
            return f"refused but shows {leaked}"
    elif method == "GET" and expected == 200 and response.get("Content-Type", "").startswith("text/html"):
        missing = [text for text in hidden if text not in body]
        if missing:  # the page's own people: else the refusals' check would prove nothing
            return f"allowed but does not show {missing}"
    seen = never_seen(role, body)
    if seen:
        return f"shows {seen}"
    return None


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page(name, w, browsers):
    methods, targets = PAGES[name]
    failures = []
    for target in targets:
        kwargs = target.kwargs(w)
        url = reverse(name, kwargs=kwargs)
        for method in methods:
            expect = target.expect.get(method, {})
            for role in denied_first(expect, PAGE_ROLES):
                expected = expect.get(role, "login" if role == "anonymous" else 404)
                client = browsers[role]
                writers = target.writers if target.writers is not None else tuple(target.expect.get("POST", {}))
                before = book(w) if method != "GET" and role not in writers else None
                if method == "GET":
                    response = client.get(url, target.query(w))
                else:
                    query = target.query(w)
                    full = f"{url}?{urlencode(query)}" if query else url
                    response = client.post(full, target.form(w))
                problem = check_page_answer(role, method, expected, response, text_of(response), target.hidden(w))
                if problem is None and before is not None and book(w) != before:
                    problem = "refused but changed the attendance book"
                if problem:
                    failures.append(f"{method} {url} [{target.label}] as {role}: {problem}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name,kwargs,hidden,as_staff", ADMIN_PAGES, ids=[page[0] for page in ADMIN_PAGES])
def test_django_admin(name, kwargs, hidden, as_staff, w, browsers):
    """Only staff reach the Django admin, and see only the tables they were given: everyone
    else is sent to its login page."""
    url = reverse(name, kwargs=kwargs(w))
    failures = []
    for role in (*PAGE_ROLES, "superuser", "staff"):
        response = browsers[role].get(url)
        body = text_of(response)
        if role == "superuser":  # and it shows what the others may not: the check above means something
            if response.status_code != 200 or [text for text in hidden if text not in body]:
                failures.append(f"{url} as superuser: {response.status_code}, or without {hidden}")
            continue
        if role == "staff":
            if response.status_code != as_staff or [text for text in hidden if text in body]:
                failures.append(f"{url} as staff without permissions: {response.status_code}")
            continue
        location = response.headers.get("Location", "")
        if response.status_code != 302 or not location.startswith("/django-admin/login/?next="):
            failures.append(f"{url} as {role}: expected the admin login, got {response.status_code} {location}")
        if [text for text in hidden if text in body] or never_seen(role, body):
            failures.append(f"{url} as {role}: shows what it may not")
    assert not failures, "\n".join(failures)


def test_django_admin_login_page(w, browsers):
    url = reverse("admin:login")
    for role in PAGE_ROLES:
        response = browsers[role].get(url)
        assert response.status_code == 200, role
        assert not never_seen(role, text_of(response))
    assert browsers["superuser"].get(url).status_code == 302


# ---------------------------------------------------------------------------------- API checking

SCOPE_DENIED = {"managebac": 401, "sections": 403, "academic": 403, "powerschool": 403, "powerschool_token": 401}
SAFE = ("GET", "HEAD", "OPTIONS")


def api_expected(route: ApiRoute, call: Call, method: str, role: str):
    expect = call.expect.get(method, {})
    if role in expect:
        return expect[role]
    if role in ("anonymous", "bad_token"):
        return 401
    if call.scoped:
        verb = "read" if method in SAFE else "write"
        scopes = set(API_CLIENTS[role][1])
        if not {f"{verb}:attendance", f"{verb}:all"} & scopes:
            return SCOPE_DENIED[route.dialect]
    return call.not_found


def powerschool_token(w, client, role) -> str:
    if role not in w.access_tokens:
        issued = w.issued[role]
        response = client.post(
            "/oauth/access_token",
            "grant_type=client_credentials",
            content_type="application/x-www-form-urlencoded",
            headers={"Authorization": basic(issued.client_id, issued.client_secret)},
        )
        assert response.status_code == 200, response.content
        w.access_tokens[role] = response.json()["access_token"]
    return w.access_tokens[role]


def api_request(w, client, dialect, role, method, url, query, body, extra_headers):
    """The request as a client of the dialect sends it, with its real authentication."""
    full = f"{url}?{urlencode(query)}" if query else url
    headers = dict(extra_headers)
    known = role in API_CLIENTS
    if dialect == "powerschool_token":
        if method != "POST":
            return client.generic(method, full)
        if role != "anonymous":
            issued = w.issued["all_scopes"] if role == "bad_token" else w.issued[role]
            secret = "not-the-secret" if role == "bad_token" else issued.client_secret
            headers["Authorization"] = basic(issued.client_id, secret)
        return client.post(
            full, "grant_type=client_credentials", content_type="application/x-www-form-urlencoded", headers=headers
        )
    if dialect == "managebac":
        if known:
            headers["auth-token"] = w.issued[role].token
        elif role == "bad_token":
            headers["auth-token"] = "not-a-token"
    elif dialect == "academic":
        if known or role == "bad_token":
            headers["Authorization"] = f"Bearer {w.issued[role].token if known else 'not-a-token'}"
    elif dialect == "powerschool":
        if known or role == "bad_token":
            headers["Authorization"] = f"Bearer {powerschool_token(w, client, role) if known else 'not-a-token'}"
    elif dialect == "sections":
        if known or role == "bad_token":
            issued = w.issued[role if known else "all_scopes"]
            secret = issued.client.oauth1_secret() if known else "not-the-secret"
            headers["Authorization"] = oauth_header(
                method=method, url=f"http://testserver{full}", key=issued.client_id, secret=secret
            )
        headers.setdefault("Accept", "application/json")
    data = None if body is None else json.dumps(body, default=str)
    if method == "GET":
        return client.get(full, headers=headers)
    return client.generic(method, full, data or "", content_type="application/json", headers=headers)


def json_or_none(response):
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None


def dialect_shape(dialect: str, status: int, response) -> str | None:
    """Whether an error answer has the dialect's own shape (each dialect's page, docs/api-*.md)."""
    data = json_or_none(response)
    if dialect == "managebac":
        if status == 401 and data != {"error": "Access Denied"}:
            return f"401 body {response.content[:120]!r}"
        if status == 404 and not (isinstance(data, dict) and set(data) == {"error"}):
            return f"404 body {response.content[:120]!r}"
    elif dialect == "sections":
        if status == 401 and not (response.content and b"\n" not in response.content.strip()):
            return f"401 body {response.content[:120]!r}"
        if status in (403, 404) and response.content:
            return f"{status} body not empty: {response.content[:120]!r}"
    elif dialect == "academic":
        if status in (401, 403, 404) and not (isinstance(data, dict) and isinstance(data.get("detail"), str)):
            return f"{status} body {response.content[:120]!r}"
    elif dialect == "powerschool":
        if status in (401, 403, 404) and not (isinstance(data, dict) and {"message", "errors"} <= set(data)):
            return f"{status} body {response.content[:120]!r}"
        if status == 403 and data["errors"][0]["code"] != "FORBIDDEN":
            return f"403 body {response.content[:120]!r}"
    elif dialect == "powerschool_token":
        if status == 401 and data != {"error": "invalid_client"}:
            return f"401 body {response.content[:120]!r}"
    return None


def check_api_answer(route, role, expected, response, body, hidden) -> str | None:
    status = response.status_code
    data = json_or_none(response)
    if expected in ("success", "record_error"):
        results = data.get("results", {}).get("result") if status == 200 and isinstance(data, dict) else None
        got = results.get("status") if isinstance(results, dict) else None
        wanted = "SUCCESS" if expected == "success" else "ERROR"
        if got != wanted:
            return f"expected a {wanted} record, got {status} {response.content[:200]!r}"
    elif expected == "items_not_found":
        rows = data.get("attendance") if status == 200 and isinstance(data, dict) else None
        if not rows or any(r.get("status", r.get("response_code")) not in ("not_found", 404) for r in rows):
            return f"expected every item not found, got {status} {response.content[:200]!r}"
    elif expected == "empty":
        if status != 200 or not isinstance(data, dict) or data.get("record") != []:
            return f"expected no rows, got {status} {response.content[:200]!r}"
    elif expected == 200 and route.dialect == "powerschool" and isinstance(data, dict) and data.get("record") == []:
        return "expected rows, got none"
    elif status not in (expected if isinstance(expected, tuple) else (expected,)):
        return f"expected {expected}, got {status} {response.content[:200]!r}"
    refused = expected in ("record_error", "empty", "items_not_found") or (
        isinstance(expected, int) and expected >= 400
    )
    if refused:
        problem = dialect_shape(route.dialect, status, response)
        if problem:
            return f"not the dialect's error: {problem}"
        leaked = [text for text in hidden if text in body]
        if leaked:
            return f"refused but shows {leaked}"
    elif expected == 200 and response.request["REQUEST_METHOD"] == "GET":
        missing = [text for text in hidden if text not in body]
        if missing:  # the object's own names: else the refusals' check would prove nothing
            return f"allowed but does not show {missing}"
    seen = [text for text in NEVER_SEEN[role] if text in body]
    if seen:
        return f"shows {seen}"
    return None


@pytest.mark.parametrize("name", sorted(APIS))
def test_api(name, w, client):
    route = APIS[name]
    failures = []
    for call in route.calls:
        for method in call.methods or route.methods:
            refusals = {role for role in API_ROLES if not _allowed(api_expected(route, call, method, role))}
            for role in sorted(API_ROLES, key=lambda r: r not in refusals):
                expected = api_expected(route, call, method, role)
                url = reverse(name, kwargs=call.kwargs(w, role))
                body = call.body(w, role) if method not in SAFE else None
                before = book(w) if method not in SAFE and role in refusals else None
                response = api_request(
                    w, client, route.dialect, role, method, url, call.query(w), body, call.headers(w)
                )
                problem = check_api_answer(route, role, expected, response, text_of(response), call.hidden(w))
                if problem is None and before is not None and book(w) != before:
                    problem = "refused but changed the attendance book"
                if problem:
                    failures.append(f"{method} {url} [{call.label}] as {role}: {problem}")
    assert not failures, "\n".join(failures)


def _allowed(expected) -> bool:
    if expected == "success":
        return True
    if isinstance(expected, tuple):
        return all(s < 400 for s in expected)
    return isinstance(expected, int) and expected < 400


# ---------------------------------------------------------------------------------- one login, two schools


def test_an_admin_cannot_issue_a_client_acting_in_another_school(w, browsers):
    """A login that teaches here but runs the other school: a client acting for it would read
    and write the other school, so this school's admin may not create one (found by the matrix)."""
    both = f.make_teacher(w.school, "both_schools", "Bo", "Both").user
    Administrator.objects.create(school=w.other_school, first_name="Bo", last_name="Both", user=both)
    page = browsers["admin"].get(reverse("api_clients:list"))
    assert page.status_code == 200
    assert "both_schools" not in text_of(page)
    assert "(teacher)" in text_of(page)  # the form does list this school's own staff

    response = browsers["admin"].post(
        reverse("api_clients:list"), {"name": "Reach across", "user": both.pk, "scopes": ["read:all", "write:all"]}
    )
    assert response.status_code == 400
    assert not ApiClient.objects.filter(user=both).exists()
    assert "Southbank" not in text_of(response) and "Far000" not in text_of(response)
