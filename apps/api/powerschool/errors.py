"""PowerSchool's error bodies: ``{"message": …, "errors": [{resource, field, code}]}``."""

from __future__ import annotations

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from apps.api.parsers import BodyTooLarge, api_exception
from apps.api.powerschool.auth import AUTHENTICATE_HEADER
from apps.api.throttling import retry_after
from attendance_site.unavailable import answer_unavailable


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
            headers={"WWW-Authenticate": AUTHENTICATE_HEADER},
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


@answer_unavailable("/ws/")
def unavailable(exc) -> Response | None:
    return powerschool_exception_handler(exc, {})
