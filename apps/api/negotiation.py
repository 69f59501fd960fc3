"""Content negotiation shared by the dialects whose vendors only ever answer in JSON."""

from rest_framework.negotiation import BaseContentNegotiation


class AlwaysJSON(BaseContentNegotiation):
    """Whatever the client accepts, the answer is JSON (vendors ignore Accept: */* and the like)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
