"""Secrets never reach the logs: failed sign-ins, a bad OAuth token request, API calls with
tokens in headers and query strings, 4xx answers and a 500 leave no password, token, client
secret, Authorization header or session id in any log record; error reports hide them too."""

from __future__ import annotations

import base64
import logging

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from django.views.debug import SafeExceptionReporterFilter

from apps.api.models import ApiClient
from attendance_site.urls import urlpatterns as site_urlpatterns
from tests.api.sections.conftest import oauth_header

PASSWORD_TRIED = "Tr0ub4dor-and-3-wrong"
EVERYTHING = ["read:attendance", "write:attendance"]


def failing_view(request):
    # Stands for any bug that puts a request's credentials into an exception message.
    raise RuntimeError(f"upstream refused Authorization: {request.headers.get('Authorization')}")


def ok_view(request):
    return HttpResponse("ok")


urlpatterns = [path("boom/", failing_view), path("ok/", ok_view), *site_urlpatterns]


@pytest.fixture
def captured(caplog, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    caplog.set_level(logging.DEBUG)
    return caplog


def assert_never_logged(caplog, secrets: list[str]):
    assert caplog.records, "nothing was logged: the test proves nothing"
    for record in caplog.records:
        texts = [record.getMessage(), record.exc_text or "", record.stack_info or "", repr(record.args)]
        for secret in secrets:
            for text in texts:
                assert secret not in text, f"{record.name}: {text[:300]}"
    for secret in secrets:
        assert secret not in caplog.text


def test_failed_sign_ins_log_no_password(client, teacher, captured):
    for _ in range(6):  # past the lockout, which logs too
        client.post("/accounts/login/", {"username": "teacher", "password": PASSWORD_TRIED})
    assert any(r.name.startswith("axes") for r in captured.records)
    assert_never_logged(captured, [PASSWORD_TRIED])


def test_api_calls_and_oauth_requests_log_no_token_or_secret(client, teacher, world, captured):
    issued = ApiClient.issue(name="sync", user=teacher, scopes=EVERYTHING)
    revoked = ApiClient.issue(name="old", user=teacher, scopes=EVERYTHING)
    revoked.client.revoke()
    secrets = [issued.token, issued.client_secret, revoked.token, revoked.client_secret]

    # ManageBac: a token in each of its three places, a good one and a revoked one (401).
    for token in (issued.token, revoked.token):
        client.get("/v2/classes", headers={"auth-token": token})
        client.get(f"/v2/classes?auth_token={token}")
        client.get("/v2/classes", headers={"Authorization": f"Bearer {token}"})
    client.get("/v2/classes/999999", headers={"auth-token": issued.token})  # 404
    # Course-offering: a bearer token, and a body that is not JSON (422).
    client.post(
        "/academic/attendance",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {issued.token}"},
    )
    # PowerSchool: a wrong secret (401), a secret in the form body, another grant (400), then a bad token.
    wrong = base64.b64encode(f"{issued.client_id}:{issued.client_secret}x".encode()).decode()
    client.post(
        "/oauth/access_token",
        "grant_type=client_credentials",
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": f"Basic {wrong}"},
    )
    client.post(
        "/oauth/access_token",
        f"grant_type=password&client_id={issued.client_id}&client_secret={issued.client_secret}",
        content_type="application/x-www-form-urlencoded",
    )
    client.get("/ws/v1/metadata", headers={"Authorization": f"Bearer {issued.token}"})
    # Section-style: signed with the client's secret, and signed wrongly (401).
    path_ = f"/v1/sections/{world.english.pk}/attendance"
    secret = issued.client.oauth1_secret()
    for key_secret in (secret, "not-the-secret"):
        header = oauth_header(method="GET", url=f"http://testserver{path_}", key=issued.client_id, secret=key_secret)
        client.get(path_, headers={"Authorization": header})
    assert_never_logged(captured, secrets)


@pytest.mark.urls(__name__)
def test_a_500_logs_its_traceback_without_the_credentials(teacher, captured):
    token = ApiClient.issue(name="sync", user=teacher, scopes=EVERYTHING).token
    client = Client(raise_request_exception=False)
    client.force_login(teacher)
    session_id = client.cookies["sessionid"].value
    response = client.get(f"/boom/?auth_token={token}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 500
    (error,) = [r for r in captured.records if r.name == "django.request" and r.levelno == logging.ERROR]
    assert "upstream refused Authorization: ********" in error.exc_text
    assert_never_logged(captured, [token, session_id])


def test_an_access_log_line_with_a_token_in_the_query_is_masked(captured):
    # The development server's access log writes the whole request line, query string included.
    logging.getLogger("django.server").info(
        '"%s" %s %s', "GET /v2/classes?auth_token=3f9c2e7a1b&page=2 HTTP/1.1", "200", "512"
    )
    assert captured.records[-1].getMessage() == '"GET /v2/classes?auth_token=******** HTTP/1.1" 200 512'.replace(
        "******** ", "********&page=2 "
    )
    assert_never_logged(captured, ["3f9c2e7a1b"])


@pytest.mark.parametrize(
    "line, secret",
    [
        ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
        ("headers {'Authorization': 'Bearer 0f8c1d2e-aaaa'}", "0f8c1d2e-aaaa"),
        ('{"client_secret": "s3cr3t-value", "name": "x"}', "s3cr3t-value"),
        ("password=hunter2-long&username=teacher", "hunter2-long"),
        ("Cookie: sessionid=abcdef123456; csrftoken=zzz", "abcdef123456"),
        ('OAuth oauth_consumer_key="k", oauth_signature="c2lnbmF0dXJl"', "c2lnbmF0dXJl"),
        ("HTTP_AUTH_TOKEN=tok-98765", "tok-98765"),
    ],
)
def test_the_scrubber_masks_each_kind_of_secret(captured, line, secret):
    logging.getLogger("apps.api").warning("request had %s", line)
    assert_never_logged(captured, [secret])
    assert "********" in captured.records[-1].getMessage()


def test_error_reports_hide_the_password_and_the_client_secret(client, teacher, db):
    # What Django puts in an error report (a mail to the admins) for these pages' POSTs.
    signed_in = client.post("/accounts/login/", {"username": "teacher", "password": PASSWORD_TRIED})
    issued = ApiClient.issue(name="sync", user=teacher, scopes=EVERYTHING)
    token = client.post(
        "/oauth/access_token",
        f"grant_type=client_credentials&client_id={issued.client_id}&client_secret={issued.client_secret}",
        content_type="application/x-www-form-urlencoded",
    )
    reporter = SafeExceptionReporterFilter()
    login_post = reporter.get_post_parameters(signed_in.wsgi_request)
    assert login_post["password"] != PASSWORD_TRIED and set(login_post["password"]) == {"*"}
    token_post = reporter.get_post_parameters(token.wsgi_request)
    assert token_post["client_secret"] != issued.client_secret and set(token_post["client_secret"]) == {"*"}
