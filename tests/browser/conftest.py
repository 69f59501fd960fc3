"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against the live server.

Helpers here: ``login(page, live_server, username)``, ``assert_accessible(page)`` (axe-core,
failing on serious or critical violations), ``screenshot(page, name)`` which saves a PNG
under test-artifacts/screenshots/ for a person to look at, and ``laid_out(page)``, which every
measurement of sizes calls first. What a page shows is checked with Playwright's ``expect(...)``,
which waits for it: ``assert locator.is_visible()`` does not wait, and after a click it may look
at the page before the next one has arrived.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        # Never skipped quietly: CI installs Chromium, and a missing browser is a failure.
        pytest.fail(f"Debian's Chromium is missing at {CHROMIUM}: apt-get install chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
        ],
    }


@pytest.fixture
def login(live_server):
    def sign_in(page, username: str, password: str = PASSWORD, next_path: str = "/"):
        page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("networkidle")
        return page

    return sign_in


def laid_out(page):
    """The page once its stylesheets have loaded. A click that submits a form returns when the
    next page's HTML arrives, before its CSS: sizes measured then are the unstyled page's."""
    page.wait_for_load_state("load")
    return page


def assert_accessible(page, context: str = "") -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]
    details = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in bad
    )
    assert not bad, f"axe violations {context}:\n{details}"


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
