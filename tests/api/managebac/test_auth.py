"""Tokens and scopes: the three ways to pass a token, and ManageBac's 401 for everything refused."""

from __future__ import annotations

import pytest

from apps.api.models import ApiClient
from apps.classes.models import ClassMark

DENIED = {"error": "Access Denied"}


@pytest.fixture
def token(admin, issue_token):
    return issue_token(admin)


def test_the_three_ways_to_pass_a_token(client, token, prefix):
    url = f"/{prefix}/ping"
    for response in [
        client.get(url, headers={"auth-token": token}),
        client.get(url, {"auth_token": token}),
        client.get(url, headers={"Authorization": f"Bearer {token}"}),
    ]:
        assert (response.status_code, response.json()) == (200, {"pong": "ok"})


@pytest.mark.parametrize(
    "headers, params",
    [
        ({}, {}),
        ({"auth-token": "wrong"}, {}),
        ({}, {"auth_token": "wrong"}),
        ({"Authorization": "Bearer wrong"}, {}),
        ({"Authorization": "Basic YWRtaW46eA=="}, {}),
    ],
)
def test_missing_or_bad_token_is_401(world, client, prefix, headers, params):
    response = client.get(f"/{prefix}/classes/{world.english.pk}/attendance/term/1", params, headers=headers)
    assert (response.status_code, response.json()) == (401, DENIED)


def test_revoked_client_is_refused_at_once(client, admin, prefix):
    issued = ApiClient.issue(name="script", user=admin, scopes=["read:all"])
    url = f"/{prefix}/classes"
    assert client.get(url, headers={"auth-token": issued.token}).status_code == 200
    issued.client.revoke()
    response = client.get(url, headers={"auth-token": issued.token})
    assert (response.status_code, response.json()) == (401, DENIED)


def test_inactive_user_is_refused(client, admin, token, prefix):
    admin.is_active = False
    admin.save()
    assert client.get(f"/{prefix}/ping", headers={"auth-token": token}).status_code == 401


def test_reads_need_a_read_scope_and_writes_a_write_scope(world, monday, teacher, api_as, prefix):
    put_body = {"attendances": [{"student_id": world.students[0].pk, "date": str(monday), "period": 1, "status": 0}]}
    read_only = api_as(teacher, ["read:attendance"], prefix=prefix)
    assert read_only.get("classes").status_code == 200
    response = read_only.put(f"classes/{world.english.pk}/attendance", put_body)
    assert (response.status_code, response.json()) == (401, DENIED)
    write_only = api_as(teacher, ["write:attendance"], prefix=prefix)
    assert write_only.get("classes").status_code == 401
    assert write_only.put(f"classes/{world.english.pk}/attendance", put_body).status_code == 200
    wildcard = api_as(teacher, ["read:all", "write:all"], prefix=prefix)
    assert wildcard.get("classes").status_code == 200
    assert wildcard.put(f"classes/{world.english.pk}/attendance", put_body).status_code == 200
    assert ClassMark.objects.count() == 1


def test_every_write_needs_the_write_scope(world, monday, admin, api_as):
    api = api_as(admin, ["read:attendance"])
    s0 = world.students[0]
    for method, path in [
        ("PUT", f"classes/{world.english.pk}/attendance"),
        ("POST", f"students/{s0.pk}/excusals"),
        ("PATCH", f"students/{s0.pk}/excusals/1"),
        ("PUT", f"students/{s0.pk}/set_homeroom_attendance"),
    ]:
        response = api.send(method, path, {})
        assert (response.status_code, response.json()) == (401, DENIED), path
    assert api.delete(f"students/{s0.pk}/excusals/1").status_code == 401


def test_last_use_is_recorded(client, admin, prefix):
    issued = ApiClient.issue(name="script", user=admin, scopes=["read:attendance"])
    client.get(f"/{prefix}/ping", headers={"auth-token": issued.token})
    issued.client.refresh_from_db()
    assert issued.client.last_used_at is not None


def test_answers_json_whatever_the_accept_header(client, token, prefix):
    response = client.get(f"/{prefix}/ping", headers={"auth-token": token, "Accept": "text/html"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_unknown_paths_and_methods_answer_json(world, admin, api_as, prefix):
    api = api_as(admin, prefix=prefix)
    assert (api.get("no/such/thing").status_code, api.get("no/such/thing").json()) == (404, {"error": "Not Found"})
    response = api.get("classes/seven")
    assert (response.status_code, response.json()) == (404, {"error": "Not Found"})
    response = api.delete("classes")
    assert (response.status_code, response.json()) == (405, {"error": "Method Not Allowed"})
    anonymous = api.client.get(f"/{prefix}/no/such/thing")
    assert (anonymous.status_code, anonymous.json()) == (401, DENIED)
