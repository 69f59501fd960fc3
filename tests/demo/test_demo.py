"""The demo school: deterministic, scalable, audited marks that obey every rule, --reset, logins."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.urls import reverse

from apps.api.models import SCOPES, ApiClient
from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark, Enrollment, SchoolClass, TimetableSlot
from apps.demo.builder import DEMO_PASSWORD, DEMO_SCHOOL_NUMBER, DEMO_URL
from apps.excusals.models import MAX_EXCUSAL_DAYS, Excusal
from apps.homeroom.models import DailyMark
from apps.school.models import AttendanceCode, Guardianship, Parent, School, Student, Teacher, YearGroup
from tests import factories as f


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def demo_school() -> School:
    return School.objects.get(number=DEMO_SCHOOL_NUMBER)


def snapshot() -> dict:
    """Everything that should follow from the seed alone (ids and secrets aside)."""
    school = demo_school()
    marks = Counter(ClassMark.objects.filter(school=school).values_list("code__mb_status", flat=True))
    daily = Counter(DailyMark.objects.filter(school=school).values_list("code__mb_status", flat=True))
    return {
        "school": school.name,
        "teachers": sorted(
            Teacher.objects.filter(school=school).values_list("first_name", "last_name", "user__username")
        ),
        "students": sorted(
            Student.objects.filter(school=school).values_list(
                "student_number", "first_name", "last_name", "year_group__name"
            )
        ),
        "parents": sorted(
            Parent.objects.filter(school=school).values_list("user__username", "first_name", "last_name")
        ),
        "families": sorted(
            Guardianship.objects.filter(school=school).values_list("parent__user__username", "student__student_number")
        ),
        "classes": sorted(
            SchoolClass.objects.filter(school=school).values_list(
                "name", "code", "assignments__teacher__user__username"
            )
        ),
        "slots": sorted(
            TimetableSlot.objects.filter(school=school).values_list(
                "school_class__code", "weekday", "period__number", "location"
            )
        ),
        "class marks": marks,
        "daily marks": daily,
        "excusals": sorted(
            Excusal.objects.filter(school=school).values_list(
                "student__student_number", "start_date", "end_date", "comment"
            )
        ),
    }


def test_same_seed_builds_the_same_school_and_reset_rebuilds_it(db):
    first_output = seed("--seed", "7", "--students", "40", "--weeks", "1")
    first = snapshot()
    second_output = seed("--seed", "7", "--students", "40", "--weeks", "1", "--reset")
    assert "Deleted the previous demo school." in second_output
    assert School.objects.filter(number=DEMO_SCHOOL_NUMBER).count() == 1
    assert snapshot() == first
    # The logins printed are the same too (the API token is new each time).
    logins = re.compile(r"^  (admin|teacher|parent) .*$", re.M)
    assert logins.findall(first_output) == logins.findall(second_output)
    assert len(first["students"]) == 40
    assert sum(first["daily marks"].values()) > 0


def test_another_seed_builds_another_school(db):
    seed("--seed", "1", "--students", "40", "--weeks", "0")
    one = snapshot()
    seed("--seed", "2", "--students", "40", "--weeks", "0", "--reset")
    two = snapshot()
    assert one["students"] != two["students"]
    assert len(one["students"]) == len(two["students"]) == 40


def test_without_reset_a_second_demo_school_is_refused(db):
    seed("--students", "20", "--weeks", "0")
    with pytest.raises(CommandError, match="--reset"):
        seed("--students", "20", "--weeks", "0")
    assert School.objects.filter(number=DEMO_SCHOOL_NUMBER).count() == 1


def real_school() -> School:
    school = f.make_school("Northfield School")
    teacher = f.make_teacher(school, "tess")
    students = f.make_students(school, 3, f.make_year_group(school, "Year 7", teacher))
    f.make_class(school, "7A English", [teacher], students)
    return school


@pytest.mark.parametrize("reset", [[], ["--reset"]])
def test_a_demo_beside_real_schools_is_refused_unless_asked_for(db, reset):
    school = real_school()
    with pytest.raises(CommandError) as refused:
        seed("--students", "10", "--weeks", "0", *reset)
    assert "This database holds real schools (Northfield School)" in str(refused.value)
    assert "--beside-real-schools" in str(refused.value)
    assert list(School.objects.all()) == [school]
    assert not get_user_model().objects.filter(username="admin").exists()


def test_reset_refuses_before_deleting_anything_beside_real_schools(db):
    real_school()
    seed("--students", "10", "--weeks", "0", "--beside-real-schools")
    with pytest.raises(CommandError, match="real schools"):
        seed("--students", "10", "--weeks", "0", "--reset")
    assert School.objects.filter(number=DEMO_SCHOOL_NUMBER).exists()  # the old demo is still there


def test_the_demo_admin_is_a_school_admin_not_a_superuser(db, client):
    school = real_school()
    seed("--students", "10", "--weeks", "0", "--beside-real-schools", "--no-api-client")
    admin = get_user_model().objects.get(username="admin")
    assert (admin.is_staff, admin.is_superuser) == (False, False)
    assert admin.get_all_permissions() == set()
    assert list(admin.admin_roles.values_list("school__number", flat=True)) == [DEMO_SCHOOL_NUMBER]

    assert client.post(reverse("login"), {"username": "admin", "password": DEMO_PASSWORD}).status_code == 302
    assert client.get(reverse("reports:dashboard")).status_code == 200  # the demo school's office
    # The real school's rows are not the demo admin's: neither in Rollbook nor in the Django admin.
    far = reverse("admin:school_school_change", args=[school.pk])
    assert client.get(far).status_code == 302 and client.get(far).url.startswith("/django-admin/login/")
    real_class = SchoolClass.objects.get(school=school)
    assert client.get(reverse("reports:class_report", args=[real_class.pk])).status_code == 404


def test_reset_leaves_other_schools_and_their_people_alone(db):
    school = real_school()
    seed("--students", "30", "--weeks", "1", "--beside-real-schools")
    seed("--students", "30", "--weeks", "1", "--reset", "--beside-real-schools")
    assert Student.objects.filter(school=school).count() == 3
    assert Enrollment.objects.filter(school=school).count() == 3
    assert get_user_model().objects.filter(username="tess").exists()
    assert School.objects.count() == 2


def test_taken_username_is_refused_with_a_message(db):
    get_user_model().objects.create_user("admin", password="x")
    with pytest.raises(CommandError, match="already taken"):
        seed("--students", "10", "--weeks", "0")
    assert not School.objects.filter(number=DEMO_SCHOOL_NUMBER).exists()


def test_students_scale_the_school(db):
    seed("--students", "400", "--weeks", "0", "--no-api-client")
    school = demo_school()
    assert Student.objects.filter(school=school).count() == 400
    # 80 a year group: three classes of each subject per year group.
    assert YearGroup.objects.filter(school=school).count() == 5
    assert SchoolClass.objects.filter(school=school, subject="English").count() == 15
    assert (
        max(Counter(Enrollment.objects.filter(school=school).values_list("school_class_id", flat=True)).values()) <= 30
    )
    # Every student is in every subject once.
    per_student = Counter(Enrollment.objects.filter(school=school).values_list("student_id", flat=True))
    assert set(per_student.values()) == {10}
    # No teacher is timetabled in two rooms at once, however many were needed.
    clashes = (
        TimetableSlot.objects.filter(school=school)
        .values("school_class__assignments__teacher", "weekday", "period")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not clashes.exists()
    assert Teacher.objects.filter(school=school).count() > 12
    # A class meets at most once a day.
    assert not (
        TimetableSlot.objects.filter(school=school)
        .values("school_class", "weekday")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    # Every year group has a homeroom advisor; siblings share parents.
    assert not YearGroup.objects.filter(school=school, advisor_links__isnull=True).exists()
    assert Parent.objects.filter(school=school).annotate(n=Count("guardianships")).filter(n__gt=1).exists()
    assert not Student.objects.filter(school=school, guardianships__isnull=True).exists()


@pytest.fixture
def built(db):
    output = seed("--seed", "3", "--students", "60", "--weeks", "2")
    return demo_school(), output


def test_marks_cover_every_meeting_and_every_school_day(built):
    school, _ = built
    today = school.today()
    days = [today - timedelta(days=n) for n in range(1, 15) if (today - timedelta(days=n)).isoweekday() <= 5]
    students = Student.objects.filter(school=school).count()
    assert DailyMark.objects.filter(school=school).count() == students * len(days)
    assert set(DailyMark.objects.filter(school=school).values_list("date", flat=True)) == set(days)
    expected = 0
    for day in days:
        expected += Enrollment.objects.filter(
            school=school, school_class__slots__weekday=day.isoweekday(), school_class__slots__enabled=True
        ).count()
    assert ClassMark.objects.filter(school=school).count() == expected
    assert not ClassMark.objects.filter(school=school, date__gte=today).exists()


def test_marks_are_audited_with_channel_demo(built):
    school, _ = built
    marks = ClassMark.objects.filter(school=school).count() + DailyMark.objects.filter(school=school).count()
    entries = AuditEntry.objects.filter(school=school, mark_kind__in=AuditEntry.MARKS)
    assert entries.count() == marks
    assert set(entries.values_list("channel", flat=True)) == {"demo"}
    assert not entries.filter(changed_by__isnull=False).exists()
    assert not entries.filter(before__isnull=False).exists()
    # Each excusal was sent by a parent, through the excusal service, and logged as sent.
    sent = AuditEntry.objects.filter(school=school, mark_kind=AuditEntry.MarkKind.EXCUSAL)
    assert sent.count() == Excusal.objects.filter(school=school).count() > 0
    assert set(sent.values_list("channel", flat=True)) == {"demo"}
    assert not sent.filter(before__isnull=False).exists()
    parents = set(Parent.objects.filter(school=school).values_list("user_id", flat=True))
    assert set(sent.values_list("changed_by_id", flat=True)) <= parents
    assert set(ClassMark.objects.filter(school=school).values_list("channel", flat=True)) == {"demo"}
    assert set(DailyMark.objects.filter(school=school).values_list("channel", flat=True)) == {"demo"}


def test_every_mark_obeys_the_rules(built):
    school, _ = built
    codes = {c.pk: c for c in AttendanceCode.objects.filter(school=school)}
    enrolled = set(Enrollment.objects.filter(school=school).values_list("school_class_id", "student_id"))
    slots = set(
        TimetableSlot.objects.filter(school=school, enabled=True).values_list("school_class_id", "weekday", "period_id")
    )
    for mark in ClassMark.objects.filter(school=school).iterator():
        assert (mark.school_class_id, mark.student_id) in enrolled
        assert (mark.school_class_id, mark.date.isoweekday(), mark.period_id) in slots
        code = codes[mark.code_id]
        assert code.enabled
        assert mark.minutes_late is None or code.kind == "late"
    for mark in DailyMark.objects.filter(school=school).iterator():
        code = codes[mark.code_id]
        assert code.enabled
        assert mark.minutes_late is None or code.kind == "late"
    # Mostly present (-1 or 1), with some absences, lateness and excused absences.
    statuses = Counter(
        codes[c].mb_status for c in DailyMark.objects.filter(school=school).values_list("code_id", flat=True)
    )
    total = sum(statuses.values())
    assert (statuses[-1] + statuses[1]) / total > 0.8
    assert statuses[0] > 0 and statuses[2] > 0
    assert statuses[13] + statuses[0] < total * 0.15
    assert DailyMark.objects.filter(school=school, code__mb_status=2, minutes_late__gt=0).exists()
    assert DailyMark.objects.filter(school=school).exclude(note="").exists()


def test_excusals_follow_the_parents_rules_and_cover_absences(built):
    school, _ = built
    excusals = list(Excusal.objects.filter(school=school))
    assert excusals
    guardians = set(Guardianship.objects.filter(school=school).values_list("parent_id", "student_id"))
    by_student: dict[int, list[Excusal]] = {}
    for excusal in excusals:
        assert (excusal.parent_id, excusal.student_id) in guardians
        assert 1 <= excusal.duration <= MAX_EXCUSAL_DAYS
        by_student.setdefault(excusal.student_id, []).append(excusal)
    for own in by_student.values():
        own.sort(key=lambda e: e.start_date)
        assert all(a.end_date < b.start_date for a, b in zip(own, own[1:], strict=False))
    covered = [
        e
        for e in excusals
        if DailyMark.objects.filter(
            student_id=e.student_id,
            date__range=(e.start_date, e.end_date),
            code__presence=AttendanceCode.Presence.ABSENT,
        ).exists()
    ]
    assert covered


def test_prints_the_logins_and_they_work(built, client):
    _, output = built
    assert DEMO_URL in output
    assert f"password for every login: {DEMO_PASSWORD}" in output
    logins = re.findall(r"^  (admin|teacher|parent)\s+(\S+)", output, re.M)
    assert [role for role, _ in logins] == ["admin", "teacher", "teacher", "parent", "parent"]
    places = {"admin": "reports:dashboard", "teacher": "classes:today", "parent": "excusals:family"}
    for role, username in logins:
        # Through the sign-in page, as a person would (django-axes checks every sign-in's request).
        signed_in = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
        assert signed_in.status_code == 302, username
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response.url == reverse(places[role])
        client.logout()
    # The first teacher shown also takes a homeroom; the first parent has two children here.
    teacher = Teacher.objects.get(user__username=logins[1][1])
    assert teacher.advisor_links.exists() and teacher.assignments.exists()
    children = Parent.objects.get(user__username=logins[3][1]).children.all()
    assert len({child.year_group_id for child in children}) >= 2


def test_api_client_token_is_printed_and_works(built):
    _, output = built
    token = re.search(r"token:\s+(\S+)", output).group(1)
    client_id = re.search(r"client_id:\s+(\S+)", output).group(1)
    secret = re.search(r"client_secret:\s+(\S+)", output).group(1)
    api_client = ApiClient.objects.by_token(token)
    assert api_client is not None and api_client.user.username == "admin"
    assert set(api_client.scope_list) == set(SCOPES)
    assert ApiClient.objects.by_client_id(client_id).check_secret(secret)


def test_prints_the_address_it_is_told_it_is_served_at(db):
    """``make demo PORT=18432`` passes its address: the sign-in line and the curl example name
    it, never the default port."""
    output = seed("--students", "10", "--weeks", "0", "--url", "http://127.0.0.1:18432/")
    token = re.search(r"token:\s+(\S+)", output).group(1)
    assert "Open http://127.0.0.1:18432 and sign in" in output
    assert f"try: curl -H 'auth-token: {token}' http://127.0.0.1:18432/v2/ping" in output
    assert ":8000" not in output


def test_prints_the_default_address_without_a_url(db):
    output = seed("--students", "10", "--weeks", "0")
    assert f"Open {DEMO_URL} and sign in" in output
    assert f"{DEMO_URL}/v2/ping" in output


@pytest.mark.parametrize("url", ["127.0.0.1:18432", "ftp://127.0.0.1:18432", "http://127.0.0.1:18432/v2", "http://"])
def test_an_address_that_is_not_one_is_refused_before_anything_is_built(db, url):
    with pytest.raises(CommandError, match="is not an address like http://127.0.0.1:8000"):
        seed("--students", "10", "--weeks", "0", "--url", url)
    assert not School.objects.exists()
    assert not get_user_model().objects.exists()


def test_no_api_client_when_asked(db):
    output = seed("--students", "10", "--weeks", "0", "--no-api-client")
    assert "token:" not in output
    assert not ApiClient.objects.exists()


def test_reset_removes_the_demo_logins_and_api_clients(db):
    seed("--students", "10", "--weeks", "1")
    old_ids = set(get_user_model().objects.values_list("pk", flat=True))
    seed("--students", "10", "--weeks", "1", "--reset")
    assert not get_user_model().objects.filter(pk__in=old_ids).exists()
    assert ApiClient.objects.count() == 1


def test_the_readme_lists_the_default_demo_logins(db):
    """The logins in README's "Two commands" are the ones the default seed prints."""
    output = seed("--weeks", "0", "--no-api-client")  # people don't depend on the weeks of marks
    printed = re.findall(r"^  (?:admin|teacher|parent)\s+(\S+)", output, re.M)
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    two_commands = readme.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `([a-z.]+)` \|", two_commands, re.M)
    assert listed == printed
    assert f"`{DEMO_PASSWORD}`" in two_commands
