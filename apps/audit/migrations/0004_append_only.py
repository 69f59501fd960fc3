# The audit log is append-only in the database too, on PostgreSQL: a trigger refuses every
# UPDATE and DELETE of its rows, whoever runs it (a shell, psql, a bulk update). One path may
# delete: a transaction that first runs ``SET LOCAL rollbook.audit_purge = 'on'``; only the
# removal of the demo school does (apps/demo/builder.py: purge_school_log). SQLite has no such setting: there the
# model and its queryset refuse edits and deletes, as before.

from django.db import migrations

FORWARD = """
CREATE FUNCTION audit_auditentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('rollbook.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP
        USING HINT = 'The audit log is never edited or deleted.';
END
$$;
CREATE TRIGGER audit_auditentry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_auditentry_append_only();
"""

BACKWARD = """
DROP TRIGGER audit_auditentry_append_only ON audit_auditentry;
DROP FUNCTION audit_auditentry_append_only();
"""


class OnPostgreSQL(migrations.RunSQL):
    """RunSQL that runs on PostgreSQL only (a no-op elsewhere), both ways."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_never_removed_by_a_cascade"),
    ]

    operations = [OnPostgreSQL(FORWARD, reverse_sql=BACKWARD)]
