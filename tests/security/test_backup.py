"""Backup and restore as docs/operations.md ("Backup and restore") tells the school's IT to do it:
``pg_dump -Fc`` of a live database, ``pg_restore`` into a new empty one, and every row is back."""

from __future__ import annotations

import os
import secrets
import subprocess

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark
from apps.classes.services import ClassMarkInput, record_class_marks
from apps.excusals.models import Excusal
from apps.excusals.services import excusal_create
from apps.homeroom.models import DailyMark
from apps.homeroom.services import DailyMarkInput, record_daily_marks
from apps.school.models import Parent
from tests import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]  # pg_dump sees committed rows


def client_env(dbname: str) -> dict:
    """libpq's environment for the test database's server: no password on a command line."""
    s = connection.settings_dict
    env = {**os.environ, "PGDATABASE": dbname}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if s[key]:
            env[variable] = str(s[key])
    return env


def _params(dbname: str) -> dict:
    s = connection.settings_dict
    return {
        "dbname": dbname,
        "user": s["USER"] or None,
        "password": s["PASSWORD"] or None,
        "host": s["HOST"] or None,
        "port": s["PORT"] or None,
    }


def every_row(dbname: str) -> dict[str, list[tuple]]:
    """Every row of every table in the public schema, in primary key order, and every sequence's
    position (so restored tables hand out new ids after the old ones)."""
    with psycopg.connect(**_params(dbname)) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        rows = {
            table: db.execute(sql.SQL("SELECT * FROM {} ORDER BY 1").format(sql.Identifier(table))).fetchall()
            for table in tables
        }
        rows["sequences"] = db.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
    return rows


@pytest.fixture
def school_with_history(world, teacher, parent):
    """Marks changed twice (so the audit log has before and after), a homeroom day, an excusal."""
    monday = f.last_weekday(world.school, 1)
    s0, s1, _ = world.students
    absent, late, present = (f.code(world.school, n) for n in (0, 2, 1))
    for code, note in ((absent, "Ill"), (late, "Bus was late – 10 minutes, «retard»")):
        f.saved(
            record_class_marks(
                actor=teacher,
                school=world.school,
                channel="web",
                marks=[
                    ClassMarkInput(world.english.pk, s0.pk, monday, 1, code.pk, note=note),
                    ClassMarkInput(world.english.pk, s1.pk, monday, 3, present.pk),
                ],
            )
        )
    f.saved(
        record_daily_marks(
            actor=teacher, school=world.school, channel="web", marks=[DailyMarkInput(s0.pk, monday, absent.pk)]
        )
    )
    excusal_create(
        actor=parent,
        student=s0,
        parent=Parent.objects.get(user=parent),
        start_date=monday,
        end_date=monday,
        comment="Doctor's appointment",
    )
    return world


def test_pg_dump_and_pg_restore_bring_back_every_mark_audit_entry_and_excusal(school_with_history, tmp_path):
    live = connection.settings_dict["NAME"]
    assert ClassMark.objects.count() == 2 and DailyMark.objects.count() == 1 and Excusal.objects.count() == 1
    marks_log = AuditEntry.objects.filter(mark_kind__in=AuditEntry.MARKS)
    assert marks_log.count() == 4  # two marks created, one updated, one homeroom day
    assert AuditEntry.objects.exclude(mark_kind__in=AuditEntry.MARKS).count() == 1  # the excusal sent
    dump = tmp_path / "rollbook.dump"
    scratch = f"{live}_restore_{secrets.token_hex(4)}"

    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump)], env=client_env(live), check=True)
    with psycopg.connect(**_params(live), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "-d", scratch, str(dump)],
            env=client_env(scratch),
            check=True,
        )
        restored, original = every_row(scratch), every_row(live)
    finally:
        with psycopg.connect(**_params(live), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch)))

    for model in (ClassMark, DailyMark, AuditEntry, Excusal):
        table = model._meta.db_table
        assert restored[table] == original[table] and original[table], table
    assert restored == original
