"""Security plumbing the settings point at: the CSP nonce for templates, and log records scrubbed
of secrets (tokens, passwords, client secrets, Authorization headers, session ids)."""

from __future__ import annotations

import logging
import logging.config
import re

MASK = "********"

# name=value pairs in query strings, form bodies, JSON and header dumps whose value is a secret.
_SECRET_NAMES = (
    r"auth[_-]?token|access[_-]?token|refresh[_-]?token|token|client[_-]?secret|secret|"
    r"password\d?|passwd|new_password\d|old_password|oauth_signature|oauth_token|"
    r"sessionid|session[_-]?key|csrfmiddlewaretoken|csrftoken|x-csrftoken|api[_-]?key"
)
_PATTERNS = [
    # Authorization: Bearer abc / Basic abc / OAuth oauth_consumer_key="…", … (to the end of the value)
    re.compile(r"(?i)(\bauthorization['\"]?\s*[:=]\s*['\"]?)[^'\"\r\n,}]+(?:,\s*oauth_[^'\"\r\n}]+)*"),
    re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}"),
    # auth-token: abc (ManageBac's header), also as a META key HTTP_AUTH_TOKEN
    re.compile(r"(?i)(\b(?:http_)?auth[_-]token['\"]?\s*[:=]\s*['\"]?)[^'\"\s&,;}]+"),
    # "password": "…", password=…, client_secret=…, sessionid=…
    re.compile(rf"(?i)(\b(?:{_SECRET_NAMES})['\"]?\s*[:=]\s*['\"]?)[^'\"\s&,;}}]+"),
    # Cookie headers carry the session id
    re.compile(r"(?i)(\bcookie['\"]?\s*[:=]\s*['\"]?)[^'\"\r\n}]+"),
]


def scrub(text: str) -> str:
    """``text`` with every secret value it names replaced by asterisks."""
    if not text:
        return text
    for pattern in _PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        else:
            text = pattern.sub(lambda m: m.group(0).split()[0] + " " + MASK, text)
    return text


def scrub_record(record: logging.LogRecord) -> logging.LogRecord:
    """Bake the message (msg % args) and any traceback into scrubbed text, once per record."""
    if getattr(record, "_scrubbed", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: keep what there is
        message = f"{record.msg} {record.args!r}"
    record.msg = scrub(message)
    record.args = None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = scrub(record.exc_text)
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)
    record._scrubbed = True
    return record


class ScrubSecretsFilter(logging.Filter):
    """A handler filter for LOGGING: passes every record, scrubbed."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record)
        return True


_base_factory = None


def _scrubbing_factory(*args, **kwargs) -> logging.LogRecord:
    return scrub_record(_base_factory(*args, **kwargs))


def configure_logging(logging_settings: dict) -> None:
    """Django's LOGGING_CONFIG: dictConfig, and every record scrubbed as it is made, so that no
    handler (a file, a mail to the admins, a test's capture) ever sees a secret."""
    global _base_factory
    logging.config.dictConfig(logging_settings)
    if _base_factory is None:
        _base_factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_scrubbing_factory)


def csp_nonce(request) -> dict:
    """``csp_nonce`` for templates: django-htmx's ``{% htmx_script %}`` reads it by that name."""
    nonce = getattr(request, "csp_nonce", None)
    return {"csp_nonce": nonce} if nonce is not None else {}


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in: 429 with the same page whether or not the
    username exists, and when to try again."""
    from django.conf import settings
    from django.shortcuts import render

    cooloff = settings.AXES_COOLOFF_TIME
    minutes = max(1, round(cooloff.total_seconds() / 60))
    response = render(
        request,
        "registration/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(int(cooloff.total_seconds()))
    return response
