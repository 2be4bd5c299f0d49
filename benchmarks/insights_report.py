"""Times the Insights report and the whole Insights page's work for a year of N cases on
PostgreSQL, beside the floor: one SQL statement that reads every column the tables need.

    .venv/bin/python benchmarks/insights_report.py [--cases 100000] [--database-url URL]

Loads the demo organisation and N synthetic cases (with about ten contacts each) into the
database the first time (later runs reuse them), then, for the last 365 days, prints (best of
--runs each, with the load average, since the machine is shared):

- the report: every table of the period (build_report);
- the floor: ONE statement reading every column those tables read (each universe's rows of the
  period joined to their case, client and read-model facts, and the many-to-many answers);
- the report with its comparison period (the year before, run beside it);
- the whole page's work: both periods and every analysis (Safety in Numbers, the MARAC table,
  "if a service supported 100 people"), suppressed, as the Insights page asks for it;
- the number of SQL queries of each (on every connection), which must not depend on N;
- with --statements N: the N longest statements of one more run of the report, each with its
  time and the thread (lane) that ran it, and each thread's total: where the time goes.

Every statement runs with the reporting statement settings (reporting.database: JIT off).
"""

import datetime
import os
import threading
import time

from bench_data import arguments, prepare

# The floor's SQL is assembled from the models' own table and column names, never from input.
# ruff: noqa: S608


def floor_sql(period, service_ids) -> tuple[str, dict]:
    """One statement reading every column the Insights tables read for one period: the rows of
    each universe with their case, client and facts (ROW(...) builds each row whole, so every
    column is read), and the many-to-many answers of the period's forms."""
    from cases.models import Case, ChildInCase, Client
    from outcomes.models import (
        CivilJusticeForm,
        CriminalJusticeForm,
        ExitForm,
        Incident,
        IntakeForm,
        PoliceReport,
        ReviewForm,
    )
    from reporting.models import CaseFacts

    case, client, facts = Case._meta.db_table, Client._meta.db_table, CaseFacts._meta.db_table
    intake, exit_ = IntakeForm._meta.db_table, ExitForm._meta.db_table
    in_period = "BETWEEN %(start)s AND %(end)s"
    of_services = "c.service_id = ANY(%(services)s)"
    exits_in_period = (
        f"SELECT e.case_id FROM {exit_} e WHERE e.status = 'submitted' AND e.exit_date {in_period}"
    )

    def rows(table, alias, date_condition):
        return (
            f"SELECT count(ROW({alias}.*, c.*, cl.*, k.*)) AS n FROM {table} {alias} "
            f"JOIN {case} c ON c.id = {alias}.case_id JOIN {client} cl ON cl.id = c.client_id "
            f"LEFT JOIN {facts} k ON k.case_id = {alias}.case_id "
            f"WHERE {date_condition} AND {of_services}"
        )

    def answers(model, form_condition):
        for field in model._meta.many_to_many:
            through = field.remote_field.through._meta
            column = field.m2m_column_name()
            yield (
                f"SELECT count(ROW(t.*)) AS n FROM {through.db_table} t "
                f"JOIN {model._meta.db_table} f ON f.id = t.{column} "
                f"JOIN {case} c ON c.id = f.case_id WHERE {form_condition} AND {of_services}"
            )

    intake_rows = f"f.status = 'submitted' AND f.completed_on {in_period}"
    exit_rows = f"f.status = 'submitted' AND f.exit_date {in_period}"
    by_exit = f"f.case_id IN ({exits_in_period})"
    branches = [
        rows(intake, "f", intake_rows),
        rows(exit_, "f", exit_rows),
        rows(
            ReviewForm._meta.db_table, "f", f"f.status = 'submitted' AND f.reviewed_on {in_period}"
        ),
        rows(
            ChildInCase._meta.db_table,
            "f",
            f"f.case_id IN (SELECT i.case_id FROM {intake} i WHERE i.status = 'submitted' "
            f"AND i.completed_on {in_period})",
        ),
        *(
            rows(model._meta.db_table, "f", by_exit)
            for model in (CriminalJusticeForm, CivilJusticeForm, PoliceReport, Incident)
        ),
        *answers(IntakeForm, intake_rows),
        *answers(ExitForm, exit_rows),
        *answers(CivilJusticeForm, by_exit),
        *answers(PoliceReport, by_exit),
    ]
    sql = "SELECT sum(n) FROM (" + " UNION ALL ".join(branches) + ") every_row"
    return sql, {"start": period.start, "end": period.end, "services": list(service_ids)}


def main():
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--statements", type=int, default=0, metavar="N")
    args = parser.parse_args()
    prepare(args.database_url, args.cases)
    load_before = os.getloadavg()  # before the timed runs; the end's is printed last

    from django.db import connection
    from django.db.backends.signals import connection_created

    from accounts.models import Service
    from reporting.database import reporting_reads
    from reporting.insights.engine import ReportFilters
    from reporting.insights.report import build_report
    from reporting.insights.shown import insights_report
    from reporting.periods import Period

    today = datetime.date.today()  # noqa: DTZ011
    period = Period(today - datetime.timedelta(days=364), today)
    service_ids = tuple(Service.objects.values_list("pk", flat=True))
    filters = ReportFilters(service_ids=service_ids)

    queries = []
    timed: list[tuple[str, float, str]] | None = None  # (thread, seconds, statement)

    def count(execute, sql, params, many, context):
        queries.append(sql)
        if timed is None:
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            name = threading.current_thread().name
            timed.append((name, time.perf_counter() - started, " ".join(sql.split())))

    def count_on(sender, connection, **kwargs):
        connection.execute_wrappers.append(count)

    # Every connection the report opens (its lanes and the comparison open their own) counts.
    connection_created.connect(count_on)
    connection.close()

    def best_of(work):
        timings, counts, result = [], [], None
        for _ in range(args.runs):
            queries.clear()
            started = time.perf_counter()
            result = work()
            timings.append(time.perf_counter() - started)
            counts.append(len(queries))
        return min(timings), timings, counts[-1], result

    def floor():
        sql, params = floor_sql(period, service_ids)
        with reporting_reads() as reporting, reporting.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    report_time, report_runs, report_queries, report = best_of(
        lambda: build_report(period=period, filters=filters)
    )
    floor_time, floor_runs, _, floor_rows = best_of(floor)
    both_time, both_runs, both_queries, _ = best_of(
        lambda: build_report(period=period, filters=filters, comparison_period=period.previous())
    )
    page_time, page_runs, page_queries, _ = best_of(
        lambda: insights_report(
            period=period,
            filters=filters,
            suppress_below=5,
            comparison_period=period.previous(),
            analyses=True,
        )
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        (cases,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM cases_contact")
        (contacts,) = cursor.fetchone()

    def runs(timings):
        return ", ".join(f"{t:.2f}" for t in timings)

    intakes = report.table("client_age").current.n
    exits = report.table("exit_case_status").current.n
    print(f"database: {connection.vendor}, cases: {cases:,}, contacts: {contacts:,}")
    print(f"period: {period.start} to {period.end}: {intakes:,} intakes, {exits:,} exits counted")
    print(f"tables: {len(report.tables)}; load average before the runs: {load_before}")
    print(
        f"report, one period: best {report_time:.2f} s of {args.runs} "
        f"({runs(report_runs)}), {report_queries} queries"
    )
    print(
        f"floor, one statement reading every column the tables read ({floor_rows:,} rows): "
        f"best {floor_time:.2f} s ({runs(floor_runs)}); report / floor = "
        f"{report_time / floor_time:.2f}"
    )
    print(
        f"report with the comparison period beside it: best {both_time:.2f} s "
        f"({runs(both_runs)}), {both_queries} queries"
    )
    print(
        f"whole page's work (both periods, analyses, suppression): best {page_time:.2f} s "
        f"({runs(page_runs)}), {page_queries} queries"
    )
    if args.statements:
        timed = []
        started = time.perf_counter()
        build_report(period=period, filters=filters)
        print(f"one more run, statement by statement: {time.perf_counter() - started:.2f} s")
        threads: dict[str, float] = {}
        for name, seconds, _sql in timed:
            threads[name] = threads.get(name, 0.0) + seconds
        for name, seconds in threads.items():
            print(f"  {name}: {seconds:.2f} s in its statements")
        for name, seconds, sql in sorted(timed, key=lambda item: -item[1])[: args.statements]:
            print(f"  {seconds:6.3f} s  {name[:12]:12}  {sql[:96]}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
