"""The course-offering dialect's errors: ``{"detail": …}``, and 422 lists naming each field."""

from __future__ import annotations

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from apps.api.parsers import api_exception
from apps.api.throttling import retry_after
from attendance_site.unavailable import answer_unavailable


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


@answer_unavailable("/academic/")
def unavailable(exc) -> Response | None:
    return academic_exception_handler(exc, {})
