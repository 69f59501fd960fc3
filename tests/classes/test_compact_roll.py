"""The compact roll's server side (issue 18): the page's weight, the filter and find box,
clearing a mark through the write path, and one Present in the counts."""

import pytest
from django.conf import settings
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.school.models import Student
from tests import factories as f

HTMX = {"HTTP_HX_REQUEST": "true"}
MAX_ROLL_BYTES = 50_000


@pytest.fixture
def day(world):
    return f.last_weekday(world.school, 1)


@pytest.fixture
def thirty(world):
    students = Student.objects.bulk_create(
        Student(
            school=world.school,
            first_name=f"Alexandra{i:02d}",
            last_name="Montgomery-Smith",
            student_number=f"T{i:04d}",
            year_group=world.year7,
        )
        for i in range(30)
    )
    return f.make_class(world.school, "9C Geography", [world.teacher], students, periods=(2,)), students


def url_of(school_class, day, period=2):
    return reverse("classes:roll", args=[school_class.pk, day.isoformat(), period])


def mark(world, school_class, student, day, status, note=""):
    f.saved(
        record_class_marks(
            actor=None,
            school=world.school,
            channel="demo",
            marks=[ClassMarkInput(school_class.pk, student.pk, day, 2, f.code(world.school, status).pk, note=note)],
        )
    )


def test_the_thirty_student_roll_page_is_at_most_50_kb(client, world, teacher, thirty, day):
    school_class, students = thirty
    for student, status in zip(students[:10], [0, 2, -1, 1, 13, 10, 3, 5, 11, 14], strict=True):
        mark(world, school_class, student, day, status, note="A note for the office")
    client.force_login(teacher)
    response = client.get(url_of(school_class, day))
    assert response.status_code == 200
    size = len(response.content)
    print(f"30-student roll page: {size} bytes")  # recorded in BENCHMARK.md
    assert size <= MAX_ROLL_BYTES, f"{size} bytes"
    html = response.content.decode()
    assert html.count('-code" value="') == 30 * 3  # the quick codes
    # The other codes but P, and the header's language selector.
    assert html.count("<option value=") == 30 * 8 + len(settings.LANGUAGES)


def test_the_filter_shows_the_unmarked_or_the_absent_and_late(client, world, teacher, thirty, day):
    school_class, students = thirty
    mark(world, school_class, students[0], day, 0)  # absent
    mark(world, school_class, students[1], day, 2)  # late
    mark(world, school_class, students[2], day, -1)  # present
    mark(world, school_class, students[3], day, 13)  # excused: an absence
    client.force_login(teacher)

    def shown(**query):
        html = client.get(url_of(school_class, day), query).content.decode()
        return {s.pk for s in students if f'id="s{s.pk}"' in html}, html

    everyone, html = shown()
    assert everyone == {s.pk for s in students}
    assert '<strong>4 of 30</strong> marked, <strong class="left">26 not marked</strong>' in html
    unmarked, _ = shown(show="unmarked")
    assert unmarked == {s.pk for s in students[4:]}
    absent, html = shown(show="absent")
    assert absent == {students[0].pk, students[1].pk, students[3].pk}
    assert 'value="absent" checked' in html
    found, _ = shown(q="alexandra07")  # part of a name, any case
    assert found == {students[7].pk}
    nobody, html = shown(q="nobody like this")
    assert nobody == set() and "No student matches" in html
    assert shown(show="everything; DROP")[0] == everyone  # an unknown filter shows everyone


def test_a_save_of_a_filtered_roll_changes_only_the_rows_shown(client, world, teacher, thirty, day):
    school_class, students = thirty
    mark(world, school_class, students[0], day, 0)
    client.force_login(teacher)
    form = {f"s{students[1].pk}-code": str(f.code(world.school, 2).pk), f"s{students[1].pk}-was": "::"}
    response = client.post(url_of(school_class, day) + "?show=unmarked", form)
    assert response.status_code == 302
    saved = {m.student_id: m.code.mb_status for m in ClassMark.objects.filter(school_class=school_class)}
    assert saved == {students[0].pk: 0, students[1].pk: 2}


def test_a_mark_is_cleared_from_the_roll_and_the_removal_audited(client, world, teacher, thirty, day):
    school_class, students = thirty
    mark(world, school_class, students[0], day, 0)
    client.force_login(teacher)
    student_url = reverse("classes:roll_student", args=[school_class.pk, day.isoformat(), 2, students[0].pk])
    response = client.post(student_url, {"clear": str(students[0].pk)}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<li class="student k-unmarked" id="s{students[0].pk}"') and "Not marked" in html
    assert "<strong>0 of 30</strong>" in html
    assert not ClassMark.objects.filter(school_class=school_class).exists()
    entry = AuditEntry.objects.filter(mark_kind="class").latest("id")
    assert (entry.after, entry.channel, entry.changed_by) == (None, "web", teacher)
    assert entry.before["code_id"] == f.code(world.school, 0).pk
    # Clearing a row with no mark changes nothing; nor does a clear naming another student.
    assert client.post(student_url, {"clear": str(students[0].pk)}, **HTMX).status_code == 200
    mark(world, school_class, students[1], day, 2)
    count = AuditEntry.objects.count()
    assert client.post(student_url, {"clear": str(students[1].pk)}, **HTMX).status_code == 200
    assert AuditEntry.objects.count() == count
    assert ClassMark.objects.get(student=students[1]).code.mb_status == 2


def test_clear_without_javascript_is_part_of_the_one_post(client, world, teacher, thirty, day):
    school_class, students = thirty
    mark(world, school_class, students[0], day, 0)
    client.force_login(teacher)
    response = client.post(url_of(school_class, day), {"clear": str(students[0].pk)}, follow=True)
    assert "Saved 1 mark." in response.content.decode()
    assert not ClassMark.objects.filter(school_class=school_class).exists()


def test_another_teacher_cannot_clear_a_mark(client, world, other_teacher, thirty, day):
    school_class, students = thirty
    mark(world, school_class, students[0], day, 0)
    client.force_login(other_teacher)
    student_url = reverse("classes:roll_student", args=[school_class.pk, day.isoformat(), 2, students[0].pk])
    assert client.post(student_url, {"clear": str(students[0].pk)}, **HTMX).status_code == 404
    assert ClassMark.objects.filter(school_class=school_class).count() == 1


def test_p_and_the_default_present_count_as_one_present(client, world, teacher, thirty, day):
    school_class, students = thirty
    mark(world, school_class, students[0], day, 1)
    mark(world, school_class, students[1], day, -1)
    client.force_login(teacher)
    html = client.get(url_of(school_class, day)).content.decode()
    assert "✓</span> Present <strong>2</strong>" in html
    assert "P</span> Present" not in html
    # A whole-form save that leaves the P row as it was keeps the P the API sent.
    present = f.code(world.school, -1).pk
    p_code = f.code(world.school, 1).pk
    form = {f"s{students[0].pk}-code": str(present), f"s{students[0].pk}-was": f"{p_code}::"}
    client.post(url_of(school_class, day), form)
    assert ClassMark.objects.get(student=students[0]).code.mb_status == 1
