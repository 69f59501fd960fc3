"""ManageBac's base view: its tokens (auth.py), scopes, JSON without nulls (formats.py) and its
error bodies (errors.py); ``managebac_view`` puts them on a function view."""

from __future__ import annotations

from collections.abc import Callable

from drf_spectacular.openapi import AutoSchema

from apps.api.base import DialectAPIView, dialect_view
from apps.api.managebac.auth import ManageBacTokenAuthentication
from apps.api.managebac.errors import managebac_exception_handler
from apps.api.managebac.formats import DropNullsJSONRenderer


class ManageBacSchema(AutoSchema):
    """Operation ids from the view's name, prefixed by v2 or v2p1 (the same views serve both)."""

    def get_operation_id(self) -> str:
        prefix = self.path.strip("/").split("/")[0].replace("-", "_")
        name = type(self.view).__name__
        methods = [m for m in self.view.http_method_names if m != "options"]
        return f"{prefix}_{name}" if len(methods) == 1 else f"{prefix}_{name}_{self.method.lower()}"


class ManageBacAPIView(DialectAPIView):
    authentication_classes = [ManageBacTokenAuthentication]
    renderer_classes = [DropNullsJSONRenderer]
    error_handler = staticmethod(managebac_exception_handler)
    openapi_schema = ManageBacSchema


def managebac_view(methods: list[str], *, scope: str | None = None) -> Callable:
    """Like DRF's ``@api_view``, on ManageBac's base view. ``scope`` "" means any valid client
    (ping); None means read for GET and write for the other methods."""
    return dialect_view(ManageBacAPIView, methods, required_scope=scope)
