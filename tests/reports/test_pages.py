"""Every office page: who may open it, what it shows, and that it costs a constant number of queries."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.attendance.channels import Channel
from apps.classes.services import ClassMarkInput
from tests.reports.conftest import grow_school, record_lessons

ADMIN_ONLY = [
    ("reports:dashboard", {}),
    ("reports:unmarked", {}),
    ("reports:chronic", {}),
    ("reports:charts", {}),
    ("reports:settings", {}),
    ("reports:codes", {}),
    ("reports:adjustments", {}),
    ("reports:audit", {}),
]


def url_of(name, kwargs, data):
    resolved = {
        key: getattr(data, value).pk if isinstance(value, str) and hasattr(data, value) else value
        for key, value in kwargs.items()
    }
    return reverse(name, kwargs=resolved)


@pytest.fixture
def pages(term_data):
    """Every page, with the users who may open it (all others get a 404)."""
    world = term_data.world
    code = term_data.codes.late
    from apps.homeroom.models import Adjustment

    adjustment = Adjustment.objects.filter(student=term_data.s0).first()
    return [
        *[(reverse(name), {"admin"}) for name, _ in ADMIN_ONLY],
        (reverse("reports:code_edit", args=[code.pk]), {"admin"}),
        (reverse("reports:adjustment_edit", args=[adjustment.pk]), {"admin"}),
        (reverse("reports:term_reports"), {"admin", "teacher", "other_teacher"}),
        (reverse("reports:class_report", args=[world.english.pk]), {"admin", "teacher"}),
        (reverse("reports:class_report", args=[world.science.pk]), {"admin", "other_teacher"}),
        (reverse("reports:year_group_report", args=[world.year7.pk]), {"admin", "teacher"}),
        (reverse("reports:student_report", args=[term_data.s0.pk]), {"admin", "teacher"}),
        (reverse("reports:student_report", args=[term_data.y8.pk]), {"admin", "other_teacher"}),
    ]


SCHOOL_WIDE = {reverse(name) for name, _ in ADMIN_ONLY} | {reverse("reports:term_reports")}
USERS = ["admin", "teacher", "other_teacher", "parent", "other_parent", "other_school_admin"]


@pytest.mark.parametrize("username", USERS)
def test_who_may_open_each_page(client, pages, django_user_model, username):
    client.force_login(django_user_model.objects.get(username=username))
    for url, allowed in pages:
        response = client.get(url)
        if username == "other_school_admin" and url in SCHOOL_WIDE:
            # Their own school's page: nothing of this school on it.
            assert response.status_code == 200, url
            assert response.context["school"].name == "Southbank Academy"
            assert "Y7000" not in response.content.decode() and "7A English" not in response.content.decode()
            continue
        expected = 200 if username in allowed else 404
        assert response.status_code == expected, (url, username, response.status_code)


def test_anonymous_is_sent_to_login(client, pages):
    for url, _ in pages:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_adjustment_delete_is_admin_only_and_post_only(client, term_data, teacher, other_school_admin, admin):
    from apps.homeroom.models import Adjustment

    adjustment = Adjustment.objects.filter(student=term_data.s0).first()
    url = reverse("reports:adjustment_delete", args=[adjustment.pk])
    for user in (teacher, other_school_admin):
        client.force_login(user)
        assert client.post(url).status_code == 404
    client.force_login(admin)
    assert client.get(url).status_code == 405
    assert Adjustment.objects.filter(pk=adjustment.pk).exists()
    assert client.post(url).status_code == 302
    assert not Adjustment.objects.filter(pk=adjustment.pk).exists()


def test_teacher_sees_only_their_classes_and_year_groups(client, term_data, teacher):
    client.force_login(teacher)
    response = client.get(reverse("reports:term_reports"), {"term": term_data.term1.pk})
    by_group, by_class = response.context["reports"]
    assert [r.label for r in by_group.rows] == ["Year 7"]
    assert [r.label for r in by_class.rows] == ["7A English"]
    # Asking for another class by filter is refused by the form, not honoured.
    response = client.get(reverse("reports:term_reports"), {"school_class": term_data.world.science.pk})
    assert [r.label for r in response.context["reports"][1].rows] == ["7A English"]


def test_teacher_reading_a_student_sees_only_their_lessons(client, term_data, other_teacher, world):
    from apps.classes.models import Enrollment

    # The Year 8 student also takes 7A English (not other_teacher's class).
    Enrollment.objects.create(school=world.school, school_class=world.english, student=term_data.y8)
    client.force_login(other_teacher)
    response = client.get(reverse("reports:student_report", args=[term_data.y8.pk]), {"term": term_data.term1.pk})
    assert [r.label for r in response.context["lessons"].rows] == ["8B Science"]
    assert response.context["homeroom"] is not None  # other_teacher advises Year 8


def test_class_report_page_shows_the_numbers(client, term_data, admin):
    client.force_login(admin)
    response = client.get(
        reverse("reports:class_report", args=[term_data.world.english.pk]), {"term": term_data.term1.pk}
    )
    html = response.content.decode()
    assert "62.5%" in html and "50.0%" in html and "75.0%" in html
    assert "Pupil002" not in html
    response = client.get(
        reverse("reports:class_report", args=[term_data.world.english.pk]),
        {"term": term_data.term1.pk, "include_archived": "on"},
    )
    assert "Pupil002" in response.content.decode() and "archived" in response.content.decode()


def test_year_group_page_shows_adjustments(client, term_data, admin):
    client.force_login(admin)
    response = client.get(
        reverse("reports:year_group_report", args=[term_data.world.year7.pk]), {"term": term_data.term1.pk}
    )
    html = response.content.decode()
    assert "33.3%" in html and "55.6%" in html
    assert "includes an adjustment of +2" in html and "includes an adjustment of -1" in html
    assert 'role="img"' in html and "<desc" in html and "Show the numbers as a table" in html


def test_dashboard_today(client, term_data, admin, monkeypatch):
    tz = zoneinfo.ZoneInfo(term_data.school.timezone)
    at_ten = datetime.combine(term_data.tue1, time(10, 0), tzinfo=tz)
    monkeypatch.setattr("apps.reports.views._now", lambda school: at_ten)
    client.force_login(admin)
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    ctx = response.context
    assert {c.abbreviation: n for c, n in ctx["class_counts"]} == {"A": 1, "L": 1, "E": 1, "✓": 1}
    assert {c.abbreviation: n for c, n in ctx["daily_counts"]} == {"A": 1, "✓": 1}
    # Tuesday 10:00: English period 1 is taken; Science period 2 (9:30) has started and is not.
    assert [(m.school_class.name, m.period.number) for m in ctx["unmarked"]] == [("8B Science", 2)]
    roll = reverse("classes:roll", args=[term_data.world.science.pk, term_data.tue1.isoformat(), 2])
    assert roll in response.content.decode()
    assert [(a.student.pk, a.where) for a in ctx["absences"]] == [
        (term_data.s0.pk, "Homeroom"),
        (term_data.s0.pk, "7A English"),
    ]


def test_unmarked_page_groups_and_validates(client, term_data, admin):
    client.force_login(admin)
    response = client.get(reverse("reports:unmarked"), {"start": term_data.mon0, "end": term_data.wed1})
    assert len(response.context["meetings"]) == 19
    assert {k: len(v) for k, v in response.context["by_teacher"]} == {"Other, Otto": 7, "Teacher, Tess": 12}
    assert {k: len(v) for k, v in response.context["by_class"]} == {"7A English": 12, "8B Science": 7}
    response = client.get(reverse("reports:unmarked"), {"start": term_data.wed1, "end": term_data.mon0})
    assert response.context["form"].errors["end"] == ["The end comes before the start."]
    assert response.context["meetings"] == []


def test_chronic_page_sorts(client, term_data, admin):
    client.force_login(admin)
    url = reverse("reports:chronic")
    by_rate = client.get(url, {"term": term_data.term1.pk})
    assert [r.student.pk for r in by_rate.context["rows"]] == [term_data.y8.pk, term_data.s0.pk]
    by_name = client.get(url, {"term": term_data.term1.pk, "sort": "name"})
    assert [r.student.pk for r in by_name.context["rows"]] == [term_data.s0.pk, term_data.y8.pk]
    html = by_name.content.decode()
    assert html.count('class="sparkline"') == 2 and "Weekly attendance of" in html


def test_charts_page(client, term_data, admin):
    client.force_login(admin)
    response = client.get(
        reverse("reports:charts"), {"term": term_data.term1.pk, "year_group": term_data.world.year7.pk}
    )
    # As marked: adjustments are not marks (the year group report shows them).
    assert response.context["distribution"].rows == [["✓", "5"], ["A", "2"], ["L", "1"]]
    html = response.content.decode()
    # Two charts, each drawn wide and narrow (reports.css shows the one that fits).
    assert html.count('role="img"') == 4 and html.count('class="chart chart-narrow"') == 2
    assert "Attendance rate (%)" in html and "Week beginning" in html


def test_audit_log_shows_code_labels_and_filters(client, term_data, admin, world):
    record_lessons(
        world.school,
        [
            ClassMarkInput(
                school_class_id=world.english.pk,
                student_id=term_data.s1.pk,
                date=term_data.tue1,
                period=1,
                code_id=term_data.codes.late.pk,
            )
        ],
    )
    client.force_login(admin)
    response = client.get(
        reverse("reports:audit"), {"student": "Y7001", "date": term_data.tue1, "channel": Channel.DEMO}
    )
    rows = response.context["rows"]
    assert [(r.before and r.before.label, r.after.label, r.period and r.period.number) for r in rows] == [
        ("Excused", "Late", 1),
        (None, "Present", None),  # homeroom
        (None, "Present", 3),
        (None, "Excused", 1),
    ]
    assert "Excused" in response.content.decode() and "System" in response.content.decode()
    only_class = client.get(reverse("reports:audit"), {"school_class": world.science.pk})
    assert [r.student.pk for r in only_class.context["rows"]] == [term_data.y8.pk]
    other_channel = client.get(reverse("reports:audit"), {"channel": Channel.WEB})
    assert other_channel.context["rows"] == []


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("name", "arg"),
    [
        ("reports:dashboard", None),
        ("reports:unmarked", None),
        ("reports:term_reports", None),
        ("reports:class_report", "english"),
        ("reports:year_group_report", "year7"),
        ("reports:student_report", "s0"),
        ("reports:chronic", None),
        ("reports:charts", None),
        ("reports:codes", None),
        ("reports:adjustments", None),
        ("reports:audit", None),
    ],
)
def test_query_count_is_constant(client, term_data, admin, name, arg, django_assert_max_num_queries):
    world = term_data.world
    target = {"english": world.english, "year7": world.year7, "s0": term_data.s0}.get(arg)
    url = reverse(name, args=[target.pk] if target else [])
    params = {"term": term_data.term1.pk, "start": term_data.mon0, "end": term_data.wed1}
    client.force_login(admin)
    small = _queries(client, url, params)
    grow_school(term_data, 5)
    medium = _queries(client, url, params)
    grow_school(term_data, 40)
    with django_assert_max_num_queries(small):
        client.get(url, params)
    assert small == medium
    assert small <= 20


@pytest.mark.parametrize("name", ["reports:term_reports", "reports:class_report", "reports:student_report"])
def test_teacher_query_count_is_constant(client, term_data, teacher, name):
    args = {"reports:class_report": [term_data.world.english.pk], "reports:student_report": [term_data.s0.pk]}
    url = reverse(name, args=args.get(name, []))
    client.force_login(teacher)
    small = _queries(client, url, {"term": term_data.term1.pk})
    grow_school(term_data, 30)
    assert _queries(client, url, {"term": term_data.term1.pk}) == small
