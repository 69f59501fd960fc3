"""The README and docs/ point only at what is there: every relative link opens a file of the
repository (and, with a #fragment, a heading of that page), and every file path written in
backticks names a file or folder that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([ROOT / "README.md", ROOT / "SECURITY.md", ROOT / "BENCHMARK.md", *(ROOT / "docs").glob("*.md")])
LINK = re.compile(r"\]\(([^)\s]+)\)")
# A path in backticks: at least one slash, starting at a top-level folder of the repository.
PATH = re.compile(r"`((?:apps|attendance_site|tests|bench|docs|templates|static|\.ci)/[^`\s:*<>]*)")


def anchor(heading: str) -> str:
    """GitHub's id of a heading: lower case, punctuation dropped, spaces become hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {anchor(h) for h in re.findall(r"^#{1,6} (.+)$", page.read_text(), re.M)}


def test_there_are_pages_to_check():
    names = {page.name for page in PAGES}
    assert {"README.md", "guide-teachers.md", "guide-parents.md", "guide-office.md", "operations.md"} <= names
    assert {"architecture.md", "tests.md", "api-managebac.md", "api-sections.md"} <= names
    assert {"api-course-offering.md", "api-powerschool.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_opens_a_file_and_heading(page):
    for target in LINK.findall(page.read_text()):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        name, _, fragment = target.partition("#")
        linked = (page.parent / name).resolve() if name else page
        assert linked.exists(), f"{page.name} links to {target}, which is not in the repository"
        if fragment:
            assert fragment in anchors(linked), f"{page.name} links to {target}: no such heading"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_path_in_backticks_exists(page):
    for path in PATH.findall(page.read_text()):
        assert (ROOT / path.rstrip("/.,")).exists(), f"{page.name} names {path}, which is not in the repository"


# Names the pages use that the code does not define: django-axes's command, and the variable the
# upgrade notes say is gone.
NOT_OURS = {"axes_reset", "ROLLBOOK_ALLOW_DEV_SECRET"}
NAME = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*_[A-Za-z0-9_]*)`")


def test_every_name_in_backticks_is_in_the_code():
    """A function, setting or variable a page names (``record_class_marks``, ``API_RATE_LIMIT``)
    is written somewhere in the code, so a rename that leaves a page behind fails here."""
    folders = ("apps", "attendance_site", "tests", "bench", ".ci")
    sources = [p for folder in folders for p in (ROOT / folder).rglob("*.py") if p != Path(__file__)]
    code = "\n".join(p.read_text() for p in sources)
    code += (ROOT / "Makefile").read_text() + (ROOT / ".ci" / "run").read_text()
    for page in PAGES:
        missing = {name for name in NAME.findall(page.read_text()) if name not in code} - NOT_OURS
        assert not missing, f"{page.name} names {sorted(missing)}, which the code does not"
