from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot


def test_teacher_signs_in_and_lands_on_today(page, live_server, login, world):
    login(page, "teacher")
    assert page.url.endswith("/today/")
    expect(page.get_by_role("link", name="Today")).to_be_visible()


def test_login_page_is_accessible(page, live_server, db):
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page, "on the login page")
    screenshot(page, "login")


def test_wrong_password_shows_an_error(page, live_server, login, world):
    login(page, "teacher", password="wrong")
    assert "/accounts/login/" in page.url
    expect(page.get_by_role("alert")).to_be_visible()
