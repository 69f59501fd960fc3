"""OneRoster 1.1 CSV roster import: read an export, check every row, then apply it in one transaction."""

from __future__ import annotations

import csv
import io
import re
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import Max, Q

from apps.classes.models import Enrollment, SchoolClass, TeacherAssignment, TimetableSlot
from apps.school.dates import OUT_OF_RANGE, in_range, parse_iso
from apps.school.models import (
    AcademicYear,
    Administrator,
    Advisor,
    Guardianship,
    Parent,
    Period,
    School,
    Student,
    Teacher,
    Term,
    YearGroup,
    validate_timezone,
)

# An export is read into memory; these bound what one file and one whole export may expand to,
# whatever a zip's headers claim (a zip bomb stops at the limit instead of filling the memory).
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_EXPORT_BYTES = 256 * 1024 * 1024
MAX_ERRORS = 50

ROLLOUT_FILES = ("orgs", "academicSessions", "courses", "classes", "users", "enrollments")
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "manifest": ("propertyName", "value"),
    "orgs": ("sourcedId", "name", "type"),
    "academicSessions": ("sourcedId", "title", "type", "startDate", "endDate"),
    "courses": ("sourcedId", "title"),
    "classes": ("sourcedId", "title", "classType", "courseSourcedId", "schoolSourcedId", "termSourcedIds"),
    "users": ("sourcedId", "enabledUser", "orgSourcedIds", "role", "username", "givenName", "familyName"),
    "enrollments": ("sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"),
}
ORG_TYPES = {"department", "school", "district", "local", "state", "national"}
SESSION_TYPES = {"schoolYear", "term", "semester", "gradingPeriod"}
CLASS_TYPES = {"homeroom", "scheduled"}
USER_ROLES = {"administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher"}
PARENT_ROLES = {"guardian", "parent", "relative"}
PERSON_MODELS: dict[str, type[models.Model]] = {
    "student": Student,
    "teacher": Teacher,
    "parent": Parent,
    "administrator": Administrator,
}
SCHOOL_DAYS = (1, 2, 3, 4, 5)
# Anything Django's username validator would refuse (spaces, quotes, …) becomes a dot, so that
# "Mary Archer" logs in as "Mary.Archer" and the login stays editable in the admin.
USERNAME_UNSAFE = re.compile(r"[^\w.@+-]+")
USER_ID = re.compile(r"\{\s*[^:{}]*:\s*([^{}]*?)\s*\}")

KINDS = (
    "schools",
    "academic years",
    "terms",
    "periods",
    "classes",
    "timetable slots",
    "year groups",
    "advisors",
    "logins",
    "students",
    "teachers",
    "parents",
    "administrators",
    "guardianships",
    "enrollments",
    "teacher assignments",
)


class RosterError(Exception):
    """The export was refused; ``errors`` says where and why. Nothing was saved."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    archived: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def lines(self) -> list[str]:
        out = []
        for kind in KINDS:
            parts = [
                f"{self.created[kind]} created",
                f"{self.updated[kind]} updated",
                f"{self.archived[kind]} archived",
            ]
            if self.removed[kind]:
                parts.append(f"{self.removed[kind]} removed")
            out.append(f"{kind}: {', '.join(parts)}")
        return out


@dataclass
class Row:
    file: str
    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")

    @property
    def where(self) -> str:
        return f"{self.file}.csv line {self.line}"

    @property
    def sourced_id(self) -> str:
        return self["sourcedId"]

    @property
    def deleted(self) -> bool:
        return self["status"].lower() == "tobedeleted"


class Problems:
    """Collects refusals so one run reports every bad row (up to a limit), not just the first."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def add(self, where: str, reason: str) -> None:
        message = f"{where}: {reason}"
        if message in self.errors:  # the same row refused again for a second school
            return
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(message)
        elif len(self.errors) == MAX_ERRORS:
            self.errors.append("… and more; fix these first")

    def raise_if_any(self) -> None:
        if self.errors:
            raise RosterError(self.errors)


# ---------------------------------------------------------------- reading the export


class ExportReader:
    """Reads ``<name>.csv`` from a folder or a zip, by name only, into memory, within limits."""

    def __init__(self, path: Path):
        self.path = path
        self.total = 0
        self.zip: zipfile.ZipFile | None = None
        self.members: dict[str, zipfile.ZipInfo] = {}
        if path.is_dir():
            return
        if not path.is_file():
            raise RosterError([f"{path}: no such folder or file"])
        if not zipfile.is_zipfile(path):
            raise RosterError([f"{path}: neither a folder nor a .zip of OneRoster CSV files"])
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            raise RosterError([f"{path}: not a readable .zip ({error})"]) from None
        for info in self.zip.infolist():
            name = PurePosixPath(info.filename)
            # Only "users.csv" or "<one folder>/users.csv"; nothing is ever extracted to disk, so
            # "../" tricks cannot write anywhere, and ambiguous duplicates are refused, not guessed.
            if info.is_dir() or len(name.parts) > 2 or ".." in name.parts or name.suffix.lower() != ".csv":
                continue
            if name.name in self.members:
                raise RosterError([f"{path}: holds {name.name} twice"])
            self.members[name.name] = info

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()

    def read(self, name: str) -> str | None:
        filename = f"{name}.csv"
        if self.zip is None:
            file = self.path / filename
            if not file.is_file():
                return None
            with file.open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        else:
            info = self.members.get(filename)
            if info is None:
                return None
            if info.file_size > MAX_FILE_BYTES:
                raise RosterError([f"{filename}: larger than {MAX_FILE_BYTES // 2**20} MB"])
            try:
                with self.zip.open(info) as handle:
                    data = handle.read(MAX_FILE_BYTES + 1)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as error:
                # Encrypted members, unknown compression, a corrupt stream (its CRC checked at the end).
                raise RosterError([f"{filename}: cannot be read from the zip ({error})"]) from None
        if len(data) > MAX_FILE_BYTES:
            raise RosterError([f"{filename}: larger than {MAX_FILE_BYTES // 2**20} MB"])
        self.total += len(data)
        if self.total > MAX_EXPORT_BYTES:
            raise RosterError([f"{self.path}: the export is larger than {MAX_EXPORT_BYTES // 2**20} MB"])
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise RosterError([f"{filename}: not UTF-8 text (byte {error.start})"]) from None


def parse_csv(name: str, text: str, problems: Problems) -> list[Row]:
    """Rows of one file with their line numbers; survives a missing final newline and the
    trailing empty field some exports add, refuses anything else that does not fit the header."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    filename = f"{name}.csv"
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration:
        problems.add(filename, "is empty (no header row)")
        return []
    except csv.Error as error:
        problems.add(f"{filename} line 1", f"not valid CSV ({error})")
        return []
    duplicates = sorted({c for c in header if header.count(c) > 1 and c})
    if duplicates:
        problems.add(f"{filename} line 1", f"column {', '.join(duplicates)} appears twice")
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in header]
    if missing:
        problems.add(f"{filename} line 1", f"missing column(s) {', '.join(missing)}")
        return []
    rows = []
    line = reader.line_num + 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.add(f"{filename} line {line}", f"not valid CSV ({error})")
            break
        if fields and any(f.strip() for f in fields):
            extra = fields[len(header) :]
            if len(fields) < len(header) or any(f.strip() for f in extra):
                problems.add(f"{filename} line {line}", f"has {len(fields)} fields, the header has {len(header)}")
            else:
                rows.append(Row(name, line, {c: v.strip() for c, v in zip(header, fields, strict=False)}))
        line = reader.line_num + 1
    return rows


def split_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def login_name(username: str) -> str:
    """The Django username for a OneRoster username (see USERNAME_UNSAFE)."""
    return USERNAME_UNSAFE.sub(".", username.strip()).strip(".")


# ---------------------------------------------------------------- checking each row


@dataclass
class Export:
    modes: dict[str, str]
    orgs: list[Row]
    sessions: list[Row]
    courses: dict[str, Row]
    classes: list[Row]
    users: list[Row]
    enrollments: list[Row]


class RowChecker:
    def __init__(self, problems: Problems):
        self.problems = problems

    def required(self, row: Row, *columns: str) -> bool:
        ok = True
        for column in columns:
            if not row[column]:
                self.problems.add(row.where, f"{column} is empty")
                ok = False
        return ok

    def choice(self, row: Row, column: str, allowed: set[str], what: str) -> bool:
        if row[column] not in allowed:
            self.problems.add(row.where, f"{column} {row[column]!r} is not a OneRoster {what}")
            return False
        return True

    def date(self, row: Row, column: str, *, required: bool) -> date | None:
        value = row[column]
        if not value:
            if required:
                self.problems.add(row.where, f"{column} is empty")
            return None
        found = parse_iso(value)
        if found is None:
            self.problems.add(row.where, f"{column} {value!r} is not a date (YYYY-MM-DD)")
        elif not in_range(found):
            self.problems.add(row.where, f"{column} {value!r} {OUT_OF_RANGE}")
            found = None
        return found

    def common(self, rows: list[Row]) -> list[Row]:
        """sourcedId present and unique, status known."""
        seen: dict[str, int] = {}
        good = []
        for row in rows:
            ok = self.required(row, "sourcedId")
            if row.sourced_id in seen:
                self.problems.add(row.where, f"sourcedId {row.sourced_id!r} already on line {seen[row.sourced_id]}")
                ok = False
            seen.setdefault(row.sourced_id, row.line)
            if row["status"].lower() not in ("", "active", "tobedeleted"):
                self.problems.add(row.where, f"status {row['status']!r} is not active or tobedeleted")
                ok = False
            if ok:
                good.append(row)
        return good


def read_export(path: Path) -> Export:
    """Read and check every file of the export; raise RosterError listing each bad file or row."""
    problems = Problems()
    reader = ExportReader(path)
    try:
        manifest_text = reader.read("manifest")
        if manifest_text is None:
            raise RosterError(["manifest.csv: missing (is this a OneRoster CSV export?)"])
        modes = read_manifest(parse_csv("manifest", manifest_text, problems), problems)
        problems.raise_if_any()
        rows: dict[str, list[Row]] = {}
        for name in ROLLOUT_FILES:
            text = reader.read(name)
            if modes[name] == "absent":
                rows[name] = []
            elif text is None:
                problems.add(f"{name}.csv", "missing (the manifest lists it as " + modes[name] + ")")
            else:
                rows[name] = parse_csv(name, text, problems)
        problems.raise_if_any()
    finally:
        reader.close()

    check = RowChecker(problems)
    orgs = []
    for row in check.common(rows["orgs"]):
        if check.required(row, "name") and check.choice(row, "type", ORG_TYPES, "org type"):
            orgs.append(row)
    sessions = []
    for row in check.common(rows["academicSessions"]):
        ok = check.required(row, "title") and check.choice(row, "type", SESSION_TYPES, "session type")
        start = check.date(row, "startDate", required=True)
        end = check.date(row, "endDate", required=True)
        if start and end and end < start:
            problems.add(row.where, f"endDate {end} is before startDate {start}")
            ok = False
        if ok and start and end:
            row.values["_start"], row.values["_end"] = start.isoformat(), end.isoformat()
            sessions.append(row)
    courses = {row.sourced_id: row for row in check.common(rows["courses"])}
    classes = []
    for row in check.common(rows["classes"]):
        ok = check.required(row, "title", "schoolSourcedId", "termSourcedIds")
        ok = check.choice(row, "classType", CLASS_TYPES, "class type") and ok
        if ok:
            classes.append(row)
    users = []
    for row in check.common(rows["users"]):
        ok = check.required(row, "givenName", "familyName")
        if row["role"] not in USER_ROLES:
            problems.add(row.where, f"role {row['role']!r} is not a OneRoster role")
            ok = False
        if row["enabledUser"].lower() not in ("true", "false"):
            problems.add(row.where, f"enabledUser {row['enabledUser']!r} is not true or false")
            ok = False
        if row["email"]:
            try:
                validate_email(row["email"])
            except ValidationError:
                problems.add(row.where, f"email {row['email']!r} is not an email address")
                ok = False
        if row["username"] and not login_name(row["username"]):
            problems.add(row.where, f"username {row['username']!r} has no usable characters")
            ok = False
        if len(login_name(row["username"])) > 150:
            problems.add(row.where, "username is longer than 150 characters")
            ok = False
        if ok:
            users.append(row)
    enrollments = []
    for row in check.common(rows["enrollments"]):
        ok = check.required(row, "classSourcedId", "schoolSourcedId", "userSourcedId")
        if row["role"] not in USER_ROLES:
            problems.add(row.where, f"role {row['role']!r} is not a OneRoster role")
            ok = False
        begin = check.date(row, "beginDate", required=False)
        end = check.date(row, "endDate", required=False)
        if begin and end and end < begin:
            problems.add(row.where, f"endDate {end} is before beginDate {begin}")
            ok = False
        if ok:
            enrollments.append(row)
    problems.raise_if_any()
    return Export(modes, orgs, sessions, courses, classes, users, enrollments)


def read_manifest(rows: list[Row], problems: Problems) -> dict[str, str]:
    properties = {row["propertyName"]: (row["value"], row) for row in rows}
    version, row = properties.get("manifest.version", ("", None))
    # "1" is what ClassLink writes for 1.0 (tests/school/oneroster/edfi-sample/manifest.csv).
    if version not in ("1", "1.0"):
        problems.add(row.where if row else "manifest.csv", f"manifest.version {version!r} is not 1.0")
    version, row = properties.get("oneroster.version", ("", None))
    if version not in ("1.1", "1.1.0"):
        problems.add(row.where if row else "manifest.csv", f"oneroster.version {version!r} is not 1.1")
    modes = {}
    for name in ROLLOUT_FILES:
        mode, row = properties.get(f"file.{name}", ("bulk", None))
        mode = mode.lower()
        if mode not in ("bulk", "delta", "absent"):
            problems.add(row.where, f"file.{name} {mode!r} is not bulk, delta or absent")
        modes[name] = mode
    return modes


# ---------------------------------------------------------------- applying it


def import_roster(path: Path | str, *, dry_run: bool = False) -> ImportReport:
    """Import a OneRoster 1.1 CSV export (a folder or a .zip) in one transaction.

    Raises RosterError (nothing saved) when a file or row is bad."""
    export = read_export(Path(path))
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        RosterImport(export, report).apply()
        if dry_run:
            transaction.set_rollback(True)
    return report


def _changed(obj: models.Model, values: dict) -> list[str]:
    return [name for name, value in values.items() if getattr(obj, name) != value]


class RosterImport:
    """Applies a checked export; every step loads what exists in one query per table, then
    creates and updates in bulk, so the cost grows with the number of tables, not rows."""

    def __init__(self, export: Export, report: ImportReport):
        self.export = export
        self.report = report
        self.problems = Problems()
        self.schools: dict[str, School] = {}
        self.org_rows = {row.sourced_id: row for row in export.orgs}
        self.session_rows = {row.sourced_id: row for row in export.sessions}
        self.class_rows = {row.sourced_id: row for row in export.classes}
        self.user_rows = {row.sourced_id: row for row in export.users}
        self.years: dict[tuple[int, str], AcademicYear] = {}
        self.terms: dict[tuple[int, str], Term] = {}
        self.classes: dict[tuple[int, str], SchoolClass] = {}
        self.year_groups: dict[tuple[int, str], YearGroup] = {}
        self.people: dict[str, dict[tuple[int, str], models.Model]] = {role: {} for role in PERSON_MODELS}
        self.student_updates: set[int] = set()
        self._links: set[tuple[str, str]] | None = None
        self.outsiders: dict[str, list[models.Model]] = defaultdict(list)

    def warn(self, where: str, message: str) -> None:
        self.report.warnings.append(f"{where}: {message}")

    def apply(self) -> None:
        for step in (
            self.import_schools,
            self.import_sessions,
            self.import_classes,
            self.import_users,
            self.import_guardianships,
            self.import_enrollments,
        ):
            step()
            self.problems.raise_if_any()

    # -- helpers

    def claim_uuids(self, model: type[models.Model], objs: list[models.Model], sourced_ids: list[str]) -> None:
        """A UUID sourcedId becomes the new row's uuid (the id the course-offering API shows,
        docs/api-course-offering.md), unless a row has it already (the same person in a second
        school keeps a fresh one)."""
        candidates = {sid: u for sid in sourced_ids if (u := uuid_or_none(sid))}
        if not candidates:
            return
        taken = set(model.objects.filter(uuid__in=candidates.values()).values_list("uuid", flat=True))
        for obj, sid in zip(objs, sourced_ids, strict=True):
            candidate = candidates.get(sid)
            if candidate and candidate not in taken:
                obj.uuid = candidate
                taken.add(candidate)

    def sync(
        self,
        kind: str,
        model: type[models.Model],
        wanted: dict[tuple[int, str], dict],
        existing: dict[tuple[int, str], models.Model],
    ) -> dict[tuple[int, str], models.Model]:
        """Create the rows of ``wanted`` (keyed by school id and sourcedId) that do not exist,
        update those that differ; ``archived`` turning true counts as archived."""
        result: dict[tuple[int, str], models.Model] = {}
        new, new_ids, changed_objs, changed_fields = [], [], [], set()
        for key, values in wanted.items():
            obj = existing.get(key)
            if obj is None:
                obj = model(school_id=key[0], sourced_id=key[1], **values)
                new.append(obj)
                new_ids.append(key[1])
            else:
                changes = _changed(obj, values)
                if changes:
                    for name in changes:
                        setattr(obj, name, values[name])
                    changed_objs.append(obj)
                    changed_fields.update(changes)
                    if changes == ["archived"] and values["archived"]:
                        self.report.archived[kind] += 1
                    else:
                        self.report.updated[kind] += 1
                    if model is Student:
                        self.student_updates.add(obj.pk)
            result[key] = obj
        self.claim_uuids(model, new, new_ids)
        model.objects.bulk_create(new)
        if changed_objs:
            model.objects.bulk_update(changed_objs, sorted(changed_fields))
        self.report.created[kind] += len(new)
        self.report.archived[kind] += sum(1 for obj in new if getattr(obj, "archived", False))
        return result

    def existing(self, model: type[models.Model], school_ids: Iterable[int], sourced_ids: Iterable[str]):
        rows = model.objects.filter(school_id__in=set(school_ids), sourced_id__in=set(sourced_ids))
        return {(row.school_id, row.sourced_id): row for row in rows}

    def school_for(self, row: Row, column: str) -> School | None:
        school = self.schools.get(row[column])
        if school is None:
            self.problems.add(row.where, f"{column} {row[column]!r} is not a school in this export or the database")
        return school

    # -- orgs

    def import_schools(self) -> None:
        school_rows = [row for row in self.export.orgs if row["type"] == "school"]
        referenced = {row["schoolSourcedId"] for row in self.export.classes + self.export.enrollments}
        for row in self.export.users:
            referenced.update(split_list(row["orgSourcedIds"]))
        wanted = {row.sourced_id for row in school_rows} | referenced
        uuids = [u for sid in wanted if (u := uuid_or_none(sid))]
        found = School.objects.filter(Q(sourced_id__in=wanted) | Q(uuid__in=uuids))
        by_uuid = {school.uuid: school for school in found}
        self.schools = {school.sourced_id: school for school in found if school.sourced_id}
        for sid in wanted:
            if sid not in self.schools and (u := uuid_or_none(sid)) in by_uuid:
                self.schools[sid] = by_uuid[u]
        numbers = dict(School.objects.values_list("number", "sourced_id"))
        next_number = (School.objects.aggregate(top=Max("number"))["top"] or 0) + 1
        timezone = settings.TIME_ZONE
        try:
            validate_timezone(timezone)
        except ValidationError:
            timezone = "UTC"
        for row in school_rows:
            school = self.schools.get(row.sourced_id)
            if row.deleted:
                if school:
                    self.warn(row.where, f"{row['name']} is tobedeleted; schools are never deleted by an import")
                continue
            number = int(row["identifier"]) if re.fullmatch(r"[0-9]{1,9}", row["identifier"]) else None
            if number is not None and numbers.get(number, row.sourced_id) != row.sourced_id:
                owner = school.number if school else None
                if owner != number:
                    self.problems.add(row.where, f"identifier {number} is already the number of another school")
                    continue
            if school is None:
                if number is None:
                    number = max(next_number, max(numbers, default=0) + 1)
                school = School(name=row["name"][:200], number=number, sourced_id=row.sourced_id, timezone=timezone)
                if (u := uuid_or_none(row.sourced_id)) and not School.objects.filter(uuid=u).exists():
                    school.uuid = u
                school.save()  # one by one: the post_save signal seeds its attendance codes
                self.report.created["schools"] += 1
                self.schools[row.sourced_id] = school
            else:
                values = {"name": row["name"][:200], "sourced_id": row.sourced_id}
                if number is not None:
                    values["number"] = number
                changes = _changed(school, values)
                if changes:
                    for name in changes:
                        setattr(school, name, values[name])
                    school.save(update_fields=changes)
                    self.report.updated["schools"] += 1
            numbers[school.number] = row.sourced_id

    # -- academicSessions

    def year_of(self, row: Row, seen: frozenset[str] = frozenset()) -> str | None:
        """The sourcedId of a session's school year: through parentSourcedId, else the school
        year whose dates contain it (ClassLink leaves parentSourcedId empty on semesters)."""
        if row["type"] == "schoolYear":
            return row.sourced_id
        parent = row["parentSourcedId"]
        if parent and parent not in seen:
            if parent in self.session_rows:
                return self.year_of(self.session_rows[parent], seen | {row.sourced_id})
            return parent  # an existing year in the database (a delta export)
        start, end = row["_start"], row["_end"]
        containing = [
            y
            for y in self.session_rows.values()
            if y["type"] == "schoolYear" and y["_start"] <= start and end <= y["_end"]
        ]
        same_label = [y for y in containing if row["schoolYear"] and y["schoolYear"] == row["schoolYear"]]
        match = (same_label or containing)[:1]
        if match:
            return match[0].sourced_id
        self.problems.add(row.where, f"no school year contains {start} to {end}; set parentSourcedId")
        return None

    def import_sessions(self) -> None:
        school_ids = {school.pk for school in self.schools.values()}
        sessions = self.export.sessions
        for row in sessions:
            if row.deleted:
                self.warn(row.where, "tobedeleted sessions are kept (classes and term counts refer to them)")
        year_of = {row.sourced_id: self.year_of(row) for row in sessions if row["type"] != "schoolYear"}
        referenced = {sid for row in self.export.classes for sid in split_list(row["termSourcedIds"])}
        referenced |= set(year_of.values()) | set(self.session_rows)
        self.years = self.existing(AcademicYear, school_ids, referenced)
        self.terms = {
            (term.school_id, term.sourced_id): term
            for term in Term.objects.filter(school_id__in=school_ids, sourced_id__in=referenced).select_related(
                "academic_year"
            )
        }
        # Sessions belong to no org in OneRoster 1.1: each school of the export gets its own copy.
        wanted_years = {
            (school_id, row.sourced_id): {
                "name": row["title"][:100],
                "start_date": date.fromisoformat(row["_start"]),
                "end_date": date.fromisoformat(row["_end"]),
            }
            for school_id in school_ids
            for row in sessions
            if row["type"] == "schoolYear"
        }
        self.years.update(self.sync("academic years", AcademicYear, wanted_years, self.years))
        wanted_terms = {}
        for school_id in sorted(school_ids):
            for row in sessions:
                if row["type"] == "schoolYear" or year_of.get(row.sourced_id) is None:
                    continue
                year = self.years.get((school_id, year_of[row.sourced_id]))
                if year is None:
                    self.problems.add(row.where, f"school year {year_of[row.sourced_id]!r} is not in this export")
                    continue
                wanted_terms[(school_id, row.sourced_id)] = {
                    "name": row["title"][:100],
                    "academic_year_id": year.pk,
                    "start_date": date.fromisoformat(row["_start"]),
                    "end_date": date.fromisoformat(row["_end"]),
                }
        self.problems.raise_if_any()
        self.terms.update(self.sync("terms", Term, wanted_terms, self.terms))

    # -- classes

    def import_classes(self) -> None:
        scheduled, homerooms = {}, {}
        periods_of: dict[tuple[int, str], list[int]] = {}
        for row in self.export.classes:
            school = self.school_for(row, "schoolSourcedId")
            if school is None:
                continue
            key = (school.pk, row.sourced_id)
            grade = split_list(row["grades"])[:1]
            if row["classType"] == "homeroom":
                if row.deleted:
                    self.warn(row.where, "tobedeleted homerooms keep their year group; remove it in the admin")
                homerooms[key] = {"name": row["title"][:100], "grade": (grade[0] if grade else "")[:20]}
                continue
            span = self.class_dates(row, school)
            if span is None:
                continue
            numbers = [int(n) for n in re.findall(r"\d+", row["periods"])]
            wire = [n - school.period_offset for n in numbers]
            if any(n < 1 for n in wire):
                self.problems.add(row.where, f"periods {row['periods']!r}: {school.name} counts periods from 1")
                continue
            periods_of[key] = sorted(set(wire))
            course = self.export.courses.get(row["courseSourcedId"])
            year, start, end = span
            scheduled[key] = {
                "name": row["title"][:200],
                "code": row["classCode"][:100],
                "subject": (row["subjects"] or (course["title"] if course else ""))[:200],
                "grade": (grade[0] if grade else "")[:20],
                "academic_year_id": year.pk,
                "start_date": start,
                "end_date": end,
                "archived": row.deleted,
            }
        self.problems.raise_if_any()
        school_ids = {key[0] for key in scheduled | homerooms}
        self.classes = self.sync(
            "classes", SchoolClass, scheduled, self.existing(SchoolClass, school_ids, [k[1] for k in scheduled])
        )
        self.year_groups = self.sync(
            "year groups", YearGroup, homerooms, self.existing(YearGroup, school_ids, [k[1] for k in homerooms])
        )
        self.import_timetables(periods_of)

    def class_dates(self, row: Row, school: School) -> tuple[AcademicYear, date, date] | None:
        years, starts, ends = set(), [], []
        years_by_id = {year.pk: year for year in self.years.values()}
        for sid in split_list(row["termSourcedIds"]):
            session = self.terms.get((school.pk, sid)) or self.years.get((school.pk, sid))
            if session is None:
                self.problems.add(row.where, f"term {sid!r} is not in academicSessions.csv or the database")
                return None
            if isinstance(session, Term):
                years.add(years_by_id.get(session.academic_year_id) or session.academic_year)
            else:
                years.add(session)
            starts.append(session.start_date)
            ends.append(session.end_date)
        if len(years) > 1:
            self.problems.add(row.where, "its terms belong to different school years")
            return None
        return years.pop(), min(starts), max(ends)

    def import_timetables(self, periods_of: dict[tuple[int, str], list[int]]) -> None:
        """Each listed period meets Monday to Friday. Slots of a period no longer listed are
        disabled (not deleted: a school may have set a room); an empty list leaves it alone."""
        periods_of = {key: numbers for key, numbers in periods_of.items() if numbers}
        if not periods_of:
            return
        school_ids = {key[0] for key in periods_of}
        periods = {(p.school_id, p.number): p for p in Period.objects.filter(school_id__in=school_ids)}
        missing = sorted({(key[0], n) for key, numbers in periods_of.items() for n in numbers} - set(periods))
        new_periods = [Period(school_id=school_id, number=number) for school_id, number in missing]
        Period.objects.bulk_create(new_periods)
        periods.update({(p.school_id, p.number): p for p in new_periods})
        self.report.created["periods"] += len(new_periods)
        class_ids = [self.classes[key].pk for key in periods_of]
        slots = defaultdict(dict)
        for slot in TimetableSlot.objects.filter(school_class_id__in=class_ids).select_related("period"):
            slots[slot.school_class_id][(slot.weekday, slot.period.number)] = slot
        new_slots, disabled = [], []
        for key, numbers in periods_of.items():
            school_class = self.classes[key]
            location = self.class_rows[key[1]]["location"][:100]
            have = slots[school_class.pk]
            for weekday in SCHOOL_DAYS:
                for number in numbers:
                    if (weekday, number) not in have:
                        new_slots.append(
                            TimetableSlot(
                                school_id=key[0],
                                school_class=school_class,
                                weekday=weekday,
                                period=periods[(key[0], number)],
                                location=location,
                            )
                        )
            for (_weekday, number), slot in have.items():
                if number not in numbers and slot.enabled:
                    slot.enabled = False
                    disabled.append(slot)
        TimetableSlot.objects.bulk_create(new_slots)
        TimetableSlot.objects.bulk_update(disabled, ["enabled"])
        self.report.created["timetable slots"] += len(new_slots)
        self.report.archived["timetable slots"] += len(disabled)

    # -- users

    def schools_of_user(self, row: Row) -> list[School]:
        found, districts = [], []
        for org in split_list(row["orgSourcedIds"]):
            if org in self.schools:
                found.append(self.schools[org])
            elif org in self.org_rows and self.org_rows[org]["type"] == "district":
                districts.append(org)
        if row["role"] == "administrator":
            # A district administrator manages each of the district's schools in this export.
            for org in self.export.orgs:
                if org["type"] == "school" and org["parentSourcedId"] in districts and org.sourced_id in self.schools:
                    found.append(self.schools[org.sourced_id])
        return list(dict.fromkeys(found))

    def role_of(self, row: Row) -> str | None:
        role = row["role"]
        return "parent" if role in PARENT_ROLES else role if role in PERSON_MODELS else None

    def import_users(self) -> None:
        placements: dict[str, dict[tuple[int, str], Row]] = {role: {} for role in PERSON_MODELS}
        students_schools: dict[str, list[School]] = {}
        for row in self.export.users:
            role = self.role_of(row)
            if role is None:
                self.warn(row.where, f"role {row['role']!r} has no place in Rollbook; skipped")
                continue
            schools = self.schools_of_user(row)
            if role == "student":
                students_schools[row.sourced_id] = schools
            if not schools and role != "parent":
                self.problems.add(row.where, f"none of orgSourcedIds {row['orgSourcedIds']!r} is a school")
            for school in schools:
                placements[role][(school.pk, row.sourced_id)] = row
        # A parent belongs where their children are, whatever org the export gives them.
        links = self.agent_links()
        schools_by_id = {school.pk: school for school in self.schools.values()}
        elsewhere = {p.school_id for people in self.outsiders.values() for p in people} - set(schools_by_id)
        if elsewhere:
            schools_by_id.update(School.objects.in_bulk(elsewhere))
        for parent_sid, student_sid in links:
            parent = self.user_rows.get(parent_sid)
            if parent is None:
                continue
            schools = students_schools.get(student_sid) or [
                schools_by_id[s.school_id] for s in self.outsiders[student_sid] if isinstance(s, Student)
            ]
            for school in schools:
                placements["parent"][(school.pk, parent_sid)] = parent
        placed_parents = {key[1] for key in placements["parent"]}
        for row in self.export.users:
            if self.role_of(row) == "parent" and row.sourced_id not in placed_parents:
                self.warn(row.where, "a parent of no student in a school of this export; skipped")
        self.problems.raise_if_any()
        user_ids = self.import_logins({key[1] for placed in placements.values() for key in placed})
        for role, model in PERSON_MODELS.items():
            wanted = {}
            for key, row in placements[role].items():
                values = {
                    "first_name": row["givenName"][:100],
                    "middle_name": row["middleName"][:100],
                    "last_name": row["familyName"][:100],
                    "email": row["email"][:254],
                }
                if row.sourced_id in user_ids:
                    values["user_id"] = user_ids[row.sourced_id]
                if role == "student":
                    values["student_number"] = self.student_number(row)[:50]
                    values["archived"] = row.deleted
                wanted[key] = values
            existing = self.existing(model, {k[0] for k in wanted}, {k[1] for k in wanted})
            self.people[role] = self.sync(f"{role}s" if role != "parent" else "parents", model, wanted, existing)

    @staticmethod
    def student_number(row: Row) -> str:
        """``identifier``, else the first of ``userIds`` ("{Local:863}" gives "863")."""
        if row["identifier"]:
            return row["identifier"]
        match = USER_ID.search(row["userIds"])
        return match.group(1) if match else ""

    def import_logins(self, placed: set[str]) -> dict[str, int]:
        """One Django login per OneRoster user (of ``placed``, the users who became someone in a
        school) that has a username; returns sourcedId -> user id.

        A login is found again through the people already imported with that sourcedId. A
        username that belongs to someone else's login is refused rather than taken over."""
        User = get_user_model()
        rows = [row for row in self.export.users if row.sourced_id in placed]
        sids = [row.sourced_id for row in rows]
        linked: dict[str, int] = {}
        for model in PERSON_MODELS.values():
            linked.update(
                model.objects.filter(sourced_id__in=sids, user__isnull=False).values_list("sourced_id", "user_id")
            )
        names = {row.sourced_id: login_name(row["username"]) for row in rows if row["username"]}
        users = User.objects.filter(Q(pk__in=linked.values()) | Q(username__in=names.values()))
        by_id = {user.pk: user for user in users}
        by_name = {user.username: user for user in users}
        claimed: dict[str, Row] = {}
        new, changed, changed_fields = [], [], set()
        for row in rows:
            user = by_id.get(linked.get(row.sourced_id))
            name = names.get(row.sourced_id)
            if name:
                if name in claimed:
                    self.problems.add(row.where, f"username {name!r} is also used on {claimed[name].where}")
                    continue
                claimed[name] = row
                holder = by_name.get(name)
                if holder is not None and holder != user:
                    self.problems.add(row.where, f"username {name!r} already belongs to another login")
                    continue
            if user is None and not name:
                continue
            values = {
                "first_name": row["givenName"][:150],
                "last_name": row["familyName"][:150],
                "email": row["email"][:254],
                "is_active": row["enabledUser"].lower() == "true" and not row.deleted,
            }
            if name:
                values["username"] = name
            if user is None:
                user = User(**values)
                user.password = make_password(row["password"] or None)
                new.append((row.sourced_id, user))
                continue
            changes = _changed(user, values)
            for column in changes:
                setattr(user, column, values[column])
            if row["password"] and not user.check_password(row["password"]):
                user.password = make_password(row["password"])
                changes.append("password")
            if changes:
                changed.append(user)
                changed_fields.update(changes)
                if changes == ["is_active"] and row.deleted:
                    self.report.archived["logins"] += 1
                else:
                    self.report.updated["logins"] += 1
        self.problems.raise_if_any()
        User.objects.bulk_create([user for _, user in new])
        if changed:
            User.objects.bulk_update(changed, sorted(changed_fields))
        self.report.created["logins"] += len(new)
        linked.update({sid: user.pk for sid, user in new})
        return linked

    def agent_links(self) -> set[tuple[str, str]]:
        """(parent sourcedId, student sourcedId) from agentSourcedIds, read both ways. An agent
        outside the file (a delta export) is linked when it is already imported."""
        if self._links is not None:
            return self._links
        unknown = {
            agent
            for row in self.export.users
            for agent in split_list(row["agentSourcedIds"])
            if agent not in self.user_rows
        }
        self.outsiders = defaultdict(list)
        if unknown:
            for model in (Student, Parent):
                for person in model.objects.filter(sourced_id__in=unknown):
                    self.outsiders[person.sourced_id].append(person)
        links = set()
        for row in self.export.users:
            for agent in split_list(row["agentSourcedIds"]):
                other = self.user_rows.get(agent)
                if other is not None:
                    other_role = other["role"]
                elif self.outsiders[agent]:
                    other_role = "student" if isinstance(self.outsiders[agent][0], Student) else "parent"
                else:
                    self.problems.add(row.where, f"agentSourcedIds: {agent!r} is not a user in this export")
                    continue
                if row["role"] == "student" and other_role in PARENT_ROLES:
                    links.add((agent, row.sourced_id))
                elif row["role"] in PARENT_ROLES and other_role == "student":
                    links.add((row.sourced_id, agent))
                elif row["role"] not in ("student", *PARENT_ROLES):
                    self.warn(row.where, f"agent {agent!r} of a {row['role']} is not linked; skipped")
        self._links = links
        return links

    def import_guardianships(self) -> None:
        """Links named in agentSourcedIds are made; in a bulk users file, an imported parent's
        link to an imported student that neither row names any more is removed."""
        links = self.agent_links()
        self.problems.raise_if_any()
        parents, students = self.people["parent"], self.people["student"]
        outsiders = self.outsiders
        school_ids = {k[0] for k in parents} | {k[0] for k in students}
        wanted = set()
        for parent_sid, student_sid in links:
            for school_id in school_ids:
                parent = parents.get((school_id, parent_sid)) or next(
                    (p for p in outsiders[parent_sid] if isinstance(p, Parent) and p.school_id == school_id), None
                )
                student = students.get((school_id, student_sid)) or next(
                    (s for s in outsiders[student_sid] if isinstance(s, Student) and s.school_id == school_id), None
                )
                if parent is not None and student is not None:
                    wanted.add((school_id, parent.pk, student.pk))
        file_parents = {row.sourced_id for row in self.export.users if self.role_of(row) == "parent"}
        gone_parents = {sid for sid in file_parents if self.user_rows[sid].deleted}
        imported_students = {s.pk for s in students.values()}
        have = {
            (school_id, parent_id, student_id): (pk, parent_sid)
            for pk, school_id, parent_id, student_id, parent_sid in Guardianship.objects.filter(
                Q(parent__sourced_id__in=file_parents) | Q(student_id__in=imported_students)
            ).values_list("pk", "school_id", "parent_id", "student_id", "parent__sourced_id")
        }
        new = [Guardianship(school_id=s, parent_id=p, student_id=c) for (s, p, c) in wanted - set(have)]
        Guardianship.objects.bulk_create(new)
        self.report.created["guardianships"] += len(new)
        bulk = self.export.modes["users"] == "bulk"
        stale = [
            pk
            for key, (pk, parent_sid) in have.items()
            if parent_sid in gone_parents
            or (bulk and key not in wanted and parent_sid in file_parents and key[2] in imported_students)
        ]
        if stale:
            Guardianship.objects.filter(pk__in=stale).delete()
        self.report.removed["guardianships"] += len(stale)

    # -- enrollments

    def import_enrollments(self) -> None:
        rows = self.export.enrollments
        lookups = defaultdict(set)
        for row in rows:
            school = self.schools.get(row["schoolSourcedId"])
            if school is not None:
                lookups[school.pk].add(row["classSourcedId"])
        missing_classes = (
            {(sid_school, sid) for sid_school, sids in lookups.items() for sid in sids}
            - set(self.classes)
            - set(self.year_groups)
        )
        if missing_classes:
            self.classes.update(
                self.existing(SchoolClass, {k[0] for k in missing_classes}, {k[1] for k in missing_classes})
            )
            self.year_groups.update(
                self.existing(YearGroup, {k[0] for k in missing_classes}, {k[1] for k in missing_classes})
            )
        for role, model in (("student", Student), ("teacher", Teacher)):
            wanted = {
                (self.schools[r["schoolSourcedId"]].pk, r["userSourcedId"])
                for r in rows
                if r["schoolSourcedId"] in self.schools
            }
            missing = wanted - set(self.people[role])
            if missing:
                self.people[role].update(self.existing(model, {k[0] for k in missing}, {k[1] for k in missing}))

        student_parts = defaultdict(list)
        teacher_parts = defaultdict(list)
        homeroom_students, advisors = defaultdict(list), defaultdict(list)
        for row in rows:
            school = self.school_for(row, "schoolSourcedId")
            if school is None:
                continue
            key = (school.pk, row["classSourcedId"])
            school_class, year_group = self.classes.get(key), self.year_groups.get(key)
            if school_class is None and year_group is None:
                self.problems.add(row.where, f"class {row['classSourcedId']!r} is not a class of {school.name}")
                continue
            role = row["role"]
            if role not in ("student", "teacher"):
                self.warn(row.where, f"{role} enrollments have no place in Rollbook; skipped")
                continue
            person = self.people[role].get((school.pk, row["userSourcedId"]))
            if person is None:
                self.problems.add(row.where, f"user {row['userSourcedId']!r} is not a {role} of {school.name}")
                continue
            if school_class is not None:
                parts = student_parts if role == "student" else teacher_parts
                parts[(school.pk, school_class.pk, person.pk)].append(row)
            else:
                target = homeroom_students if role == "student" else advisors
                target[(school.pk, year_group.pk, person.pk)].append(row)
        self.problems.raise_if_any()
        self.sync_enrollments(student_parts)
        self.sync_assignments(teacher_parts)
        self.sync_homerooms(homeroom_students, advisors)

    @staticmethod
    def span(parts: list[Row]) -> tuple[date | None, date | None]:
        begins = [row["beginDate"] for row in parts]
        ends = [row["endDate"] for row in parts]
        start = None if "" in begins else date.fromisoformat(min(begins))
        end = None if "" in ends else date.fromisoformat(max(ends))
        return start, end

    def sync_enrollments(self, parts_by_pair: dict[tuple[int, int, int], list[Row]]) -> None:
        """A student's enrollments in one class (one per semester in many exports) become ONE
        Enrollment spanning their dates, found again by (class, student), which is unique; its
        sourced_id and uuid come from the earliest part, so a re-import finds the same row."""
        if not parts_by_pair:
            return
        delta = self.export.modes["enrollments"] == "delta"
        class_ids = {key[1] for key in parts_by_pair}
        existing = {
            (e.school_id, e.school_class_id, e.student_id): e
            for e in Enrollment.objects.filter(school_class_id__in=class_ids)
        }
        new, new_sids, changed, removed = [], [], [], []
        for key, parts in parts_by_pair.items():
            active = sorted((r for r in parts if not r.deleted), key=lambda r: (r["beginDate"], r.sourced_id))
            gone = [r for r in parts if r.deleted]
            enrollment = existing.get(key)
            if active:
                start, end = self.span(active)
                if delta and enrollment is not None:
                    # A delta file names only the parts that changed; the others still count.
                    start = None if None in (start, enrollment.start_date) else min(start, enrollment.start_date)
                    end = None if None in (end, enrollment.end_date) else max(end, enrollment.end_date)
                values = {"start_date": start, "end_date": end, "sourced_id": active[0].sourced_id}
                if enrollment is None:
                    new.append(Enrollment(school_id=key[0], school_class_id=key[1], student_id=key[2], **values))
                    new_sids.append(active[0].sourced_id)
                    continue
                if delta:
                    values.pop("sourced_id")
            elif enrollment is None:
                continue
            else:
                values = self.trimmed(enrollment, gone) if delta else None
                if values is None:
                    removed.append(enrollment.pk)
                    continue
            changes = _changed(enrollment, values)
            if changes:
                for name in changes:
                    setattr(enrollment, name, values[name])
                changed.append(enrollment)
        self.claim_uuids(Enrollment, new, new_sids)
        Enrollment.objects.bulk_create(new)
        Enrollment.objects.bulk_update(changed, ["start_date", "end_date", "sourced_id"])
        if removed:
            Enrollment.objects.filter(pk__in=removed).delete()
        self.report.created["enrollments"] += len(new)
        self.report.updated["enrollments"] += len(changed)
        self.report.removed["enrollments"] += len(removed)

    @staticmethod
    def trimmed(enrollment: Enrollment, gone: list[Row]) -> dict | None:
        """A delta's tobedeleted part cuts its dates off the enrollment's span; None when
        nothing of the span is left (or the part had no dates)."""
        start, end = enrollment.start_date, enrollment.end_date
        for row in gone:
            if not row["beginDate"] or not row["endDate"]:
                return None
            part_start, part_end = date.fromisoformat(row["beginDate"]), date.fromisoformat(row["endDate"])
            covers_start = start is not None and part_start <= start <= part_end
            covers_end = end is not None and part_start <= end <= part_end
            if covers_start and covers_end:
                return None
            if covers_start:
                start = date.fromordinal(part_end.toordinal() + 1)
            elif covers_end:
                end = date.fromordinal(part_start.toordinal() - 1)
        return {"start_date": start, "end_date": end}

    def sync_assignments(self, parts_by_pair: dict[tuple[int, int, int], list[Row]]) -> None:
        if not parts_by_pair:
            return
        existing = {
            (a.school_id, a.school_class_id, a.teacher_id): a
            for a in TeacherAssignment.objects.filter(school_class_id__in={key[1] for key in parts_by_pair})
        }
        new, new_sids, removed = [], [], []
        for key, parts in parts_by_pair.items():
            active = sorted((r for r in parts if not r.deleted), key=lambda r: (r["beginDate"], r.sourced_id))
            assignment = existing.get(key)
            if active and assignment is None:
                new.append(
                    TeacherAssignment(
                        school_id=key[0], school_class_id=key[1], teacher_id=key[2], sourced_id=active[0].sourced_id
                    )
                )
                new_sids.append(active[0].sourced_id)
            elif not active and assignment is not None:
                removed.append(assignment.pk)
        self.claim_uuids(TeacherAssignment, new, new_sids)
        TeacherAssignment.objects.bulk_create(new)
        if removed:
            TeacherAssignment.objects.filter(pk__in=removed).delete()
        self.report.created["teacher assignments"] += len(new)
        self.report.removed["teacher assignments"] += len(removed)

    def sync_homerooms(self, students: dict, advisors: dict) -> None:
        """Students enrolled in a homeroom get its year group; its teachers become advisors."""
        active: dict[int, int] = {}
        left: dict[int, set[int]] = defaultdict(set)
        for (_school_id, year_group_id, student_id), parts in sorted(students.items(), key=lambda i: i[1][0].line):
            if any(not r.deleted for r in parts):
                active.setdefault(student_id, year_group_id)
            else:
                left[student_id].add(year_group_id)
        if active or left:
            moved = []
            for student in Student.objects.filter(pk__in=set(active) | set(left)):
                if student.pk in active:
                    target = active[student.pk]
                elif student.year_group_id in left[student.pk]:
                    target = None
                else:
                    continue
                if student.year_group_id != target:
                    student.year_group_id = target
                    moved.append(student)
            Student.objects.bulk_update(moved, ["year_group"])
            self.report.updated["students"] += len({s.pk for s in moved} - self.student_updates)
        if advisors:
            existing = {
                (a.school_id, a.year_group_id, a.teacher_id): a
                for a in Advisor.objects.filter(year_group_id__in={key[1] for key in advisors})
            }
            new = [
                Advisor(school_id=key[0], year_group_id=key[1], teacher_id=key[2])
                for key, parts in advisors.items()
                if any(not r.deleted for r in parts) and key not in existing
            ]
            removed = [
                existing[key].pk for key, parts in advisors.items() if all(r.deleted for r in parts) and key in existing
            ]
            Advisor.objects.bulk_create(new)
            if removed:
                Advisor.objects.filter(pk__in=removed).delete()
            self.report.created["advisors"] += len(new)
            self.report.removed["advisors"] += len(removed)
