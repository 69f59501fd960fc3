"""The section-style dialect's base view: OAuth 1.0a clients (auth.py), scopes, JSON or XML
(formats.py) and its error answers (errors.py); ``sections_view`` puts them on a function view."""

from __future__ import annotations

from collections.abc import Callable

from drf_spectacular.openapi import AutoSchema

from apps.api.base import DialectAPIView, dialect_view
from apps.api.sections.auth import SectionsOAuth1Authentication
from apps.api.sections.errors import sections_exception_handler
from apps.api.sections.formats import (
    SectionsJSONParser,
    SectionsJSONRenderer,
    SectionsNegotiation,
    SectionsTextXMLParser,
    SectionsTextXMLRenderer,
    SectionsXMLParser,
    SectionsXMLRenderer,
)


class SectionsSchema(AutoSchema):
    def get_operation_id(self) -> str:
        name = type(self.view).__name__
        methods = [m for m in self.view.http_method_names if m != "options"]
        return f"sections_{name}" if len(methods) == 1 else f"sections_{name}_{self.method.lower()}"

    def get_tags(self) -> list[str]:
        return ["section-style (Schoology)"]


class SectionsAPIView(DialectAPIView):
    authentication_classes = [SectionsOAuth1Authentication]
    renderer_classes = [SectionsJSONRenderer, SectionsXMLRenderer, SectionsTextXMLRenderer]
    parser_classes = [SectionsJSONParser, SectionsXMLParser, SectionsTextXMLParser]
    content_negotiation_class = SectionsNegotiation
    error_handler = staticmethod(sections_exception_handler)
    openapi_schema = SectionsSchema


def sections_view(methods: list[str]) -> Callable:
    """Like DRF's ``@api_view``, on the section-style base view."""
    return dialect_view(SectionsAPIView, methods)
