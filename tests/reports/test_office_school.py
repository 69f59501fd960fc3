"""An admin of several schools picks the one each office page shows with ``?school=``: every office
page honours it the same way, keeps it in its links and forms, and answers a school that is not
the admin's (or no school at all) with a 404."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.homeroom.models import Adjustment
from apps.school.models import Administrator, School, Teacher, Term
from tests import factories as f
from tests.reports.test_settings import code_form

# Every page about one school that the office nav links to (the API clients page covers all the
# admin's schools at once and names none).
OFFICE_PAGES = [
    "reports:dashboard",
    "reports:unmarked",
    "reports:term_reports",
    "reports:chronic",
    "reports:charts",
    "reports:settings",
    "reports:codes",
    "reports:adjustments",
    "reports:audit",
    "excusals:office",
]
# The pages with a GET filter form, which must carry the school along.
FILTERED = {"reports:unmarked", "reports:term_reports", "reports:chronic", "reports:charts", "reports:audit"}
HIDDEN = '<input type="hidden" name="school" value="{}">'


@pytest.fixture
def two_schools(world, admin):
    """The admin runs Southbank Academy too (Northfield School comes first by name)."""
    Administrator.objects.create(school=world.other_school, first_name="Ada", last_name="Admin", user=admin)
    return world


def far_adjustment(world) -> Adjustment:
    term = Term.objects.filter(school=world.other_school).order_by("start_date").first()
    return Adjustment.objects.create(
        school=world.other_school,
        student=world.far_students[0],
        term=term,
        code=f.code(world.other_school, 0),
        adjustment=1,
    )


@pytest.mark.parametrize("name", OFFICE_PAGES)
def test_an_admin_of_two_schools_opens_each_page_for_either(client, two_schools, admin, name):
    world = two_schools
    client.force_login(admin)
    first = client.get(reverse(name))
    assert first.status_code == 200
    assert first.context["school"] == world.school  # none named: the first they run, by name
    picked = client.get(reverse(name), {"school": world.other_school.pk})
    assert picked.status_code == 200
    assert picked.context["school"] == world.other_school
    html = picked.content.decode()
    # The picker offers both schools, the one shown selected.
    assert f'<option value="{world.other_school.pk}" selected>Southbank Academy</option>' in html
    assert f'<option value="{world.school.pk}">Northfield School</option>' in html
    # The office's links keep the choice.
    for target in ("reports:dashboard", "reports:chronic", "reports:audit", "excusals:office"):
        assert f'href="{reverse(target)}?school={world.other_school.pk}"' in html
    if name in FILTERED:
        assert HIDDEN.format(world.other_school.pk) in html


@pytest.mark.parametrize("name", OFFICE_PAGES)
def test_a_school_not_the_admins_is_a_404(client, world, admin, other_school_admin, name):
    client.force_login(admin)
    assert client.get(reverse(name), {"school": world.other_school.pk}).status_code == 404
    assert client.get(reverse(name), {"school": "nonsense"}).status_code == 404
    client.force_login(other_school_admin)
    assert client.get(reverse(name), {"school": world.school.pk}).status_code == 404
    assert client.get(reverse(name), {"school": world.other_school.pk}).status_code == 200


@pytest.mark.parametrize("name", OFFICE_PAGES)
def test_an_admin_of_one_school_sees_no_picker_and_plain_links(client, world, admin, name):
    client.force_login(admin)
    html = client.get(reverse(name)).content.decode()
    assert 'name="school"' not in html
    assert f'href="{reverse("reports:chronic")}"' in html


def test_the_picked_school_costs_no_more_queries(client, two_schools, admin):
    client.force_login(admin)
    counts = []
    for params in ({}, {"school": two_schools.other_school.pk}):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reports:dashboard"), params).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_exports_keep_the_school(client, two_schools, admin):
    world = two_schools
    client.force_login(admin)
    html = client.get(reverse("reports:dashboard"), {"school": world.other_school.pk}).content.decode()
    assert f'href="?school={world.other_school.pk}&amp;format=csv"' in html
    export = client.get(reverse("reports:dashboard"), {"school": world.other_school.pk, "format": "csv"})
    assert export.status_code == 200 and "Far000" not in export.content.decode()


def test_settings_of_the_picked_school_are_saved_there_and_the_choice_kept(client, two_schools, admin):
    world = two_schools
    client.force_login(admin)
    url = f"{reverse('reports:settings')}?school={world.other_school.pk}"
    response = client.post(url, {"teacher_edit_days": 3, "timezone": "Europe/Vienna", "default_language": "en-gb"})
    assert response.status_code == 302
    assert response["Location"] == url
    assert School.objects.get(pk=world.other_school.pk).teacher_edit_days == 3
    assert School.objects.get(pk=world.school.pk).teacher_edit_days == 7


def test_a_code_of_the_picked_school_is_changed_there(client, two_schools, admin):
    world = two_schools
    code = f.code(world.other_school, 15)
    client.force_login(admin)
    codes = client.get(reverse("reports:codes"), {"school": world.other_school.pk}).content.decode()
    edit = f"{reverse('reports:code_edit', args=[code.pk])}?school={world.other_school.pk}"
    assert f'href="{edit}"' in codes
    # The code belongs to the school picked, not to the first one.
    assert client.get(reverse("reports:code_edit", args=[code.pk])).status_code == 404
    page = client.get(edit)
    assert page.status_code == 200
    # Picking another school on a code's page goes to that school's codes, not to this code.
    assert f'action="{reverse("reports:codes")}"' in page.content.decode()
    response = client.post(edit, code_form(code, label="Music lesson", enabled="on"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('reports:codes')}?school={world.other_school.pk}"
    code.refresh_from_db()
    assert code.label == "Music lesson"


def test_an_adjustment_of_the_picked_school_keeps_the_choice(client, two_schools, admin):
    world = two_schools
    adjustment = far_adjustment(world)
    client.force_login(admin)
    school = world.other_school.pk
    listed = client.get(reverse("reports:adjustments"), {"school": school}).content.decode()
    edit = f"{reverse('reports:adjustment_edit', args=[adjustment.pk])}?school={school}"
    delete = f"{reverse('reports:adjustment_delete', args=[adjustment.pk])}?school={school}"
    assert f'href="{edit}"' in listed and f'action="{delete}"' in listed
    assert client.get(reverse("reports:adjustment_edit", args=[adjustment.pk])).status_code == 404
    page = client.get(edit).content.decode()
    back = f"{reverse('reports:adjustments')}?term={adjustment.term_id}&amp;school={school}"
    assert f'href="{back}"' in page
    response = client.post(
        edit, {"student": adjustment.student_id, "code": adjustment.code_id, "adjustment": 2, "reason": "Trip"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('reports:adjustments')}?term={adjustment.term_id}&school={school}"
    adjustment.refresh_from_db()
    assert adjustment.adjustment == 2
    # Not from the first school's office: nothing is deleted.
    assert client.post(reverse("reports:adjustment_delete", args=[adjustment.pk])).status_code == 404
    assert Adjustment.objects.filter(pk=adjustment.pk).exists()
    response = client.post(delete)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('reports:adjustments')}?term={adjustment.term_id}&school={school}"
    assert not Adjustment.objects.filter(pk=adjustment.pk).exists()


def test_term_reports_are_read_as_admin_where_they_run_the_school(client, world, teacher):
    """A teacher of Northfield who runs Southbank: Southbank as its admin unless Northfield is named."""
    Administrator.objects.create(school=world.other_school, first_name="T", last_name="Teacher", user=teacher)
    client.force_login(teacher)
    default = client.get(reverse("reports:term_reports"))
    assert (default.context["school"], default.context["is_admin"]) == (world.other_school, True)
    taught = client.get(reverse("reports:term_reports"), {"school": world.school.pk})
    assert (taught.context["school"], taught.context["is_admin"]) == (world.school, False)
    assert "8B Science" not in taught.content.decode()  # another teacher's class
    html = taught.content.decode()
    assert f'<option value="{world.other_school.pk}">Southbank Academy</option>' in html


def test_a_teacher_of_two_schools_picks_the_term_report(client, world, teacher):
    Teacher.objects.create(school=world.other_school, first_name="T", last_name="Teacher", user=teacher)
    client.force_login(teacher)
    assert client.get(reverse("reports:term_reports")).context["school"] == world.school
    other = client.get(reverse("reports:term_reports"), {"school": world.other_school.pk})
    assert (other.context["school"], other.context["is_admin"]) == (world.other_school, False)
    assert client.get(reverse("reports:term_reports"), {"school": "nonsense"}).status_code == 404


def test_a_class_report_links_back_to_its_own_schools_term_reports(client, two_schools, admin):
    world = two_schools
    client.force_login(admin)
    page = client.get(reverse("reports:class_report", args=[world.far_class.pk]))
    assert page.status_code == 200
    term = page.context["term"]
    back = f"{reverse('reports:term_reports')}?term={term.pk}&amp;school={world.other_school.pk}"
    assert f'href="{back}"' in page.content.decode()
