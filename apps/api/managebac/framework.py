"""ManageBac's wire conventions: token authentication, scopes, JSON without nulls, its error bodies,
and the ``managebac_view`` decorator that puts them on a function view."""

from __future__ import annotations

import math
from collections.abc import Callable

from django.http import Http404
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.models import ApiClient
from apps.api.negotiation import AlwaysJSON
from apps.api.parsers import BodyTooLarge, LimitedJSONParser, api_exception
from apps.api.throttling import retry_after
from attendance_site.unavailable import DatabaseUnavailable, answer_unavailable

ACCESS_DENIED = {"error": "Access Denied"}
INVALID_PAYLOAD = {"error": "Invalid payload data structure."}
# Writing last_used_at on every request would turn every read into a write.


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


class HasManageBacScope(BasePermission):
    """Reads need read:attendance (or read:all), writes write:attendance (or write:all)."""

    def has_permission(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return False
        scope = getattr(view, "required_scope", None)
        if scope is None:
            scope = "read:attendance" if request.method in SAFE_METHODS else "write:attendance"
        return scope == "" or client.has_scope(scope)


class DropNullsJSONRenderer(JSONRenderer):
    """ManageBac leaves null values out rather than sending ``null``."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return super().render(drop_nulls(data), accepted_media_type, renderer_context)


def drop_nulls(value):
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value]
    return value


class RecordNotFound(exceptions.APIException):
    """ManageBac's 404: ``Couldn't find Class with 'id'=7``."""

    status_code = status.HTTP_404_NOT_FOUND

    def __init__(self, model: str, record_id):
        super().__init__(f"Couldn't find {model} with 'id'={record_id}")


class Unprocessable(exceptions.APIException):
    """ManageBac's 422: ``{"errors": {field: [message]}}``."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("Unprocessable entity")
        self.errors = errors


class InvalidPayload(exceptions.ParseError):
    """ManageBac's 400 for a body that is not JSON or not the expected structure."""


def managebac_exception_handler(exc, context) -> Response | None:
    exc = api_exception(exc)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed | exceptions.PermissionDenied):
        return Response(ACCESS_DENIED, status=status.HTTP_401_UNAUTHORIZED)
    if isinstance(exc, RecordNotFound):
        return Response({"error": str(exc.detail)}, status=exc.status_code)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return Response({"error": "Not Found"}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, Unprocessable):
        return Response({"errors": exc.errors}, status=exc.status_code)
    if isinstance(exc, BodyTooLarge):
        return Response({"error": "Request Entity Too Large"}, status=exc.status_code)
    if isinstance(exc, exceptions.ParseError | exceptions.UnsupportedMediaType):
        return Response(INVALID_PAYLOAD, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.MethodNotAllowed):
        return Response({"error": "Method Not Allowed"}, status=exc.status_code)
    if isinstance(exc, exceptions.Throttled):
        return Response({"error": "Too Many Requests"}, status=exc.status_code, headers=retry_after(exc))
    if isinstance(exc, DatabaseUnavailable):
        return Response({"error": "Service Unavailable"}, status=exc.status_code)
    return None  # anything else is a bug: let it be a 500 and reach the logs


class ManageBacSchema(AutoSchema):
    """Operation ids from the view's name, prefixed by v2 or v2p1 (the same views serve both)."""

    def get_operation_id(self) -> str:
        prefix = self.path.strip("/").split("/")[0].replace("-", "_")
        name = type(self.view).__name__
        methods = [m for m in self.view.http_method_names if m != "options"]
        return f"{prefix}_{name}" if len(methods) == 1 else f"{prefix}_{name}_{self.method.lower()}"


class ManageBacAPIView(APIView):
    authentication_classes = [ManageBacTokenAuthentication]
    permission_classes = [HasManageBacScope]
    renderer_classes = [DropNullsJSONRenderer]
    parser_classes = [LimitedJSONParser]
    content_negotiation_class = AlwaysJSON
    required_scope: str | None = None

    def get_exception_handler(self):
        return managebac_exception_handler

    def permission_denied(self, request, message=None, code=None):
        raise exceptions.NotAuthenticated()


def managebac_view(methods: list[str], *, scope: str | None = None) -> Callable:
    """Like DRF's ``@api_view``, on ManageBac's base view. ``scope`` "" means any valid client
    (ping); None means read for GET and write for the other methods."""

    def decorator(func):
        def handler(self, request, *args, **kwargs):
            return func(request, *args, **kwargs)

        view_class = type(
            func.__name__,
            (ManageBacAPIView,),
            {
                "__doc__": func.__doc__,
                "__module__": func.__module__,
                "http_method_names": [m.lower() for m in {*methods, "OPTIONS"}],
                "required_scope": scope,
                **{m.lower(): handler for m in methods},
            },
        )
        view = view_class.as_view()
        # Where drf-spectacular's @extend_schema looks for the schema class of a function view.
        view_class.kwargs = {"schema": ManageBacSchema}
        return view

    return decorator


def json_object(request) -> dict:
    """The request body, which must be a JSON object."""
    data = request.data
    if not isinstance(data, dict):
        raise InvalidPayload()
    return data


# --- paging ---------------------------------------------------------------------------

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 200


def _positive_int(raw, default: int) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return default
    return value if value >= 1 else default


def paginate(request, queryset) -> tuple[list, dict]:
    """One page of ``queryset`` (two queries: count and slice) and ManageBac's ``meta``."""
    page = _positive_int(request.query_params.get("page"), 1)
    per_page = min(_positive_int(request.query_params.get("per_page"), DEFAULT_PER_PAGE), MAX_PER_PAGE)
    total = queryset.count()
    start = (page - 1) * per_page
    rows = list(queryset[start : start + per_page]) if start < total else []
    meta = {
        "current_page": page,
        "total_pages": math.ceil(total / per_page),
        "total_count": total,
        "per_page": per_page,
    }
    return rows, meta


@answer_unavailable("/v2/", "/v2p1/")
def unavailable(exc: DatabaseUnavailable) -> Response | None:
    return managebac_exception_handler(exc, {})
