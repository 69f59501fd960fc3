"""The course-offering dialect's authentication: ``Authorization: Bearer T`` with an API client's
token, and how the OpenAPI schema describes it."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from apps.api.models import ApiClient


class BearerAuthentication(BaseAuthentication):
    """``Authorization: Bearer T`` with the API client's token; ``request.auth`` is the ApiClient."""

    def authenticate(self, request):
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        client = ApiClient.objects.by_token(token.strip())
        if client is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token")
        client.mark_used()
        return client.user, client

    def authenticate_header(self, request) -> str:
        return "Bearer"


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = BearerAuthentication
    name = "academicBearer"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An API client's token"}
