"""Fixtures for the section-style dialect: OAuth 1.0a clients that sign like Schoology's SDKs,
and the marks a section's roll leaves."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import pytest
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_PLAINTEXT, Client
from oauthlib.oauth1.rfc5849 import signature
from oauthlib.oauth1.rfc5849.utils import escape

from apps.api.models import ApiClient
from apps.classes.services import ClassMarkInput, record_class_marks
from tests import factories as f

READ_WRITE = ("read:attendance", "write:attendance")


def oauth_header(
    *,
    method: str,
    url: str,
    key: str,
    secret: str,
    signature_method: str = SIGNATURE_HMAC_SHA1,
    realm: str | None = "Schoology API",
    nonce: str | None = None,
    timestamp: int | None = None,
) -> str:
    """An Authorization header as Schoology's PHP SDK writes it: a realm and an empty
    ``oauth_token``, signed with oauthlib's signature functions."""
    oauth = [
        ("oauth_consumer_key", key),
        ("oauth_token", ""),
        ("oauth_nonce", nonce or uuid.uuid4().hex),
        ("oauth_timestamp", str(timestamp or int(time.time()))),
        ("oauth_signature_method", signature_method),
        ("oauth_version", "1.0"),
    ]
    if signature_method == SIGNATURE_PLAINTEXT:
        signed = signature.sign_plaintext(secret, "")
    else:
        query = url.partition("?")[2]
        params = signature.collect_parameters(uri_query=query) + oauth
        base = signature.signature_base_string(
            method.upper(), signature.base_string_uri(url), signature.normalize_parameters(params)
        )
        signed = signature.sign_hmac_sha1_with_client(base, Client(key, client_secret=secret))
    parts = [(f'realm="{realm}"')] if realm is not None else []
    parts += [f'{name}="{escape(value)}"' for name, value in [*oauth, ("oauth_signature", signed)]]
    return "OAuth " + ", ".join(parts)


@dataclass
class Sections:
    """A section-style client through Django's test client; every request is signed for the
    URL it reaches (``http://testserver`` unless ``host`` says otherwise)."""

    client: object
    key: str
    secret: str
    host: str = "testserver"
    signed_host: str | None = None
    signature_method: str = SIGNATURE_HMAC_SHA1
    realm: str | None = "Schoology API"
    secure: bool = False  # over HTTPS (PLAINTEXT signatures need it)
    last_authorization: str = field(default="", init=False)

    def url(self, path: str, params: dict | None = None) -> str:
        query = f"?{urlencode(params)}" if params else ""
        return f"/v1/{path}{query}"

    def authorization(self, method: str, path: str, *, secret: str | None = None, **overrides) -> str:
        scheme = "https" if self.signed_host or self.secure else "http"
        header = oauth_header(
            method=method,
            url=f"{scheme}://{self.signed_host or self.host}{path}",
            key=self.key,
            secret=self.secret if secret is None else secret,
            signature_method=self.signature_method,
            realm=self.realm,
            **overrides,
        )
        self.last_authorization = header
        return header

    def get(self, path: str, params: dict | None = None, *, accept: str = "application/json", **overrides):
        url = self.url(path, params)
        return self.client.get(
            url,
            headers={"Authorization": self.authorization("GET", url, **overrides), "Accept": accept},
            HTTP_HOST=self.host,
            secure=self.secure,
        )

    def follow(self, absolute_url: str):
        """GET a URL the API handed out (``links.next``), signed as it stands."""
        split = urlsplit(absolute_url)
        url = f"{split.path}?{split.query}" if split.query else split.path
        return self.client.get(url, headers={"Authorization": self.authorization("GET", url)}, HTTP_HOST=split.netloc)

    def put(self, path: str, body, *, content_type: str = "application/json", accept: str | None = None, **overrides):
        url = self.url(path)
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        headers = {"Authorization": self.authorization("PUT", url, **overrides)}
        if accept:
            headers["Accept"] = accept
        return self.client.put(
            url, data=data, content_type=content_type, headers=headers, HTTP_HOST=self.host, secure=self.secure
        )

    def replay(self, method: str, path: str, params: dict | None = None, body=None):
        """The last request again, with the very same Authorization header."""
        url = self.url(path, params)
        headers = {"Authorization": self.last_authorization}
        if method == "GET":
            return self.client.get(url, headers=headers, HTTP_HOST=self.host)
        return self.client.put(
            url, data=json.dumps(body), content_type="application/json", headers=headers, HTTP_HOST=self.host
        )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The world fixture makes several logins; the default hasher is slow by design.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sections_for(client, user, scopes=READ_WRITE) -> Sections:
    issued = ApiClient.issue(name=f"Schoology sync for {user.username}", user=user, scopes=list(scopes))
    return Sections(client=client, key=issued.client_id, secret=issued.client.oauth1_secret())


@pytest.fixture
def teacher_api(client, teacher) -> Sections:
    return sections_for(client, teacher)


@pytest.fixture
def admin_api(client, admin) -> Sections:
    return sections_for(client, admin)


@pytest.fixture
def monday(world):
    """Last Monday inside the teacher's edit window (7A English meets in periods 1 and 3)."""
    return f.last_weekday(world.school, 1)


def mark(world, student, day, period, mb_status, note="", school_class=None):
    """Take a mark through the one write path, as the school's admin."""
    [result] = record_class_marks(
        actor=None,
        school=world.school,
        marks=[
            ClassMarkInput(
                school_class_id=(school_class or world.english).pk,
                student_id=student.pk,
                date=day,
                period=period,
                code_id=f.code(world.school, mb_status).pk,
                note=note,
            )
        ],
        channel="web",
    )
    assert result.ok, result.errors
    return result.mark


def enrollment_of(world, student, school_class=None):
    return (school_class or world.english).enrollments.get(student=student)
