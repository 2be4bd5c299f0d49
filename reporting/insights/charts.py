"""A few charts as server-side SVG (no JavaScript; the same markup prints and goes into PDFs)."""

from html import escape

from django.utils.safestring import mark_safe

from .shown import ShownReport
from .suppression import ShownFigures

# The tables charted on the report page: a chart is a summary, the table beside it the record.
CHARTED_TABLES = (
    "referral_route",
    "dash_ticks_intake",
    "dash_ticks_exit",
    "exit_case_status",
    "client_outcome_feel_safer",
)

BAR_HEIGHT = 18
GAP = 8
LABEL_WIDTH = 230
BAR_WIDTH = 300
CURRENT_FILL = "#1f5f8b"
COMPARISON_FILL = "#9bb7cc"


def bar_chart(title: str, current: ShownFigures, comparison: ShownFigures | None = None) -> str:
    """Horizontal bars of each option's share of n, with the comparison period's beside it.
    Every bar carries its figure as text, so colour is never the only signal. A hidden count
    (as the table beside the chart hides it, zeros beside a hidden count included) gets no bar
    (its length would give the count away), only its text ("<5")."""
    # The comparison's (count, hidden, share) per label. Each bar's share is the row's own
    # percentage, as the table shows it: a Missing row of a table whose n leaves Missing out
    # is a share of every row (n + Missing), not of n.
    before = {}
    if comparison:
        before = {
            label: (count, hidden, share)
            for label, count, hidden, share in zip(
                comparison.labels,
                comparison.counts,
                comparison.hidden,
                _shares(comparison),
                strict=True,
            )
        }
    # Options nobody chose in either period are in the table, not the chart; unless hidden,
    # since leaving the zeros out would say which option the hidden few chose.
    rows = [
        (label, count, hidden, share)
        for label, kind, count, hidden, share in zip(
            current.labels,
            current.kinds,
            current.counts,
            current.hidden,
            _shares(current),
            strict=True,
        )
        if kind in ("option", "dont_know", "missing")
        and (count or hidden or any(before.get(label, (0, False, None))[:2]))
    ]
    per_row = BAR_HEIGHT * (2 if comparison else 1) + GAP
    height = per_row * len(rows) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-labelledby="chart-title-{id(current)}">',
        f'<title id="chart-title-{id(current)}">{escape(title)}</title>',
    ]
    for index, (label, count, hidden, share) in enumerate(rows):
        y = GAP + index * per_row
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT - 5}" text-anchor="end" '
            f'font-size="12" fill="#212529">{escape(_short(label))}</text>'
        )
        parts.append(_bar(y, count, current.n, CURRENT_FILL, hidden, share))
        if comparison:
            previous, previous_hidden, previous_share = before.get(label, (0, False, None))
            parts.append(
                _bar(
                    y + BAR_HEIGHT,
                    previous,
                    comparison.n,
                    COMPARISON_FILL,
                    previous_hidden,
                    previous_share,
                )
            )
    parts.append("</svg>")
    return "".join(parts)


def _shares(figures: ShownFigures) -> list[float | None]:
    """Each row's share (0 to 1) as the table shows it, None where it shows none."""
    return [None if percent is None else percent / 100 for percent in figures.percents]


def _bar(y: int, count, n, fill: str, hidden: bool, share: float | None = None) -> str:
    """One bar: `count` and `n` as shown (a hidden count is its text, "<5"); `share` is the
    row's own share where the table gives it (else count over n)."""
    if hidden:
        length, text = 0, escape(str(count))
    else:
        if share is None:
            share = count / n if n else 0
        length = max(round(BAR_WIDTH * share), 1 if count else 0)
        text = f"{100 * share:.0f}% ({count})" if n else "no data"
    return (
        f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{length}" height="{BAR_HEIGHT - 4}" '
        f'fill="{fill}"/>'
        f'<text x="{LABEL_WIDTH + length + 4}" y="{y + BAR_HEIGHT - 5}" font-size="11" '
        f'fill="#212529">{text}</text>'
    )


def _short(label: str, limit: int = 38) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _draws_a_bar(figures: ShownFigures | None) -> bool:
    """Whether any option of these figures is shown with a count above 0."""
    if figures is None:
        return False
    return any(
        kind in ("option", "dont_know", "missing") and not hidden and count
        for kind, count, hidden in zip(figures.kinds, figures.counts, figures.hidden, strict=True)
    )


def for_report(report: ShownReport) -> dict[str, str]:
    """The charts of the charted tables that have a bar to draw: a table whose counts are all
    hidden or nil in both periods is the table alone, not a chart of "<5" and "no data"."""
    charts = {}
    for table in report.tables:
        if table.key in CHARTED_TABLES and (
            _draws_a_bar(table.current) or _draws_a_bar(table.comparison)
        ):
            charts[table.key] = mark_safe(  # noqa: S308 - every text in it is escaped above
                bar_chart(table.question, table.current, table.comparison)
            )
    return charts
