"""The case foreign key of contact loses its own index, which another index starting with the case
already gives (contact: contact_case_time (case, -occurred_at)): one index fewer to write per row.
A DROP INDEX only: the AlterField Django makes would also drop and add again the foreign key,
checking every row while it holds the table (as riskassessment 0007)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0018_client_phone_digit_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='contact',
                    name='case',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='contacts', to='cases.case'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_contact_case_id_2102dd96"',
                    reverse_sql='CREATE INDEX "cases_contact_case_id_2102dd96" ON "cases_contact" ("case_id")',
                ),
            ],
        ),
    ]
