"""The course-offering dialect's wire conventions: bearer tokens, scopes, the school picked by
``X-School-Id``, ``{"detail": …}`` errors with 422 lists naming the field, and the
``academic_view`` decorator that puts them on a function view."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from django.http import Http404
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.models import ApiClient
from apps.api.negotiation import AlwaysJSON
from apps.api.parsers import LimitedJSONParser, api_exception
from apps.api.throttling import retry_after
from apps.school.access import schools_for
from apps.school.dates import OUT_OF_RANGE, in_range, parse_iso
from apps.school.models import School
from attendance_site.unavailable import answer_unavailable

# Writing last_used_at on every request would turn every read into a write.
SCHOOL_HEADER = "X-School-Id"


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


class HasAttendanceScope(BasePermission):
    """Reads need read:attendance (or read:all), writes write:attendance (or write:all)."""

    def has_permission(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            raise exceptions.NotAuthenticated("Not authenticated")
        scope = "read:attendance" if request.method in SAFE_METHODS else "write:attendance"
        if not client.has_scope(scope):
            verb = scope.split(":")[0]
            raise exceptions.PermissionDenied(f"This token needs the {scope} or {verb}:all scope")
        return True


def field_error(location: str, name: str, message: str, kind: str = "value_error") -> dict:
    """One item of a 422's ``detail`` list: where (body, query or header), which field, what."""
    return {"loc": [location, name], "msg": message, "type": kind}


class Unprocessable(exceptions.APIException):
    """422 ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}``: each item names its field."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY

    def __init__(self, errors: list[dict]):
        super().__init__("Unprocessable entity")
        self.errors = errors


def academic_exception_handler(exc, context) -> Response | None:
    exc = api_exception(exc)  # a body too large: 413 {"detail": …} below
    if isinstance(exc, Unprocessable):
        return Response({"detail": exc.errors}, status=exc.status_code)
    if isinstance(exc, exceptions.ParseError | exceptions.UnsupportedMediaType):
        # A body that is not JSON is a 422 on the body, as for any other malformed input.
        return Response(
            {"detail": [{"loc": ["body"], "msg": "The body must be a JSON object", "type": "json_invalid"}]},
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    if isinstance(exc, Http404):
        return Response({"detail": str(exc) or "Not found"}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, exceptions.Throttled):
        return Response({"detail": str(exc.detail)}, status=exc.status_code, headers=retry_after(exc))
    if isinstance(exc, exceptions.APIException):
        headers = {}
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            headers["WWW-Authenticate"] = "Bearer"
        return Response({"detail": str(exc.detail)}, status=exc.status_code, headers=headers)
    return None  # anything else is a bug: a 500 that reaches the logs


class AcademicAPIView(APIView):
    authentication_classes = [BearerAuthentication]
    permission_classes = [HasAttendanceScope]
    renderer_classes = [JSONRenderer]
    parser_classes = [LimitedJSONParser]
    content_negotiation_class = AlwaysJSON

    def get_exception_handler(self):
        return academic_exception_handler


def academic_view(methods: list[str]) -> Callable:
    """Like DRF's ``@api_view``, on this dialect's base view."""

    def decorator(func):
        def handler(self, request, *args, **kwargs):
            return func(request, *args, **kwargs)

        view_class = type(
            func.__name__,
            (AcademicAPIView,),
            {
                "__doc__": func.__doc__,
                "__module__": func.__module__,
                "http_method_names": [m.lower() for m in {*methods, "OPTIONS"}],
                **{m.lower(): handler for m in methods},
            },
        )
        return view_class.as_view()

    return decorator


# Paging of the list: a page holds ``limit`` records (DEFAULT_LIMIT unless asked, at most MAX_LIMIT;
# a larger limit is clamped), from ``offset``.
DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
MAX_OFFSET = 2**62  # beyond any list; a larger offset is an empty page too


def parse_count(raw: str, name: str, *, minimum: int) -> int:
    """A whole number of ASCII digits (a query's limit or offset), else a 422 naming it."""
    text = raw.strip()
    digits = text.lstrip("0") or "0"
    value = (int(digits) if len(digits) <= 20 else MAX_OFFSET) if text.isascii() and text.isdigit() else None
    if value is None or value < minimum:
        raise Unprocessable(
            [field_error("query", name, f"Input should be a whole number, {minimum} or more", "int_parsing")]
        )
    return min(value, MAX_OFFSET)


def parse_day(raw: str, name: str) -> date:
    """A query's YYYY-MM-DD date in Rollbook's range (apps/school/dates.py), else a 422 naming it."""
    found = parse_iso(raw.strip())
    if found is None:
        raise Unprocessable(
            [field_error("query", name, "Input should be a valid date in the format YYYY-MM-DD", "date_parsing")]
        )
    if not in_range(found):
        raise Unprocessable([field_error("query", name, OUT_OF_RANGE)])
    return found


def next_link(request, offset: int, limit: int) -> str:
    """``Link: <…>; rel="next"``: this URL, its filters kept, at the next page."""
    query = request.query_params.copy()
    query["offset"], query["limit"] = str(offset), str(limit)
    return f'<{request.build_absolute_uri(f"{request.path}?{query.urlencode()}")}>; rel="next"'


def parse_uuid(raw, location: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except (TypeError, ValueError):
        raise Unprocessable([field_error(location, name, "Input should be a valid UUID", "uuid_parsing")]) from None


def school_for(request) -> School:
    """The school the request speaks for: the token user's only school, or the one named by
    ``X-School-Id`` (required when the user belongs to several; one query)."""
    raw = request.headers.get(SCHOOL_HEADER)
    schools = schools_for(request.user)
    if raw is not None:  # sent, even blank: it must be a school's id (a blank one is a 422, not "none")
        wanted = parse_uuid(raw.strip(), "header", SCHOOL_HEADER.lower())
        school = schools.filter(uuid=wanted).first()
        if school is None:
            raise Http404("School not found")
        return school
    found = list(schools[:2])
    if len(found) == 1:
        return found[0]
    if not found:
        raise exceptions.PermissionDenied("The token's user belongs to no school")
    raise Unprocessable(
        [
            field_error(
                "header",
                SCHOOL_HEADER.lower(),
                f"The token's user belongs to several schools: send {SCHOOL_HEADER} with the school's id",
                "missing",
            )
        ]
    )


@answer_unavailable("/academic/")
def unavailable(exc) -> Response | None:
    return academic_exception_handler(exc, {})
