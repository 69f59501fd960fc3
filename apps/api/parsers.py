"""Reading request bodies safely, for every dialect: never more than Django's
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (DRF's JSON parser reads ``request.body``, which checks it;
a parser of our own reads the stream, which does not), answered with a 413 in the dialect's
shape; and JSON nested too deeply for Python's parser is a parse error like any other
malformed body, not a 500."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser


class BodyTooLarge(exceptions.APIException):
    """413: the body is larger than the server reads into memory. Each dialect's exception
    handler answers it in its own shape."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self, limit: int | None = None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE if limit is None else limit
        super().__init__(f"The request body is larger than {limit} bytes")


def api_exception(exc: Exception) -> Exception:
    """Django's RequestDataTooBig (from ``request.body``) as BodyTooLarge, for the dialects'
    exception handlers; any other exception as it is."""
    return BodyTooLarge() if isinstance(exc, RequestDataTooBig) else exc


def read_body(stream) -> bytes:
    """The whole body of a request stream, or BodyTooLarge once it passes the limit."""
    if stream is None:
        return b""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None:
        return stream.read()
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise BodyTooLarge(limit)
    return raw


class LimitedJSONParser(JSONParser):
    """DRF's JSON parser (strict: no NaN or Infinity) on a body read through ``read_body``."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = read_body(stream)
        try:
            return super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply") from None
