"""When the database is out of reach (server gone, connection lost, too many clients): a clean 503
with ``Retry-After`` instead of a 500, as a plain page or in the calling API dialect's own shape.

Nothing is half-written when this happens: every write runs in one transaction, which the
database rolls back when the connection dies. DRF's views do not catch these errors (each dialect's
exception handler leaves anything that is not an APIException alone), so they reach Django's
middleware, where ``process_exception`` answers them.

Each API dialect registers the shape of its answer for its own paths (``answer_unavailable``)
when its modules load (``ApiConfig.ready``): this site-wide module knows none of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
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


Answer = Callable[[DatabaseUnavailable], HttpResponse]
# Path prefixes and the dialect's answer for them, in the order they were registered.
ANSWERS: list[tuple[str, Answer]] = []


def answer_unavailable(*prefixes: str) -> Callable[[Answer], Answer]:
    """Register ``answer`` as the 503 of the paths that start with any of ``prefixes``."""

    def register(answer: Answer) -> Answer:
        for prefix in prefixes:
            if all(known != prefix for known, _ in ANSWERS):
                ANSWERS.append((prefix, answer))
        return answer

    return register


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 for this request: the dialect's error for an API path, else the plain page."""
    exc = DatabaseUnavailable()
    for prefix, answer in ANSWERS:
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
