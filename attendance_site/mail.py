"""Where Rollbook's email goes, read from the environment at start: ``EMAIL_URL``,
``DEFAULT_FROM_EMAIL`` and ``SITE_URL`` (the address every link in an email starts with).

A bad value stops the server at start with a message saying what is wrong, rather than
failing later in the worker. This module reads no settings itself: the settings call it.

    EMAIL_URL=smtp://user:pass@mail.example.org:587        STARTTLS (the default on 587)
    EMAIL_URL=smtp://mail.example.org:25?tls=false          plain SMTP (a relay on your network)
    EMAIL_URL=smtps://user:pass@mail.example.org            implicit TLS (port 465 unless given)
    EMAIL_URL=smtp://127.0.0.1:1025?tls=false&timeout=5     the demo's mail catcher
    EMAIL_URL=console://                                    print each email (development)

Options (after ``?``): ``tls`` (STARTTLS, true or false; smtp only), ``timeout`` (seconds, 1 to
300, default 10), ``ssl_certfile`` and ``ssl_keyfile`` (a client certificate). The user and
password are percent-decoded, so a password may contain ``@`` or ``:`` written as %40 and %3A.
"""

from __future__ import annotations

from email.utils import parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
BOOLEANS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}
OPTIONS = {"tls", "timeout", "ssl_certfile", "ssl_keyfile"}


def _refuse(problem: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"EMAIL_URL {problem}. Write it like smtp://user:password@mail.example.org:587 or "
        "smtps://user:password@mail.example.org (docs/notifications.md, Configuration)."
    )


def parse_email_url(value: str) -> dict[str, object]:
    """The Django email settings an ``EMAIL_URL`` stands for (``EMAIL_BACKEND``, ``EMAIL_HOST``,
    ...), or ``ImproperlyConfigured`` naming what is wrong. The password is never in the message."""
    value = value.strip()
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise _refuse("has a port that is not a number from 1 to 65535") from None
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme not in {"smtp", "smtps"}:
        raise _refuse(f"must start with smtp:// or smtps://, not {scheme + '://' if scheme else 'nothing'}")
    if not parts.hostname:
        raise _refuse("names no mail server (the host after //)")
    if parts.path not in {"", "/"} or parts.fragment:
        raise _refuse("has a path or #fragment; only ?options may follow the host")
    try:
        query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise _refuse("has options that are not name=value pairs joined by &") from None
    unknown = sorted(set(query) - OPTIONS)
    if unknown:
        raise _refuse(f"has unknown option {unknown[0]!r} (known: {', '.join(sorted(OPTIONS))})")
    options = {name: values[-1] for name, values in query.items()}

    ssl = scheme == "smtps"
    port = port or (465 if ssl else 587)
    tls = not ssl and port != 25
    if "tls" in options:
        if options["tls"].lower() not in BOOLEANS:
            raise _refuse(f"option tls must be true or false, not {options['tls']!r}")
        tls = BOOLEANS[options["tls"].lower()]
        if tls and ssl:
            raise _refuse("asks for tls=true over smtps://, which is TLS already; use one or the other")
    timeout = 10
    if "timeout" in options:
        try:
            timeout = int(options["timeout"])
        except ValueError:
            timeout = 0
        if not 1 <= timeout <= 300:
            raise _refuse(f"option timeout must be a whole number of seconds from 1 to 300, not {options['timeout']!r}")
    return {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": tls,
        "EMAIL_USE_SSL": ssl,
        "EMAIL_TIMEOUT": timeout,
        "EMAIL_SSL_CERTFILE": options.get("ssl_certfile") or None,
        "EMAIL_SSL_KEYFILE": options.get("ssl_keyfile") or None,
    }


def check_from_address(value: str) -> str:
    """``DEFAULT_FROM_EMAIL`` as given (``attendance@school.org`` or ``Rollbook <attendance@...>``),
    or ``ImproperlyConfigured``."""
    value = value.strip()
    name, address = parseaddr(value)
    try:
        validate_email(address)
    except ValidationError:
        raise ImproperlyConfigured(
            f"DEFAULT_FROM_EMAIL must be an address like attendance@school.org or "
            f"'Rollbook <attendance@school.org>', not {value!r}"
        ) from None
    return value


def check_site_url(value: str) -> str:
    """``SITE_URL`` without a trailing slash (``https://rollbook.example.org``), or
    ``ImproperlyConfigured``: every link in an email starts with it, never with a request's Host."""
    value = value.strip().rstrip("/")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (a port that is no number raises here)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in {"http", "https"}
        or not parts.hostname
        or parts.query
        or parts.fragment
        or parts.username
    ):
        raise ImproperlyConfigured(
            f"SITE_URL must be the address people open Rollbook at, like https://rollbook.example.org, not {value!r}"
        )
    return value
