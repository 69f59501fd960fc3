"""Fixtures for the course-offering dialect: bearer clients acting as a role, and the seed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest

from apps.api.models import ApiClient
from tests.seeds import seed_path

READ_WRITE = ("read:attendance", "write:attendance")
SEED = seed_path("003")


@dataclass
class Academic:
    """A course-offering client: a Django test client with a bearer token (and a school)."""

    client: object
    token: str | None
    school_id: str | None = None

    def headers(self) -> dict:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if self.school_id:
            headers["X-School-Id"] = str(self.school_id)
        return headers

    def get(self, **params):
        return self.client.get("/academic/attendance", params, headers=self.headers())

    def post(self, body):
        data = body if isinstance(body, str | bytes) else json.dumps(body, default=str)
        return self.client.post(
            "/academic/attendance", data=data, content_type="application/json", headers=self.headers()
        )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_as(client, db):
    """``api_as(user, scopes=...)`` is a course-offering client acting as that user."""

    def make(user, scopes=READ_WRITE, school_id=None) -> Academic:
        token = ApiClient.issue(name=f"{user.username} script", user=user, scopes=list(scopes)).token
        return Academic(client, token, school_id)

    return make


def seed_examples() -> list:
    """Every JSON body of seed 003, in order: the POST body, its record, and the list."""
    text = SEED.read_text()
    bodies = [json.loads(m) for m in re.findall(r"-d '(\{.*?\})'", text, flags=re.S)]
    decoder = json.JSONDecoder()
    for match in re.finditer(r"^[\[{]\s*$", text, flags=re.M):
        value, _ = decoder.raw_decode(text[match.start() :])
        bodies.append(value)
    return bodies


@pytest.fixture
def seed():
    if SEED is None:
        pytest.fail("seed 003 not found in tests/seeds")
    return seed_examples()
