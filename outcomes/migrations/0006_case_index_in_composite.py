"""The case foreign key of exitform, intakeform loses its own index, which another index starting with
the case already gives (exitform: the unique outcomes_one_exit_per_case (case); intakeform: the
unique outcomes_one_intake_per_case (case)): one index fewer to write per row. A DROP INDEX only:
the AlterField Django makes would also drop and add again the foreign key, checking every row while
it holds the table (as riskassessment 0007)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0019_case_index_in_composite'),
        ('outcomes', '0005_court_hearings'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='exitform',
                    name='case',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='exit_forms', to='cases.case'),
                ),
                migrations.AlterField(
                    model_name='intakeform',
                    name='case',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='intake_forms', to='cases.case'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "outcomes_exitform_case_id_61da7629"',
                    reverse_sql='CREATE INDEX "outcomes_exitform_case_id_61da7629" ON "outcomes_exitform" ("case_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "outcomes_intakeform_case_id_73458975"',
                    reverse_sql='CREATE INDEX "outcomes_intakeform_case_id_73458975" ON "outcomes_intakeform" ("case_id")',
                ),
            ],
        ),
    ]
