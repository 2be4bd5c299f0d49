"""Erasure records, and the one way the change history of erased records can be deleted.

auditlog's table refuses UPDATE and DELETE (accounts 0003's trigger) and the app's role has no
DELETE on it (accounts.database_roles). Erasure must still remove the history of the records it
erases, so: the trigger now lets a DELETE through only while the transaction-local flag
`lantern.erasing_history` is on, and only `lantern_erase_history` sets it. That function runs as
its owner (the migrating role, which owns the table: SECURITY DEFINER), deletes the entries of
the given objects and nothing else, and turns the flag off again. The app role, without DELETE,
can remove history through this function only; dataprotection.erasure is its one caller.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


ALLOW_ERASURE_TRIGGER = """
CREATE OR REPLACE FUNCTION lantern_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'auditlog_logentry'
            AND current_setting('lantern.erasing_history', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""

ERASE_HISTORY_FUNCTION = """
CREATE OR REPLACE FUNCTION lantern_erase_history(content_type integer, object_pks text[])
RETURNS integer AS $$
DECLARE
    removed integer;
BEGIN
    PERFORM set_config('lantern.erasing_history', 'on', true);
    DELETE FROM auditlog_logentry
        WHERE content_type_id = content_type AND object_pk = ANY(object_pks);
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('lantern.erasing_history', 'off', true);
    RETURN removed;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp;
"""

REFUSE_ALL_TRIGGER = """
CREATE OR REPLACE FUNCTION lantern_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def history_erasure_forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(ALLOW_ERASURE_TRIGGER, params=None)
    schema_editor.execute(ERASE_HISTORY_FUNCTION, params=None)


def history_erasure_backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP FUNCTION IF EXISTS lantern_erase_history(integer, text[]);")
    schema_editor.execute(REFUSE_ALL_TRIGGER, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0012_service_risk_current_days'),
        ('accounts', '0003_audit_append_only'),
        ('cases', '0013_client_erased_on'),
        ('dataprotection', '0002_legal_holds'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ClientErasure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('erased_at', models.DateTimeField()),
                ('kind', models.CharField(choices=[('stub', 'De-identified, coded answers kept'), ('full', 'Erased entirely (right to erasure)'), ('referral', 'Referral de-identified')], max_length=10)),
                ('reason', models.CharField(choices=[('retention', 'Retention period ended'), ('request', "The client's request (right to erasure)")], max_length=10)),
                ('referral_id', models.PositiveIntegerField(blank=True, null=True)),
                ('service_ids', models.JSONField(default=list)),
                ('cases_count', models.PositiveIntegerField(default=0)),
                ('row_counts', models.JSONField(default=dict)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('client', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='cases.client')),
                ('provider', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.provider')),
            ],
            options={
                'ordering': ['-erased_at', '-pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('kind', 'full'), _negated=True), models.Q(('client__isnull', True), ('referral_id__isnull', True)), _connector='OR'), name='client_erasure_full_keeps_no_link')],
            },
        ),
        migrations.RunPython(history_erasure_forwards, history_erasure_backwards),
    ]
