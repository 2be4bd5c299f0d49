import django.db.models.deletion
from django.db import migrations, models


def meetings_to_maracs(apps, schema_editor):
    """Each meeting joins the MARAC named by its area (made here if no service named it)."""
    Marac = apps.get_model("accounts", "Marac")
    MaracMeeting = apps.get_model("riskassessment", "MaracMeeting")
    for meeting in MaracMeeting.objects.order_by("pk"):
        meeting.marac, _ = Marac.objects.get_or_create(name=meeting.area.strip() or "Unnamed")
        meeting.save(update_fields=["marac"])


def maracs_to_meetings(apps, schema_editor):
    MaracMeeting = apps.get_model("riskassessment", "MaracMeeting")
    for meeting in MaracMeeting.objects.select_related("marac"):
        meeting.area = meeting.marac.name
        meeting.save(update_fields=["area"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_marac_partnership"),
        ("riskassessment", "0003_date_range_validators"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="maracmeeting", name="marac_meeting_unique_day"),
        migrations.RemoveIndex(model_name="maracmeeting", name="marac_meeting_area_date"),
        migrations.AddField(
            model_name="maracmeeting",
            name="marac",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="meetings",
                to="accounts.marac",
                verbose_name="MARAC",
            ),
        ),
        migrations.AlterField(
            model_name="maracmeeting",
            name="area",
            field=models.CharField(blank=True, default="", max_length=120),
        ),
        migrations.RunPython(meetings_to_maracs, maracs_to_meetings),
    ]
