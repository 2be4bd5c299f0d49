"""The case foreign key of assessment loses its own index, which another index starting with the case
already gives (assessment: assessment_case_status (case, status, -assessed_on)): one index fewer to
write per row. A DROP INDEX only: the AlterField Django makes would also drop and add again the
foreign key, checking every row while it holds the table (as riskassessment 0007)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0019_case_index_in_composite'),
        ('riskassessment', '0007_answer_assessment_index_in_unique'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='assessment',
                    name='case',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='risk_assessments', to='cases.case'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "riskassessment_assessment_case_id_6d978681"',
                    reverse_sql='CREATE INDEX "riskassessment_assessment_case_id_6d978681" ON "riskassessment_assessment" ("case_id")',
                ),
            ],
        ),
    ]
