"""Building the Insights report: every table for a period beside its comparison period."""

from dataclasses import dataclass

from accounts.models import Service
from cases.catalogue.insights import TABLES_BY_KEY

from ..periods import Period
from .engine import PostSpec, ReportFilters, TableResult, run_tables
from .tables import LANES, SPECS, SPECS_BY_KEY, UNIVERSES


def _universe_label(spec) -> str:
    """What a table counts; a table made from others counts what the first of them counts."""
    if spec.universe:
        return UNIVERSES[spec.universe].label
    if isinstance(spec, PostSpec) and spec.needs:
        return _universe_label(SPECS_BY_KEY[spec.needs[0]])
    return "forms dated in the period"


@dataclass
class InsightsReport:
    period: Period
    comparison_period: Period | None
    filters: ReportFilters
    service_names: list[str]
    tables: list[TableResult]

    def by_section(self):
        sections: dict[str, list[TableResult]] = {}
        for table in self.tables:
            sections.setdefault(table.section, []).append(table)
        return sections

    def table(self, key: str) -> TableResult:
        return next(table for table in self.tables if table.key == key)


def build_report(
    *,
    period: Period,
    filters: ReportFilters,
    comparison_period: Period | None = None,
    keys: list[str] | None = None,
) -> InsightsReport:
    wanted = None if keys is None else set(keys)
    if wanted is not None:
        for spec in SPECS:
            if spec.key in wanted and isinstance(spec, PostSpec):
                wanted |= set(spec.needs)
    specs = [spec for spec in SPECS if wanted is None or spec.key in wanted]
    current = run_tables(specs, UNIVERSES, period, filters, LANES)
    previous = (
        run_tables(specs, UNIVERSES, comparison_period, filters, LANES) if comparison_period else {}
    )
    tables = []
    for spec in specs:
        if keys is not None and spec.key not in keys:
            continue
        catalogue = TABLES_BY_KEY[spec.key]
        universe = _universe_label(spec)
        tables.append(
            TableResult(
                key=spec.key,
                section=catalogue.section,
                question=catalogue.question,
                universe=universe,
                current=current[spec.key],
                comparison=previous.get(spec.key),
                note=spec.note,
            )
        )
    names = list(
        Service.objects.filter(pk__in=filters.service_ids)
        .order_by("name")
        .values_list("name", flat=True)
    )
    return InsightsReport(period, comparison_period, filters, names, tables)
