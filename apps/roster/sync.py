"""Syncing a checked export into Rollbook: schools, sessions, classes and timetables, year groups,
people and their logins, guardianships, enrollments.

One pass does everything and runs the same code whether it writes or not: a preview (``write``
off) reads what exists and counts what would change, giving the rows it would create numbers of
their own instead of saving them; an import (``write`` on, inside the caller's transaction)
saves. Every step loads what exists in one query per table (per 2,000 values), then creates
and updates in bulk, so the cost grows with the number of tables, not rows. A row with a
problem is left out and the pass goes on, so that every problem is found at once; a problem
found is never followed by the same problem for each row that refers to the bad one."""

from __future__ import annotations

import itertools
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max, Q
from django.utils.translation import gettext

from apps.attendance import term_counts
from apps.classes.models import Enrollment, SchoolClass, TeacherAssignment, TimetableSlot
from apps.roster.checks import Export, Role, login_name
from apps.roster.files import Row, split_list
from apps.roster.periods import read_periods
from apps.roster.report import Findings, ImportReport
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

BATCH = 2000  # rows a bulk write sends at once
IN_BATCH = 5000  # values an `IN (…)` lookup sends at once (SQLite takes 32,766)
PERSON_MODELS: dict[str, type[models.Model]] = {
    "student": Student,
    "teacher": Teacher,
    "parent": Parent,
    "administrator": Administrator,
}
# What each OneRoster role (1.1 and 1.2) becomes; the others (aide, proctor, counselor,
# systemAdministrator, ext:…) have no place in Rollbook.
ROLE_KINDS = {
    "student": "student",
    "teacher": "teacher",
    "administrator": "administrator",
    "siteAdministrator": "administrator",
    "districtAdministrator": "administrator",
    "principal": "administrator",
    "parent": "parent",
    "guardian": "parent",
    "relative": "parent",
}
PARENT_ROLES = {"guardian", "parent", "relative"}
USER_ID = re.compile(r"\{\s*[^:{}]*:\s*([^{}]*?)\s*\}")
SYNTHESIZED_YEAR = "schoolYear:"
NOT_A_SCHOOL = (
    "which is not a school in this export or the database"  # the sourcedId prefix of a year made from its terms' dates
)


def uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _changed(obj: models.Model, values: dict) -> list[str]:
    return [name for name, value in values.items() if getattr(obj, name) != value]


@dataclass(slots=True)
class Held:
    """An enrollment Rollbook has, as plain values (a school may have 500,000 of them)."""

    pk: int
    start_date: date | None
    end_date: date | None
    sourced_id: str


def chunks(values: Iterable, size: int = IN_BATCH) -> Iterable[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


class RosterSync:
    STEPS = ("schools", "sessions", "classes", "users", "guardianships", "enrollments")

    def __init__(
        self,
        export: Export,
        problems: Findings,
        warnings: Findings,
        *,
        write: bool,
        scope: School | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ):
        self.export = export
        self.problems = problems
        self.warnings = warnings
        self.write = write
        self.scope = scope
        self.progress = progress or (lambda step, done, total: None)
        self.report = ImportReport(dry_run=not write)
        self._fake_ids = itertools.count(-1, -1)
        self.org_rows = {row.sourced_id: row for row in export.orgs}
        self.session_rows = {row.sourced_id: row for row in export.sessions}
        self.class_rows = {row.sourced_id: row for row in export.classes}
        self.user_rows = {row.sourced_id: row for row in export.users}
        self.schools: dict[str, School] = {}
        self.left_out: set[str] = set()  # schools of the export that are not this upload's
        self.years: dict[tuple[int, str], AcademicYear] = {}
        self.terms: dict[tuple[int, str], Term] = {}
        self.classes: dict[tuple[int, str], SchoolClass] = {}
        self.year_groups: dict[tuple[int, str], YearGroup] = {}
        self.homeroom_ends: dict[tuple[int, str], date] = {}
        self.refused_classes: set[str] = set()
        self.left_sessions: set[str] = set()
        self.held_years: list[AcademicYear] | None = None
        self.people: dict[str, dict[tuple[int, str], models.Model]] = {role: {} for role in PERSON_MODELS}
        self.new_people: set[int] = set()  # id() of the people this pass creates
        self.student_updates: set[int] = set()
        self.gone_parents: set[str] = set()
        self._links: set[tuple[str, str]] | None = None
        self._roles_by_user: dict[str, list[Role]] | None = None
        self.outsiders: dict[str, list[models.Model]] = defaultdict(list)

    def run(self) -> ImportReport:
        steps = (
            self.import_schools,
            self.import_sessions,
            self.import_classes,
            self.import_users,
            self.import_guardianships,
            self.import_enrollments,
        )
        for done, (name, step) in enumerate(zip(self.STEPS, steps, strict=True)):
            self.progress(name, done, len(steps))
            step()
        self.progress("done", len(steps), len(steps))
        self.report.warnings = self.warnings.lines()
        return self.report

    def warn(self, where, message: str) -> None:
        self.warnings.add(where, message)

    # -- saving, or counting without saving

    def save_new(self, model: type[models.Model], objs: list[models.Model]) -> None:
        if self.write:
            model.objects.bulk_create(objs, batch_size=BATCH)
        else:
            for obj in objs:
                obj.pk = next(self._fake_ids)

    def save_changed(self, model: type[models.Model], objs: list[models.Model], fields: Iterable[str]) -> None:
        if self.write and objs:
            model.objects.bulk_update(objs, sorted(fields), batch_size=BATCH)

    def delete(self, model: type[models.Model], pks: list[int]) -> None:
        if self.write and pks:
            for part in chunks(pks):
                model.objects.filter(pk__in=part).delete()

    # -- helpers

    def claim_uuids(self, model: type[models.Model], objs: list[models.Model], sourced_ids: list[str]) -> None:
        """A UUID sourcedId becomes the new row's uuid (the id the course-offering API shows),
        unless a row has it already (the same person in a second school keeps a fresh one)."""
        candidates = {sid: u for sid in sourced_ids if (u := uuid_or_none(sid))}
        if not candidates:
            return
        taken = set()
        for part in chunks(candidates.values()):
            taken.update(model.objects.filter(uuid__in=part).values_list("uuid", flat=True))
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
        self.save_new(model, new)
        self.save_changed(model, changed_objs, changed_fields)
        if model is Term and self.write:
            # Bulk saves send no signal: the terms' counts are recomputed here.
            term_counts.term_changed(new + changed_objs)
        self.report.created[kind] += len(new)
        self.report.archived[kind] += sum(1 for obj in new if getattr(obj, "archived", False))
        if model in PERSON_MODELS.values():
            self.new_people.update(id(obj) for obj in new)
        return result

    def existing(self, model: type[models.Model], school_ids: Iterable[int], sourced_ids: Iterable[str], **more):
        school_ids = {pk for pk in school_ids if pk > 0}
        found = {}
        if not school_ids:
            return found
        for part in chunks(set(sourced_ids)):
            for row in model.objects.filter(school_id__in=school_ids, sourced_id__in=part, **more):
                found[(row.school_id, row.sourced_id)] = row
        return found

    # -- orgs

    def org_school_sid(self, sid: str) -> str:
        """The school an org is, or is a department of (a department's parent, up the chain)."""
        seen = set()
        while (row := self.org_rows.get(sid)) is not None and row["type"] == "department" and sid not in seen:
            seen.add(sid)
            sid = row["parentSourcedId"]
        return sid

    def school_quietly(self, sid: str) -> School | None:
        return self.schools.get(self.org_school_sid(sid)) if sid else None

    def school_for(self, row: Row, column: str) -> School | None:
        """The school a row names (or names a department of); None, with a problem unless the
        school is refused or left out of this upload, when there is none."""
        sid = row[column]
        school_sid = self.org_school_sid(sid)
        school = self.schools.get(school_sid)
        if school is None and not self.is_quiet_org(sid, school_sid):
            if school_sid != sid:
                self.problems.add(
                    row,
                    gettext("%(column)s %(sid)r is a department of %(school_sid)r, %(NOT_A_SCHOOL)s")
                    % {"column": column, "sid": sid, "school_sid": school_sid, "NOT_A_SCHOOL": NOT_A_SCHOOL},
                )
            else:
                self.problems.add(
                    row,
                    gettext("%(column)s %(sid)r is not a school in this export or the database")
                    % {"column": column, "sid": sid},
                )
        return school

    def is_quiet_org(self, sid: str, school_sid: str) -> bool:
        return bool({sid, school_sid} & self.left_out) or self.export.is_refused("orgs", sid)

    def import_schools(self) -> None:
        export = self.export
        school_rows = [row for row in export.orgs if row["type"] == "school"]
        referenced = {row["schoolSourcedId"] for row in export.classes + export.enrollments}
        referenced.update(org for role in export.roles for org in role.orgs)
        referenced.update(row["orgSourcedId"] for row in export.courses.values())
        referenced.update(row["orgSourcedId"] or row["schoolSourcedId"] for row in export.sessions)
        wanted = {row.sourced_id for row in school_rows} | {self.org_school_sid(sid) for sid in referenced if sid}
        uuids = [u for sid in wanted if (u := uuid_or_none(sid))]
        found = []
        for part in chunks(wanted):
            found.extend(School.objects.filter(sourced_id__in=part))
        found.extend(School.objects.filter(uuid__in=uuids).exclude(pk__in=[s.pk for s in found]))
        by_uuid = {school.uuid: school for school in found}
        self.schools = {school.sourced_id: school for school in found if school.sourced_id}
        for sid in wanted:
            if sid not in self.schools and (u := uuid_or_none(sid)) in by_uuid:
                self.schools[sid] = by_uuid[u]
        if self.scope is not None:
            self.narrow_to_scope(school_rows, wanted)
        numbers = dict(School.objects.values_list("number", "sourced_id"))
        next_number = (School.objects.aggregate(top=Max("number"))["top"] or 0) + 1
        timezone = settings.TIME_ZONE
        try:
            validate_timezone(timezone)
        except ValidationError:
            timezone = "UTC"
        for row in school_rows:
            if row.sourced_id in self.left_out:
                continue
            school = self.schools.get(row.sourced_id)
            if row.deleted:
                if school:
                    self.warn(
                        row,
                        gettext("%(name)s is tobedeleted; schools are never deleted by an import")
                        % {"name": row["name"]},
                    )
                continue
            number = int(row["identifier"]) if re.fullmatch(r"[0-9]{1,9}", row["identifier"]) else None
            if number is not None and numbers.get(number, row.sourced_id) != row.sourced_id:
                owner = school.number if school else None
                if owner != number:
                    self.problems.add(
                        row,
                        gettext("identifier %(number)s is already the number of another school") % {"number": number},
                    )
                    self.export.refused["orgs"].add(row.sourced_id)
                    continue
            if school is None:
                if number is None:
                    number = max(next_number, max(numbers, default=0) + 1)
                school = School(name=row["name"][:200], number=number, sourced_id=row.sourced_id, timezone=timezone)
                if (u := uuid_or_none(row.sourced_id)) and not School.objects.filter(uuid=u).exists():
                    school.uuid = u
                if self.write:
                    school.save()  # one by one: the post_save signal seeds its attendance codes
                else:
                    school.pk = next(self._fake_ids)
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
                    if self.write:
                        school.save(update_fields=changes)
                    self.report.updated["schools"] += 1
            numbers[school.number] = row.sourced_id
        for row in export.orgs:
            if row["type"] == "department" and row.sourced_id in referenced:
                school_sid = self.org_school_sid(row.sourced_id)
                if school_sid in self.schools or self.is_quiet_org(row.sourced_id, school_sid):
                    continue
                if not school_sid:
                    self.problems.add(
                        row,
                        gettext("department %(name)r belongs to no school (parentSourcedId is empty)")
                        % {"name": row["name"]},
                    )
                else:
                    self.problems.add(
                        row,
                        gettext("department %(name)r belongs to %(school_sid)r, %(NOT_A_SCHOOL)s")
                        % {"name": row["name"], "school_sid": school_sid, "NOT_A_SCHOOL": NOT_A_SCHOOL},
                    )
                export.refused["orgs"].add(row.sourced_id)

    def narrow_to_scope(self, school_rows: list[Row], wanted: set[str]) -> None:
        """An upload is one school's: the export's other schools, and every row of theirs, are
        left out. A school that has no sourcedId yet takes the export's only school, or the one
        whose identifier is its number."""
        scope = self.scope
        mine = {sid for sid, school in self.schools.items() if school.pk == scope.pk}
        if not mine and not scope.sourced_id:
            live = [row for row in school_rows if not row.deleted]
            numbered = [row for row in live if row["identifier"] == str(scope.number)]
            pick = numbered if len(numbered) == 1 else live if len(live) == 1 else []
            if pick:
                mine = {pick[0].sourced_id}
                self.schools[pick[0].sourced_id] = scope
                self.warn(
                    pick[0],
                    gettext("%(scope_name)s is this export's %(name)s (sourcedId %(sourced_id)s)")
                    % {"scope_name": scope.name, "name": pick[0]["name"], "sourced_id": pick[0].sourced_id},
                )
        if not mine:
            names = ", ".join(f"{row['name']} ({row.sourced_id})" for row in school_rows) or "none"
            ours = f"sourcedId {scope.sourced_id!r}" if scope.sourced_id else f"number {scope.number}"
            self.problems.add(
                "orgs.csv",
                gettext("no school of this export is %(scope_name)s (%(ours)s); its schools: %(names)s")
                % {"scope_name": scope.name, "ours": ours, "names": names},
            )
        for row in school_rows:
            if row.sourced_id not in mine:
                self.left_out.add(row.sourced_id)
                self.warn(
                    row,
                    gettext("%(name)s is not %(scope_name)s: its rows are left out of this upload")
                    % {"name": row["name"], "scope_name": scope.name},
                )
        self.left_out |= {sid for sid in wanted if sid not in mine and sid in self.schools}
        self.schools = dict.fromkeys(mine, scope)

    # -- academicSessions

    def schools_of_org(self, sid: str) -> set[School]:
        """The school an org is (or is a department of), or each school of a district."""
        school = self.school_quietly(sid)
        if school is not None:
            return {school}
        return {
            self.schools[row.sourced_id]
            for row in self.export.orgs
            if row["type"] == "school" and row["parentSourcedId"] == sid and row.sourced_id in self.schools
        }

    def session_owners(self) -> dict[str, set[int]]:
        """Which schools use each session: through their classes' termSourcedIds, their courses'
        schoolYearSourcedId, an org column of the session, or because they have it already; a
        school year is used by the schools that use its terms, and a term no school names
        belongs to the schools of its school year. In an export of one school, that school."""
        export = self.export
        owners: dict[str, set[int]] = {sid: set() for sid in self.session_rows}
        self.left_sessions: set[str] = set()

        def use(sid: str, org: str, *, district: bool = False) -> None:
            if sid not in owners:
                return
            for school in self.schools_of_org(org) if district else filter(None, [self.school_quietly(org)]):
                owners[sid].add(school.pk)
            if self.org_school_sid(org) in self.left_out:
                self.left_sessions.add(sid)

        for row in export.classes:
            for sid in split_list(row["termSourcedIds"]):
                use(sid, row["schoolSourcedId"])
            course = export.courses.get(row["courseSourcedId"])
            if course is not None:
                use(course["schoolYearSourcedId"], row["schoolSourcedId"])
        for course in export.courses.values():  # a course of a school (a district's serves many)
            if course["orgSourcedId"]:
                use(course["schoolYearSourcedId"], course["orgSourcedId"])
        for row in export.sessions:
            if org := row["orgSourcedId"] or row["schoolSourcedId"]:
                use(row.sourced_id, org, district=True)
        for school_id, sid in [*self.years, *self.terms]:
            if sid in owners:
                owners[sid].add(school_id)
        all_schools = {school.pk for school in self.schools.values()}
        if len(all_schools) == 1 and not self.left_out:
            return {sid: set(all_schools) for sid in owners}
        for sid in owners:  # up: a session's parents serve the schools that use it
            parent, seen = self.session_rows[sid]["parentSourcedId"], {sid}
            while parent in owners and parent not in seen:
                owners[parent] |= owners[sid]
                seen.add(parent)
                parent = self.session_rows[parent]["parentSourcedId"]
        for sid, found in owners.items():  # down: a session no school names follows its parent
            parent, seen = self.session_rows[sid]["parentSourcedId"], {sid}
            while not found and parent in owners and parent not in seen:
                found |= owners[parent]
                seen.add(parent)
                parent = self.session_rows[parent]["parentSourcedId"]
        return owners

    def year_of(self, row: Row, school_id: int, owners: dict[str, set[int]], seen=frozenset()):
        """A session's school year in one school, as a sourcedId (or a year Rollbook has): its
        ``parentSourcedId`` (up the chain); else the school year whose dates contain it (exports
        leave ``parentSourcedId`` empty on semesters); else, when the export has only terms with
        a ``schoolYear`` column, a year made from those terms' dates; else a year of the school's
        in Rollbook that contains it."""
        if row["type"] == "schoolYear":
            return row.sourced_id
        parent = row["parentSourcedId"]
        if parent and parent not in seen:
            if parent in self.session_rows:
                return self.year_of(self.session_rows[parent], school_id, owners, seen | {row.sourced_id})
            return parent  # an existing year in the database (a delta export)
        dates = self.export.dates
        start, end = dates[row.sourced_id]
        label = row["schoolYear"]
        years = [y for y in self.export.sessions if y["type"] == "schoolYear"]
        containing = [y for y in years if dates[y.sourced_id][0] <= start and end <= dates[y.sourced_id][1]]
        for preferred in (
            [y for y in containing if school_id in owners[y.sourced_id] and (not label or y["schoolYear"] == label)],
            [y for y in containing if school_id in owners[y.sourced_id]],
            [y for y in containing if label and y["schoolYear"] == label],
            containing,
        ):
            if preferred:
                return preferred[0].sourced_id
        if label and not any(y["schoolYear"] == label for y in years):
            return SYNTHESIZED_YEAR + label
        if self.held_years is None:
            self.held_years = list(
                AcademicYear.objects.filter(school_id__in={s.pk for s in self.schools.values() if s.pk > 0})
            )
        for year in self.held_years:
            if year.school_id == school_id and year.start_date <= start and end <= year.end_date:
                return year
        self.problems.add(
            row,
            gettext("no school year contains %(start)s to %(end)s; set parentSourcedId") % {"start": start, "end": end},
        )
        return None

    def import_sessions(self) -> None:
        sessions = self.export.sessions
        for row in sessions:
            if row.deleted:
                self.warn(row, gettext("tobedeleted sessions are kept (classes and term counts refer to them)"))
        referenced = {sid for row in self.export.classes for sid in split_list(row["termSourcedIds"])}
        referenced |= set(self.session_rows) | {row["parentSourcedId"] for row in sessions}
        referenced |= {SYNTHESIZED_YEAR + row["schoolYear"] for row in sessions if row["schoolYear"]}
        referenced |= {course["schoolYearSourcedId"] for course in self.export.courses.values()}
        referenced.discard("")
        school_ids = {school.pk for school in self.schools.values() if school.pk > 0}
        self.years = self.existing(AcademicYear, school_ids, referenced)
        self.terms = {}
        if school_ids:
            for part in chunks(referenced):
                for term in Term.objects.filter(school_id__in=school_ids, sourced_id__in=part).select_related(
                    "academic_year"
                ):
                    self.terms[(term.school_id, term.sourced_id)] = term
        self.held_years = None
        owners = self.session_owners()
        for row in sessions:
            if not owners[row.sourced_id] and row.sourced_id not in self.left_sessions:
                self.warn(
                    row,
                    gettext(
                        "%(type)s %(title)r is used by no school of this export "
                        "(no class, course or org column names it); not imported"
                    )
                    % {"type": row["type"], "title": row["title"]},
                )
        # Each term's school year in each school that uses it; years made from terms' dates.
        year_of: dict[tuple[int, str], str | AcademicYear] = {}
        made: dict[tuple[int, str], list[Row]] = defaultdict(list)
        for row in sessions:
            if row["type"] == "schoolYear":
                continue
            for school_id in sorted(owners[row.sourced_id]):
                year = self.year_of(row, school_id, owners)
                if year is None:
                    self.export.refused["academicSessions"].add(row.sourced_id)
                    continue
                year_of[(school_id, row.sourced_id)] = year
                if isinstance(year, str) and year.startswith(SYNTHESIZED_YEAR) and year not in self.session_rows:
                    made[(school_id, year)].append(row)
                elif isinstance(year, str) and year in owners:
                    owners[year].add(school_id)
        dates = self.export.dates
        wanted_years = {
            (school_id, row.sourced_id): {
                "name": row["title"][:100],
                "start_date": dates[row.sourced_id][0],
                "end_date": dates[row.sourced_id][1],
            }
            for row in sessions
            if row["type"] == "schoolYear"
            for school_id in owners[row.sourced_id]
        }
        for (school_id, sid), terms in made.items():
            start = min(dates[t.sourced_id][0] for t in terms)
            end = max(dates[t.sourced_id][1] for t in terms)
            name = f"{start.year}-{end.year}" if start.year != end.year else str(start.year)
            wanted_years[(school_id, sid)] = {"name": name, "start_date": start, "end_date": end}
            self.warn(
                min(terms, key=lambda t: t.line),
                gettext(
                    "no schoolYear session for schoolYear %(year)s: "
                    "the school year %(name)s (%(start)s to %(end)s) is made from its terms' dates"
                )
                % {"year": sid.removeprefix(SYNTHESIZED_YEAR), "name": name, "start": start, "end": end},
            )
        self.years.update(self.sync("academic years", AcademicYear, wanted_years, self.years))
        wanted_terms = {}
        for (school_id, sid), found in sorted(
            year_of.items(), key=lambda item: (item[0][0], self.session_rows[item[0][1]].line)
        ):
            row = self.session_rows[sid]
            year = found if isinstance(found, AcademicYear) else self.years.get((school_id, found))
            if year is None:
                if row["parentSourcedId"] == found:  # else the problem is its parent's
                    self.problems.add(row, gettext("school year %(found)r is not in this export") % {"found": found})
                self.export.refused["academicSessions"].add(sid)
                continue
            start, end = dates[sid]
            if (start < year.start_date or end > year.end_date) and found in self.session_rows:
                self.warn(
                    row,
                    gettext(
                        "%(title)s (%(start)s to %(end)s) is not within its school year %(year_name)s "
                        "(%(year_start_date)s to %(year_end_date)s); kept as it is"
                    )
                    % {
                        "title": row["title"],
                        "start": start,
                        "end": end,
                        "year_name": year.name,
                        "year_start_date": year.start_date,
                        "year_end_date": year.end_date,
                    },
                )
            wanted_terms[(school_id, sid)] = {
                "name": row["title"][:100],
                "academic_year_id": year.pk,
                "start_date": start,
                "end_date": end,
            }
        self.terms.update(self.sync("terms", Term, wanted_terms, self.terms))

    # -- classes

    def import_classes(self) -> None:
        scheduled, homerooms = {}, {}
        meetings: dict[tuple[int, str], set[tuple[int, int]]] = {}
        for row in self.export.classes:
            school = self.school_for(row, "schoolSourcedId")
            if school is None:
                self.refused_classes.add(row.sourced_id)
                continue
            key = (school.pk, row.sourced_id)
            grade = split_list(row["grades"])[:1]
            if row["classType"] == "homeroom":
                if row.deleted:
                    self.warn(row, gettext("tobedeleted homerooms keep their year group; remove it in the admin"))
                homerooms[key] = {"name": row["title"][:100], "grade": (grade[0] if grade else "")[:20]}
                ends = [s.end_date for sid in split_list(row["termSourcedIds"]) if (s := self.session(school, sid))]
                if ends:
                    self.homeroom_ends[key] = max(ends)
                continue
            span = self.class_dates(row, school)
            if span is None:
                self.refused_classes.add(row.sourced_id)
                continue
            slots = read_periods(row["periods"])
            if slots is None:
                self.warn(
                    row,
                    gettext(
                        "periods %(periods)r of class %(title)r cannot be read without a guess; "
                        "the class keeps the timetable it has (none if new): set it in the admin"
                    )
                    % {"periods": row["periods"], "title": row["title"]},
                )
            else:
                slots = {(day, number - school.period_offset) for day, number in slots}
                if any(number < 1 for _day, number in slots):
                    self.problems.add(
                        row,
                        gettext("periods %(periods)r: %(school_name)s counts periods from 1")
                        % {"periods": row["periods"], "school_name": school.name},
                    )
                    self.refused_classes.add(row.sourced_id)
                    continue
                meetings[key] = slots
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
        school_ids = {key[0] for key in scheduled | homerooms}
        existing = self.existing(SchoolClass, school_ids, [k[1] for k in scheduled])
        self.keep_years(scheduled, existing)
        self.classes = self.sync("classes", SchoolClass, scheduled, existing)
        self.year_groups = self.sync(
            "year groups", YearGroup, homerooms, self.existing(YearGroup, school_ids, [k[1] for k in homerooms])
        )
        self.import_timetables(meetings)

    def session(self, school: School, sid: str) -> Term | AcademicYear | None:
        return self.terms.get((school.pk, sid)) or self.years.get((school.pk, sid))

    def keep_years(self, scheduled: dict, existing: dict) -> None:
        """A class with marks never moves to another school year (its marks and reports stay
        where they are): next year's class is a new class, with a sourcedId of its own."""
        moving = {key: obj for key, obj in existing.items() if key in scheduled}
        moving = {k: o for k, o in moving.items() if o.academic_year_id != scheduled[k]["academic_year_id"]}
        if not moving:
            return
        marked = set(
            SchoolClass.objects.filter(pk__in=[o.pk for o in moving.values()], marks__isnull=False)
            .values_list("pk", flat=True)
            .distinct()
        )
        for key, obj in moving.items():
            if obj.pk in marked:
                row = self.class_rows[key[1]]
                self.problems.add(
                    row,
                    gettext(
                        "class %(class_id)r has marks in another school year; its terms would move it: "
                        "give next year's class a sourcedId of its own"
                    )
                    % {"class_id": key[1]},
                )
                self.refused_classes.add(key[1])
                del scheduled[key]

    def class_dates(self, row: Row, school: School) -> tuple[AcademicYear, date, date] | None:
        years, starts, ends = set(), [], []
        years_by_id = {year.pk: year for year in self.years.values()}
        for sid in split_list(row["termSourcedIds"]):
            session = self.session(school, sid)
            if session is None:
                if not self.export.is_refused("academicSessions", sid):
                    self.problems.add(
                        row, gettext("term %(sid)r is not in academicSessions.csv or the database") % {"sid": sid}
                    )
                return None
            if isinstance(session, Term):
                years.add(years_by_id.get(session.academic_year_id) or session.academic_year)
            else:
                years.add(session)
            starts.append(session.start_date)
            ends.append(session.end_date)
        if len(years) > 1:
            self.problems.add(row, gettext("its terms belong to different school years"))
            return None
        return years.pop(), min(starts), max(ends)

    def import_timetables(self, meetings: dict[tuple[int, str], set[tuple[int, int]]]) -> None:
        """Each class meets at its (weekday, period) pairs. Slots no longer listed are disabled
        (not deleted: a school may have set a room); an empty ``periods`` leaves them alone."""
        meetings = {key: slots for key, slots in meetings.items() if slots and key in self.classes}
        if not meetings:
            return
        school_ids = {key[0] for key in meetings}
        periods = {
            (p.school_id, p.number): p for p in Period.objects.filter(school_id__in={s for s in school_ids if s > 0})
        }
        missing = sorted({(key[0], n) for key, slots in meetings.items() for _d, n in slots} - set(periods))
        new_periods = [Period(school_id=school_id, number=number) for school_id, number in missing]
        self.save_new(Period, new_periods)
        periods.update({(p.school_id, p.number): p for p in new_periods})
        self.report.created["periods"] += len(new_periods)
        class_ids = [self.classes[key].pk for key in meetings if self.classes[key].pk > 0]
        have = defaultdict(dict)
        for part in chunks(class_ids):
            for pk, class_id, weekday, number, enabled in TimetableSlot.objects.filter(
                school_class_id__in=part
            ).values_list("pk", "school_class_id", "weekday", "period__number", "enabled"):
                have[class_id][(weekday, number)] = (pk, enabled)
        new_slots, disabled = [], []
        for key, slots in meetings.items():
            school_class = self.classes[key]
            location = self.class_rows[key[1]]["location"][:100]
            held = have[school_class.pk]
            for weekday, number in sorted(slots):
                if (weekday, number) not in held:
                    new_slots.append(
                        TimetableSlot(
                            school_id=key[0],
                            school_class=school_class,
                            weekday=weekday,
                            period=periods[(key[0], number)],
                            location=location,
                        )
                    )
            for pair, (pk, enabled) in held.items():
                if pair not in slots and enabled:
                    disabled.append(TimetableSlot(pk=pk, enabled=False))
        self.save_new(TimetableSlot, new_slots)
        self.save_changed(TimetableSlot, disabled, ["enabled"])
        self.report.created["timetable slots"] += len(new_slots)
        self.report.archived["timetable slots"] += len(disabled)

    # -- users

    def schools_of_role(self, role: Role, kind: str) -> tuple[list[School], bool]:
        """The schools a role places its user in, and whether any of its orgs was left out."""
        found, districts, quiet = [], [], False
        for org in role.orgs:
            school_sid = self.org_school_sid(org)
            if school_sid in self.schools:
                found.append(self.schools[school_sid])
            elif self.is_quiet_org(org, school_sid):
                quiet = True
            elif org in self.org_rows and self.org_rows[org]["type"] == "district":
                districts.append(org)
        if kind == "administrator":
            # A district administrator manages each of the district's schools in this export.
            for org in self.export.orgs:
                if org["type"] == "school" and org["parentSourcedId"] in districts and org.sourced_id in self.schools:
                    found.append(self.schools[org.sourced_id])
        return list(dict.fromkeys(found)), quiet

    def import_users(self) -> None:
        placements: dict[str, dict[tuple[int, str], Row]] = {role: {} for role in PERSON_MODELS}
        deleted: dict[str, dict[tuple[int, str], bool]] = {role: {} for role in PERSON_MODELS}
        students_schools: dict[str, list[School]] = defaultdict(list)
        with_roles = set()
        for role in self.export.roles:
            with_roles.add(role.user)
            row = self.user_rows[role.user]
            kind = ROLE_KINDS.get(role.role)
            if kind is None:
                self.warn(role.row, gettext("role %(role)r has no place in Rollbook; skipped") % {"role": role.role})
                continue
            schools, quiet = self.schools_of_role(role, kind)
            if kind == "student":
                students_schools[role.user].extend(schools)
            if not schools and kind != "parent" and not quiet:
                value = role.row[role.column]
                if role.column == "orgSourcedIds":
                    self.problems.add(
                        role.row, gettext("none of orgSourcedIds %(value)r is a school") % {"value": value}
                    )
                else:
                    self.problems.add(role.row, gettext("orgSourcedId %(value)r is not a school") % {"value": value})
            for school in schools:
                key = (school.pk, role.user)
                placements[kind][key] = row
                deleted[kind][key] = deleted[kind].get(key, True) and role.deleted
        self.place_unroled({sid for sid in self.user_rows if sid not in with_roles}, placements, deleted)
        # A parent belongs where their children are, whatever org the export gives them.
        links = self.agent_links()
        schools_by_id = {school.pk: school for school in self.schools.values()}
        elsewhere = {p.school_id for people in self.outsiders.values() for p in people} - set(schools_by_id)
        if elsewhere and self.scope is None:
            schools_by_id.update(School.objects.in_bulk(elsewhere))
        parent_roles = {
            (role.user, role.deleted) for role in self.export.roles if ROLE_KINDS.get(role.role) == "parent"
        }
        for parent_sid, student_sid in links:
            parent = self.user_rows.get(parent_sid)
            if parent is None:
                continue
            schools = students_schools.get(student_sid) or [
                schools_by_id[s.school_id]
                for s in self.outsiders[student_sid]
                if isinstance(s, Student) and s.school_id in schools_by_id
            ]
            for school in schools:
                placements["parent"][(school.pk, parent_sid)] = parent
        active_parents = {sid for sid, gone in parent_roles if not gone}
        self.gone_parents = {sid for sid, gone in parent_roles if gone and sid not in active_parents}
        placed_parents = {key[1] for key in placements["parent"]}
        for role in self.export.roles:
            if ROLE_KINDS.get(role.role) == "parent" and role.user not in placed_parents:
                self.warn(role.row, gettext("a parent of no student in a school of this export; skipped"))
                placed_parents.add(role.user)
        user_ids = self.import_logins({key[1] for placed in placements.values() for key in placed})
        for role, model in PERSON_MODELS.items():
            wanted, gone = {}, []
            for key, row in placements[role].items():
                if role == "administrator" and deleted[role].get(key):
                    gone.append(key)  # a deleted administrator role no longer runs the school
                    continue
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
                    values["archived"] = deleted[role].get(key, row.deleted)
                wanted[key] = values
            keys = [*wanted, *gone]
            existing = self.existing(model, {k[0] for k in keys}, {k[1] for k in keys})
            removed = [existing[key].pk for key in gone if key in existing]
            self.delete(model, removed)
            self.report.removed[f"{role}s"] += len(removed)
            self.people[role] = self.sync(f"{role}s", model, wanted, existing)

    def place_unroled(self, sids: set[str], placements: dict, deleted: dict) -> None:
        """A user no role names (a 1.2 users file without roles.csv, a delta) keeps the places it
        has in Rollbook; one with none is skipped."""
        if not sids:
            return
        school_ids = {school.pk for school in self.schools.values() if school.pk > 0}
        found = set()
        for kind, model in PERSON_MODELS.items():
            for part in chunks(sids):
                for school_id, sid in model.objects.filter(school_id__in=school_ids, sourced_id__in=part).values_list(
                    "school_id", "sourced_id"
                ):
                    row = self.user_rows[sid]
                    placements[kind][(school_id, sid)] = row
                    deleted[kind][(school_id, sid)] = row.deleted
                    found.add(sid)
        for sid in sorted(sids - found, key=lambda s: self.user_rows[s].line):
            self.warn(self.user_rows[sid], gettext("no role names this user (roles.csv); skipped"))

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
        username that belongs to someone else's login is refused rather than taken over. In a
        school's upload, a login also used in another school is linked and left as it is."""
        User = get_user_model()
        rows = [row for row in self.export.users if row.sourced_id in placed]
        sids = [row.sourced_id for row in rows]
        linked: dict[str, int] = {}
        for model in PERSON_MODELS.values():
            for part in chunks(sids):
                linked.update(
                    model.objects.filter(sourced_id__in=part, user__isnull=False).values_list("sourced_id", "user_id")
                )
        shared: set[int] = set()
        if self.scope is not None and linked:
            for model in PERSON_MODELS.values():
                for part in chunks(linked.values()):
                    shared.update(
                        model.objects.filter(user_id__in=part)
                        .exclude(school=self.scope)
                        .values_list("user_id", flat=True)
                    )
        names = {row.sourced_id: login_name(row["username"]) for row in rows if row["username"]}
        by_id, by_name = {}, {}
        ids, usernames = list(chunks(set(linked.values()))), list(chunks(set(names.values())))
        fields = ("pk", "username", "first_name", "last_name", "email", "is_active", "password")
        for part_ids, part_names in itertools.zip_longest(ids, usernames, fillvalue=[]):
            # Plain values; a login is made a model only when it is changed (50,000 load fast).
            for found in User.objects.filter(Q(pk__in=part_ids) | Q(username__in=part_names)).values_list(*fields):
                by_id[found[0]] = by_name[found[1]] = found
        claimed: dict[str, Row] = {}
        new, changed, changed_fields = [], [], set()
        for row in rows:
            user = by_id.get(linked.get(row.sourced_id))
            name = names.get(row.sourced_id)
            if name:
                if name in claimed:
                    self.problems.add(
                        row,
                        gettext("username %(name)r is also used on %(where)s")
                        % {"name": name, "where": claimed[name].where},
                    )
                    continue
                claimed[name] = row
                holder = by_name.get(name)
                if holder is not None and holder != user:
                    self.problems.add(
                        row, gettext("username %(name)r already belongs to another login") % {"name": name}
                    )
                    continue
            if user is None and not name:
                continue
            if user is not None and user[0] in shared:
                self.warn(
                    row, gettext("the login %(user)r is also another school's; left as it is") % {"user": user[1]}
                )
                continue
            values = {
                "first_name": row["givenName"][:150],
                "last_name": row["familyName"][:150],
                "email": row["email"][:254],
                "is_active": row["enabledUser"] == "true" and not row.deleted,
            }
            if name:
                values["username"] = name
            if user is None:
                user = User(**values)
                if self.write:
                    user.password = make_password(row["password"] or None)
                new.append((row.sourced_id, user))
                continue
            current = dict(zip(fields, user, strict=True))
            changes = [column for column, value in values.items() if current[column] != value]
            if not changes and not row["password"]:
                continue
            user = User(id=current.pop("pk"), **current)
            for column in changes:
                setattr(user, column, values[column])
            if row["password"] and not user.check_password(row["password"]):
                user.password = make_password(row["password"]) if self.write else user.password
                changes.append("password")
            if changes:
                changed.append(user)
                changed_fields.update(changes)
                if changes == ["is_active"] and row.deleted:
                    self.report.archived["logins"] += 1
                else:
                    self.report.updated["logins"] += 1
        self.save_new(User, [user for _, user in new])
        self.save_changed(User, changed, changed_fields)
        self.report.created["logins"] += len(new)
        linked.update({sid: user.pk for sid, user in new})
        return linked

    def agent_links(self) -> set[tuple[str, str]]:
        """(parent sourcedId, student sourcedId) from agentSourcedIds, read both ways. An agent
        outside the file (a delta export) is linked when it is already imported."""
        if self._links is not None:
            return self._links
        kinds = defaultdict(set)
        for role in self.export.roles:
            kinds[role.user].add("parent" if role.role in PARENT_ROLES else role.role)
        unknown = {
            agent
            for row in self.export.users
            for agent in split_list(row["agentSourcedIds"])
            if agent not in self.user_rows
        }
        self.outsiders = defaultdict(list)
        school_ids = {school.pk for school in self.schools.values() if school.pk > 0}
        if unknown:
            for model in (Student, Parent):
                people = model.objects.filter(sourced_id__in=unknown)
                if self.scope is not None:
                    people = people.filter(school_id__in=school_ids)
                for person in people:
                    self.outsiders[person.sourced_id].append(person)
        links = set()
        for row in self.export.users:
            mine = kinds[row.sourced_id]
            for agent in split_list(row["agentSourcedIds"]):
                if agent in self.user_rows:
                    theirs = kinds[agent]
                elif self.outsiders[agent]:
                    theirs = {"student" if isinstance(self.outsiders[agent][0], Student) else "parent"}
                elif self.export.is_refused("users", agent):
                    continue
                else:
                    self.problems.add(
                        row, gettext("agentSourcedIds: %(agent)r is not a user in this export") % {"agent": agent}
                    )
                    continue
                if "student" in mine and "parent" in theirs:
                    links.add((agent, row.sourced_id))
                elif "parent" in mine and "student" in theirs:
                    links.add((row.sourced_id, agent))
                elif not mine & {"student", "parent"}:
                    roles = ", ".join(sorted(mine)) or "user"
                    self.warn(
                        row,
                        gettext("agent %(agent)r of a %(roles)s is not linked; skipped")
                        % {"agent": agent, "roles": roles},
                    )
        self._links = links
        return links

    def import_guardianships(self) -> None:
        """Links named in agentSourcedIds are made; in a bulk users file, an imported parent's
        link to an imported student that neither row names any more is removed."""
        links = self.agent_links()
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
        file_parents = {key[1] for key in parents}
        file_parents |= {role.user for role in self.export.roles if ROLE_KINDS.get(role.role) == "parent"}
        imported_students = [s.pk for s in students.values() if s.pk > 0]
        have = {}
        for parent_sids, student_ids in itertools.zip_longest(
            chunks(file_parents), chunks(imported_students), fillvalue=[]
        ):
            found = Guardianship.objects.filter(Q(parent__sourced_id__in=parent_sids) | Q(student_id__in=student_ids))
            if self.scope is not None:
                found = found.filter(school=self.scope)
            for pk, school_id, parent_id, student_id, parent_sid in found.values_list(
                "pk", "school_id", "parent_id", "student_id", "parent__sourced_id"
            ):
                have[(school_id, parent_id, student_id)] = (pk, parent_sid)
        new = [Guardianship(school_id=s, parent_id=p, student_id=c) for (s, p, c) in wanted - set(have)]
        self.save_new(Guardianship, new)
        self.report.created["guardianships"] += len(new)
        bulk = self.export.modes["users"] == "bulk"
        imported = set(imported_students)
        stale = [
            pk
            for key, (pk, parent_sid) in have.items()
            if parent_sid in self.gone_parents
            or (bulk and key not in wanted and parent_sid in file_parents and key[2] in imported)
        ]
        self.delete(Guardianship, stale)
        self.report.removed["guardianships"] += len(stale)

    # -- enrollments

    def import_enrollments(self) -> None:
        rows = self.export.enrollments
        # The school of each schoolSourcedId once, not once a row: an export has a few schools
        # and may have 500,000 enrollments.
        school_of = {sid: self.school_quietly(sid) for sid in {row["schoolSourcedId"] for row in rows}}
        pk_of = {sid: school.pk for sid, school in school_of.items() if school is not None}
        lookups = defaultdict(set)
        wanted_people = {"student": set(), "teacher": set()}
        for row in rows:
            school_id = pk_of.get(row["schoolSourcedId"])
            if school_id is not None:
                lookups[school_id].add(row["classSourcedId"])
                if row["role"] in wanted_people:
                    wanted_people[row["role"]].add((school_id, row["userSourcedId"]))
        missing_classes = (
            {(school_id, sid) for school_id, sids in lookups.items() for sid in sids}
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
            missing = wanted_people[role] - set(self.people[role])
            if missing:
                self.people[role].update(self.existing(model, {k[0] for k in missing}, {k[1] for k in missing}))

        student_parts = defaultdict(list)
        teacher_parts = defaultdict(list)
        homeroom_students, advisors = defaultdict(list), defaultdict(list)
        for row in rows:
            school = school_of[row["schoolSourcedId"]]
            if school is None:
                self.school_for(row, "schoolSourcedId")  # says why, unless the school is refused
                continue
            school_id = pk_of[row["schoolSourcedId"]]
            key = (school_id, row["classSourcedId"])
            school_class, year_group = self.classes.get(key), self.year_groups.get(key)
            if school_class is None and year_group is None:
                if not self.export.is_refused("classes", key[1]) and key[1] not in self.refused_classes:
                    self.problems.add(
                        row,
                        gettext("class %(classSourcedId)r is not a class of %(school_name)s")
                        % {"classSourcedId": row["classSourcedId"], "school_name": school.name},
                    )
                continue
            role = row["role"]
            if role not in ("student", "teacher"):
                self.warn(row, gettext("%(role)s enrollments have no place in Rollbook; skipped") % {"role": role})
                continue
            person = self.people[role].get((school_id, row["userSourcedId"]))
            if person is None:
                if not self.export.is_refused("users", row["userSourcedId"]):
                    self.not_a(row, role, school)
                continue
            if school_class is not None:
                parts = student_parts if role == "student" else teacher_parts
                parts[(school_id, school_class.id, person.id)].append(row)
            else:
                target = homeroom_students if role == "student" else advisors
                target[(school_id, year_group.id, person.id)].append(row)
        self.sync_enrollments(student_parts)
        self.sync_assignments(teacher_parts)
        self.sync_homerooms(homeroom_students, advisors)

    def not_a(self, row: Row, role: str, school: School) -> None:
        """A user enrolled in a role they do not have; the user's own row says which they have."""
        sid = row["userSourcedId"]
        self.problems.add(
            row,
            gettext("user %(sid)r is not a %(role)s of %(school_name)s")
            % {"sid": sid, "role": role, "school_name": school.name},
        )
        if self._roles_by_user is None:
            self._roles_by_user = defaultdict(list)
            for r in self.export.roles:
                self._roles_by_user[r.user].append(r)
        for r in self._roles_by_user.get(sid, []):
            if ROLE_KINDS.get(r.role) != role:
                self.problems.add(
                    r.row,
                    gettext("user %(sid)r is a %(r_role)s, and enrollments.csv enrolls them as a %(role)s")
                    % {"sid": sid, "r_role": r.role, "role": role},
                )

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
        class_ids = {key[1] for key in parts_by_pair if key[1] > 0}
        existing = {}
        fields = ("pk", "school_id", "school_class_id", "student_id", "start_date", "end_date", "sourced_id")
        for part in chunks(class_ids, BATCH):
            # Plain values (an enrollment is made a model only when it changes): a school's
            # 500,000 enrollments load in a few seconds instead of many.
            for pk, school_id, class_id, student_id, start, end, sid in Enrollment.objects.filter(
                school_class_id__in=part
            ).values_list(*fields):
                existing[(school_id, class_id, student_id)] = Held(pk, start, end, sid)
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
                    new.append((key, values))
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
                held = {f: getattr(enrollment, f) for f in ("start_date", "end_date", "sourced_id")}
                changed.append(Enrollment(pk=enrollment.pk, **{**held, **values}))
        self.report.created["enrollments"] += len(new)
        if self.write:
            for batch in chunks(range(len(new)), BATCH):
                objs = [
                    Enrollment(
                        school_id=new[i][0][0], school_class_id=new[i][0][1], student_id=new[i][0][2], **new[i][1]
                    )
                    for i in batch
                ]
                self.claim_uuids(Enrollment, objs, [new_sids[i] for i in batch])
                Enrollment.objects.bulk_create(objs)
                self.progress("enrollments", batch[-1] + 1, len(new))
        self.save_changed(Enrollment, changed, ["start_date", "end_date", "sourced_id"])
        self.delete(Enrollment, removed)
        self.report.updated["enrollments"] += len(changed)
        self.report.removed["enrollments"] += len(removed)

    @staticmethod
    def trimmed(enrollment: Held, gone: list[Row]) -> dict | None:
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
        existing = {}
        for part in chunks({key[1] for key in parts_by_pair if key[1] > 0}, BATCH):
            for a in TeacherAssignment.objects.filter(school_class_id__in=part):
                existing[(a.school_id, a.school_class_id, a.teacher_id)] = a
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
        self.save_new(TeacherAssignment, new)
        self.delete(TeacherAssignment, removed)
        self.report.created["teacher assignments"] += len(new)
        self.report.removed["teacher assignments"] += len(removed)

    def sync_homerooms(self, students: dict, advisors: dict) -> None:
        """Students enrolled in a homeroom get its year group (the one whose terms end last, when
        an export has two years' homerooms); its teachers become its advisors."""
        homeroom_keys = {yg.pk: key for key, yg in self.year_groups.items()}
        chosen: dict[int, tuple] = {}
        left: dict[int, set[int]] = defaultdict(set)
        for (_school_id, year_group_id, student_id), parts in students.items():
            if any(not r.deleted for r in parts):
                end = self.homeroom_ends.get(homeroom_keys.get(year_group_id), date.min)
                rank = (end, -min(r.line for r in parts))
                if student_id not in chosen or rank > chosen[student_id][0]:
                    chosen[student_id] = (rank, year_group_id)
            else:
                left[student_id].add(year_group_id)
        active = {student_id: year_group_id for student_id, (_rank, year_group_id) in chosen.items()}
        if active or left:
            by_pk = {person.pk: person for person in self.people["student"].values()}
            moved = []
            for student_id in set(active) | set(left):
                student = by_pk.get(student_id)
                if student is None:
                    continue
                if student_id in active:
                    target = active[student_id]
                elif student.year_group_id in left[student_id]:
                    target = None
                else:
                    continue
                if student.year_group_id != target:
                    student.year_group_id = target
                    moved.append(student)
            self.save_changed(Student, moved, ["year_group"])
            self.report.updated["students"] += len(
                {s.pk for s in moved if id(s) not in self.new_people} - self.student_updates
            )
        if advisors:
            existing = {}
            for part in chunks({key[1] for key in advisors if key[1] > 0}, BATCH):
                for a in Advisor.objects.filter(year_group_id__in=part):
                    existing[(a.school_id, a.year_group_id, a.teacher_id)] = a
            new = [
                Advisor(school_id=key[0], year_group_id=key[1], teacher_id=key[2])
                for key, parts in advisors.items()
                if any(not r.deleted for r in parts) and key not in existing
            ]
            removed = [
                existing[key].pk for key, parts in advisors.items() if all(r.deleted for r in parts) and key in existing
            ]
            self.save_new(Advisor, new)
            self.delete(Advisor, removed)
            self.report.created["advisors"] += len(new)
            self.report.removed["advisors"] += len(removed)
