"""The table engine: universes, table specs, and one aggregate pass per universe.

A *universe* is the set of rows a group of tables counts (referrals received in the period,
intakes in the period de-duplicated by client, exits in the period matched to an intake, ...),
always restricted by the date range in WHERE (an index can serve it) and by the chosen services,
teams and risk levels. Each table spec turns into conditional aggregates (COUNT ... FILTER) that
are evaluated together in ONE query per universe and period, over the universe's rows joined to
their cases' facts (facts.py); the multi-select and open-list tables are GROUP BYs in one UNION.
The number of queries depends on the number of tables, never on the number of cases.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.db.models import (
    Aggregate,
    Avg,
    BooleanField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from ..database import reporting_connection, reporting_reads, run_beside
from ..periods import Period
from .facts import report_tables, universe_table, universes_inlined
from .results import Figures, number
from .specs import GroupSpec, MultiSpec, PostSpec, multi_branches

# --- Filters and universes ------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilters:
    service_ids: tuple[int, ...]
    team_ids: tuple[int, ...] = ()
    risk_levels: tuple[str, ...] = ()
    # Set by build_report only, for the tables too small to count restricted cases in.
    exclude_restricted: bool = False


def _day_bounds(period: Period):
    start = timezone.make_aware(datetime.datetime.combine(period.start, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min)
    )
    return start, end


@dataclass(frozen=True)
class Universe:
    """Rows of `model` dated within the period (by `date_field`, a DateField or a
    DateTimeField), of the chosen services."""

    key: str
    label: str
    queryset: Callable[[], QuerySet]
    date_field: str
    case_path: str  # from the model to cases.Case ("" when the model is Case)
    is_datetime: bool = False
    dedupe_client: bool = False
    # With dedupe_client: the key of the universe whose rows these are before de-duplication
    # (the same rows, kept whole). A run holding that universe's table de-duplicates from it.
    deduplicates: str = ""
    narrow: Callable[[QuerySet], QuerySet] | None = None
    service_field: str = ""  # where the service is, when not on the case (e.g. a referral)

    def rows(self, period: Period, filters: ReportFilters) -> QuerySet:
        qs = self.queryset()
        if self.is_datetime:
            start, end = _day_bounds(period)
            qs = qs.filter(**{f"{self.date_field}__gte": start, f"{self.date_field}__lt": end})
        else:
            qs = qs.filter(
                **{
                    f"{self.date_field}__gte": period.start,
                    f"{self.date_field}__lte": period.end,
                }
            )
        case = f"{self.case_path}__" if self.case_path else ""
        service_field = self.service_field or f"{case}service"
        qs = qs.filter(**{f"{service_field}_id__in": filters.service_ids})
        if filters.team_ids:
            qs = qs.filter(**{f"{case}team_id__in": filters.team_ids})
        if filters.risk_levels:
            qs = qs.filter(**{f"{case}risk_level__in": filters.risk_levels})
        if filters.exclude_restricted:
            qs = qs.filter(**{f"{case}is_restricted": False})
        if self.narrow is not None:
            qs = self.narrow(qs)
        if self.dedupe_client:
            # Client profile tables count people, not cases: the latest row per client, by its
            # own date (then the newest row on the same day), never by row id alone: a backdated
            # form or a bundle imported out of order must not change who the client was.
            latest = (
                qs.order_by()
                .annotate(
                    client_rank=Window(
                        RowNumber(),
                        partition_by=F(self.client_path),
                        order_by=(F(self.date_field).desc(), F("pk").desc()),
                    )
                )
                .filter(client_rank=1)
                .values("pk")
            )
            qs = self.queryset().filter(pk__in=Subquery(latest))
        return qs

    @property
    def client_path(self) -> str:
        return f"{self.case_path}__client_id" if self.case_path else "client_id"


# --- One evaluation per row -------------------------------------------------------------------

# A LIMIT keeps PostgreSQL from folding the annotated rows into the aggregate: otherwise each
# correlated subquery (a case's latest score, its number of contacts) is evaluated once for
# every FILTER clause that mentions it, instead of once per row.
_FENCE = 2**62


def aggregate_once(qs: QuerySet, **aggregates) -> dict:
    if not qs.query.annotations:
        return qs.aggregate(**aggregates)
    return qs.order_by()[:_FENCE].aggregate(**aggregates)


# --- Medians ---------------------------------------------------------------------------------


class Median(Aggregate):
    """The median (PostgreSQL's percentile_cont), an aggregate like any other: it takes a
    FILTER and is worked out in the same pass as the counts."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"

    def _resolve_output_field(self):
        # The middle of two whole numbers may be a half: a float, not the source's integer
        # (which Django would truncate). Durations stay durations.
        source = super()._resolve_output_field()
        return source if isinstance(source, DurationField) else FloatField()


def median(qs: QuerySet, expression_name: str) -> float | None:
    """The median of an annotated value over a queryset, computed by the database:
    percentile_cont on PostgreSQL; on SQLite (the embedded demo) the middle row(s) by
    ORDER BY ... LIMIT/OFFSET."""
    values = qs.filter(**{f"{expression_name}__isnull": False}).order_by().values(expression_name)
    connection = reporting_connection()
    if connection.vendor == "postgresql":
        sql, params = values.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM ({sql}) AS t(v)",  # noqa: S608
                params,
            )
            result = cursor.fetchone()[0]
        return number(result)
    total = values.count()
    if not total:
        return None
    ordered = values.order_by(expression_name).values_list(expression_name, flat=True)
    middle = [number(value) for value in ordered[(total - 1) // 2 : total // 2 + 1]]
    return sum(middle) / len(middle)


# --- Running a report ------------------------------------------------------------------------


def run_tables(
    specs,
    universes: dict[str, Universe],
    period: Period,
    filters: ReportFilters,
    lanes: tuple[tuple[str, ...], ...] = (),
):
    """Figures for every spec over one period, in a number of queries fixed by the specs: the
    run's working tables (reporting.insights.facts), one aggregate per universe, one UNION of
    every multi-select and open-list GROUP BY.

    On PostgreSQL, outside a transaction, the universes are split into two `lanes` (universe
    keys; by number of tables when not given) run at once on two connections that share one
    snapshot of the data (the report uses both cores); otherwise they run in one lane."""
    by_universe: dict[str, list] = {}
    for spec in specs:
        if not isinstance(spec, PostSpec):
            by_universe.setdefault(spec.universe, []).append(spec)
    if can_run_beside():
        results = _run_lanes_at_once(_lanes(by_universe, lanes), universes, period, filters)
    else:
        results = _run_lane(by_universe, universes, period, filters)
    for spec in specs:
        if isinstance(spec, PostSpec):
            results[spec.key] = spec.compute(results)
    return results


def can_run_beside() -> bool:
    """Whether work may run at once on another connection: on PostgreSQL, outside a transaction
    (inside one, a test's say, another connection would not see its rows)."""
    connection = reporting_connection()
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def _lanes(by_universe: dict[str, list], given=()) -> list[dict[str, list]]:
    """Two lanes: the given ones, then the other universes where there are fewer tables, the
    biggest universes first."""
    lanes: list[dict[str, list]] = [{}, {}]
    for lane, keys in zip(lanes, given, strict=False):
        lane.update({key: by_universe[key] for key in keys if key in by_universe})
    placed = {key for lane in lanes for key in lane}
    others = [item for item in by_universe.items() if item[0] not in placed]
    for key, group in sorted(others, key=lambda item: -len(item[1])):
        lightest = min(lanes, key=lambda lane: sum(len(group) for group in lane.values()))
        lightest[key] = group
    return [lane for lane in lanes if lane]


def _run_lanes_at_once(lanes, universes, period, filters) -> dict[str, Figures]:
    if len(lanes) == 1:
        return _run_lane(lanes[0], universes, period, filters)
    first, second = lanes
    with reporting_reads(repeatable_read=True) as connection:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
        with run_beside() as pool:
            other = pool.submit(_run_lane_in_snapshot, snapshot, second, universes, period, filters)
            try:
                results = _run_lane(first, universes, period, filters)
            finally:
                # The other lane's snapshot lives as long as this transaction: wait for it.
                results_of_other = other.result()
    return results | results_of_other


def _run_lane_in_snapshot(snapshot: str, lane, universes, period, filters) -> dict[str, Figures]:
    """A lane on this thread's own connection, reading the same snapshot as the first."""
    with reporting_reads(snapshot=snapshot):
        return _run_lane(lane, universes, period, filters)


def _run_lane(by_universe: dict[str, list], universes, period, filters) -> dict[str, Figures]:
    results: dict[str, Figures] = {}
    wanted = {key: universes[key] for key in by_universe}
    key_columns = {
        universe_key: {
            name: expression
            for spec in group
            if isinstance(spec, MultiSpec | GroupSpec)
            for name, expression in spec.key_column().items()
        }
        for universe_key, group in by_universe.items()
    }
    specs = [spec for group in by_universe.values() for spec in group]
    with report_tables(wanted, period, filters, key_columns) as universe_rows:
        values, extras = {}, {}
        for universe_key, group in by_universe.items():
            rows = universe_rows[universe_key]
            values[universe_key], medians = _aggregate_universe(rows, group, wanted[universe_key])
            for spec in group:
                if spec.key in medians:
                    extras[spec.key] = {"medians": medians[spec.key]}
        models = {key: universe_rows[key].model for key in by_universe}
        tagged, sql, params = _union_statement(by_universe, wanted, models)
        specs_by_key = {spec.key: spec for spec in specs}
        for key, grouped in _run_union(tagged, sql, params).items():
            extras[key] = specs_by_key[key].from_union(grouped)
        for universe_key, group in by_universe.items():
            for index, spec in enumerate(group):
                extra = extras.get(spec.key, {})
                results[spec.key] = spec.figures(values[universe_key], f"t{index}_", extra)
    return results


# --- Compiled statements ------------------------------------------------------------------------

# A universe's aggregate and a lane's UNION read the run's tables by name, never the period or
# the filters (those only choose the tables' rows): their SQL is the same for every run of the
# same specs, so it is compiled once per process. Django compiling the hundreds of FILTERs each
# time cost about 0.4 s of a report, whatever the number of cases. Not where the universes are
# WITH queries with the run's values in them (a read-only connection), nor on SQLite (the demo,
# whose medians are queries of their own).
_compiled: dict[tuple, tuple] = {}


def _compiled_key(kind: str, *parts) -> tuple | None:
    connection = reporting_connection()
    if connection.vendor != "postgresql" or universes_inlined():
        return None
    # The objects' ids, kept alive by the cached entry (so never reused for another object).
    return (kind, connection.alias, *(id(part) for part in parts))


def _from_cache(key: tuple | None, *parts):
    if key is None or key not in _compiled:
        return None
    kept, statement = _compiled[key]
    return statement if all(a is b for a, b in zip(kept, parts, strict=True)) else None


# Reports of a few tables (keys=...) make entries of their own: a bound on what is kept.
_COMPILED_MOST = 200


def _to_cache(key: tuple | None, parts, statement) -> None:
    if key is not None and statement is not None:
        if len(_compiled) >= _COMPILED_MOST:
            _compiled.clear()
        _compiled[key] = (parts, statement)


def _as_returned(aggregate) -> Callable:
    """How Django returns an aggregate's value, as it would convert it (an average of whole
    numbers is a float, a sum of them an integer; PostgreSQL gives numerics for both)."""
    if isinstance(aggregate, Avg):
        return lambda value: None if value is None else float(value)
    if isinstance(aggregate, Sum):
        return lambda value: None if value is None else int(value)
    return lambda value: value


def _aggregate_universe(rows: QuerySet, group, universe: Universe) -> tuple[dict, dict]:
    """Every table of one universe as FILTERs of one aggregate query over its rows (medians
    too on PostgreSQL; elsewhere one query each). Returns the values and each table's
    medians."""
    cache_key = _compiled_key("aggregate", universe, *group)
    compiled = _from_cache(cache_key, universe, *group)
    if compiled is None:
        values, medians, compiled = _aggregate_universe_compiling(rows, group)
        _to_cache(cache_key, (universe, *group), compiled)
        return values, medians
    sql, params, names, median_names = compiled
    values = {}
    if sql:
        with reporting_connection().cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        values = {name: convert(value) for (name, convert), value in zip(names, row, strict=True)}
    medians: dict[str, dict] = {}
    for index, (key, name) in enumerate(median_names):
        medians.setdefault(key, {})[name] = number(values[f"median{index}"])
    return values, medians


def universe_aggregates(rows: QuerySet, group) -> tuple[QuerySet, dict, dict]:
    """A universe's rows annotated with the per-row columns its tables share, every table's
    aggregates over them (named t<index>_...), and the medians asked for ((table key, name) ->
    (column, condition)), not yet among the aggregates."""
    annotations, aggregates, median_requests = {}, {}, {}
    flags: dict[Q, str] = {}  # each condition that decides which rows a table applies to
    for index, spec in enumerate(group):
        prefix = f"t{index}_"
        if hasattr(spec, "annotations"):
            for name, expression in spec.annotations(prefix).items():
                if name in annotations:
                    raise ValueError(f"Column {name} is defined twice in one universe.")
                annotations[name] = expression
        counted = spec
        if spec.applies is not None:
            # Which rows a table applies to, worked out once per row (as a column) rather than
            # inside each of the table's FILTER clauses; tables of the same condition (an
            # area's support, outcomes and impact) share the column.
            flag = flags.get(spec.applies)
            if flag is None:
                flag = flags[spec.applies] = f"{prefix}applies"
                annotations[flag] = ExpressionWrapper(spec.applies, output_field=BooleanField())
            counted = replace(spec, applies=Q(**{flag: True}))
        aggregates.update(counted.aggregates(prefix))
        if hasattr(counted, "median_requests"):
            for name, request in counted.median_requests(prefix).items():
                median_requests[(spec.key, name)] = request
    annotated = rows.annotate(**annotations) if annotations else rows
    return annotated, aggregates, median_requests


def _aggregate_universe_compiling(rows: QuerySet, group) -> tuple[dict, dict, tuple | None]:
    """_aggregate_universe through the ORM; also returns what it ran, for the next run."""
    annotated, aggregates, median_requests = universe_aggregates(rows, group)
    in_one_query = reporting_connection().vendor == "postgresql"
    if in_one_query:
        for index, ((_, _), (column, condition)) in enumerate(median_requests.items()):
            aggregates[f"median{index}"] = Median(column, filter=condition)
    ran: list[tuple[str, tuple]] = []

    def record(execute, sql, params, many, context):
        ran.append((sql, params))
        return execute(sql, params, many, context)

    values = {}
    if aggregates:
        with reporting_connection().execute_wrapper(record):
            values = aggregate_once(annotated, **aggregates)
    medians: dict[str, dict] = {}
    for index, ((key, name), (column, condition)) in enumerate(median_requests.items()):
        if in_one_query:
            found = number(values[f"median{index}"])
        else:
            found = median(annotated.filter(condition), column)
        medians.setdefault(key, {})[name] = found
    if aggregates and len(ran) != 1:
        return values, medians, None  # not one statement (SQLite's medians): nothing to reuse
    # Django selects the aggregates in the order they were asked for.
    sql, params = ran[0] if ran else ("", ())
    names = [(name, _as_returned(aggregate)) for name, aggregate in aggregates.items()]
    return values, medians, (sql, params, names, list(median_requests))


def _union_statement(by_universe: dict[str, list], universes: dict, models: dict):
    """The lane's one UNION of every multi-select and open-list table's GROUP BY: the tables'
    keys in tag order, its SQL and its parameters."""
    parts = tuple(universes[key] for key in by_universe) + tuple(
        spec for group in by_universe.values() for spec in group
    )
    cache_key = _compiled_key("union", *parts)
    compiled = _from_cache(cache_key, *parts)
    if compiled is not None:
        return compiled
    tagged, branches = [], []
    for universe_key, group in by_universe.items():
        table = universe_table(universe_key)
        model = models[universe_key]
        batches: dict[str, list] = {}
        for spec in group:
            if isinstance(spec, MultiSpec) and spec.batch:
                batches.setdefault(spec.batch, []).append(spec)
            elif isinstance(spec, MultiSpec | GroupSpec):
                branches += spec.branches(table, len(tagged), model)
                tagged.append(spec.key)
        for batch in batches.values():
            tags = list(range(len(tagged), len(tagged) + len(batch)))
            branches += multi_branches(batch, table, tags, model)
            tagged += [spec.key for spec in batch]
    sql = " UNION ALL ".join(branch_sql for branch_sql, _ in branches)
    params = [param for _, branch_params in branches for param in branch_params]
    compiled = (tagged, sql, params)
    _to_cache(cache_key, parts, compiled)
    return compiled


def _run_union(tagged: list[str], sql: str, params) -> dict[str, list]:
    """Runs a lane's UNION (_union_statement): (label, keys) rows per table key (the branches
    are tagged with the table's place in `tagged`)."""
    if not sql:
        return {}
    grouped: dict[str, list] = {key: [] for key in tagged}
    with reporting_connection().cursor() as cursor:
        cursor.execute(sql, params)
        for tag, label, keys in cursor.fetchall():
            grouped[tagged[tag]].append((label, keys))
    return grouped
