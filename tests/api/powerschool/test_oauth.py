"""The token flow with a real HTTP client against a live server: client credentials, bearer
use, expiry, wrong credentials and grants."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from django.utils import timezone
from oauthlib.oauth2 import BackendApplicationClient
from requests_oauthlib import OAuth2Session

from apps.api.models import AccessToken, ApiClient, hash_secret


@pytest.fixture
def plugin(world, admin):
    return ApiClient.issue(name="SIS plugin", user=admin, scopes=["read:attendance", "write:attendance"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/oauth/access_token", "/oauth/access_token/"])
def test_client_credentials_with_requests_oauthlib(live_server, plugin, path, monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the live server speaks plain http
    session = OAuth2Session(client=BackendApplicationClient(client_id=plugin.client_id))
    token = session.fetch_token(
        f"{live_server.url}{path}", client_id=plugin.client_id, client_secret=plugin.client_secret
    )
    assert token["token_type"] == "Bearer"
    assert len(token["access_token"]) == 36  # a UUID

    metadata = session.get(f"{live_server.url}/ws/v1/metadata")

    assert metadata.status_code == 200
    assert metadata.json()["metadata"]["plugin_id"] == plugin.client.pk
    stored = AccessToken.objects.get(client=plugin.client)
    assert stored.token_hash == hash_secret(token["access_token"])  # only the hash is kept


@pytest.mark.django_db(transaction=True)
def test_token_body_is_powerschools(live_server, plugin, settings):
    settings.POWERSCHOOL_TOKEN_SECONDS = 900
    response = requests.post(
        f"{live_server.url}/oauth/access_token",
        auth=(plugin.client_id, plugin.client_secret),
        data={"grant_type": "client_credentials"},
        timeout=10,
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == "900"
    assert response.headers["Cache-Control"] == "no-store"
    expires = AccessToken.objects.get(client=plugin.client).expires_at
    assert timedelta(seconds=890) < expires - timezone.now() <= timedelta(seconds=900)


@pytest.mark.django_db(transaction=True)
def test_an_expired_token_is_refused(live_server, plugin):
    token = requests.post(
        f"{live_server.url}/oauth/access_token",
        auth=(plugin.client_id, plugin.client_secret),
        data={"grant_type": "client_credentials"},
        timeout=10,
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{live_server.url}/ws/v1/metadata", headers=headers, timeout=10).status_code == 200

    AccessToken.objects.filter(client=plugin.client).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = requests.get(f"{live_server.url}/ws/v1/metadata", headers=headers, timeout=10)

    assert response.status_code == 401
    assert "invalid_token" in response.headers["WWW-Authenticate"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("secret", ["wrong-secret", ""])
def test_wrong_credentials_are_invalid_client(live_server, plugin, secret):
    response = requests.post(
        f"{live_server.url}/oauth/access_token",
        auth=(plugin.client_id, secret),
        data={"grant_type": "client_credentials"},
        timeout=10,
    )
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client"}
    assert not AccessToken.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_unknown_client_and_revoked_client_are_invalid_client(live_server, plugin):
    url = f"{live_server.url}/oauth/access_token"
    unknown = requests.post(url, auth=("nobody", "x"), data={"grant_type": "client_credentials"}, timeout=10)
    plugin.client.revoke()
    revoked = requests.post(
        url, auth=(plugin.client_id, plugin.client_secret), data={"grant_type": "client_credentials"}, timeout=10
    )
    assert (unknown.status_code, unknown.json()) == (401, {"error": "invalid_client"})
    assert (revoked.status_code, revoked.json()) == (401, {"error": "invalid_client"})


def test_wrong_grant_is_unsupported(client, plugin):
    response = client.post(
        "/oauth/access_token",
        "grant_type=password&username=a&password=b",
        content_type="application/x-www-form-urlencoded",
        headers={
            "Authorization": "Basic "
            + __import__("base64").b64encode(f"{plugin.client_id}:{plugin.client_secret}".encode()).decode()
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_revoking_a_client_ends_its_tokens(world, admin, ps_as):
    ps = ps_as(admin)
    assert ps.get("/ws/v1/metadata").status_code == 200
    ApiClient.objects.get(user=admin).revoke()
    assert ps.get("/ws/v1/metadata").status_code == 401


@pytest.mark.parametrize("header", [None, "Bearer not-a-token", "Basic abc"])
def test_ws_without_a_valid_token_is_401(world, client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/ws/v1/metadata", headers=headers)
    assert response.status_code == 401
    assert set(response.json()) == {"message", "errors"}
