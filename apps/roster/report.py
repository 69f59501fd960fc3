"""What an import found and did: the problems that refuse it, the warnings, and the counts per kind."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext

# The files an export is read from, in the order their problems are listed.
FILES = ("manifest", "orgs", "academicSessions", "courses", "classes", "users", "roles", "enrollments")
MAX_LISTED = 200

KINDS = (
    "schools",
    "academic years",
    "terms",
    "periods",
    "classes",
    "timetable slots",
    "year groups",
    "advisors",
    "logins",
    "students",
    "teachers",
    "parents",
    "administrators",
    "guardianships",
    "enrollments",
    "teacher assignments",
)
ACTIONS = ("created", "updated", "archived", "removed")


class RosterError(Exception):
    """The export was refused; ``errors`` says where and why, every problem found (up to
    MAX_LISTED, then how many more). Nothing was saved."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


class Findings:
    """Problems (or warnings) of one import, each ``<file>.csv line <n>: <rule broken>``, listed
    file by file and line by line whatever order they were found in; the same one once."""

    def __init__(self, noun: str = "problems") -> None:
        self.noun = noun
        self._found: dict[str, tuple[int, int, int]] = {}

    def add(self, where, reason: str) -> None:
        """``where`` is a row (anything with ``file``, ``line`` and ``where``), a (file, line)
        pair, or a file's name such as ``"users.csv"``."""
        if isinstance(where, str):
            file, line = where.removesuffix(".csv"), 0
            text = f"{where}: {reason}"
        else:
            file, line = where if isinstance(where, tuple) else (where.file, where.line)
            text = gettext("%(file)s.csv line %(line)s: %(reason)s") % {"file": file, "line": line, "reason": reason}
        if text not in self._found:
            order = FILES.index(file) if file in FILES else len(FILES)
            self._found[text] = (order, line, len(self._found))

    def __bool__(self) -> bool:
        return bool(self._found)

    def __len__(self) -> int:
        return len(self._found)

    def lines(self) -> list[str]:
        ordered = sorted(self._found, key=self._found.__getitem__)
        if len(ordered) <= MAX_LISTED:
            return ordered
        rest = len(ordered) - MAX_LISTED
        if self.noun == "warnings":
            more = gettext("… and %(rest)s more warnings (%(all)s in all)")
        else:
            more = gettext("… and %(rest)s more problems (%(all)s in all)")
        return [*ordered[:MAX_LISTED], more % {"rest": rest, "all": len(ordered)}]

    def raise_if_any(self) -> None:
        if self._found:
            raise RosterError(self.lines())


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    archived: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def lines(self) -> list[str]:
        out = []
        for kind in KINDS:
            parts = [
                f"{self.created[kind]} created",
                f"{self.updated[kind]} updated",
                f"{self.archived[kind]} archived",
            ]
            if self.removed[kind]:
                parts.append(f"{self.removed[kind]} removed")
            out.append(f"{kind}: {', '.join(parts)}")
        return out

    def rows(self) -> list[tuple[str, int, int, int, int]]:
        """(kind, created, updated, archived, removed) of each kind."""
        return [(kind, *(getattr(self, action)[kind] for action in ACTIONS)) for kind in KINDS]

    def changes(self) -> int:
        return sum(sum(getattr(self, action).values()) for action in ACTIONS)

    def as_json(self) -> dict:
        return {**{action: getattr(self, action) for action in ACTIONS}, "warnings": self.warnings}

    @classmethod
    def from_json(cls, data: dict) -> ImportReport:
        report = cls(warnings=list(data.get("warnings", [])))
        for action in ACTIONS:
            getattr(report, action).update({k: v for k, v in data.get(action, {}).items() if k in KINDS})
        return report
