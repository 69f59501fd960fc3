"""The office pages in a real browser: each report opens, passes axe-core, and is photographed."""

from __future__ import annotations

from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, laid_out, screenshot
from tests.reports.conftest import term_data  # noqa: F401 the known term of marks, as a fixture


def test_admin_opens_every_office_page(page, live_server, login, term_data):  # noqa: F811
    world = term_data.world
    term = f"?term={term_data.term1.pk}"
    pages = [
        ("reports-today", reverse("reports:dashboard")),
        ("reports-unmarked", f"{reverse('reports:unmarked')}?start={term_data.mon0}&end={term_data.wed1}"),
        ("reports-term", reverse("reports:term_reports") + term),
        ("reports-class", reverse("reports:class_report", args=[world.english.pk]) + term + "&include_archived=on"),
        ("reports-year-group", reverse("reports:year_group_report", args=[world.year7.pk]) + term),
        ("reports-student", reverse("reports:student_report", args=[term_data.s0.pk]) + term),
        ("reports-chronic", reverse("reports:chronic") + term),
        ("reports-charts", reverse("reports:charts") + term),
        ("reports-codes", reverse("reports:codes")),
        ("reports-code-edit", reverse("reports:code_edit", args=[term_data.codes.late.pk])),
        ("reports-adjustments", reverse("reports:adjustments") + term),
        ("reports-settings", reverse("reports:settings")),
        ("reports-audit", reverse("reports:audit")),
    ]
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, "admin")
    for name, path in pages:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page, f"on {path}")
        screenshot(page, name)


def test_report_tables_and_charts_read_well(page, live_server, login, term_data):  # noqa: F811
    login(page, "admin")
    path = reverse("reports:year_group_report", args=[term_data.world.year7.pk])
    page.goto(f"{live_server.url}{path}?term={term_data.term1.pk}")
    table = page.get_by_role("table", name="Year 7: homeroom")
    expect(table.get_by_role("row", name="Total")).to_be_visible()
    expect(page.get_by_role("img", name="Year 7: homeroom attendance by week")).to_be_visible()
    page.get_by_text("Show the numbers as a table").first.click()
    expect(page.get_by_role("table", name="Year 7: homeroom attendance by week")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX)").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_teacher_reads_their_class_report_on_a_phone(page, live_server, login, term_data):  # noqa: F811
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "teacher")
    page.goto(f"{live_server.url}{reverse('reports:class_report', args=[term_data.world.english.pk])}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.get_by_role("navigation", name="Office").count() == 0
    assert_accessible(page, "on a teacher's class report")
    screenshot(page, "reports-class-teacher-phone")
    response = page.goto(f"{live_server.url}{reverse('reports:dashboard')}")
    assert response.status == 404


def test_an_admin_of_two_schools_switches_school_on_a_phone(page, live_server, login, world):
    """No script needed: the picker is a plain form. The choice stays as the admin moves on."""
    from apps.school.models import Administrator

    Administrator.objects.create(school=world.other_school, first_name="Ada", last_name="Admin", user=world.admin.user)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "admin")
    page.goto(f"{live_server.url}{reverse('reports:chronic')}")
    picker = page.get_by_role("form", name="Choose a school")
    picker.get_by_label("School", exact=True).select_option(label="Southbank Academy")
    picker.get_by_role("button", name="Show").click()
    laid_out(page)
    assert page.get_by_label("School", exact=True).input_value() == str(world.other_school.pk)
    for control in (picker.get_by_label("School", exact=True), picker.get_by_role("button", name="Show")):
        assert control.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page, "on the chronic absence page with the school picker")
    screenshot(page, "reports-two-schools-phone")
    page.get_by_role("navigation", name="Office").get_by_role("link", name="Today").click()
    assert page.url.endswith(f"{reverse('reports:dashboard')}?school={world.other_school.pk}")
    expect(page.get_by_text("at Southbank Academy.")).to_be_visible()


def test_the_office_reminds_from_today_on_a_phone_without_javascript(browser, live_server, world):
    """Remind and Remind all are plain forms: no script, 44px targets, no sideways scroll."""
    from apps.notifications.models import Notification
    from tests import factories as f

    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next={reverse('reports:dashboard')}")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    laid_out(page)
    one = page.get_by_role("button", name="Remind the teacher of 7A English, Period 1")
    every = page.get_by_role("button", name="Remind all teachers of rolls not yet taken")
    for button in (one, every):
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "reports-today-remind-phone")
    one.click()
    expect(page.get_by_text("Reminder on the way (1).")).to_be_visible()
    page.get_by_role("button", name="Remind all teachers of rolls not yet taken").click()
    expect(page.get_by_text("Reminder on the way (1).")).to_be_visible()  # 8B Science's only
    assert Notification.objects.filter(kind="reminder").count() == 2
    context.close()
