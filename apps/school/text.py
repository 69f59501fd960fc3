"""Text a database column can hold. PostgreSQL refuses the NUL character in text, and a lone
UTF-16 surrogate (JSON can carry one as ``\\ud800``) cannot be written as UTF-8 at all: either
would fail the write with a 500, so the write paths refuse them as a field error first."""

from __future__ import annotations


def unstorable(text: str | None) -> str | None:
    """Why ``text`` cannot be stored, as a field error message; None when it can."""
    if not text:
        return None
    if "\x00" in text:
        return "must not contain NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text (it has an unpaired surrogate)"
    return None
