"""PowerSchool's authentication: a bearer access token from ``/oauth/access_token`` (oauth.py)
that has not expired, and how the OpenAPI schema describes it."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from apps.api.models import AccessToken, hash_secret

AUTHENTICATE_HEADER = 'Bearer realm="PowerSchool", error="invalid_token"'


class AccessTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer T`` with a token from ``/oauth/access_token`` that has not
    expired; ``request.auth`` is the ApiClient."""

    def authenticate(self, request):
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        found = (
            AccessToken.objects.filter(
                token_hash=hash_secret(token.strip()),
                expires_at__gt=timezone.now(),
                client__revoked_at__isnull=True,
                client__user__is_active=True,
            )
            .select_related("client__user")
            .first()
        )
        if found is None:
            raise exceptions.AuthenticationFailed("The access token is invalid or has expired")
        return found.client.user, found.client

    def authenticate_header(self, request) -> str:
        return AUTHENTICATE_HEADER


class AccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = AccessTokenAuthentication
    name = "powerschoolOAuth2"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": "HTTP Basic client_id:client_secret at /oauth/access_token, then a bearer token",
            "flows": {"clientCredentials": {"tokenUrl": "/oauth/access_token", "scopes": {}}},
        }
