"""The Insights tables as JSON, CSV, XLSX and the page's rows, formatted from the report as it
may be shown (reporting.insights.shown: small numbers are suppressed there, not here). JSON
keys are stable and documented in reporting/README.md."""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from .shown import ShownReport, ShownTable
from .suppression import ShownFigures


def rounded(value, places: int):
    """A statistic as shown: a number rounded, a hidden count ("<5") as it is."""
    return value if value is None or isinstance(value, str) else round(value, places)


def _n(result: ShownTable, view: ShownFigures | None):
    """The n shown for a table's figures: none for a table of counts alone."""
    return None if view is None or result.counts_only else view.n


def _figures_json(result: ShownTable, view: ShownFigures | None):
    if view is None:
        return None
    return {
        "n": _n(result, view),
        "rows": [
            {"label": label, "kind": kind, "count": count, "percent": share}
            for label, kind, count, share in zip(
                view.labels, view.kinds, view.counts, view.percents, strict=True
            )
        ],
        "statistics": {name: rounded(value, 2) for name, value in view.statistics.items()},
    }


def table_json(result: ShownTable) -> dict:
    return {
        "key": result.key,
        "section": result.section,
        "question": result.question,
        "universe": result.universe,
        "note": result.note,
        "current": _figures_json(result, result.current),
        "comparison": _figures_json(result, result.comparison),
    }


def report_json(report: ShownReport) -> dict:
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
        "suppression_threshold": report.suppress_below,
        "tables": [table_json(table) for table in report.tables],
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


def _csv_rows(result: ShownTable):
    current, comparison = result.current, result.comparison
    for label, kind, count, share in zip(
        current.labels, current.kinds, current.counts, current.percents, strict=True
    ):
        other = comparison.row(label) if comparison else None
        yield [
            result.key,
            result.section,
            result.question,
            label,
            kind,
            count,
            share,
            _as_cell(_n(result, current)),
            other[0] if other else "",
            other[1] if other else "",
            _as_cell(_n(result, comparison)),
        ]
    for name, value in current.statistics.items():
        other = comparison.statistics.get(name) if comparison else None
        yield [
            result.key,
            result.section,
            result.question,
            name,
            "statistic",
            "" if value is None else rounded(value, 2),
            "",
            _as_cell(_n(result, current)),
            "" if other is None else rounded(other, 2),
            "",
            _as_cell(_n(result, comparison)),
        ]


def _as_cell(value):
    return "" if value is None else value


def as_csv(results: list[ShownTable]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for result in results:
        writer.writerows(_csv_rows(result))
    return buffer.getvalue().encode("utf-8-sig")  # the BOM lets Excel read it as UTF-8


def as_xlsx(results: list[ShownTable], title="Insights"):
    """One sheet, each table under its question, for managers who rebuild charts themselves."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    bold = Font(bold=True)
    for result in results:
        sheet.append([result.question])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        if result.counts_only:
            # Counts alone, as the page shows the table: no n row, no % columns.
            sheet.append(["", "Count", "Comparison count"])
            columns = (5, 8)
        else:
            sheet.append(["", "Count", "%", "Comparison count", "Comparison %"])
            sheet.append(["n", result.current.n, None, _n(result, result.comparison)])
            columns = (5, 6, 8, 9)
        for row in _csv_rows(result):
            # The CSV's "" (nothing to show) is an empty cell; a 0 stays 0, as in the CSV.
            sheet.append([row[3], *(None if row[index] == "" else row[index] for index in columns)])
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
    "reduced_from_high": "High risk at intake, score fell",
}


def display_table(result: ShownTable) -> dict:
    """One table as the report page shows it: each row's count and % beside the comparison's."""
    current, comparison = result.current, result.comparison
    rows = []
    for label, kind, count, share in zip(
        current.labels, current.kinds, current.counts, current.percents, strict=True
    ):
        other = comparison.row(label) if comparison else None
        rows.append(
            {
                "label": label,
                "kind": kind,
                "count": count,
                "percent": share,
                "comparison_count": other[0] if other else None,
                "comparison_percent": other[1] if other else None,
            }
        )
    statistics = [
        {
            "label": STATISTIC_LABELS.get(name, name),
            "value": rounded(value, 1),
            "comparison": None
            if comparison is None
            else rounded(comparison.statistics.get(name), 1),
        }
        for name, value in current.statistics.items()
    ]
    return {
        "key": result.key,
        "question": result.question,
        "universe": result.universe,
        "note": result.note,
        "n": _n(result, current),
        "comparison_n": _n(result, comparison),
        "counts_only": result.counts_only,
        "rows": rows,
        "statistics": statistics,
    }
