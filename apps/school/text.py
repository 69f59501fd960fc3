"""Text a database column can hold. PostgreSQL refuses the NUL character in text, and a lone
UTF-16 surrogate (JSON can carry one as ``\\ud800``) cannot be written as UTF-8 at all: either
would fail the write with a 500, so the write paths refuse them as a field error first.

Also ``Refusal``: a field error the APIs send as it is and a page shows translated."""

from __future__ import annotations

from django.utils.functional import lazy


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


class Refusal(str):
    """A write path's field error: its value is the wire text (``"must be between 0 and 600"``)
    that every API sends as it is; ``sentence`` is the whole sentence a page shows instead
    (``"Minutes late must be between 0 and 600"``), in the reader's language."""

    sentence: str

    def __new__(cls, wire: str, sentence: str = "") -> Refusal:
        refusal = super().__new__(cls, wire)
        refusal.sentence = sentence or wire  # a copy passes only the wire text, then its sentence
        return refusal


def sentence_of(message: str, fallback: str) -> str:
    """What a page shows for a field error: its ``Refusal.sentence``, else ``fallback``."""
    return getattr(message, "sentence", fallback)


def lazy_interpolate(message, values: dict):
    """``message % values`` worked out when it is shown, so in the reader's language (for a
    module's ``gettext_lazy`` text with ``%(name)s`` placeholders, such as a form's help text)."""
    return lazy(lambda: str(message) % values, str)()
