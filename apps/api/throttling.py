"""Rate limits per API client, shared by the four dialects: ``API_RATE_LIMIT`` requests (e.g.
``600/min``; ``off`` for none) counted in Django's cache by client, whichever address it calls
from. Each dialect answers the refusal (``Throttled``) with 429, ``Retry-After`` and its own body."""

from __future__ import annotations

import hashlib
import math

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from apps.api.models import ApiClient


class SettingRateThrottle(SimpleRateThrottle):
    """A rate from the setting ``rate_setting`` (``600/min``, ``20/s``, ``5000/hour``; ``off``)."""

    rate_setting = "API_RATE_LIMIT"

    def get_rate(self) -> str | None:
        rate = getattr(settings, self.rate_setting, "off")
        return None if not rate or rate == "off" else rate

    def parse_rate(self, rate):
        if rate is None:
            return (None, None)
        count, period = rate.split("/")
        seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]
        return int(count), seconds

    def key_for(self, ident: str) -> str:
        """A cache key for any text (a client id as sent may hold anything): its digest."""
        return self.cache_format % {"scope": self.scope, "ident": hashlib.sha256(ident.encode()).hexdigest()}


class ApiClientRateThrottle(SettingRateThrottle):
    scope = "api_client"

    def get_cache_key(self, request, view) -> str | None:
        client = request.auth
        if not isinstance(client, ApiClient):
            return None  # not an API client's request (token endpoint, schema): nothing to count
        # client_id is random and never reused, unlike a row id.
        return self.cache_format % {"scope": self.scope, "ident": client.client_id}


def retry_after(exc) -> dict[str, str]:
    """The Retry-After header for a Throttled exception (whole seconds, at least 1)."""
    wait = getattr(exc, "wait", None)
    return {"Retry-After": str(max(1, math.ceil(wait)))} if wait is not None else {}
