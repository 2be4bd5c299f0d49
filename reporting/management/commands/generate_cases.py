"""Loads realistic synthetic cases in bulk (benchmarks and load tests; never on real data)."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Service, User
from reporting.synthetic import generate_cases


class Command(BaseCommand):
    help = "Creates N synthetic cases with their forms, assessments, contacts and support."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True)
        parser.add_argument("--service", action="append", default=[], help="Service code(s).")
        parser.add_argument("--years", type=float, default=1.0, help="Spread over this many years.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--user", help="E-mail of the user recorded as author.")
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Processes writing the batches on PostgreSQL (forked; 2 on two cores).",
        )

    def handle(self, *args, **options):
        if options["cases"] < 1:
            raise CommandError("--cases must be at least 1.")
        services = Service.objects.all()
        if options["service"]:
            services = services.filter(code__in=options["service"])
        if not services.exists():
            raise CommandError("No services: run seed_demo first, or name existing services.")
        actor = None
        if options["user"]:
            actor = User.objects.filter(email=options["user"]).first()
            if actor is None:
                raise CommandError(f"No user {options['user']}.")
        counts = generate_cases(
            count=options["cases"],
            services=services,
            actor=actor,
            years=options["years"],
            seed=options["seed"],
            stdout=self.stdout,
            workers=max(1, options["workers"]),
        )
        self.stdout.write(
            f"Created {counts.cases} cases, {counts.exits} exits, {counts.assessments} "
            f"assessments and {counts.contacts} contacts."
        )
