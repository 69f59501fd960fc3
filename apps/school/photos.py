"""Student photos: a JPEG or PNG file made into a small JPEG thumbnail with Pillow, and an import
of files named by student number or sourcedId: a folder or .zip (``manage.py import_photos``) or
the files and .zips an admin uploads (the office's photo page, apps/roster/views.py). Both
go through ``save_photos``."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from apps.school.models import School, Student, StudentPhoto

THUMBNAIL_PX = 160  # the longer side; the roll shows it at 40 px, the family page at 64
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # larger is refused rather than decoded (a decompression bomb)
FORMATS = {"JPEG", "PNG"}
SUFFIXES = {".jpg", ".jpeg", ".png"}
MAX_UPLOAD_READ = 500 * 1024 * 1024  # what one upload may unpack in all


class PhotoRefused(ValueError):
    """Why a file is not a photo we keep."""


def thumbnail(data: bytes) -> bytes:
    """The file as a JPEG at most THUMBNAIL_PX on its longer side, turned upright by its EXIF
    orientation and stripped of its metadata; PhotoRefused for anything but a JPEG or PNG."""
    if len(data) > MAX_FILE_BYTES:
        raise PhotoRefused(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        with Image.open(io.BytesIO(data), formats=sorted(FORMATS)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise PhotoRefused("too many pixels")
            image.load()
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError) as error:
        raise PhotoRefused("not a JPEG or PNG image") from error
    upright.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()


@dataclass
class ImportReport:
    matched: list[tuple[str, Student]] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def _zip_files(archive: zipfile.ZipFile):
    """(name, bytes) of each file in a .zip, its folders flattened; None for a file too large."""
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        name = PurePosixPath(info.filename).name
        if info.is_dir() or not name or name.startswith(".") or "__MACOSX" in info.filename:
            continue
        if info.file_size > MAX_FILE_BYTES:
            yield name, None  # not read: refused below
            continue
        yield name, archive.read(info)


def _files(path: Path):
    """(name, bytes) of each file in a folder (not its subfolders) or a .zip."""
    if path.is_dir():
        for entry in sorted(path.iterdir()):
            if entry.is_file() and not entry.name.startswith("."):
                yield entry.name, entry.read_bytes()
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            yield from _zip_files(archive)
    else:
        raise PhotoRefused(f"{path} is neither a folder nor a .zip file")


def uploaded_files(uploads: Iterable[tuple[str, BinaryIO]]):
    """(name, bytes) of each uploaded file, a .zip's files in its place; None for a file too
    large, and a PhotoRefused for a .zip that cannot be read and for the files after the first
    MAX_UPLOAD_READ bytes."""
    too_much = PhotoRefused(
        _("past the %(mb)d MB one upload may hold: upload it apart") % {"mb": MAX_UPLOAD_READ // (1024 * 1024)}
    )
    read = 0
    for name, upload in uploads:
        if PurePosixPath(name).suffix.lower() == ".zip":
            try:
                with zipfile.ZipFile(upload) as archive:
                    for inner, data in _zip_files(archive):
                        read += len(data or b"")
                        yield inner, data if read <= MAX_UPLOAD_READ else too_much
            except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, RuntimeError):
                # RuntimeError: an encrypted file; NotImplementedError (a RuntimeError): a compression not known.
                yield name, PhotoRefused(_("not a .zip file that can be read"))
            continue
        data = upload.read(MAX_FILE_BYTES + 1)
        read += len(data)
        yield name, None if len(data) > MAX_FILE_BYTES else data if read <= MAX_UPLOAD_READ else too_much


def import_photos(school: School, path: Path) -> ImportReport:
    """The photos of a folder or .zip (``manage.py import_photos``): see ``save_photos``."""
    return save_photos(school, _files(path))


def save_photos(school: School, files: Iterable[tuple[str, bytes | None | PhotoRefused]]) -> ImportReport:
    """Each file named ``<student number>.jpg`` or ``<sourcedId>.png`` (any case of suffix)
    becomes that student's photo (replacing one before); files matching no student of the
    school are listed as unmatched, files that are not photos (or come as a PhotoRefused) as
    refused. One transaction."""
    report = ImportReport()
    students = list(Student.objects.filter(school=school))
    by_number = {s.student_number.lower(): s for s in students if s.student_number}
    by_sourced = {s.sourced_id.lower(): s for s in students if s.sourced_id}
    with transaction.atomic():
        for name, data in files:
            stem, suffix = PurePosixPath(name).stem, PurePosixPath(name).suffix.lower()
            if isinstance(data, PhotoRefused):
                report.refused.append((name, str(data)))
                continue
            if suffix not in SUFFIXES:
                report.refused.append((name, "not a .jpg, .jpeg or .png file"))
                continue
            student = by_number.get(stem.lower()) or by_sourced.get(stem.lower())
            if student is None:
                report.unmatched.append(name)
                continue
            if data is None:
                report.refused.append((name, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB"))
                continue
            try:
                thumb = thumbnail(data)
            except PhotoRefused as why:
                report.refused.append((name, str(why)))
                continue
            StudentPhoto.objects.update_or_create(school=school, student=student, defaults={"thumbnail": thumb})
            report.matched.append((name, student))
    return report
