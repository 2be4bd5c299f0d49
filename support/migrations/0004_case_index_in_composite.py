"""The case foreign key of areasupport, intervention loses its own index, which another index starting
with the case already gives (areasupport: the unique area_support_one_per_area (case, area);
intervention: intervention_case_date (case, -occurred_on)): one index fewer to write per row. A
DROP INDEX only: the AlterField Django makes would also drop and add again the foreign key,
checking every row while it holds the table (as riskassessment 0007)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0019_case_index_in_composite'),
        ('support', '0003_appointments'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='areasupport',
                    name='case',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='area_support', to='cases.case'),
                ),
                migrations.AlterField(
                    model_name='intervention',
                    name='case',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='interventions', to='cases.case'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_areasupport_case_id_9e7dce52"',
                    reverse_sql='CREATE INDEX "cases_areasupport_case_id_9e7dce52" ON "cases_areasupport" ("case_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_intervention_case_id_5e7cb4cb"',
                    reverse_sql='CREATE INDEX "cases_intervention_case_id_5e7cb4cb" ON "cases_intervention" ("case_id")',
                ),
            ],
        ),
    ]
