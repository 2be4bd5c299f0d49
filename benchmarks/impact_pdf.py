"""Times the quarterly impact report PDF for a year of 100,000 cases on PostgreSQL.

    .venv/bin/python benchmarks/impact_pdf.py [--cases 100000] [--database-url URL]

Uses the same database as benchmarks/insights_report.py (the demo organisation and N synthetic
cases from `generate_cases`, loaded the first time and reused). Then asks for a report of the
last 365 days for every service, the way a manager does, and lets the task build it (in-process
here: without REDIS_URL Celery runs tasks eagerly, so the time is the worker's work without the
broker hop). Prints the time end to end (request to stored PDF; target under 20 s), the time of
the figures and of the layout separately, the number of SQL queries for the figures, and the
PDF's page count and size.
"""

import datetime
import sys
import time
from pathlib import Path

from bench_data import arguments, prepare

TARGET_SECONDS = 20


def main():
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--keep-pdf", help="Write the PDF to this path.")
    args = parser.parse_args()
    prepare(args.database_url, args.cases)

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Membership, Role, Service, User
    from reporting.impact import services
    from reporting.impact.content import build_content
    from reporting.models import ImpactReport
    from reporting.periods import Period

    every_service = list(Service.objects.order_by("pk"))
    manager, _ = User.objects.get_or_create(
        email="impact-benchmark@bench.lantern.test", defaults={"full_name": "Benchmark manager"}
    )
    for service in every_service:
        Membership.objects.get_or_create(user=manager, service=service, role=Role.SERVICE_MANAGER)

    today = datetime.date.today()  # noqa: DTZ011
    period = Period(today - datetime.timedelta(days=364), today)
    service_ids = tuple(service.pk for service in every_service)

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        build_content(period=period, service_ids=service_ids, title="Benchmark")
        figures_seconds = time.perf_counter() - started

    started = time.perf_counter()
    with transaction.atomic():
        report = services.impact_report_request(
            user=manager,
            services=every_service,
            period=period,
            title="Benchmark impact report",
            introduction="A year of synthetic cases.",
        )
    # The task ran on commit (in-process); it has stored the PDF by now.
    end_to_end = time.perf_counter() - started
    report.refresh_from_db()
    if report.status != ImpactReport.Status.DONE:
        print(f"the report did not finish: {report.status} {report.error}")
        sys.exit(1)

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        cases = cursor.fetchone()[0]
    if args.keep_pdf:
        Path(args.keep_pdf).write_bytes(report.pdf.read())
    print(f"database: {connection.vendor}, cases in the database: {cases:,}")
    print(f"period: {period.start} to {period.end}, {len(every_service)} services")
    print(f"figures alone: {figures_seconds:.2f} s, {len(queries)} SQL queries")
    print(
        f"end to end (request to stored PDF): {end_to_end:.2f} s "
        f"(target under {TARGET_SECONDS} s: {'met' if end_to_end < TARGET_SECONDS else 'MISSED'})"
    )
    print(f"of which the task (figures, layout, storing): {report.build_seconds:.2f} s")
    print(f"PDF: {report.page_count} pages, {report.pdf_bytes / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
