"""The translation files: one per language, complete (no untranslated or fuzzy message), holding
every string marked in the code and templates; and compiled without GNU gettext."""

from __future__ import annotations

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

from apps.languages.catalogs import Catalog, catalogs, compile_catalog
from apps.languages.management.commands.update_translations import IGNORED, translated_languages

ROOT = Path(settings.BASE_DIR)


def catalog_of(language: str) -> Catalog:
    found = [c for c in catalogs() if c.language == language and c.po.name == "django.po"]
    assert found, f"locale/{language}/LC_MESSAGES/django.po is missing: manage.py update_translations makes it"
    return found[0]


def test_every_language_but_english_has_its_translations_and_nothing_else_does():
    assert translated_languages() == ["es", "fr", "ar"]
    assert sorted(c.language for c in catalogs()) == sorted(translated_languages())


# Fails while a language has a message nobody has translated yet, or one marked fuzzy (a guess
# of msgmerge's that a translator has not checked): docs/translations.md says how to fill them.
@pytest.mark.parametrize("language", translated_languages())
def test_every_message_is_translated_and_none_is_fuzzy(language):
    catalog = catalog_of(language)
    assert catalog.untranslated == [], (
        f"{language}: {len(catalog.untranslated)} untranslated, e.g. {catalog.untranslated[:5]}"
    )
    assert catalog.fuzzy == [], f"{language}: {len(catalog.fuzzy)} fuzzy, e.g. {catalog.fuzzy[:5]}"


def marked_strings(tmp_path: Path, monkeypatch) -> set[tuple[str, str]]:
    """Every (context, string) marked in a copy of the code and templates, as makemessages finds
    them: in a copy, so that it writes only there."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext (xgettext) is missing: apt-get install gettext")
    copy = tmp_path / "rollbook"
    for part in ("apps", "attendance_site", "templates"):
        shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    (copy / "locale").mkdir()
    monkeypatch.chdir(copy)
    with monkeypatch.context() as m:
        m.setattr(settings, "LOCALE_PATHS", [copy / "locale"])
        call_command("makemessages", locale=["es"], ignore_patterns=IGNORED, verbosity=0)
    po = polib.pofile(str(copy / "locale" / "es" / "LC_MESSAGES" / "django.po"))
    return {(e.msgctxt or "", e.msgid) for e in po}


def test_the_translation_files_hold_every_marked_string(tmp_path, monkeypatch):
    marked = marked_strings(tmp_path, monkeypatch)
    assert ("", "Sign out") in marked and ("navigation", "Main") in marked  # it found them
    for language in translated_languages():
        po = polib.pofile(str(catalog_of(language).po))
        held = {(e.msgctxt or "", e.msgid) for e in po if not e.obsolete}
        missing = sorted(marked - held)
        assert missing == [], f"{language}: run manage.py update_translations, then translate {missing[:5]}"


def test_compiling_keeps_the_translated_messages_and_leaves_out_the_fuzzy_ones(tmp_path):
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "fr"}
    po.append(polib.POEntry(msgid="Today", msgstr="Aujourd’hui"))
    po.append(polib.POEntry(msgid="Sign out", msgstr="Sortir", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="Family", msgstr=""))
    po.append(polib.POEntry(msgid="Main", msgctxt="navigation", msgstr="Principal"))
    path = tmp_path / "fr" / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True)
    po.save(str(path))
    catalog = Catalog("fr", path, translated=2, untranslated=["Family"], fuzzy=["Sign out"])
    compile_catalog(catalog)
    compiled = {(e.msgctxt or "", e.msgid): e.msgstr for e in polib.mofile(str(catalog.mo))}
    assert compiled == {("", "Today"): "Aujourd’hui", ("navigation", "Main"): "Principal"}
    assert sorted(p.name for p in path.parent.iterdir()) == ["django.mo", "django.po"]  # no half-written file left


def test_the_command_make_install_runs_compiles_what_django_reads():
    from io import StringIO

    from django.utils import translation

    out = StringIO()
    call_command("compile_translations", stdout=out)
    assert sorted(line.split(":")[0] for line in out.getvalue().splitlines()) == ["ar", "es", "fr"]
    for catalog in catalogs():
        assert catalog.mo.stat().st_mtime >= catalog.po.stat().st_mtime
    with translation.override("fr"):
        assert translation.gettext("Sign out") == "Se déconnecter"
    with translation.override("ar"):
        assert translation.pgettext("navigation", "Main") == "الرئيسية"
    makefile = (ROOT / "Makefile").read_text()
    install = makefile.split("\ninstall:", 1)[1].split("\n\n", 1)[0]
    assert "manage.py compile_translations" in install
    assert "locale/*/LC_MESSAGES/*.mo" in (ROOT / ".gitignore").read_text()
