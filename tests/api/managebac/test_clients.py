"""API clients: the management command and the office page where school admins manage them."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.api.models import ApiClient, hash_secret

# --- the command ---------------------------------------------------------------------------


def run(*args) -> str:
    out = StringIO()
    call_command("api_client", *args, stdout=out)
    return out.getvalue()


def test_create_prints_one_json_object_with_the_secrets(teacher, client):
    output = run("create", "Timetable sync", "--user", "teacher", "--scopes", "read:attendance,write:attendance")
    issued = json.loads(output)
    assert {"token", "client_id", "client_secret"} <= set(issued)
    stored = ApiClient.objects.get(pk=issued["id"])
    assert (stored.name, stored.user, stored.scope_list) == (
        "Timetable sync",
        teacher,
        ["read:attendance", "write:attendance"],
    )
    # Only fingerprints are kept; the secrets work.
    assert stored.token_hash == hash_secret(issued["token"]) and issued["token"] not in stored.token_hash
    assert stored.check_secret(issued["client_secret"])
    assert client.get("/v2/ping", headers={"auth-token": issued["token"]}).status_code == 200


@pytest.mark.parametrize(
    "args, message",
    [
        (["--user", "nobody"], "No user called 'nobody'"),
        (["--user", "teacher", "--scopes", "read:everything"], "unknown scopes: read:everything"),
        (["--user", "teacher", "--scopes", ","], "at least one scope"),
    ],
)
def test_create_refuses_bad_input(teacher, args, message):
    with pytest.raises(CommandError, match=message):
        run("create", "x", *args)
    assert not ApiClient.objects.exists()


def test_list_and_revoke(admin, client):
    issued = json.loads(run("create", "Sync", "--user", "admin"))
    listed = [json.loads(line) for line in run("list", "--json").splitlines()]
    assert [(row["id"], row["name"], row["revoked_at"]) for row in listed] == [(issued["id"], "Sync", None)]
    assert "token" not in listed[0] and "client_secret" not in listed[0]
    assert "active" in run("list")
    assert "Revoked" in run("revoke", str(issued["id"]))
    assert client.get("/v2/ping", headers={"auth-token": issued["token"]}).status_code == 401
    assert "revoked" in run("list")
    with pytest.raises(CommandError):
        run("revoke", "999999")


# --- the office page ---------------------------------------------------------------------------

PAGE = "/office/api-clients/"


def test_admin_creates_a_client_and_sees_the_secrets_once(world, admin, teacher, client):
    client.force_login(admin)
    response = client.post(
        PAGE, {"name": "SIS sync", "user": teacher.pk, "scopes": ["read:attendance", "write:attendance"]}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    stored = ApiClient.objects.get()
    token = re.search(r'<code class="secret">([^<]+)</code>', page).group(1)
    assert stored.token_hash == hash_secret(token)
    assert (stored.user, stored.scope_list) == (teacher, ["read:attendance", "write:attendance"])
    listing = client.get(PAGE).content.decode()
    assert "SIS sync" in listing and token not in listing and stored.token_hint in listing


def test_create_form_errors(world, admin, other_school_admin, client):
    client.force_login(admin)
    response = client.post(PAGE, {"name": "", "user": other_school_admin.pk, "scopes": ["read:nothing"]})
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"name", "user", "scopes"}
    assert not ApiClient.objects.exists()


def test_admin_revokes_a_client(world, admin, teacher, client):
    issued = ApiClient.issue(name="Old script", user=teacher, scopes=["read:attendance"])
    client.force_login(admin)
    response = client.post(reverse("api_clients:revoke", args=[issued.client.pk]))
    assert response.status_code == 302
    issued.client.refresh_from_db()
    assert issued.client.revoked_at is not None
    assert "is revoked" in client.get(PAGE).content.decode()


@pytest.mark.parametrize("role", ["teacher", "other_teacher", "parent", "other_parent"])
def test_only_school_admins_see_the_page(world, role, request, client):
    issued = ApiClient.issue(name="Admin script", user=world.admin.user, scopes=["read:attendance"])
    client.force_login(request.getfixturevalue(role))
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, {"name": "x", "user": world.admin.user.pk, "scopes": ["read:all"]}).status_code == 404
    assert client.post(reverse("api_clients:revoke", args=[issued.client.pk])).status_code == 404
    issued.client.refresh_from_db()
    assert issued.client.revoked_at is None and ApiClient.objects.count() == 1


def test_other_school_admin_neither_sees_nor_revokes_our_clients(world, teacher, other_school_admin, client):
    issued = ApiClient.issue(name="Northfield sync", user=teacher, scopes=["read:attendance"])
    client.force_login(other_school_admin)
    assert "Northfield sync" not in client.get(PAGE).content.decode()
    assert client.post(reverse("api_clients:revoke", args=[issued.client.pk])).status_code == 404
    issued.client.refresh_from_db()
    assert issued.client.revoked_at is None


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_revoke_needs_post(world, admin, teacher, client):
    issued = ApiClient.issue(name="x", user=teacher, scopes=["read:attendance"])
    client.force_login(admin)
    assert client.get(reverse("api_clients:revoke", args=[issued.client.pk])).status_code == 405


@pytest.mark.parametrize("count", [2, 20])
def test_page_queries_are_constant(world, admin, teacher, client, count, django_assert_max_num_queries):
    for n in range(count):
        ApiClient.issue(name=f"client {n}", user=teacher if n % 2 else admin, scopes=["read:attendance"])
    client.force_login(admin)
    with django_assert_max_num_queries(8):
        response = client.get(PAGE)
    assert response.content.decode().count("Revoke<span") == count
