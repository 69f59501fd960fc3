"""The keys Rollbook signs and encrypts with, and what makes one unfit for production.

Read by the settings at start (a weak key stops the server there) and by ``apps/api/models.py``,
which encrypts OAuth 1.0a consumer secrets with ``FIELD_ENCRYPTION_KEY`` (or, when that is not
set, with a key derived from ``SECRET_KEY``). This module reads no settings itself.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet

# Signs sessions only when DEBUG is on and no SECRET_KEY is given (``make demo``, ``make serve``).
# It is public, so with DEBUG off it is refused like any other weak key.
DEVELOPMENT_SECRET_KEY = "rollbook-development-only-secret-key-never-use-in-production"

# Django's own measure of a weak key (check --deploy, security.W009).
MIN_LENGTH = 50
MIN_UNIQUE_CHARACTERS = 5
INSECURE_PREFIX = "django-insecure-"

MAKE_ONE = "make one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def derived_field_key(secret_key: str) -> bytes:
    """The Fernet key used for stored secrets when ``FIELD_ENCRYPTION_KEY`` is not set."""
    return base64.urlsafe_b64encode(hashlib.sha256(f"rollbook-fields:{secret_key}".encode()).digest())


def secret_key_problem(value: str) -> str | None:
    """Why ``value`` may not sign a production server's sessions, or None when it may."""
    if not value:
        return "is not set"
    if value == DEVELOPMENT_SECRET_KEY:
        return "is the public development key"
    if value.startswith(INSECURE_PREFIX):
        return f"starts with {INSECURE_PREFIX!r}, as Django's generated development keys do"
    if len(value) < MIN_LENGTH or len(set(value)) < MIN_UNIQUE_CHARACTERS:
        return f"is too short or too simple (at least {MIN_LENGTH} characters, {MIN_UNIQUE_CHARACTERS} different)"
    return None


def field_key_problem(value: str, *, debug: bool) -> str | None:
    """Why ``value`` may not be the ``FIELD_ENCRYPTION_KEY``, or None when it may."""
    try:
        Fernet(value)
    except (ValueError, TypeError):
        return "is not a Fernet key (32 url-safe base64-encoded bytes; make one with: python -c " + (
            "'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
        )
    if not debug and value.encode() == derived_field_key(DEVELOPMENT_SECRET_KEY):
        return "is the key derived from the public development key"
    return None
