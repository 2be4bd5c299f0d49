import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def maracs_from_service_areas(apps, schema_editor):
    """A MARAC for each distinct area the services named, and each service joined to its own."""
    Marac = apps.get_model("accounts", "Marac")
    Service = apps.get_model("accounts", "Service")
    for service in Service.objects.exclude(area="").order_by("pk"):
        marac, _ = Marac.objects.get_or_create(name=service.area.strip())
        service.marac = marac
        service.save(update_fields=["marac"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_export_file_capability"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Marac",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("name", models.CharField(max_length=120, unique=True)),
                ("is_active", models.BooleanField(default=True)),
                (
                    "admins",
                    models.ManyToManyField(
                        blank=True,
                        help_text="May join services to this MARAC.",
                        related_name="administered_maracs",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"verbose_name": "MARAC", "ordering": ["name"]},
        ),
        migrations.AlterField(
            model_name="service",
            name="area",
            field=models.CharField(blank=True, help_text="Local authority covered.", max_length=120),
        ),
        migrations.AddField(
            model_name="service",
            name="marac",
            field=models.ForeignKey(
                blank=True,
                help_text="Set by a superuser or an admin of the MARAC.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="services",
                to="accounts.marac",
                verbose_name="MARAC",
            ),
        ),
        migrations.RunPython(maracs_from_service_areas, migrations.RunPython.noop),
    ]
