"""A membership's team belongs to the membership's service, in the database itself (issue 18,
item 5: a Community Idva membership had been saved with a team of another service).

A CHECK constraint cannot look at another table and Django has no composite foreign key, so:
- PostgreSQL: Team gets UNIQUE (id, service_id), and the membership a composite foreign key
  (team_id, service_id) -> team (id, service_id). Declarative, checked on every insert and update
  of either table (a team cannot move to another service while members of the old one are in
  it), and a NULL team is not checked (MATCH SIMPLE).
- SQLite (the embedded demo): triggers doing the same check, since SQLite cannot add a foreign
  key to an existing table.
Memberships already pointing at another service's team lose the team first (the team, not the
role, is what is wrong); the count is printed, nothing identifying.
"""

from django.db import migrations, models

CONSTRAINT = "membership_team_of_its_service"

SQLITE_TRIGGERS = {
    f"{CONSTRAINT}_insert": f"""
        CREATE TRIGGER {CONSTRAINT}_insert BEFORE INSERT ON accounts_membership
        FOR EACH ROW WHEN NEW.team_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM accounts_team WHERE id = NEW.team_id AND service_id = NEW.service_id
        )
        BEGIN SELECT RAISE(ABORT, '{CONSTRAINT}: the team is of another service'); END;
    """,
    f"{CONSTRAINT}_update": f"""
        CREATE TRIGGER {CONSTRAINT}_update BEFORE UPDATE OF team_id, service_id
        ON accounts_membership
        FOR EACH ROW WHEN NEW.team_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM accounts_team WHERE id = NEW.team_id AND service_id = NEW.service_id
        )
        BEGIN SELECT RAISE(ABORT, '{CONSTRAINT}: the team is of another service'); END;
    """,
    f"{CONSTRAINT}_team_moved": f"""
        CREATE TRIGGER {CONSTRAINT}_team_moved BEFORE UPDATE OF service_id ON accounts_team
        FOR EACH ROW WHEN EXISTS (
            SELECT 1 FROM accounts_membership
            WHERE team_id = NEW.id AND service_id <> NEW.service_id
        )
        BEGIN SELECT RAISE(ABORT, '{CONSTRAINT}: the team has members of its service'); END;
    """,
}


def clear_teams_of_other_services(apps, schema_editor):
    Membership = apps.get_model("accounts", "Membership")
    wrong = Membership.objects.filter(team__isnull=False).exclude(
        team__service_id=models.F("service_id")
    )
    count = 0
    for membership in wrong:
        membership.team = None
        membership.save(update_fields=["team"])
        count += 1
    if count:
        print(f"\n  {count} membership(s) had a team of another service: team cleared.")


def add_constraint(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE accounts_membership ADD CONSTRAINT {CONSTRAINT} "
            "FOREIGN KEY (team_id, service_id) REFERENCES accounts_team (id, service_id)"
        )
    elif vendor == "sqlite":
        for sql in SQLITE_TRIGGERS.values():
            schema_editor.execute(sql)


def drop_constraint(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE accounts_membership DROP CONSTRAINT IF EXISTS {CONSTRAINT}"
        )
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_closure_sign_off_on_by_default"),
    ]

    operations = [
        migrations.RunPython(clear_teams_of_other_services, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="team",
            constraint=models.UniqueConstraint(
                fields=("id", "service"), name="team_unique_id_service"
            ),
        ),
        migrations.RunPython(add_constraint, drop_constraint),
    ]
