"""``record_time_entries``, the write path of PowerSchool's ATT_ModeTime: who may write, the
checks, updates by id, the audit log and a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

from apps.audit.models import AuditEntry
from apps.homeroom.models import TimeEntry
from apps.homeroom.services import TimeEntryInput, record_time_entries
from apps.notifications.models import Notification
from tests import factories as f
from tests.api.powerschool.conftest import payload, record


def entry(student, day, code, minutes=30, **extra):
    return TimeEntryInput(student_id=student.pk, date=day, code_id=code.pk, minutes=minutes, **extra)


def test_an_advisor_writes_their_year_groups_students_only(world, teacher):
    today = world.school.today()
    absent = f.code(world.school, 0)
    results = record_time_entries(
        actor=teacher,
        school=world.school,
        entries=[entry(world.students[0], today, absent), entry(world.year8_students[0], today, absent)],
        channel="powerschool",
    )
    assert [r.status for r in results] == ["created", "not_found"]
    assert TimeEntry.objects.get().recorded_by == teacher


def test_a_teacher_may_not_write_before_the_edit_window(world, teacher, admin):
    long_ago = world.school.today() - timedelta(days=world.school.teacher_edit_days + 1)
    absent = f.code(world.school, 0)
    item = [entry(world.students[0], long_ago, absent)]
    assert record_time_entries(actor=teacher, school=world.school, entries=item, channel="web")[0].status == "forbidden"
    assert record_time_entries(actor=admin, school=world.school, entries=item, channel="web")[0].status == "created"


def test_checks_minutes_code_and_the_entry_updated(world, admin):
    school, today = world.school, world.school.today()
    absent = f.code(school, 0)
    disabled = f.code(school, 18)
    disabled.enabled = False
    disabled.save()
    first = record_time_entries(
        actor=admin, school=school, entries=[entry(world.students[0], today, absent)], channel="web"
    )
    dcid = first[0].mark.pk
    results = record_time_entries(
        actor=admin,
        school=school,
        entries=[
            entry(world.students[0], today, absent, minutes=24 * 60 + 1),
            entry(world.students[0], today, disabled),
            entry(world.students[1], today, absent, entry_id=dcid),
            entry(world.students[0], today, absent, entry_id=dcid + 1000),
            entry(world.students[0], today - timedelta(days=400), absent),
        ],
        channel="web",
    )
    assert [(r.status, sorted(r.errors)) for r in results] == [
        ("invalid", ["minutes"]),
        ("invalid", ["status"]),
        ("invalid", ["dcid"]),
        ("not_found", ["dcid"]),
        ("invalid", ["date"]),
    ]
    assert TimeEntry.objects.count() == 1


def test_an_unchanged_entry_is_not_logged_and_an_update_is(world, admin):
    school, today = world.school, world.school.today()
    absent, late = f.code(school, 0), f.code(school, 2)
    dcid = record_time_entries(
        actor=admin, school=school, entries=[entry(world.students[0], today, absent)], channel="web"
    )[0].mark.pk
    same = record_time_entries(
        actor=admin, school=school, entries=[entry(world.students[0], today, absent, entry_id=dcid)], channel="web"
    )
    changed = record_time_entries(
        actor=admin,
        school=school,
        entries=[entry(world.students[0], today, late, minutes=10, note="bus", entry_id=dcid)],
        channel="powerschool",
    )
    assert (same[0].status, changed[0].status) == ("unchanged", "updated")
    log = list(AuditEntry.objects.filter(mark_kind="time", mark_id=dcid))
    assert [e.before for e in log] == [None, {"code_id": absent.pk, "minutes": 30, "note": ""}]
    assert log[-1].after == {"code_id": late.pk, "minutes": 10, "note": "bus"}
    assert log[-1].key == {"id": dcid, "student_id": world.students[0].pk, "date": today.isoformat()}


def test_one_batch_adds_new_entries_and_changes_old_ones_each_with_its_own_id(world, admin):
    """New entries (no id yet) and changed ones (by id) in one batch: the new get new ids, the
    changed keep theirs, and each audit entry names its own."""
    school, today = world.school, world.school.today()
    absent, late = f.code(school, 0), f.code(school, 2)
    old = [
        r.mark.pk
        for r in record_time_entries(
            actor=admin, school=school, entries=[entry(s, today, absent) for s in world.students[:2]], channel="web"
        )
    ]
    results = record_time_entries(
        actor=admin,
        school=school,
        entries=[
            entry(world.students[2], today, late, minutes=5),
            entry(world.students[0], today, late, minutes=7, entry_id=old[0]),
            entry(world.students[0], today, absent, minutes=9),
            entry(world.students[1], today, late, minutes=11, entry_id=old[1]),
        ],
        channel="powerschool",
    )
    assert [r.status for r in results] == ["created", "updated", "created", "updated"]
    ids = [r.mark.pk for r in results]
    assert ids[1] == old[0] and ids[3] == old[1] and len(set(ids)) == 4
    rows = {e.pk: (e.student_id, e.code_id, e.minutes) for e in TimeEntry.objects.all()}
    assert [rows[pk] for pk in ids] == [
        (world.students[2].pk, late.pk, 5),
        (world.students[0].pk, late.pk, 7),
        (world.students[0].pk, absent.pk, 9),
        (world.students[1].pk, late.pk, 11),
    ]
    log = {e.mark_id: e for e in AuditEntry.objects.filter(mark_kind="time", channel="powerschool")}
    assert sorted(log) == sorted(ids)
    assert all(log[pk].after["minutes"] == rows[pk][2] and log[pk].key["id"] == pk for pk in ids)


def test_queries_do_not_grow_with_the_entries(world, admin, django_assert_max_num_queries, django_assert_num_queries):
    school, today = world.school, world.school.today()
    absent = f.code(school, 0)
    students = f.make_students(school, 100, world.year7, prefix="T")
    first = record_time_entries(
        actor=admin, school=school, entries=[entry(s, today, absent) for s in students], channel="web"
    )
    dcids = [r.mark.pk for r in first]

    def batch(size: int, minutes: int) -> list[TimeEntryInput]:
        """``size`` new entries and ``size`` updates of earlier ones."""
        return [entry(s, today, absent) for s in students[:size]] + [
            entry(s, today, absent, minutes=minutes, entry_id=d)
            for s, d in zip(students[:size], dcids[:size], strict=True)
        ]

    with django_assert_max_num_queries(12) as small:
        f.saved(record_time_entries(actor=admin, school=school, entries=batch(5, 5), channel="web"))
    with django_assert_num_queries(len(small.captured_queries)):
        # 100 entries: SQLite splits an insert of more than 999 parameters (111 audit rows) in two.
        results = record_time_entries(actor=admin, school=school, entries=batch(50, 6), channel="web")
    assert [r.status for r in results].count("updated") == 50


def test_minutes_under_an_absent_code_queue_no_absence_email_a_daily_absence_does(world, admin, ps_as, ids, settings):
    """The absence email tells a child's homeroom and lesson absences, those the family page
    shows; PowerSchool's minutes (ATT_ModeTime) are neither, so they queue nothing, while the
    same plugin's daily (homeroom) absence queues the parent's email."""
    settings.EMAIL_URL, settings.SITE_URL = "smtp://127.0.0.1:1025?tls=false", "https://rollbook.example.org"
    world.parent.email = "pat@family.example.org"
    world.parent.save()
    child, today = world.students[0], world.school.today()
    fields = {
        "studentid": child.pk,
        "schoolid": ids["schoolid"],
        "yearid": ids["yearid"],
        "att_date": today.isoformat(),
        "attendance_codeid": ids["absent"],
    }
    ps = ps_as(admin)

    minutes = ps.post(
        "/ws/attendance/daily_time", payload(record(**fields, att_mode_code="ATT_ModeTime", total_minutes=90))
    )
    assert minutes.json()["results"]["insert_count"] == 1
    assert TimeEntry.objects.get(student=child).minutes == 90
    assert not Notification.objects.exists()

    daily = ps.post("/ws/attendance/daily_time", payload(record(**fields, att_mode_code="ATT_ModeDaily")))
    assert daily.json()["results"]["insert_count"] == 1
    [queued] = Notification.objects.all()
    assert (queued.kind, queued.parent, queued.student, queued.date) == ("absence", world.parent, child, today)
