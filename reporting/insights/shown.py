"""The Insights report as it may be shown: every table and analysis (the Insights tables,
"if a service supported 100 people", Safety in Numbers, MARAC) with small numbers suppressed
once, here (reporting.insights.suppression). The page, the CSV, XLSX and JSON exports and the
charts are made from a ShownReport and format it: none of them decides what to hide."""

import datetime
from dataclasses import asdict, dataclass, field

from catalogue.insights import TABLES_BY_KEY

from ..analyses import (
    PerHundredPage,
    marac_table,
    safety_in_numbers,
    service_of_100,
    service_of_100_counts,
    sin_follow_up,
    sin_intake_review,
)
from ..database import run_beside
from ..periods import Period
from .engine import ReportFilters, can_run_beside
from .report import InsightsReport, build_report
from .results import TableResult
from .suppression import ShownFigures, shown, shown_cells, shown_cross_table


@dataclass(frozen=True)
class ShownTable:
    key: str
    section: str
    question: str
    universe: str
    note: str
    current: ShownFigures
    comparison: ShownFigures | None

    @property
    def counts_only(self) -> bool:
        """A table of counts alone (catalogue.insights.InsightsTable.counts_only): no n, no %."""
        table = TABLES_BY_KEY.get(self.key)
        return table is not None and table.counts_only


@dataclass(frozen=True)
class ShownReport:
    period: Period
    comparison_period: Period | None
    service_names: list[str]
    suppress_below: int | None
    tables: list[ShownTable]
    # The analyses, when asked for (the page shows them; the exports do not).
    service_of_100: PerHundredPage = field(default_factory=lambda: PerHundredPage(sections=[]))
    safety_in_numbers: list[dict] = field(default_factory=list)
    # Safety in Numbers' intake-against-review tables and the 6-month follow-up.
    sin_intake_review: list[dict] = field(default_factory=list)
    sin_follow_up: dict | None = None
    marac: list[tuple[str, dict]] = field(default_factory=list)

    def by_section(self) -> dict[str, list[ShownTable]]:
        sections: dict[str, list[ShownTable]] = {}
        for table in self.tables:
            sections.setdefault(table.section, []).append(table)
        return sections

    def table(self, key: str) -> ShownTable:
        return next(table for table in self.tables if table.key == key)


def show_table(table: TableResult, suppress_below: int | None) -> ShownTable:
    catalogued = TABLES_BY_KEY.get(table.key)
    groups = catalogued.groups if catalogued else ()
    return ShownTable(
        key=table.key,
        section=table.section,
        question=table.question,
        universe=table.universe,
        note=table.note,
        current=ShownFigures.of(table.current, suppress_below, groups),
        comparison=(
            None
            if table.comparison is None
            else ShownFigures.of(table.comparison, suppress_below, groups)
        ),
    )


def analyses_figures(period: Period, filters: ReportFilters) -> dict:
    """The analyses' figures of a period (before suppression), what the page shows beside the
    tables: each asks the database itself, none needs the tables."""
    return {
        "marac": marac_table(period, filters),
        "service_of_100_counts": service_of_100_counts(period, filters),
        "safety_in_numbers": safety_in_numbers(period, filters),
        "sin_intake_review": sin_intake_review(period, filters),
        "sin_follow_up": sin_follow_up(period, filters),
    }


def show_report(
    report: InsightsReport,
    suppress_below: int | None,
    *,
    analyses: bool = False,
    analysed: dict | None = None,
) -> ShownReport:
    """The report's tables (and, with `analyses`, the analyses of its period and filters, which
    need every table of the report) with small numbers suppressed below `suppress_below`.
    `analysed`: the analyses' figures when already worked out (analyses_figures)."""
    tables = [show_table(table, suppress_below) for table in report.tables]
    extra = {}
    if analyses:
        figures = analysed or analyses_figures(report.period, report.filters)
        marac = figures["marac"]
        extra = {
            "service_of_100": service_of_100(
                {table.key: table.current for table in tables},
                {
                    key: shown(count, suppress_below)
                    for key, count in figures["service_of_100_counts"].items()
                },
            ),
            "safety_in_numbers": [
                shown_cross_table(cross, suppress_below) for cross in figures["safety_in_numbers"]
            ],
            "sin_intake_review": [
                shown_cross_table(cross, suppress_below) for cross in figures["sin_intake_review"]
            ],
            "sin_follow_up": shown_cross_table(figures["sin_follow_up"], suppress_below),
            "marac": list(
                zip(
                    [label for label, _ in marac],
                    shown_cells([cell for _, cell in marac], suppress_below),
                    strict=True,
                )
            ),
        }
    return ShownReport(
        period=report.period,
        comparison_period=report.comparison_period,
        service_names=list(report.service_names),
        suppress_below=suppress_below,
        tables=tables,
        **extra,
    )


def insights_report(
    *,
    period: Period,
    filters: ReportFilters,
    suppress_below: int | None,
    comparison_period: Period | None = None,
    keys: list[str] | None = None,
    analyses: bool = False,
) -> ShownReport:
    """The Insights report of a period (beside its comparison period), as it may be shown.
    The analyses run beside the tables, on a connection of their own, where they can
    (engine.can_run_beside): the page waits for the longer, not for both one after the other."""
    if not (analyses and can_run_beside()):
        report = build_report(
            period=period, filters=filters, comparison_period=comparison_period, keys=keys
        )
        return show_report(report, suppress_below, analyses=analyses)
    with run_beside() as pool:
        beside = pool.submit(analyses_figures, period, filters)
        try:
            report = build_report(
                period=period, filters=filters, comparison_period=comparison_period, keys=keys
            )
        finally:
            analysed = beside.result()
    return show_report(report, suppress_below, analyses=True, analysed=analysed)


# --- Serialisation: a ShownReport stored as JSON (reporting.insights.results_store) ---------
# Figures only, as shown (hidden counts are already "<5"): nothing identifying is stored.
STORED_FORMAT = 1


def _period_json(period: Period | None) -> dict | None:
    if period is None:
        return None
    return {"start": period.start.isoformat(), "end": period.end.isoformat()}


def _period_from(data: dict | None) -> Period | None:
    if data is None:
        return None
    return Period(
        datetime.date.fromisoformat(data["start"]), datetime.date.fromisoformat(data["end"])
    )


def _figures_from(data: dict | None) -> ShownFigures | None:
    return None if data is None else ShownFigures(**data)


def _cross_from(data: dict | None) -> dict | None:
    if data is None:
        return None
    return {**data, "rows": [(label, cells) for label, cells in data["rows"]]}


def report_to_json(report: ShownReport) -> dict:
    """The whole shown report (tables and analyses) as JSON-ready data; report_from_json
    gives back an equal ShownReport."""
    return {
        "format": STORED_FORMAT,
        "period": _period_json(report.period),
        "comparison_period": _period_json(report.comparison_period),
        "service_names": list(report.service_names),
        "suppress_below": report.suppress_below,
        "tables": [
            {
                "key": table.key,
                "section": table.section,
                "question": table.question,
                "universe": table.universe,
                "note": table.note,
                "current": asdict(table.current),
                "comparison": None if table.comparison is None else asdict(table.comparison),
            }
            for table in report.tables
        ],
        "service_of_100": asdict(report.service_of_100),
        "safety_in_numbers": report.safety_in_numbers,
        "sin_intake_review": report.sin_intake_review,
        "sin_follow_up": report.sin_follow_up,
        "marac": [[label, cell] for label, cell in report.marac],
    }


def report_from_json(data: dict) -> ShownReport:
    if data.get("format") != STORED_FORMAT:
        raise ValueError("A stored Insights report of another format.")
    per_hundred = data["service_of_100"]
    return ShownReport(
        period=_period_from(data["period"]),
        comparison_period=_period_from(data["comparison_period"]),
        service_names=list(data["service_names"]),
        suppress_below=data["suppress_below"],
        tables=[
            ShownTable(
                key=table["key"],
                section=table["section"],
                question=table["question"],
                universe=table["universe"],
                note=table["note"],
                current=_figures_from(table["current"]),
                comparison=_figures_from(table["comparison"]),
            )
            for table in data["tables"]
        ],
        service_of_100=PerHundredPage(
            sections=[(heading, list(lines)) for heading, lines in per_hundred["sections"]],
            note=per_hundred["note"],
        ),
        safety_in_numbers=[_cross_from(cross) for cross in data["safety_in_numbers"]],
        sin_intake_review=[_cross_from(cross) for cross in data["sin_intake_review"]],
        sin_follow_up=_cross_from(data["sin_follow_up"]),
        marac=[(label, cell) for label, cell in data["marac"]],
    )
