"""Bring every language's .po file up to date with the strings marked in the code and templates:
Django's makemessages (it needs GNU gettext's xgettext and msgmerge) over Rollbook's own files."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

# Not Rollbook's pages: the tests, the benchmark, installed packages and built files.
IGNORED = [".venv", "venv", "tests", "bench", "staticfiles", "test-artifacts", "node_modules"]


def translated_languages() -> list[str]:
    """The languages that have a .po file: all but the one the strings are written in."""
    return [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class Command(BaseCommand):
    help = "Update locale/<language>/LC_MESSAGES/django.po with every marked string (needs GNU gettext)."

    def handle(self, *args, **options):
        call_command(
            "makemessages",
            locale=translated_languages(),
            ignore_patterns=IGNORED,
            no_obsolete=True,
            verbosity=options["verbosity"],
        )
