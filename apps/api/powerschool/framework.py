"""PowerSchool's wire conventions: OAuth2 access tokens, scopes, its ``Validation Failed`` error
bodies, and the ``powerschool_view`` decorator that puts them on a function view."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.models import AccessToken, ApiClient, hash_secret
from apps.api.negotiation import AlwaysJSON
from apps.api.parsers import BodyTooLarge, LimitedJSONParser, api_exception
from apps.api.throttling import retry_after
from attendance_site.unavailable import answer_unavailable


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
        return 'Bearer realm="PowerSchool", error="invalid_token"'


class AccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = AccessTokenAuthentication
    name = "powerschoolOAuth2"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": "HTTP Basic client_id:client_secret at /oauth/access_token, then a bearer token",
            "flows": {"clientCredentials": {"tokenUrl": "/oauth/access_token", "scopes": {}}},
        }


class HasScope(BasePermission):
    """The view's ``required_scope`` ("" for any valid token)."""

    def has_permission(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            raise exceptions.NotAuthenticated("An access token is required")
        scope = view.required_scope
        if scope and not client.has_scope(scope):
            verb = scope.split(":")[0]
            raise exceptions.PermissionDenied(f"This client needs the {scope} or {verb}:all scope")
        return True


def problem(field: str, code: str, resource: str = "attendance") -> dict:
    return {"resource": resource, "field": field, "code": code}


class ValidationFailed(exceptions.APIException):
    """400 ``{"message": "Validation Failed", "errors": [{resource, field, code}]}``: the payload
    is not of the expected shape, and nothing of it was applied."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, errors: list[dict]):
        super().__init__("Validation Failed")
        self.errors = errors


def powerschool_exception_handler(exc, context) -> Response | None:
    exc = api_exception(exc)
    if isinstance(exc, ValidationFailed):
        return Response({"message": "Validation Failed", "errors": exc.errors}, status=exc.status_code)
    if isinstance(exc, BodyTooLarge):
        return Response(
            {"message": "Validation Failed", "errors": [problem("body", "TOO_LARGE")]}, status=exc.status_code
        )
    if isinstance(exc, exceptions.ParseError | exceptions.UnsupportedMediaType):
        return Response(
            {"message": "Validation Failed", "errors": [problem("body", "INVALID_JSON")]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return Response(
            {"message": str(exc.detail), "errors": [problem("Authorization", "invalid_token", "authorization")]},
            status=status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": 'Bearer realm="PowerSchool", error="invalid_token"'},
        )
    if isinstance(exc, exceptions.PermissionDenied):
        resource = getattr(context.get("view"), "resource", "attendance")
        return Response(
            {"message": str(exc.detail), "errors": [problem("", "FORBIDDEN", resource)]},
            status=status.HTTP_403_FORBIDDEN,
        )
    if isinstance(exc, Http404 | exceptions.NotFound):
        return Response({"message": str(exc) or "Not Found", "errors": []}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, exceptions.Throttled):
        return Response(
            {"message": "Too Many Requests", "errors": [problem("", "RATE_LIMIT_EXCEEDED", "request")]},
            status=exc.status_code,
            headers=retry_after(exc),
        )
    if isinstance(exc, exceptions.APIException):
        return Response({"message": str(exc.detail), "errors": []}, status=exc.status_code)
    return None  # anything else is a bug: a 500 that reaches the logs


class PowerSchoolAPIView(APIView):
    authentication_classes = [AccessTokenAuthentication]
    permission_classes = [HasScope]
    renderer_classes = [JSONRenderer]
    parser_classes = [LimitedJSONParser]
    content_negotiation_class = AlwaysJSON
    required_scope = ""
    resource = "attendance"

    def get_exception_handler(self):
        return powerschool_exception_handler


def powerschool_view(methods: list[str], *, scope: str = "", resource: str = "attendance") -> Callable:
    """Like DRF's ``@api_view``, on PowerSchool's base view; ``scope`` "" means any valid token."""

    def decorator(func):
        def handler(self, request, *args, **kwargs):
            return func(request, *args, **kwargs)

        view_class = type(
            func.__name__,
            (PowerSchoolAPIView,),
            {
                "__doc__": func.__doc__,
                "__module__": func.__module__,
                "http_method_names": [m.lower() for m in {*methods, "OPTIONS"}],
                "required_scope": scope,
                "resource": resource,
                **{m.lower(): handler for m in methods},
            },
        )
        return view_class.as_view()

    return decorator


@answer_unavailable("/ws/")
def unavailable(exc) -> Response | None:
    return powerschool_exception_handler(exc, {})
