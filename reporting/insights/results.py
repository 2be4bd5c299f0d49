"""What a table run gives: each table's figures for one period, and a table's result beside
its comparison period's."""

import datetime
from dataclasses import dataclass, field


@dataclass
class Row:
    label: str
    count: int
    kind: str = "option"  # option | group | member | dont_know | missing | errors
    # The n of this row's percentage when it is not the table's: "Missing" of a table whose
    # n leaves it out (catalogue's missing_outside_n) is a share of every row.
    base: int | None = None

    def percent(self, n: int) -> float | None:
        n = n if self.base is None else self.base
        return None if not n else 100.0 * self.count / n


@dataclass
class Figures:
    """One table's figures for one period."""

    n: int
    rows: list[Row]
    statistics: dict[str, float | None] = field(default_factory=dict)
    # The statistics that count people (a number of cases, not an average): small numbers
    # are hidden in them as in the rows (reporting.insights.suppression).
    counted_statistics: frozenset[str] = frozenset()
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


def number(value) -> float | None:
    """Numbers as floats; durations as days."""
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        return value.total_seconds() / 86400
    return float(value)
