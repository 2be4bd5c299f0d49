"""`manage.py retention_run`: what the retention schedule makes due, and erasing what a manager
approved. It never erases on its own authority."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from accounts.models import Service
from dataprotection.retention import selectors, services


class Command(BaseCommand):
    help = (
        "With --dry-run, prints what is due for retention review in each service and why "
        "(references and dates, no names), and writes nothing. Without it, erases only the "
        "records a manager approved and that are not erased yet, each checked again for a legal "
        "hold, and prints what it did."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what is due and why; change nothing"
        )
        parser.add_argument(
            "--provider", help="Only this provider's services (its name, or its number)"
        )
        parser.add_argument("--service", help="Only this service (its code)")

    def handle(self, *args, dry_run=False, provider=None, service=None, **options):
        chosen = Service.objects.filter(is_active=True).select_related("provider")
        if provider:
            by_id = Q(provider_id=int(provider)) if provider.isdigit() else Q()
            chosen = chosen.filter(by_id | Q(provider__name__iexact=provider))
        if service:
            chosen = chosen.filter(code__iexact=service)
        chosen = list(chosen.order_by("provider__name", "name"))
        if not chosen:
            raise CommandError("No active service matches.")
        if dry_run:
            self._dry_run(chosen)
        else:
            self._apply(chosen)

    def _dry_run(self, chosen):
        self.stdout.write("Dry run: nothing is listed, erased or changed.")
        for service in chosen:
            due = selectors.retention_due(service)
            waiting = selectors.approved_not_applied([service.pk]).count()
            self.stdout.write(f"\n{service.name} ({service.code}): {len(due.due)} due")
            for kind, count in due.counts().items():
                label = selectors.Kind(kind).label
                self.stdout.write(f"  {label}: {count}")
            for record in due.due:
                self.stdout.write(f"  - {record.reference}: {record.reason}")
            if due.held:
                self.stdout.write(f"  Kept by a legal hold: {len(due.held)}")
                for record in due.held:
                    self.stdout.write(
                        f"  - {record.reference}: {record.reason}. {record.held_because}"
                    )
            if waiting:
                self.stdout.write(f"  Approved, waiting to be erased: {waiting}")

    def _apply(self, chosen):
        items = list(selectors.approved_not_applied([service.pk for service in chosen]))
        if not items:
            self.stdout.write("Nothing approved is waiting to be erased.")
            return
        done = 0
        for item in items:
            result = services.retention_item_apply(item_id=item.pk)
            if result.done:
                done += 1
                self.stdout.write(f"Erased: {item.reference}")
            else:
                self.stdout.write(f"Not erased: {item.reference}: {result.note}")
        self.stdout.write(f"{done} of {len(items)} approved records erased.")
