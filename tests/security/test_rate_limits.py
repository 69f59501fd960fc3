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

from apps.api.models import ApiClient
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
