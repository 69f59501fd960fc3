"""The office's roster page on a phone (390x844): upload an export, read the preview, apply it.
The background worker (django-tasks-db's db_worker) runs for real between the steps, and the
page is followed without JavaScript, through its Reload link."""

from __future__ import annotations

from playwright.sync_api import expect

from apps.roster.models import RosterUpload
from apps.school.models import Student
from tests.browser.conftest import assert_accessible, laid_out, screenshot
from tests.roster.conftest import run_worker, zipped
from tests.roster.csvs import EXPORTS

PHONE = {"width": 390, "height": 844}


def fits_a_phone(page) -> None:
    """No sideways scroll, and every button and link of the page's content at least 44px tall."""
    assert laid_out(page).evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    small = page.evaluate(
        """() => [...document.querySelectorAll('main button, main a.button, main input[type=file], main .uploads a')]
             .filter(e => e.getBoundingClientRect().height < 44).map(e => e.outerHTML.slice(0, 80))"""
    )
    assert small == []


def test_the_office_uploads_previews_and_applies_a_roster_on_a_phone(page, live_server, login, world, tmp_path):
    export = tmp_path / "hillside.zip"
    export.write_bytes(zipped(EXPORTS / "upper-case"))
    page.set_viewport_size(PHONE)
    login(page, "admin", next_path="/office/roster/")
    page.goto(f"{live_server.url}/office/roster/")
    expect(page.get_by_role("heading", level=1, name="Roster")).to_be_visible()
    assert_accessible(page, "on the roster page")
    fits_a_phone(page)
    screenshot(page, "roster-upload-phone")

    page.get_by_label("Export file(s)").set_input_files(str(export))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="Checking the export…")).to_be_visible()
    assert_accessible(page, "while the export is checked")

    run_worker()
    page.get_by_role("link", name="Reload").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="What it would change")).to_be_visible()
    changes = page.get_by_role("table", name="Rows by kind")
    expect(changes.get_by_role("row", name="Students 2 new")).to_be_visible()
    assert not Student.objects.filter(sourced_id="U1").exists()
    assert_accessible(page, "on the preview")
    fits_a_phone(page)
    screenshot(page, "roster-preview-phone")

    page.get_by_role("button", name="Apply the roster").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="Applying the export…")).to_be_visible()
    run_worker()
    page.get_by_role("link", name="Reload").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="Applied", exact=True)).to_be_visible()
    expect(page.get_by_role("table", name="Rows by kind").get_by_role("row", name="Enrollments 2 new")).to_be_visible()
    assert_accessible(page, "on the applied upload")
    fits_a_phone(page)
    screenshot(page, "roster-applied-phone")
    assert RosterUpload.objects.get().status == "applied"
    assert Student.objects.filter(school=world.school, sourced_id__in=["U1", "U2"]).count() == 2

    page.get_by_role("link", name="Roster").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("link", name="hillside.zip")).to_be_visible()
    fits_a_phone(page)
