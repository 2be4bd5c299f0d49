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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Avg,
    BooleanField,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as DbCase
from django.utils import timezone

from cases.choices import DONT_KNOW
from catalogue.insights import TABLES_BY_KEY

from ..periods import Period
from .facts import column_of, facts_read, report_tables, universe_table

# --- Results --------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    count: int
    kind: str = "option"  # option | group | member | dont_know | missing | errors

    def percent(self, n: int) -> float | None:
        return None if not n else 100.0 * self.count / n


@dataclass
class Figures:
    """One table's figures for one period."""

    n: int
    rows: list[Row]
    statistics: dict[str, float | None] = field(default_factory=dict)
    # The largest n of the tables of this table's universe in the period (set by the report):
    # where that is small, even a table's zeros describe the few people in it.
    universe_n: int | None = None

    def row(self, label: str) -> Row | None:
        return next((row for row in self.rows if row.label == label), None)

    def count(self, label: str) -> int:
        row = self.row(label)
        return row.count if row else 0


@dataclass
class TableResult:
    key: str
    section: str
    question: str
    universe: str
    current: Figures
    comparison: Figures | None = None
    note: str = ""


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
            # Client profile tables count people, not cases: the latest row per client.
            latest = qs.order_by().values(self.client_path).annotate(last=Max("pk")).values("last")
            qs = self.queryset().filter(pk__in=Subquery(latest))
        return qs

    @property
    def client_path(self) -> str:
        return f"{self.case_path}__client_id" if self.case_path else "client_id"


# --- Table specs -----------------------------------------------------------------------------


def _catalogue(key):
    return TABLES_BY_KEY[key]


@dataclass(frozen=True)
class Spec:
    key: str  # the Insights table key (its question and options come from the catalogue)
    universe: str
    applies: Q | None = None  # n is the rows where this holds
    note: str = ""

    @property
    def table(self):
        return _catalogue(self.key)

    def options(self) -> tuple[str, ...]:
        return self.table.options


@dataclass(frozen=True)
class ChoiceSpec(Spec):
    """One answer per row in a CharField holding the seed's label (blank or NULL = missing)."""

    field: str = ""
    # Options counted by their own condition instead of `field == label` (e.g. "Not sex
    # assigned at birth", which is a separate question on the client record).
    conditions: dict | None = None

    def aggregates(self, prefix: str) -> dict:
        base = self.applies or Q()
        exprs = {f"{prefix}n": Count("pk", filter=base)}
        for index, label in enumerate(self.options()):
            condition = (self.conditions or {}).get(label) or Q(**{self.field: label})
            exprs[f"{prefix}o{index}"] = Count("pk", filter=base & condition)
        if self.table.has_dont_know:
            exprs[f"{prefix}dk"] = Count("pk", filter=base & Q(**{self.field: DONT_KNOW}))
        if self.table.has_missing:
            exprs[f"{prefix}missing"] = Count(
                "pk",
                filter=base & (Q(**{self.field: ""}) | Q(**{f"{self.field}__isnull": True})),
            )
        return exprs

    def figures(self, values: dict, prefix: str, extra: dict) -> Figures:
        rows = [
            Row(label, values[f"{prefix}o{index}"]) for index, label in enumerate(self.options())
        ]
        return _finish(self.table, values[f"{prefix}n"], rows, values, prefix)


@dataclass(frozen=True)
class MultiSpec(Spec):
    """Several answers per row: a many-to-many to cases.Option (list_key = the table key) or to
    cases.Agency, with an optional boolean "Don't know" column. Ticking nothing is missing
    unless `empty_is_answer`.

    By default the many-to-many is a field of the universe's own rows. When it lives elsewhere
    (the client's disability types, the children's CYPS involvement), `owner` names that model,
    `owner_key` the path from an owner to the thing counted (e.g. "case"), and `row_key` the
    path from a universe row to the same thing: each option then counts distinct keys.
    """

    field: str = ""
    dont_know_field: str = ""
    empty_is_answer: bool = False
    owner: Callable | None = None  # () -> model holding `field`
    owner_key: str = "pk"
    row_key: str = "pk"
    label_field: str = "label"
    owner_filter: dict | None = None  # only the owners matching these lookups (e.g. one area)
    one_owner_per_key: bool = False  # owner_filter leaves one owner per key (one area's row)
    # Which rows' keys are counted, when not the rows where `applies` holds: the keys are worked
    # out before the facts, so a condition that reads them is restated here without them.
    keys_applies: Q | None = None
    # Tables of one universe that count the same many-to-many over the same keys, told apart by
    # one field of the owner (each area's support outcomes), share one GROUP BY: `batch` names
    # them, `batch_field` is that field and `batch_value` this table's value of it.
    batch: str = ""
    batch_field: str = ""
    batch_value: str = ""

    def aggregates(self, prefix: str) -> dict:
        base = self.applies or Q()
        exprs = {f"{prefix}n": Count("pk", filter=base)}
        if self.dont_know_field:
            exprs[f"{prefix}dk"] = Count("pk", filter=base & Q(**{self.dont_know_field: True}))
        return exprs

    def key_column(self) -> dict:
        """The key this table counts, per universe row (NULL where the table does not apply),
        stored in the universe's table when the run starts."""
        key = F(self.row_key)
        condition = self.applies if self.keys_applies is None else self.keys_applies
        if condition is not None and condition != Q():
            key = DbCase(When(condition, then=key), default=None)
        return {self.key_name: key}

    @property
    def key_name(self) -> str:
        return f"key_{self.batch or self.key}"

    def branches(self, universe_table: str, tag: int, model) -> list[tuple[str, list]]:
        return multi_branches([self], universe_table, [tag], model)

    def from_union(self, grouped: list[tuple[str | None, int]]) -> dict:
        per_option: dict[str, int] = {}
        for label, keys in grouped:
            if label is not None:
                per_option[label] = per_option.get(label, 0) + keys
        answered = next((keys for label, keys in grouped if label is None), 0)
        return {"per_option": per_option, "answered": answered}

    def figures(self, values: dict, prefix: str, extra: dict) -> Figures:
        per_option = extra["per_option"]
        labels = list(self.options())
        # Options admins added (or retired ones still on records) are reported too.
        labels += sorted(label for label in per_option if label not in labels)
        rows = [Row(label, per_option.get(label, 0)) for label in labels]
        n = values[f"{prefix}n"]
        dont_know = values.get(f"{prefix}dk", 0)
        figures = _finish(self.table, n, rows, {}, prefix, include_special=False)
        if self.table.has_dont_know:
            figures.rows.append(Row(DONT_KNOW, dont_know, "dont_know"))
        if self.table.has_missing and not self.empty_is_answer:
            missing = max(n - extra["answered"] - dont_know, 0)
            figures.rows.append(Row("Missing", missing, "missing"))
        return figures


def multi_branches(specs: list[MultiSpec], universe_table: str, tags: list[int], model):
    """Two GROUP BYs over one many-to-many table, for the report's one UNION: keys per option,
    and keys with any option (label NULL), each tagged with its table's tag. `specs` are one
    table, or one batch of tables (see MultiSpec.batch). The many-to-many belongs to the specs'
    `owner` if given, otherwise to the universe's `model`."""
    first = specs[0]
    owner = first.owner() if first.owner else model
    relation = owner._meta.get_field(first.field)
    through = relation.remote_field.through
    source = relation.m2m_field_name()
    target = relation.m2m_reverse_field_name()
    counted = source if first.owner_key == "pk" else f"{source}__{first.owner_key}"
    keys = column_of(universe_table, first.key_name)
    links = through.objects.filter(**{f"{counted}__in": keys})
    if first.owner_filter:
        links = links.filter(**{f"{source}__{k}": v for k, v in first.owner_filter.items()})
    if len(specs) == 1:
        tag = Value(tags[0])
    else:
        told_apart_by = f"{source}__{first.batch_field}"
        links = links.filter(**{f"{told_apart_by}__in": [spec.batch_value for spec in specs]})
        tag = DbCase(
            *[
                When(**{told_apart_by: spec.batch_value}, then=Value(spec_tag))
                for spec, spec_tag in zip(specs, tags, strict=True)
            ]
        )
    # A row of the universe ticks an option once; the keys of other owners (the children of a
    # case, say) may tick it more than once.
    keys_counted = Count(counted, distinct=not (first.owner_key == "pk" or first.one_owner_per_key))
    # Counted per option id, labelled after: joining the labels to every link costs more.
    per_option = (
        links.annotate(tag=tag, counted_option=F(target))
        .values("tag", "counted_option")
        .annotate(keys=keys_counted)
        .values_list("tag", "counted_option", "keys")
    )
    answered = (
        links.annotate(tag=tag, label=Value(None, output_field=CharField()))
        .values("tag", "label")
        .annotate(keys=Count(counted, distinct=True))
        .values_list("tag", "label", "keys")
    )
    return [
        _labelled(per_option, relation.related_model, first.label_field),
        answered.query.sql_with_params(),
    ]


def _labelled(per_option: QuerySet, option_model, label_field: str) -> tuple[str, list]:
    """(tag, option id, keys) rows as (tag, label, keys)."""
    sql, params = per_option.query.sql_with_params()
    quote = connection.ops.quote_name
    table = quote(option_model._meta.db_table)
    label = quote(option_model._meta.get_field(label_field).column)
    pk = quote(option_model._meta.pk.column)
    labelled = (
        f"SELECT counted.tag, options.{label}, counted.keys "  # noqa: S608 - the models' own names
        f"FROM ({sql}) counted INNER JOIN {table} options ON options.{pk} = counted.counted_option"
    )
    return labelled, list(params)


@dataclass(frozen=True)
class BandSpec(Spec):
    """A number banded into the table's options, with its mean or median. `value` is an
    expression over the universe's rows; `bands` gives (low, high) per option, inclusive."""

    value: Callable = None  # () -> expression
    bands: tuple = ()
    statistic: str = ""  # "mean" | "median"
    errors_below: float | None = None  # values below this are reported as "Errors"

    def aggregates(self, prefix: str) -> dict:
        base = (self.applies or Q()) & Q(**{f"{prefix}v__isnull": False})
        exprs = {f"{prefix}n": Count("pk", filter=self.applies or Q())}
        for index, (low, high) in enumerate(self.bands):
            condition = Q(**{f"{prefix}v__gte": low}) if low is not None else Q()
            if high is not None:
                condition &= Q(**{f"{prefix}v__lte": high})
            exprs[f"{prefix}o{index}"] = Count("pk", filter=base & condition)
        if self.errors_below is not None:
            exprs[f"{prefix}errors"] = Count(
                "pk", filter=base & Q(**{f"{prefix}v__lt": self.errors_below})
            )
            valid = base & Q(**{f"{prefix}v__gte": self.errors_below})
        else:
            valid = base
        exprs[f"{prefix}missing"] = Count(
            "pk", filter=(self.applies or Q()) & Q(**{f"{prefix}v__isnull": True})
        )
        if self.statistic == "mean":
            exprs[f"{prefix}mean"] = Avg(f"{prefix}v", filter=valid)
        return exprs

    def annotations(self, prefix: str) -> dict:
        return {f"{prefix}v": self.value()}

    def median_requests(self, prefix: str) -> dict:
        if self.statistic != "median":
            return {}
        valid = self.applies or Q()
        if self.errors_below is not None:
            valid &= Q(**{f"{prefix}v__gte": self.errors_below})
        return {"median": (f"{prefix}v", valid)}

    def figures(self, values: dict, prefix: str, extra: dict) -> Figures:
        rows = [
            Row(label, values[f"{prefix}o{index}"]) for index, label in enumerate(self.options())
        ]
        figures = Figures(values[f"{prefix}n"], rows)
        if self.table.has_errors or self.errors_below is not None:
            figures.rows.append(Row("Errors", values.get(f"{prefix}errors", 0), "errors"))
        if self.table.has_missing:
            figures.rows.append(Row("Missing", values[f"{prefix}missing"], "missing"))
        if self.statistic == "mean":
            mean = values[f"{prefix}mean"]
            figures.statistics["mean"] = None if mean is None else float(mean)
        if self.statistic == "median":
            figures.statistics["median"] = extra.get("medians", {}).get("median")
        return figures


@dataclass(frozen=True)
class Counted:
    """One row of a CountSpec: the rows where `condition` holds (None: an answer Lantern does
    not record, always 0)."""

    label: str
    condition: Q | None
    kind: str = "option"


@dataclass(frozen=True)
class CountSpec(Spec):
    """A table of counts by condition, in the universe's one query: n (the rows where `applies`
    holds), then one count per Counted row. `columns` are values worked out once per row (their
    names must be unique in the universe), `statistics` further aggregates (e.g. an average),
    `medians` statistic name -> (column, condition); `finish` adds figures made from the values
    (ratios, units)."""

    counts: tuple[Counted, ...] = ()
    columns: dict = field(default_factory=dict)
    statistics: dict = field(default_factory=dict)
    medians: dict = field(default_factory=dict)
    finish: Callable | None = None  # (figures) -> None, changing the figures in place

    def annotations(self, prefix: str) -> dict:
        return dict(self.columns)

    def aggregates(self, prefix: str) -> dict:
        base = self.applies or Q()
        exprs = {f"{prefix}n": Count("pk", filter=base)}
        for index, counted in enumerate(self.counts):
            if counted.condition is not None:
                exprs[f"{prefix}c{index}"] = Count("pk", filter=base & counted.condition)
        for name, aggregate in self.statistics.items():
            exprs[f"{prefix}s_{name}"] = aggregate
        return exprs

    def median_requests(self, prefix: str) -> dict:
        base = self.applies or Q()
        return {
            name: (column, base & (condition or Q()))
            for name, (column, condition) in self.medians.items()
        }

    def figures(self, values: dict, prefix: str, extra: dict) -> Figures:
        rows = [
            Row(counted.label, values.get(f"{prefix}c{index}", 0), counted.kind)
            for index, counted in enumerate(self.counts)
        ]
        figures = Figures(values[f"{prefix}n"], rows)
        for name in self.statistics:
            figures.statistics[name] = _number(values[f"{prefix}s_{name}"])
        figures.statistics.update(extra.get("medians", {}))
        if self.finish is not None:
            self.finish(figures)
        return figures


@dataclass(frozen=True)
class GroupSpec(Spec):
    """An answer whose label set is open (admins rename and add referral routes): one GROUP BY;
    the seed's options first, then any other label found. `label_map` maps a seed label to the
    stored label where they differ."""

    field: str = ""
    label_map: dict | None = None

    def aggregates(self, prefix: str) -> dict:
        return {}  # n and Missing come from the GROUP BY too

    def key_column(self) -> dict:
        """The stored label per universe row (and whether the table applies to it), stored in
        the universe's table when the run starts."""
        columns = {f"key_{self.key}": F(self.field)}
        if self.applies is not None:
            columns[f"key_{self.key}_applies"] = DbCase(
                When(self.applies, then=Value(1)), default=Value(0)
            )
        return columns

    def branches(self, universe_table: str, tag: int, model) -> list[tuple[str, list]]:
        """One GROUP BY over the universe's table, for the report's one UNION: rows per label,
        and the rows with no label (Missing) as the NULL group."""
        column = f"key_{self.key}"
        applies = f"WHERE {column}_applies = 1 " if self.applies is not None else ""
        return [
            (
                f"SELECT %s AS tag, {column} AS label, COUNT(*) AS keys FROM {universe_table} "  # noqa: S608
                f"{applies}GROUP BY {column}",
                [tag],
            )
        ]

    def from_union(self, grouped: list[tuple[str | None, int]]) -> dict:
        return {"per_option": dict(grouped)}

    def figures(self, values: dict, prefix: str, extra: dict) -> Figures:
        counts = dict(extra["per_option"])
        n = sum(counts.values())
        missing = counts.pop(None, 0)
        rows = []
        for label in self.options():
            stored = (self.label_map or {}).get(label, label)
            rows.append(Row(label, counts.pop(stored, 0)))
        rows += [Row(label, count) for label, count in sorted(counts.items())]
        figures = Figures(n, rows)
        if self.table.has_missing:
            figures.rows.append(Row("Missing", missing, "missing"))
        return figures


@dataclass(frozen=True)
class PostSpec(Spec):
    """A table made from other tables' figures (already computed in the database), e.g. the
    needs-and-support matrix or the count of forms used."""

    compute: Callable = None  # (results: dict[key, Figures]) -> Figures
    universe: str = ""
    needs: tuple[str, ...] = ()  # the tables it is made from


def _finish(table, n, rows, values, prefix, include_special=True) -> Figures:
    figures = Figures(n, rows)
    counts = {row.label: row.count for row in rows}
    groups = []
    for label, members in table.groups:
        groups.append((label, sum(counts.get(member, 0) for member in members)))
    if groups:
        # Group rows (e.g. "White", "Total BME") follow the options they sum.
        figures.rows.extend(Row(label, total, "group") for label, total in groups)
    if include_special:
        if table.has_dont_know and f"{prefix}dk" in values:
            figures.rows.append(Row(DONT_KNOW, values[f"{prefix}dk"], "dont_know"))
        if table.has_missing and f"{prefix}missing" in values:
            figures.rows.append(Row("Missing", values[f"{prefix}missing"], "missing"))
    return figures


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
    if connection.vendor == "postgresql":
        sql, params = values.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM ({sql}) AS t(v)",  # noqa: S608
                params,
            )
            result = cursor.fetchone()[0]
        return _number(result)
    total = values.count()
    if not total:
        return None
    ordered = values.order_by(expression_name).values_list(expression_name, flat=True)
    middle = [_number(value) for value in ordered[(total - 1) // 2 : total // 2 + 1]]
    return sum(middle) / len(middle)


def _number(value) -> float | None:
    """Numbers as floats; durations as days."""
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        return value.total_seconds() / 86400
    return float(value)


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
    if _can_run_lanes_at_once():
        results = _run_lanes_at_once(_lanes(by_universe, lanes), universes, period, filters)
    else:
        results = _run_lane(by_universe, universes, period, filters)
    for spec in specs:
        if isinstance(spec, PostSpec):
            results[spec.key] = spec.compute(results)
    return results


def _can_run_lanes_at_once() -> bool:
    # Inside a transaction (a test's, say) another connection would not see its rows.
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
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
        with ThreadPoolExecutor(max_workers=1) as pool:
            other = pool.submit(_run_lane_in_snapshot, snapshot, second, universes, period, filters)
            try:
                results = _run_lane(first, universes, period, filters)
            finally:
                # The other lane's snapshot lives as long as this transaction: wait for it.
                results_of_other = other.result()
    return results | results_of_other


def _run_lane_in_snapshot(snapshot: str, lane, universes, period, filters) -> dict[str, Figures]:
    """A lane on this thread's own connection, reading the same snapshot as the first."""
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
            return _run_lane(lane, universes, period, filters)
    finally:
        connection.close()


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
    with report_tables(
        wanted, period, filters, key_columns, facts=facts_read(specs)
    ) as universe_rows:
        values, extras, tagged, branches = {}, {}, [], []
        for universe_key, group in by_universe.items():
            rows = universe_rows[universe_key]
            values[universe_key], medians = _aggregate_universe(rows, group)
            table = universe_table(universe_key)
            batches: dict[str, list] = {}
            for spec in group:
                if isinstance(spec, MultiSpec) and spec.batch:
                    batches.setdefault(spec.batch, []).append(spec)
                elif isinstance(spec, MultiSpec | GroupSpec):
                    branches += spec.branches(table, len(tagged), rows.model)
                    tagged.append(spec.key)
                if spec.key in medians:
                    extras[spec.key] = {"medians": medians[spec.key]}
            for batch in batches.values():
                tags = list(range(len(tagged), len(tagged) + len(batch)))
                branches += multi_branches(batch, table, tags, rows.model)
                tagged += [spec.key for spec in batch]
        specs_by_key = {spec.key: spec for spec in specs}
        for key, grouped in _run_union(tagged, branches).items():
            extras[key] = specs_by_key[key].from_union(grouped)
        for universe_key, group in by_universe.items():
            for index, spec in enumerate(group):
                extra = extras.get(spec.key, {})
                results[spec.key] = spec.figures(values[universe_key], f"t{index}_", extra)
    return results


def _aggregate_universe(rows: QuerySet, group) -> tuple[dict, dict]:
    """Every table of one universe as FILTERs of one aggregate query over its rows (medians
    too on PostgreSQL; elsewhere one query each). Returns the values and each table's
    medians."""
    annotations, aggregates, median_requests = {}, {}, {}
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
            # inside each of the table's FILTER clauses.
            flag = f"{prefix}applies"
            annotations[flag] = ExpressionWrapper(spec.applies, output_field=BooleanField())
            counted = replace(spec, applies=Q(**{flag: True}))
        aggregates.update(counted.aggregates(prefix))
        if hasattr(counted, "median_requests"):
            for name, request in counted.median_requests(prefix).items():
                median_requests[(spec.key, name)] = request
    annotated = rows.annotate(**annotations) if annotations else rows
    in_one_query = connection.vendor == "postgresql"
    if in_one_query:
        for index, ((_, _), (column, condition)) in enumerate(median_requests.items()):
            aggregates[f"median{index}"] = Median(column, filter=condition)
    values = aggregate_once(annotated, **aggregates) if aggregates else {}
    medians: dict[str, dict] = {}
    for index, ((key, name), (column, condition)) in enumerate(median_requests.items()):
        if in_one_query:
            found = _number(values[f"median{index}"])
        else:
            found = median(annotated.filter(condition), column)
        medians.setdefault(key, {})[name] = found
    return values, medians


def _run_union(tagged: list[str], branches: list[tuple[str, list]]) -> dict[str, list]:
    """Every multi-select and open-list table's GROUP BY in one UNION ALL: (label, keys) rows
    per table key (the branches are tagged with the table's place in `tagged`)."""
    if not branches:
        return {}
    sql = " UNION ALL ".join(branch_sql for branch_sql, _ in branches)
    params = [param for _, branch_params in branches for param in branch_params]
    grouped: dict[str, list] = {key: [] for key in tagged}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for tag, label, keys in cursor.fetchall():
            grouped[tagged[tag]].append((label, keys))
    return grouped
