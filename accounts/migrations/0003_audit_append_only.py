"""On PostgreSQL, refuse UPDATE and DELETE of audit rows in the database itself, so that not even
a bug or a shell session through the app's own connection can rewrite history.

(TRUNCATE is left alone: test databases are emptied with it between tests.)
"""

from django.db import migrations

TABLES = ["accounts_auditevent", "auditlog_logentry"]

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION lantern_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION lantern_audit_append_only();"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS lantern_audit_append_only();")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_audit_event"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
