"""Which ``Host`` a section-style request may name. Schoology clients such as schoolopy send
``Host: api.schoology.com`` whatever server they reach, and sign for that host. Rollbook does
not take a foreign host on trust: such a request is answered, in the dialect's one-line form,
with the setting that allows it (``SECTIONS_SIGNED_HOSTS``), rather than Django's HTML "Bad
Request". A host allowed that way is taken on the section-style paths (``/v1/``) only; on any
other path it is refused as Django refuses a host it does not serve (docs/api-sections.md, "Clients
that sign for Schoology's host")."""

from __future__ import annotations

import logging

from django.core.exceptions import DisallowedHost
from django.http.request import split_domain_port

from apps.api.sections.auth import signed_hosts
from apps.api.sections.errors import one_line

SECTIONS_PREFIX = "/v1/"

logger = logging.getLogger(__name__)


def requested_host(request) -> str:
    host, _ = split_domain_port(request.META.get("HTTP_HOST", ""))
    return host


class SectionsHostMiddleware:
    """Before anything asks for ``request.get_host()`` (which raises DisallowedHost)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        host = requested_host(request)
        if request.path.startswith(SECTIONS_PREFIX):
            try:
                request.get_host()
            except DisallowedHost:
                shown = (request.META.get("HTTP_HOST", "") or "")[:100]
                logger.warning("Section-style request for the host %r, which this server does not serve", shown)
                return one_line(
                    f"This server does not answer for the host {shown!r}. A client that sends it (schoolopy "
                    f"sends Host: api.schoology.com) is taken once that host is in SECTIONS_SIGNED_HOSTS, "
                    "e.g. SECTIONS_SIGNED_HOSTS=api.schoology.com (docs/api-sections.md)",
                    400,
                )
        elif host in signed_hosts():
            raise DisallowedHost(f"{host!r} is allowed for the section-style API (/v1/) only")
        return self.get_response(request)
