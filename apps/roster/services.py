"""The roster import's entry points: check an export and count what it would change (a
preview), or import it in one transaction (all or nothing)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.db import transaction

from apps.roster.checks import read_export
from apps.roster.report import Findings, ImportReport
from apps.roster.sync import RosterSync
from apps.school.models import School


def import_roster(
    source: Path | str | bytes,
    *,
    dry_run: bool = False,
    scope: School | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    label: str | None = None,
) -> ImportReport:
    """Import a OneRoster 1.1 or 1.2 CSV export: a folder, a .zip, or a .zip's bytes.

    ``dry_run`` reads and counts and saves nothing. ``scope`` is the one school an upload is
    for: the export's other schools are left out. Raises RosterError listing every problem (up
    to a limit); then nothing is saved."""
    if isinstance(source, str):
        source = Path(source)
    problems, warnings = Findings(), Findings("warnings")
    export = read_export(source, problems, warnings, label)
    # With a problem found already, the rest is looked for without writing anything.
    write = not dry_run and not problems
    with transaction.atomic():
        report = RosterSync(export, problems, warnings, write=write, scope=scope, progress=progress).run()
        problems.raise_if_any()
    report.dry_run = dry_run
    return report
