"""The class roll page: who may open it, what the teacher sees, taps through HTMX, the whole
form without JavaScript, the edit window, conflicts and constant query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark, Enrollment
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.excusals.models import Excusal
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from tests import factories as f

HTMX = {"HTTP_HX_REQUEST": "true"}


def monday(world):
    return f.last_weekday(world.school, 1)


def roll_url(world, day=None, period=1, school_class=None):
    school_class = school_class or world.english
    return reverse("classes:roll", args=[school_class.pk, (day or monday(world)).isoformat(), period])


def student_url(world, student, day=None, period=1):
    day = day or monday(world)
    return reverse("classes:roll_student", args=[world.english.pk, day.isoformat(), period, student.pk])


def all_present_url(world, day=None, period=1):
    return reverse("classes:roll_all_present", args=[world.english.pk, (day or monday(world)).isoformat(), period])


def marks(world, day=None, period=1):
    day = day or monday(world)
    return {
        m.student_id: m
        for m in ClassMark.objects.filter(school_class=world.english, date=day, period__number=period).select_related(
            "code"
        )
    }


# --- what the page shows --------------------------------------------------------------------------


def test_the_roll_lists_enrolled_students_with_a_button_per_enabled_code(client, world, teacher):
    client.force_login(teacher)
    response = client.get(roll_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    for student in world.students:
        assert student.full_name in html
        assert f'<span class="avatar" aria-hidden="true">{student.initials}</span>' in html
    absent = f.code(world.school, 0)
    assert f'name="s{world.students[0].pk}-code" value="{absent.pk}"' in html
    assert "Custom 1" not in html  # disabled codes have no button
    assert html.count('data-on=""') == 0
    assert "0 of 3" in html and "Not taken" in html
    assert "Keyboard shortcuts" in html


def test_archived_and_not_yet_enrolled_students_are_not_on_the_roll(client, world, teacher):
    day = monday(world)
    archived, late_joiner = world.students[1], world.students[2]
    archived.archived = True
    archived.save()
    Enrollment.objects.filter(student=late_joiner, school_class=world.english).update(
        start_date=day + timedelta(days=1)
    )
    client.force_login(teacher)
    html = client.get(roll_url(world)).content.decode()
    assert world.students[0].full_name in html
    assert archived.full_name not in html and late_joiner.full_name not in html
    assert "0 of 1" in html


def test_saved_marks_are_pressed_and_counted(client, world, teacher):
    day = monday(world)
    late = f.code(world.school, 2)
    f.saved(
        record_class_marks(
            actor=teacher,
            school=world.school,
            channel="web",
            marks=[ClassMarkInput(world.english.pk, world.students[0].pk, day, 1, late.pk, minutes_late=7, note="bus")],
        )
    )
    client.force_login(teacher)
    html = client.get(roll_url(world)).content.decode()
    assert html.count('data-on=""') == 1
    assert f'data-on=""><input type="radio" name="s{world.students[0].pk}-code" value="{late.pk}" checked' in html
    assert "Saved: L Late, 7 min late" in html
    assert 'value="bus"' in html and 'value="7"' in html
    assert "1 of 3" in html and "Partly taken, 1 of 3" in html


def test_an_excusal_shows_with_its_comment_and_one_click_applies_excused(client, world, teacher):
    day = monday(world)
    student = world.students[0]
    Excusal.objects.create(
        school=world.school, student=student, parent=world.parent, start_date=day, end_date=day, comment="Dentist"
    )
    client.force_login(teacher)
    html = client.get(roll_url(world)).content.decode()
    assert "Excused</span>" in html and "“Dentist”" in html
    assert f'aria-label="Apply excused to {student.full_name}"' in html

    excused = f.code(world.school, 13)
    response = client.post(student_url(world, student), {"code": excused.pk, "excuse": student.pk}, **HTMX)
    assert response.status_code == 200
    assert marks(world)[student.pk].code == excused
    assert "Apply excused" not in response.content.decode()  # done: no button any more


def test_absent_in_homeroom_arrives_pre_selected_but_unsaved(client, world, teacher):
    day = monday(world)
    student = world.students[1]
    absent = f.code(world.school, 0)
    f.saved(
        record_daily_marks(
            actor=teacher, school=world.school, channel="web", marks=[DailyMarkInput(student.pk, day, absent.pk)]
        )
    )
    client.force_login(teacher)
    html = client.get(roll_url(world)).content.decode()
    assert "From homeroom</span> A Absent, pre-selected" in html
    assert f'name="s{student.pk}-code" value="{absent.pk}" checked' in html
    assert f'data-suggested=""><input type="radio" name="s{student.pk}-code" value="{absent.pk}" checked' in html
    assert marks(world) == {}  # a suggestion is not a mark until the teacher saves it


def test_a_present_homeroom_mark_suggests_nothing(client, world, teacher):
    day = monday(world)
    f.saved(
        record_daily_marks(
            actor=teacher,
            school=world.school,
            channel="web",
            marks=[DailyMarkInput(world.students[1].pk, day, f.code(world.school, -1).pk)],
        )
    )
    client.force_login(teacher)
    assert "From homeroom" not in client.get(roll_url(world)).content.decode()


def test_the_previous_lesson_that_day_is_a_hint(client, world, teacher, admin):
    day = monday(world)
    student = world.students[2]
    late = f.code(world.school, 2)
    f.saved(
        record_class_marks(
            actor=admin,
            school=world.school,
            channel="web",
            marks=[ClassMarkInput(world.english.pk, student.pk, day, 1, late.pk)],
        )
    )
    client.force_login(teacher)
    html = client.get(roll_url(world, period=3)).content.decode()
    assert "Earlier today</span> L Late in 7A English, Period 1" in html
    assert "Earlier today" not in client.get(roll_url(world, period=1)).content.decode()


def test_period_labels_follow_count_from_zero(client, world, teacher):
    world.school.periods_from_zero = True
    world.school.save()
    client.force_login(teacher)
    html = client.get(roll_url(world, period=3)).content.decode()
    assert "Period 2 (10:30–11:20)" in html


# --- a tap through HTMX -----------------------------------------------------------------------------


def test_a_tap_saves_at_once_and_returns_the_row_and_the_counts(client, world, teacher):
    student = world.students[0]
    absent = f.code(world.school, 0)
    client.force_login(teacher)
    response = client.post(student_url(world, student), {"code": absent.pk}, **HTMX)
    assert response.status_code == 200
    mark = marks(world)[student.pk]
    assert (mark.code, mark.channel, mark.recorded_by) == (absent, "web", teacher)
    html = response.content.decode()
    assert html.startswith(f'<li class="student is-marked k-absent" id="s{student.pk}"')
    assert f'data-on=""><input type="radio" name="s{student.pk}-code" value="{absent.pk}" checked' in html
    counts = '<div id="roll-counts" class="roll-counts" role="status" data-state="partly_taken" hx-swap-oob="true">'
    assert counts in html
    assert "<strong>1 of 3</strong>" in html
    assert "<html" not in html
    assert AuditEntry.objects.filter(mark_id=mark.pk, channel="web").count() == 1


def test_a_tap_keeps_note_and_minutes_late(client, world, teacher):
    student = world.students[0]
    late = f.code(world.school, 2)
    client.force_login(teacher)
    client.post(
        student_url(world, student),
        {"code": late.pk, f"s{student.pk}-note": " missed the bus ", f"s{student.pk}-minutes": "12"},
        **HTMX,
    )
    mark = marks(world)[student.pk]
    assert (mark.code, mark.note, mark.minutes_late) == (late, "missed the bus", 12)
    # A changed note alone (the note field's own request) keeps the code.
    client.post(
        student_url(world, student),
        {f"s{student.pk}-code": late.pk, f"s{student.pk}-note": "bus", f"s{student.pk}-minutes": "12"},
        **HTMX,
    )
    mark = marks(world)[student.pk]
    assert (mark.code, mark.note, mark.minutes_late) == (late, "bus", 12)


def test_errors_of_an_item_are_shown_beside_the_student(client, world, teacher):
    student = world.students[0]
    late = f.code(world.school, 2)
    client.force_login(teacher)
    response = client.post(student_url(world, student), {"code": late.pk, f"s{student.pk}-minutes": "900"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="errorlist" role="alert"' in html and "Minutes late must be between 0 and 600" in html
    assert marks(world) == {}
    response = client.post(student_url(world, student), {"code": "absent"}, **HTMX)
    assert "Mark must be a whole number" in response.content.decode()
    disabled = f.code(world.school, 15)
    response = client.post(student_url(world, student), {"code": disabled.pk}, **HTMX)
    assert "Custom 1 is not enabled in this school" in response.content.decode()
    assert marks(world) == {}


def test_a_note_without_a_mark_asks_for_a_mark(client, world, teacher):
    student = world.students[0]
    client.force_login(teacher)
    response = client.post(student_url(world, student), {f"s{student.pk}-note": "sick bay"}, **HTMX)
    assert "Mark is needed before a note can be saved" in response.content.decode()
    assert marks(world) == {}


def test_a_plain_tap_without_htmx_redirects_back_to_the_student(client, world, teacher):
    student = world.students[0]
    client.force_login(teacher)
    response = client.post(student_url(world, student), {"code": f.code(world.school, 0).pk})
    assert response.status_code == 302
    assert response["Location"] == roll_url(world) + f"#s{student.pk}"
    assert student.pk in marks(world)


def test_a_student_not_on_the_roll_is_404(client, world, teacher):
    client.force_login(teacher)
    outsider = world.year8_students[0]
    response = client.post(student_url(world, outsider), {"code": f.code(world.school, 0).pk}, **HTMX)
    assert response.status_code == 404
    assert marks(world) == {}


# --- everyone else present ---------------------------------------------------------------------------


def test_mark_all_present_fills_only_the_unmarked_with_the_default_present_code(client, world, teacher):
    day = monday(world)
    absent, present = f.code(world.school, 0), f.code(world.school, -1)
    s0, s1, s2 = world.students
    f.saved(
        record_class_marks(
            actor=teacher,
            school=world.school,
            channel="web",
            marks=[ClassMarkInput(world.english.pk, s0.pk, day, 1, absent.pk)],
        )
    )
    f.saved(
        record_daily_marks(
            actor=teacher, school=world.school, channel="web", marks=[DailyMarkInput(s1.pk, day, absent.pk)]
        )
    )
    client.force_login(teacher)
    response = client.post(all_present_url(world), **HTMX)
    assert response.status_code == 200
    saved = marks(world)
    assert saved[s0.pk].code == absent  # kept
    assert saved[s1.pk].code == absent  # the homeroom absence, as pre-selected
    assert saved[s2.pk].code == present
    assert present.mb_status == -1
    html = response.content.decode()
    assert html.startswith('<ol id="roll-rows"') and "<strong>3 of 3</strong>" in html and "Taken" in html


def test_mark_all_present_without_htmx_redirects_with_a_message(client, world, teacher):
    client.force_login(teacher)
    response = client.post(all_present_url(world), follow=True)
    assert response.redirect_chain == [(roll_url(world), 302)]
    assert "Saved 3 marks." in response.content.decode()
    assert {m.code.mb_status for m in marks(world).values()} == {-1}


# --- the page without JavaScript: the whole form in one POST ------------------------------------------


def form_of(world, day=None, period=1, **choices):
    """The roll form as the browser would send it: each student's radio, note, minutes and was."""
    data = {}
    for student in world.students:
        data[f"s{student.pk}-was"] = "::"
        data[f"s{student.pk}-note"] = ""
        data[f"s{student.pk}-minutes"] = ""
    data.update(choices)
    return data


def test_the_whole_roll_saves_in_one_post_and_redirects_with_a_message(client, world, teacher):
    s0, s1, s2 = world.students
    present, absent, late = f.code(world.school, -1), f.code(world.school, 0), f.code(world.school, 2)
    client.force_login(teacher)
    data = form_of(
        world,
        **{
            f"s{s0.pk}-code": present.pk,
            f"s{s1.pk}-code": absent.pk,
            f"s{s1.pk}-note": "flu",
            f"s{s2.pk}-code": late.pk,
            f"s{s2.pk}-minutes": "5",
        },
    )
    response = client.post(roll_url(world), data, follow=True)
    assert response.redirect_chain == [(roll_url(world), 302)]
    assert "Saved 3 marks." in response.content.decode()
    saved = marks(world)
    assert saved[s0.pk].code == present
    assert (saved[s1.pk].code, saved[s1.pk].note) == (absent, "flu")
    assert (saved[s2.pk].code, saved[s2.pk].minutes_late) == (late, 5)
    assert {m.channel for m in saved.values()} == {"web"}
    assert AuditEntry.objects.filter(channel="web").count() == 3


def test_the_whole_roll_leaves_untouched_students_alone(client, world, teacher, other_teacher, admin):
    """Teacher opens the form; an admin marks a student meanwhile; teacher saves without touching
    that student: the admin's mark stays."""
    day = monday(world)
    s0, s1, _ = world.students
    present, absent = f.code(world.school, -1), f.code(world.school, 0)
    f.saved(
        record_class_marks(
            actor=teacher,
            school=world.school,
            channel="web",
            marks=[ClassMarkInput(world.english.pk, s1.pk, day, 1, present.pk)],
        )
    )
    seen = f"{present.pk}::"
    f.saved(
        record_class_marks(
            actor=admin,
            school=world.school,
            channel="web",
            marks=[ClassMarkInput(world.english.pk, s1.pk, day, 1, absent.pk)],
        )
    )
    client.force_login(teacher)
    data = form_of(world, **{f"s{s0.pk}-code": present.pk, f"s{s1.pk}-code": present.pk, f"s{s1.pk}-was": seen})
    client.post(roll_url(world), data)
    saved = marks(world)
    assert saved[s0.pk].code == present
    assert saved[s1.pk].code == absent


def test_the_form_buttons_mark_the_rest_present_and_apply_excused(client, world, teacher):
    s0, s1, s2 = world.students
    absent = f.code(world.school, 0)
    client.force_login(teacher)
    data = form_of(world, action="all_present", **{f"s{s0.pk}-code": absent.pk})
    client.post(roll_url(world), data)
    saved = marks(world)
    assert saved[s0.pk].code == absent
    assert saved[s1.pk].code.mb_status == -1 and saved[s2.pk].code.mb_status == -1

    Excusal.objects.create(
        school=world.school, student=s2, parent=world.parent, start_date=monday(world), end_date=monday(world)
    )
    data = form_of(world, excuse=str(s2.pk))
    for student in world.students:
        data[f"s{student.pk}-code"] = saved[student.pk].code_id
        data[f"s{student.pk}-was"] = f"{saved[student.pk].code_id}::"
    client.post(roll_url(world), data)
    assert marks(world)[s2.pk].code.mb_status == 13


def test_a_whole_roll_with_errors_is_shown_again_with_them(client, world, teacher):
    s0, s1, _ = world.students
    present, late = f.code(world.school, -1), f.code(world.school, 2)
    client.force_login(teacher)
    data = form_of(world, **{f"s{s0.pk}-code": present.pk, f"s{s1.pk}-code": late.pk, f"s{s1.pk}-minutes": "lots"})
    response = client.post(roll_url(world), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Some marks were not saved" in html
    assert "Minutes late must be a whole number" in html
    assert f'name="s{s1.pk}-code" value="{late.pk}" data-late checked' not in html  # attribute order
    assert f'name="s{s1.pk}-code" value="{late.pk}" checked data-late' in html  # the choice is kept
    assert marks(world)[s0.pk].code == present  # the good rows are saved
    assert s1.pk not in marks(world)


# --- the edit window ------------------------------------------------------------------------------


def old_day(world):
    return f.last_weekday(
        world.school, 1, before=world.school.today() - timedelta(days=world.school.teacher_edit_days + 1)
    )


def test_older_rolls_are_read_only_for_teachers(client, world, teacher):
    day = old_day(world)
    client.force_login(teacher)
    html = client.get(roll_url(world, day=day)).content.decode()
    assert "Read only." in html and '<fieldset class="codes" disabled>' in html
    assert "Mark everyone not yet marked present" not in html
    student = world.students[0]
    absent = f.code(world.school, 0)
    response = client.post(student_url(world, student, day=day), {"code": absent.pk}, **HTMX)
    assert "only an admin can change this roll" in response.content.decode()
    client.post(all_present_url(world, day=day), **HTMX)
    client.post(roll_url(world, day=day), form_of(world, **{f"s{student.pk}-code": absent.pk}))
    assert marks(world, day=day) == {}


def test_admins_may_edit_older_rolls(client, world, admin):
    day = old_day(world)
    client.force_login(admin)
    html = client.get(roll_url(world, day=day)).content.decode()
    assert "Read only." not in html and '<fieldset class="codes" disabled>' not in html
    student = world.students[0]
    client.post(student_url(world, student, day=day), {"code": f.code(world.school, 0).pk}, **HTMX)
    assert student.pk in marks(world, day=day)


def test_the_last_editable_day_is_still_editable(client, world, teacher):
    day = world.school.today() - timedelta(days=world.school.teacher_edit_days)
    world.english.slots.all().delete()  # no timetable: any day and period is a lesson
    client.force_login(teacher)
    assert "Read only." not in client.get(roll_url(world, day=day)).content.decode()


# --- meetings that do not exist ----------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01", "2026-02-30", "20261123"])
def test_bad_dates_are_404(client, world, teacher, bad):
    client.force_login(teacher)
    assert client.get(f"/classes/{world.english.pk}/roll/{bad}/1/").status_code == 404


def test_a_period_the_class_does_not_meet_is_a_clear_404(client, world, teacher):
    client.force_login(teacher)
    response = client.get(roll_url(world, period=2))
    assert response.status_code == 404
    html = response.content.decode()
    assert "7A English does not meet in Period 2" in html
    assert roll_url(world, period=1) in html and roll_url(world, period=3) in html
    assert client.get(roll_url(world, period=99)).status_code == 404
    saturday = f.last_weekday(world.school, 6)
    response = client.get(roll_url(world, day=saturday))
    assert response.status_code == 404 and "It has no lessons on that day." in response.content.decode()
    tap = client.post(student_url(world, world.students[0], period=2), {"code": f.code(world.school, 0).pk}, **HTMX)
    assert tap.status_code == 404


def test_a_date_outside_the_class_is_a_clear_404(client, world, teacher):
    client.force_login(teacher)
    day = f.last_weekday(world.school, 1, before=world.english.start_date - timedelta(days=1))
    response = client.get(roll_url(world, day=day))
    assert response.status_code == 404
    assert "outside the class's dates" in response.content.decode()


# --- conflicts ------------------------------------------------------------------------------------


def test_two_people_saving_the_same_student_leave_one_mark_and_two_audit_entries(client, world, teacher, admin):
    from django.test import Client

    student = world.students[0]
    absent, late = f.code(world.school, 0), f.code(world.school, 2)
    client.force_login(teacher)
    colleague = Client()
    colleague.force_login(admin)
    first = client.post(student_url(world, student), {"code": absent.pk}, **HTMX)
    second = colleague.post(student_url(world, student), {"code": late.pk}, **HTMX)
    assert first.status_code == second.status_code == 200
    assert "errorlist" not in first.content.decode() + second.content.decode()
    assert ClassMark.objects.filter(student=student).count() == 1
    assert marks(world)[student.pk].code == late  # the last write
    entries = AuditEntry.objects.filter(key__student_id=student.pk).order_by("pk")
    assert [(e.changed_by, e.after["code_id"]) for e in entries] == [(teacher, absent.pk), (admin, late.pk)]


# --- who may open it ------------------------------------------------------------------------------


def actions(world):
    """Every URL of the class roll, with the method and data each expects."""
    student = world.students[0]
    code = f.code(world.school, 0).pk
    return [
        ("get", roll_url(world), {}),
        ("post", roll_url(world), {f"s{student.pk}-code": code}),
        ("post", student_url(world, student), {"code": code}),
        ("post", all_present_url(world), {}),
    ]


@pytest.mark.parametrize("role", ["other_teacher", "parent", "other_parent", "other_school_admin"])
def test_other_people_get_404_on_every_action(client, world, role, request):
    client.force_login(request.getfixturevalue(role))
    for method, url, data in actions(world):
        response = getattr(client, method)(url, data, **HTMX)
        assert response.status_code == 404, (role, method, url)
    assert not ClassMark.objects.exists()


def test_anonymous_is_sent_to_sign_in_on_every_action(client, world):
    for method, url, data in actions(world):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    assert not ClassMark.objects.exists()


def test_an_admin_may_open_and_mark_any_roll_of_their_school(client, world, admin):
    client.force_login(admin)
    for method, url, data in actions(world):
        response = getattr(client, method)(url, data, **HTMX)
        assert response.status_code in {200, 302}, (method, url)
    assert len(marks(world)) == 3
    science = reverse("classes:roll", args=[world.science.pk, monday(world).isoformat(), 2])
    assert client.get(science).status_code == 200


def test_a_teacher_cannot_open_a_colleagues_class(client, world, teacher):
    client.force_login(teacher)
    science = reverse("classes:roll", args=[world.science.pk, monday(world).isoformat(), 2])
    assert client.get(science).status_code == 404


# --- query counts ---------------------------------------------------------------------------------


def class_of(world, size):
    students = f.make_students(world.school, size, world.year7, prefix=f"Q{size}")
    school_class = f.make_class(world.school, f"Class of {size}", [world.teacher], students)
    day = monday(world)
    absent = f.code(world.school, 0)
    # Every hint present for every student: marks, excusals, homeroom and an earlier lesson.
    f.saved(
        record_class_marks(
            actor=None,
            school=world.school,
            channel="demo",
            marks=[ClassMarkInput(school_class.pk, s.pk, day, 1, absent.pk) for s in students],
        )
    )
    f.saved(
        record_daily_marks(
            actor=None,
            school=world.school,
            channel="demo",
            marks=[DailyMarkInput(s.pk, day, absent.pk) for s in students],
        )
    )
    Excusal.objects.bulk_create(
        Excusal(school=world.school, student=s, parent=world.parent, start_date=day, end_date=day, comment="ill")
        for s in students
    )
    return school_class, students


@pytest.mark.parametrize("size", [3, 30])
def test_the_roll_page_and_a_tap_cost_the_same_queries_whatever_the_size(
    client, world, teacher, size, django_assert_num_queries, django_assert_max_num_queries, write_lock_queries
):
    school_class, students = class_of(world, size)
    day = monday(world).isoformat()
    client.force_login(teacher)
    url = reverse("classes:roll", args=[school_class.pk, day, 3])
    # The session and its user, and the roll's rows with their marks (apps/classes/tapped.py); the
    # first page after a change of the school's set-up reads its periods, timetable and codes too.
    with django_assert_num_queries(5):
        client.get(url)
    with django_assert_num_queries(2):
        response = client.get(url)
    assert response.content.decode().count("Earlier today") == size
    tap = reverse("classes:roll_student", args=[school_class.pk, day, 3, students[-1].pk])
    code = f.code(world.school, -1).pk
    # The session, the row with its marks, the locking read, the upsert, the audit entry, and the
    # 2 statements that recompute the term counts of the mark it changed.
    with django_assert_num_queries(7 + write_lock_queries):
        response = client.post(tap, {"code": code}, **HTMX)
    assert "errorlist" not in response.content.decode()
    everyone = reverse("classes:roll_all_present", args=[school_class.pk, day, 3])
    with django_assert_max_num_queries(16 + write_lock_queries):
        client.post(everyone, **HTMX)
    assert ClassMark.objects.filter(school_class=school_class, period__number=3).count() == size


def test_a_taps_counts_are_the_rolls_after_it(client, world, teacher):
    """Read with the row before the save, moved by what the tap saved: the same as reading them
    after it (class_roll_counts)."""
    from apps.classes.selectors import class_meeting_period, class_roll_counts

    client.force_login(teacher)
    absent, present = f.code(world.school, 0), f.code(world.school, -1)
    first, second = world.students[:2]
    day = monday(world)
    # Another student's mark, saved elsewhere: counted too.
    f.saved(
        record_class_marks(
            actor=teacher,
            school=world.school,
            channel="web",
            marks=[ClassMarkInput(world.english.pk, world.students[2].pk, day, 1, absent.pk)],
        )
    )
    for student, code in [(first, absent), (first, present), (second, present), (second, present)]:
        html = client.post(student_url(world, student), {"code": code.pk}, **HTMX).content.decode()
        expected = class_roll_counts(world.english, day, class_meeting_period(world.english, day, 1))
        assert f"<strong>{expected.marked} of {expected.total}</strong>" in html
        for shown, count in expected.counts:
            assert f"{shown.label} <strong>{count}</strong>" in html
    assert expected.marked == 3 and {c.pk: n for c, n in expected.counts} == {absent.pk: 1, present.pk: 2}
