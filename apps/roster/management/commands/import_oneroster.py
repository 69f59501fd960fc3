"""``manage.py import_oneroster PATH``: load a OneRoster 1.1 or 1.2 CSV export (folder or .zip)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.roster.report import RosterError
from apps.roster.services import import_roster


class Command(BaseCommand):
    help = (
        "Import a OneRoster 1.1 or 1.2 CSV export (a folder or a .zip): schools, years, terms, classes, "
        "timetables, year groups, people and their logins, enrollments. All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="a folder or a .zip holding manifest.csv, users.csv, …")
        parser.add_argument("--dry-run", action="store_true", help="check and count, then save nothing")

    def handle(self, *args, path: Path, dry_run: bool, **options) -> None:
        try:
            report = import_roster(path, dry_run=dry_run)
        except RosterError as error:
            raise CommandError(
                f"{path}: refused, nothing was saved.\n" + "\n".join(f"  {line}" for line in error.errors)
            ) from None
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        for line in report.lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was saved."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {path}."))
