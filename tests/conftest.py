"""Fixtures: one school seen from each role, and another school that nobody here may see.

Users are named by role: ``admin``, ``teacher``, ``other_teacher``, ``parent``,
``other_parent``, ``other_school_admin`` are django User objects ready for ``client.force_login``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from tests import factories as f


def pytest_configure(config):
    """The translations compiled from the .po files as they are now (``make install`` does the
    same), once, before any test (and any xdist worker) starts, so no test reads stale .mo files."""
    if hasattr(config, "workerinput"):
        return
    from apps.languages.catalogs import catalogs, compile_catalog

    for catalog in catalogs():
        compile_catalog(catalog)


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` prove what only PostgreSQL can show (two writers at once);
    on SQLite they are deselected, not skipped. CI runs the suite on both databases."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    kept = [item for item in items if item.get_closest_marker("postgres") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


# Every test runs at this moment unless it names its own with @pytest.mark.time_machine(...):
# a Wednesday morning in term, after periods 1 and 2 have started in the factories' timetable.
PINNED_MOMENT = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def pinned_clock(request, time_machine):
    """The clock every test reads (time-machine, ticking from the moment it is set), so that the
    suite gives the same answer on every day of the year. A test about a date says which one:
    ``@pytest.mark.time_machine("2027-02-27 23:30 +00:00")``, or ``pinned_clock.move_to(...)``."""
    if request.node.get_closest_marker("time_machine") is None:
        time_machine.move_to(PINNED_MOMENT)
    return time_machine


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs ~0.3 s a user; tests make dozens of users and don't test PBKDF2."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def write_lock_queries():
    """Queries a write spends on PostgreSQL's advisory lock of the mark keys (none on SQLite)."""
    from django.db import connection

    return 1 if connection.vendor == "postgresql" else 0


@pytest.fixture
def school(db):
    return f.make_school("Northfield School", timezone="UTC")


@pytest.fixture
def other_school(db):
    return f.make_school("Southbank Academy", timezone="UTC")


@pytest.fixture
def world(school, other_school):
    """A small school: a teacher who teaches 7A English and advises Year 7, another teacher
    with their own class, three students in Year 7 and one in Year 8, a parent of the first
    student and another parent; and a second school with its own admin, teacher and class."""
    teacher = f.make_teacher(school, "teacher", "Tess", "Teacher")
    other_teacher = f.make_teacher(school, "other_teacher", "Otto", "Other")
    admin = f.make_admin(school, "admin")
    year7 = f.make_year_group(school, "Year 7", teacher)
    year8 = f.make_year_group(school, "Year 8", other_teacher)
    students = f.make_students(school, 3, year7, prefix="Y7")
    year8_students = f.make_students(school, 1, year8, prefix="Y8")
    english = f.make_class(school, "7A English", [teacher], students, periods=(1, 3))
    science = f.make_class(school, "8B Science", [other_teacher], year8_students, periods=(2,))
    parent = f.make_parent(school, "parent", students[0])
    other_parent = f.make_parent(school, "other_parent", year8_students[0], first="Olive")

    other_admin = f.make_admin(other_school, "other_school_admin")
    other_school_teacher = f.make_teacher(other_school, "other_school_teacher", "Sam", "Elsewhere")
    far_students = f.make_students(other_school, 2, f.make_year_group(other_school, "Year 7"), prefix="Far")
    far_class = f.make_class(other_school, "Far English", [other_school_teacher], far_students)
    return SimpleNamespace(
        school=school,
        other_school=other_school,
        teacher=teacher,
        other_teacher=other_teacher,
        admin=admin,
        parent=parent,
        other_parent=other_parent,
        other_school_admin=other_admin,
        other_school_teacher=other_school_teacher,
        year7=year7,
        year8=year8,
        students=students,
        year8_students=year8_students,
        english=english,
        science=science,
        far_students=far_students,
        far_class=far_class,
    )


@pytest.fixture
def admin(world):
    return world.admin.user


@pytest.fixture
def teacher(world):
    return world.teacher.user


@pytest.fixture
def other_teacher(world):
    return world.other_teacher.user


@pytest.fixture
def parent(world):
    return world.parent.user


@pytest.fixture
def other_parent(world):
    return world.other_parent.user


@pytest.fixture
def other_school_admin(world):
    return world.other_school_admin.user
