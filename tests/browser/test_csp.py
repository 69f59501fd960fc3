"""The Content Security Policy in a real browser: the main pages, the roll's taps (htmx) and the
API docs (Swagger UI) work, and Chromium reports no violation of the policy on any of them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests import factories as f

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, with every CSP violation (event or console message) collected in ``page.violations``."""
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(RECORD_VIOLATIONS)

    def violations():
        return console + page.evaluate("window.__cspViolations || []")

    page.violations = violations
    return page


def test_no_violation_on_the_main_pages(watched, live_server, login, world):
    page = watched
    day = f.last_weekday(world.school, 1)
    visits = {
        "teacher": [
            reverse("classes:today"),
            f"/classes/{world.english.pk}/roll/{day.isoformat()}/1/",
            f"/homeroom/{world.year7.pk}/{day.isoformat()}/",
            reverse("reports:term_reports"),
        ],
        "parent": [reverse("excusals:family"), reverse("excusals:new")],
        "admin": [
            reverse("reports:dashboard"),
            reverse("reports:audit"),
            reverse("reports:codes"),
            reverse("excusals:office"),
            "/office/api-clients/",
        ],
    }
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.violations() == []
    for username, paths in visits.items():
        page.context.clear_cookies()
        login(page, username)
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            page.wait_for_load_state("networkidle")
            assert page.violations() == [], path


def test_taps_on_a_roll_still_save_through_htmx(watched, live_server, login, world):
    page = watched
    day = f.last_weekday(world.school, 1)
    login(page, "teacher")
    page.goto(f"{live_server.url}/classes/{world.english.pk}/roll/{day.isoformat()}/1/")
    student, absent = world.students[0], f.code(world.school, 0)
    url_before = page.url
    page.locator(f"#s{student.pk} .codes label:has(input[value='{absent.pk}'])").click()
    expect(page.locator(f"#s{student.pk} .codes label:has(input[value='{absent.pk}'])")).to_have_attribute(
        "data-on", ""
    )
    assert page.url == url_before  # swapped in place by htmx, not a full-page POST
    assert page.violations() == []


def test_the_api_docs_render_under_the_policy(watched, live_server, db):
    page = watched
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Rollbook attendance APIs", timeout=20_000)
    page.wait_for_load_state("networkidle")
    assert page.violations() == []
