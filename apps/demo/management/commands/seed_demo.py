"""``manage.py seed_demo``: build the demo school (see apps/demo/builder.py) and print its logins."""

from __future__ import annotations

import argparse
import time
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import URLValidator

from apps.demo.builder import (
    DEMO_URL,
    DemoError,
    build_demo_school,
    delete_demo_school,
    format_summary,
    refuse_beside_real_schools,
)


def validated_url(value: str) -> str:
    """An http(s) address without a path, e.g. http://127.0.0.1:18432 (``make demo`` passes its own)."""
    url = value.strip().rstrip("/")
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        url = ""
    if not url or urlsplit(url).path or urlsplit(url).query:
        raise argparse.ArgumentTypeError(f"{value!r} is not an address like http://127.0.0.1:8000")
    return url


class Command(BaseCommand):
    help = (
        "Build a realistic demo school (year groups, teachers, classes with timetables, students, parents, "
        "weeks of audited marks, excusals), the same for the same --seed, and print its logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="the same seed builds the same school (default 1)")
        parser.add_argument("--students", type=int, default=150, help="how many students (default 150)")
        parser.add_argument("--weeks", type=int, default=3, help="weeks of past marks up to yesterday (default 3)")
        parser.add_argument("--reset", action="store_true", help="delete the previous demo school first")
        parser.add_argument(
            "--api-client",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="issue an API client (all scopes) for the demo admin and print its token (default on)",
        )
        parser.add_argument(
            "--url",
            type=validated_url,
            default=DEMO_URL,
            help=f"the address the demo will be served at, printed with the logins (default {DEMO_URL})",
        )
        parser.add_argument(
            "--beside-real-schools",
            action="store_true",
            help="build it even though the database holds other (real) schools: refused otherwise",
        )

    def handle(
        self,
        *args,
        seed: int,
        students: int,
        weeks: int,
        reset: bool,
        api_client: bool,
        url: str,
        beside_real_schools: bool,
        **options,
    ) -> None:
        started = time.monotonic()
        try:
            if not beside_real_schools:
                refuse_beside_real_schools()  # before --reset deletes anything
            if reset and delete_demo_school():
                self.stdout.write("Deleted the previous demo school.")
            demo = build_demo_school(
                seed=seed,
                students=students,
                weeks=weeks,
                api_client=api_client,
                beside_real_schools=beside_real_schools,
            )
        except DemoError as error:
            raise CommandError(str(error)) from None
        for line in format_summary(demo, url):
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f}s."))
