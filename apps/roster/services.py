"""The roster import's entry points: check an export and count what it would change (a
preview), or import it in one transaction (all or nothing); and the office's uploads, which do
both as background tasks."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePath

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from apps.languages.choice import language_in
from apps.roster.checks import read_export
from apps.roster.models import RosterUpload
from apps.roster.report import Findings, ImportReport, RosterError
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
        if write and scope is not None:
            # One school's uploads are applied one at a time.
            School.objects.select_for_update().filter(pk=scope.pk).first()
        report = RosterSync(export, problems, warnings, write=write, scope=scope, progress=progress).run()
        problems.raise_if_any()
    report.dry_run = dry_run
    return report


# ---------------------------------------------------------------- the office's uploads

MAX_UPLOAD_BYTES = 256 * 1024 * 1024


def upload_create(*, actor, school: School, files: list[tuple[str, bytes]]) -> RosterUpload:
    """Keep an uploaded export (one .zip, or its .csv files, packed into a .zip) and queue its
    check. Raises ValidationError, saving nothing, for anything that is not one."""
    if not files:
        raise ValidationError(gettext("Choose the export: a .zip, or its .csv files."))
    names = [PurePath(name).name for name, _ in files]
    size = sum(len(data) for _, data in files)
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(gettext("The upload is larger than %(most)s MB.") % {"most": MAX_UPLOAD_BYTES // 2**20})
    if len(files) == 1 and names[0].lower().endswith(".zip"):
        export = files[0][1]
        if not zipfile.is_zipfile(io.BytesIO(export)):
            raise ValidationError(gettext("%(name)s is not a .zip file.") % {"name": names[0]})
        filename = names[0]
    else:
        wrong = [name for name in names if not name.lower().endswith(".csv")]
        if wrong:
            raise ValidationError(
                gettext("Upload one .zip, or .csv files only (not %(names)s).") % {"names": ", ".join(wrong)}
            )
        lower = [name.lower() for name in names]
        twice = [name for i, name in enumerate(names) if lower.count(lower[i]) > 1 and lower.index(lower[i]) == i]
        if twice:
            raise ValidationError(
                ngettext("%(names)s is chosen twice.", "%(names)s are chosen twice.", len(twice))
                % {"names": ", ".join(twice)}
            )
        packed = io.BytesIO()
        with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, (_, data) in zip(names, files, strict=True):
                archive.writestr(name, data)
        export = packed.getvalue()
        filename = names[0] if len(names) == 1 else f"{len(names)} CSV files"
    upload = RosterUpload.objects.create(
        school=school,
        filename=filename[:255],
        export=export,
        size=size,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    from apps.roster.tasks import check_upload_task

    upload.task_id = str(check_upload_task.enqueue(upload.pk).id)
    upload.save(update_fields=["task_id"])
    return upload


def upload_apply(*, actor, upload: RosterUpload) -> bool:
    """Queue the import of a checked upload; False when it is not ready (applied already, by
    another tab or another admin, or cancelled)."""
    claimed = RosterUpload.objects.filter(pk=upload.pk, status=RosterUpload.Status.READY).update(
        status=RosterUpload.Status.APPLYING, applied_by=actor, applied_at=timezone.now(), step="", done=0, total=0
    )
    if not claimed:
        return False
    from apps.roster.tasks import apply_upload_task

    task_id = str(apply_upload_task.enqueue(upload.pk).id)
    RosterUpload.objects.filter(pk=upload.pk).update(task_id=task_id)
    return True


def upload_cancel(*, actor, upload: RosterUpload) -> bool:
    """Drop an upload that is not applied; False when it is applied or being applied."""
    waiting = (RosterUpload.Status.CHECKING, RosterUpload.Status.READY, RosterUpload.Status.REFUSED)
    return bool(
        RosterUpload.objects.filter(pk=upload.pk, status__in=waiting).update(
            status=RosterUpload.Status.CANCELLED, export=b"", finished_at=timezone.now()
        )
    )


class UploadProgress:
    """Writes a task's progress to its upload as it goes. An import runs in one transaction, so
    on PostgreSQL its progress goes through a connection of its own (committed at once, seen by
    the page); SQLite has one writer at a time, and there the page shows no step until the end."""

    def __init__(self, upload_id: int):
        self.upload_id = upload_id
        self.side = None
        self.last: tuple[str, float] = ("", 0.0)

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if step == self.last[0] and now - self.last[1] < 1.0:
            return
        self.last = (step, now)
        values = {"step": step, "done": done, "total": total}
        if not connection.in_atomic_block:
            RosterUpload.objects.filter(pk=self.upload_id).update(**values)
        elif connection.vendor == "postgresql":
            if self.side is None:
                self.side = connections.create_connection(DEFAULT_DB_ALIAS)
            table = self.side.ops.quote_name(RosterUpload._meta.db_table)
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET step = %s, done = %s, total = %s WHERE id = %s",  # noqa: S608
                    [step, done, total, self.upload_id],
                )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def check_upload(upload_id: int) -> str:
    """The preview: read and check the upload and count what it would change; nothing is saved."""
    upload = RosterUpload.objects.select_related("school").get(pk=upload_id)
    if upload.status != RosterUpload.Status.CHECKING:
        return upload.status
    progress = UploadProgress(upload_id)
    try:
        # Its problems and warnings are kept as text, in the language of the admin who uploaded it.
        with translation.override(language_in(upload.school_id, upload.uploaded_by_id)):
            report = import_roster(
                bytes(upload.export), dry_run=True, scope=upload.school, progress=progress, label=upload.filename
            )
    except RosterError as refused:
        values = {"status": RosterUpload.Status.REFUSED, "problems": refused.errors, "export": b""}
    except Exception as error:
        _failed(upload_id, error)
        raise
    else:
        values = {"status": RosterUpload.Status.READY, "preview": report.as_json()}
    finally:
        progress.close()
    RosterUpload.objects.filter(pk=upload_id, status=RosterUpload.Status.CHECKING).update(
        step="done", finished_at=timezone.now(), **values
    )
    return values["status"]


def apply_upload(upload_id: int) -> str:
    """The import of a checked upload, in one transaction, for its school only."""
    upload = RosterUpload.objects.select_related("school").get(pk=upload_id)
    if upload.status != RosterUpload.Status.APPLYING:
        return upload.status
    progress = UploadProgress(upload_id)
    try:
        # In the language of the admin who applied it, as the check's are of the one who uploaded it.
        with translation.override(language_in(upload.school_id, upload.applied_by_id)):
            report = import_roster(bytes(upload.export), scope=upload.school, progress=progress, label=upload.filename)
    except RosterError as refused:  # Rollbook changed since the check
        values = {"status": RosterUpload.Status.REFUSED, "problems": refused.errors}
    except Exception as error:
        _failed(upload_id, error)
        raise
    else:
        values = {"status": RosterUpload.Status.APPLIED, "outcome": report.as_json()}
    finally:
        progress.close()
    RosterUpload.objects.filter(pk=upload_id).update(step="done", finished_at=timezone.now(), export=b"", **values)
    return values["status"]


def _failed(upload_id: int, error: Exception) -> None:
    RosterUpload.objects.filter(pk=upload_id).update(
        status=RosterUpload.Status.FAILED, error=f"{type(error).__name__}: {error}"[:2000], finished_at=timezone.now()
    )
