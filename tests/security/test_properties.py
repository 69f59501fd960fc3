"""Property tests of the one write path: any sequence of writes (class marks, daily marks, time
entries and clears, by any actor through any channel, with repeated keys and refused items mixed
in) leaves exactly one mark per key, and the audit log replays, in its own order, to exactly the
marks in the database.

Hypothesis draws abstract batches ("teacher, through managebac: s0 in 7A English on Monday,
period 3, Late, …"); the test turns them into service calls and checks each result and each
new audit entry against a plain model of what the school's rules allow. Every example runs in a
savepoint that is rolled back, so the examples share one ``world``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.api.models import ApiClient
from apps.attendance.channels import Channel
from apps.attendance.rules import MAX_NOTE_LENGTH
from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.homeroom.models import DailyMark, TimeEntry
from apps.homeroom.services import (
    MAX_MINUTES_A_DAY,
    DailyMarkInput,
    TimeEntryInput,
    record_daily_marks,
    record_time_entries,
)
from apps.school.models import AttendanceCode, Period
from tests import factories as f

# --- what hypothesis draws ----------------------------------------------------------------------

# Each field draws from the values the school accepts, or (one pick in four) from anything,
# refused values included: most items apply, enough are refused.
STUDENTS = ["s0", "s1", "s2"]
ANY_STUDENT = [*STUDENTS, "y8", "far"]
DAYS = ["monday", "wednesday"]
ANY_DAY = [*DAYS, "old", "saturday", "future"]
CODES = ["absent", "present", "late", "excused", "clear"]
ANY_CODE = [*CODES, "disabled", "unknown"]
NOTES = ["", "dentist", "Zoë — 日本語 ✓ «note»"]
ANY_NOTE = [*NOTES, "x" * (MAX_NOTE_LENGTH + 1)]
ACTORS = ["admin", "admin", "teacher", "teacher", "other_teacher", "system", "api"]


@dataclass(frozen=True)
class ClassPick:
    school_class: str
    student: str
    day: str
    period: int
    interval: int
    code: str
    note: str
    minutes: int | None


@dataclass(frozen=True)
class DailyPick:
    student: str
    day: str
    code: str
    note: str
    minutes: int | None


@dataclass(frozen=True)
class TimePick:
    student: str
    day: str
    code: str
    note: str
    minutes: int
    entry: str  # "new", "same" / "other" (an earlier entry, as it is / for this pick's student and day), "unknown"
    entry_number: int


@dataclass(frozen=True)
class Again:
    """The key of an earlier item of the batch again, with another code and note."""

    number: int
    code: str
    note: str


@dataclass(frozen=True)
class Batch:
    kind: str
    actor: str
    channel: str
    items: list


def valid_or_any(build, **fields):
    """Picks whose fields are all from the first pool, or each from the second pool."""
    valid = st.builds(build, **{name: st.sampled_from(pools[0]) for name, pools in fields.items()})
    anything = st.builds(build, **{name: st.sampled_from(pools[1]) for name, pools in fields.items()})
    return st.one_of(valid, valid, valid, anything)


class_picks = valid_or_any(
    ClassPick,
    school_class=(["english"], ["english", "science"]),
    student=(STUDENTS, ANY_STUDENT),
    day=(DAYS, ANY_DAY),
    period=([1, 3], [1, 2, 3, 7]),
    interval=([0, 0, 1], [0, 1, -1]),
    code=(CODES, ANY_CODE),
    note=(NOTES, ANY_NOTE),
    minutes=([None, 5], [None, 5, 700]),
)
daily_picks = valid_or_any(
    DailyPick,
    student=(STUDENTS, ANY_STUDENT),
    day=([*DAYS, "saturday"], ANY_DAY),
    code=(CODES, ANY_CODE),
    note=(NOTES, ANY_NOTE),
    minutes=([None, 5], [None, 5, 700]),
)
time_picks = valid_or_any(
    TimePick,
    student=(STUDENTS, ANY_STUDENT),
    day=(DAYS, ANY_DAY),
    code=(CODES[:-1], ANY_CODE),
    note=(NOTES, ANY_NOTE),
    minutes=([0, 30, 90], [0, 30, MAX_MINUTES_A_DAY + 1]),
    entry=(["new", "same", "same"], ["new", "same", "other", "unknown"]),
    entry_number=(range(8), range(8)),
)
agains = st.builds(Again, number=st.integers(0, 10), code=st.sampled_from(ANY_CODE), note=st.sampled_from(NOTES))


def batches_of(kind: str, picks) -> st.SearchStrategy[Batch]:
    items = st.tuples(picks, st.lists(st.one_of(picks, agains), max_size=5)).map(lambda t: [t[0], *t[1]])
    return st.builds(
        Batch,
        kind=st.just(kind),
        actor=st.sampled_from(ACTORS),
        channel=st.sampled_from([c.value for c in Channel]),
        items=items,
    )


sequences = st.lists(
    st.one_of(batches_of("class", class_picks), batches_of("daily", daily_picks), batches_of("time", time_picks)),
    min_size=1,
    max_size=8,
)


# --- the school, as the model sees it ---------------------------------------------------------------

TEACHERS = {"teacher", "other_teacher", "api"}  # bound by the edit window and by what they teach


@pytest.fixture
def school_model(world, admin, teacher, other_teacher):
    """What the school's rules allow, in ids: who may mark which class and student, when the
    classes meet, which codes exist, and the days the picks name."""
    school = world.school
    today = school.today()
    monday = f.last_weekday(school, 1)
    students = {"s0": world.students[0], "s1": world.students[1], "s2": world.students[2]}
    students |= {"y8": world.year8_students[0], "far": world.far_students[0]}
    codes = {name: f.code(school, mb).pk for name, mb in [("absent", 0), ("present", 1), ("late", 2), ("excused", 13)]}
    codes |= {"disabled": f.code(school, 15).pk, "unknown": 10**6, "clear": None}  # 15 is Custom 1, not enabled
    issued = ApiClient.issue(name="Nightly sync", user=teacher, scopes=["read:attendance", "write:attendance"])
    year = world.english.academic_year
    english, science = world.english.pk, world.science.pk
    return SimpleNamespace(
        school=school,
        students={name: s.pk for name, s in students.items()},
        classes={"english": english, "science": science},
        days={
            "monday": monday,
            "wednesday": f.last_weekday(school, 3),
            "old": monday - timedelta(days=35),
            "saturday": f.last_weekday(school, 6),
            "future": today + timedelta(days=400),
        },
        codes=codes,
        late_codes=set(AttendanceCode.objects.filter(school=school, kind="late").values_list("pk", flat=True)),
        periods={p.number: p.pk for p in Period.objects.filter(school=school)},
        actors={
            "admin": admin,
            "teacher": teacher,
            "other_teacher": other_teacher,
            "system": None,
            # An API client acts as its user, as its authentication hands it to the views.
            "api": ApiClient.objects.by_token(issued.token).user,
        },
        floor=today - timedelta(days=school.teacher_edit_days),
        year=(year.start_date, year.end_date),
        enrolled={english: {s.pk for s in world.students}, science: {world.year8_students[0].pk}},
        slots={english: {1, 3}, science: {2}},  # Monday to Friday
        school_students={s.pk for s in [*world.students, *world.year8_students]},
        may_teach={"teacher": {english}, "api": {english}, "other_teacher": {science}},
        may_mark_daily={
            "teacher": {s.pk for s in world.students},
            "api": {s.pk for s in world.students},
            "other_teacher": {world.year8_students[0].pk},
        },
    )


def frozen(key: dict) -> tuple:
    return tuple(sorted(key.items()))


@dataclass
class Model:
    """The marks and time entries the database should hold, keyed as the audit log keys them."""

    m: SimpleNamespace
    marks: dict = field(default_factory=dict)  # (kind, frozen key) -> values
    entries: dict = field(default_factory=dict)  # time entry id -> {"student_id", "date", "values"}

    def may_mark_student(self, role: str, student_id: int) -> bool:
        allowed = self.m.may_mark_daily.get(role)
        return student_id in self.m.school_students and (allowed is None or student_id in allowed)

    def too_old(self, role: str, day: date) -> bool:
        return role in TEACHERS and day < self.m.floor

    def in_year(self, day: date) -> bool:
        return self.m.year[0] <= day <= self.m.year[1]

    def bad_code(self, code_id) -> bool:
        usable = {self.m.codes[name] for name in ("absent", "present", "late", "excused")}
        return code_id is not None and code_id not in usable

    def mark_values(self, code_id, note: str, minutes: int | None) -> dict | None:
        if code_id is None:
            return None
        # The batches never say whether a note is shared: a new note is for staff, and stays so.
        return {
            "code_id": code_id,
            "note": note,
            "shared_with_family": False,
            "minutes_late": minutes if code_id in self.m.late_codes else None,
        }

    def bad_note_or_minutes(self, note: str, minutes: int | None) -> bool:
        return len(note) > MAX_NOTE_LENGTH or (minutes is not None and not 0 <= minutes <= 600)

    def class_item(self, role: str, item: ClassMarkInput) -> tuple[str, tuple | None, dict | None]:
        """(status if refused else "apply", key, values) of one class mark."""
        taught = self.m.may_teach.get(role)
        if (taught is not None and item.school_class_id not in taught) or item.student_id not in self.m.enrolled.get(
            item.school_class_id, ()
        ):
            return "not_found", None, None
        if self.too_old(role, item.date):
            return "forbidden", None, None
        meets = item.date.isoweekday() <= 5 and item.period in self.m.slots[item.school_class_id]
        if (
            not self.in_year(item.date)
            or not meets
            or item.interval < 0
            or self.bad_code(item.code_id)
            or self.bad_note_or_minutes(item.note, item.minutes_late)
        ):
            return "invalid", None, None
        key = {
            "school_class_id": item.school_class_id,
            "student_id": item.student_id,
            "date": item.date.isoformat(),
            "period_id": self.m.periods[item.period],
            "interval": item.interval,
        }
        return "apply", ("class", frozen(key)), self.mark_values(item.code_id, item.note, item.minutes_late)

    def daily_item(self, role: str, item: DailyMarkInput) -> tuple[str, tuple | None, dict | None]:
        if not self.may_mark_student(role, item.student_id):
            return "not_found", None, None
        if self.too_old(role, item.date):
            return "forbidden", None, None
        if (
            not self.in_year(item.date)
            or self.bad_code(item.code_id)
            or self.bad_note_or_minutes(item.note, item.minutes_late)
        ):
            return "invalid", None, None
        key = {"student_id": item.student_id, "date": item.date.isoformat()}
        return "apply", ("daily", frozen(key)), self.mark_values(item.code_id, item.note, item.minutes_late)

    def apply_marks(self, expected: list, actor_id, channel: str) -> tuple[list[str], list[tuple]]:
        """Statuses and audit entries of a batch of class or daily marks, as ``save_marks``
        promises them: items in order, a later one of the same key wins, and a mark created
        and removed within the batch leaves no trace."""
        statuses, audit = [], []
        at_start = dict(self.marks)
        for verdict, key, values in expected:
            if verdict != "apply":
                statuses.append(verdict)
                continue
            before = self.marks.get(key)
            if before == values:
                statuses.append("unchanged")
                continue
            statuses.append("deleted" if values is None else "created" if before is None else "updated")
            audit.append((key, before, values))
            if values is None:
                self.marks.pop(key, None)
            else:
                self.marks[key] = values
        audit = [row for row in audit if row[0] in at_start or row[0] in self.marks]
        return statuses, [(kind, dict(key), before, after, channel, actor_id) for (kind, key), before, after in audit]

    def time_item(self, role: str, item: TimeEntryInput, state: dict) -> tuple[str, dict | None]:
        if not self.may_mark_student(role, item.student_id):
            return "not_found", None
        entry = None
        if item.entry_id is not None:
            entry = self.entries.get(item.entry_id)
            if entry is None:
                return "not_found", None
        if self.too_old(role, item.date):
            return "forbidden", None
        if (
            (entry is not None and (entry["student_id"], entry["date"]) != (item.student_id, item.date))
            or not self.in_year(item.date)
            or item.code_id is None
            or self.bad_code(item.code_id)
            or not 0 <= item.minutes <= MAX_MINUTES_A_DAY
            or len(item.note) > MAX_NOTE_LENGTH
        ):
            return "invalid", None
        values = {"code_id": item.code_id, "minutes": item.minutes, "note": item.note}
        if entry is None:
            return "created", values
        return ("unchanged" if state[item.entry_id] == values else "updated"), values


# --- turning picks into service calls -----------------------------------------------------------------


def class_input(m: SimpleNamespace, pick: ClassPick) -> ClassMarkInput:
    return ClassMarkInput(
        school_class_id=m.classes[pick.school_class],
        student_id=m.students[pick.student],
        date=m.days[pick.day],
        period=pick.period,
        code_id=m.codes[pick.code],
        note=pick.note,
        minutes_late=pick.minutes,
        interval=pick.interval,
    )


def daily_input(m: SimpleNamespace, pick: DailyPick) -> DailyMarkInput:
    return DailyMarkInput(
        student_id=m.students[pick.student],
        date=m.days[pick.day],
        code_id=m.codes[pick.code],
        note=pick.note,
        minutes_late=pick.minutes,
    )


def time_input(m: SimpleNamespace, model: Model, pick: TimePick) -> TimeEntryInput:
    item = TimeEntryInput(
        student_id=m.students[pick.student],
        date=m.days[pick.day],
        code_id=m.codes[pick.code],
        minutes=pick.minutes,
        note=pick.note,
    )
    known = sorted(model.entries)
    if pick.entry == "unknown":
        return replace(item, entry_id=10**9)
    if pick.entry == "new" or not known:
        return item
    entry_id = known[pick.entry_number % len(known)]
    if pick.entry == "same":
        entry = model.entries[entry_id]
        return replace(item, entry_id=entry_id, student_id=entry["student_id"], date=entry["date"])
    return replace(item, entry_id=entry_id)


def inputs_of(m: SimpleNamespace, model: Model, batch: Batch) -> list:
    make = {
        "class": lambda pick: class_input(m, pick),
        "daily": lambda pick: daily_input(m, pick),
        "time": lambda pick: time_input(m, model, pick),
    }[batch.kind]
    inputs: list = []
    for pick in batch.items:
        if isinstance(pick, Again):
            inputs.append(replace(inputs[pick.number % len(inputs)], code_id=m.codes[pick.code], note=pick.note))
        else:
            inputs.append(make(pick))
    return inputs


def new_audit_entries(after_pk: int) -> list[tuple]:
    return [
        (e.mark_kind, e.key, e.before, e.after, e.channel, e.changed_by_id)
        for e in AuditEntry.objects.filter(pk__gt=after_pk).order_by("pk")
    ]


def last_audit_pk() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def run_batch(m: SimpleNamespace, model: Model, batch: Batch) -> None:
    """Send one batch through its service and check every result and every new audit entry."""
    actor = m.actors[batch.actor]
    actor_id = actor.pk if actor is not None else None
    items = inputs_of(m, model, batch)
    since = last_audit_pk()
    common = {"actor": actor, "school": m.school, "channel": batch.channel}
    if batch.kind == "time":
        state = {pk: entry["values"] for pk, entry in model.entries.items()}
        expected = [model.time_item(batch.actor, item, state) for item in items]
        for item, (status, values) in zip(items, expected, strict=True):
            if status == "updated":
                state[item.entry_id] = values
        results = record_time_entries(entries=items, **common)
        assert [r.status for r in results] == [status for status, _ in expected], batch
        audit = []
        for item, result, (status, values) in zip(items, results, expected, strict=True):
            if status == "created":
                entry_id = result.mark.pk
                model.entries[entry_id] = {"student_id": item.student_id, "date": item.date, "values": values}
                before = None
            elif status == "updated":
                entry_id = item.entry_id
                before, model.entries[entry_id]["values"] = model.entries[entry_id]["values"], values
            else:
                continue
            key = {"id": entry_id, "student_id": item.student_id, "date": item.date.isoformat()}
            audit.append(("time", key, before, values, batch.channel, actor_id))
    else:
        check = model.class_item if batch.kind == "class" else model.daily_item
        service = record_class_marks if batch.kind == "class" else record_daily_marks
        statuses, audit = model.apply_marks([check(batch.actor, item) for item in items], actor_id, batch.channel)
        results = service(marks=items, **common)
        assert [r.status for r in results] == statuses, batch
    assert new_audit_entries(since) == audit, batch


def replayed_audit(school) -> dict:
    """Replay the whole audit log in its own order (changed_at, id): every entry starts from
    what the one before it left, and changes something. Returns what it leaves per key."""
    trail: dict = {}
    for entry in AuditEntry.objects.filter(school=school):
        key = (entry.mark_kind, frozen(entry.key))
        assert entry.before == trail.get(key), entry.key
        assert entry.before != entry.after, entry.key
        trail[key] = entry.after
    return {key: after for key, after in trail.items() if after is not None}


def database_marks(school) -> dict:
    """Every mark and time entry in the database, keyed as the audit log keys them."""
    found: dict = {}
    rows = [("class", mark) for mark in ClassMark.objects.filter(school=school)]
    rows += [("daily", mark) for mark in DailyMark.objects.filter(school=school)]
    for kind, mark in rows:
        key = {name: getattr(mark, name) for name in mark.KEY_FIELDS}
        key["date"] = key["date"].isoformat()
        found[(kind, frozen(key))] = {
            "code_id": mark.code_id,
            "note": mark.note,
            "shared_with_family": mark.shared_with_family,
            "minutes_late": mark.minutes_late,
        }
    for entry in TimeEntry.objects.filter(school=school):
        key = {"id": entry.pk, "student_id": entry.student_id, "date": entry.date.isoformat()}
        found[("time", frozen(key))] = {"code_id": entry.code_id, "minutes": entry.minutes, "note": entry.note}
    count = ClassMark.objects.filter(school=school).count() + DailyMark.objects.filter(school=school).count()
    assert count + TimeEntry.objects.filter(school=school).count() == len(found)  # one row per key
    return found


def expected_marks(model: Model) -> dict:
    found = dict(model.marks)
    for entry_id, entry in model.entries.items():
        key = {"id": entry_id, "student_id": entry["student_id"], "date": entry["date"].isoformat()}
        found[("time", frozen(key))] = entry["values"]
    return found


@contextmanager
def rolled_back() -> Iterator[None]:
    """One example's writes, undone afterwards so that the next example starts from the world."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,  # the same examples on every run and in CI
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=sequences)
def test_any_sequence_of_writes_leaves_one_mark_per_key_and_an_audit_log_that_replays_to_it(school_model, batches):
    with rolled_back():
        model = Model(school_model)
        for batch in batches:
            run_batch(school_model, model, batch)
        in_database = database_marks(school_model.school)
        assert in_database == expected_marks(model)
        assert replayed_audit(school_model.school) == in_database


def test_two_changes_of_one_time_entry_in_a_batch_are_two_audit_entries(world, admin):
    """What the property test found: the entries of one batch were logged as one change from
    the first state to the last (a change and its undoing left an entry with before == after)."""
    day = f.last_weekday(world.school, 1)
    student = world.students[0]
    absent, late = f.code(world.school, 0).pk, f.code(world.school, 2).pk
    [first] = record_time_entries(
        actor=admin, school=world.school, channel="powerschool", entries=[TimeEntryInput(student.pk, day, absent, 30)]
    )
    entry_id = first.mark.pk
    results = record_time_entries(
        actor=admin,
        school=world.school,
        channel="powerschool",
        entries=[
            TimeEntryInput(student.pk, day, late, 10, entry_id=entry_id),
            TimeEntryInput(student.pk, day, absent, 30, entry_id=entry_id),
        ],
    )
    assert [r.status for r in results] == ["updated", "updated"]
    trail = [(e.before, e.after) for e in AuditEntry.objects.filter(mark_kind="time", mark_id=entry_id)]
    a30 = {"code_id": absent, "minutes": 30, "note": ""}
    l10 = {"code_id": late, "minutes": 10, "note": ""}
    assert trail == [(None, a30), (a30, l10), (l10, a30)]
    assert replayed_audit(world.school) == database_marks(world.school)
