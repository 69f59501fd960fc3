"""Arabic, right to left, in a real browser on a phone (390x844): the roll mirrors (each row's
mark stripe and "More" at the start and end the page reads from, the codes right to left, the
arrow keys going the way the codes run), the family calendar starts its week on the right, the
charts keep their axes left to right; each page passes axe-core and is photographed. The
language selector works without JavaScript."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.classes.models import ClassMark
from apps.school.models import Profile
from tests import factories as f
from tests.browser.conftest import assert_accessible, laid_out, screenshot
from tests.reports.conftest import term_data  # noqa: F401 the known term of marks, as a fixture

PHONE = {"width": 390, "height": 844}


def reads_right_to_left(page) -> None:
    assert laid_out(page).evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None
    return found


@pytest.fixture
def day(world):
    return f.last_weekday(world.school, 1)


def test_a_teacher_takes_the_roll_right_to_left_in_arabic_on_a_phone(page, login, live_server, world, day):
    Profile.objects.create(user=world.teacher.user, language="ar")
    page.set_viewport_size(PHONE)
    login(page, "teacher", next_path="/today/")
    page.goto(f"{live_server.url}/classes/{world.english.pk}/roll/{day.isoformat()}/1/")
    reads_right_to_left(page)
    s0, s1, _ = world.students
    row = page.locator(f"#s{s0.pk}")
    # The mark's stripe is on the row's right (its start), "More" on its left (its end).
    stripe = row.evaluate("e => [getComputedStyle(e).borderRightWidth, getComputedStyle(e).borderLeftWidth]")
    assert stripe == ["6px", "1px"]
    row_box, more = box(row), box(row.locator(".more > summary"))
    assert more["x"] + more["width"] < row_box["x"] + row_box["width"] / 2
    # The codes run right to left: the first is the rightmost.
    codes = row.locator(".codes label")
    first, second = box(codes.nth(0)), box(codes.nth(1))
    assert first["x"] > second["x"]

    # A tap saves, as in English.
    absent = f.code(world.school, 0)
    row.locator(f".codes label:has(input[value='{absent.pk}'])").click()
    expect(row.locator(f".codes label:has(input[value='{absent.pk}'])")).to_have_attribute("data-on", "")
    assert ClassMark.objects.get(student=s0, date=day, period__number=1).code_id == absent.pk
    # Saved: the stripe is the absence's, still at the start.
    expect(row).to_have_css("border-right-width", "10px")

    # The arrow keys go the way the codes run: left is the next code, right the one before.
    radios = page.locator(f"#s{s1.pk} .codes input[type=radio]")
    radios.nth(0).focus()
    page.keyboard.press("ArrowLeft")
    expect(radios.nth(1)).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(radios.nth(0)).to_be_focused()
    assert ClassMark.objects.filter(student=s1, date=day).count() == 0  # moving chose nothing

    reads_right_to_left(page)
    assert_accessible(page, "on the roll in Arabic")
    screenshot(page, "roll-class-phone-arabic")


def test_a_parent_reads_the_family_calendar_right_to_left(page, login, live_server, world):
    Profile.objects.create(user=world.parent.user, language="ar")
    page.set_viewport_size(PHONE)
    login(page, "parent")
    page.goto(f"{live_server.url}{reverse('excusals:family')}")
    reads_right_to_left(page)
    headings = page.locator("table.calendar thead th")
    monday, sunday = box(headings.nth(0)), box(headings.nth(6))
    assert monday["x"] > sunday["x"]  # the week starts on the right
    previous, following = (
        box(page.locator(".month-nav a[rel=prev]").first),
        box(page.locator(".month-nav a[rel=next]").first),
    )
    assert previous["x"] > following["x"]  # the month before is on the right, where reading starts
    assert_accessible(page, "on the family page in Arabic")
    screenshot(page, "family-phone-arabic")


def test_the_charts_keep_their_axes_left_to_right_in_arabic(page, login, live_server, term_data):  # noqa: F811
    Profile.objects.create(user=term_data.world.admin.user, language="ar")
    page.set_viewport_size(PHONE)
    login(page, "admin")
    page.goto(f"{live_server.url}{reverse('reports:charts')}?term={term_data.term1.pk}")
    reads_right_to_left(page)
    chart = page.locator("svg.chart").first
    assert chart.evaluate("e => getComputedStyle(e).direction") == "ltr"
    # The axis' numbers stay left of the axis (x = 56 in the chart's own units), none across it.
    right_edges = chart.evaluate(
        "svg => [...svg.querySelectorAll('text.tick[text-anchor=end]')].map(t => t.getBBox().x + t.getBBox().width)"
    )
    assert right_edges and max(right_edges) <= 56
    assert_accessible(page, "on the charts in Arabic")
    screenshot(page, "charts-phone-arabic")


def test_the_selector_works_without_javascript(browser, live_server, world):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}{reverse('login')}")
        page.locator("#header-language").select_option("ar")
        page.locator("form.header-language button[type=submit]").click()
        reads_right_to_left(page)  # the sign-in page, before anyone signs in
        page.locator("#id_username").fill("parent")
        page.locator("#id_password").fill(f.PASSWORD)
        page.locator("main form button[type=submit]").click()
        reads_right_to_left(page)  # the family page: the choice made before sign-in was saved on the login
        assert Profile.objects.get(user=world.parent.user).language == "ar"
        page.locator("#family-language").select_option("fr")
        page.locator("#language button[type=submit]").click()
        expect(page.locator("html")).to_have_attribute("lang", "fr")  # waits for the saved choice's page
        assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["fr", "ltr"]
        assert page.url.endswith("#language")
        assert Profile.objects.get(user=world.parent.user).language == "fr"
        # Targets a thumb can hit, in the header (its menu opened from the person's name) and on the page.
        page.locator("details.account summary").click()
        for control in ("#header-language", "form.header-language button", "#family-language", "#language button"):
            assert box(page.locator(control))["height"] >= 44, control
        screenshot(page, "family-language-phone-no-script")
    finally:
        context.close()
