"""The demo school: a realistic, deterministic school with a few weeks of audited marks."""

from __future__ import annotations

import io
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q

from apps.api.models import SCOPES, IssuedCredentials
from apps.api.services import api_client_issue
from apps.attendance.channels import Channel
from apps.attendance.engine import school_write_lock
from apps.audit.models import purge_school_log
from apps.classes.models import (
    ClassMark,
    Cover,
    CoverPeriod,
    Enrollment,
    SchoolClass,
    TeacherAssignment,
    TimetableSlot,
)
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.excusals.models import Excusal
from apps.excusals.services import excusal_create
from apps.homeroom.models import Adjustment, DailyMark, TimeEntry
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from apps.languages.choice import save_language
from apps.school.models import (
    AcademicYear,
    Administrator,
    Advisor,
    AttendanceCode,
    Guardianship,
    Parent,
    Period,
    School,
    Student,
    StudentPhoto,
    Teacher,
    Term,
    YearGroup,
)

# The demo school is recognised by these, so ``seed_demo --reset`` removes only it.
DEMO_SCHOOL_NUMBER = 990001
DEMO_SOURCED_ID = "rollbook-demo-school"
DEMO_PASSWORD = "rollbook-demo"
DEMO_URL = "http://127.0.0.1:8000"  # where `manage.py runserver` serves it; `seed_demo --url` says otherwise
DEMO_TIMEZONE = "Europe/London"
EMAIL_DOMAIN = "demo.rollbook.example"

SCHOOL_NAMES = [
    "Riverside Academy",
    "Hillcrest School",
    "Oakfield Community School",
    "St Aidan's High School",
    "Meadowbank Academy",
    "Harbourside School",
]

FIRST_NAMES = [
    "Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Mia", "Arthur", "Ivy", "Leo",
    "Freya", "Oscar", "Grace", "Harry", "Sophia", "Jack", "Lily", "Theo", "Rosie", "Muhammad",
    "Ella", "Finley", "Aisha", "Samuel", "Zara", "Ethan", "Maya", "Joshua", "Chloe", "Daniel",
    "Hannah", "Reuben", "Priya", "Tomasz", "Nia", "Kofi", "Emily", "Adam", "Layla", "Lucas",
    "Sienna", "Yusuf", "Matilda", "Alfie", "Evie", "Jacob", "Poppy", "Rohan", "Elif", "Callum",
    "Ines", "Mateo", "Anya", "Kai", "Orla", "Luca", "Imogen", "Ibrahim", "Phoebe", "Dylan",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright",
    "Robinson", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson",
    "Clarke", "Khan", "Lewis", "Hughes", "Edwards", "Turner", "Hill", "Moore", "Cooper", "Ward",
    "Okafor", "Nowak", "Ahmed", "Kowalski", "Murphy", "O'Brien", "Fernandes", "Nguyen", "Mensah", "Begum",
    "Harris", "Martin", "Baker", "Morris", "Campbell", "Kelly", "Ali", "Singh", "Rossi", "Fraser",
]  # fmt: skip
ADULT_FIRST_NAMES = [
    "Sarah", "David", "Claire", "James", "Rachel", "Mark", "Helen", "Paul", "Fatima", "Michael",
    "Joanna", "Andrew", "Nadia", "Richard", "Emma", "Chinedu", "Laura", "Piotr", "Anita", "Stephen",
    "Catherine", "Omar", "Louise", "Gareth", "Yasmin", "Neil", "Rebecca", "Samir", "Victoria", "Ian",
]  # fmt: skip

# Subject, lessons a week, room prefix. 27 of the 30 weekly slots; the rest are study periods.
SUBJECTS: list[tuple[str, int, str]] = [
    ("English", 4, "E"),
    ("Mathematics", 4, "M"),
    ("Science", 4, "Lab "),
    ("French", 3, "L"),
    ("History", 2, "H"),
    ("Geography", 2, "G"),
    ("Art", 2, "Art "),
    ("Music", 2, "Music "),
    ("Computing", 2, "IT"),
    ("Physical Education", 2, "Sports hall "),
]
SUBJECT_CODES = {
    "English": "ENG",
    "Mathematics": "MAT",
    "Science": "SCI",
    "French": "FRE",
    "History": "HIS",
    "Geography": "GEO",
    "Art": "ART",
    "Music": "MUS",
    "Computing": "CMP",
    "Physical Education": "PE",
}
# The first twelve teachers and what they teach; more are hired (one subject each) as the
# school grows, so no teacher is ever timetabled in two rooms at once.
STAFF_SUBJECTS: list[tuple[str, ...]] = [
    ("English", "History"),
    ("Mathematics",),
    ("Science",),
    ("English",),
    ("Mathematics", "Computing"),
    ("Science", "Geography"),
    ("French",),
    ("History", "Geography"),
    ("Art", "Music"),
    ("Physical Education",),
    ("French", "English"),
    ("Music", "Computing"),
]
PERIOD_TIMES = [
    (time(8, 50), time(9, 40)),
    (time(9, 45), time(10, 35)),
    (time(10, 55), time(11, 45)),
    (time(11, 50), time(12, 40)),
    (time(13, 30), time(14, 20)),
    (time(14, 25), time(15, 15)),
]
YEAR_GROUPS = [("Year 7", "07"), ("Year 8", "08"), ("Year 9", "09"), ("Year 10", "10"), ("Year 11", "11")]
CLASS_SIZE = 30
STUDENTS_PER_ADVISOR = 30

ILLNESS_REASONS = [
    "Sickness bug",
    "High temperature",
    "Flu",
    "Migraine",
    "Dental appointment",
    "Hospital appointment",
    "Family funeral",
    "Chickenpox",
]
UNEXPLAINED_NOTES = ["No contact from home yet", "", "", "Called home, no answer"]
LATE_NOTES = ["Bus late", "Overslept", "", "Train delayed", "Doctor's appointment first thing", ""]
OUTING_NOTES = {11: "Football fixture", 12: "Museum trip"}


@dataclass
class DemoLogin:
    role: str
    username: str
    name: str
    detail: str


@dataclass
class DemoSchool:
    """What ``build_demo_school`` made: the school, the logins to show, and counts."""

    school: School
    logins: list[DemoLogin]
    counts: dict[str, int]
    credentials: IssuedCredentials | None = None
    first_marked_day: date | None = None
    last_marked_day: date | None = None


class DemoError(Exception):
    pass


def find_demo_school() -> School | None:
    return School.objects.filter(Q(number=DEMO_SCHOOL_NUMBER) | Q(sourced_id=DEMO_SOURCED_ID)).first()


def real_schools() -> list[School]:
    """The schools of this database that are not the demo school."""
    return list(School.objects.exclude(Q(number=DEMO_SCHOOL_NUMBER) | Q(sourced_id=DEMO_SOURCED_ID)).order_by("name"))


def refuse_beside_real_schools() -> None:
    """A demo beside real schools shares their database, their logins' table and their API, and
    its logins and password are public: only when asked for (``--beside-real-schools``)."""
    real = real_schools()
    if real:
        named = ", ".join(s.name for s in real[:3]) + (f" and {len(real) - 3} more" if len(real) > 3 else "")
        raise DemoError(
            f"This database holds real schools ({named}): a demo school beside them is refused, as its "
            f"logins and their password ({DEMO_PASSWORD}) are public. Use a database of its own for the "
            "demo, or run with --beside-real-schools if you mean it."
        )


def delete_demo_school() -> bool:
    """Remove the demo school, its rows and the logins that belong to nothing else."""
    school = find_demo_school()
    if school is None:
        return False
    user_ids = set()
    for model in (Administrator, Teacher, Parent, Student):
        user_ids |= set(model.objects.filter(school=school, user__isnull=False).values_list("user_id", flat=True))
    kept = set()
    for model in (Administrator, Teacher, Parent, Student):
        kept |= set(model.objects.filter(user_id__in=user_ids).exclude(school=school).values_list("user_id", flat=True))
    with transaction.atomic():
        # The demo's log goes with it (the one deletion of audit entries the database allows);
        # then what holds PROTECT references to the school, its students, codes, periods and
        # years, each in one DELETE.
        purge_school_log(school)
        for model in (
            ClassMark,
            DailyMark,
            TimeEntry,
            Adjustment,
            Excusal,
            TimetableSlot,
            Enrollment,
            TeacherAssignment,
            SchoolClass,
            Guardianship,
            Advisor,
        ):
            model.objects.filter(school=school).delete()
        school.delete()
        # API clients go with their user (CASCADE).
        get_user_model().objects.filter(pk__in=user_ids - kept).delete()
    return True


def _academic_year_bounds(today: date, first_marked_day: date) -> tuple[date, date]:
    """An August-to-July year containing today; started earlier if the weeks of marks reach
    back before August."""
    start_year = today.year if today.month >= 8 else today.year - 1
    start = min(date(start_year, 8, 1), first_marked_day)
    return start, date(start_year + 1, 7, 31)


def _school_days(first: date, last: date) -> list[date]:
    days = []
    day = first
    while day <= last:
        if day.isoweekday() <= 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _weekly_timetable(rng: random.Random) -> dict[str, list[tuple[int, int]]]:
    """Each subject's (weekday, period) slots for one year group: a subject at most once a day
    where it fits, spread over the week."""
    free = {day: list(range(1, 7)) for day in range(1, 6)}
    slots: dict[str, list[tuple[int, int]]] = {}
    for subject, lessons, _ in SUBJECTS:
        chosen: list[tuple[int, int]] = []
        for _ in range(lessons):
            # The emptiest day not yet used by this subject (any day with room, once all are).
            used = {day for day, _ in chosen}
            open_days = [d for d in free if free[d]]
            candidates = [d for d in open_days if d not in used] or open_days
            day = max(candidates, key=lambda d: (len(free[d]), rng.random()))
            period = rng.choice(free[day])
            free[day].remove(period)
            chosen.append((day, period))
        slots[subject] = sorted(chosen)
    return slots


class _Names:
    """Believable, unique-enough names and unique usernames, from the seeded generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.usernames: set[str] = set()

    def person(self, first_names: list[str], last_name: str | None = None) -> tuple[str, str]:
        return self.rng.choice(first_names), last_name or self.rng.choice(LAST_NAMES)

    def username(self, first: str, last: str) -> str:
        base = "".join(ch for ch in f"{first}.{last}".lower() if ch.isalnum() or ch == ".")
        name, n = base, 1
        while name in self.usernames:
            n += 1
            name = f"{base}{n}"
        self.usernames.add(name)
        return name


def build_demo_school(
    *, seed: int = 1, students: int = 150, weeks: int = 3, api_client: bool = True, beside_real_schools: bool = False
) -> DemoSchool:
    """Build the demo school. Everything but the dates of the marks follows from ``seed``."""
    if not beside_real_schools:
        refuse_beside_real_schools()
    if students < 1:
        raise DemoError("--students must be at least 1")
    if weeks < 0:
        raise DemoError("--weeks must be 0 or more")
    if find_demo_school() is not None:
        raise DemoError(
            f"A demo school (number {DEMO_SCHOOL_NUMBER}) already exists; run with --reset to build it again."
        )
    _refuse_taken_usernames(["admin"])
    rng = random.Random(seed)  # noqa: S311 - made-up people, not secrets
    names = _Names(rng)
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing per user would take minutes

    with transaction.atomic():
        school = School.objects.create(
            name=rng.choice(SCHOOL_NAMES),
            number=DEMO_SCHOOL_NUMBER,
            sourced_id=DEMO_SOURCED_ID,
            timezone=DEMO_TIMEZONE,
        )
        today = school.today()
        last_marked_day = today - timedelta(days=1)
        first_marked_day = today - timedelta(days=7 * weeks)
        year_start, year_end = _academic_year_bounds(today, first_marked_day)
        year = AcademicYear.objects.create(
            school=school,
            name=f"{year_start.year}-{year_end.year}",
            sourced_id=f"demo-year-{year_start.year}",
            start_date=year_start,
            end_date=year_end,
        )
        Term.objects.bulk_create(
            [
                Term(
                    school=school,
                    academic_year=year,
                    name="Autumn term",
                    start_date=year_start,
                    end_date=date(year_start.year, 12, 31),
                ),
                Term(
                    school=school,
                    academic_year=year,
                    name="Spring term",
                    start_date=date(year_end.year, 1, 1),
                    end_date=date(year_end.year, 3, 31),
                ),
                Term(
                    school=school,
                    academic_year=year,
                    name="Summer term",
                    start_date=date(year_end.year, 4, 1),
                    end_date=year_end,
                ),
            ]
        )
        periods = {
            p.number: p
            for p in Period.objects.bulk_create(
                Period(school=school, number=n, name=f"Period {n}", start_time=start, end_time=end)
                for n, (start, end) in enumerate(PERIOD_TIMES, start=1)
            )
        }

        # --- people --------------------------------------------------------------------------
        admin_first, admin_last = "Alex", rng.choice(LAST_NAMES)
        admin_user = User.objects.create(
            username="admin",
            password=password,
            first_name=admin_first,
            last_name=admin_last,
            email=f"office@{EMAIL_DOMAIN}",
            # A school admin, as any school's office has: not staff, not a superuser, so that even
            # beside another school it reaches nothing but the demo school (never /django-admin/).
            is_staff=False,
            is_superuser=False,
        )
        names.usernames.add("admin")
        Administrator.objects.create(
            school=school,
            first_name=admin_first,
            last_name=admin_last,
            email=admin_user.email,
            user=admin_user,
            sourced_id="demo-admin",
        )

        year_groups = YearGroup.objects.bulk_create(
            YearGroup(school=school, name=name, grade=grade, sourced_id=f"demo-yg-{grade}")
            for name, grade in YEAR_GROUPS
        )

        # Families: most have one child here, some two or three (siblings share their parents).
        placements = [year_groups[i % len(year_groups)] for i in range(students)]
        rng.shuffle(placements)
        families: list[tuple[list[tuple[str, str]], list[Student]]] = []
        student_rows: list[Student] = []
        while len(student_rows) < students:
            last = rng.choice(LAST_NAMES)
            size = min(rng.choices([1, 2, 3], weights=[80, 17, 3])[0], students - len(student_rows))
            children = []
            for _ in range(size):
                first = rng.choice(FIRST_NAMES)
                number = len(student_rows) + 1
                child = Student(
                    school=school,
                    first_name=first,
                    last_name=last,
                    student_number=f"{200000 + number}",
                    sourced_id=f"demo-student-{number}",
                    email=f"{200000 + number}@students.{EMAIL_DOMAIN}",
                    year_group=placements[len(student_rows)],
                )
                student_rows.append(child)
                children.append(child)
            adults = [(rng.choice(ADULT_FIRST_NAMES), last)]
            if rng.random() < 0.6:
                # A second parent; now and then with another surname.
                adults.append((rng.choice(ADULT_FIRST_NAMES), last if rng.random() < 0.8 else rng.choice(LAST_NAMES)))
            families.append((adults, children))
        Student.objects.bulk_create(student_rows, batch_size=1000)
        # Photos for nine students in ten (the rest show their initials): drawn silhouettes.
        portraits = demo_portraits()
        StudentPhoto.objects.bulk_create(
            [
                StudentPhoto(school=school, student=child, thumbnail=portraits[n % len(portraits)])
                for n, child in enumerate(student_rows)
                if n % 10 != 9
            ],
            batch_size=1000,
        )

        parent_users = []
        parent_rows: list[Parent] = []
        for number, (first, last) in enumerate((a for adults, _ in families for a in adults), start=1):
            username = names.username(first, last)
            email = f"{username}@{EMAIL_DOMAIN}"
            parent_users.append(
                User(username=username, password=password, first_name=first, last_name=last, email=email)
            )
            parent_rows.append(
                Parent(
                    school=school,
                    first_name=first,
                    last_name=last,
                    email=email,
                    sourced_id=f"demo-parent-{number}",
                )
            )

        staff = []  # (first, last, subjects)
        for subjects in STAFF_SUBJECTS:
            first, last = names.person(ADULT_FIRST_NAMES)
            staff.append((first, last, subjects))

        # --- classes and the timetable ---------------------------------------------------------
        by_year_group: dict[int, list[Student]] = defaultdict(list)
        for student in student_rows:
            by_year_group[student.year_group_id].append(student)
        teacher_busy: list[set[tuple[int, int]]] = [set() for _ in staff]
        class_plans = []  # (year group, set label, subject, slots, teacher index, students)
        base_timetable = _weekly_timetable(rng)
        for shift, year_group in enumerate(year_groups):
            members = by_year_group[year_group.pk]
            if not members:
                continue
            # Each year group has the same week moved on by a period or more, so a subject's
            # lessons in different year groups never clash and one teacher can take several.
            timetable = {
                subject: sorted((day, (period - 1 + shift) % len(PERIOD_TIMES) + 1) for day, period in slots)
                for subject, slots in base_timetable.items()
            }
            set_count = math.ceil(len(members) / CLASS_SIZE)
            sets = [members[i::set_count] for i in range(set_count)]
            for set_index, set_members in enumerate(sets):
                label = (
                    f"{int(year_group.grade)}{chr(ord('A') + set_index)}"
                    if set_count <= 26
                    else f"{int(year_group.grade)}-{set_index + 1:02d}"
                )
                for subject, _, _ in SUBJECTS:
                    slots = timetable[subject]
                    free = [
                        i
                        for i, (_, _, subjects) in enumerate(staff)
                        if subject in subjects and not teacher_busy[i] & set(slots)
                    ]
                    if free:
                        teacher_index = min(free, key=lambda i: (len(teacher_busy[i]), i))
                    else:
                        first, last = names.person(ADULT_FIRST_NAMES)
                        staff.append((first, last, (subject,)))
                        teacher_busy.append(set())
                        teacher_index = len(staff) - 1
                    teacher_busy[teacher_index] |= set(slots)
                    class_plans.append((year_group, label, subject, slots, teacher_index, set_members))

        teacher_users = []
        teacher_rows = []
        for number, (first, last, _) in enumerate(staff, start=1):
            username = names.username(first, last)
            email = f"{username}@{EMAIL_DOMAIN}"
            teacher_users.append(
                User(username=username, password=password, first_name=first, last_name=last, email=email)
            )
            teacher_rows.append(
                Teacher(
                    school=school, first_name=first, last_name=last, email=email, sourced_id=f"demo-teacher-{number}"
                )
            )
        _refuse_taken_usernames([u.username for u in teacher_users + parent_users])
        User.objects.bulk_create(teacher_users + parent_users, batch_size=1000)
        # PostgreSQL and SQLite (3.35+) both return the new primary keys from bulk_create.
        for row, user in zip(teacher_rows + parent_rows, teacher_users + parent_users, strict=True):
            row.user = user
        Teacher.objects.bulk_create(teacher_rows, batch_size=1000)
        Parent.objects.bulk_create(parent_rows, batch_size=1000)

        parents_iter = iter(parent_rows)
        guardianships = []
        family_of: dict[int, list[Parent]] = {}
        for adults, children in families:
            family_parents = [next(parents_iter) for _ in adults]
            for child in children:
                family_of[child.pk] = family_parents
                for family_parent in family_parents:
                    guardianships.append(Guardianship(school=school, parent=family_parent, student=child))
        Guardianship.objects.bulk_create(guardianships, batch_size=1000)

        # Homeroom advisors: one per thirty students (at most three), taken in turn from the staff.
        advisors = []
        advising: dict[int, list[Teacher]] = {}
        load = list(range(len(teacher_rows)))
        next_advisor = 0
        for year_group in year_groups:
            count = max(1, min(3, math.ceil(len(by_year_group[year_group.pk]) / STUDENTS_PER_ADVISOR)))
            chosen = []
            for _ in range(count):
                chosen.append(teacher_rows[load[next_advisor % len(load)]])
                next_advisor += 1
            advising[year_group.pk] = chosen
            advisors += [Advisor(school=school, year_group=year_group, teacher=t) for t in chosen]
        Advisor.objects.bulk_create(advisors)

        rooms: dict[int, str] = {}
        classes = []
        for year_group, label, subject, _slots, teacher_index, _members in class_plans:
            prefix = next(p for s, _, p in SUBJECTS if s == subject)
            rooms.setdefault(teacher_index, f"{prefix}{sum(1 for r in rooms.values() if r.startswith(prefix)) + 1}")
            classes.append(
                SchoolClass(
                    school=school,
                    name=f"{label} {subject}",
                    code=f"{SUBJECT_CODES[subject]}{label}",
                    subject=subject,
                    grade=year_group.grade,
                    academic_year=year,
                    start_date=year_start,
                    end_date=year_end,
                    sourced_id=f"demo-class-{SUBJECT_CODES[subject]}{label}",
                )
            )
        SchoolClass.objects.bulk_create(classes, batch_size=1000)
        assignments, enrollments, slots = [], [], []
        for school_class, (_, _, _, class_slots, teacher_index, members) in zip(classes, class_plans, strict=True):
            assignments.append(
                TeacherAssignment(school=school, school_class=school_class, teacher=teacher_rows[teacher_index])
            )
            enrollments += [Enrollment(school=school, school_class=school_class, student=s) for s in members]
            slots += [
                TimetableSlot(
                    school=school,
                    school_class=school_class,
                    weekday=weekday,
                    period=periods[period],
                    location=rooms[teacher_index],
                )
                for weekday, period in class_slots
            ]
        TeacherAssignment.objects.bulk_create(assignments, batch_size=1000)
        Enrollment.objects.bulk_create(enrollments, batch_size=2000)
        TimetableSlot.objects.bulk_create(slots, batch_size=2000)
        # This week's cover: the first class's lessons in its first period, by the next teacher.
        first_class, (_, _, _, first_slots, first_teacher, _) = classes[0], class_plans[0]
        cover = Cover.objects.create(
            school=school,
            school_class=first_class,
            teacher=teacher_rows[(first_teacher + 1) % len(teacher_rows)],
            start_date=today,
            end_date=today + timedelta(days=2),
            note="Their teacher is on a course",
        )
        CoverPeriod.objects.create(school=school, cover=cover, period=periods[first_slots[0][1]])

        # --- marks, through the one write path ------------------------------------------------
        days = _school_days(first_marked_day, last_marked_day)
        marks = _MarkMaker(school, rng, student_rows, family_of)
        meetings_by_year_group: dict[int, dict[int, list[tuple[int, SchoolClass, list[Student]]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for school_class, (year_group, _, _, class_slots, _, members) in zip(classes, class_plans, strict=True):
            for weekday, period in class_slots:
                meetings_by_year_group[year_group.pk][weekday].append((period, school_class, members))
        weeks_of_days: dict[date, list[date]] = defaultdict(list)
        for day in days:
            weeks_of_days[day - timedelta(days=day.weekday())].append(day)
        with school_write_lock(school):
            _mark_weeks(school, year_groups, by_year_group, weeks_of_days, meetings_by_year_group, marks)
        # Sent by a parent, as a family sends one: through the excusal service.
        for excusal in marks.excusals + marks.upcoming_excusals(today):
            excusal_create(
                actor=excusal.parent.user,
                student=excusal.student,
                parent=excusal.parent,
                start_date=excusal.start_date,
                end_date=excusal.end_date,
                comment=excusal.comment,
                channel=Channel.DEMO,
            )

        credentials = None
        if api_client:
            credentials = api_client_issue(
                actor=None, channel=Channel.DEMO, name="Demo API client", user=admin_user, scopes=list(SCOPES)
            )

    logins = _logins(admin_user, teacher_rows, teacher_users, advising, classes, class_plans, parent_rows, families)
    # The last parent shown reads Arabic: their pages right to left, their emails in Arabic.
    for login in [login for login in logins if login.role == "parent"][-1:]:
        save_language(user=User.objects.get(username=login.username), language="ar", channel=Channel.DEMO)
        login.detail += ", reads Arabic"
    counts = {
        "year groups": len(year_groups),
        "teachers": len(teacher_rows),
        "students": len(student_rows),
        "parents": len(parent_rows),
        "classes": len(classes),
        "enrollments": len(enrollments),
        "timetable slots": len(slots),
        "school days marked": len(days),
        "daily marks": marks.daily_count,
        "class marks": marks.class_count,
        "excusals": len(marks.excusals) + marks.upcoming_count,
    }
    return DemoSchool(
        school=school,
        logins=logins,
        counts=counts,
        credentials=credentials,
        first_marked_day=days[0] if days else None,
        last_marked_day=days[-1] if days else None,
    )


def _mark_weeks(school, year_groups, by_year_group, weeks_of_days, meetings_by_year_group, marks) -> None:
    """Save the demo's marks a year group and a week at a time, through the one write path."""
    for week in sorted(weeks_of_days):
        for year_group in year_groups:
            members = by_year_group[year_group.pk]
            if not members:
                continue
            daily: list[DailyMarkInput] = []
            class_marks: list[ClassMarkInput] = []
            for day in weeks_of_days[week]:
                meetings = sorted(meetings_by_year_group[year_group.pk][day.isoweekday()], key=lambda m: m[0])
                marks.day(day, members, meetings, daily, class_marks)
            _check_results(record_daily_marks(actor=None, school=school, marks=daily, channel=Channel.DEMO))
            _check_results(record_class_marks(actor=None, school=school, marks=class_marks, channel=Channel.DEMO))


def _refuse_taken_usernames(usernames: list[str]) -> None:
    taken: list[str] = []
    for i in range(0, len(usernames), 500):
        chunk = usernames[i : i + 500]
        taken += get_user_model().objects.filter(username__in=chunk).values_list("username", flat=True)
    if taken:
        raise DemoError(
            f"These usernames are already taken by accounts outside the demo school: {', '.join(sorted(taken)[:10])}"
        )


def _check_results(results) -> None:
    refused = [r for r in results if not r.ok]
    if refused:
        # The demo only writes marks it knows to be valid: a refusal is a bug, so say which.
        raise DemoError(f"{len(refused)} demo marks were refused, e.g. {refused[0].errors}")


class _MarkMaker:
    """Decides each student's day: mostly present, now and then ill (sometimes excused by a
    parent), late, sent home, or out on a trip; a few students are often absent."""

    def __init__(self, school: School, rng: random.Random, students: list[Student], family_of: dict[int, list]):
        self.school = school
        self.rng = rng
        self.codes = {c.mb_status: c.pk for c in AttendanceCode.objects.filter(school=school)}
        self.often_absent = {s.pk for s in students if rng.random() < 0.06}
        self.family_of = family_of
        self.students = students
        self.spells: dict[int, tuple[int, int, str, bool]] = {}  # student -> (days left, code, note, excused)
        self.open_excusals: dict[int, Excusal] = {}
        self.excusals: list[Excusal] = []
        self.daily_count = 0
        self.class_count = 0
        self.upcoming_count = 0

    def _absence(self, student: Student, day: date) -> tuple[int, str] | None:
        spell = self.spells.get(student.pk)
        if spell is None:
            chance = 0.12 if student.pk in self.often_absent else 0.025
            if self.rng.random() >= chance:
                self.open_excusals.pop(student.pk, None)
                return None
            length = self.rng.choices([1, 2, 3], weights=[70, 20, 10])[0]
            excused = self.rng.random() < 0.55
            if excused:
                reason = self.rng.choice(ILLNESS_REASONS)
                code = 13 if self.rng.random() < 0.5 else 0
                note = f"Parent: {reason.lower()}"
                parent = self.family_of[student.pk][0]
                excusal = Excusal(
                    school=self.school, student=student, parent=parent, start_date=day, end_date=day, comment=reason
                )
                self.excusals.append(excusal)
                self.open_excusals[student.pk] = excusal
            else:
                code, note = 0, self.rng.choice(UNEXPLAINED_NOTES)
                self.open_excusals.pop(student.pk, None)
            spell = (length, code, note, excused)
        days_left, code, note, excused = spell
        if excused:
            self.open_excusals[student.pk].end_date = day
        self.spells[student.pk] = (days_left - 1, code, note, excused)
        if days_left - 1 <= 0:
            del self.spells[student.pk]
        return code, note

    def day(self, day: date, members: list[Student], meetings, daily: list, class_marks: list) -> None:
        rng, codes = self.rng, self.codes
        present_code = {
            (school_class.pk, period): codes[-1] if rng.random() < 0.8 else codes[1]
            for period, school_class, _ in meetings
        }
        plan: dict[int, tuple[str, int, str, int | None, int]] = {}
        for student in members:
            absence = self._absence(student, day)
            if absence is not None:
                code, note = absence
                plan[student.pk] = ("absent", codes[code], note, None, 0)
                daily.append(DailyMarkInput(student.pk, day, codes[code], note))
                continue
            roll = rng.random()
            if roll < 0.04:
                minutes = rng.randint(3, 25)
                note = rng.choice(LATE_NOTES)
                plan[student.pk] = ("late", codes[2], note, minutes, 0)
                daily.append(DailyMarkInput(student.pk, day, codes[2], note, minutes))
            elif roll < 0.05 and meetings:
                # Sent home unwell from a later lesson on: present at registration.
                plan[student.pk] = ("sent home", codes[10], "Sent home unwell", None, rng.randint(2, 6))
                daily.append(DailyMarkInput(student.pk, day, codes[-1]))
            else:
                plan[student.pk] = ("present", 0, "", None, 0)
                daily.append(DailyMarkInput(student.pk, day, codes[-1] if rng.random() < 0.9 else codes[1]))
        self.daily_count += len(members)

        outing = {}
        for period, school_class, _ in meetings:
            if rng.random() < 0.03:
                status = rng.choice([11, 12])
                outing[(school_class.pk, period)] = (codes[status], OUTING_NOTES[status])
        first_meeting: dict[int, int] = {}
        for period, school_class, students in meetings:
            for student in students:
                state, code, note, minutes, from_period = plan[student.pk]
                first = first_meeting.setdefault(student.pk, period) == period
                if state == "absent":
                    item = ClassMarkInput(school_class.pk, student.pk, day, period, code, note)
                elif state == "late" and first:
                    item = ClassMarkInput(school_class.pk, student.pk, day, period, code, note, minutes)
                elif state == "sent home" and period >= from_period:
                    item = ClassMarkInput(school_class.pk, student.pk, day, period, code, note)
                elif (school_class.pk, period) in outing and rng.random() < 0.3:
                    out_code, out_note = outing[(school_class.pk, period)]
                    item = ClassMarkInput(school_class.pk, student.pk, day, period, out_code, out_note)
                elif rng.random() < 0.004:
                    item = ClassMarkInput(school_class.pk, student.pk, day, period, codes[0], "Not in lesson")
                else:
                    item = ClassMarkInput(
                        school_class.pk, student.pk, day, period, present_code[(school_class.pk, period)]
                    )
                class_marks.append(item)
        self.class_count += sum(len(students) for _, _, students in meetings)

    def upcoming_excusals(self, today: date) -> list[Excusal]:
        """A few excusals parents have already sent for the coming days."""
        upcoming = []
        excused = {e.student_id for e in self.excusals if e.end_date >= today}
        for student in self.students:
            if student.pk in excused or self.rng.random() >= 0.02:
                continue
            start = today + timedelta(days=self.rng.randint(1, 12))
            end = start + timedelta(days=self.rng.choice([0, 0, 0, 1, 2]))
            upcoming.append(
                Excusal(
                    school=self.school,
                    student=student,
                    parent=self.family_of[student.pk][-1],
                    start_date=start,
                    end_date=end,
                    comment=self.rng.choice(["Orthodontist appointment", "Family wedding", "Hospital appointment"]),
                )
            )
        self.upcoming_count = len(upcoming)
        return upcoming


def _logins(admin_user, teacher_rows, teacher_users, advising, classes, class_plans, parent_rows, families):
    """The logins worth trying: the admin, two teachers (one also a homeroom advisor) and two
    parents (one with two children here)."""
    logins = [DemoLogin("admin", admin_user.username, admin_user.get_full_name(), "the office: reports, codes, API")]
    advised_by = defaultdict(list)
    for year_group_id, teachers in advising.items():
        for teacher in teachers:
            advised_by[teacher.pk].append(year_group_id)
    year_group_names = {plan[0].pk: plan[0].name for plan in class_plans}
    taught = defaultdict(list)
    for school_class, plan in zip(classes, class_plans, strict=True):
        taught[plan[4]].append(school_class.name)
    ranked = sorted(range(len(teacher_rows)), key=lambda i: (not advised_by[teacher_rows[i].pk], -len(taught[i]), i))
    for index in ranked[:2]:
        teacher = teacher_rows[index]
        detail = f"teaches {len(taught[index])} class{'es' if len(taught[index]) != 1 else ''}"
        if advised_by[teacher.pk]:
            detail += ", homeroom of " + ", ".join(year_group_names.get(g, "") for g in advised_by[teacher.pk])
        logins.append(DemoLogin("teacher", teacher_users[index].username, teacher.full_name, detail))
    parents_iter = iter(parent_rows)
    with_siblings = single = None
    for adults, children in families:
        family_parents = [next(parents_iter) for _ in adults]
        # Siblings in different year groups show a family page at its most useful.
        if with_siblings is None and len({c.year_group_id for c in children}) >= 2:
            with_siblings = (family_parents[0], children)
        if single is None and len(children) == 1:
            single = (family_parents[0], children)
    for found in (with_siblings, single):
        if found is None:
            continue
        parent, children = found
        detail = "parent of " + " and ".join(f"{c.full_name} ({c.year_group.name})" for c in children)
        logins.append(DemoLogin("parent", parent.user.username, parent.full_name, detail))
    return logins


def format_summary(demo: DemoSchool, url: str = DEMO_URL) -> list[str]:
    """The lines ``seed_demo`` prints, for the demo served at ``url``."""
    school = demo.school
    lines = [f"Built the demo school “{school.name}” (number {school.number}, {school.timezone})."]
    lines.append("  " + ", ".join(f"{count} {what}" for what, count in demo.counts.items()))
    if demo.first_marked_day:
        lines.append(f"  marks from {demo.first_marked_day} to {demo.last_marked_day}, all audited (channel demo)")
    lines += ["", f"Open {url} and sign in (password for every login: {DEMO_PASSWORD}):"]
    width = max(len(login.username) for login in demo.logins)
    for login in demo.logins:
        lines.append(f"  {login.role:<8} {login.username:<{width}}  {login.name}: {login.detail}")
    lines.append("  Every other teacher and parent signs in the same way (usernames are first.last).")
    if demo.credentials:
        lines += [
            "",
            f"API client for {demo.credentials.client.user.get_username()} (scopes: {', '.join(SCOPES)}):",
            f"  token:         {demo.credentials.token}",
            f"  client_id:     {demo.credentials.client_id}",
            f"  client_secret: {demo.credentials.client_secret}",
            f"  try: curl -H 'auth-token: {demo.credentials.token}' {url}/v2/ping",
        ]
    return lines


def demo_portraits() -> list[bytes]:
    """A few head-and-shoulders silhouettes on coloured grounds, as photo thumbnails."""
    from PIL import Image, ImageDraw

    from apps.school.photos import thumbnail

    portraits = []
    for ground, figure in [
        ("#dbeafe", "#1e3a8a"),
        ("#fce7f3", "#831843"),
        ("#dcfce7", "#14532d"),
        ("#fef3c7", "#78350f"),
    ]:
        image = Image.new("RGB", (160, 160), ground)
        draw = ImageDraw.Draw(image)
        draw.ellipse((52, 28, 108, 92), fill=figure)
        draw.ellipse((24, 100, 136, 210), fill=figure)
        out = io.BytesIO()
        image.save(out, "PNG")
        portraits.append(thumbnail(out.getvalue()))
    return portraits
