"""ManageBac's error bodies: ``{"error": …}``, and ``{"errors": {field: [message]}}`` for a 422.
ManageBac has no 403: whatever a token may not do is its 401 "Access Denied"."""

from __future__ import annotations

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from apps.api.parsers import BodyTooLarge, api_exception
from apps.api.throttling import retry_after
from attendance_site.unavailable import DatabaseUnavailable, answer_unavailable

ACCESS_DENIED = {"error": "Access Denied"}
INVALID_PAYLOAD = {"error": "Invalid payload data structure."}


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


@answer_unavailable("/v2/", "/v2p1/")
def unavailable(exc: DatabaseUnavailable) -> Response | None:
    return managebac_exception_handler(exc, {})
