"""A parent on a phone (390x844): sends, changes and withdraws an excusal; every parent page
passes axe-core and is photographed. The office's excusal page too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.excusals.models import Excusal
from tests import factories as f
from tests.browser.conftest import assert_accessible, screenshot
from tests.excusals.conftest import ABSENT, LATE, PRESENT, make_excusal, mark_day, mark_lesson

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def family_term(world):
    """Y7000 (the parent's child) has a fortnight of homeroom and lesson marks, a past
    excusal, and this Monday's absence with no excusal; a sibling in Year 7 too."""
    school, child, sibling = world.school, world.students[0], world.students[1]
    f.make_parent(world.school, "unused_guardian", sibling)  # a sibling's other guardian, unseen here
    from apps.school.models import Guardianship

    Guardianship.objects.create(school=school, parent=world.parent, student=sibling)
    monday = f.last_weekday(school, 1)
    for back in range(1, 15):
        day = monday - timedelta(days=back)
        if day.isoweekday() > 5:
            continue
        status = LATE if back == 3 else ABSENT if back == 7 else PRESENT
        mark_day(school, child, day, status, "Bus was late" if status == LATE else "")
        mark_day(school, sibling, day, PRESENT)
        mark_lesson(school, world.english, child, day, 1, status if status != LATE else PRESENT)
    make_excusal(world.parent, child, monday - timedelta(days=7), monday - timedelta(days=7), "Dentist appointment")
    mark_day(school, child, monday, ABSENT, "Not at registration")
    mark_lesson(school, world.english, child, monday, 1, ABSENT, "Missed the spelling test")
    return monday


def test_parent_sends_changes_and_withdraws_an_excusal_on_a_phone(page, live_server, login, world, family_term):
    monday = family_term
    child = world.students[0]
    page.set_viewport_size(PHONE)
    login(page, "parent")
    page.goto(f"{live_server.url}{reverse('excusals:family')}")
    expect(page.get_by_role("heading", name="Your family", level=1)).to_be_visible()
    notice = page.get_by_role("region", name="Absences with no excusal")
    expect(notice.get_by_text("was marked absent on")).to_be_visible()
    assert_accessible(page, "on the family home")
    screenshot(page, "family-home-phone")
    # What a parent sees first, without scrolling.
    page.screenshot(path=str(screenshot(page, "family-home-phone-top")), full_page=False)

    # One click from the notice: the form comes with the child and the day filled in.
    notice.get_by_role("link", name="Send an excusal for this day").first.click()
    expect(page.get_by_role("heading", name="Send an excusal")).to_be_visible()
    expect(page.get_by_label(child.full_name)).to_be_checked()
    expect(page.get_by_label("First day away")).to_have_value(monday.isoformat())
    assert_accessible(page, "on the excusal form")
    screenshot(page, "family-excusal-new-phone")

    # Too long: the error sits beside the last day and what was typed stays.
    page.get_by_label("Last day away").fill((monday + timedelta(days=13)).isoformat())
    page.get_by_label("Reason").fill("Fever, at home with us")
    page.get_by_role("button", name="Send excusal").click()
    expect(page.get_by_text("An excusal must be between 1 and 12 days (is 14).")).to_be_visible()
    expect(page.get_by_label("Reason")).to_have_value("Fever, at home with us")
    assert_accessible(page, "on the excusal form with an error")
    screenshot(page, "family-excusal-error-phone")

    page.get_by_label("Last day away").fill((monday + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Send excusal").click()
    expect(page.get_by_text("Excusal sent for")).to_be_visible()
    expect(page.get_by_role("region", name="Absences with no excusal")).to_have_count(0)
    excusal = Excusal.objects.get(student=child, start_date=monday)
    assert excusal.end_date == monday + timedelta(days=1)

    # Change the last day and the reason.
    page.locator(f"a[href='{reverse('excusals:detail', args=[excusal.pk])}']").click()
    expect(page.get_by_role("heading", name=f"Excusal for {child.first_name}")).to_be_visible()
    assert_accessible(page, "on the excusal page")
    screenshot(page, "family-excusal-detail-phone")
    page.get_by_label("Last day away").fill((monday + timedelta(days=2)).isoformat())
    page.get_by_label("Reason").fill("Fever, back on Thursday")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Excusal changed")).to_be_visible()
    excusal.refresh_from_db()
    assert (excusal.end_date, excusal.comment) == (monday + timedelta(days=2), "Fever, back on Thursday")

    # Withdraw it, after a confirmation.
    page.get_by_role("link", name="Withdraw this excusal…").click()
    expect(page.get_by_role("heading", name="Withdraw this excusal?")).to_be_visible()
    assert_accessible(page, "on the withdraw confirmation")
    screenshot(page, "family-excusal-withdraw-phone")
    page.get_by_role("button", name="Yes, withdraw it").click()
    expect(page.get_by_text("Excusal withdrawn")).to_be_visible()
    assert not Excusal.objects.filter(pk=excusal.pk).exists()
    expect(page.get_by_role("region", name="Absences with no excusal")).to_be_visible()


def test_parent_reads_a_childs_page_and_moves_between_months(page, live_server, login, world, family_term):
    child = world.students[0]
    page.set_viewport_size(PHONE)
    login(page, "parent")
    page.goto(f"{live_server.url}{reverse('excusals:child', args=[child.pk])}")
    expect(page.get_by_role("heading", name=child.full_name)).to_be_visible()
    expect(page.get_by_text("“Missed the spelling test”")).to_be_visible()
    assert_accessible(page, "on a child's page")
    screenshot(page, "family-child-phone")
    this_month = family_term.replace(day=1)
    page.locator("a[rel=prev]").first.click()
    previous = (this_month - timedelta(days=1)).replace(day=1)
    expect(page.get_by_role("heading", name=previous.strftime("%B %Y"))).to_be_visible()
    assert_accessible(page, "on a child's page, previous month")


def test_office_reads_a_days_excusals_and_unexcused_absences(page, live_server, login, world, family_term):
    monday = family_term
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, "admin")
    page.goto(f"{live_server.url}{reverse('excusals:office')}")
    page.get_by_label("Date", exact=True).fill((monday - timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Dentist appointment")).to_be_visible()
    page.get_by_label("Date", exact=True).fill(monday.isoformat())
    page.get_by_role("button", name="Show").click()
    table = page.get_by_role("table", name=f"Absent marks on {monday:%-d %B %Y} that no excusal covers")
    expect(table.get_by_role("link", name="Open the homeroom roll")).to_be_visible()
    assert_accessible(page, "on the office excusals page")
    screenshot(page, "office-excusals")
    page.set_viewport_size(PHONE)
    assert_accessible(page, "on the office excusals page, phone")
    screenshot(page, "office-excusals-phone")
