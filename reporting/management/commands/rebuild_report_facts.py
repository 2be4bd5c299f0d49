"""Rebuilds the reporting read model (reporting.models.CaseFacts) from the data: every case's
row worked out again with the same set-based SQL that keeps it current, in batches."""

from django.core.management.base import BaseCommand, CommandError

from reporting.read_model import REBUILD_BATCH, rebuild


class Command(BaseCommand):
    help = "Rebuild the reporting read model (one row of facts per case), in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=REBUILD_BATCH, help="cases per batch")

    def handle(self, *args, batch, verbosity, **options):
        if batch < 1:
            raise CommandError("--batch must be at least 1.")

        def progress(done, total):
            if verbosity > 1:
                self.stdout.write(f"  {done:,} of {total:,} case ids")

        cases = rebuild(batch=batch, progress=progress)
        if verbosity:
            self.stdout.write(f"Rebuilt the report facts of {cases:,} cases.")
