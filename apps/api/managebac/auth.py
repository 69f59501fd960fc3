"""ManageBac's authentication: an API client's token, sent any of the three ways ManageBac takes
it, and how the OpenAPI schema describes them."""

from __future__ import annotations

from django.views.decorators.debug import sensitive_variables
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from apps.api.models import ApiClient


@sensitive_variables("header", "query", "value")
def token_from(request) -> str:
    """ManageBac accepts the token three ways: ``auth-token`` header, ``?auth_token=``, or a bearer."""
    header = request.META.get("HTTP_AUTH_TOKEN", "").strip()
    if header:
        return header
    query = request.query_params.get("auth_token", "").strip()
    if query:
        return query
    scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    return ""


class ManageBacTokenAuthentication(BaseAuthentication):
    """Authenticates as the API client's user; ``request.auth`` is the ApiClient."""

    def authenticate(self, request):
        token = token_from(request)
        if not token:
            return None
        client = ApiClient.objects.by_token(token)
        if client is None:
            raise exceptions.AuthenticationFailed()
        client.mark_used()
        return client.user, client

    def authenticate_header(self, request) -> str:
        # Any value keeps DRF from turning our 401 into a 403 (ManageBac has no 403).
        return 'Token realm="ManageBac"'


class ManageBacTokenScheme(OpenApiAuthenticationExtension):
    target_class = ManageBacTokenAuthentication
    name = ["auth_token_header", "auth_token_query", "bearer"]

    def get_security_requirement(self, auto_schema):
        return [{name: []} for name in self.name]  # any one of the three ways

    def get_security_definition(self, auto_schema):
        return [
            {"type": "apiKey", "in": "header", "name": "auth-token"},
            {"type": "apiKey", "in": "query", "name": "auth_token"},
            {"type": "http", "scheme": "bearer"},
        ]
