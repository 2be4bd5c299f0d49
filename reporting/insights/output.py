"""Tables as JSON, CSV and XLSX, with small-number suppression for anything shared outside the
service. JSON keys are stable and documented in reporting/README.md."""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from .engine import Figures, TableResult

SUPPRESSED = "<5"
DEFAULT_SUPPRESSION_THRESHOLD = 5


def shown(count, suppress_below: int | None):
    """A count as it may be shown: below the threshold (but above zero) it becomes "<5"."""
    if count is None:
        return None
    if suppress_below and 0 < count < suppress_below:
        return SUPPRESSED.replace("5", str(suppress_below))
    return count


def percent(count: int, n: int, suppress_below: int | None):
    if not n or count is None:
        return None
    if suppress_below and 0 < count < suppress_below:
        return None
    return round(100.0 * count / n, 1)


def _figures_json(figures: Figures | None, suppress_below):
    if figures is None:
        return None
    return {
        "n": shown(figures.n, suppress_below),
        "rows": [
            {
                "label": row.label,
                "kind": row.kind,
                "count": shown(row.count, suppress_below),
                "percent": percent(row.count, figures.n, suppress_below),
            }
            for row in figures.rows
        ],
        "statistics": {
            name: (None if value is None else round(value, 2))
            for name, value in figures.statistics.items()
        },
    }


def table_json(result: TableResult, suppress_below: int | None = None) -> dict:
    return {
        "key": result.key,
        "section": result.section,
        "question": result.question,
        "universe": result.universe,
        "note": result.note,
        "current": _figures_json(result.current, suppress_below),
        "comparison": _figures_json(result.comparison, suppress_below),
    }


def report_json(report, suppress_below: int | None = None) -> dict:
    return {
        "format": "lantern-insights/1",
        "period": {
            "start": report.period.start.isoformat(),
            "end": report.period.end.isoformat(),
            "label": report.period.label,
        },
        "comparison_period": None
        if report.comparison_period is None
        else {
            "start": report.comparison_period.start.isoformat(),
            "end": report.comparison_period.end.isoformat(),
            "label": report.comparison_period.label,
        },
        "services": list(report.service_names),
        "suppression_threshold": suppress_below,
        "tables": [table_json(table, suppress_below) for table in report.tables],
    }


CSV_HEADER = [
    "table",
    "section",
    "question",
    "row",
    "kind",
    "count",
    "percent",
    "n",
    "comparison_count",
    "comparison_percent",
    "comparison_n",
]


def _csv_rows(result: TableResult, suppress_below):
    current = result.current
    comparison = result.comparison
    for row in current.rows:
        other = comparison.row(row.label) if comparison else None
        yield [
            result.key,
            result.section,
            result.question,
            row.label,
            row.kind,
            shown(row.count, suppress_below),
            percent(row.count, current.n, suppress_below),
            shown(current.n, suppress_below),
            shown(other.count, suppress_below) if other else "",
            percent(other.count, comparison.n, suppress_below) if other else "",
            shown(comparison.n, suppress_below) if comparison else "",
        ]
    for name, value in current.statistics.items():
        other = comparison.statistics.get(name) if comparison else None
        yield [
            result.key,
            result.section,
            result.question,
            name,
            "statistic",
            "" if value is None else round(value, 2),
            "",
            shown(current.n, suppress_below),
            "" if other is None else round(other, 2),
            "",
            shown(comparison.n, suppress_below) if comparison else "",
        ]


def as_csv(results: list[TableResult], suppress_below: int | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for result in results:
        writer.writerows(_csv_rows(result, suppress_below))
    return buffer.getvalue().encode("utf-8-sig")  # the BOM lets Excel read it as UTF-8


def as_xlsx(results: list[TableResult], suppress_below: int | None = None, title="Insights"):
    """One sheet, each table under its question, for managers who rebuild charts themselves."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    bold = Font(bold=True)
    for result in results:
        sheet.append([result.question])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        sheet.append(["", "Count", "%", "Comparison count", "Comparison %"])
        sheet.append(
            [
                "n",
                shown(result.current.n, suppress_below),
                None,
                shown(result.comparison.n, suppress_below) if result.comparison else None,
            ]
        )
        for row in _csv_rows(result, suppress_below):
            sheet.append([row[3], row[5], row[6], row[8] or None, row[9] or None])
        sheet.append([])
    sheet.column_dimensions["A"].width = 60
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


STATISTIC_LABELS = {
    "mean": "Average",
    "average": "Average",
    "median": "Median",
    "median_weeks": "Median (weeks)",
    "reduced": "Cases whose score fell",
}


def display_table(result: TableResult, suppress_below: int | None = None) -> dict:
    """One table as the report page shows it: each row's count and % beside the comparison's."""
    current, comparison = result.current, result.comparison
    rows = []
    for row in current.rows:
        other = comparison.row(row.label) if comparison else None
        rows.append(
            {
                "label": row.label,
                "kind": row.kind,
                "count": shown(row.count, suppress_below),
                "percent": percent(row.count, current.n, suppress_below),
                "comparison_count": shown(other.count, suppress_below) if other else None,
                "comparison_percent": (
                    percent(other.count, comparison.n, suppress_below) if other else None
                ),
            }
        )
    statistics = [
        {
            "label": STATISTIC_LABELS.get(name, name),
            "value": None if value is None else round(value, 1),
            "comparison": (
                None
                if comparison is None or comparison.statistics.get(name) is None
                else round(comparison.statistics[name], 1)
            ),
        }
        for name, value in current.statistics.items()
    ]
    return {
        "key": result.key,
        "question": result.question,
        "universe": result.universe,
        "note": result.note,
        "n": shown(current.n, suppress_below),
        "comparison_n": shown(comparison.n, suppress_below) if comparison else None,
        "rows": rows,
        "statistics": statistics,
    }
