"""The apps build on one another one way, and marks are written in one place.

Layers, lowest first: apps/school; apps/attendance (the engine, and the roll sheet both roll pages
draw: besides the school's rows it reads only excusals and the audit model); apps/homeroom;
apps/classes; then the apps above (excusals' pages, reports, the API dialects, the demo).
"""

from __future__ import annotations

import ast
from pathlib import Path

APPS = Path(__file__).resolve().parents[1] / "apps"
MARK_MODELS = {"ClassMark", "DailyMark", "TimeEntry"}
WRITES = {"create", "bulk_create", "bulk_update", "update", "delete", "get_or_create", "update_or_create"}


def imports(path: Path) -> set[str]:
    """The modules under apps/ a module imports, at its top or anywhere inside it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        found |= {name for name in names if name.startswith("apps.")}
    return found


def imported_apps(path: Path) -> set[str]:
    return {name.split(".")[1] for name in imports(path)}


def modules(app: str = "", *, skip: set[str] = frozenset()) -> list[Path]:
    root = APPS / app if app else APPS
    return [p for p in sorted(root.rglob("*.py")) if p.name not in skip and "migrations" not in p.parts]


def mark_writes(path: Path) -> list[int]:
    """Lines of ``ClassMark.objects.bulk_create(...)`` and the like: writes of a mark model's rows."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
            if {n.id for n in ast.walk(node.func.value) if isinstance(n, ast.Name)} & MARK_MODELS:
                found.append(node.lineno)
    return found


def wrong_imports(app: str, allowed: set[str], *, skip: set[str] = frozenset()) -> dict[str, list[str]]:
    wrong = {str(p.relative_to(APPS)): sorted(imported_apps(p) - allowed - {app}) for p in modules(app, skip=skip)}
    return {path: names for path, names in wrong.items() if names}


def test_the_school_app_imports_no_other_app():
    assert wrong_imports("school", set()) == {}


def test_the_attendance_app_builds_only_on_the_school():
    above = {name for p in modules("attendance") for name in imports(p)}
    allowed = ("apps.school", "apps.attendance", "apps.audit.models", "apps.excusals.models")
    assert {name for name in above if not name.startswith(allowed)} == set()


def test_homeroom_imports_nothing_of_classes():
    assert wrong_imports("homeroom", {"school", "attendance", "audit", "excusals", "notifications"}) == {}


def test_no_module_outside_the_engine_writes_a_mark():
    outside = [p for p in modules() if "attendance" not in p.relative_to(APPS).parts]
    assert {str(p.relative_to(APPS)): lines for p in outside if (lines := mark_writes(p))} == {}


def test_no_dialect_takes_the_engines_locks():
    assert [str(p.relative_to(APPS)) for p in modules("api") if "apps.attendance.engine" in imports(p)] == []


def test_the_checks_see_an_import_inside_a_function_and_a_write(tmp_path):
    module = tmp_path / "lazy.py"
    module.write_text(
        "def f():\n    from apps.classes.models import ClassMark\n    import apps.homeroom.models\n"
        "    ClassMark.objects.filter(pk=1).delete()\n"
    )
    assert imported_apps(module) == {"classes", "homeroom"}
    assert mark_writes(module) == [4]
