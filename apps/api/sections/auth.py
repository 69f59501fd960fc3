"""OAuth 1.0a two-legged request signing for the section-style dialect, checked by oauthlib."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_PLAINTEXT, RequestValidator, SignatureOnlyEndpoint
from oauthlib.oauth1.rfc5849 import errors as oauth_errors
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from apps.api.models import ApiClient, OAuthNonce

# Seconds a timestamp may differ from our clock; a nonce need only be remembered this long.
TIMESTAMP_LIFETIME = 600
# Writing last_used_at on every request would turn every read into a write.
NONCE_PATTERN = re.compile(r"[A-Za-z0-9._~-]{8,255}")
CLIENT_KEY_PATTERN = re.compile(r"[A-Za-z0-9._~-]{1,64}")

MISSING = "OAuth 1.0a authorization required"
INVALID_SIGNATURE = "Invalid OAuth signature"
REPLAYED = "OAuth nonce has already been used"
STALE = f"OAuth timestamp is more than {TIMESTAMP_LIFETIME} seconds away from the server's clock"
THREE_LEGGED = "Only two-legged OAuth is supported: send an empty oauth_token"
PLAINTEXT_NEEDS_HTTPS = "PLAINTEXT signatures send the secret itself: use HTTPS, or sign with HMAC-SHA1"


def signed_hosts() -> list[str]:
    """Hosts a client may have signed its URLs for besides the one it reached (for instance
    the vendor's ``api.schoology.com``, when a client has that host built in)."""
    return [h.strip().lower() for h in getattr(settings, "SECTIONS_SIGNED_HOSTS", []) if h.strip()]


def candidate_uris(request) -> list[str]:
    """The URLs the client may have signed: the one it reached, then the same path and query
    on each allowed signed host. Both schemes are tried because TLS often ends at a proxy
    that the request then reaches over plain HTTP."""
    reached = request.build_absolute_uri()
    parts = urlsplit(reached)
    other_scheme = "http" if parts.scheme == "https" else "https"
    uris = [reached, urlunsplit(parts._replace(scheme=other_scheme))]
    for host in signed_hosts():
        for scheme in ("https", "http"):
            uri = urlunsplit(parts._replace(scheme=scheme, netloc=host))
            if uri not in uris:
                uris.append(uri)
    return uris


class SectionsRequestValidator(RequestValidator):
    """Looks clients up by ``client_id`` and remembers why a request was refused.

    One instance serves one incoming request, which may be checked against several candidate
    URLs: the client and the nonce check are looked up once, in one query. The nonce is only recorded once
    a signature has been verified (``record_nonce``), so trying several URLs does not make
    the request replay itself, and a forged request cannot burn a genuine client's nonce."""

    # HMAC-SHA1 over HTTP is allowed (production redirects to HTTPS, SECURE_SSL_REDIRECT); PLAINTEXT
    # needs HTTPS, checked in verify_request against request.is_secure(), which knows the proxy.
    enforce_ssl = False
    timestamp_lifetime = TIMESTAMP_LIFETIME
    allowed_signature_methods = (SIGNATURE_HMAC_SHA1, SIGNATURE_PLAINTEXT)
    dummy_client = "dummy-client-key"
    dummy_secret = "dummy-client-secret-for-constant-time"

    def __init__(self):
        super().__init__()
        self.refusal: str | None = None
        self._clients: dict[str, ApiClient | None] = {}
        self._nonce_seen: dict[tuple, bool] = {}

    def refuse(self, message: str) -> None:
        if self.refusal is None:
            self.refusal = message

    def check_client_key(self, client_key: str) -> bool:
        return bool(CLIENT_KEY_PATTERN.fullmatch(client_key))

    def check_nonce(self, nonce: str) -> bool:
        return bool(NONCE_PATTERN.fullmatch(nonce))

    def client_for(self, client_key: str) -> ApiClient | None:
        if client_key not in self._clients:
            self._clients[client_key] = ApiClient.objects.by_client_id(client_key)
        return self._clients[client_key]

    def nonce_seen(self, client_key: str, nonce: str, timestamp: int) -> bool:
        """Whether the nonce was used already, read with the client (oauthlib checks the nonce
        first, then the client): one query for a known client, a second for an unknown one."""
        used = OAuthNonce.objects.filter(client_key=client_key, nonce=nonce, timestamp=timestamp)
        row = (
            ApiClient.objects.filter(client_id=client_key)
            .select_related("user")
            .annotate(nonce_seen=Exists(used), usable=Exists(ApiClient.objects.active().filter(pk=OuterRef("pk"))))
            .first()
        )
        if row is None:
            self._clients.setdefault(client_key, None)
            return used.exists()
        self._clients.setdefault(client_key, row if row.usable else None)
        return row.nonce_seen

    def validate_client_key(self, client_key: str, request) -> bool:
        return self.client_for(client_key) is not None

    @sensitive_variables("secret")
    def get_client_secret(self, client_key: str, request) -> str:
        client = self._clients.get(client_key)
        secret = client.oauth1_secret() if client is not None else None
        return secret or self.dummy_secret

    def get_access_token_secret(self, client_key, token, request) -> str:
        # Two-legged only: a request carrying a token is refused after the check anyway.
        return self.dummy_secret

    def validate_timestamp_and_nonce(
        self, client_key, timestamp, nonce, request, request_token=None, access_token=None
    ):
        key = (client_key, nonce, int(timestamp))
        if key not in self._nonce_seen:
            self._nonce_seen[key] = self.nonce_seen(*key)
        if self._nonce_seen[key]:
            self.refuse(REPLAYED)
            return False
        return True

    def record_nonce(self, client_key: str, timestamp: str, nonce: str) -> bool:
        """Remember the nonce; False if a concurrent request with it got there first."""
        # Nonces older than the timestamp window can never be replayed: forget them.
        OAuthNonce.objects.filter(created_at__lt=timezone.now() - timedelta(seconds=2 * TIMESTAMP_LIFETIME)).delete()
        try:
            with transaction.atomic():
                OAuthNonce.objects.create(client_key=client_key, nonce=nonce, timestamp=int(timestamp))
        except IntegrityError:
            return False
        return True


class SectionsSignatureEndpoint(SignatureOnlyEndpoint):
    """oauthlib's signature-only endpoint, keeping the reason of a refusal for the 401 body."""

    def _check_mandatory_parameters(self, request):
        try:
            super()._check_mandatory_parameters(request)
        except oauth_errors.OAuth1Error as error:
            description = str(error.description or "")
            if "Timestamp given is invalid" in description:
                self.request_validator.refuse(STALE)
            elif "Invalid signature" in description:
                self.request_validator.refuse(
                    f"Unsupported OAuth signature method {request.signature_method!r}: use HMAC-SHA1 or PLAINTEXT"
                )
            else:
                self.request_validator.refuse(f"Invalid OAuth request: {description}")
            raise


def oauth_headers(request) -> dict[str, str]:
    headers = {}
    if request.META.get("HTTP_AUTHORIZATION"):
        headers["Authorization"] = request.META["HTTP_AUTHORIZATION"]
    if request.META.get("CONTENT_TYPE"):
        headers["Content-Type"] = request.META["CONTENT_TYPE"]
    return headers


def verify_request(request) -> ApiClient:
    """The API client that signed this Django request, or AuthenticationFailed with a
    one-line reason."""
    headers = oauth_headers(request)
    has_oauth = "oauth_signature" in headers.get("Authorization", "") or "oauth_signature" in request.GET
    if not has_oauth:
        raise exceptions.AuthenticationFailed(MISSING)
    content_type = headers.get("Content-Type", "")
    # Only a form-encoded body takes part in the signature (RFC 5849, 3.4.1.3.1).
    body = request.body.decode("utf-8", "replace") if "application/x-www-form-urlencoded" in content_type else ""
    validator = SectionsRequestValidator()
    endpoint = SectionsSignatureEndpoint(validator)
    for uri in candidate_uris(request):
        valid, oauth_request = endpoint.validate_request(uri, request.method, body=body, headers=headers)
        if oauth_request is None:
            raise exceptions.AuthenticationFailed(validator.refusal or "Invalid OAuth Authorization header")
        # Over plain HTTP a PLAINTEXT signature is the secret in the clear: refused, right or wrong.
        # Behind a proxy that ends TLS, request.is_secure() trusts X-Forwarded-Proto (BEHIND_PROXY).
        if oauth_request.signature_method == SIGNATURE_PLAINTEXT and not request.is_secure():
            raise exceptions.AuthenticationFailed(PLAINTEXT_NEEDS_HTTPS)
        if oauth_request.resource_owner_key:
            raise exceptions.AuthenticationFailed(THREE_LEGGED)
        if validator.refusal is not None:
            # Stale, replayed or malformed: the same answer whatever URL was signed.
            raise exceptions.AuthenticationFailed(validator.refusal)
        if valid:
            if not validator.record_nonce(oauth_request.client_key, oauth_request.timestamp, oauth_request.nonce):
                raise exceptions.AuthenticationFailed(REPLAYED)
            return validator.client_for(oauth_request.client_key)
    raise exceptions.AuthenticationFailed(INVALID_SIGNATURE)


class SectionsOAuth1Authentication(BaseAuthentication):
    """DRF authentication: ``request.user`` is the client's user, ``request.auth`` the ApiClient."""

    def authenticate(self, request):
        client = verify_request(request._request)
        client.mark_used()
        return client.user, client

    def authenticate_header(self, request) -> str:
        return 'OAuth realm="Schoology API"'


class SectionsOAuth1Scheme(OpenApiAuthenticationExtension):
    target_class = SectionsOAuth1Authentication
    name = "oauth1_two_legged"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "OAuth 1.0a, two-legged: consumer key = the API client's client_id, consumer secret = "
                "its client_secret; HMAC-SHA1 or PLAINTEXT; oauth_token empty."
            ),
        }
