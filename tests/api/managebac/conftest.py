"""Fixtures for the ManageBac dialect: clients with tokens, and a roll taken on a Monday."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from apps.api.models import ApiClient
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from tests import factories as f

READ_WRITE = ("read:attendance", "write:attendance")


@dataclass
class ManageBac:
    """A ManageBac client: paths are relative to the prefix (v2 or v2p1); the token goes in the
    ``auth-token`` header unless a test passes it another way."""

    client: object
    prefix: str
    token: str | None = None

    def url(self, path: str) -> str:
        return f"/{self.prefix}/{path}"

    def headers(self) -> dict:
        return {"auth-token": self.token} if self.token else {}

    def get(self, path: str, **params):
        return self.client.get(self.url(path), params, headers=self.headers())

    def send(self, method: str, path: str, body=None):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        call = getattr(self.client, method.lower())
        return call(self.url(path), data=data, content_type="application/json", headers=self.headers())

    def put(self, path: str, body=None):
        return self.send("PUT", path, body)

    def post(self, path: str, body=None):
        return self.send("POST", path, body)

    def patch(self, path: str, body=None):
        return self.send("PATCH", path, body)

    def delete(self, path: str):
        return self.client.delete(self.url(path), headers=self.headers())


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The world fixture makes several logins; the default hasher is slow by design.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(params=["v2", "v2p1"])
def prefix(request):
    return request.param


@pytest.fixture
def issue_token(db):
    def issue(user, scopes=READ_WRITE) -> str:
        return ApiClient.issue(name=f"{user.username} script", user=user, scopes=list(scopes)).token

    return issue


@pytest.fixture
def api_as(client, issue_token):
    """``api_as(user, scopes=..., prefix="v2p1")`` is a ManageBac client acting as that user."""

    def make(user, scopes=READ_WRITE, prefix="v2p1") -> ManageBac:
        return ManageBac(client, prefix, issue_token(user, scopes))

    return make


@pytest.fixture
def monday(world):
    """The last Monday: inside the class's dates, the school year and the teacher's edit window."""
    return f.last_weekday(world.school, 1)


@pytest.fixture
def taken_roll(world, monday):
    """7A English on Monday: periods 1 and 3 marked for every student; homeroom marked too."""
    s0, s1, s2 = world.students
    present, absent, late, default = (f.code(world.school, n) for n in (1, 0, 2, -1))
    f.saved(
        record_class_marks(
            actor=None,
            school=world.school,
            channel="web",
            marks=[
                ClassMarkInput(world.english.pk, s0.pk, monday, 1, present.pk),
                ClassMarkInput(world.english.pk, s0.pk, monday, 3, absent.pk, note="Left for an appointment."),
                ClassMarkInput(world.english.pk, s1.pk, monday, 1, default.pk),
                ClassMarkInput(world.english.pk, s1.pk, monday, 3, late.pk),
                ClassMarkInput(world.english.pk, s2.pk, monday, 1, present.pk),
                ClassMarkInput(world.english.pk, s2.pk, monday, 3, present.pk),
            ],
        )
    )
    f.saved(
        record_daily_marks(
            actor=None,
            school=world.school,
            channel="web",
            marks=[
                DailyMarkInput(s0.pk, monday, default.pk),
                DailyMarkInput(s1.pk, monday, absent.pk, note="Dentist."),
                DailyMarkInput(s2.pk, monday, late.pk),
            ],
        )
    )
    return monday
