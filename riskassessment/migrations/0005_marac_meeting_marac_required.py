import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    # Apart from 0003: PostgreSQL refuses to alter a table with rows just updated in the same
    # transaction ("pending trigger events").
    dependencies = [
        ("riskassessment", "0004_marac_meeting_partnership"),
    ]

    operations = [
        migrations.RemoveField(model_name="maracmeeting", name="area"),
        migrations.AlterField(
            model_name="maracmeeting",
            name="marac",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="meetings",
                to="accounts.marac",
                verbose_name="MARAC",
            ),
        ),
        migrations.AlterModelOptions(
            name="maracmeeting", options={"ordering": ["-held_on", "marac__name"]}
        ),
        migrations.AddConstraint(
            model_name="maracmeeting",
            constraint=models.UniqueConstraint(
                fields=("marac", "held_on"), name="marac_meeting_one_a_day"
            ),
        ),
        migrations.AddIndex(
            model_name="maracmeeting",
            index=models.Index(fields=["marac", "-held_on"], name="marac_meeting_marac_date"),
        ),
    ]
