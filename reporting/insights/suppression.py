"""Small-number suppression, for anything shared outside the service: the one place that says
which counts are hidden. The Insights report (reporting.insights.shown) and the impact report
(reporting.impact.present) apply it; their renderers only format what it leaves."""

from collections.abc import Sequence
from dataclasses import dataclass

from .results import Figures

# Counts from 1 to this less one are hidden: a count of five or more names nobody.
SUPPRESSION_THRESHOLD = 5


def suppressed_text(suppress_below: int) -> str:
    return f"<{suppress_below}"


# Rows that together are a table's n when it is one answer per row; groups and members are
# made of them.
PARTITION_KINDS = ("option", "dont_know", "missing", "errors")

# A sum a reader may subtract from: (the index of its total among the counts, or None for the
# column's base, which is shown) and the indices of the counts that add up to it.
Sum = tuple[int | None, tuple[int, ...]]


def hidden_counts(
    counts: Sequence[int | None],
    suppress_below: int | None,
    *,
    base: int | None = None,
    sums: Sequence[Sum] = (),
) -> list[bool]:
    """Which counts of one column (a table's rows for one period, a chart's bars, a list of
    figures read together) are hidden. Every output of Insights and of the impact report asks
    this, so they all hide the same cells.

    1. Primary: a count from 1 to the threshold less one.
    2. Secondary: when any count is hidden, so is every zero beside it; otherwise the zeros
       would say which row the hidden few are in (n = 1 and every other row 0 names the
       category of that one client).
    3. When the column's base (its n) is itself hidden, every count is.
    4. Complementary: where counts add up to a shown total (`sums`: the rows of a one-answer
       table to its n, a group's members to the group), one hidden count among them could be
       worked out by subtraction, so the smallest count shown beside it is hidden too (or the
       total, when nothing else is left), until no sum has exactly one hidden count, or
       several that add up to 0 (each of them would then be known to be 0).
    """
    if not suppress_below:
        return [False] * len(counts)
    if base is not None and 0 < base < suppress_below:
        return [count is not None for count in counts]
    primary = [count is not None and 0 < count < suppress_below for count in counts]
    if not any(primary):
        return primary
    hidden = [flag or count == 0 for flag, count in zip(primary, counts, strict=True)]
    return _complementary(counts, hidden, sums)


def _complementary(counts, hidden: list[bool], sums: Sequence[Sum]) -> list[bool]:
    changed = True
    while changed:
        changed = False
        for total, members in sums:
            cells = [*members] if total is None else [*members, total]
            hidden_cells = [index for index in cells if hidden[index]]
            # One hidden count is the total less the others; several that add up to 0 are
            # each 0 (counts are never negative), and those zeros would say where the few are.
            if not hidden_cells or (
                len(hidden_cells) > 1 and any(counts[index] for index in hidden_cells)
            ):
                continue
            shown_members = [
                index for index in members if not hidden[index] and counts[index] is not None
            ]
            if shown_members:
                hidden[min(shown_members, key=lambda index: (counts[index], index))] = True
            elif total is not None and not hidden[total]:
                hidden[total] = True
            else:
                # Nothing left to hide in this sum (its total too): hiding again would loop.
                continue
            changed = True
    return hidden


def shared_base_sums(counts: Sequence[int | None], bases: Sequence[int | None]) -> list[Sum]:
    """Figures listed together, each a count of a base (e.g. what happened to each referral,
    of the referrals received): those of one base that add up to it are a sum a reader may
    subtract from, as the base is printed beside them."""
    by_base: dict[int, list[int]] = {}
    for index, (count, base) in enumerate(zip(counts, bases, strict=True)):
        if base and count is not None:
            by_base.setdefault(base, []).append(index)
    return [
        (None, tuple(indices))
        for base, indices in by_base.items()
        if len(indices) > 1 and sum(counts[index] for index in indices) == base
    ]


def table_sums(rows, n: int | None, groups=()) -> list[Sum]:
    """The sums a reader of one table's column may subtract from: its one-answer rows (options,
    Don't know, Missing, Errors) when they add up to n; each group (label, member labels) and
    its members; and n as the group plus the other one-answer rows."""
    partition = tuple(index for index, row in enumerate(rows) if row.kind in PARTITION_KINDS)
    adds_up = bool(partition) and sum(rows[index].count or 0 for index in partition) == n
    sums: list[Sum] = [(None, partition)] if adds_up else []
    index_of = {row.label: index for index, row in enumerate(rows) if row.kind != "group"}
    for label, member_labels in groups:
        total = next(
            (index for index, row in enumerate(rows) if row.kind == "group" and row.label == label),
            None,
        )
        members = tuple(index_of[name] for name in member_labels if name in index_of)
        if total is None or not members:
            continue
        sums.append((total, members))
        if adds_up and set(members) <= set(partition):
            sums.append((None, (total, *(i for i in partition if i not in members))))
    return sums


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
    """One table's figures for one period as they may be shown: n, each row's label, kind,
    count and percentage (in the order of the rows), and the statistics (left out when n is
    hidden: the average of fewer than five cases describes them)."""

    labels: list[str]
    kinds: list[str]
    hidden: list[bool]
    n: int | str | None
    counts: list[int | str | None]
    percents: list[float | None]
    statistics: dict[str, float | str | None]

    @classmethod
    def of(cls, figures: Figures, suppress_below: int | None, groups=()) -> "ShownFigures":
        """`groups`: the table's groups (catalogue), (label, member labels), whose totals a
        reader could subtract from."""
        rows = figures.rows
        if suppress_below and 0 < (figures.universe_n or 0) < suppress_below:
            # A universe of a few people: a follow-on table's n of 0 ("If yes, what type?")
            # or a row of 0 tells what those few answered elsewhere, so nothing is shown.
            n_hidden, hidden = True, [row.count is not None for row in rows]
        else:
            n_hidden = hidden_counts([figures.n], suppress_below)[0]
            hidden = hidden_counts(
                [row.count for row in rows],
                suppress_below,
                base=figures.n,
                sums=[] if n_hidden else table_sums(rows, figures.n, groups),
            )
        pairs = list(zip(rows, hidden, strict=True))
        return cls(
            labels=[row.label for row in rows],
            kinds=[row.kind for row in rows],
            hidden=hidden,
            n=shown(figures.n, suppress_below, hidden=n_hidden),
            counts=[shown(row.count, suppress_below, hidden=flag) for row, flag in pairs],
            percents=[
                percent(
                    row.count,
                    figures.n if row.base is None else row.base,
                    suppress_below,
                    hidden=flag,
                )
                for row, flag in pairs
            ],
            statistics=_shown_statistics(figures, suppress_below, n_hidden=n_hidden),
        )

    def row(self, label: str) -> tuple[int | str | None, float | None] | None:
        """The (count, percent) of the first row of this label, as Figures.row finds it."""
        if label not in self.labels:
            return None
        index = self.labels.index(label)
        return self.counts[index], self.percents[index]


def _shown_statistics(figures: Figures, suppress_below: int | None, *, n_hidden: bool) -> dict:
    """A table's statistics as they may be shown: none when n is hidden (the average of fewer
    than five cases describes them); the counts of people among them (the cases whose Dash
    score fell, say) hidden as the rows' counts are, read together as one column."""
    if n_hidden:
        return dict.fromkeys(figures.statistics)
    counted = [name for name in figures.statistics if name in figures.counted_statistics]
    hidden = dict(
        zip(
            counted,
            hidden_counts([figures.statistics[name] for name in counted], suppress_below),
            strict=True,
        )
    )
    return {
        name: shown(value, suppress_below, hidden=hidden[name]) if name in hidden else value
        for name, value in figures.statistics.items()
    }


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
