"""Taking rolls in a real browser: taps, the keyboard, "everyone present", the page without
JavaScript, accessibility (axe-core) and screenshots at phone and laptop widths."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from apps.classes.models import ClassMark
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.excusals.models import Excusal
from apps.homeroom.models import DailyMark
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from tests import factories as f
from tests.browser.conftest import assert_accessible, screenshot

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture
def day(world):
    return f.last_weekday(world.school, 1)


@pytest.fixture
def roll(world, day, live_server):
    return f"{live_server.url}/classes/{world.english.pk}/roll/{day.isoformat()}/1/"


def class_marks(world, day, period=1):
    return {
        m.student_id: m.code.mb_status
        for m in ClassMark.objects.filter(school_class=world.english, date=day, period__number=period).select_related(
            "code"
        )
    }


def button(page, student, code):
    """A code's button on a student's row (a radio styled as a button: a change saves it)."""
    return page.locator(f"#s{student.pk} .codes label:has(input[value='{code.pk}'])")


def radio(page, student, code):
    return page.locator(f"#s{student.pk} input[type=radio][value='{code.pk}']")


def test_take_a_whole_roll_with_taps_on_a_phone(page, login, world, day, roll):
    page.set_viewport_size(PHONE)
    login(page, "teacher", next_path="/today/")
    page.goto(roll)
    s0, s1, s2 = world.students
    absent, present, late = f.code(world.school, 0), f.code(world.school, -1), f.code(world.school, 2)
    button(page, s0, absent).click()
    expect(button(page, s0, absent)).to_have_attribute("data-on", "")
    button(page, s1, present).click()
    expect(button(page, s1, present)).to_have_attribute("data-on", "")
    button(page, s2, late).click()
    expect(button(page, s2, late)).to_have_attribute("data-on", "")
    page.locator(f"input[name=s{s2.pk}-minutes]").fill("10")
    page.locator(f"input[name=s{s2.pk}-minutes]").press("Enter")
    expect(page.locator(f"#s{s2.pk} .saved")).to_have_text("Saved: L Late, 10 min late")
    expect(page.locator("#roll-counts")).to_contain_text("3 of 3")
    expect(page.locator("#roll-counts")).to_contain_text("Taken")
    assert class_marks(world, day) == {s0.pk: 0, s1.pk: -1, s2.pk: 2}
    assert ClassMark.objects.get(student=s2, date=day).minutes_late == 10
    assert set(ClassMark.objects.values_list("channel", flat=True)) == {"web"}
    screenshot(page, "roll-class-phone")


def test_take_a_whole_roll_with_the_keyboard(page, login, world, day, roll):
    page.set_viewport_size(LAPTOP)
    login(page, "teacher", next_path="/today/")
    page.goto(roll)
    s0, s1, s2 = world.students
    page.keyboard.press("j")  # to the first student
    expect(page.locator(f"#s{s0.pk}")).to_contain_text(s0.full_name)
    page.keyboard.press("1")  # Present, then on to the next student
    page.keyboard.press("a")  # Absent
    page.keyboard.press("3")  # Late
    expect(page.locator("#roll-counts")).to_contain_text("3 of 3")
    assert class_marks(world, day) == {s0.pk: -1, s1.pk: 0, s2.pk: 2}
    # Back to the first student (the last key stayed on the last row), one button right: Absent.
    page.keyboard.press("k")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    absent = f.code(world.school, 0)
    expect(button(page, s0, absent)).to_have_attribute("data-on", "")
    assert class_marks(world, day) == {s0.pk: 0, s1.pk: 0, s2.pk: 2}
    expect(radio(page, s0, absent)).to_be_focused()  # the keyboard stays where it was
    page.keyboard.press("ArrowRight")
    expect(radio(page, s0, f.code(world.school, 2))).to_be_focused()  # the arrows reach every code


def test_mark_everyone_present_in_one_click_with_hints_showing(page, login, world, day, roll):
    page.set_viewport_size(LAPTOP)
    s0, s1, s2 = world.students
    absent = f.code(world.school, 0)
    Excusal.objects.create(
        school=world.school, student=s0, parent=world.parent, start_date=day, end_date=day, comment="Dentist at 9"
    )
    f.saved(
        record_daily_marks(
            actor=None, school=world.school, channel="demo", marks=[DailyMarkInput(s1.pk, day, absent.pk)]
        )
    )
    login(page, "teacher", next_path="/today/")
    page.goto(roll)
    expect(page.get_by_text("“Dentist at 9”")).to_be_visible()
    expect(page.get_by_text("A Absent, pre-selected")).to_be_visible()
    assert_accessible(page, "on the class roll")
    screenshot(page, "roll-class-laptop")
    page.get_by_role("button", name=f"Apply excused to {s0.full_name}").click()
    expect(page.locator(f"#s{s0.pk} .saved")).to_have_text("Saved: E Excused")
    page.get_by_role("button", name="Mark everyone not yet marked present").click()
    expect(page.locator("#roll-counts")).to_contain_text("3 of 3")
    assert class_marks(world, day) == {s0.pk: 13, s1.pk: 0, s2.pk: -1}
    page.set_viewport_size(PHONE)
    screenshot(page, "roll-class-taken-phone")

    # The next lesson shows the earlier marks as hints.
    page.goto(roll.removesuffix("/1/") + "/3/")
    expect(page.locator(f"#s{s2.pk} .hint.previous")).to_contain_text("✓ Present in 7A English, Period 1")
    screenshot(page, "roll-class-next-lesson-phone")


def test_the_roll_works_without_javascript(browser, live_server, world, day, roll):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/today/")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(roll)
    s0, s1, s2 = world.students
    page.locator(f"#s{s0.pk} .codes label", has_text="Absent").click()
    page.locator(f"#s{s1.pk} .codes label", has_text="Late").first.click()
    page.locator(f"input[name=s{s1.pk}-minutes]").fill("4")
    screenshot(page, "roll-class-no-js-phone")
    page.get_by_role("button", name="Mark everyone not yet marked present").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved 3 marks.")
    assert class_marks(world, day) == {s0.pk: 0, s1.pk: 2, s2.pk: -1}
    assert ClassMark.objects.get(student=s1, date=day).minutes_late == 4
    # A real link back to the day, and the day's date picker, without JavaScript.
    page.get_by_role("link", name=day.strftime("← %A %-d %B")).click()
    page.get_by_label("Go to date").fill((day + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Go").click()
    assert f"date={(day + timedelta(days=1)).isoformat()}" in page.url
    context.close()


def test_the_homeroom_roll_and_today_in_a_browser(page, login, world, day, live_server):
    page.set_viewport_size(LAPTOP)
    f.saved(
        record_class_marks(
            actor=None,
            school=world.school,
            channel="demo",
            marks=[ClassMarkInput(world.english.pk, world.students[0].pk, day, 1, f.code(world.school, -1).pk)],
        )
    )
    login(page, "teacher", next_path="/today/")
    page.goto(f"{live_server.url}/today/?date={day.isoformat()}")
    expect(page.get_by_text("Partly taken, 1 of 3")).to_be_visible()
    assert_accessible(page, "on Today")
    screenshot(page, "today-laptop")
    page.set_viewport_size(PHONE)
    screenshot(page, "today-phone")

    page.get_by_role("link", name="Year 7").click()
    assert_accessible(page, "on the homeroom roll")
    s0, s1, s2 = world.students
    page.keyboard.press("j")
    page.keyboard.press("2")  # Absent
    button(page, s1, f.code(world.school, 2)).click()
    page.get_by_role("button", name="Mark everyone not yet marked present").click()
    expect(page.locator("#roll-counts")).to_contain_text("3 of 3")
    statuses = {m.student_id: m.code.mb_status for m in DailyMark.objects.filter(date=day).select_related("code")}
    assert statuses == {s0.pk: 0, s1.pk: 2, s2.pk: -1}
    screenshot(page, "roll-homeroom-phone")


def test_a_tap_that_cannot_save_says_so_and_the_next_save_clears_it(page, login, world, day, roll):
    """The student leaves the class while the roll is open: the tap is refused (404), the page
    says it was not saved for that student, and the row keeps showing what is really saved."""
    page.set_viewport_size(LAPTOP)
    login(page, "teacher", next_path="/today/")
    page.goto(roll)
    s0, s1, _ = world.students
    absent, present = f.code(world.school, 0), f.code(world.school, -1)
    expect(page.locator("#roll-problem")).to_be_hidden()
    world.english.enrollments.filter(student=s0).delete()

    button(page, s0, absent).click()
    problem = page.locator("#roll-problem")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text(f"Not saved for {s0.full_name}")
    expect(page.locator(f"#s{s0.pk}")).to_have_class("student k-unmarked save-failed")
    expect(page.locator(f"#s{s0.pk} .state-line")).to_have_text("Not marked")
    assert_accessible(page)
    screenshot(page, "roll-save-failed")

    button(page, s1, present).click()
    expect(button(page, s1, present)).to_have_attribute("data-on", "")
    expect(problem).to_be_hidden()
    assert class_marks(world, day) == {s1.pk: present.mb_status}
