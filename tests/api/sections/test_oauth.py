"""OAuth 1.0a two-legged: real clients signing over HTTP, and every way a request is refused."""

from __future__ import annotations

import time

import pytest
import requests
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_PLAINTEXT
from requests_oauthlib import OAuth1

from apps.api.models import ApiClient, OAuthNonce
from apps.classes.models import ClassMark
from tests.api.sections.conftest import READ_WRITE, enrollment_of, mark, oauth_header, sections_for

live = pytest.mark.django_db(transaction=True)


def issue(user, scopes=READ_WRITE):
    issued = ApiClient.issue(name="Schoology sync", user=user, scopes=list(scopes))
    return issued.client_id, issued.client.oauth1_secret()


@live
@pytest.mark.parametrize("method", [SIGNATURE_HMAC_SHA1, SIGNATURE_PLAINTEXT])
def test_requests_oauthlib_client_reads_attendance(live_server, world, teacher, monday, method, settings):
    # TLS ends at the proxy, which says so (BEHIND_PROXY): PLAINTEXT is taken only then.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    mark(world, world.students[0], monday, 1, 0, note="flu")
    key, secret = issue(teacher)

    response = requests.get(
        f"{live_server.url}/v1/sections/{world.english.pk}/attendance",
        params={"start": monday.isoformat(), "end": monday.isoformat()},
        headers={"X-Forwarded-Proto": "https"},
        auth=OAuth1(key, client_secret=secret, signature_method=method),
        timeout=30,
    )

    assert response.status_code == 200, response.text
    [day] = response.json()["date"]
    assert day["statuses"]["status"][0]["attendances"]["attendance"][0]["comment"] == "flu"


@live
@pytest.mark.parametrize("method", [SIGNATURE_HMAC_SHA1, SIGNATURE_PLAINTEXT])
def test_requests_oauthlib_client_writes_attendance_in_xml(live_server, world, teacher, monday, method, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    key, secret = issue(teacher)
    enrollment = enrollment_of(world, world.students[1])
    body = (
        '<?xml version="1.0" encoding="utf-8" ?><result><attendances><attendance>'
        f"<enrollment_id>{enrollment.pk}</enrollment_id><date>{monday}</date><status>3</status>"
        "<comment>bus was late</comment></attendance></attendances></result>"
    )

    response = requests.put(
        f"{live_server.url}/v1/sections/{world.english.pk}/attendance",
        data=body.encode(),
        headers={"Content-Type": "text/xml", "Accept": "text/xml", "X-Forwarded-Proto": "https"},
        auth=OAuth1(key, client_secret=secret, signature_method=method, realm="Schoology API"),
        timeout=30,
    )

    assert response.status_code == 200, response.text
    assert "<response_code>200</response_code>" in response.text
    marks = ClassMark.objects.filter(student=world.students[1], date=monday)
    assert sorted(m.period.number for m in marks) == [1, 3]
    assert {m.code.mb_status for m in marks} == {2} and {m.note for m in marks} == {"bus was late"}


@live
def test_requests_oauthlib_client_with_a_wrong_secret_is_refused(live_server, world, teacher):
    key, _ = issue(teacher)

    response = requests.get(
        f"{live_server.url}/v1/sections/{world.english.pk}/enrollments",
        auth=OAuth1(key, client_secret="not-the-secret"),
        timeout=30,
    )

    assert response.status_code == 401
    assert response.text == "Invalid OAuth signature"


@live
@pytest.mark.parametrize("secret", ["right", "wrong"])
def test_plaintext_over_plain_http_is_refused_whatever_the_secret(live_server, world, teacher, secret):
    key, real = issue(teacher)
    before = OAuthNonce.objects.count()

    response = requests.get(
        f"{live_server.url}/v1/sections/{world.english.pk}/enrollments",
        auth=OAuth1(key, client_secret=real if secret == "right" else "guess", signature_method=SIGNATURE_PLAINTEXT),
        timeout=30,
    )

    assert response.status_code == 401
    assert response.text == "PLAINTEXT signatures send the secret itself: use HTTPS, or sign with HMAC-SHA1"
    assert OAuthNonce.objects.count() == before  # nothing of it was taken


def test_plaintext_trusts_x_forwarded_proto_only_behind_the_documented_proxy(client, teacher, world, settings):
    api = sections_for(client, teacher)
    api.signature_method = SIGNATURE_PLAINTEXT
    path = f"/v1/sections/{world.english.pk}/enrollments"

    def get():
        return client.get(path, headers={"Authorization": api.authorization("GET", path), "X-Forwarded-Proto": "https"})

    settings.SECURE_PROXY_SSL_HEADER = None  # BEHIND_PROXY off: anyone could send the header
    assert get().status_code == 401
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # BEHIND_PROXY=true
    assert get().status_code == 200


@pytest.mark.parametrize("realm", ["Schoology API", None])
@pytest.mark.parametrize("method", [SIGNATURE_HMAC_SHA1, SIGNATURE_PLAINTEXT])
def test_header_with_or_without_realm_and_an_empty_token(client, teacher, world, realm, method):
    api = sections_for(client, teacher)
    api.realm, api.signature_method = realm, method
    api.secure = method == SIGNATURE_PLAINTEXT

    response = api.get(f"sections/{world.english.pk}/enrollments", {"start": 0, "limit": 20})

    assert response.status_code == 200
    assert 'oauth_token=""' in api.last_authorization
    assert ("realm=" in api.last_authorization) is (realm is not None)


def test_bad_signature_is_a_401_with_one_line(client, teacher, world):
    api = sections_for(client, teacher)
    url = f"/v1/sections/{world.english.pk}/attendance"
    header = oauth_header(method="GET", url=f"http://testserver{url}?start=0", key=api.key, secret=api.secret)

    # Signed without a parameter the request then carries.
    response = client.get(url, {"start": 0, "enrollment_id": 1}, headers={"Authorization": header})

    assert response.status_code == 401
    assert response.content == b"Invalid OAuth signature"
    assert response["Content-Type"].startswith("text/plain")
    assert response["WWW-Authenticate"].startswith("OAuth")


def test_wrong_secret_is_refused(client, teacher, world):
    api = sections_for(client, teacher)

    response = api.get(f"sections/{world.english.pk}/attendance", secret="a-guessed-secret")

    assert response.status_code == 401
    assert response.content == b"Invalid OAuth signature"


def test_unknown_key_gets_the_same_answer_as_a_bad_signature(client, teacher, world):
    api = sections_for(client, teacher)
    api.key = "0123456789abcdef01234567"

    response = api.get(f"sections/{world.english.pk}/attendance")

    assert response.status_code == 401
    assert response.content == b"Invalid OAuth signature"


def test_missing_authorization_is_a_401(client, world):
    response = client.get(f"/v1/sections/{world.english.pk}/attendance")

    assert response.status_code == 401
    assert response.content == b"OAuth 1.0a authorization required"


def test_replayed_nonce_is_refused_and_changes_nothing(client, teacher, world, monday):
    api = sections_for(client, teacher)
    enrollment = enrollment_of(world, world.students[0])
    path = f"sections/{world.english.pk}/attendance"
    body = {"attendances": {"attendance": [{"enrollment_id": enrollment.pk, "date": str(monday), "status": 2}]}}
    assert api.put(path, body).status_code == 200
    ClassMark.objects.all().delete()

    response = api.replay("PUT", path, body=body)

    assert response.status_code == 401
    assert response.content == b"OAuth nonce has already been used"
    assert not ClassMark.objects.exists()


def test_replayed_get_is_refused(client, teacher, world):
    api = sections_for(client, teacher)
    path = f"sections/{world.english.pk}/enrollments"
    assert api.get(path).status_code == 200

    response = api.replay("GET", path)

    assert response.status_code == 401
    assert response.content == b"OAuth nonce has already been used"
    assert OAuthNonce.objects.count() == 1


@pytest.mark.parametrize("skew", [-3600, 3600])
def test_stale_or_future_timestamp_is_refused(client, teacher, world, skew):
    api = sections_for(client, teacher)

    response = api.get(f"sections/{world.english.pk}/attendance", timestamp=int(time.time()) + skew)

    assert response.status_code == 401
    assert b"timestamp" in response.content and b"\n" not in response.content


def test_unsupported_signature_method_is_refused(client, teacher, world):
    api = sections_for(client, teacher)
    api.signature_method = "HMAC-SHA256"

    response = api.get(f"sections/{world.english.pk}/attendance")

    assert response.status_code == 401
    assert b"HMAC-SHA1 or PLAINTEXT" in response.content


def test_three_legged_token_is_refused(client, teacher, world):
    api = sections_for(client, teacher)
    url = f"/v1/sections/{world.english.pk}/attendance"
    header = oauth_header(method="GET", url=f"http://testserver{url}", key=api.key, secret=api.secret)
    header = header.replace('oauth_token=""', 'oauth_token="someaccesstoken123456"')

    response = client.get(url, headers={"Authorization": header})

    assert response.status_code == 401
    assert b"two-legged" in response.content


def test_revoked_client_is_refused(client, teacher, world):
    api = sections_for(client, teacher)
    ApiClient.objects.get(client_id=api.key).revoke()

    response = api.get(f"sections/{world.english.pk}/attendance")

    assert response.status_code == 401


def test_signature_for_the_vendor_host_is_accepted_when_allowed(client, teacher, world, settings):
    settings.SECTIONS_SIGNED_HOSTS = ["api.schoology.com"]
    api = sections_for(client, teacher)
    api.signed_host = "api.schoology.com"  # the client signs https://api.schoology.com/v1/...

    response = api.get(f"sections/{world.english.pk}/attendance", {"start": 0})

    assert response.status_code == 200


def test_signature_for_the_vendor_host_is_refused_unless_allowed(client, teacher, world, settings):
    settings.SECTIONS_SIGNED_HOSTS = []
    api = sections_for(client, teacher)
    api.signed_host = "api.schoology.com"

    response = api.get(f"sections/{world.english.pk}/attendance")

    assert response.status_code == 401
    assert response.content == b"Invalid OAuth signature"


def test_vendor_host_header_is_accepted_when_allowed(client, teacher, world, settings):
    # A client (or a proxy in front of us) sends Host: api.schoology.com.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "api.schoology.com"]
    settings.SECTIONS_SIGNED_HOSTS = ["api.schoology.com"]
    api = sections_for(client, teacher)
    api.host = "api.schoology.com"

    response = api.get(f"sections/{world.english.pk}/enrollments")

    assert response.status_code == 200
    assert response.json()["links"]["self"].startswith("http://api.schoology.com/v1/")


def test_nonces_older_than_the_timestamp_window_are_forgotten(client, teacher, world):
    api = sections_for(client, teacher)
    old = OAuthNonce.objects.create(client_key=api.key, nonce="old-nonce-0001", timestamp=1)
    OAuthNonce.objects.filter(pk=old.pk).update(created_at="2000-01-01T00:00:00Z")

    assert api.get(f"sections/{world.english.pk}/enrollments").status_code == 200

    assert not OAuthNonce.objects.filter(pk=old.pk).exists()
    assert OAuthNonce.objects.count() == 1


@live
def test_the_documented_walk_through(live_server, world, teacher, monday):
    """Roster, then a JSON write, then the read, as the Python example in docs/api-sections.md does it."""
    key, secret = issue(teacher)
    auth = OAuth1(key, client_secret=secret)
    base = f"{live_server.url}/v1/sections/{world.english.pk}"

    roster = requests.get(f"{base}/enrollments", auth=auth, timeout=30).json()
    student = next(row for row in roster["enrollment"] if row["admin"] == 0)
    reply = requests.put(
        f"{base}/attendance",
        auth=auth,
        json={"attendances": {"attendance": [{"enrollment_id": student["id"], "date": str(monday), "status": 2}]}},
        timeout=30,
    ).json()
    week = requests.get(f"{base}/attendance", params={"start": str(monday), "end": str(monday)}, auth=auth, timeout=30)

    assert reply["attendance"][0]["response_code"] == 200
    [day] = week.json()["date"]
    [record] = day["statuses"]["status"][0]["attendances"]["attendance"]
    assert (str(record["enrollment_id"]), record["status"]) == (student["id"], 2)


@live
def test_oauth_parameters_in_the_query_string(live_server, world, teacher):
    key, secret = issue(teacher)

    response = requests.get(
        f"{live_server.url}/v1/sections/{world.english.pk}/enrollments",
        auth=OAuth1(key, client_secret=secret, signature_type="query"),
        timeout=30,
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "attendance"), ("put", "attendance"), ("get", "enrollments"), ("get", "enrollments/1")],
)
def test_anonymous_requests_are_401_on_every_endpoint(client, world, method, path):
    response = getattr(client, method)(f"/v1/sections/{world.english.pk}/{path}")

    assert response.status_code == 401
    assert response.content == b"OAuth 1.0a authorization required"
