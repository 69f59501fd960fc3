"""One Present on every page people read (issue 18 point 2): ManageBac's explicit Present (P, 1)
counts and shows as the roll's default present (✓, -1) in the term reports, office Today, the
charts, chronic absence, On site now, the family pages and the exports; the APIs keep them apart."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse

from apps.classes.models import ClassMark
from apps.classes.services import ClassMarkInput
from apps.homeroom.models import Adjustment
from apps.homeroom.services import DailyMarkInput
from apps.school.models import AttendanceCode
from apps.school.selectors import as_people_read, counts_as_people_read
from tests import factories as f
from tests.reports.conftest import record_homeroom, record_lessons
from tests.reports.test_exports import read_csv, read_xlsx


@pytest.fixture
def with_p(term_data):
    """term_data and, on ``wed1``, English period 1 marked P for s0 and s1; on ``thu1`` homeroom P
    for s0 (with a note shared with the family) and s1; a P adjustment of +2 for s1 in Term 1."""
    data = term_data
    data.p = f.code(data.school, 1)
    data.thu1 = data.wed1 + timedelta(days=1)
    english = data.world.english.pk
    record_lessons(
        data.school,
        [ClassMarkInput(english, s.pk, data.wed1, 1, data.p.pk) for s in (data.s0, data.s1)],
    )
    record_homeroom(
        data.school,
        [
            DailyMarkInput(data.s0.pk, data.thu1, data.p.pk, "Came back from the dentist", shared_with_family=True),
            DailyMarkInput(data.s1.pk, data.thu1, data.p.pk),
        ],
    )
    Adjustment.objects.create(school=data.school, student=data.s1, term=data.term1, code=data.p, adjustment=2)
    return data


def assert_one_present(report, present, p) -> None:
    """The report has one Present column, the default present's, and no P in any count."""
    assert [c.pk for c in report.codes if c.label == "Present"] == [present.pk]
    for figures in [report.totals] + [row.figures for row in report.rows]:
        assert p.pk not in figures.counts and p.pk not in figures.adjustments


def test_the_helper_reads_p_as_the_default_present(school):
    codes = list(AttendanceCode.objects.filter(school=school))
    present, p = f.code(school, -1), f.code(school, 1)
    shown = as_people_read(codes)
    assert shown[p.pk] == present and shown[present.pk] == present
    assert counts_as_people_read({p.pk: 2, present.pk: 3, f.code(school, 0).pk: 1}, shown) == {
        present.pk: 5,
        f.code(school, 0).pk: 1,
    }


def test_class_report_page_and_exports(client, with_p, admin):
    client.force_login(admin)
    url = reverse("reports:class_report", args=[with_p.world.english.pk])
    response = client.get(url, {"term": with_p.term1.pk})
    report = response.context["report"]
    assert_one_present(report, with_p.codes.present, with_p.p)
    # ✓: s0 1 and s1 3 before; one P each on wed1.
    assert report.totals.counts[with_p.codes.present.pk] == 6
    by_student = {row.key: row.figures.counts.get(with_p.codes.present.pk) for row in report.rows}
    assert by_student[with_p.s0.pk] == 2 and by_student[with_p.s1.pk] == 4
    html = response.content.decode()
    assert html.count('<abbr title="Present">') == 1
    # The APIs' records are untouched: the marks still carry P.
    assert ClassMark.objects.filter(code=with_p.p).count() == 2

    rows = read_csv(client.get(url, {"term": with_p.term1.pk, "format": "csv"}))
    assert "Present (✓)" in rows[0] and "Present (P)" not in rows[0]
    assert rows[-1][rows[0].index("Present (✓)")] == "6"
    [sheet] = read_xlsx(client.get(url, {"term": with_p.term1.pk, "format": "xlsx"})).values()
    assert "Present (✓)" in sheet[0] and "Present (P)" not in sheet[0]
    assert sheet[-1][sheet[0].index("Present (✓)")] == 6


def test_year_group_report_and_its_adjustments(client, with_p, admin):
    client.force_login(admin)
    url = reverse("reports:year_group_report", args=[with_p.world.year7.pk])
    report = client.get(url, {"term": with_p.term1.pk}).context["report"]
    assert_one_present(report, with_p.codes.present, with_p.p)
    s1 = next(row for row in report.rows if row.key == with_p.s1.pk)
    # s1's homeroom ✓: mon0, mon1, tue1 and thu1 (P); adjustments ✓ -1 and P +2 are one +1.
    assert s1.figures.counts[with_p.codes.present.pk] == 4 + 1
    assert s1.figures.adjustments == {with_p.codes.present.pk: 1}
    rows = read_csv(client.get(url, {"term": with_p.term1.pk, "format": "csv"}))
    assert "Present (✓)" in rows[1] and "Present (P)" not in rows[1]  # under the report's title
    assert not any("(P)" in cell for row in rows for cell in row)


def test_student_report(client, with_p, admin):
    client.force_login(admin)
    response = client.get(reverse("reports:student_report", args=[with_p.s0.pk]), {"term": with_p.term1.pk})
    homeroom, lessons = response.context["homeroom"], response.context["lessons"]
    assert_one_present(homeroom, with_p.codes.present, with_p.p)
    assert_one_present(lessons, with_p.codes.present, with_p.p)
    assert homeroom.totals.counts[with_p.codes.present.pk] == 3  # mon0, wed1 and thu1 (P)
    assert lessons.totals.counts[with_p.codes.present.pk] == 2  # mon1 P1 and wed1 P1 (P)


def test_term_reports_page_and_export(client, with_p, admin):
    client.force_login(admin)
    url = reverse("reports:term_reports")
    response = client.get(url, {"term": with_p.term1.pk})
    homeroom, lessons = response.context["reports"]
    for report in (homeroom, lessons):
        assert_one_present(report, with_p.codes.present, with_p.p)
    assert lessons.totals.counts[with_p.codes.present.pk] == 7  # 4 + 2 P + 8B Science's
    text = client.get(url, {"term": with_p.term1.pk, "format": "csv"}).content.decode()
    assert "Present (✓)" in text and "(P)" not in text


def test_office_today_counts_and_export(client, with_p, admin, monkeypatch):
    tz = zoneinfo.ZoneInfo(with_p.school.timezone)
    monkeypatch.setattr("apps.reports.views._now", lambda school: datetime.combine(with_p.wed1, time(10, 0), tzinfo=tz))
    client.force_login(admin)
    response = client.get(reverse("reports:dashboard"))
    assert {c.abbreviation: n for c, n in response.context["class_counts"]} == {"✓": 2}
    assert {c.abbreviation: n for c, n in response.context["daily_counts"]} == {"✓": 1, "L": 1}
    assert response.content.decode().count("Present <strong>") == 2  # once for lessons, once for homeroom
    rows = read_csv(client.get(reverse("reports:dashboard"), {"format": "csv"}))
    assert ["Present (✓)", "2"] in rows and not any("(P)" in cell for row in rows for cell in row)


def test_charts(client, with_p, admin):
    client.force_login(admin)
    response = client.get(reverse("reports:charts"), {"term": with_p.term1.pk, "year_group": with_p.world.year7.pk})
    # Homeroom of Year 7: ✓ 5 before, and the two P of thu1.
    assert response.context["distribution"].rows == [["✓", "7"], ["A", "2"], ["L", "1"]]
    html = response.content.decode()
    assert "Present 7 (70.0%)" in html and ">P<" not in html


def test_chronic_absence_counts_p_as_present(client, with_p, admin):
    client.force_login(admin)
    response = client.get(reverse("reports:chronic"), {"term": with_p.term1.pk, "source": "lessons"})
    s0 = next(r for r in response.context["rows"] if r.student.pk == with_p.s0.pk)
    # mon1 ✓ and A, tue1 A and L, wed1 P: 5 lessons, 2 absent.
    assert (s0.total, s0.absent) == (5, 2)
    week = next(p for p in s0.trend if p.week == with_p.mon1)
    assert (week.total, week.present) == (5, 3)


def test_on_site_reads_p_as_the_default_present(client, world, admin, pinned_clock):
    today = world.school.today()
    record_homeroom(world.school, [DailyMarkInput(world.students[0].pk, today, f.code(world.school, 1).pk)])
    client.force_login(admin)
    year7 = client.get(reverse("reports:on_site")).context["groups"][0]
    assert [s.code for s in year7.present] == [f.code(world.school, -1)]


def test_family_calendar_and_glance_show_one_present(client, with_p):
    """The parent's child s0: homeroom ✓ on wed1 and P on thu1 read alike on the calendar, its
    legend and the latest marks."""
    client.force_login(with_p.world.parent.user)
    home = client.get(reverse("excusals:family"), {"month": with_p.thu1.strftime("%Y-%m")})
    calendar = home.context["children"][0]["calendar"]
    days = {d.day: d for week in calendar.weeks for d in week}
    assert days[with_p.thu1].code == days[with_p.wed1].code == with_p.codes.present
    assert [c.abbreviation for c in calendar.codes if c.label == "Present"] == ["✓"]
    html = home.content.decode()
    assert '<span class="day-code" aria-hidden="true">P</span>' not in html
    assert '<span class="key" style="--code: #15803d">P</span>' not in html
    [noted] = [m for m in home.context["children"][0]["recent"] if m.note]
    assert (noted.code, noted.note) == (with_p.codes.present, "Came back from the dentist")
    child = client.get(reverse("excusals:child", args=[with_p.s0.pk]), {"month": with_p.thu1.strftime("%Y-%m")})
    assert with_p.p not in {m.code for m in child.context["marks"]}
    assert '<span class="chip' in child.content.decode() and ">P</span>" not in child.content.decode()


def test_bulk_marks_offer_one_present(client, world, admin):
    client.force_login(admin)
    form = client.get(reverse("reports:bulk_marks")).context["form"]
    offered = [str(label) for _, label in form.fields["code"].choices]
    assert [label for label in offered if label.startswith("Present")] == ["Present (✓)"]
    assert "Absent (A)" in offered
