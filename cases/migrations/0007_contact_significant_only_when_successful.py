"""A significant contact must be a successful one (the services refused others, but the case
bundle importer could store one). Existing rows that break the rule are repaired first: the
contact did not reach the client, so it is no longer marked significant. Each repair is
written to the audit trail (and counted on the console), then the constraint is added."""

from django.db import migrations, models


def unmark_unsuccessful_significant_contacts(apps, schema_editor):
    Contact = apps.get_model("cases", "Contact")
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    bad = list(
        Contact.objects.filter(is_significant=True)
        .exclude(outcome="successful")
        .values_list("pk", "case_id", "case__service_id", "outcome")
    )
    for pk, case_id, service_id, outcome in bad:
        AuditEvent.objects.create(
            action="admin",
            service_id=service_id,
            case_id=case_id,
            object_type="cases.contact",
            object_id=str(pk),
            object_label=f"Contact {pk}",
            detail={
                "repair": "no longer marked significant: a significant contact is a successful one",
                "outcome": outcome,
                "migration": "cases.0007",
            },
        )
    Contact.objects.filter(pk__in=[pk for pk, *_ in bad]).update(is_significant=False)
    if bad:
        print(f"\n  Significant contacts that did not reach the client: {len(bad)}, unmarked.")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_marac_partnership"),
        ("cases", "0006_move_plans_support_interventions_to_support"),
    ]

    operations = [
        migrations.RunPython(unmark_unsuccessful_significant_contacts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="contact",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("is_significant", False), ("outcome", "successful"), _connector="OR"
                ),
                name="contact_significant_only_when_successful",
                violation_error_message=(
                    "Only a contact that reached the client (successful) can be significant."
                ),
            ),
        ),
    ]
