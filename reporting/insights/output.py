"""Tables as JSON, CSV and XLSX, with small-number suppression for anything shared outside the
service. JSON keys are stable and documented in reporting/README.md."""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font

from .engine import Figures, TableResult

SUPPRESSED = "<5"
DEFAULT_SUPPRESSION_THRESHOLD = 5


def suppressed_text(suppress_below: int) -> str:
    return f"<{suppress_below}"


def hidden_counts(
    counts: Sequence[int | None], suppress_below: int | None, *, base: int | None = None
) -> list[bool]:
    """Which counts of one column (a table's rows for one period, a chart's bars, a list of
    figures read together) are hidden. Every output of Insights and of the impact report asks
    this, so they all hide the same cells.

    1. Primary: a count from 1 to the threshold less one.
    2. Secondary: when any count is hidden, so is every zero beside it; otherwise the zeros
       would say which row the hidden few are in (n = 1 and every other row 0 names the
       category of that one client).
    3. When the column's base (its n) is itself hidden, every count is.
    """
    if not suppress_below:
        return [False] * len(counts)
    if base is not None and 0 < base < suppress_below:
        return [count is not None for count in counts]
    primary = [count is not None and 0 < count < suppress_below for count in counts]
    if not any(primary):
        return primary
    return [hidden or count == 0 for hidden, count in zip(primary, counts, strict=True)]


def shown(count, suppress_below: int | None, *, hidden: bool | None = None):
    """A count as it may be shown: "<5" when hidden (by default, when from 1 to 4)."""
    if count is None:
        return None
    if hidden is None:
        hidden = hidden_counts([count], suppress_below)[0]
    return suppressed_text(suppress_below) if hidden else count


def percent(count: int, n: int, suppress_below: int | None, *, hidden: bool | None = None):
    if not n or count is None:
        return None
    if hidden is None:
        hidden = hidden_counts([count], suppress_below)[0]
    return None if hidden else round(100.0 * count / n, 1)


@dataclass(frozen=True)
class ShownFigures:
    """One table's figures for one period as they may be shown: n, each row's count and
    percentage (in the order of the rows), and the statistics (left out when n is hidden: the
    average of fewer than five cases describes them)."""

    labels: list[str]
    hidden: list[bool]
    n: int | str | None
    counts: list[int | str | None]
    percents: list[float | None]
    statistics: dict[str, float | None]

    @classmethod
    def of(cls, figures: Figures, suppress_below: int | None) -> "ShownFigures":
        rows = figures.rows
        if suppress_below and 0 < (figures.universe_n or 0) < suppress_below:
            # A universe of a few people: a follow-on table's n of 0 ("If yes, what type?")
            # or a row of 0 tells what those few answered elsewhere, so nothing is shown.
            n_hidden, hidden = True, [row.count is not None for row in rows]
        else:
            n_hidden = hidden_counts([figures.n], suppress_below)[0]
            hidden = hidden_counts([row.count for row in rows], suppress_below, base=figures.n)
        pairs = list(zip(rows, hidden, strict=True))
        return cls(
            labels=[row.label for row in rows],
            hidden=hidden,
            n=shown(figures.n, suppress_below, hidden=n_hidden),
            counts=[shown(row.count, suppress_below, hidden=flag) for row, flag in pairs],
            percents=[
                percent(row.count, figures.n, suppress_below, hidden=flag) for row, flag in pairs
            ],
            statistics={
                name: None if n_hidden else value for name, value in figures.statistics.items()
            },
        )

    def row(self, label: str) -> tuple[int | str | None, float | None] | None:
        """The (count, percent) of the first row of this label, as Figures.row finds it."""
        if label not in self.labels:
            return None
        index = self.labels.index(label)
        return self.counts[index], self.percents[index]


def shown_cells(cells, suppress_below: int | None) -> list[dict]:
    """Cells (a count of an n) read together as one column, such as a Safety in Numbers group
    or the MARAC measures, as they may be shown: hidden as hidden_counts says, with their n
    and percentage."""
    bases = {cell.n for cell in cells if cell.n}
    base = next(iter(bases)) if len(bases) == 1 else None
    hidden = hidden_counts([cell.count for cell in cells], suppress_below, base=base)
    shown_cells = []
    for cell, flag in zip(cells, hidden, strict=True):
        n_hidden = hidden_counts([cell.n], suppress_below)[0]
        shown_cells.append(
            {
                "count": shown(cell.count, suppress_below, hidden=flag),
                "n": shown(cell.n, suppress_below, hidden=n_hidden),
                "percent": None if (flag or n_hidden) else cell.percent,
            }
        )
    return shown_cells


def shown_cross_table(cross, suppress_below: int | None) -> dict:
    """A cross table (analyses.CrossTable) as it may be shown: each column is one column."""
    columns = [
        shown_cells([cells[index] for _, cells in cross.rows], suppress_below)
        for index in range(len(cross.columns))
    ]
    return {
        "title": cross.title,
        "columns": cross.columns,
        "note": cross.note,
        "rows": [
            (label, [column[row] for column in columns])
            for row, (label, _) in enumerate(cross.rows)
        ],
    }


def _figures_json(figures: Figures | None, suppress_below):
    if figures is None:
        return None
    view = ShownFigures.of(figures, suppress_below)
    return {
        "n": view.n,
        "rows": [
            {
                "label": row.label,
                "kind": row.kind,
                "count": count,
                "percent": share,
            }
            for row, count, share in zip(figures.rows, view.counts, view.percents, strict=True)
        ],
        "statistics": {
            name: None if value is None else round(value, 2)
            for name, value in view.statistics.items()
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
    current = ShownFigures.of(result.current, suppress_below)
    comparison = ShownFigures.of(result.comparison, suppress_below) if result.comparison else None
    for row, count, share in zip(
        result.current.rows, current.counts, current.percents, strict=True
    ):
        other = comparison.row(row.label) if comparison else None
        yield [
            result.key,
            result.section,
            result.question,
            row.label,
            row.kind,
            count,
            share,
            current.n,
            other[0] if other else "",
            other[1] if other else "",
            comparison.n if comparison else "",
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
            current.n,
            "" if other is None else round(other, 2),
            "",
            comparison.n if comparison else "",
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
                ShownFigures.of(result.current, suppress_below).n,
                None,
                ShownFigures.of(result.comparison, suppress_below).n if result.comparison else None,
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
    current = ShownFigures.of(result.current, suppress_below)
    comparison = ShownFigures.of(result.comparison, suppress_below) if result.comparison else None
    rows = []
    for row, count, share in zip(
        result.current.rows, current.counts, current.percents, strict=True
    ):
        other = comparison.row(row.label) if comparison else None
        rows.append(
            {
                "label": row.label,
                "kind": row.kind,
                "count": count,
                "percent": share,
                "comparison_count": other[0] if other else None,
                "comparison_percent": other[1] if other else None,
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
        "n": current.n,
        "comparison_n": comparison.n if comparison else None,
        "rows": rows,
        "statistics": statistics,
    }
