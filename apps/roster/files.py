"""Reading an export: ``<name>.csv`` from a folder, a .zip (a path or its bytes), by name only and
into memory within limits; each file into its header and rows with their line numbers.

Real exports differ in ways that lose nothing, and those are read: a UTF-8 byte-order mark, CRLF
line ends, quoted values across lines, a missing final newline, an empty field (or empty header
columns) at the end of a line, a file that is blank, file and column names in another letter case
(``userprofiles.csv``, ``SourcedId``), extension columns (``metadata.*``)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext

from apps.roster.report import Findings, RosterError

# An export is read into memory; these bound what one file and one whole export may expand to,
# whatever a zip's headers claim (a zip bomb stops at the limit instead of filling the memory).
# 500,000 enrollments take about 70 MB.
MAX_FILE_BYTES = 128 * 1024 * 1024
MAX_EXPORT_BYTES = 384 * 1024 * 1024

# The columns of the OneRoster 1.1 and 1.2 CSV files Rollbook reads, as the binding spells them;
# a header is matched to them whatever its letter case. Other columns are kept and not used.
COLUMNS: dict[str, tuple[str, ...]] = {
    "manifest": ("propertyName", "value"),
    "orgs": ("sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"),
    "academicSessions": (
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "type",
        "startDate",
        "endDate",
        "parentSourcedId",
        "schoolYear",
        # Not in the binding; some exports say whose session it is.
        "orgSourcedId",
        "schoolSourcedId",
    ),
    "courses": (
        "sourcedId",
        "status",
        "dateLastModified",
        "schoolYearSourcedId",
        "title",
        "courseCode",
        "grades",
        "orgSourcedId",
        "subjects",
        "subjectCodes",
    ),
    "classes": (
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "grades",
        "courseSourcedId",
        "classCode",
        "classType",
        "location",
        "schoolSourcedId",
        "termSourcedIds",
        "subjects",
        "subjectCodes",
        "periods",
    ),
    "users": (
        "sourcedId",
        "status",
        "dateLastModified",
        "enabledUser",
        "orgSourcedIds",  # 1.1; roles.csv in 1.2
        "role",  # 1.1; roles.csv in 1.2
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "password",
        "userMasterIdentifier",  # 1.2 from here
        "preferredGivenName",
        "preferredMiddleName",
        "preferredFamilyName",
        "primaryOrgSourcedId",
        "pronouns",
    ),
    "roles": (
        "sourcedId",
        "status",
        "dateLastModified",
        "userSourcedId",
        "roleType",
        "role",
        "beginDate",
        "endDate",
        "orgSourcedId",
        "userProfileSourcedId",
    ),
    "enrollments": (
        "sourcedId",
        "status",
        "dateLastModified",
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
        "role",
        "primary",
        "beginDate",
        "endDate",
    ),
}
CANONICAL = {name: {column.lower(): column for column in columns} for name, columns in COLUMNS.items()}


class Table:
    """One file: its columns (in the binding's spelling) and its rows."""

    __slots__ = ("name", "columns", "index", "rows")

    def __init__(self, name: str, columns: list[str]):
        self.name = name
        self.columns = columns
        self.index = {column: i for i, column in enumerate(columns) if column}
        self.rows: list[Row] = []


class Row:
    """One line of a file. ``row["column"]`` is its stripped value, "" for a column it lacks."""

    __slots__ = ("table", "line", "fields")

    def __init__(self, table: Table, line: int, fields: list[str]):
        self.table = table
        self.line = line
        self.fields = fields

    def __getitem__(self, column: str) -> str:
        i = self.table.index.get(column)
        return "" if i is None else self.fields[i]

    def __setitem__(self, column: str, value: str) -> None:
        self.fields[self.table.index[column]] = value

    def has(self, column: str) -> bool:
        return column in self.table.index

    @property
    def file(self) -> str:
        return self.table.name

    @property
    def where(self) -> str:
        return gettext("%(file)s.csv line %(line)s") % {"file": self.table.name, "line": self.line}

    @property
    def sourced_id(self) -> str:
        return self["sourcedId"]

    @property
    def deleted(self) -> bool:
        """``tobedeleted``, or OneRoster 1.0's ``inactive`` that some exports still write."""
        return self["status"] in ("tobedeleted", "inactive")

    def __repr__(self) -> str:
        return f"<Row {self.where}>"


class ExportReader:
    """Reads ``<name>.csv`` from a folder or a zip (a path, or the bytes of an upload), matching
    file names whatever their letter case; nothing is ever extracted to disk."""

    def __init__(self, source: Path | bytes, label: str | None = None):
        self.label = label or str(source)
        self.total = 0
        self.zip: zipfile.ZipFile | None = None
        self.members: dict[str, zipfile.ZipInfo] = {}
        self.files: dict[str, Path] = {}
        if isinstance(source, bytes | bytearray | memoryview):
            self._open_zip(io.BytesIO(bytes(source)))
            return
        if source.is_dir():
            for file in sorted(source.iterdir()):
                if file.is_file() and file.suffix.lower() == ".csv":
                    self._add(file.name, file, self.files)
            return
        if not source.is_file():
            raise RosterError([f"{self.label}: no such folder or file"])
        if not zipfile.is_zipfile(source):
            raise RosterError([f"{self.label}: neither a folder nor a .zip of OneRoster CSV files"])
        self._open_zip(source)

    def _open_zip(self, file) -> None:
        try:
            self.zip = zipfile.ZipFile(file)
        except (zipfile.BadZipFile, OSError) as error:
            raise RosterError([f"{self.label}: not a readable .zip ({error})"]) from None
        for info in self.zip.infolist():
            name = PurePosixPath(info.filename)
            # Only "users.csv" or "<one folder>/users.csv": "../" tricks cannot point anywhere,
            # and ambiguous duplicates are refused, not guessed between.
            if info.is_dir() or len(name.parts) > 2 or ".." in name.parts or name.suffix.lower() != ".csv":
                continue
            self._add(name.name, info, self.members)

    def _add(self, filename: str, item, into: dict) -> None:
        key = filename.lower()
        if key in into:
            raise RosterError([f"{self.label}: holds {filename} twice"])
        into[key] = item

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()

    def read(self, name: str) -> str | None:
        filename = f"{name}.csv"
        key = filename.lower()
        if self.zip is None:
            file = self.files.get(key)
            if file is None:
                return None
            with file.open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        else:
            info = self.members.get(key)
            if info is None:
                return None
            if info.file_size > MAX_FILE_BYTES:
                raise RosterError([f"{filename}: larger than {MAX_FILE_BYTES // 2**20} MB"])
            try:
                with self.zip.open(info) as handle:
                    data = handle.read(MAX_FILE_BYTES + 1)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as error:
                # Encrypted members, unknown compression, a corrupt stream (its CRC checked at the end).
                raise RosterError([f"{filename}: cannot be read from the zip ({error})"]) from None
        if len(data) > MAX_FILE_BYTES:
            raise RosterError([f"{filename}: larger than {MAX_FILE_BYTES // 2**20} MB"])
        self.total += len(data)
        if self.total > MAX_EXPORT_BYTES:
            raise RosterError([f"{self.label}: the export is larger than {MAX_EXPORT_BYTES // 2**20} MB"])
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise RosterError([f"{filename}: not UTF-8 text (byte {error.start})"]) from None


def parse_csv(name: str, text: str, problems: Findings, required: tuple[str, ...] = ()) -> Table | None:
    """The rows of one file with their line numbers, or None when its header cannot be used.
    A blank file is a file with no rows."""
    known = CANONICAL.get(name, {})
    if not text.strip():
        return Table(name, list(required))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [known.get(column.strip().lower(), column.strip()) for column in next(reader)]
    except csv.Error as error:
        problems.add((name, 1), gettext("not valid CSV (%(error)s)") % {"error": error})
        return None
    while header and not header[-1]:
        header.pop()  # "orgSourcedId,,": empty columns at the end of the header
    duplicates = sorted({c for c in header if header.count(c) > 1 and c})
    if duplicates:
        problems.add((name, 1), gettext("column %(columns)s appears twice") % {"columns": ", ".join(duplicates)})
    missing = [c for c in required if c not in header]
    if missing:
        problems.add((name, 1), gettext("missing column(s) %(columns)s") % {"columns": ", ".join(missing)})
        return None
    table = Table(name, header)
    width = len(header)
    rows = table.rows
    line = reader.line_num + 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.add((name, line), gettext("not valid CSV (%(error)s)") % {"error": error})
            break
        stripped = [f.strip() for f in fields]
        if any(stripped):  # else a blank line
            if len(stripped) < width or any(stripped[width:]):
                problems.add(
                    (name, line),
                    gettext("has %(fields)s fields, the header has %(width)s")
                    % {"fields": len(fields), "width": width},
                )
            else:
                rows.append(Row(table, line, stripped[:width] if len(stripped) > width else stripped))
        line = reader.line_num + 1
    return table


def split_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]
