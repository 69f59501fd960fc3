"""Build the benchmark's school year in a PostgreSQL database of its own (dropped first).

    .venv/bin/python -m bench.load --scale 1 --db rollbook_bench

At SCALE 1: 2,000 students in 5 year groups (Years 7 to 11), 100 classes (forms of 20 that
meet all six periods of every weekday), 100 class teachers (two per year group also advise
it), one parent per student (siblings share), an admin, ManageBac's codes, an academic year
of 36 marked weeks (180 school days, two holiday weeks) in three terms, a class mark for every
timetabled lesson (about 2.16 million) and a daily mark per student per school day (360,000),
with excusals for the excused absences. The school day the benchmark takes the roll on (the
latest weekday up to today) and the weeks after it are left unmarked.

Reference data goes in through the ORM (bulk_create); marks through psycopg COPY with the
marks tables' indexes and constraints dropped and re-created afterwards (which validates every
row against them). Marks loaded this way skip the audited write path, so they have no audit
entries. Then VACUUM ANALYZE.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

SCHOOL_NUMBER = 880001
FORM_SIZE = 20
YEAR_GROUPS = ["Year 7", "Year 8", "Year 9", "Year 10", "Year 11"]
PERIOD_TIMES = ["08:30", "09:30", "10:45", "11:45", "13:30", "14:30"]
MARKED_WEEKS = 36
HOLIDAY_AFTER_WEEKS = (12, 24)  # a week off after the 12th and the 24th marked week
PASSWORD = "rollbook-bench"

FIRST = "Amelia Ben Chloe Daniel Ella Finn Grace Harry Isla Jack Kai Lily Max Nia Oscar Poppy Quinn Rosa Sam Theo"
LAST = "Ahmed Brown Clarke Davies Evans Fischer Garcia Hughes Iqbal Jones Khan Lewis Murphy Nowak Patel Reid Singh"


@dataclass
class Calendar:
    roll_day: date  # the day the benchmark takes the roll on: unmarked
    school_days: list[date]  # marked days, oldest first
    year_start: date
    year_end: date
    terms: list[tuple[str, date, date]]


def calendar(today: date) -> Calendar:
    roll_day = today
    while roll_day.isoweekday() > 5:
        roll_day -= timedelta(days=1)
    monday = roll_day - timedelta(days=roll_day.weekday())
    weeks = MARKED_WEEKS + len(HOLIDAY_AFTER_WEEKS)
    first_monday = monday - timedelta(weeks=weeks)
    week_mondays = [first_monday + timedelta(weeks=i) for i in range(weeks)]
    holidays = {week_mondays[n + i] for i, n in enumerate(HOLIDAY_AFTER_WEEKS)}
    teaching = [m for m in week_mondays if m not in holidays]
    days = [m + timedelta(days=d) for m in teaching for d in range(5)]
    days += [d for d in (monday + timedelta(days=i) for i in range(5)) if d < roll_day]
    year_end = monday + timedelta(weeks=6, days=4)
    # Terms end with the holidays; the third runs past the roll day.
    t1_end = min(holidays) - timedelta(days=3)
    t2_end = max(holidays) - timedelta(days=3)
    terms = [
        ("Autumn", first_monday, t1_end),
        ("Spring", min(holidays) + timedelta(weeks=1), t2_end),
        ("Summer", max(holidays) + timedelta(weeks=1), year_end),
    ]
    return Calendar(roll_day, days, first_monday, year_end, terms)


def log(message: str) -> None:
    print(f"[bench.load {time.strftime('%H:%M:%S')}] {message}", flush=True)


def create_database(pg: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(db: str) -> None:
    os.environ["BENCH_DB"] = db
    # Building the school takes long statements (COPY, index builds): no statement timeout.
    os.environ.setdefault("BENCH_STATEMENT_TIMEOUT_MS", "0")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def build(scale: float, seed: int, today: date) -> dict:
    """The school's reference data through the ORM; returns what the marks need."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.db import transaction

    from apps.classes.models import Enrollment, SchoolClass, TeacherAssignment, TimetableSlot
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
        Teacher,
        Term,
        YearGroup,
    )
    from apps.school.services import seed_attendance_codes

    rng = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
    cal = calendar(today)
    n_students = max(FORM_SIZE * len(YEAR_GROUPS), round(2000 * scale))
    n_forms = -(-n_students // FORM_SIZE)
    first, last = FIRST.split(), LAST.split()
    password = make_password(PASSWORD)

    with transaction.atomic():
        school = School.objects.create(name="Benchmark Academy", number=SCHOOL_NUMBER, timezone="UTC")
        seed_attendance_codes(school)
        codes = {c.mb_status: c.pk for c in AttendanceCode.objects.filter(school=school)}
        year = AcademicYear.objects.create(
            school=school,
            name=f"{cal.year_start.year}-{cal.year_end.year}",
            start_date=cal.year_start,
            end_date=cal.year_end,
        )
        Term.objects.bulk_create(
            Term(school=school, academic_year=year, name=n, start_date=s, end_date=e) for n, s, e in cal.terms
        )
        periods = Period.objects.bulk_create(
            Period(
                school=school,
                number=i + 1,
                name=f"Period {i + 1}",
                start_time=t,
                end_time=(datetime.strptime(t, "%H:%M") + timedelta(minutes=55)).time(),
            )
            for i, t in enumerate(PERIOD_TIMES)
        )
        year_groups = YearGroup.objects.bulk_create(
            YearGroup(school=school, name=n, grade=str(7 + i)) for i, n in enumerate(YEAR_GROUPS)
        )

        admin_user = User.objects.create(username="bench.admin", password=password, is_staff=True)
        Administrator.objects.create(school=school, first_name="Office", last_name="Admin", user=admin_user)
        teacher_users = User.objects.bulk_create(
            User(username=f"bench.t{i:04d}", password=password) for i in range(n_forms)
        )
        teachers = Teacher.objects.bulk_create(
            Teacher(school=school, first_name=rng.choice(first), last_name=rng.choice(last), user=u)
            for u in teacher_users
        )

        forms_per_group = [n_forms // len(YEAR_GROUPS) + (i < n_forms % len(YEAR_GROUPS)) for i in range(5)]
        form_group = [g for g, n in enumerate(forms_per_group) for _ in range(n)]
        form_in_group = [k for n in forms_per_group for k in range(n)]
        classes = SchoolClass.objects.bulk_create(
            SchoolClass(
                school=school,
                name=f"{YEAR_GROUPS[g]} form {k + 1}",
                code=f"F{i:04d}",
                subject="Form",
                grade=str(7 + g),
                academic_year=year,
                start_date=cal.year_start,
                end_date=cal.year_end,
            )
            for i, (g, k) in enumerate(zip(form_group, form_in_group, strict=True))
        )
        TeacherAssignment.objects.bulk_create(
            TeacherAssignment(school=school, school_class=c, teacher=t) for c, t in zip(classes, teachers, strict=True)
        )
        advisors = []
        for g, yg in enumerate(year_groups):
            own = [t for t, fg in zip(teachers, form_group, strict=True) if fg == g][:2]
            advisors += [Advisor(school=school, year_group=yg, teacher=t) for t in own]
        Advisor.objects.bulk_create(advisors)
        TimetableSlot.objects.bulk_create(
            (
                TimetableSlot(school=school, school_class=c, weekday=d, period=p, location=f"R{i:03d}")
                for i, c in enumerate(classes)
                for d in range(1, 6)
                for p in periods
            ),
            batch_size=5000,
        )

        form_of = [i * n_forms // n_students for i in range(n_students)]
        students = Student.objects.bulk_create(
            (
                Student(
                    school=school,
                    first_name=rng.choice(first),
                    last_name=rng.choice(last),
                    student_number=f"S{i:06d}",
                    year_group=year_groups[form_group[form_of[i]]],
                )
                for i in range(n_students)
            ),
            batch_size=5000,
        )
        Enrollment.objects.bulk_create(
            (Enrollment(school=school, school_class=classes[form_of[i]], student=s) for i, s in enumerate(students)),
            batch_size=5000,
        )
        # One parent per family; about one family in eight has two children here.
        families: list[list[int]] = []
        for i in range(n_students):
            if families and len(families[-1]) == 1 and rng.random() < 0.14:
                families[-1].append(i)
            else:
                families.append([i])
        parents = Parent.objects.bulk_create(
            (Parent(school=school, first_name=rng.choice(first), last_name=students[f[0]].last_name) for f in families),
            batch_size=5000,
        )
        Guardianship.objects.bulk_create(
            (
                Guardianship(school=school, parent=p, student=students[i])
                for p, f in zip(parents, families, strict=True)
                for i in f
            ),
            batch_size=5000,
        )
        parent_of = {students[i].pk: p.pk for p, f in zip(parents, families, strict=True) for i in f}

    log(f"reference data: {n_students} students, {n_forms} classes, {len(teachers)} teachers, {len(parents)} parents")
    return {
        "school": school.pk,
        "cal": cal,
        "codes": codes,
        "periods": [p.pk for p in periods],
        "students": [(s.pk, classes[form_of[i]].pk, teacher_users[form_of[i]].pk) for i, s in enumerate(students)],
        "parent_of": parent_of,
        "rng": rng,
    }


def generate_marks(ref: dict, class_out: io.StringIO, daily_out: io.StringIO) -> list[tuple[int, int, date, date]]:
    """Write the year's marks as COPY text; returns excusals (student, parent, start, end).

    Most students are present; about one in twenty is often ill. An illness lasts 1 to 3
    days and four in ten are excused by a parent (Excused or Health); some students arrive
    late (Late in homeroom and the first lesson), some are sent home part way (Dismissed from
    that period), and some miss a single lesson (Absent)."""
    rng: random.Random = ref["rng"]
    codes, periods, school = ref["codes"], ref["periods"], ref["school"]
    present, present_p, absent, late, excused, health, dismissed = (
        codes[-1],
        codes[1],
        codes[0],
        codes[2],
        codes[13],
        codes[10],
        codes[5],
    )
    excusals = []
    days = ref["cal"].school_days
    stamp = {(d, p): f"{d.isoformat()} {PERIOD_TIMES[p]}:00+00" for d in days for p in range(6)}
    for student, school_class, recorder in ref["students"]:
        chronic = rng.random() < 0.05
        ill_rate = 0.06 if chronic else 0.012
        streak, streak_code = 0, absent
        parent = ref["parent_of"][student]
        cls_rows, day_rows = [], []
        for day in days:
            if streak == 0 and rng.random() < ill_rate:
                streak = rng.choice((1, 1, 1, 2, 3))
                streak_code = rng.choice((excused, health)) if rng.random() < 0.4 else absent
                if streak_code != absent:
                    excusals.append((student, parent, day, day + timedelta(days=streak - 1)))
            if streak:
                streak -= 1
                codes_today = [streak_code] * 6
                daily, daily_late = streak_code, "\\N"
            else:
                roll = rng.random()
                codes_today = [present] * 6
                daily, daily_late = present, "\\N"
                if roll < 0.025:
                    codes_today[0], daily, daily_late = late, late, str(rng.randint(3, 25))
                elif roll < 0.03:
                    gone = rng.randint(2, 5)
                    codes_today[gone:] = [dismissed] * (6 - gone)
                elif roll < 0.045:
                    codes_today[rng.randint(0, 5)] = absent
                elif roll < 0.09:
                    codes_today = [present_p] * 6
                    daily = present_p
            iso = day.isoformat()
            day_rows.append(
                f"{school}\t{student}\t{iso}\t{daily}\t\t{daily_late}\t{recorder}\tweb\t{stamp[day, 0]}\tf\n"
            )
            for p in range(6):
                code = codes_today[p]
                minutes = daily_late if (p == 0 and code == late) else "\\N"
                cls_rows.append(
                    f"{school}\t{school_class}\t{student}\t{iso}\t{periods[p]}\t0\t{code}\t\t{minutes}\t{recorder}"
                    f"\tweb\t{stamp[day, p]}\tf\n"
                )
        class_out.write("".join(cls_rows))
        daily_out.write("".join(day_rows))
    return excusals


CLASS_COLUMNS = (
    "school_id, school_class_id, student_id, date, period_id, interval, code_id, note, minutes_late, "
    "recorded_by_id, channel, recorded_at, shared_with_family"
)
DAILY_COLUMNS = (
    "school_id, student_id, date, code_id, note, minutes_late, recorded_by_id, channel, recorded_at, shared_with_family"
)


def copy_marks(cursor, table: str, columns: str, data: io.StringIO) -> None:
    """COPY into ``table`` with its secondary indexes and constraints dropped, then put them
    back exactly as the migrations made them (adding them back checks every row)."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'u', 'c')",
        [table],
    )
    constraints = cursor.fetchall()
    for name, _ in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        [table],
    )
    indexes = cursor.fetchall()
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        view = data.getvalue()
        for start in range(0, len(view), 1 << 22):
            copy.write(view[start : start + (1 << 22)])
    for _, definition in indexes:
        cursor.execute(definition)
    for name, definition in constraints:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def load(scale: float, db: str, pg: str, seed: int = 1, today: date | None = None) -> dict:
    started = time.monotonic()
    today = today or datetime.now(UTC).date()
    log(f"creating database {db} (scale {scale})")
    create_database(pg, db)
    setup_django(db)
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    log("migrated")
    ref = build(scale, seed, today)

    class_data, daily_data = io.StringIO(), io.StringIO()
    excusals = generate_marks(ref, class_data, daily_data)
    log("marks generated")

    from apps.excusals.models import Excusal

    with transaction.atomic():
        with connection.cursor() as cursor:
            copy_marks(cursor.cursor, "classes_classmark", CLASS_COLUMNS, class_data)
            log("class marks copied")
            copy_marks(cursor.cursor, "homeroom_dailymark", DAILY_COLUMNS, daily_data)
            log("daily marks copied")
        Excusal.objects.bulk_create(
            (
                Excusal(school_id=ref["school"], student_id=s, parent_id=p, start_date=a, end_date=b, comment="Unwell")
                for s, p, a, b in excusals
            ),
            batch_size=5000,
        )
    del class_data, daily_data
    connection.close()
    import psycopg

    with psycopg.connect(f"{pg}/{db}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        counts = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in (
                "school_student",
                "classes_schoolclass",
                "classes_classmark",
                "homeroom_dailymark",
                "excusals_excusal",
                "classes_enrollment",
                "classes_timetableslot",
            )
        }
    seconds = time.monotonic() - started
    log(f"done in {seconds:.0f} s: {counts}")
    return {
        "scale": scale,
        "db": db,
        "seconds": round(seconds, 1),
        "rows": counts,
        "roll_day": ref["cal"].roll_day.isoformat(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 is 2,000 students (default 1)")
    parser.add_argument("--db", default="rollbook_bench", help="database to (re)create (default rollbook_bench)")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    os.environ["BENCH_PG"] = args.pg
    info = load(args.scale, args.db, args.pg, args.seed)
    # For bench/run.py, which reports how long the build took.
    (Path(tempfile.gettempdir()) / f"rollbook-bench-load-{args.db}.json").write_text(json.dumps(info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
