"""The section-style dialect's error answers: one-line text for a 401 or a 400, empty bodies for
403, 404 and 410."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from apps.api.parsers import BodyTooLarge, api_exception
from apps.api.throttling import retry_after
from attendance_site.unavailable import answer_unavailable


class Gone(exceptions.APIException):
    """410: the school keeps this section's attendance in its SIS."""

    status_code = status.HTTP_410_GONE
    default_detail = "Attendance is managed in the SIS"


class BadRequest(exceptions.APIException):
    """400 with a one-line message (a query parameter or body that cannot be read)."""

    status_code = status.HTTP_400_BAD_REQUEST


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


@answer_unavailable("/v1/")
def unavailable(exc) -> HttpResponse:
    return one_line(exc.detail, exc.status_code)
