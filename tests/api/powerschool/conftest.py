"""Fixtures for the PowerSchool dialect: clients with access tokens, and record builders."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

import pytest

from apps.api.models import ApiClient
from apps.school.models import AcademicYear
from tests import factories as f

READ_WRITE = ("read:attendance", "write:attendance")


@dataclass
class PowerSchool:
    client: object
    token: str | None

    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params):
        return self.client.get(path, params, headers=self.headers())

    def post(self, path: str, body):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.post(path, data=data, content_type="application/json", headers=self.headers())


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


@pytest.fixture
def ps_as(client, db):
    """``ps_as(user, scopes=...)``: a PowerSchool client that has fetched its access token."""

    def make(user, scopes=READ_WRITE) -> PowerSchool:
        issued = ApiClient.issue(name=f"{user.username} plugin", user=user, scopes=list(scopes))
        response = client.post(
            "/oauth/access_token",
            "grant_type=client_credentials",
            content_type="application/x-www-form-urlencoded",
            headers={"Authorization": basic(issued.client_id, issued.client_secret)},
        )
        assert response.status_code == 200, response.content
        return PowerSchool(client, response.json()["access_token"])

    return make


def record(**fields) -> dict:
    return {"name": "attendance", "tables": {"attendance": {k: str(v) for k, v in fields.items()}}}


def payload(*records) -> dict:
    return {"name": "attendance", "record": list(records)}


@pytest.fixture
def ids(world):
    """Ids a plugin would send for the world's school, and a Monday the class meets."""
    school = world.school
    year = AcademicYear.objects.get(school=school)
    monday = f.last_weekday(school, 1)
    return {
        "schoolid": school.number,
        "yearid": year.pk,
        "att_date": monday.isoformat(),
        "absent": f.code(school, 0).pk,
        "late": f.code(school, 2).pk,
        "present": f.code(school, 1).pk,
    }
