"""Compile every locale/*/LC_MESSAGES/*.po into the .mo Django reads (apps/languages/catalogs.py)."""

from django.core.management.base import BaseCommand

from apps.languages.catalogs import catalogs, compile_catalog


class Command(BaseCommand):
    help = "Compile the translations (.po) into the files Django reads (.mo), without GNU gettext."

    def handle(self, *args, **options):
        for catalog in catalogs():
            compile_catalog(catalog)
            self.stdout.write(
                f"{catalog.language}: {catalog.translated} translated, {len(catalog.untranslated)} untranslated, "
                f"{len(catalog.fuzzy)} fuzzy ({catalog.po})"
            )
