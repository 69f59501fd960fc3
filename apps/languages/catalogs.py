"""The translation files: locale/<language>/LC_MESSAGES/django.po, written by translators, and the
.mo files Django reads, compiled from them by ``manage.py compile_translations`` (``make
install`` runs it) with polib, so no machine needs GNU gettext to run Rollbook. Making the .po
files from the marked strings (``manage.py makemessages``) does need gettext: docs/translations.md."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polib
from django.conf import settings


@dataclass(frozen=True)
class Catalog:
    language: str
    po: Path
    translated: int
    untranslated: list[str]
    fuzzy: list[str]

    @property
    def mo(self) -> Path:
        return self.po.with_suffix(".mo")

    @property
    def complete(self) -> bool:
        return not self.untranslated and not self.fuzzy


def catalogs() -> list[Catalog]:
    """Every .po file under LOCALE_PATHS, with what is translated in it."""
    found = []
    for root in settings.LOCALE_PATHS:
        for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
            po = polib.pofile(str(po_path))
            found.append(
                Catalog(
                    language=po_path.parent.parent.name,
                    po=po_path,
                    translated=len(po.translated_entries()),
                    untranslated=[e.msgid for e in po.untranslated_entries()],
                    fuzzy=[e.msgid for e in po.fuzzy_entries()],
                )
            )
    return found


def compile_catalog(catalog: Catalog) -> None:
    """Write the .mo beside the .po (its translated messages; fuzzy ones are left out, as
    msgfmt leaves them), replacing the old one in one step, so a server reading it never sees half."""
    fd, tmp = tempfile.mkstemp(dir=catalog.po.parent, suffix=".mo.tmp")
    os.close(fd)
    try:
        polib.pofile(str(catalog.po)).save_as_mofile(tmp)
        os.replace(tmp, catalog.mo)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
