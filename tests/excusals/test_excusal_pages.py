"""Sending, changing and withdrawing an excusal from the parents' pages: every rule of the
excusal service shows beside its field, the form keeps what was typed, and only a parent's own
children and excusals are reachable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from apps.excusals.models import Excusal
from tests import factories as f
from tests.excusals.conftest import make_excusal

pytestmark = pytest.mark.django_db
NEW = "/family/excusals/new/"


def _send(client, child, start, end=None, comment="Fever, at home with us"):
    data = {"child": child.pk, "start_date": start.isoformat(), "comment": comment}
    if end is not None:
        data["end_date"] = end.isoformat()
    return client.post(NEW, data)


def test_the_form_page_preselects_an_only_child(client, world, parent, child):
    client.force_login(parent)
    response = client.get(NEW)
    assert response.status_code == 200
    assert response.context["form"].initial == {"child": child.pk}
    html = response.content.decode()
    assert 'type="radio"' in html and 'type="date"' in html


def test_the_notification_link_prefills_child_and_day(client, world, parent, child, monday):
    client.force_login(parent)
    response = client.get(NEW, {"child": child.pk, "start": monday.isoformat()})
    form = response.context["form"]
    assert form.initial == {"child": child.pk, "start_date": monday, "end_date": monday}
    assert f'value="{monday:%Y-%m-%d}"' in response.content.decode()


def test_a_nonsense_prefilled_day_is_ignored(client, world, parent):
    client.force_login(parent)
    response = client.get(NEW, {"start": "2026-02-31"})
    assert response.status_code == 200
    assert "start_date" not in response.context["form"].initial


def test_sending_an_excusal(client, world, parent, child, monday):
    client.force_login(parent)
    response = _send(client, child, monday, monday + timedelta(days=2))
    assert response.status_code == 302
    assert response.url == reverse("excusals:family") + "#excusals"
    excusal = Excusal.objects.get()
    assert (excusal.student, excusal.parent, excusal.school) == (child, world.parent, world.school)
    assert (excusal.start_date, excusal.end_date, excusal.comment) == (
        monday,
        monday + timedelta(days=2),
        "Fever, at home with us",
    )
    page = client.get(response.url)
    assert "Excusal sent for Y7000" in page.content.decode()


def test_an_empty_last_day_means_a_single_day(client, world, parent, child, monday):
    client.force_login(parent)
    assert _send(client, child, monday).status_code == 302
    assert Excusal.objects.get().end_date == monday


def test_twelve_days_is_the_longest(client, world, parent, child, monday):
    client.force_login(parent)
    assert _send(client, child, monday, monday + timedelta(days=11)).status_code == 302
    assert Excusal.objects.get().duration == 12


def _errors(response) -> dict:
    assert response.status_code == 200
    return {k: list(v) for k, v in response.context["form"].errors.items()}


def test_thirteen_days_is_refused_beside_the_last_day_and_the_form_is_kept(client, world, parent, child, monday):
    client.force_login(parent)
    response = _send(client, child, monday, monday + timedelta(days=12), comment="Family trip")
    assert _errors(response) == {"end_date": ["An excusal must be between 1 and 12 days (is 13)."]}
    assert not Excusal.objects.exists()
    html = response.content.decode()
    assert "Family trip" in html and f'value="{monday + timedelta(days=12):%Y-%m-%d}"' in html
    assert f'value="{child.pk}"' in html and "checked" in html


def test_last_day_before_the_first_is_refused(client, world, parent, child, monday):
    client.force_login(parent)
    response = _send(client, child, monday, monday - timedelta(days=1))
    assert _errors(response) == {"end_date": ["The last day must be on or after the start date."]}
    assert not Excusal.objects.exists()


def test_an_overlap_is_refused_beside_the_first_day_and_names_the_other_excusal(client, world, parent, child, monday):
    make_excusal(world.parent, child, monday + timedelta(days=2), monday + timedelta(days=3))
    client.force_login(parent)
    response = _send(client, child, monday, monday + timedelta(days=2))
    [message] = _errors(response)["start_date"]
    assert message.startswith("These days overlap Y7000’s excusal from ")
    assert Excusal.objects.count() == 1


def test_an_overlap_with_another_childs_excusal_is_fine(client, world, parent, child, monday):
    sibling = world.students[1]
    f.make_parent(world.school, "sibling_parent", sibling)
    make_excusal(sibling.parents.get(), sibling, monday, monday)
    client.force_login(parent)
    assert _send(client, child, monday).status_code == 302


def test_another_familys_child_is_refused_beside_the_child(client, world, parent, monday):
    client.force_login(parent)
    response = _send(client, world.year8_students[0], monday)
    assert _errors(response) == {"child": ["Choose one of your own children."]}
    response = _send(client, world.far_students[0], monday)
    assert _errors(response) == {"child": ["Choose one of your own children."]}
    assert not Excusal.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("start_date", "", "This field is required."),
        ("start_date", "next tuesday", "Enter a valid date."),
        ("comment", "", "Please tell the school why."),
        ("comment", "x" * 1001, "Ensure this value has at most 1000 characters (it has 1001)."),
        ("child", "", "This field is required."),
    ],
)
def test_missing_and_malformed_fields(client, world, parent, child, monday, field, value, message):
    client.force_login(parent)
    data = {"child": child.pk, "start_date": monday.isoformat(), "comment": "Ill", field: value}
    response = client.post(NEW, data)
    assert _errors(response) == {field: [message]}
    assert not Excusal.objects.exists()


def test_a_prefill_for_another_child_is_a_404(client, world, parent):
    client.force_login(parent)
    assert client.get(NEW, {"child": world.year8_students[0].pk}).status_code == 404
    assert client.get(NEW, {"child": world.far_students[0].pk}).status_code == 404


def test_anonymous_cannot_send(client, world, child, monday):
    response = _send(client, child, monday)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not Excusal.objects.exists()


@pytest.mark.parametrize("user", ["teacher", "admin", "other_school_admin"])
def test_staff_who_are_not_parents_get_404_on_the_form(client, world, request, user, child, monday):
    client.force_login(request.getfixturevalue(user))
    assert client.get(NEW).status_code == 404
    assert _send(client, child, monday).status_code == 404
    assert not Excusal.objects.exists()


# ---------------------------------------------------------------- change and withdraw


@pytest.fixture
def excusal(world, child, monday):
    return make_excusal(world.parent, child, monday, monday + timedelta(days=1), "Dentist")


def test_the_excusal_page_shows_it_with_the_change_form(client, world, parent, excusal):
    client.force_login(parent)
    response = client.get(reverse("excusals:detail", args=[excusal.pk]))
    assert response.status_code == 200
    assert response.context["may_change"] is True
    html = response.content.decode()
    assert "Dentist" in html and "Save changes" in html
    assert reverse("excusals:withdraw", args=[excusal.pk]) in html


def test_changing_the_last_day_and_the_reason(client, world, parent, excusal, monday):
    client.force_login(parent)
    url = reverse("excusals:detail", args=[excusal.pk])
    response = client.post(url, {"end_date": (monday + timedelta(days=4)).isoformat(), "comment": "Still ill"})
    assert response.status_code == 302 and response.url == url
    excusal.refresh_from_db()
    assert (excusal.start_date, excusal.end_date, excusal.comment) == (monday, monday + timedelta(days=4), "Still ill")
    assert "Excusal changed" in client.get(url).content.decode()


def test_a_change_to_more_than_twelve_days_is_refused_and_kept(client, world, parent, excusal, monday):
    client.force_login(parent)
    url = reverse("excusals:detail", args=[excusal.pk])
    too_far = monday + timedelta(days=12)
    response = client.post(url, {"end_date": too_far.isoformat(), "comment": "Longer"})
    assert _errors(response) == {"end_date": ["An excusal must be between 1 and 12 days (is 13)."]}
    assert f'value="{too_far:%Y-%m-%d}"' in response.content.decode()
    excusal.refresh_from_db()
    assert (excusal.end_date, excusal.comment) == (monday + timedelta(days=1), "Dentist")


def test_a_change_before_the_first_day_is_refused(client, world, parent, excusal, monday):
    client.force_login(parent)
    response = client.post(
        reverse("excusals:detail", args=[excusal.pk]), {"end_date": (monday - timedelta(days=1)).isoformat()}
    )
    assert _errors(response) == {"end_date": ["The last day must be on or after the start date."]}


def test_a_change_into_another_excusal_is_refused_beside_the_last_day(client, world, parent, excusal, child, monday):
    make_excusal(world.parent, child, monday + timedelta(days=5), monday + timedelta(days=6))
    client.force_login(parent)
    response = client.post(
        reverse("excusals:detail", args=[excusal.pk]), {"end_date": (monday + timedelta(days=5)).isoformat()}
    )
    [message] = _errors(response)["end_date"]
    assert message.startswith("These days overlap Y7000’s excusal from ")
    excusal.refresh_from_db()
    assert excusal.end_date == monday + timedelta(days=1)


def test_withdrawing_asks_first_then_removes_it(client, world, parent, excusal):
    client.force_login(parent)
    url = reverse("excusals:withdraw", args=[excusal.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Yes, withdraw it" in confirm.content.decode()
    assert Excusal.objects.filter(pk=excusal.pk).exists()  # a GET changes nothing
    response = client.post(url)
    assert response.status_code == 302 and response.url == reverse("excusals:family") + "#excusals"
    assert not Excusal.objects.filter(pk=excusal.pk).exists()
    assert "Excusal withdrawn" in client.get(response.url).content.decode()


def test_either_guardian_may_change_or_withdraw_an_excusal(client, world, child, monday):
    co_parent = f.make_parent(world.school, "co_parent", child, first="Chris")
    excusal = make_excusal(world.parent, child, monday, monday)
    client.force_login(co_parent.user)
    response = client.get(reverse("excusals:detail", args=[excusal.pk]))
    assert response.status_code == 200 and response.context["may_change"] is True
    assert response.context["excusal"].parent == world.parent  # who sent it stays on record
    response = client.post(
        reverse("excusals:detail", args=[excusal.pk]), {"end_date": monday.isoformat(), "comment": "Fever, day 2"}
    )
    assert response.status_code == 302
    excusal.refresh_from_db()
    assert excusal.comment == "Fever, day 2"
    assert client.post(reverse("excusals:withdraw", args=[excusal.pk])).status_code == 302
    assert not Excusal.objects.filter(pk=excusal.pk).exists()


@pytest.mark.parametrize("user", ["other_parent", "teacher", "other_teacher", "admin", "other_school_admin"])
def test_others_cannot_reach_a_familys_excusal(client, world, request, user, excusal, monday):
    client.force_login(request.getfixturevalue(user))
    detail = reverse("excusals:detail", args=[excusal.pk])
    withdraw = reverse("excusals:withdraw", args=[excusal.pk])
    assert client.get(detail).status_code == 404
    assert client.post(detail, {"end_date": monday.isoformat()}).status_code == 404
    assert client.get(withdraw).status_code == 404
    assert client.post(withdraw).status_code == 404
    excusal.refresh_from_db()
    assert excusal.end_date == monday + timedelta(days=1)


def test_another_schools_excusal_is_a_404(client, world, parent, monday):
    far_child = world.far_students[0]
    far_parent = f.make_parent(world.other_school, "far_parent", far_child)
    far = make_excusal(far_parent, far_child, monday, monday)
    client.force_login(parent)
    assert client.get(reverse("excusals:detail", args=[far.pk])).status_code == 404
    assert client.post(reverse("excusals:withdraw", args=[far.pk])).status_code == 404
    assert Excusal.objects.filter(pk=far.pk).exists()


def test_anonymous_cannot_change_or_withdraw(client, world, excusal):
    for url in [reverse("excusals:detail", args=[excusal.pk]), reverse("excusals:withdraw", args=[excusal.pk])]:
        response = client.post(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert Excusal.objects.filter(pk=excusal.pk).exists()
