"""What the four dialects' views share: the scope check, a JSON base view, and ``dialect_view``,
which puts a function view on a dialect's base. Each dialect's base view (``dialect.py`` in its
package) gives its authentication, parsers, renderers and exception handler; nothing else differs."""

from __future__ import annotations

from collections.abc import Callable

from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from apps.api.models import ApiClient
from apps.api.negotiation import AlwaysJSON
from apps.api.parsers import LimitedJSONParser


class HasScope(BasePermission):
    """The view's ``required_scope``: None means read:attendance for reads and write:attendance
    for writes (or read:all, write:all), "" any valid client. A request without a client is
    NotAuthenticated, a missing scope PermissionDenied, each in the view's words; the dialect's
    exception handler gives them its shape."""

    def has_permission(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            raise exceptions.NotAuthenticated(view.unauthenticated_message)
        scope = view.required_scope
        if scope is None:
            scope = "read:attendance" if request.method in SAFE_METHODS else "write:attendance"
        if scope and not client.has_scope(scope):
            raise exceptions.PermissionDenied(view.scope_refused.format(scope=scope, verb=scope.split(":")[0]))
        return True


# A dialect's base view: JSON in (bodies read within the size limit) and JSON out, whatever the
# client accepts. A dialect sets ``authentication_classes`` and ``error_handler``, and any other of
# these it does differently. No docstring: drf-spectacular would give it to every operation whose
# view has none.
class DialectAPIView(APIView):
    permission_classes = [HasScope]
    renderer_classes = [JSONRenderer]
    parser_classes = [LimitedJSONParser]
    content_negotiation_class = AlwaysJSON
    required_scope: str | None = None
    unauthenticated_message: str | None = None  # None: DRF's own words
    scope_refused = "This token needs the {scope} or {verb}:all scope"
    # drf-spectacular's AutoSchema subclass for the dialect's operations (None: the default).
    openapi_schema: type | None = None
    error_handler: Callable  # the dialect's, as a staticmethod

    def get_exception_handler(self):
        return self.error_handler


def dialect_view(base: type[DialectAPIView], methods: list[str], **attributes) -> Callable:
    """Like DRF's ``@api_view``, on ``base``: the function becomes a view class named after it
    that answers ``methods`` and OPTIONS, with ``attributes`` (``required_scope``…) set on it."""

    def decorator(func):
        def handler(self, request, *args, **kwargs):
            return func(request, *args, **kwargs)

        view_class = type(
            func.__name__,
            (base,),
            {
                "__doc__": func.__doc__,
                "__module__": func.__module__,
                "http_method_names": [m.lower() for m in {*methods, "OPTIONS"}],
                **attributes,
                **{m.lower(): handler for m in methods},
            },
        )
        view = view_class.as_view()
        if base.openapi_schema is not None:
            # Where drf-spectacular's @extend_schema looks for the schema class of a function view.
            view_class.kwargs = {"schema": base.openapi_schema}
        return view

    return decorator
