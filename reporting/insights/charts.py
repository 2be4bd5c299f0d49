"""A few charts as server-side SVG (no JavaScript; the same markup prints and goes into PDFs)."""

from html import escape

from django.utils.safestring import mark_safe

from .engine import Figures
from .output import ShownFigures, shown

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


def bar_chart(
    title: str,
    current: Figures,
    comparison: Figures | None = None,
    suppress_below: int | None = None,
) -> str:
    """Horizontal bars of each option's share of n, with the comparison period's beside it.
    Every bar carries its figure as text, so colour is never the only signal. A suppressed
    count gets no bar (its length would give the count away) and the text "<5"."""
    previous = {row.label: row.count for row in comparison.rows} if comparison else {}
    # Hidden as the table beside the chart hides them (zeros beside a hidden count included).
    hidden_now = _hidden_labels(current, suppress_below)
    hidden_before = _hidden_labels(comparison, suppress_below) if comparison else set()
    # Options nobody chose in either period are in the table, not the chart; unless hidden,
    # since leaving the zeros out would say which option the hidden few chose.
    rows = [
        row
        for row in current.rows
        if row.kind in ("option", "dont_know", "missing")
        and (
            row.count
            or previous.get(row.label)
            or row.label in hidden_now
            or row.label in hidden_before
        )
    ]
    per_row = BAR_HEIGHT * (2 if comparison else 1) + GAP
    height = per_row * len(rows) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-labelledby="chart-title-{id(current)}">',
        f'<title id="chart-title-{id(current)}">{escape(title)}</title>',
    ]
    for index, row in enumerate(rows):
        y = GAP + index * per_row
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT - 5}" text-anchor="end" '
            f'font-size="12" fill="#212529">{escape(_short(row.label))}</text>'
        )
        parts.append(
            _bar(y, row.count, current.n, CURRENT_FILL, suppress_below, row.label in hidden_now)
        )
        if comparison:
            parts.append(
                _bar(
                    y + BAR_HEIGHT,
                    previous.get(row.label, 0),
                    comparison.n,
                    COMPARISON_FILL,
                    suppress_below,
                    row.label in hidden_before,
                )
            )
    parts.append("</svg>")
    return "".join(parts)


def _hidden_labels(figures: Figures, suppress_below: int | None) -> set[str]:
    view = ShownFigures.of(figures, suppress_below)
    return {label for label, hidden in zip(view.labels, view.hidden, strict=True) if hidden}


def _bar(y: int, count: int, n: int, fill: str, suppress_below: int | None, hidden: bool) -> str:
    share = count / n if n else 0
    length = max(round(BAR_WIDTH * share), 1 if count else 0)
    text = f"{100 * share:.0f}% ({count})" if n else "no data"
    if hidden:
        length, text = 0, shown(count, suppress_below, hidden=True)
    return (
        f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{length}" height="{BAR_HEIGHT - 4}" '
        f'fill="{fill}"/>'
        f'<text x="{LABEL_WIDTH + length + 4}" y="{y + BAR_HEIGHT - 5}" font-size="11" '
        f'fill="#212529">{text}</text>'
    )


def _short(label: str, limit: int = 38) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def for_report(report, suppress_below: int | None = None) -> dict[str, str]:
    charts = {}
    for table in report.tables:
        if table.key in CHARTED_TABLES:
            charts[table.key] = mark_safe(  # noqa: S308 - every text in it is escaped above
                bar_chart(table.question, table.current, table.comparison, suppress_below)
            )
    return charts
