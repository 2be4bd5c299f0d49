"""A plan version's assessment becomes a real foreign key to riskassessment.Assessment (it was
its id in a plain integer column, kept while the plans lived in the cases app, below
riskassessment). The column keeps its name and values; an id that names no assessment (which
the services never wrote, but the column did not forbid) is cleared first, and reported, so
the constraint can be added."""

import django.db.models.deletion
from django.db import migrations, models


def clear_dangling_assessments(apps, schema_editor):
    SafetyPlanVersion = apps.get_model("support", "SafetyPlanVersion")
    Assessment = apps.get_model("riskassessment", "Assessment")
    dangling = SafetyPlanVersion.objects.filter(assessment_id__isnull=False).exclude(
        assessment_id__in=Assessment.objects.values("pk")
    )
    count = dangling.update(assessment_id=None)
    if count:
        print(f"\n  Safety plan versions naming no existing assessment: {count}, link cleared.")


class Migration(migrations.Migration):
    dependencies = [
        ("riskassessment", "0005_marac_meeting_marac_required"),
        ("support", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(clear_dangling_assessments, migrations.RunPython.noop),
        # Renamed to "assessment" (column "assessment") and then made a foreign key (column
        # "assessment_id" again): Django renames the column back, and adds the index and the
        # constraint; no value changes.
        migrations.RenameField(
            model_name="safetyplanversion", old_name="assessment_id", new_name="assessment"
        ),
        migrations.AlterField(
            model_name="safetyplanversion",
            name="assessment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="safety_plan_versions",
                to="riskassessment.assessment",
                verbose_name="risk assessment it answers",
            ),
        ),
    ]
