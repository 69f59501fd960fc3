"""Rate limits per API client: past API_RATE_LIMIT each dialect answers 429 with Retry-After in
its own error shape; the count is the client's, whatever address it calls from."""

from __future__ import annotations

import base64
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache

from apps.api.models import AccessToken, ApiClient
from tests.api.sections.conftest import oauth_header

EVERYTHING = ["read:attendance", "write:attendance"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def two_a_minute(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.API_RATE_LIMIT = "2/min"
    cache.clear()
    yield
    cache.clear()


def issue(user, name="script"):
    return ApiClient.issue(name=name, user=user, scopes=EVERYTHING)


def managebac_get(client, token, ip="203.0.113.1"):
    return client.get("/v2/ping", headers={"auth-token": token}, REMOTE_ADDR=ip)


def third_request_is_refused(call):
    """Two requests pass, the third is the 429; returns it."""
    for _ in range(2):
        assert call().status_code != 429
    refused = call()
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    return refused


def test_managebac_answers_429_with_its_error_body(world, teacher, client):
    token = issue(teacher).token
    refused = third_request_is_refused(lambda: managebac_get(client, token))
    assert refused.json() == {"error": "Too Many Requests"}


def test_sections_answers_429_with_a_one_line_message(world, teacher, client):
    issued = issue(teacher)
    key, secret = issued.client_id, issued.client.oauth1_secret()
    path = f"/v1/sections/{world.english.pk}/attendance"

    def call():
        header = oauth_header(method="GET", url=f"http://testserver{path}", key=key, secret=secret)
        return client.get(path, headers={"Authorization": header, "Accept": "application/json"})

    refused = third_request_is_refused(call)
    assert refused["Content-Type"].startswith("text/plain")
    assert refused.content == b"Rate limit exceeded"


def test_academic_answers_429_with_a_detail(world, teacher, client):
    token = issue(teacher).token
    refused = third_request_is_refused(
        lambda: client.get("/academic/attendance", headers={"Authorization": f"Bearer {token}"})
    )
    body = refused.json()
    assert set(body) == {"detail"}
    assert body["detail"].startswith("Request was throttled")


def test_powerschool_answers_429_in_its_message_and_errors_shape(world, teacher, client):
    issued = issue(teacher)
    basic = base64.b64encode(f"{issued.client_id}:{issued.client_secret}".encode()).decode()
    token_response = client.post(
        "/oauth/access_token",
        "grant_type=client_credentials",
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": f"Basic {basic}"},
    )
    assert token_response.status_code == 200
    token = token_response.json()["access_token"]
    refused = third_request_is_refused(
        lambda: client.get("/ws/v1/metadata", headers={"Authorization": f"Bearer {token}"})
    )
    assert refused.json() == {
        "message": "Too Many Requests",
        "errors": [{"resource": "request", "field": "", "code": "RATE_LIMIT_EXCEEDED"}],
    }


def test_the_limit_is_per_client_not_per_address(world, teacher, client):
    first, second = issue(teacher, "first").token, issue(teacher, "second").token
    for ip in ("203.0.113.1", "203.0.113.2"):
        assert managebac_get(client, first, ip).status_code == 200
    # A new address does not reset the first client's count...
    assert managebac_get(client, first, "203.0.113.3").status_code == 429
    # ...and another client from the same address has its own.
    assert managebac_get(client, second, "203.0.113.1").status_code == 200


def test_off_turns_the_limit_off(world, teacher, client, settings):
    settings.API_RATE_LIMIT = "off"
    token = issue(teacher).token
    assert all(managebac_get(client, token).status_code == 200 for _ in range(5))


def test_a_bad_token_is_refused_as_before_and_not_counted(world, teacher, client):
    for _ in range(4):
        assert managebac_get(client, "not-a-token").status_code == 401


@pytest.mark.parametrize("value, starts", [("off", True), ("20/s", True), ("lots", False), ("0/min", False)])
def test_a_bad_api_rate_limit_fails_at_start(value, starts):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT), "API_RATE_LIMIT": value, "SECRET_KEY": secrets.token_urlsafe(50)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert (result.returncode == 0) is starts, result.stderr[-500:]
    if not starts:
        assert "API_RATE_LIMIT must be like 600/min or off" in result.stderr


# --- the PowerSchool token endpoint: per client id and per address, right secret or wrong --------


def token_request(client, client_id, secret, ip="203.0.113.1", **extra):
    return client.post(
        "/oauth/access_token",
        "grant_type=client_credentials",
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()},
        REMOTE_ADDR=ip,
        **extra,
    )


def slowed_down(response):
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    body = response.json()
    assert body["error"] == "slow_down" and "Too many token requests" in body["error_description"]
    return body


def test_wrong_secrets_for_one_client_id_are_limited_from_any_address(world, teacher, client, settings):
    settings.POWERSCHOOL_TOKEN_RATE_LIMIT = "2/min"
    issued = issue(teacher)
    assert token_request(client, issued.client_id, "guess-1", ip="203.0.113.1").status_code == 401
    assert token_request(client, issued.client_id, "guess-2", ip="203.0.113.2").status_code == 401
    slowed_down(token_request(client, issued.client_id, "guess-3", ip="203.0.113.3"))
    # Refused before the secret is looked at: the right one waits too, and gets no token.
    slowed_down(token_request(client, issued.client_id, issued.client_secret, ip="203.0.113.4"))
    assert not AccessToken.objects.filter(client=issued.client).exists()


def test_one_address_trying_many_client_ids_is_limited(world, teacher, client, settings):
    settings.POWERSCHOOL_TOKEN_RATE_LIMIT = "2/min"
    for n in range(2):
        assert token_request(client, f"made-up-{n}", "x").status_code == 401
    slowed_down(token_request(client, "made-up-3", "x"))
    issued = issue(teacher)  # another address is not held up by this one
    assert token_request(client, issued.client_id, issued.client_secret, ip="198.51.100.7").status_code == 200


def test_a_client_id_in_the_form_counts_as_in_the_header(world, client, settings):
    settings.POWERSCHOOL_TOKEN_RATE_LIMIT = "2/min"
    for n in range(3):
        response = client.post(
            "/oauth/access_token",
            f"grant_type=client_credentials&client_id=formed&client_secret=guess{n}",
            content_type="application/x-www-form-urlencoded",
            REMOTE_ADDR=f"203.0.113.{10 + n}",
        )
    slowed_down(response)


def test_an_address_written_by_the_client_does_not_reset_the_count(world, client, settings):
    settings.POWERSCHOOL_TOKEN_RATE_LIMIT = "2/min"
    for n in range(2):
        assert token_request(client, f"id-{n}", "x", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code == 401
    slowed_down(token_request(client, "id-9", "x", HTTP_X_FORWARDED_FOR="192.0.2.99"))


def test_behind_the_proxy_the_address_it_appended_is_counted(world, client, settings):
    settings.POWERSCHOOL_TOKEN_RATE_LIMIT = "2/min"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}  # BEHIND_PROXY=true
    for n in range(2):
        forwarded = f"192.0.2.{n}, 198.51.100.20"  # what the client wrote, then the proxy's entry
        assert token_request(client, f"id-{n}", "x", ip="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded).status_code == 401
    slowed_down(token_request(client, "id-9", "x", ip="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.20"))
    assert token_request(client, "id-8", "x", ip="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.21").status_code == 401


def test_the_slash_endpoint_shares_the_count(world, client, settings):
    settings.POWERSCHOOL_TOKEN_RATE_LIMIT = "2/min"
    assert token_request(client, "shared", "x").status_code == 401
    assert token_request(client, "shared", "x").status_code == 401
    response = client.post(
        "/oauth/access_token/",
        "grant_type=client_credentials",
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": "Basic " + base64.b64encode(b"shared:x").decode()},
        REMOTE_ADDR="198.51.100.50",
    )
    slowed_down(response)


@pytest.mark.parametrize("value, starts", [("off", True), ("5/min", True), ("lots", False)])
def test_a_bad_token_rate_limit_fails_at_start(value, starts):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(ROOT),
        "POWERSCHOOL_TOKEN_RATE_LIMIT": value,
        "SECRET_KEY": secrets.token_urlsafe(50),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert (result.returncode == 0) is starts, result.stderr[-500:]
    if not starts:
        assert "POWERSCHOOL_TOKEN_RATE_LIMIT must be like 30/min or off" in result.stderr
