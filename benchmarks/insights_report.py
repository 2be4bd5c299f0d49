"""Times the full Insights report for a year of 100,000 cases on PostgreSQL.

    .venv/bin/python benchmarks/insights_report.py [--cases 100000] [--database-url URL]

Loads the demo organisation and N synthetic cases (with about ten contacts each) into the
database the first time (later runs reuse them), then builds every table for the last 365 days,
beside the year before, and prints: the time (best of three runs), the number of SQL queries
(on every connection: the report runs in two lanes on two), the number of cases counted, and
the time of one plain sequential scan of the same tables (the floor to compare with). The query
count must not depend on the number of cases.
"""

import datetime
import time

from bench_data import arguments, prepare

SCANNED_TABLES = (
    "cases_case",
    "cases_client",
    "referrals_referral",
    "outcomes_intakeform",
    "outcomes_exitform",
    "riskassessment_assessment",
    "cases_contact",
    "cases_areasupport",
    "cases_intervention",
)


def main():
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    prepare(args.database_url, args.cases)

    from django.db import connection
    from django.db.backends.signals import connection_created

    from accounts.models import Service
    from reporting.insights.engine import ReportFilters
    from reporting.insights.report import build_report
    from reporting.periods import Period

    today = datetime.date.today()  # noqa: DTZ011
    period = Period(today - datetime.timedelta(days=364), today)
    filters = ReportFilters(service_ids=tuple(Service.objects.values_list("pk", flat=True)))

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    def count_on(sender, connection, **kwargs):
        connection.execute_wrappers.append(count)

    # Every connection the report opens (the second lane opens its own) is counted.
    connection_created.connect(count_on)
    connection.close()

    timings = []
    for _ in range(args.runs):
        queries.clear()
        started = time.perf_counter()
        report = build_report(period=period, filters=filters)
        timings.append(time.perf_counter() - started)
    queries_one_period = len(queries)
    with_comparison_started = time.perf_counter()
    build_report(period=period, filters=filters, comparison_period=period.previous())
    with_comparison = time.perf_counter() - with_comparison_started

    with connection.cursor() as cursor:
        counts = {}
        scan_started = time.perf_counter()
        for table in SCANNED_TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
            counts[table] = cursor.fetchone()[0]
        scan = time.perf_counter() - scan_started

    intakes = report.table("client_age").current.n
    exits = report.table("exit_case_status").current.n
    print(
        f"database: {connection.vendor}, cases in the database: {counts['cases_case']:,}, "
        f"contacts: {counts['cases_contact']:,}"
    )
    print(f"period: {period.start} to {period.end}: {intakes:,} intakes, {exits:,} exits counted")
    print(f"tables: {len(report.tables)}")
    print(
        f"full report, one period: best {min(timings):.2f} s of {args.runs} "
        f"(all runs: {', '.join(f'{t:.2f}' for t in timings)})"
    )
    print(f"full report with the comparison period: {with_comparison:.2f} s")
    print(f"SQL queries for one period: {queries_one_period}")
    print(
        f"floor, one sequential scan (count(*)) of the {len(SCANNED_TABLES)} tables: {scan:.2f} s"
    )


if __name__ == "__main__":
    main()
