"""Every Insights table for a period (and a comparison period) as JSON or CSV on stdout, from
the stored result of the same filters (reporting.insights.results_store): a fresh one is read,
otherwise it is computed here, by the same service function a worker runs, and stored."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Service
from reporting.insights.engine import ReportFilters
from reporting.insights.output import as_csv, report_json
from reporting.insights.results_store import ResultKey, insights_result_now, result_to_show
from reporting.periods import Period


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from error


class Command(BaseCommand):
    help = "Prints every Insights table for a period, beside an optional comparison period."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="First day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="Last day, YYYY-MM-DD")
        parser.add_argument("--compare-from", dest="compare_start")
        parser.add_argument("--compare-to", dest="compare_end")
        parser.add_argument(
            "--service",
            action="append",
            default=[],
            help="A service code (repeat for several); every service when left out.",
        )
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument(
            "--suppress-below",
            type=int,
            default=None,
            help="Show counts under this number as '<N' (for sharing outside the service).",
        )

    def handle(self, *args, **options):
        try:
            period = Period(_date(options["start"]), _date(options["end"]))
        except ValueError as error:
            raise CommandError(str(error)) from error
        comparison = None
        if options["compare_start"] or options["compare_end"]:
            if not (options["compare_start"] and options["compare_end"]):
                raise CommandError("Give both --compare-from and --compare-to.")
            try:
                comparison = Period(_date(options["compare_start"]), _date(options["compare_end"]))
            except ValueError as error:
                raise CommandError(str(error)) from error
        services = Service.objects.all()
        if options["service"]:
            services = services.filter(code__in=options["service"])
            unknown = set(options["service"]) - set(services.values_list("code", flat=True))
            if unknown:
                raise CommandError(f"No service with code {', '.join(sorted(unknown))}.")
        filters = ReportFilters(service_ids=tuple(sorted(services.values_list("pk", flat=True))))
        key = ResultKey(
            period=period,
            comparison=comparison,
            filters=filters,
            suppress_below=options["suppress_below"],
        )
        report = result_to_show(insights_result_now(key=key))
        if report is None:
            raise CommandError("The report could not be computed; see the log.")
        if options["format"] == "json":
            payload = report_json(report)
            self.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(as_csv(report.tables).decode("utf-8-sig"))
