"""Measures, before it is built, a read model for the Insights tables: each universe row's
answers worked out once (when it is written) as the list of the counters it adds one to, so
that a report only counts those lists instead of evaluating every table's conditions again.

    .venv/bin/python benchmarks/insights_read_model_probe.py [--cases 100000] [--runs 3]

A probe, not the feature: nothing here is used by Lantern. On the benchmark database
(bench_data: the demo organisation and N synthetic cases), for the intakes and exits universes
(the two that take a report's time) and the client profile, in one transaction whose tables
are temporary:

1. every row of the universe, of all time, with its "hits": the number of each of the
   universe's COUNT ... FILTER aggregates (reporting.insights.engine.universe_aggregates, the
   very conditions the report evaluates) whose condition holds for the row, and one number per
   (many-to-many field, option) it ticks; the time this takes is what keeping them would cost
   (per row, at each write);
2. the period's figures from them (the last 365 days, every service): one GROUP BY over the
   unnested lists, best of --runs, beside the engine's own aggregate and UNION for the same
   universe and period;
3. that the counts agree: every counter from the lists against the engine's aggregate.

The many-to-many part counts ticked options per row; the report's multi-select tables count
distinct keys (a case, a client) per option, which a built read model must keep; the probe only
measures the size and time of reading them.
"""

import datetime
import os
import time

from bench_data import arguments, prepare

# The probe's SQL is assembled from the models' own table and column names, never from input.
# ruff: noqa: S608

PROBED = ("intakes", "exits")
# Counter numbers of the many-to-many options: (field number << 32) + option id.
OPTION_SHIFT = 32


def _best(runs: int, work) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        timings.append(time.perf_counter() - started)
    return min(timings), result


def main():
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    prepare(args.database_url, args.cases)
    load_before = os.getloadavg()

    from django.contrib.postgres.fields import ArrayField
    from django.db.models import Case as DbCase
    from django.db.models import Count, F, Func, IntegerField, Value, When

    from accounts.models import Service
    from reporting.database import reporting_connection
    from reporting.insights.engine import ReportFilters, aggregate_once, universe_aggregates
    from reporting.insights.facts import report_tables
    from reporting.insights.specs import PostSpec
    from reporting.insights.tables import SPECS
    from reporting.insights.universes import UNIVERSES
    from reporting.periods import Period

    today = datetime.date.today()  # noqa: DTZ011
    period = Period(today - datetime.timedelta(days=364), today)
    all_time = Period(datetime.date(1900, 1, 1), today + datetime.timedelta(days=3650))
    service_ids = list(Service.objects.values_list("pk", flat=True))
    filters = ReportFilters(service_ids=tuple(service_ids))
    by_universe: dict[str, list] = {}
    for spec in SPECS:
        if not isinstance(spec, PostSpec):
            by_universe.setdefault(spec.universe, []).append(spec)
    # The client profile's tables are evaluated over intake rows too: their lists are kept on
    # the intake rows, and a report takes each client's latest intake row of the period.
    probed = {key: by_universe[key] for key in (*PROBED, "intake_clients")}

    def counted(aggregates: dict) -> dict[str, int]:
        """The aggregates a list of counters can stand for: COUNT with a FILTER, not DISTINCT."""
        return {
            name: number
            for number, (name, aggregate) in enumerate(aggregates.items(), start=1)
            if isinstance(aggregate, Count)
            and aggregate.filter  # an empty condition counts every row: that is n
            and not aggregate.distinct
        }

    def hits_expression(aggregates: dict, numbers: dict[str, int]):
        whens = [
            DbCase(When(aggregates[name].filter, then=Value(number)), default=None)
            for name, number in numbers.items()
        ]
        array = Func(*whens, template="ARRAY[%(expressions)s]::int[]")
        return Func(
            array,
            Value(None, output_field=IntegerField()),
            function="ARRAY_REMOVE",
            output_field=ArrayField(IntegerField()),
        )

    def options_sql(model, rows: str) -> str:
        """Each row's ticked options, one bigint each, from every many-to-many of the model."""
        parts = []
        for number, field in enumerate(model._meta.many_to_many, start=1):
            through = field.remote_field.through._meta.db_table
            own, other = field.m2m_column_name(), field.m2m_reverse_name()
            parts.append(
                f"ARRAY(SELECT ({number}::bigint << {OPTION_SHIFT}) + l.{other} FROM {through} l "
                f"WHERE l.{own} = {rows}.row_id)"
            )
        return " || ".join(parts) if parts else "'{}'::bigint[]"

    print(
        f"period {period.start} to {period.end}, {len(service_ids)} services; load average "
        f"before {load_before[0]:.2f}"
    )
    connection = reporting_connection()
    from_the_lists: dict[str, dict] = {}  # universe -> {counter: the period's count}
    with report_tables({key: UNIVERSES[key] for key in PROBED}, all_time, filters) as every_row:
        for key in PROBED:
            universe = UNIVERSES[key]
            model = every_row[key].model
            annotated, aggregates, _ = universe_aggregates(every_row[key], probed[key])
            numbers = counted(aggregates)
            rows = annotated.values(
                row_id=F("pk"),
                d=F(universe.date_field),
                service_id=F(f"{universe.case_path}__service_id"),
            ).annotate(hits=hits_expression(aggregates, numbers))
            if key == "intakes":
                # The client profile's tables, over the same intake rows, in a table of their
                # own (their columns are named as the intakes' are).
                clients, client_aggregates, _ = universe_aggregates(
                    every_row[key], probed["intake_clients"]
                )
                client_rows = clients.values(
                    row_id=F("pk"),
                    d=F(universe.date_field),
                    service_id=F(f"{universe.case_path}__service_id"),
                    client_id=F(universe.client_path),
                ).annotate(hits=hits_expression(client_aggregates, counted(client_aggregates)))
                client_sql, client_params = client_rows.query.sql_with_params()
                with connection.cursor() as cursor:
                    started = time.perf_counter()
                    cursor.execute(
                        f"CREATE TEMPORARY TABLE probe_intake_clients AS {client_sql}",
                        client_params,
                    )
                    client_built = time.perf_counter() - started
                    cursor.execute("ANALYZE probe_intake_clients")
                print(f"intake_clients: lists built in {client_built:.2f} s")
            sql, params = rows.query.sql_with_params()
            table = f"probe_{key}"
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {table} AS SELECT row_id, d, service_id, "
                    f"hits::bigint[] || {options_sql(model, 'base')} AS hits FROM ({sql}) base",
                    params,
                )
                built = time.perf_counter() - started
                cursor.execute(f"CREATE INDEX ON {table} (d)")
                cursor.execute(f"ANALYZE {table}")
                cursor.execute(
                    f"SELECT count(*), avg(cardinality(hits)), "
                    f"pg_total_relation_size('{table}') FROM {table}"
                )
                rows_kept, per_row, size = cursor.fetchone()
            print(
                f"{key}: {rows_kept:,} rows of all time, {len(numbers)} counted aggregates "
                f"of {len(aggregates)}, {float(per_row):.1f} counters per row (options "
                f"included), {size / 2**20:.0f} MiB; built in {built:.2f} s "
                f"({1e6 * built / max(rows_kept, 1):.0f} us per row)"
            )

            def from_lists(table=table):
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT hit, count(*) FROM {table}, unnest(hits) AS hit "
                        "WHERE d BETWEEN %s AND %s AND service_id = ANY(%s) GROUP BY hit",
                        [period.start, period.end, service_ids],
                    )
                    return dict(cursor.fetchall())

            seconds, from_the_lists[key] = _best(args.runs, from_lists)
            print(f"  the period's counters from the lists: best {seconds:.3f} s")
            if key == "intakes":

                def client_lists():
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "SELECT hit, count(*) FROM (SELECT DISTINCT ON (client_id) hits "
                            "FROM probe_intake_clients WHERE d BETWEEN %s AND %s "
                            "AND service_id = ANY(%s) ORDER BY client_id, d DESC, row_id DESC"
                            ") latest, unnest(hits) AS hit GROUP BY hit",
                            [period.start, period.end, service_ids],
                        )
                        return dict(cursor.fetchall())

                seconds, from_the_lists["intake_clients"] = _best(args.runs, client_lists)
                print(f"  the client profile's counters (latest per client): {seconds:.3f} s")

        # The engine's own figures for the period, to check the lists against and to time
        # beside them.
        with report_tables({key: UNIVERSES[key] for key in probed}, period, filters) as period_rows:
            for key in probed:
                annotated, aggregates, _ = universe_aggregates(period_rows[key], probed[key])
                seconds, values = _best(
                    args.runs, lambda a=annotated, g=aggregates: aggregate_once(a, **g)
                )
                print(f"{key}: the engine's aggregate for the period: best {seconds:.3f} s")
                lists = from_the_lists[key]
                numbers = counted(aggregates)
                differ = [
                    name
                    for name, number in numbers.items()
                    if (values[name] or 0) != lists.get(number, 0)
                ]
                print(
                    f"  counters equal to the engine's: {len(numbers) - len(differ)} of "
                    f"{len(numbers)}" + (f" (differ: {', '.join(differ[:8])})" if differ else "")
                )
    print(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
