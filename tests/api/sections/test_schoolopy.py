"""schoolopy (the Schoology client on PyPI) as it comes, pointed at a live Rollbook: it signs its
requests for api.schoology.com and sends ``Host: api.schoology.com`` whatever server it reaches.
Rollbook does not take that host on trust: until the operator lists it in SECTIONS_SIGNED_HOSTS
the client gets the dialect's one-line 400 naming the setting (not Django's HTML "Bad Request");
once it is listed, schoolopy reads and writes, and the host is still refused on every other path."""

from __future__ import annotations

import logging

import pytest
import requests
import schoolopy

from apps.api.models import ApiClient
from apps.classes.models import ClassMark
from tests.api.sections.conftest import READ_WRITE, enrollment_of, mark

live = pytest.mark.django_db(transaction=True)
VENDOR_HOST = "api.schoology.com"


def schoology(live_server, user) -> schoolopy.Schoology:
    """schoolopy's default settings; only its base URL and credentials are ours."""
    issued = ApiClient.issue(name="schoolopy", user=user, scopes=list(READ_WRITE))
    auth = schoolopy.Auth(issued.client_id, issued.client.oauth1_secret())
    return schoolopy.Schoology(auth, api_host=f"{live_server.url}/v1/")


@pytest.fixture
def vendor_host_allowed(settings):
    settings.SECTIONS_SIGNED_HOSTS = [VENDOR_HOST]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, VENDOR_HOST]  # as the settings add it


@live
def test_schoolopy_is_told_which_setting_lets_it_in(live_server, world, teacher, caplog):
    sc = schoology(live_server, teacher)

    with caplog.at_level(logging.WARNING), pytest.raises(requests.HTTPError) as refused:
        sc.get_section_enrollments(world.english.pk)

    response = refused.value.response
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "SECTIONS_SIGNED_HOSTS=api.schoology.com" in response.text and "\n" not in response.text
    assert "<html" not in response.text.lower()
    assert not [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert any("does not serve" in r.getMessage() for r in caplog.records)


@live
def test_with_the_vendor_host_allowed_schoolopy_reads_enrollments(live_server, world, teacher, vendor_host_allowed):
    sc = schoology(live_server, teacher)

    members = sc.get_section_enrollments(world.english.pk)

    students = [m for m in members if m["admin"] == 0]
    assert [m["id"] for m in students] == [str(enrollment_of(world, s).pk) for s in world.students]
    assert {m["status"] for m in members} == {1}


@live
def test_with_the_vendor_host_allowed_schoolopy_reads_and_writes_attendance(
    live_server, world, teacher, monday, vendor_host_allowed
):
    sc = schoology(live_server, teacher)
    mark(world, world.students[0], monday, 1, 0, note="flu")
    enrollment = enrollment_of(world, world.students[1])

    # schoolopy has no attendance helpers: its own request methods, signed as it signs everything.
    week = sc._get(f"sections/{world.english.pk}/attendance", {"start": monday.isoformat(), "end": monday.isoformat()})
    written = sc._put(
        f"sections/{world.english.pk}/attendance",
        {"attendances": {"attendance": [{"enrollment_id": enrollment.pk, "date": str(monday), "status": 3}]}},
    )

    [day] = week["date"]
    assert day["statuses"]["status"][0]["attendances"]["attendance"][0]["comment"] == "flu"
    assert [row["response_code"] for row in written["attendance"]] == [200]
    assert ClassMark.objects.filter(student=world.students[1], date=monday).count() == 2  # periods 1 and 3


@live
def test_the_vendor_host_is_taken_on_section_style_paths_only(live_server, world, admin, vendor_host_allowed):
    for path in ("/accounts/login/", "/v2/ping", "/ws/v1/metadata", "/academic/attendance"):
        response = requests.get(f"{live_server.url}{path}", headers={"Host": VENDOR_HOST}, timeout=30)
        assert response.status_code == 400, path
    response = requests.get(f"{live_server.url}/accounts/login/", timeout=30)
    assert response.status_code == 200
