"""When the database is out of reach (server gone, connection lost, too many clients): a clean 503
with ``Retry-After`` instead of a 500, as a plain page or in the calling API dialect's own shape.

Nothing is half-written when this happens: every write runs in one transaction, which the
database rolls back when the connection dies. DRF's views do not catch these errors (each dialect's
exception handler leaves anything that is not an APIException alone), so they reach Django's
middleware, where ``process_exception`` answers them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

RETRY_AFTER_SECONDS = 30
DATABASE_DOWN = (OperationalError, InterfaceError)

logger = logging.getLogger(__name__)


class DatabaseUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Rollbook cannot reach its database just now. Try again in a moment."
    default_code = "database_unavailable"


def _rendered(response: HttpResponse) -> HttpResponse:
    """A DRF Response made outside a view has no renderer yet: every dialect that answers
    here answers in JSON."""
    if isinstance(response, Response):
        response.accepted_renderer = JSONRenderer()
        response.accepted_media_type = JSONRenderer.media_type
        response.renderer_context = {}
        response.render()
    return response


def _managebac(exc: DatabaseUnavailable) -> HttpResponse:
    from apps.api.managebac.errors import managebac_exception_handler

    return managebac_exception_handler(exc, {})


def _sections(exc: DatabaseUnavailable) -> HttpResponse:
    from apps.api.sections.errors import one_line

    return one_line(exc.detail, exc.status_code)


def _academic(exc: DatabaseUnavailable) -> HttpResponse:
    from apps.api.academic.errors import academic_exception_handler

    return academic_exception_handler(exc, {})


def _powerschool(exc: DatabaseUnavailable) -> HttpResponse:
    from apps.api.powerschool.errors import powerschool_exception_handler

    return powerschool_exception_handler(exc, {})


def _oauth(exc: DatabaseUnavailable) -> HttpResponse:
    # The token endpoint answers in OAuth2's error shape (oauthlib's), like its other errors.
    from oauthlib.oauth2.rfc6749.errors import TemporarilyUnavailableError

    error = TemporarilyUnavailableError(description=str(exc.detail))
    return JsonResponse(dict(error.twotuples), status=exc.status_code)


# Path prefixes of the dialects (attendance_site/urls.py, apps/api/urls.py) and their answers.
DIALECTS: tuple[tuple[str, Callable[[DatabaseUnavailable], HttpResponse]], ...] = (
    ("/v2/", _managebac),
    ("/v2p1/", _managebac),
    ("/v1/", _sections),
    ("/academic/", _academic),
    ("/ws/", _powerschool),
    ("/oauth/", _oauth),
)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 for this request: the dialect's error for an API path, else the plain page."""
    exc = DatabaseUnavailable()
    for prefix, answer in DIALECTS:
        if request.path_info.startswith(prefix):
            response = _rendered(answer(exc))
            break
    else:
        # Rendered without the request: the context processors (the user's roles) need the database.
        response = HttpResponse(render_to_string("503.html"), status=exc.status_code)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answers a lost or refused database connection with a 503. Listed last in MIDDLEWARE so
    its ``process_exception`` sees the view's exception first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_DOWN):
            return None
        # The path only: a query string may hold a token (ManageBac's ?auth_token=).
        logger.error(
            "Database unavailable during %s %s: %s",
            request.method,
            request.path,
            type(exception).__name__,
            exc_info=exception,
        )
        return unavailable_response(request)
