"""The compact roll (issue 18): a class of 30 on a phone in three screens or fewer, one line per
student with the school's quick codes, the rest under "More"; filters, the find box, one
Present, clearing a mark and Late in one step; measured at 390×844 and 1280×800."""

import re
from types import SimpleNamespace
from urllib.parse import quote_plus

import pytest
from playwright.sync_api import expect

from apps.classes.models import ClassMark
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.school.models import Student
from tests import factories as f
from tests.browser.conftest import ARTIFACTS, assert_accessible, laid_out, screenshot

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
FIRST = ["Alexandra", "Mohammed", "Siobhán", "Christopher", "Oluwaseun"]
FIRST += ["Anastasia", "Li", "Gabriel", "Zoë", "Maximilian"]
LAST = ["Montgomery-Smith", "O'Sullivan", "Nguyen", "Kowalczyk", "Abernathy", "Fitzgerald"]


@pytest.fixture
def big_class(world):
    students = Student.objects.bulk_create(
        Student(
            school=world.school,
            first_name=FIRST[i % len(FIRST)],
            last_name=LAST[i % len(LAST)],
            student_number=f"B{i:04d}",
            year_group=world.year7,
        )
        for i in range(30)
    )
    return f.make_class(world.school, "9C Geography", [world.teacher], students, periods=(2,)), students


@pytest.fixture
def day(world):
    return f.last_weekday(world.school, 1)


def roll_of(live_server, school_class, day, period=2):
    return f"{live_server.url}/classes/{school_class.pk}/roll/{day.isoformat()}/{period}/"


def marks_of(school_class, day):
    return {
        m.student_id: m.code.mb_status
        for m in ClassMark.objects.filter(school_class=school_class, date=day).select_related("code")
    }


def small_targets(page) -> list[str]:
    """Every visible control on the roll smaller than 44×44 CSS px."""
    return laid_out(page).evaluate(
        """() => Array.from(document.querySelectorAll(
              '#roll .codes label, #roll button, #roll summary, #roll input:not([type=radio]):not([type=hidden]),'
              + ' .roll-filter label, .roll-filter input[type=search], .roll-filter button'))
            .filter(e => e.offsetParent !== null)
            .map(e => [e, e.getBoundingClientRect()])
            .filter(([e, r]) => r.width < 44 || r.height < 44)
            .map(([e, r]) => e.outerHTML.slice(0, 80) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))"""
    )


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_thirty_students_fit_three_screens(page, login, live_server, world, big_class, day, viewport):
    school_class, students = big_class
    page.set_viewport_size(viewport)
    login(page, "teacher", next_path="/today/")
    page.goto(roll_of(live_server, school_class, day))
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 2400, f"the roll is {height}px tall"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]  # no sideways scroll
    names_on_first_screen = page.evaluate(
        "() => Array.from(document.querySelectorAll('#roll-rows .name'))"
        f".filter(n => n.getBoundingClientRect().bottom <= {viewport['height']}).length"
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"roll-compact-first-screen-{viewport['width']}.png"))
    assert names_on_first_screen >= 8, names_on_first_screen
    assert small_targets(page) == []
    # One line per student: the name and the quick codes (Present, Absent, Late) side by side.
    row = page.locator(f"#s{students[0].pk}")
    assert row.locator(".line .codes label").all_inner_texts() == ["✓\nPresent", "A\nAbsent", "L\nLate"]
    assert row.locator(".line").bounding_box()["height"] < 70
    page.locator(f"#s{students[0].pk} summary").click()
    assert small_targets(page) == []
    assert_accessible(page, f"on the compact roll at {viewport['width']}px")
    screenshot(page, f"roll-compact-{viewport['width']}")


def test_quick_codes_and_more_save_with_a_tap(page, login, live_server, world, big_class, day):
    school_class, students = big_class
    page.set_viewport_size(PHONE)
    login(page, "teacher", next_path="/today/")
    page.goto(roll_of(live_server, school_class, day))
    s0, s1, s2 = students[:3]
    page.locator(f"#s{s0.pk} .line .codes label", has_text="Absent").click()
    expect(page.locator(f"#s{s0.pk}")).to_have_class("student is-marked k-absent")
    page.locator(f"#s{s1.pk} summary").click()
    page.locator(f"#s{s1.pk} .more .codes label", has_text="Health").click()
    expect(page.locator(f"#s{s1.pk} .saved")).to_have_text("Saved: H Health")
    page.locator(f"#s{s2.pk} .line .codes label", has_text="Present").click()
    expect(page.locator("#roll-counts")).to_contain_text("27 not marked")
    assert marks_of(school_class, day) == {s0.pk: 0, s1.pk: 10, s2.pk: -1}
    screenshot(page, "roll-compact-tapped-phone")


def test_a_school_chooses_its_quick_codes(page, login, live_server, world, big_class, day):
    school_class, students = big_class
    excused = f.code(world.school, 13)
    excused.quick = True
    excused.save()
    page.set_viewport_size(PHONE)
    login(page, "teacher", next_path="/today/")
    page.goto(roll_of(live_server, school_class, day))
    quick = page.locator(f"#s{students[0].pk} .line .codes label").all_inner_texts()
    assert quick == ["✓\nPresent", "A\nAbsent", "L\nLate", "E\nExcused"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert small_targets(page) == []


def test_the_compact_roll_saves_in_one_post_without_javascript(browser, live_server, world, big_class, day):
    school_class, students = big_class
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/today/")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(roll_of(live_server, school_class, day))
    s0, s1 = students[:2]
    requests = []
    page.on("request", lambda r: requests.append(r.method) if r.method == "POST" else None)
    page.locator(f"#s{s0.pk} .line .codes label", has_text="Absent").click()
    page.locator(f"#s{s1.pk} summary").click()
    page.locator(f"select[name=s{s1.pk}-more]").select_option(label="D Dismissed")  # a list without JS
    page.locator(f"input[name=s{s1.pk}-note]").fill("Sent home")
    page.get_by_role("button", name="Save roll").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved 2 marks.")
    assert requests == ["POST"]
    assert marks_of(school_class, day) == {s0.pk: 0, s1.pk: 5}
    screenshot(page, "roll-compact-no-js-phone")
    context.close()


def test_a_p_present_reads_as_present(page, login, live_server, world, big_class, day):
    """ManageBac's explicit P and the roll's default ✓ read as one Present; a save of the row
    keeps the P the API sent."""
    school_class, students = big_class
    f.saved(
        record_class_marks(
            actor=None,
            school=world.school,
            channel="managebac",
            marks=[ClassMarkInput(school_class.pk, students[0].pk, day, 2, f.code(world.school, 1).pk)],
        )
    )
    page.set_viewport_size(PHONE)
    login(page, "teacher", next_path="/today/")
    page.goto(roll_of(live_server, school_class, day))
    assert page.locator("#roll .codes label", has_text="Present").count() == 30  # one Present a row
    expect(page.locator(f"#s{students[0].pk} .saved")).to_have_text("Saved: ✓ Present")
    expect(page.locator("#roll-counts .tally")).to_have_text("✓ Present 1")
    page.get_by_role("button", name="Mark everyone not yet marked present").click()
    expect(page.locator("#roll-counts")).to_contain_text("30 of 30")
    expect(page.locator("#roll-counts .tally")).to_be_hidden()  # the bar shrinks to the counts
    assert marks_of(school_class, day)[students[0].pk] == 1


def minutes_of(school_class, day) -> dict[int, int | None]:
    return {m.student_id: m.minutes_late for m in ClassMark.objects.filter(school_class=school_class, date=day)}


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_late_in_one_step(page, login, live_server, world, big_class, day, viewport):
    """A tap on Late opens the minutes presets (5, 10, 15, or any number in the box) with the
    keyboard on the first one; one more tap saves the minutes."""
    school_class, students = big_class
    s0 = students[0]
    page.set_viewport_size(viewport)
    login(page, "teacher", next_path="/today/")
    page.goto(roll_of(live_server, school_class, day))
    row = page.locator(f"#s{s0.pk}")
    row.locator(".line .codes label", has_text="Late").click()
    presets = row.locator(".presets button")
    expect(presets.first).to_be_focused()
    assert presets.all_inner_texts() == ["5", "10", "15"]
    expect(row.get_by_label("Minutes late")).to_be_visible()  # any other number
    assert small_targets(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"roll-late-presets-{viewport['width']}")
    presets.nth(1).click()
    expect(row.locator(".saved")).to_have_text("Saved: L Late, 10 min late")
    assert minutes_of(school_class, day) == {s0.pk: 10}
    # Another number: typed in the box, saved with Enter.
    row.get_by_label("Minutes late").fill("25")
    row.get_by_label("Minutes late").press("Enter")
    expect(row.locator(".saved")).to_have_text("Saved: L Late, 25 min late")
    assert minutes_of(school_class, day) == {s0.pk: 25}


def test_late_by_keyboard_types_its_minutes(page, login, live_server, world, big_class, day):
    """`l` marks Late and waits on the minutes: digits type them, Enter saves them and moves on;
    Enter on the first preset is 5 minutes. In a text field the shortcut keys type."""
    school_class, _ = big_class
    page.set_viewport_size(LAPTOP)
    login(page, "teacher", next_path="/today/")
    page.goto(roll_of(live_server, school_class, day))
    # The first four rows, in the roll's order (by name).
    s0, s1, s2, s3 = (
        SimpleNamespace(pk=int(i[1:]))
        for i in page.locator("#roll-rows .student").evaluate_all("r => r.map(e => e.id)")[:4]
    )
    page.keyboard.press("j")  # the first student
    page.keyboard.press("l")
    expect(page.locator(f"#s{s0.pk} .presets button").first).to_be_focused()
    page.keyboard.type("12")
    minutes = page.locator(f"input[name=s{s0.pk}-minutes]")
    expect(minutes).to_be_focused()
    expect(minutes).to_have_value("12")
    page.keyboard.press("Enter")
    expect(page.locator(f"#s{s0.pk} .saved")).to_have_text("Saved: L Late, 12 min late")
    expect(page.locator(f"#s{s1.pk} .line input[type=radio]").first).to_be_focused()  # on to the next student
    page.keyboard.press("3")  # Late by its digit
    expect(page.locator(f"#s{s1.pk} .presets button").first).to_be_focused()
    page.keyboard.press("Enter")  # the first preset: 5 minutes
    expect(page.locator(f"#s{s1.pk} .saved")).to_have_text("Saved: L Late, 5 min late")
    page.keyboard.press("a")  # the next student, Absent
    expect(page.locator(f"#s{s2.pk} .saved")).to_have_text("Saved: A Absent")
    assert marks_of(school_class, day) == {s0.pk: 2, s1.pk: 2, s2.pk: 0}
    assert minutes_of(school_class, day) == {s0.pk: 12, s1.pk: 5, s2.pk: None}
    # In a note the keys type: no mark changes.
    page.locator(f"#s{s3.pk} summary").click()
    note = page.locator(f"input[name=s{s3.pk}-note]")
    note.click()
    page.keyboard.type("la1j")
    expect(note).to_have_value("la1j")
    expect(note).to_be_focused()
    assert s3.pk not in marks_of(school_class, day)


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_bar_shrinks_to_the_counts_and_opens_the_shortcuts(
    page, login, live_server, world, big_class, day, viewport
):
    school_class, students = big_class
    page.set_viewport_size(viewport)
    login(page, "teacher", next_path="/today/")
    page.goto(roll_of(live_server, school_class, day))
    bar = page.locator(".roll-bar")
    page.locator(f"#s{students[0].pk} .line .codes label", has_text="Absent").click()
    expect(page.locator("#roll-counts")).to_contain_text("29 not marked")
    before = bar.bounding_box()["height"]
    page.get_by_role("button", name="Mark everyone not yet marked present").click()
    expect(page.locator("#roll-counts")).to_contain_text("30 of 30")
    expect(page.get_by_role("button", name="Mark everyone not yet marked present")).to_be_hidden()
    expect(bar.locator(".tally")).to_be_hidden()
    expect(bar.locator("#roll-counts .progress")).to_be_visible()
    after = bar.bounding_box()["height"]
    assert after < before and after <= 0.08 * viewport["height"], (before, after)
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert abs(bar.bounding_box()["y"]) < 1  # still at the top of the screen, at the bottom of the roll
    screenshot(page, f"roll-bar-taken-{viewport['width']}")
    shortcuts = bar.locator("details.keys")
    if viewport is PHONE:
        expect(shortcuts).to_be_hidden()  # a phone has no keyboard to list
        return
    shortcuts.locator("summary").click()  # from the bar, wherever the roll is scrolled
    expect(shortcuts.locator("dl")).to_be_visible()
    assert shortcuts.locator("dl").bounding_box()["y"] < viewport["height"]
    expect(shortcuts).to_contain_text("next student")
    expect(shortcuts).to_contain_text("After Latetype the minutes, then Enter; Enter alone is 5")
    screenshot(page, f"roll-bar-shortcuts-{viewport['width']}")


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_absentees_stand_out_and_the_filter_and_find_box_narrow_the_roll(
    browser, live_server, world, big_class, day, viewport, javascript
):
    """A marked row shows its code's colour and letter, absences most strongly; Show and Find a
    student narrow the roll, with or without JavaScript."""
    school_class, students = big_class
    absent, late = students[0], students[1]
    f.saved(
        record_class_marks(
            actor=None,
            school=world.school,
            channel="demo",
            marks=[
                ClassMarkInput(school_class.pk, absent.pk, day, 2, f.code(world.school, 0).pk),
                ClassMarkInput(school_class.pk, late.pk, day, 2, f.code(world.school, 2).pk),
            ],
        )
    )
    context = browser.new_context(java_script_enabled=javascript, viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/today/")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(roll_of(live_server, school_class, day))
    expect(page.locator("#roll-counts")).to_contain_text("28 not marked")
    absent_row, late_row = page.locator(f"#s{absent.pk}"), page.locator(f"#s{late.pk}")
    expect(absent_row.locator(".saved")).to_have_text("Saved: A Absent")
    expect(late_row.locator(".saved")).to_have_text("Saved: L Late")
    # The absent row: tinted and edged in Absent's red, ten pixels wide; an unmarked row is neither.
    style = absent_row.evaluate(
        "r => { const s = getComputedStyle(r); return [s.borderLeftColor, s.borderLeftWidth, s.backgroundColor]; }"
    )
    assert style == ["rgb(185, 28, 28)", "10px", "rgb(254, 242, 242)"], style
    unmarked = page.locator(f"#s{students[2].pk}").evaluate("r => getComputedStyle(r).borderLeftWidth")
    assert unmarked != "10px"

    page.get_by_label("Absent and late").check()
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#roll-rows .student")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"roll-absent-and-late-{viewport['width']}{'' if javascript else '-no-js'}")
    page.get_by_label("Not marked").check()
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#roll-rows .student")).to_have_count(28)
    page.get_by_label("All").check()
    fragment = late.last_name[:5].lower()
    page.get_by_placeholder("Find a student").fill(fragment)
    page.get_by_role("button", name="Show").click()
    # Show submits the form: wait for the found page before reading its names.
    expect(page).to_have_url(re.compile(rf"[?&]q={re.escape(quote_plus(fragment))}(&|$)"))
    expect(page.locator("#roll-rows .name").first).to_contain_text(late.last_name)
    names = page.locator("#roll-rows .name").all_inner_texts()
    assert names and all(late.last_name in name for name in names), names
    assert small_targets(page) == []
    if javascript:  # axe runs as a script in the page: the same rows are checked with it on
        assert_accessible(page, f"on the found rows at {viewport['width']}px")
    context.close()
