"""Table specs: how each kind of Insights table (one answer, several answers, a banded number,
counts by condition, an open list, a table made from others) turns into conditional aggregates
over its universe's rows, and its figures back from the values the database returns."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Avg, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models import Case as DbCase

from cases.choices import DONT_KNOW
from catalogue.insights import TABLES_BY_KEY

from ..database import reporting_connection
from .facts import column_of, universe_source
from .results import Figures, Row, number


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
        missing = Q(**{self.field: ""}) | Q(**{f"{self.field}__isnull": True})
        if self.table.missing_outside_n:
            # n is the rows that answered; Missing is a share of every row.
            exprs = {f"{prefix}n": Count("pk", filter=base & ~missing)}
            exprs[f"{prefix}all"] = Count("pk", filter=base)
        else:
            exprs = {f"{prefix}n": Count("pk", filter=base)}
        for index, label in enumerate(self.options()):
            condition = (self.conditions or {}).get(label) or Q(**{self.field: label})
            exprs[f"{prefix}o{index}"] = Count("pk", filter=base & condition)
        if self.table.has_dont_know:
            exprs[f"{prefix}dk"] = Count("pk", filter=base & Q(**{self.field: DONT_KNOW}))
        if self.table.has_missing:
            exprs[f"{prefix}missing"] = Count("pk", filter=base & missing)
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
        n = every = values[f"{prefix}n"]
        dont_know = values.get(f"{prefix}dk", 0)
        missing = max(every - extra["answered"] - dont_know, 0)
        outside = self.table.missing_outside_n and not self.empty_is_answer
        if outside:
            # n is the rows that answered (an option or "Don't know"); Missing is a share of
            # every row.
            n = every - missing
        figures = _finish(self.table, n, rows, {}, prefix, include_special=False)
        if self.table.has_dont_know:
            figures.rows.append(Row(DONT_KNOW, dont_know, "dont_know"))
        if self.table.has_missing and not self.empty_is_answer:
            figures.rows.append(Row("Missing", missing, "missing", every if outside else None))
        return figures


def multi_branches(specs: list[MultiSpec], universe_table: str, tags: list[int], model):
    """The GROUP BYs of one many-to-many table for the report's one UNION: keys per option, and
    keys with any option (label NULL), each tagged with its table's tag. `specs` are one table,
    or one batch of tables (see MultiSpec.batch). The many-to-many belongs to the specs' `owner`
    if given, otherwise to the universe's `model`.

    On PostgreSQL both counts come from one scan of the links (GROUPING SETS); elsewhere (the
    SQLite demo has no GROUPING SETS) from two GROUP BYs over the same links."""
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
    distinct_per_option = not (first.owner_key == "pk" or first.one_owner_per_key)
    labels = (relation.related_model, first.label_field)
    if counts_grouping_sets():
        tagged_links = links.annotate(
            tag=tag, counted_option=F(target), counted_key=F(counted)
        ).values_list("tag", "counted_option", "counted_key")
        return [_counted_in_one_scan(tagged_links, distinct_per_option, *labels)]
    keys_counted = Count(counted, distinct=distinct_per_option)
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
    return [_labelled(per_option, *labels), answered.query.sql_with_params()]


def counts_grouping_sets() -> bool:
    """Whether the reporting database has GROUPING SETS (PostgreSQL; not SQLite, the demo's)."""
    return reporting_connection().vendor == "postgresql"


def _counted_in_one_scan(
    tagged_links: QuerySet, distinct_per_option: bool, option_model, label_field: str
) -> tuple[str, list]:
    """(tag, option id, key) links as (tag, label, keys) rows: keys per option, and keys with
    any option (label NULL), from one pass over the links: reading the links and matching them
    to the universe's keys is most of the cost, so it is done once.

    1. One GROUP BY GROUPING SETS, hashed (no sort, no DISTINCT): per (tag, option) the links,
       and per (tag, key) one row, so each key counts once. Where an option counts distinct
       keys (distinct_per_option) its set is (tag, option, key), one row per key too.
    2. The rows summed per (tag, option): the per-key rows have no option, so their sum is the
       tag's keys with any option.

    Measured at 100,000 cases (backend CPU, summed over the tables): the intakes' UNION 619 ->
    558 ms, the exits' 403 -> 282 ms; GROUPING SETS with COUNT(DISTINCT) (sorted) 580 and 284
    ms, a MATERIALIZED WITH of the links read twice 602 and 315 ms."""
    sql, params = tagged_links.query.sql_with_params()
    per_option = (
        "(links.tag, links.counted_option, links.counted_key)"
        if distinct_per_option
        else "(links.tag, links.counted_option)"
    )
    per_set = (
        "SELECT links.tag, links.counted_option, "  # noqa: S608
        "CASE WHEN GROUPING(links.counted_key) = 0 THEN 1 ELSE COUNT(*) END AS keys "
        f"FROM ({sql}) links "
        f"GROUP BY GROUPING SETS ({per_option}, (links.tag, links.counted_key))"
    )
    summed = (
        # SUM of bigints is a numeric: cast back, or the whole UNION's counts come as Decimals.
        "SELECT per_set.tag, per_set.counted_option, "  # noqa: S608
        "CAST(SUM(per_set.keys) AS bigint) AS keys "
        f"FROM ({per_set}) per_set GROUP BY per_set.tag, per_set.counted_option"
    )
    return _labelled_sql(summed, option_model, label_field, outer=True), list(params)


def _labelled(per_option: QuerySet, option_model, label_field: str) -> tuple[str, list]:
    """(tag, option id, keys) rows as (tag, label, keys)."""
    sql, params = per_option.query.sql_with_params()
    return _labelled_sql(sql, option_model, label_field), list(params)


def _labelled_sql(counted_sql: str, option_model, label_field: str, outer=False) -> str:
    """(tag, counted_option, keys) rows of `counted_sql` with each option's label; `outer`
    keeps the rows of no option (label NULL)."""
    quote = reporting_connection().ops.quote_name
    table = quote(option_model._meta.db_table)
    label = quote(option_model._meta.get_field(label_field).column)
    pk = quote(option_model._meta.pk.column)
    join = "LEFT JOIN" if outer else "INNER JOIN"
    return (
        f"SELECT counted.tag, options.{label}, counted.keys "  # noqa: S608 - the models' own names
        f"FROM ({counted_sql}) counted {join} {table} options "
        f"ON options.{pk} = counted.counted_option"
    )


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
        counted = frozenset(
            name for name, aggregate in self.statistics.items() if isinstance(aggregate, Count)
        )
        figures = Figures(values[f"{prefix}n"], rows, counted_statistics=counted)
        for name in self.statistics:
            value = values[f"{prefix}s_{name}"]
            figures.statistics[name] = value if name in counted else number(value)
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
                f"SELECT %s AS tag, {column} AS label, COUNT(*) AS keys "  # noqa: S608
                f"FROM {universe_source(universe_table)} "
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
            every = values.get(f"{prefix}all") if table.missing_outside_n else None
            figures.rows.append(Row("Missing", values[f"{prefix}missing"], "missing", every))
    return figures
