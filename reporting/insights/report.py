"""Building the Insights report: every table for a period beside its comparison period, and
the rules that keep small numbers from describing a restricted client."""

import datetime
from dataclasses import dataclass, replace

from django.conf import settings
from django.db.models import Q

from accounts.models import Service
from cases.models import Case
from cases.selectors import restricted_from
from catalogue.insights import TABLES_BY_KEY

from ..database import reporting_reads, run_beside
from ..periods import Period
from .engine import ReportFilters, can_run_beside, run_tables
from .results import Figures, TableResult
from .specs import PostSpec
from .suppression import SUPPRESSION_THRESHOLD
from .tables import SPECS, SPECS_BY_KEY
from .universes import LANES, UNIVERSES

# What a table counts when it counts forms of more than one universe.
FORMS_IN_THE_PERIOD = "forms dated in the period"


def _universe_label(spec) -> str:
    """What a table counts; a table made from others counts what the first of them counts."""
    if spec.universe:
        label = UNIVERSES[spec.universe].label
        if TABLES_BY_KEY[spec.key].missing_outside_n:
            # n leaves out those who did not answer, as the seed does (Missing is shown apart).
            label += ", where the client answered"
        return label
    if isinstance(spec, PostSpec) and spec.needs:
        return _universe_label(SPECS_BY_KEY[spec.needs[0]])
    return FORMS_IN_THE_PERIOD


def _note(spec) -> str:
    """The table's note, and, where n leaves out those who did not answer, what Missing's
    percentage is of: its count beside n would otherwise read as a share of n."""
    if not (spec.universe and TABLES_BY_KEY[spec.key].missing_outside_n):
        return spec.note
    every = UNIVERSES[spec.universe].label
    missing = f"Missing is a percentage of all {every} (answered or not), not of n."
    return f"{spec.note} {missing}" if spec.note else missing


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
    current, previous = _run_periods(specs, period, comparison_period, filters)
    tables = []
    for spec in specs:
        if keys is not None and spec.key not in keys:
            continue
        catalogue = TABLES_BY_KEY[spec.key]
        # A table of counts alone counts forms of several kinds, not its first table's rows
        # (for suppression it stays in that table's universe: _with_universe_sizes).
        universe = FORMS_IN_THE_PERIOD if catalogue.counts_only else _universe_label(spec)
        tables.append(
            TableResult(
                key=spec.key,
                section=catalogue.section,
                question=catalogue.question,
                universe=universe,
                current=current[spec.key],
                comparison=previous.get(spec.key),
                note=_note(spec),
            )
        )
    with reporting_reads():
        names = list(
            Service.objects.filter(pk__in=filters.service_ids)
            .order_by("name")
            .values_list("name", flat=True)
        )
    return InsightsReport(period, comparison_period, filters, names, tables)


# --- Restricted cases and small numbers -----------------------------------------------------


def _with_needs(keys: set[str]) -> list:
    """The specs of `keys`, with the tables the made-up ones are computed from."""
    wanted = set(keys)
    for spec in SPECS:
        if spec.key in wanted and isinstance(spec, PostSpec):
            wanted |= set(spec.needs)
    return [spec for spec in SPECS if spec.key in wanted]


def _with_universe_sizes(specs, results: dict[str, Figures]) -> dict[str, Figures]:
    """Each table's figures with the largest n of its universe's tables (its universe's size,
    as near as the tables tell it), for the small-universe rule of suppression.ShownFigures."""
    largest: dict[str, int] = {}
    for spec in specs:
        universe = _universe_label(spec)
        largest[universe] = max(largest.get(universe, 0), results[spec.key].n or 0)
    return {
        spec.key: replace(results[spec.key], universe_n=largest[_universe_label(spec)])
        for spec in specs
    }


def _run_periods(specs, period: Period, comparison_period: Period | None, filters: ReportFilters):
    """The figures of the period and of its comparison period (empty when none). The comparison
    runs beside the current one, on connections of its own, where it can (engine.can_run_beside),
    so the page waits for the longer of the two, not their sum."""
    if comparison_period is None:
        return _with_universe_sizes(specs, _run(specs, period, filters)), {}
    if not can_run_beside():
        current = _run(specs, period, filters)
        previous = _run(specs, comparison_period, filters)
    else:
        with run_beside() as pool:
            beside = pool.submit(_run, specs, comparison_period, filters)
            try:
                current = _run(specs, period, filters)
            finally:
                previous = beside.result()
    return _with_universe_sizes(specs, current), _with_universe_sizes(specs, previous)


def _run(specs, period: Period, filters: ReportFilters) -> dict[str, Figures]:
    """Every table's figures, restricted cases counted only where the table's n is at least
    the suppression threshold: a count of five or more names nobody, a table of one or two
    could describe the restricted client.

    1. Every table, with every case (the usual run, at its usual speed).
    2. Whether a restricted case is open in the period in the services: one EXISTS, asked
       every time so that the number of queries stays the same for any number of cases.
    3. Only when one is and some table's n is from 1 to the threshold less one: those tables
       (and what they are made from) once more without restricted cases, replacing the first.
    """
    results = run_tables(specs, UNIVERSES, period, filters, LANES)
    with reporting_reads():
        any_restricted = restricted_cases(period, filters.service_ids).exists()
    small = {spec.key for spec in specs if 0 < results[spec.key].n < SUPPRESSION_THRESHOLD}
    if any_restricted and small:
        again = run_tables(
            _with_needs(small), UNIVERSES, period, replace(filters, exclude_restricted=True)
        )
        results.update({key: again[key] for key in small})
    return results


def restricted_cases(period: Period, service_ids):
    """The restricted cases of the services open at some time in the period."""
    return Case.objects.filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=period.start),
        service_id__in=service_ids,
        is_restricted=True,
        opened_on__lte=period.end,
    )


def min_unsuppressed_days() -> int:
    return settings.INSIGHTS_MIN_UNSUPPRESSED_DAYS


def suppression_needed_message() -> str:
    return (
        f"Small numbers stay suppressed for a period shorter than {min_unsuppressed_days()} "
        "days with a restricted case in it that you are not named on: its client could be "
        "recognised in a small count. Choose a longer period, or keep suppression on."
    )


def may_switch_suppression_off(user, periods, service_ids) -> bool:
    """Suppression may be off for a period of at least the provider's minimum, or for a
    shorter one when the user is named on every restricted case open in it (they know those
    clients already); otherwise a short period's small counts could describe one."""
    minimum = datetime.timedelta(days=min_unsuppressed_days() - 1)
    for period in periods:
        if period is None or period.end - period.start >= minimum:
            continue
        if restricted_cases(period, service_ids).filter(restricted_from(user)).exists():
            return False
    return True
