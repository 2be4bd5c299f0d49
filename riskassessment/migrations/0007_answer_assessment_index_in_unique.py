"""Answer.assessment loses its own index: the unique constraint answer_one_per_question on
(assessment, question) starts with the assessment and serves every lookup by it (and the cascade
from an assessment). Written as a DROP INDEX only: the AlterField Django makes would also drop
and add again the foreign key, checking every answer while it holds the table."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "riskassessment_answer_assessment_id_145ce66f"


class Migration(migrations.Migration):
    dependencies = [
        ("riskassessment", "0006_risk_decision_incomplete_assessments"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="answer",
                    name="assessment",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answers",
                        to="riskassessment.assessment",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=f'CREATE INDEX "{INDEX}" ON "riskassessment_answer" ("assessment_id")',
                ),
            ],
        ),
    ]
