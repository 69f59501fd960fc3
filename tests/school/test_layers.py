"""The apps build on one another one way: apps/school, the lowest, imports no other app (not even
inside a function), and apps/classes imports nothing of apps/homeroom, which builds on it."""

from __future__ import annotations

import ast
from pathlib import Path

APPS = Path(__file__).resolve().parents[2] / "apps"
# Still to move out of apps/school: the demo school and the 503 answers (issue 16), the roster
# importer (the roster issue).
NOT_YET_MOVED = {"demo.py", "unavailable.py", "roster.py"}


def imported_apps(path: Path) -> set[str]:
    """The apps (``apps.<name>``) a module imports, at its top or anywhere inside it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        found |= {name.split(".")[1] for name in names if name.startswith("apps.")}
    return found


def modules(app: str, *, skip: set[str] = frozenset()) -> list[Path]:
    return [p for p in sorted((APPS / app).rglob("*.py")) if p.name not in skip]


def test_the_school_app_imports_no_other_app():
    wrong = {
        str(p.relative_to(APPS)): sorted(imported_apps(p) - {"school"}) for p in modules("school", skip=NOT_YET_MOVED)
    }
    assert {path: names for path, names in wrong.items() if names} == {}


def test_classes_import_nothing_of_homeroom():
    wrong = [str(p.relative_to(APPS)) for p in modules("classes") if "homeroom" in imported_apps(p)]
    assert wrong == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    from apps.classes.models import SchoolClass\n    import apps.homeroom.models\n")
    assert imported_apps(module) == {"classes", "homeroom"}
