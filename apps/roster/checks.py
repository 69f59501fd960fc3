"""Checking an export: its manifest, each file's columns and each row's values against the
OneRoster 1.1 and 1.2 CSV bindings. Every problem is collected, file by file and line by line,
and the rows that pass go on to the sync, which checks what needs the database; nothing is
saved while there is a problem.

Tolerant where real exports differ and nothing is lost: enumerations in any letter case
(``Scheduled``, ``Student``, ``TRUE``), OneRoster 1.0's ``inactive`` status, ``ext:`` values,
GUIDs written in another case in a reference. Strict where a guess would put data in the wrong
place: an unknown value, a date that is not a date, a reference to nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext

from apps.roster.files import ExportReader, Row, Table, parse_csv, split_list
from apps.roster.report import FILES, Findings, RosterError
from apps.school.dates import EARLIEST, LATEST, in_range, parse_iso

DATA_FILES = FILES[1:]
VERSIONS = {"1.1": "1.1", "1.1.0": "1.1", "1.2": "1.2", "1.2.0": "1.2"}
REQUIRED: dict[str, tuple[str, ...]] = {
    "manifest": ("propertyName", "value"),
    "orgs": ("sourcedId", "name", "type"),
    "academicSessions": ("sourcedId", "title", "type", "startDate", "endDate"),
    "courses": ("sourcedId", "title"),
    "classes": ("sourcedId", "title", "classType", "courseSourcedId", "schoolSourcedId", "termSourcedIds"),
    "users": ("sourcedId", "enabledUser", "username", "givenName", "familyName"),
    "roles": ("sourcedId", "userSourcedId", "role", "orgSourcedId"),
    "enrollments": ("sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"),
}
# OneRoster 1.1 keeps a user's role and orgs in users.csv (1.2 moved them to roles.csv).
USERS_1_1 = ("sourcedId", "enabledUser", "orgSourcedIds", "role", "username", "givenName", "familyName")


def _spellings(*values: str) -> dict[str, str]:
    return {value.lower(): value for value in values}


ORG_TYPES = _spellings("department", "school", "district", "local", "state", "national")
SESSION_TYPES = _spellings("schoolYear", "term", "semester", "gradingPeriod")
CLASS_TYPES = _spellings("homeroom", "scheduled")
# 1.1's roles and 1.2's, for users.csv, roles.csv and enrollments.csv alike.
USER_ROLES = _spellings(
    "administrator",
    "aide",
    "counselor",
    "districtAdministrator",
    "guardian",
    "parent",
    "principal",
    "proctor",
    "relative",
    "siteAdministrator",
    "student",
    "systemAdministrator",
    "teacher",
)
ROLE_TYPES = _spellings("primary", "secondary")
STATUSES = _spellings("active", "tobedeleted", "inactive")
BOOLEANS = _spellings("true", "false")
EXTENSION = re.compile(r"ext:\S+", re.IGNORECASE)
UUID_SHAPE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

# Anything Django's username validator would refuse (spaces, quotes, …) becomes a dot, so that
# "Mary Archer" logs in as "Mary.Archer" and the login stays editable in the admin.
USERNAME_UNSAFE = re.compile(r"[^\w.@+-]+")


def login_name(username: str) -> str:
    """The Django username for a OneRoster username (see USERNAME_UNSAFE)."""
    return USERNAME_UNSAFE.sub(".", username.strip()).strip(".")


@dataclass(slots=True)
class Role:
    """A user's role in some orgs: users.csv's ``role`` and ``orgSourcedIds`` (1.1), or one line
    of roles.csv (1.2)."""

    user: str
    role: str
    orgs: list[str]
    deleted: bool
    row: Row
    column: str  # the column that names the orgs, for messages


@dataclass
class Export:
    version: str
    modes: dict[str, str]
    orgs: list[Row] = field(default_factory=list)
    sessions: list[Row] = field(default_factory=list)
    courses: dict[str, Row] = field(default_factory=dict)
    classes: list[Row] = field(default_factory=list)
    users: list[Row] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    enrollments: list[Row] = field(default_factory=list)
    dates: dict[str, tuple[date, date]] = field(default_factory=dict)  # a session's start and end
    # What a reference to which is not one more problem: the sourcedIds of rows refused, per
    # file, and the files refused whole (a missing column).
    refused: dict[str, set[str]] = field(default_factory=lambda: {name: set() for name in DATA_FILES})
    unusable: set[str] = field(default_factory=set)

    columns: dict[str, set[str]] = field(default_factory=dict)

    def has_column(self, file: str, column: str) -> bool:
        return column in self.columns.get(file, ())

    def is_refused(self, file: str, sourced_id: str) -> bool:
        return file in self.unusable or sourced_id in self.refused[file]


def read_export(source: Path | bytes, problems: Findings, warnings: Findings, label: str | None = None) -> Export:
    """Read and check every file; the rows that pass are returned and the problems of the others
    added to ``problems``. Raises RosterError at once when the export cannot be read at all (no
    manifest, an unknown version, a file that is not text)."""
    reader = ExportReader(source, label)
    try:
        manifest = reader.read("manifest")
        if manifest is None:
            raise RosterError(["manifest.csv: missing (is this a OneRoster CSV export?)"])
        table = parse_csv("manifest", manifest, problems, REQUIRED["manifest"])
        version, modes = read_manifest(table.rows if table else [], problems)
        problems.raise_if_any()
        export = Export(version, modes)
        tables: dict[str, Table | None] = {}
        texts = {name: reader.read(name) for name in DATA_FILES}
    finally:
        reader.close()
    for name in DATA_FILES:
        mode, text = modes.get(name), texts[name]
        if mode == "absent":
            tables[name] = None
            continue
        if text is None:
            if mode is not None:
                problems.add(f"{name}.csv", gettext("missing (the manifest lists it as %(mode)s)") % {"mode": mode})
                export.unusable.add(name)
            modes[name] = "absent"
            tables[name] = None
            continue
        modes[name] = mode or "bulk"
        required = USERS_1_1 if name == "users" and version == "1.1" else REQUIRED[name]
        tables[name] = parse_csv(name, text, problems, required)
        if tables[name] is None:
            export.unusable.add(name)
        else:
            export.columns[name] = set(tables[name].index)
    RowChecks(export, problems, warnings).run({name: t.rows if t else [] for name, t in tables.items()})
    return export


def read_manifest(rows: list[Row], problems: Findings) -> tuple[str, dict[str, str | None]]:
    properties = {row["propertyName"].lower(): (row["value"], row) for row in rows}
    value, row = properties.get("manifest.version", ("", None))
    # "1" is what ClassLink writes for 1.0.
    if value not in ("1", "1.0"):
        problems.add(row or "manifest.csv", gettext("manifest.version %(value)r is not 1.0") % {"value": value})
    value, row = properties.get("oneroster.version", ("", None))
    version = VERSIONS.get(value.lower().removeprefix("v"), "")
    if not version:
        problems.add(row or "manifest.csv", gettext("oneroster.version %(value)r is not 1.1 or 1.2") % {"value": value})
    modes: dict[str, str | None] = {}
    for name in DATA_FILES:
        mode, row = properties.get(f"file.{name}".lower(), (None, None))
        if mode is not None:
            mode = mode.lower()
            if mode not in ("bulk", "delta", "absent"):
                problems.add(
                    row, gettext("file.%(name)s %(mode)r is not bulk, delta or absent") % {"name": name, "mode": mode}
                )
        modes[name] = mode
    return version, modes


class RowChecks:
    """The rules of each row on its own; the rows that pass are kept in the export."""

    def __init__(self, export: Export, problems: Findings, warnings: Findings):
        self.export = export
        self.problems = problems
        self.warnings = warnings

    def refuse(self, row: Row, reason: str) -> None:
        self.problems.add(row, reason)
        if row.sourced_id:
            self.export.refused[row.file].add(row.sourced_id)

    def refused(self, row: Row) -> bool:
        """Whether any rule refused the row (a bad date, say, that its loop did not count)."""
        return row.sourced_id in self.export.refused[row.file]

    def required(self, row: Row, *columns: str) -> bool:
        ok = True
        for column in columns:
            if not row[column]:
                self.refuse(row, gettext("%(column)s is empty") % {"column": column})
                ok = False
        return ok

    def choice(self, row: Row, column: str, allowed: dict[str, str], what: str, *, extension=False) -> bool:
        """The value in the binding's spelling, whatever its letter case; ``ext:`` values pass
        where the binding allows them and ``extension`` is set."""
        value = row[column]
        canonical = allowed.get(value.lower())
        if canonical is not None:
            if canonical != value:
                row[column] = canonical
            return True
        if extension and EXTENSION.fullmatch(value):
            return True
        self.refuse(
            row,
            gettext("%(column)s %(value)r is not a OneRoster %(what)s")
            % {"column": column, "value": value, "what": what},
        )
        return False

    def date(self, row: Row, column: str, *, required: bool) -> date | None:
        value = row[column]
        if not value:
            if required:
                self.refuse(row, gettext("%(column)s is empty") % {"column": column})
            return None
        found = parse_iso(value)
        if found is None:
            self.refuse(
                row, gettext("%(column)s %(value)r is not a date (YYYY-MM-DD)") % {"column": column, "value": value}
            )
        elif not in_range(found):
            self.refuse(
                row,
                gettext("%(column)s %(value)r must be between %(earliest)s and %(latest)s")
                % {"column": column, "value": value, "earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
            )
            found = None
        return found

    def common(self, rows: list[Row]) -> list[Row]:
        """sourcedId present and unique, status known."""
        seen: dict[str, int] = {}
        good = []
        for row in rows:
            ok = True
            sid = row.sourced_id
            if not sid:
                self.problems.add(row, gettext("sourcedId is empty"))
                ok = False
            elif sid in seen:
                self.problems.add(
                    row, gettext("sourcedId %(id)r already on line %(line)s") % {"id": sid, "line": seen[sid]}
                )
                ok = False
            else:
                seen[sid] = row.line
            status = row["status"]
            if status and status not in STATUSES:
                canonical = STATUSES.get(status.lower())
                if canonical is None:
                    self.refuse(row, gettext("status %(status)r is not active or tobedeleted") % {"status": status})
                    ok = False
                else:
                    row["status"] = canonical
            if ok:
                good.append(row)
        return good

    def run(self, rows: dict[str, list[Row]]) -> None:
        export = self.export
        for row in self.common(rows["orgs"]):
            if self.required(row, "name") & self.choice(row, "type", ORG_TYPES, gettext("org type"), extension=True):
                export.orgs.append(row)
        for row in self.common(rows["academicSessions"]):
            ok = self.required(row, "title") & self.choice(row, "type", SESSION_TYPES, gettext("session type"))
            start = self.date(row, "startDate", required=True)
            end = self.date(row, "endDate", required=True)
            if start and end and end < start:
                self.refuse(
                    row, gettext("endDate %(end)s is before startDate %(start)s") % {"end": end, "start": start}
                )
                ok = False
            if ok and start and end:
                export.dates[row.sourced_id] = (start, end)
                export.sessions.append(row)
        export.courses = {row.sourced_id: row for row in self.common(rows["courses"])}
        for row in self.common(rows["classes"]):
            ok = self.required(row, "title", "schoolSourcedId", "termSourcedIds")
            if self.choice(row, "classType", CLASS_TYPES, gettext("class type")) and ok:
                export.classes.append(row)
        self.check_users(rows["users"])
        self.check_roles(rows["roles"])
        for row in self.common(rows["enrollments"]):
            ok = self.required(row, "classSourcedId", "schoolSourcedId", "userSourcedId")
            ok &= self.role(row)
            begin = self.date(row, "beginDate", required=False)
            end = self.date(row, "endDate", required=False)
            if begin and end and end < begin:
                self.refuse(
                    row, gettext("endDate %(end)s is before beginDate %(begin)s") % {"end": end, "begin": begin}
                )
                ok = False
            if ok and not self.refused(row):
                export.enrollments.append(row)
        self.align_references()

    def role(self, row: Row) -> bool:
        value = row["role"]
        canonical = USER_ROLES.get(value.lower())
        if canonical is not None:
            row["role"] = canonical
            return True
        if EXTENSION.fullmatch(value):
            return True
        self.refuse(row, gettext("role %(value)r is not a OneRoster role") % {"value": value})
        return False

    def check_users(self, rows: list[Row]) -> None:
        export = self.export
        # 1.2 names users' roles in roles.csv; without one, a users.csv in 1.1's shape is read as 1.1.
        roles_here = (export.version == "1.1" or export.modes["roles"] == "absent") and export.has_column(
            "users", "role"
        )
        for row in self.common(rows):
            ok = self.required(row, "givenName", "familyName")
            if roles_here:
                ok &= self.role(row)
            enabled = BOOLEANS.get(row["enabledUser"].lower())
            if enabled is None:
                self.refuse(row, gettext("enabledUser %(value)r is not true or false") % {"value": row["enabledUser"]})
                ok = False
            else:
                row["enabledUser"] = enabled
            if row["email"]:
                try:
                    validate_email(row["email"])
                except ValidationError:
                    self.refuse(row, gettext("email %(value)r is not an email address") % {"value": row["email"]})
                    ok = False
            if row["username"] and not login_name(row["username"]):
                self.refuse(row, gettext("username %(value)r has no usable characters") % {"value": row["username"]})
                ok = False
            if len(login_name(row["username"])) > 150:
                self.refuse(row, gettext("username is longer than 150 characters"))
                ok = False
            if ok:
                export.users.append(row)
                if roles_here:
                    export.roles.append(
                        Role(
                            row.sourced_id,
                            row["role"],
                            split_list(row["orgSourcedIds"]),
                            row.deleted,
                            row,
                            "orgSourcedIds",
                        )
                    )

    def check_roles(self, rows: list[Row]) -> None:
        export = self.export
        users = {row.sourced_id: row for row in export.users}
        guids = {_uuid_key(sid): row for sid, row in users.items() if UUID_SHAPE.fullmatch(sid)}
        for row in self.common(rows):
            ok = self.required(row, "userSourcedId", "orgSourcedId") & self.role(row)
            if row["roleType"]:
                ok &= self.choice(row, "roleType", ROLE_TYPES, gettext("role type"))
            begin = self.date(row, "beginDate", required=False)
            end = self.date(row, "endDate", required=False)
            if begin and end and end < begin:
                self.refuse(
                    row, gettext("endDate %(end)s is before beginDate %(begin)s") % {"end": end, "begin": begin}
                )
                ok = False
            user = users.get(row["userSourcedId"]) or guids.get(_uuid_key(row["userSourcedId"]))
            ok = ok and not self.refused(row)
            if ok and user is None and not export.is_refused("users", row["userSourcedId"]):
                self.refuse(
                    row, gettext("userSourcedId %(value)r is not a user in users.csv") % {"value": row["userSourcedId"]}
                )
                ok = False
            if ok and user is not None:
                deleted = row.deleted or user.deleted
                export.roles.append(
                    Role(user.sourced_id, row["role"], [row["orgSourcedId"]], deleted, row, "orgSourcedId")
                )

    def align_references(self) -> None:
        """A reference to a GUID written in another letter case than the row it names is spelled
        as that row is (sourcedIds are otherwise compared exactly)."""
        export = self.export
        spelled = {
            "orgs": {row.sourced_id for row in export.orgs},
            "academicSessions": {row.sourced_id for row in export.sessions},
            "courses": set(export.courses),
            "classes": {row.sourced_id for row in export.classes},
            "users": {row.sourced_id for row in export.users},
        }
        guids = {
            name: {_uuid_key(sid): sid for sid in sids if UUID_SHAPE.fullmatch(sid)} for name, sids in spelled.items()
        }
        if not any(guids.values()):
            return
        references = [
            (export.orgs, "parentSourcedId", "orgs", False),
            (export.sessions, "parentSourcedId", "academicSessions", False),
            (export.courses.values(), "orgSourcedId", "orgs", False),
            (export.courses.values(), "schoolYearSourcedId", "academicSessions", False),
            (export.classes, "courseSourcedId", "courses", False),
            (export.classes, "schoolSourcedId", "orgs", False),
            (export.classes, "termSourcedIds", "academicSessions", True),
            (export.users, "orgSourcedIds", "orgs", True),
            (export.users, "agentSourcedIds", "users", True),
            (export.enrollments, "classSourcedId", "classes", False),
            (export.enrollments, "schoolSourcedId", "orgs", False),
            (export.enrollments, "userSourcedId", "users", False),
        ]
        for rows, column, file, listed in references:
            exact, by_key = spelled[file], guids[file]
            if not by_key:
                continue
            for row in rows:
                value = row[column]
                if not value:
                    continue
                if listed:
                    parts = split_list(value)
                    fixed = [p if p in exact else by_key.get(_uuid_key(p), p) for p in parts]
                    if fixed != parts:
                        row[column] = ",".join(fixed)
                elif value not in exact and (found := by_key.get(_uuid_key(value))):
                    row[column] = found
        for role in export.roles:
            role.orgs = [o if o in spelled["orgs"] else guids["orgs"].get(_uuid_key(o), o) for o in role.orgs]


def _uuid_key(value: str) -> str:
    return value.lower().strip("{}")
