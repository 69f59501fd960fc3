"""PowerSchool's token endpoint: OAuth2 client credentials through oauthlib, tokens stored
hashed with their expiry in ``AccessToken``."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, unquote

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from oauthlib.oauth2 import BackendApplicationServer, RequestValidator
from oauthlib.oauth2.rfc6749.errors import TemporarilyUnavailableError

from apps.api.models import AccessToken, ApiClient, hash_secret
from apps.api.throttling import SettingRateThrottle
from attendance_site.unavailable import answer_unavailable

DEFAULT_TOKEN_SECONDS = 3600


def token_seconds(request=None) -> int:
    """How long an access token lives: ``POWERSCHOOL_TOKEN_SECONDS`` in settings, else an hour."""
    return int(getattr(settings, "POWERSCHOOL_TOKEN_SECONDS", DEFAULT_TOKEN_SECONDS))


@sensitive_variables("header", "value", "decoded", "secret")
def basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    # RFC 6749 2.3.1: both parts are form-encoded before they are joined.
    return (unquote(client_id), unquote(secret)) if sep else None


class ClientCredentialsValidator(RequestValidator):
    @sensitive_variables("credentials", "secret")
    def authenticate_client(self, request, *args, **kwargs) -> bool:
        credentials = basic_credentials(request.headers.get("Authorization", ""))
        if credentials is None:
            # RFC 6749 also allows the pair in the form body.
            credentials = (request.client_id or "", getattr(request, "client_secret", None) or "")
        client_id, secret = credentials
        client = ApiClient.objects.by_client_id(client_id)
        if client is None or not client.check_secret(secret):
            return False
        request.client = client
        return True

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs) -> bool:
        return grant_type == "client_credentials"

    def get_default_scopes(self, client_id, request, *args, **kwargs) -> list[str]:
        return []

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs) -> bool:
        # The token carries the client's own scopes; a narrower request changes nothing.
        return True

    @sensitive_variables("token")
    def save_bearer_token(self, token, request, *args, **kwargs) -> None:
        now = timezone.now()
        # Expired tokens of this client are of no use to anyone: drop them as it asks for a new one.
        AccessToken.objects.filter(client=request.client, expires_at__lte=now).delete()
        AccessToken.objects.create(
            client=request.client,
            token_hash=hash_secret(token["access_token"]),
            expires_at=now + timedelta(seconds=token["expires_in"]),
        )


class TokenRequestThrottle(SettingRateThrottle):
    """Token requests, right or wrong, at ``POWERSCHOOL_TOKEN_RATE_LIMIT``: so that nobody can try
    secret after secret. Counted before the credentials are checked."""

    rate_setting = "POWERSCHOOL_TOKEN_RATE_LIMIT"


class TokenClientIdThrottle(TokenRequestThrottle):
    """Per client id asked for (HTTP Basic, or the form's ``client_id``), whatever the address."""

    scope = "powerschool_token_client"

    def get_cache_key(self, request, view) -> str | None:
        client_id = requested_client_id(request._request)
        return self.key_for(client_id) if client_id else None


class TokenAddressThrottle(TokenRequestThrottle):
    """Per calling address (behind the proxy, the address it reports: REST_FRAMEWORK NUM_PROXIES)."""

    scope = "powerschool_token_address"

    def get_cache_key(self, request, view) -> str | None:
        return self.key_for(self.get_ident(request))


@sensitive_variables("credentials")
def requested_client_id(request) -> str:
    """The client id a token request names, before anything is checked."""
    credentials = basic_credentials(request.headers.get("Authorization", ""))
    if credentials is not None:
        return credentials[0]
    if "application/x-www-form-urlencoded" not in request.headers.get("Content-Type", ""):
        return ""
    try:
        body = request.body  # read once and kept: oauthlib reads it again
    except RequestDataTooBig:
        return ""  # the view answers 413
    return parse_qs(body.decode("utf-8", "replace")).get("client_id", [""])[0]


server = BackendApplicationServer(
    ClientCredentialsValidator(),
    token_generator=lambda request, refresh_token=False: str(uuid.uuid4()),
    token_expires_in=token_seconds,
)


def issue_access_token(*, uri: str, body: str, headers: dict) -> tuple[int, dict, dict]:
    """Status, headers and body of the answer to a token request, in PowerSchool's shape:
    ``{"access_token", "token_type": "Bearer", "expires_in": "<seconds as a string>"}``."""
    answer_headers, answer_body, status = server.create_token_response(uri, "POST", body, headers)
    data = json.loads(answer_body or "{}")
    if status == 200:
        data = {"access_token": data["access_token"], "token_type": "Bearer", "expires_in": str(data["expires_in"])}
    return status, dict(answer_headers or {}), data


@answer_unavailable("/oauth/")
def unavailable(exc) -> JsonResponse:
    """The token endpoint answers in OAuth2's error shape (oauthlib's), like its other errors."""
    error = TemporarilyUnavailableError(description=str(exc.detail))
    return JsonResponse(dict(error.twotuples), status=exc.status_code)
