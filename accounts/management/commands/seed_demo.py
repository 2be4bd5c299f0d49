"""Creates Lantern's demo organisation, one user per role, and synthetic case data.

Never real data. Running it twice changes nothing: every row is found by a natural key first.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEMO_USERS, demo_logins, demo_seeders, other_provider_logins
from accounts.models import Marac, Membership, Provider, Service, Team, User

DEMO_PROVIDER = "Mersey Lantern Trust (demo)"
# Another provider, with a service and staff of its own: what one provider's staff see of the
# other's (nothing) can be tried in the demo.
OTHER_DEMO_PROVIDER = "Wirral Women's Aid (demo)"
DEMO_SERVICES = [
    # (code, name, area, teams, provider)
    (
        "RRH",
        "Ruby - Royal Hospital",
        "Liverpool",
        ["Emergency department", "Maternity"],
        DEMO_PROVIDER,
    ),
    ("RAI", "Ruby - Aintree", "Sefton", ["Hospital Idva"], DEMO_PROVIDER),
    ("CID", "Community Idva", "St Helens", ["North", "South"], DEMO_PROVIDER),
    ("WWA", "Wirral Idva", "Wirral", ["Birkenhead"], OTHER_DEMO_PROVIDER),
]


class Command(BaseCommand):
    help = "Create (or top up) the demo organisation, users and synthetic cases."

    @transaction.atomic
    def handle(self, *args, **options):
        services = {}
        for code, name, area, team_names, provider_name in DEMO_SERVICES:
            provider, _ = Provider.objects.get_or_create(name=provider_name)
            # Each demo area has its own MARAC partnership (named after it), joined by the service.
            marac, _ = Marac.objects.get_or_create(name=area)
            service, _ = Service.objects.get_or_create(
                code=code,
                # Closure sign-off on, as for every service (the model's default), said here
                # because the demo exists to show the rules.
                defaults={
                    "provider": provider,
                    "name": name,
                    "area": area,
                    "marac": marac,
                    "requires_closure_sign_off": True,
                },
            )
            if service.marac_id is None:
                service.marac = marac
                service.save(update_fields=["marac"])
            services[code] = service
            for team_name in team_names:
                Team.objects.get_or_create(service=service, name=team_name)

        created_users = 0
        for email, full_name, password, memberships in DEMO_USERS:
            user, created = User.objects.get_or_create(
                email=email, defaults={"full_name": full_name, "is_demo_user": True}
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
                created_users += 1
            for code, role, team_name in memberships:
                service = services[code]
                team = Team.objects.get(service=service, name=team_name) if team_name else None
                Membership.objects.get_or_create(
                    user=user, service=service, role=role, defaults={"team": team}
                )

        for seeder in demo_seeders():
            seeder(services=services, stdout=self.stdout)

        self.stdout.write(
            self.style.SUCCESS(f"Demo organisation ready ({created_users} new users).")
        )
        self.stdout.write("Demo logins, one per role (synthetic data only; second factor set up):")
        other_codes = [
            code for code, *_rest, provider in DEMO_SERVICES if provider != DEMO_PROVIDER
        ]
        for line in demo_logins(other_codes):
            self.stdout.write(f"  {line}")
        self.stdout.write(
            f"Another provider's staff ({OTHER_DEMO_PROVIDER}), who see nothing of the above's:"
        )
        for line in other_provider_logins(other_codes):
            self.stdout.write(f"  {line}")
