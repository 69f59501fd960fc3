"""The API clients page in a browser: an admin creates a client, copies its token, revokes it."""

from playwright.sync_api import expect

from apps.api.models import ApiClient
from tests.browser.conftest import assert_accessible, screenshot


def test_admin_creates_and_revokes_a_client(page, live_server, login, world):
    login(page, "admin", next_path="/office/api-clients/")
    page.goto(f"{live_server.url}/office/api-clients/")
    assert_accessible(page, "on the API clients page")
    page.get_by_label("Name").fill("Timetable sync")
    page.get_by_label("Acts for").select_option(label="Tess Teacher (teacher)")
    page.get_by_role("checkbox", name="write:attendance — Take rolls and change excusals").check()
    page.get_by_role("button", name="Create client").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("alert")).to_be_visible()
    token = page.locator("code.secret").first.inner_text()
    assert ApiClient.objects.by_token(token).name == "Timetable sync"
    assert_accessible(page, "on the page showing the new secrets")
    screenshot(page, "api-client-created")

    page.get_by_role("link", name="Back to API clients").click()
    page.get_by_role("button", name="Revoke Timetable sync").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("is revoked")).to_be_visible()
    assert ApiClient.objects.by_token(token) is None
    screenshot(page, "api-clients")
