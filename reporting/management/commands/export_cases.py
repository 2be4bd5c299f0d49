"""Writes the cases a user may see as a case bundle (reporting/bundle/README.md)."""

import datetime
import sys

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from reporting.bundle.export import ExportScopeError, cases_export


def _date(value: str | None) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from error


def active_user(email: str) -> User:
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user has the e-mail address {email!r}.")
    return user


class Command(BaseCommand):
    help = (
        "Exports cases (and referrals that opened none) as a lantern-case-bundle/1 JSON Lines "
        "file, scoped to what the user may see; the export is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="E-mail of the user exporting")
        parser.add_argument(
            "--service",
            action="append",
            default=[],
            help="A service code (repeat for several); every service the user may see if none.",
        )
        parser.add_argument("--from", dest="date_from", help="Cases opened on or after, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", help="Cases opened on or before, YYYY-MM-DD")
        parser.add_argument("--output", help="File to write; standard output if left out")

    def handle(self, *args, **options):
        user = active_user(options["user"])
        date_from, date_to = _date(options["date_from"]), _date(options["date_to"])
        if date_from and date_to and date_to < date_from:
            raise CommandError("--to is before --from.")
        output = options["output"]
        try:
            if output:
                with open(output, "w", encoding="utf-8") as out:
                    counts = self._export(user, out, options, date_from, date_to)
            else:
                counts = self._export(user, self.stdout, options, date_from, date_to)
        except ExportScopeError as error:
            raise CommandError(str(error)) from error
        summary = ", ".join(f"{value} {name}" for name, value in counts.items())
        (sys.stderr if not output else self.stdout).write(f"Exported {summary}.\n")

    def _export(self, user, out, options, date_from, date_to):
        return cases_export(
            user=user,
            out=out,
            service_codes=options["service"],
            date_from=date_from,
            date_to=date_to,
        )
