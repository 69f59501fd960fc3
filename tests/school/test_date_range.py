"""Dates people send are bounded (apps/school/dates.py): from 1900-01-01 to 2200-12-31. A date
outside, in a page's query string, a form, a URL or the Django admin, is refused in its page
with a clear message, never a 500, and nothing is saved. The APIs' refusals are in their
bad-input catalogues (tests/api/*/test_bad_input.py) and the URL matrix."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from apps.excusals.models import Excusal
from apps.school.admin import AcademicYearAdmin
from apps.school.dates import EARLIEST, LATEST, in_range, parse_iso, read_date
from apps.school.models import AcademicYear
from tests import factories as f

OUT_OF_RANGE = ["0001-01-01", "1899-12-31", "2201-01-01", "9999-12-31"]
WEB_MESSAGE = "Choose a date between 1 January 1900 and 31 December 2200."


@pytest.fixture(autouse=True)
def wednesday_morning():
    with time_machine.travel(datetime(2026, 11, 18, 10, 0, tzinfo=UTC), tick=False):
        yield


def test_the_range_and_its_edges():
    assert (EARLIEST, LATEST) == (date(1900, 1, 1), date(2200, 12, 31))
    assert in_range(EARLIEST) and in_range(LATEST)
    assert read_date("1900-01-01") == EARLIEST and read_date("2200-12-31") == LATEST
    for value in OUT_OF_RANGE:
        assert parse_iso(value) is not None and read_date(value) is None
    for value in ["", "2026-02-30", "２０２６-01-01", "2026-01-01\n", "0000-01-01", "2026-1-1"]:
        assert parse_iso(value) is None


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_office_pages_answer_400_with_the_refusal_beside_the_field(client, world, admin, value):
    client.force_login(admin)
    pages = [
        (reverse("excusals:office"), {"date": value}),
        (reverse("reports:unmarked"), {"start": value, "end": value}),
        (reverse("reports:audit"), {"date": value}),
        (reverse("reports:audit"), {"date": value, "format": "csv"}),
    ]
    for url, query in pages:
        response = client.get(url, query)
        assert response.status_code == 400, (url, query)
        assert WEB_MESSAGE in response.content.decode(), (url, query)


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_rolls_of_a_day_out_of_range_are_not_found(client, world, teacher, value):
    client.force_login(teacher)
    for url in (
        f"/classes/{world.english.pk}/roll/{value}/1/",
        f"/homeroom/{world.year7.pk}/{value}/",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {}).status_code == 404


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_a_parent_cannot_send_or_move_an_excusal_out_of_range(client, world, parent, value):
    child = world.students[0]
    client.force_login(parent)
    response = client.post(
        reverse("excusals:new"), {"child": child.pk, "start_date": value, "end_date": "", "comment": "Away"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"start_date": [WEB_MESSAGE]}
    assert not Excusal.objects.exists()

    today = world.school.today()
    excusal = Excusal.objects.create(
        school=world.school, student=child, parent=world.parent, start_date=today, end_date=today
    )
    response = client.post(reverse("excusals:detail", args=[excusal.pk]), {"end_date": value, "comment": "Later"})
    assert response.context["form"].errors == {"end_date": [WEB_MESSAGE]}
    excusal.refresh_from_db()
    assert excusal.end_date == today


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_links_with_a_day_out_of_range_fall_back(client, world, parent, value):
    client.force_login(parent)
    prefilled = client.get(reverse("excusals:new"), {"child": world.students[0].pk, "start": value})
    assert prefilled.status_code == 200 and "start_date" not in prefilled.context["form"].initial
    family = client.get(reverse("excusals:family"), {"month": value[:7]})
    assert family.status_code == 200  # this month, as for any month that cannot be read


def test_forms_offer_only_the_range(client, world, parent):
    client.force_login(parent)
    html = client.get(reverse("excusals:new")).content.decode()
    assert 'min="1900-01-01"' in html and 'max="2200-12-31"' in html


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_the_django_admin_refuses_a_year_out_of_range(rf, world, value):
    from django.contrib import admin

    request = rf.get("/")
    request.user = f.make_user("root", is_staff=True, is_superuser=True)
    year = AcademicYear.objects.filter(school=world.school).first()
    form_class = AcademicYearAdmin(AcademicYear, admin.site).get_form(request, year)
    data = {"school": world.school.pk, "name": year.name, "start_date": year.start_date, "end_date": value}
    form = form_class(data=data, instance=year)
    assert not form.is_valid()
    assert form.errors["end_date"] == ["must be between 1900-01-01 and 2200-12-31"]
