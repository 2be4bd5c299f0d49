from django.db import migrations, models


def scope_existing_exports(apps, schema_editor):
    """Every export so far was a report (insights or impact): it covers its service, if any."""
    ExportFile = apps.get_model("accounts", "ExportFile")
    for export in ExportFile.objects.exclude(service_id=None).only("pk", "service_id"):
        ExportFile.objects.filter(pk=export.pk).update(service_ids=[export.service_id])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_encrypt_mfa_secrets"),
    ]

    operations = [
        migrations.AddField(
            model_name="exportfile",
            name="capability",
            field=models.CharField(default="run_reports", max_length=40),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="exportfile",
            name="service_ids",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(scope_existing_exports, migrations.RunPython.noop),
    ]
