"""The course-offering dialect's base view: bearer tokens (auth.py), scopes, JSON, and its
``{"detail": …}`` errors (errors.py); ``academic_view`` puts them on a function view."""

from __future__ import annotations

from collections.abc import Callable

from apps.api.academic.auth import BearerAuthentication
from apps.api.academic.errors import academic_exception_handler
from apps.api.base import DialectAPIView, dialect_view


class AcademicAPIView(DialectAPIView):
    authentication_classes = [BearerAuthentication]
    unauthenticated_message = "Not authenticated"
    error_handler = staticmethod(academic_exception_handler)


def academic_view(methods: list[str]) -> Callable:
    """Like DRF's ``@api_view``, on this dialect's base view."""
    return dialect_view(AcademicAPIView, methods)
