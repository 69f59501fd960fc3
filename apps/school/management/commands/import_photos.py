"""manage.py import_photos PATH [--school NUMBER]: students' photos from a folder or .zip."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.school.models import School
from apps.school.photos import PhotoRefused, import_photos


class Command(BaseCommand):
    help = (
        "Import students' photos from a folder or .zip of JPEG/PNG files named by student number "
        "or sourcedId; prints the matched, unmatched and refused files."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--school", type=int, help="the school's number (needed when there are several)")

    def handle(self, *args, path: Path, school: int | None, **options):
        schools = School.objects.all() if school is None else School.objects.filter(number=school)
        found = list(schools[:2])
        if len(found) != 1:
            raise CommandError(
                "No such school." if school is not None or not found else "Name the school: --school NUMBER."
            )
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        try:
            report = import_photos(found[0], path)
        except PhotoRefused as why:
            raise CommandError(str(why)) from None
        self.stdout.write(f"Matched {len(report.matched)}:")
        for name, student in report.matched:
            self.stdout.write(f"  {name} -> {student.full_name} ({student.student_number or student.sourced_id})")
        self.stdout.write(f"Unmatched {len(report.unmatched)} (no student has this number or sourcedId):")
        for name in report.unmatched:
            self.stdout.write(f"  {name}")
        self.stdout.write(f"Refused {len(report.refused)}:")
        for name, why in report.refused:
            self.stdout.write(f"  {name}: {why}")
