"""The section-style dialect's conventions: OAuth 1.0a clients, scopes, JSON or XML, its error
answers (one-line 401/400 messages, empty 403/404/410) and the ``sections_view`` decorator."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpResponse
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions, status
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.models import ApiClient
from apps.api.parsers import BodyTooLarge, api_exception
from apps.api.sections.authentication import SectionsOAuth1Authentication
from apps.api.sections.formats import (
    SectionsJSONParser,
    SectionsJSONRenderer,
    SectionsNegotiation,
    SectionsTextXMLParser,
    SectionsTextXMLRenderer,
    SectionsXMLParser,
    SectionsXMLRenderer,
)
from apps.api.throttling import retry_after
from attendance_site.unavailable import answer_unavailable


class Gone(exceptions.APIException):
    """410: the school keeps this section's attendance in its SIS."""

    status_code = status.HTTP_410_GONE
    default_detail = "Attendance is managed in the SIS"


class BadRequest(exceptions.APIException):
    """400 with a one-line message (a query parameter or body that cannot be read)."""

    status_code = status.HTTP_400_BAD_REQUEST


class HasSectionsScope(BasePermission):
    """Reads need read:attendance (or read:all), writes write:attendance (or write:all)."""

    def has_permission(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return False
        return client.has_scope("read:attendance" if request.method in SAFE_METHODS else "write:attendance")


def one_line(message: str, status_code: int, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(
        " ".join(str(message).split()), status=status_code, content_type="text/plain; charset=utf-8"
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def sections_exception_handler(exc, context) -> HttpResponse | None:
    exc = api_exception(exc)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        headers = {"WWW-Authenticate": exc.auth_header} if getattr(exc, "auth_header", None) else {}
        return one_line(exc.detail, status.HTTP_401_UNAUTHORIZED, headers)
    if isinstance(exc, exceptions.PermissionDenied):
        return Response(status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return Response(status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, Gone):
        return Response(status=status.HTTP_410_GONE)
    if isinstance(exc, BodyTooLarge):
        return one_line(exc.detail, exc.status_code)
    if isinstance(exc, exceptions.ParseError | exceptions.UnsupportedMediaType | BadRequest):
        return one_line(exc.detail, status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.MethodNotAllowed):
        return Response(status=exc.status_code)
    if isinstance(exc, exceptions.Throttled):
        return one_line("Rate limit exceeded", status.HTTP_429_TOO_MANY_REQUESTS, retry_after(exc))
    return None  # anything else is a bug: let it be a 500 and reach the logs


class SectionsSchema(AutoSchema):
    def get_operation_id(self) -> str:
        name = type(self.view).__name__
        methods = [m for m in self.view.http_method_names if m != "options"]
        return f"sections_{name}" if len(methods) == 1 else f"sections_{name}_{self.method.lower()}"

    def get_tags(self) -> list[str]:
        return ["section-style (Schoology)"]


class SectionsAPIView(APIView):
    authentication_classes = [SectionsOAuth1Authentication]
    permission_classes = [HasSectionsScope]
    renderer_classes = [SectionsJSONRenderer, SectionsXMLRenderer, SectionsTextXMLRenderer]
    parser_classes = [SectionsJSONParser, SectionsXMLParser, SectionsTextXMLParser]
    content_negotiation_class = SectionsNegotiation

    def get_exception_handler(self):
        return sections_exception_handler


def sections_view(methods: list[str]) -> Callable:
    """Like DRF's ``@api_view``, on the section-style base view."""

    def decorator(func):
        def handler(self, request, *args, **kwargs):
            return func(request, *args, **kwargs)

        view_class = type(
            func.__name__,
            (SectionsAPIView,),
            {
                "__doc__": func.__doc__,
                "__module__": func.__module__,
                "http_method_names": [m.lower() for m in {*methods, "OPTIONS"}],
                **{m.lower(): handler for m in methods},
            },
        )
        view = view_class.as_view()
        # Where drf-spectacular's @extend_schema looks for the schema class of a function view.
        view_class.kwargs = {"schema": SectionsSchema}
        return view

    return decorator


# --- paging ---------------------------------------------------------------------------

DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
# A larger offset is beyond every section's records (the page is empty) and would overflow SQL's
# 64-bit OFFSET.
MAX_OFFSET = 2**62
# Rows of one attendance PUT: a week of a full section (30 students, 5 days) many times over.
MAX_ROWS = 1000


def paging_offset(raw: int | str) -> int:
    """An offset of any size, as at most MAX_OFFSET (``raw`` a number or a string of ASCII digits)."""
    if isinstance(raw, str) and len(raw) > len(str(MAX_OFFSET)):
        return MAX_OFFSET
    return min(int(raw), MAX_OFFSET)


def next_link(request, offset: int) -> str:
    """This URL with ``offset`` moved on; a numeric ``start`` (an offset too) is dropped."""
    query = request.query_params.copy()
    query.pop("offset", None)
    if query.get("start", "").isdigit():
        query.pop("start")
    query["offset"] = str(offset)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


@answer_unavailable("/v1/")
def unavailable(exc) -> HttpResponse:
    return one_line(exc.detail, exc.status_code)
