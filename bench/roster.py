"""Time the roster import on a large export (issue 17): the preview must take under a minute.

    .venv/bin/python -m bench.roster                                    # 50,000 users, 500,000 enrollments
    .venv/bin/python -m bench.roster --users 5000 --enrollments 50000   # a quicker look

Writes a OneRoster 1.1 export (a .zip) of a district: ten schools, each with its own school
year and two semesters, classes that meet in ranges of periods, homerooms, students with logins,
their guardians (linked from the student's row), teachers and an administrator per school. Then,
in a PostgreSQL database of its own (dropped first, then migrated), times:

1. the preview of the export on an empty database (what the upload page shows a new district);
2. the import itself, in one transaction;
3. the preview again, with everything already there (a re-import: nothing to change).

Prints a summary and writes bench/roster-results.json. `make bench` runs it after the page
benchmark (`make bench ROSTER_ARGS="--users 5000 --enrollments 50000"` for a quick look).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "roster-results.json"
SCHOOLS = 10
PER_CLASS = 25
CLASSES_PER_STUDENT = 10
TARGET_SECONDS = 60


def log(message: str) -> None:
    print(f"[bench.roster {time.strftime('%H:%M:%S')}] {message}", flush=True)


def rows_to_csv(header: list[str], rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def generate(users: int, enrollments: int) -> tuple[bytes, dict]:
    """The export's .zip bytes and what it holds. Of the users, 2% are teachers, one an
    administrator per school, 8% guardians, the rest students; enrollments are each student's
    homeroom, then classes until the count is reached, then each class's teacher."""
    teachers = max(SCHOOLS, users * 2 // 100)
    guardians = users * 8 // 100
    students = users - teachers - guardians - SCHOOLS
    files: dict[str, bytes] = {}
    files["manifest.csv"] = rows_to_csv(
        ["propertyName", "value"],
        [["manifest.version", "1.0"], ["oneroster.version", "1.1"]]
        + [[f"file.{n}", "bulk"] for n in ("orgs", "academicSessions", "courses", "classes", "users", "enrollments")],
    )
    files["orgs.csv"] = rows_to_csv(
        ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"],
        [["D", "", "", "Benchmark District", "district", "", ""]]
        + [[f"S{s}", "", "", f"Benchmark School {s}", "school", str(9000 + s), "D"] for s in range(SCHOOLS)],
    )
    sessions = []
    for s in range(SCHOOLS):
        sessions += [
            [f"S{s}-Y", "", "", "2026-2027", "schoolYear", "2026-08-24", "2027-06-25", "", "2027"],
            [f"S{s}-F", "", "", "Fall", "semester", "2026-08-24", "2027-01-15", f"S{s}-Y", "2027"],
            [f"S{s}-P", "", "", "Spring", "semester", "2027-01-18", "2027-06-25", f"S{s}-Y", "2027"],
        ]
    files["academicSessions.csv"] = rows_to_csv(
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "type",
            "startDate",
            "endDate",
            "parentSourcedId",
            "schoolYear",
        ],
        sessions,
    )
    files["courses.csv"] = rows_to_csv(
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "schoolYearSourcedId",
            "title",
            "courseCode",
            "grades",
            "orgSourcedId",
        ],
        [
            [f"S{s}-C{c}", "", "", f"S{s}-Y", f"Course {c}", f"C{c}", "", f"S{s}"]
            for s in range(SCHOOLS)
            for c in range(20)
        ],
    )
    school_of_student = [n % SCHOOLS for n in range(students)]
    school_students = [[n for n in range(students) if n % SCHOOLS == s] for s in range(SCHOOLS)]
    homeroom_enrollments = students
    class_budget = max(0, enrollments - homeroom_enrollments)
    # Classes of 25: each teacher enrollment is one more row, so solve for the student rows.
    student_class_rows = class_budget * PER_CLASS // (PER_CLASS + 1)
    classes_per_school = [max(1, -(-student_class_rows // SCHOOLS // PER_CLASS)) for _ in range(SCHOOLS)]
    class_rows, enrollment_rows, homerooms = [], [], []
    teacher_ids = [f"T{t}" for t in range(teachers)]
    for s in range(SCHOOLS):
        for h in range(-(-len(school_students[s]) // 30)):
            homerooms.append((s, h))
            class_rows.append(
                [
                    f"S{s}-H{h}",
                    "",
                    "",
                    f"Homeroom {h}",
                    "",
                    f"S{s}-C0",
                    f"HR{h}",
                    "homeroom",
                    "",
                    f"S{s}",
                    f"S{s}-F,S{s}-P",
                    "",
                    "",
                    "",
                ]
            )
        for c in range(classes_per_school[s]):
            first = 1 + c % 5
            class_rows.append(
                [
                    f"S{s}-K{c}",
                    "",
                    "",
                    f"Class {c}",
                    "09",
                    f"S{s}-C{c % 20}",
                    f"K{c}",
                    "scheduled",
                    f"R{c % 40}",
                    f"S{s}",
                    f"S{s}-F,S{s}-P" if c % 3 else f"S{s}-F",
                    "",
                    "",
                    f"{first}-{first + 1}" if c % 4 == 0 else str(first),
                ]
            )
    files["classes.csv"] = rows_to_csv(
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "grades",
            "courseSourcedId",
            "classCode",
            "classType",
            "location",
            "schoolSourcedId",
            "termSourcedIds",
            "subjects",
            "subjectCodes",
            "periods",
        ],
        class_rows,
    )
    for s in range(SCHOOLS):  # each student's homeroom
        for i, n in enumerate(school_students[s]):
            enrollment_rows.append([f"EH{n}", "", "", f"S{s}-H{i // 30}", f"S{s}", f"U{n}", "student", "false", "", ""])
    made = 0
    for round_ in range(CLASSES_PER_STUDENT * 4):
        for n in range(students):
            if made >= student_class_rows:
                break
            s = school_of_student[n]
            c = (n // SCHOOLS * CLASSES_PER_STUDENT + round_) % classes_per_school[s]
            enrollment_rows.append(
                [f"E{n}-{round_}", "", "", f"S{s}-K{c}", f"S{s}", f"U{n}", "student", "false", "", ""]
            )
            made += 1
        if made >= student_class_rows:
            break
    for s in range(SCHOOLS):
        mine = [t for t in range(teachers) if t % SCHOOLS == s]
        for c in range(classes_per_school[s]):
            if len(enrollment_rows) >= enrollments:
                break
            t = mine[c % len(mine)]
            enrollment_rows.append([f"ET{s}-{c}", "", "", f"S{s}-K{c}", f"S{s}", f"T{t}", "teacher", "true", "", ""])
    files["enrollments.csv"] = rows_to_csv(
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "classSourcedId",
            "schoolSourcedId",
            "userSourcedId",
            "role",
            "primary",
            "beginDate",
            "endDate",
        ],
        enrollment_rows,
    )
    user_rows = []
    for n in range(students):
        guardian = f"G{n}" if n < guardians else ""
        user_rows.append(
            [
                f"U{n}",
                "",
                "",
                "true",
                f"S{school_of_student[n]}",
                "student",
                f"student{n}",
                f"{{SIS:{n}}}",
                f"Given{n}",
                f"Family{n}",
                "",
                str(100000 + n),
                f"s{n}@school.example",
                "",
                "",
                guardian,
                "09",
                "",
            ]
        )
    for g in range(guardians):
        user_rows.append(
            [
                f"G{g}",
                "",
                "",
                "true",
                f"S{school_of_student[g]}",
                "guardian",
                "",
                "",
                "Guardian",
                f"Family{g}",
                "",
                "",
                f"g{g}@family.example",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    for t, sid in enumerate(teacher_ids):
        user_rows.append(
            [
                sid,
                "",
                "",
                "true",
                f"S{t % SCHOOLS}",
                "teacher",
                f"teacher{t}",
                "",
                "Teacher",
                f"T{t}",
                "",
                "",
                f"t{t}@school.example",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    for s in range(SCHOOLS):
        user_rows.append(
            [
                f"A{s}",
                "",
                "",
                "true",
                f"S{s}",
                "administrator",
                f"office{s}",
                "",
                "Office",
                f"S{s}",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    files["users.csv"] = rows_to_csv(
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "enabledUser",
            "orgSourcedIds",
            "role",
            "username",
            "userIds",
            "givenName",
            "familyName",
            "middleName",
            "identifier",
            "email",
            "sms",
            "phone",
            "agentSourcedIds",
            "grades",
            "password",
        ],
        user_rows,
    )
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(f"benchmark-district/{name}", data)
    shape = {
        "users": len(user_rows),
        "students": students,
        "teachers": teachers,
        "guardians": guardians,
        "administrators": SCHOOLS,
        "schools": SCHOOLS,
        "classes": len(class_rows),
        "enrollments": len(enrollment_rows),
        "csv_bytes": sum(len(d) for d in files.values()),
        "zip_bytes": len(packed.getvalue()),
    }
    return packed.getvalue(), shape


def timed(label: str, run) -> tuple[float, object]:
    log(f"{label} …")
    started = time.perf_counter()
    value = run()
    seconds = time.perf_counter() - started
    log(f"{label}: {seconds:.1f} s")
    return seconds, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--enrollments", type=int, default=500_000)
    parser.add_argument("--db", default="rollbook_bench_roster", help="database to (re)create")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--no-import", action="store_true", help="only the first preview")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    os.environ["BENCH_PG"] = args.pg
    from bench.load import create_database, setup_django

    log(f"generating {args.users:,} users and {args.enrollments:,} enrollments")
    generate_seconds, (export, shape) = timed("generate", lambda: generate(args.users, args.enrollments))
    log(f"export: {shape}")
    create_database(args.pg, args.db)
    setup_django(args.db)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from apps.roster.services import import_roster

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "benchmark-district.zip"
        path.write_bytes(export)
        first, report = timed("preview on an empty database", lambda: import_roster(path, dry_run=True))
        results = {
            "shape": shape,
            "generate_seconds": round(generate_seconds, 1),
            "preview_empty_seconds": round(first, 1),
            "preview_counts": {k: v for k, v in report.created.items() if v},
            "warnings": len(report.warnings),
        }
        if not args.no_import:
            applied, imported = timed("import", lambda: import_roster(path))
            assert imported.created == report.created, "the import did not do what its preview said"
            again, second = timed("preview of a re-import", lambda: import_roster(path, dry_run=True))
            changes = sum(sum(getattr(second, a).values()) for a in ("created", "updated", "archived", "removed"))
            results |= {
                "import_seconds": round(applied, 1),
                "preview_reimport_seconds": round(again, 1),
                "reimport_changes": changes,
            }
    results |= {
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "target_seconds": TARGET_SECONDS,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    args.results.write_text(json.dumps(results, indent=2) + "\n")
    log(json.dumps(results, indent=2))
    slowest = max(results.get("preview_empty_seconds", 0), results.get("preview_reimport_seconds", 0))
    if slowest > TARGET_SECONDS:
        log(f"the preview took {slowest:.1f} s, over the {TARGET_SECONDS} s target")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
