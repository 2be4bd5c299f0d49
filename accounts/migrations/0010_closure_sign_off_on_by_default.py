from django.db import migrations, models


def sign_off_on_for_every_service(apps, schema_editor):
    """Existing services get closure sign-off turned on (issue 18, item 2): the default for a
    service made from now on, and what the rule expects. An admin may turn it off again."""
    Service = apps.get_model("accounts", "Service")
    for service in Service.objects.filter(requires_closure_sign_off=False).order_by("pk"):
        service.requires_closure_sign_off = True
        service.save(update_fields=["requires_closure_sign_off"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_marac_partnership"),
    ]

    operations = [
        migrations.AlterField(
            model_name="service",
            name="requires_closure_sign_off",
            field=models.BooleanField(
                default=True,
                help_text="A team leader must approve a closure before a case closes. High-risk "
                "and MARAC cases always need it, whatever this says.",
                verbose_name="closures need a team leader's sign-off",
            ),
        ),
        # Going back leaves the services as they are: nothing says which were off before.
        migrations.RunPython(sign_off_on_for_every_service, migrations.RunPython.noop),
    ]
