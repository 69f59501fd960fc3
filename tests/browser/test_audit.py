"""The audit page on a phone, with a change of every kind: it reads without sideways scrolling
(the wide table scrolls in its own region), passes axe-core, and filters by what changed
without JavaScript."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.api.services import api_client_issue
from apps.excusals.services import excusal_create
from apps.reports import services
from apps.school.models import Term
from tests import factories as f
from tests.browser.conftest import assert_accessible, screenshot

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def changes(world, admin, parent):
    monday = f.last_weekday(world.school, 1)
    child = world.students[0]
    excusal_create(actor=parent, student=child, parent=world.parent, start_date=monday, end_date=monday, comment="Ill")
    late = f.code(world.school, 2)
    services.adjustment_create(
        actor=admin,
        school=world.school,
        student=child,
        term=Term.objects.filter(school=world.school).first(),
        code=late,
        adjustment=2,
        reason="Trip week",
    )
    services.attendance_code_update(
        actor=admin,
        code=late,
        label="Tardy",
        abbreviation=late.abbreviation,
        kind=late.kind,
        presence=late.presence,
        colour=late.colour,
        enabled=True,
    )
    services.school_settings_update(
        actor=admin,
        school=world.school,
        teacher_edit_days=2,
        attendance_in_sis=True,
        periods_from_zero=False,
        timezone="Europe/London",
    )
    api_client_issue(actor=admin, channel="web", name="Timetable sync", user=admin, scopes=["read:attendance"])


def test_the_audit_page_on_a_phone_shows_and_filters_every_kind_of_change(page, live_server, login, changes):
    page.set_viewport_size(PHONE)
    login(page, "admin")
    page.goto(f"{live_server.url}{reverse('reports:audit')}")
    table = page.get_by_role("table", name="Changes of marks and of what else moves a figure")
    for what in ("Excusal", "Term adjustment, Term 1", "Attendance code L Tardy", "School settings"):
        expect(table.get_by_role("cell", name=what, exact=False).first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page, "on the audit page with every kind of change")
    screenshot(page, "reports-audit-changes-phone")

    page.get_by_label("What changed").select_option("School settings")
    page.get_by_role("button", name="Show").click()
    rows = page.get_by_role("table", name="Changes of marks and of what else moves a figure").get_by_role("row")
    expect(rows).to_have_count(2)  # the header and the one change of the settings
    assert "Time zone: Europe/London" in rows.nth(1).inner_text()
