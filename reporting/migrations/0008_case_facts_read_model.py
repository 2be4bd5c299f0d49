"""CaseFacts becomes the reporting read model: a real table, one row per case, filled here from
the existing data with the same set-based SQL that keeps it current (reporting.read_model)."""

from django.db import migrations


def create_table(apps, schema_editor):
    schema_editor.create_model(apps.get_model("reporting", "CaseFacts"))


def drop_table(apps, schema_editor):
    schema_editor.delete_model(apps.get_model("reporting", "CaseFacts"))


def fill(apps, schema_editor):
    # The current code's SQL (one rule for the fill, every refresh and the rebuild command). On
    # an empty database there is nothing to fill, so a fresh install never runs it here.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM cases_case)")
        (any_case,) = cursor.fetchone()
    if any_case:
        from reporting.read_model import rebuild

        rebuild(connection=schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0007_impact_report_editions"),
        ("cases", "0011_duplicates_and_trigram_search"),
        ("outcomes", "0004_intake_risk_and_client_at_intake"),
        ("riskassessment", "0006_risk_decision_incomplete_assessments"),
        ("support", "0002_safetyplanversion_assessment"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="casefacts",
            options={"verbose_name_plural": "case facts"},
        ),
        migrations.RunPython(create_table, drop_table),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
