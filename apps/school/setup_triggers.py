"""The database triggers that change a school's ``setup_version`` whenever one of its codes,
periods or timetable slots is inserted, updated or deleted (by the ORM, a bulk write or plain
SQL), in the same transaction: apps/school/memo.py keeps the set-up under that version. Run by
the migrations that add them (school 0005, classes 0006).

On SQLite, a migration that rebuilds one of these tables drops its triggers with it: such a
migration must add them again (``add_triggers``); tests/school/test_setup_cache.py fails
without them.
"""

from __future__ import annotations

# A random 62-bit number, not a counter: a rolled-back change leaves the old number, and the
# next change must not reuse one that a process saw inside the transaction that rolled back.
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION rollbook_setup_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE school_school SET setup_version = floor(random() * 4.6e18)::bigint WHERE id = OLD.school_id;
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.school_id IS DISTINCT FROM OLD.school_id) THEN
    UPDATE school_school SET setup_version = floor(random() * 4.6e18)::bigint WHERE id = NEW.school_id;
  END IF;
  RETURN NULL;
END $$
"""
_SQLITE_NEW = "UPDATE school_school SET setup_version = abs(random() % 4611686018427387904)"


def add_triggers(schema_editor, table: str) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_PG_FUNCTION)
        schema_editor.execute(
            f"CREATE TRIGGER {table}_setup_changed AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION rollbook_setup_changed()"
        )
    elif vendor == "sqlite":
        new = _SQLITE_NEW  # table names are the migrations' own constants
        schema_editor.execute(
            f"CREATE TRIGGER {table}_setup_inserted AFTER INSERT ON {table} BEGIN {new} WHERE id = NEW.school_id; END"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {table}_setup_updated AFTER UPDATE ON {table} "
            f"BEGIN {new} WHERE id IN (OLD.school_id, NEW.school_id); END"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {table}_setup_deleted AFTER DELETE ON {table} BEGIN {new} WHERE id = OLD.school_id; END"
        )
    else:
        raise NotImplementedError(f"no set-up triggers for {vendor}")


def drop_triggers(schema_editor, table: str) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_setup_changed ON {table}")
    elif vendor == "sqlite":
        for what in ("inserted", "updated", "deleted"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_setup_{what}")


def operations(*tables: str):
    """A migration's RunPython adding the triggers to these tables (and dropping them on the way down)."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        for table in tables:
            add_triggers(schema_editor, table)

    def backwards(apps, schema_editor):
        for table in tables:
            drop_triggers(schema_editor, table)

    return migrations.RunPython(forwards, backwards)
