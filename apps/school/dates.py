"""The dates Rollbook takes from people and clients: from 1 January 1900 to 31 December 2200.

Every date that arrives in a query string, a form, an API path or body, an import or the Django
admin is checked here, so that a date no school uses (0001-01-01, 9999-12-31) is refused with a
clear message in its page or dialect instead of failing deep inside (Python cannot go a day past
9999-12-31, and a report of the year 1 means nothing).
"""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext

EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)
OUT_OF_RANGE = f"must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}"
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def in_range(value: date) -> bool:
    return EARLIEST <= value <= LATEST


def parse_iso(raw: str | None) -> date | None:
    """A well-formed ``YYYY-MM-DD`` date of any year, else None; see ``read_date``."""
    if not raw or not ISO_DATE.fullmatch(raw):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:  # well formed but no day, e.g. 2026-02-30
        return None


def read_date(raw: str | None) -> date | None:
    """A ``YYYY-MM-DD`` date in the range, else None (for a value that is not one, or is out of range)."""
    value = parse_iso(raw)
    return value if value is not None and in_range(value) else None


@deconstructible
class DateRange:
    """A validator (model, form and DRF fields run it): the date lies between ``EARLIEST`` and
    ``LATEST``. Each dialect words the refusal its own way with ``message``."""

    code = "date_out_of_range"

    def __init__(self, message: str = OUT_OF_RANGE):
        self.message = message

    def __call__(self, value) -> None:
        if isinstance(value, date) and not in_range(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, DateRange) and other.message == self.message


def _web_message() -> str:
    return gettext("Choose a date between %(earliest)s and %(latest)s.") % {
        "earliest": date_format(EARLIEST, "j F Y"),
        "latest": date_format(LATEST, "j F Y"),
    }


WEB_MESSAGE = lazy(_web_message, str)()  # in the reader's language, with its month names


class DateInput(forms.DateInput):
    """A date picker that offers only the dates Rollbook takes."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"min": EARLIEST.isoformat(), "max": LATEST.isoformat(), **(attrs or {})}, format="%Y-%m-%d"
        )


class DayField(forms.DateField):
    """A form's date: a date picker, and a date in the range."""

    widget = DateInput
    default_validators = [DateRange(WEB_MESSAGE)]
