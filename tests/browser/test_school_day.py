"""The office's day pages on a phone (390x844): an admin assigns cover and the cover teacher
takes the roll; a trip is previewed and marked in one save; the on-site list after the marks.
Each page: no sideways scroll, targets of 44 px or more, axe without serious or critical."""

from __future__ import annotations

from django.urls import reverse
from playwright.sync_api import expect

from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark, Cover
from apps.homeroom.models import DailyMark
from tests import factories as f
from tests.browser.conftest import assert_accessible, laid_out, screenshot

PHONE = {"width": 390, "height": 844}
TARGETS = ", ".join(
    f".day-page {t}" for t in ("button", "select", "input:not([type=checkbox])", "a.button", "label.choice")
)


def assert_phone_ready(page, context: str) -> None:
    assert laid_out(page).evaluate("document.documentElement.scrollWidth <= window.innerWidth"), context
    small = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter(e => e.getClientRects().length && e.getBoundingClientRect().height < 44)
            .map(e => e.outerHTML.slice(0, 80))""",
        TARGETS,
    )
    assert not small, f"targets under 44px {context}: {small}"
    assert_accessible(page, context)


def test_admin_assigns_cover_and_the_cover_teacher_takes_the_roll(page, live_server, login, world):
    page.set_viewport_size(PHONE)
    today = world.school.today()
    login(page, "admin")
    page.goto(f"{live_server.url}{reverse('reports:covers')}")
    assert_phone_ready(page, "on the cover page")
    page.get_by_label("Class", exact=True).select_option(label="7A English")
    page.get_by_label("Cover teacher").select_option(label="Other, Otto")
    page.get_by_label("First day").fill(today.isoformat())
    page.get_by_label("Last day").fill(today.isoformat())
    page.get_by_label("Period 1", exact=False).first.check()
    page.get_by_role("button", name="Assign cover").click()
    expect(page.get_by_text("Otto Other covers 7A English.")).to_be_visible()
    assert Cover.objects.get().periods.get().number == 1
    screenshot(page, "office-cover-phone")
    page.locator("details.account summary").click()  # the name in the header opens Sign out
    page.get_by_role("button", name="Sign out").click()

    login(page, "other_teacher")
    page.goto(f"{live_server.url}{reverse('classes:today')}")
    page.get_by_role("link", name="7A English").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_role("button", name="Mark everyone").first.click()
    expect(page.locator("#roll-counts")).to_contain_text("3 of 3")
    assert ClassMark.objects.filter(school_class=world.english, date=today, period__number=1).count() == 3
    assert [e.key.get("covering") for e in AuditEntry.objects.filter(mark_kind="class")] == [True] * 3


def test_a_trip_is_previewed_and_marked_in_one_save(page, live_server, login, world):
    page.set_viewport_size(PHONE)
    login(page, "admin")
    page.goto(f"{live_server.url}{reverse('reports:bulk_marks')}")
    assert_phone_ready(page, "on the bulk marks page")
    page.get_by_label("Everyone in year group").select_option(label="Year 7")
    page.get_by_label("Code", exact=True).select_option(label="Fieldtrip (F)")
    page.get_by_label("First day").fill("2026-11-18")
    page.get_by_label("Last day").fill("2026-11-20")
    page.get_by_label("Note", exact=True).fill("Museum trip")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("status").filter(has_text="Preview")
    expect(preview.get_by_text("to create")).to_be_visible()
    assert_phone_ready(page, "on the bulk marks preview")
    screenshot(page, "office-bulk-marks-phone")
    page.get_by_role("button", name="Save 27 marks").click()
    expect(page.get_by_text("Saved: 27 marks created, 0 changed.")).to_be_visible()
    assert ClassMark.objects.filter(note="Museum trip").count() == 18
    assert DailyMark.objects.filter(note="Museum trip").count() == 9


def test_on_site_now_on_a_phone(page, live_server, login, world):
    from apps.homeroom.services import DailyMarkInput, record_daily_marks

    today = world.school.today()
    f.saved(
        record_daily_marks(
            actor=None,
            school=world.school,
            channel="web",
            marks=[DailyMarkInput(world.students[0].pk, today, f.code(world.school, 1).pk)],
        )
    )
    page.set_viewport_size(PHONE)
    login(page, "admin")
    page.goto(f"{live_server.url}{reverse('reports:on_site')}")
    expect(page.get_by_role("heading", name="Year 7: 1 present, 0 absent, 2 not yet marked")).to_be_visible()
    f.saved(
        record_daily_marks(
            actor=None,
            school=world.school,
            channel="web",
            marks=[DailyMarkInput(world.students[1].pk, today, f.code(world.school, 0).pk)],
        )
    )
    # The Refresh header reloads the page after 30 s: the mark saved meanwhile shows. Waiting for
    # the heading (rather than a fixed pause) holds on a loaded machine too.
    expect(page.get_by_role("heading", name="Year 7: 1 present, 1 absent, 1 not yet marked")).to_be_visible(
        timeout=90_000
    )
    assert_phone_ready(page, "on the on-site page")
    screenshot(page, "office-on-site-phone")
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Office").is_visible()
    screenshot(page, "office-on-site-print")
