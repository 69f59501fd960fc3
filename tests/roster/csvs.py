"""Helpers of the roster tests: the exports under tests/roster/, copied and changed as a test needs."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from django.contrib.auth import get_user_model

from apps.classes.models import Enrollment, SchoolClass, TeacherAssignment, TimetableSlot
from apps.roster.report import ImportReport
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

HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "oneroster" / "edfi-sample"  # the real Ed-Fi export, unchanged (its README says so)
EXPORTS = HERE / "exports"  # exports the project writes, each with a habit of real ones (README there)
TABLES = (
    School,
    AcademicYear,
    Term,
    Period,
    SchoolClass,
    TimetableSlot,
    YearGroup,
    Advisor,
    Student,
    Teacher,
    Parent,
    Administrator,
    Guardianship,
    Enrollment,
    TeacherAssignment,
    AttendanceCode,
    get_user_model(),
)


def copy_export(name: str, into: Path) -> Path:
    folder = into / name
    shutil.copytree(EXPORTS / name, folder)
    return folder


def rows_of(folder: Path, name: str) -> tuple[list[str], list[list[str]]]:
    with (folder / f"{name}.csv").open(newline="", encoding="utf-8-sig") as handle:
        lines = list(csv.reader(handle))
    return lines[0], lines[1:]


def write(folder: Path, name: str, header: list[str], rows: list[list[str]]) -> None:
    with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])


def append_rows(folder: Path, name: str, *new: dict[str, str]) -> None:
    header, rows = rows_of(folder, name)
    rows += [[values.get(column, "") for column in header] for values in new]
    write(folder, name, header, rows)


def edit_rows(folder: Path, name: str, sourced_id: str, /, **changes: str) -> None:
    header, rows = rows_of(folder, name)
    for row in rows:
        if row[0] == sourced_id:
            for column, value in changes.items():
                row[header.index(column)] = value
    write(folder, name, header, rows)


def table_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


def totals(report: ImportReport, action: str) -> int:
    return sum(getattr(report, action).values())


def snapshot() -> dict[str, list]:
    """Every row of every table the import writes, to show that a re-import changes nothing."""
    return {model.__name__: sorted(map(repr, model.objects.values_list())) for model in TABLES}
