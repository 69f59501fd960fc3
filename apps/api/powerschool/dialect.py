"""PowerSchool's base view: OAuth2 access tokens (auth.py), scopes, JSON, and its ``Validation
Failed`` error bodies (errors.py); ``powerschool_view`` puts them on a function view."""

from __future__ import annotations

from collections.abc import Callable

from apps.api.base import DialectAPIView, dialect_view
from apps.api.powerschool.auth import AccessTokenAuthentication
from apps.api.powerschool.errors import powerschool_exception_handler


class PowerSchoolAPIView(DialectAPIView):
    authentication_classes = [AccessTokenAuthentication]
    required_scope = ""
    unauthenticated_message = "An access token is required"
    scope_refused = "This client needs the {scope} or {verb}:all scope"
    resource = "attendance"  # what a 403 names
    error_handler = staticmethod(powerschool_exception_handler)


def powerschool_view(methods: list[str], *, scope: str = "", resource: str = "attendance") -> Callable:
    """Like DRF's ``@api_view``, on PowerSchool's base view; ``scope`` "" means any valid token."""
    return dialect_view(PowerSchoolAPIView, methods, required_scope=scope, resource=resource)
