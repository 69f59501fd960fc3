"""Every office page on a phone (390x844) and a laptop (1280x800), issue 18 point 8: the page
never scrolls sideways (a wide table scrolls inside its own box, its first column fixed, or
stacks its rows), every control is at least 44x44 px, axe finds nothing serious or critical,
and chart text reads at 12 px or more. Each page is photographed at both sizes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from apps.api.models import SCOPES, ApiClient
from apps.classes.models import Cover
from apps.homeroom.models import Adjustment
from apps.notifications.models import Notification
from apps.roster.models import RosterUpload
from tests.browser.conftest import assert_accessible, laid_out, screenshot
from tests.reports.conftest import term_data  # noqa: F401 the known term of marks, as a fixture

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}

# The controls of a page's content and of the office's menu (links inside text are left out, as
# WCAG's target size leaves them out).
TARGETS = (
    "main button, main a.button, main select, main summary, main input[type=file],"
    " main input:not([type=checkbox]):not([type=radio]):not([type=hidden]):not([type=file]), .office-nav a"
)


def small_targets(page) -> list[str]:
    return laid_out(page).evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter(e => e.getClientRects().length)
            .map(e => [e, e.getBoundingClientRect()])
            .filter(([e, r]) => r.height < 44 || r.width < 44)
            .map(([e, r]) => e.outerHTML.slice(0, 80) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))""",
        TARGETS,
    )


def wider_than(page, width: int) -> list[str]:
    """The first elements reaching past ``width``, to say what widens a page."""
    return laid_out(page).evaluate(
        """(w) => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w)
            .slice(0, 6).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""",
        width,
    )


def small_chart_text(page) -> list[str]:
    """Chart text (of the drawing shown) drawn smaller than 12 px, or cut off by the chart's edge."""
    return laid_out(page).evaluate(
        """() => [...document.querySelectorAll('svg.chart')].filter(svg => svg.getClientRects().length)
            .flatMap(svg => {
              const box = svg.getBoundingClientRect(), scale = box.width / svg.viewBox.baseVal.width;
              return [...svg.querySelectorAll('text')].map(t => [t, t.getBoundingClientRect(),
                                                                  parseFloat(getComputedStyle(t).fontSize) * scale])
                .filter(([t, r, px]) => px < 12 || r.left < box.left - 0.5 || r.right > box.right + 0.5)
                .map(([t, r, px]) => t.textContent + ' at ' + px.toFixed(1) + 'px, ' + r.left.toFixed(0) + '..'
                     + r.right.toFixed(0) + ' in ' + box.left.toFixed(0) + '..' + box.right.toFixed(0));
            })"""
    )


@pytest.fixture
def office_pages(term_data):  # noqa: F811
    """Every office page, each with rows enough to be wide: a long API client name, a failed
    email, a cover, a roster upload, an adjustment."""
    world = term_data.world
    school = world.school
    today = school.today()
    ApiClient.issue(name="Management information system nightly sync", user=world.admin.user, scopes=list(SCOPES))
    Cover.objects.create(
        school=school, school_class=world.english, teacher=world.other_teacher, start_date=today, end_date=today
    )
    Notification.objects.create(
        school=school,
        kind=Notification.Kind.ABSENCE,
        status=Notification.Status.FAILED,
        date=today,
        parent=world.parent,
        student=world.students[0],
        due_at=timezone.now(),
        attempts=5,
        last_error="550 5.1.1 mailbox unavailable: the address does not exist at this domain",
    )
    upload = RosterUpload.objects.create(
        school=school,
        filename="northfield-oneroster-export-2026-autumn.zip",
        export=b"",
        status="ready",
        uploaded_by=world.admin.user,
        uploaded_at=timezone.now(),
    )
    adjustment = Adjustment.objects.filter(school=school).first()
    term = f"?term={term_data.term1.pk}"
    week = f"?start={term_data.mon0}&end={term_data.wed1}"
    return [
        ("today", reverse("reports:dashboard")),
        ("unmarked", reverse("reports:unmarked") + week),
        ("term-reports", reverse("reports:term_reports") + term),
        ("class-report", reverse("reports:class_report", args=[world.english.pk]) + term + "&include_archived=on"),
        ("year-group-report", reverse("reports:year_group_report", args=[world.year7.pk]) + term),
        ("student-report", reverse("reports:student_report", args=[term_data.s0.pk]) + term),
        ("chronic", reverse("reports:chronic") + term),
        ("charts", reverse("reports:charts") + term),
        ("settings", reverse("reports:settings")),
        ("codes", reverse("reports:codes")),
        ("code-edit", reverse("reports:code_edit", args=[term_data.codes.late.pk])),
        ("adjustments", reverse("reports:adjustments") + term),
        ("adjustment-edit", reverse("reports:adjustment_edit", args=[adjustment.pk])),
        ("audit", reverse("reports:audit")),
        ("covers", reverse("reports:covers") + f"?date={today + timedelta(days=0)}"),
        ("bulk-marks", reverse("reports:bulk_marks")),
        ("on-site", reverse("reports:on_site")),
        ("excusals", reverse("excusals:office") + f"?date={term_data.mon1}"),
        ("api-clients", reverse("api_clients:list")),
        ("roster", reverse("roster:roster")),
        ("roster-upload", reverse("roster:upload", args=[upload.pk])),
        ("outbox", reverse("notifications:outbox")),
        ("photos", reverse("roster:photos")),
    ]


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_every_office_page_fits_the_screen(page, live_server, login, office_pages, viewport):
    page.set_viewport_size(viewport)
    login(page, "admin")
    size = "phone" if viewport is PHONE else "laptop"
    problems = []
    for name, path in office_pages:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        screenshot(page, f"office-{name}-{size}")
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            problems.append(f"{path}: {width[0]} px wide in {width[1]}: {wider_than(page, width[1])}")
        if small := small_targets(page):
            problems.append(f"{path}: targets under 44 px: {small}")
        if text := small_chart_text(page):
            problems.append(f"{path}: chart text too small or cut: {text}")
        try:
            assert_accessible(page, f"on {path}")
        except AssertionError as error:
            problems.append(str(error))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_office_uploads_photos_and_the_report_shows_one(page, live_server, login, world, tmp_path, viewport):
    from tests.roster.test_photo_upload import image_bytes, zipped

    s0 = world.students[0]
    archive = tmp_path / "photos.zip"
    archive.write_bytes(zipped({f"{s0.student_number}.jpg": image_bytes(), "nobody.jpg": image_bytes()}))
    size = "phone" if viewport is PHONE else "laptop"
    page.set_viewport_size(viewport)
    login(page, "admin", next_path=reverse("roster:roster"))
    page.get_by_role("link", name="Student photos").click()
    page.get_by_label("Photos").set_input_files(str(archive))
    page.get_by_role("button", name="Upload photos").click()
    status = page.get_by_role("status")
    expect(status.get_by_role("heading", name="What the upload did")).to_be_visible()
    expect(status.get_by_text("nobody.jpg")).to_be_visible()
    assert laid_out(page).evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert small_targets(page) == []
    assert_accessible(page, "on the photo upload's report")
    screenshot(page, f"office-photos-uploaded-{size}")
    page.goto(f"{live_server.url}{reverse('reports:student_report', args=[s0.pk])}")
    photo = page.locator("h1 img.student-photo")
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
    assert_accessible(page, "on the student's report with a photo")
    screenshot(page, f"office-student-report-photo-{size}")
