"""Report content as it is shown: counts suppressed below the threshold ("<5"), percentages,
money, and charts as server-side SVG (no JavaScript; they print and go into the PDF). Both the
PDF and the XLSX are made from `present()`, so they suppress the same way."""

import datetime
from html import escape

from django.utils.safestring import mark_safe

from ..insights.results import Figures, Row
from ..insights.suppression import (
    ShownFigures,
    hidden_counts,
    percent,
    shared_base_sums,
    shown,
    suppressed_text,
)
from ..periods import Period, rolling_twelve_months, year_to_date

SHOWN_ROW_KINDS = ("option", "group", "dont_know", "missing", "errors")
CHARTED_ROW_KINDS = ("option", "dont_know")
INK = "#24323f"
BAR = "#2c6e6a"
BAR_LIGHT = "#a7cdca"
MUTED = "#6b7780"
NOT_SHOWN = "\u2013"  # an en dash: no figure


def count_text(count, suppress_below, hidden: bool | None = None) -> str:
    value = shown(count, suppress_below, hidden=hidden)
    if value is None:
        return NOT_SHOWN
    return value if isinstance(value, str) else f"{value:,}"


def percent_text(count, of, suppress_below, hidden: bool | None = None) -> str:
    if of is None:
        return ""
    value = percent(count, of, suppress_below, hidden=hidden)
    return "" if value is None else f"{value:.0f}%"


def money(pence: int) -> str:
    return f"£{pence / 100:,.0f}" if pence >= 10000 else f"£{pence / 100:,.2f}"


def _present_items(entries, suppress_below) -> list[dict]:
    """Figures read together (a list, a funnel's steps): hidden as one column, so a zero
    beside a hidden count is hidden too, and so is the next smallest where the counts of one
    base add up to it (insights.suppression.hidden_counts, shared_base_sums)."""
    counts = [entry["count"] for entry in entries]
    sums = shared_base_sums(counts, [entry.get("of") for entry in entries])
    hidden = hidden_counts(counts, suppress_below, sums=sums)
    return [
        _present_item(entry, suppress_below, flag)
        for entry, flag in zip(entries, hidden, strict=True)
    ]


def _present_item(entry, suppress_below, hidden: bool | None = None):
    note = entry.get("note", "")
    if entry.get("note_count") is not None:
        note = f"{count_text(entry['note_count'], suppress_below)} {note}"
    return {
        **entry,
        "note": note,
        "hidden": bool(hidden),
        "count_text": count_text(entry["count"], suppress_below, hidden),
        "percent_text": percent_text(entry["count"], entry.get("of"), suppress_below, hidden),
        "of_text": "" if entry.get("of") is None else count_text(entry["of"], suppress_below),
    }


def bar_chart(title: str, bars: list[tuple[str, int, int | None, bool]], suppress_below) -> str:
    """Horizontal bars: (label, count, of, hidden). A hidden count gets no bar, only "<5", so
    the chart never shows what the table hides; every bar carries its figure as text."""
    label_width, bar_width, row_height = 250, 300, 22
    height = row_height * len(bars) + 8
    peak = max((count for _, count, _, hidden in bars if not hidden), default=0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {label_width + bar_width + 90} {height}" class="chart">'
        f"<title>{escape(title)}</title>"
    ]
    for index, (label, count, of, hidden) in enumerate(bars):
        y = 4 + index * row_height
        short = label if len(label) <= 40 else label[:39] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" font-size="11" '
            f'fill="{INK}">{escape(short)}</text>'
        )
        if hidden:
            text = suppressed_text(suppress_below)
            length = 0
        else:
            length = round(bar_width * count / peak) if peak else 0
            share = percent_text(count, of, suppress_below)
            text = f"{count:,}" + (f" ({share})" if share else "")
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{bar_width}" height="16" '
            f'fill="#eef3f3"/>'
            f'<rect x="{label_width}" y="{y + 3}" width="{length}" height="16" fill="{BAR}"/>'
            f'<text x="{label_width + length + 6}" y="{y + 15}" font-size="11" '
            f'fill="{INK}">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def funnel_chart(title: str, steps: list[dict], suppress_below) -> str:
    """The client journey as a funnel: one centred bar per step, narrowing with the counts."""
    width, row_height = 620, 46
    top = max((step["count"] or 0 for step in steps), default=0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} '
        f'{row_height * len(steps) + 6}" class="chart funnel"><title>{escape(title)}</title>'
    ]
    # The steps as presented (_present_items): the chart hides what the table beside it hides.
    hidden_steps = [step["hidden"] for step in steps]
    for index, (step, hidden) in enumerate(zip(steps, hidden_steps, strict=True)):
        count = step["count"] or 0
        share = 0 if hidden or not top else count / top
        # Never narrower than its own label, so a small step stays readable.
        bar = max(round((width - 20) * share), 300)
        x = (width - bar) / 2
        y = 4 + index * row_height
        fill = BAR if index % 2 == 0 else "#3f8a85"
        text = f"{step['label']}: {count_text(count, suppress_below, hidden)}"
        parts.append(
            f'<rect x="{x:.0f}" y="{y}" width="{bar}" height="38" rx="4" fill="{fill}"/>'
            f'<text x="{width / 2:.0f}" y="{y + 24}" text-anchor="middle" font-size="13" '
            f'font-weight="bold" fill="#ffffff">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def _present_block(block, suppress_below):
    kind = block["kind"]
    if kind == "table":
        # Hidden as the Insights table it comes from (the same rule, in one place).
        view = ShownFigures.of(
            Figures(
                block["n"], [Row(row["label"], row["count"], row["kind"]) for row in block["rows"]]
            ),
            suppress_below,
        )
        n_hidden, hidden = isinstance(view.n, str), view.hidden
        any_hidden = any(hidden)
        rows = [
            {
                **row,
                "hidden": flag,
                "count_text": count_text(row["count"], suppress_below, flag),
                "percent_text": percent_text(row["count"], block["n"], suppress_below, flag),
            }
            for row, flag in zip(block["rows"], hidden, strict=True)
            if row["kind"] in SHOWN_ROW_KINDS and (row["count"] or row["kind"] == "option" or flag)
        ]
        # Options nobody chose are left out of the printed table to keep it short; not when
        # a count is hidden, since then the zeros left out would say where the few are.
        rows = [row for row in rows if row["count"] or row["kind"] != "option" or any_hidden]
        chart = None
        bars = [
            (row["label"], row["count"], block["n"], row["hidden"])
            for row in rows
            if row["kind"] in CHARTED_ROW_KINDS
        ]
        if block.get("chart") and bars:
            chart = bar_chart(block["title"], bars, suppress_below)
        return {
            **block,
            "rows": rows,
            "n_text": count_text(block["n"], suppress_below, n_hidden),
            "svg": chart,
            # Too small when n is, or when every answer is (a table of nothing but "<5").
            "too_small": _too_small([block["n"]], suppress_below)
            or _too_small([row["count"] for row in block["rows"]], suppress_below),
        }
    if kind == "figures":
        items = _present_items(block["items"], suppress_below)
        chart = None
        if block.get("chart") and items:
            bars = [
                (entry["label"], entry["count"] or 0, entry.get("of"), entry["hidden"])
                for entry in items
            ]
            chart = bar_chart(block["title"], bars, suppress_below)
        too_small = _too_small([entry["count"] for entry in items], suppress_below)
        return {
            **block,
            "items": items,
            "svg": None if too_small else chart,
            "too_small": too_small,
        }
    if kind == "funnel":
        steps = _present_items(block["steps"], suppress_below)
        too_small = _too_small([step["count"] for step in steps], suppress_below)
        return {
            **block,
            "steps": steps,
            "svg": None if too_small else funnel_chart(block["title"], steps, suppress_below),
            "too_small": too_small,
        }
    if kind == "four_p":
        counts = [entry["count"] for entry in (*block["outputs"], *block["outcomes"])]
        return {
            **block,
            "outputs": _present_items(block["outputs"], suppress_below),
            "outcomes": _present_items(block["outcomes"], suppress_below),
            "too_small": _too_small(counts, suppress_below),
        }
    if kind == "value":
        rows = []
        previous_measure = None
        hidden_clients = hidden_counts([row["clients"] for row in block["rows"]], suppress_below)
        for row, hidden in zip(block["rows"], hidden_clients, strict=True):
            rows.append(
                {
                    **row,
                    "unit_cost_text": money(row["pence"]),
                    "clients_text": count_text(row["clients"], suppress_below, hidden),
                    "quantity_text": f"{row['quantity']:g}",
                    "price_year_text": row.get("price_year") or "not stated",
                    # The measure once per run of rows that share it: the table reads as groups.
                    "measure_shown": "" if row["measure"] == previous_measure else row["measure"],
                    # A value would give a suppressed count back (value / unit cost / quantity).
                    "total_text": NOT_SHOWN if hidden else money(row["total_pence"]),
                }
            )
            previous_measure = row["measure"]
        any_hidden = any(hidden_clients)
        # A report built before the attribution share was stored claimed every penny.
        gross = block.get("gross_pence", block["total_pence"])
        return {
            **block,
            "rows": rows,
            "attribution_percent": block.get("attribution_percent", 100),
            # Nor the totals: with the unit costs printed they would give the hidden count back.
            "gross_text": NOT_SHOWN if any_hidden else money(gross),
            "total_text": NOT_SHOWN if any_hidden else money(block["total_pence"]),
            "total_hidden": any_hidden,
            "too_small": False,  # says itself why an estimate is not shown
        }
    raise ValueError(f"Unknown block kind {kind!r}")


def _too_small(counts, suppress_below) -> bool:
    """A block with suppression on and no count it may show (each one zero or under the
    threshold): it is named as too small instead of printed as a table of "<5" and dashes."""
    if not suppress_below:
        return False
    return not any((count or 0) >= suppress_below for count in counts)


def longer_periods(content: dict) -> list[dict]:
    """The longer periods ending when the report's does that make a small service's numbers
    meaningful: the financial year to date and the last twelve months (those longer than the
    report's own period)."""
    if "period" not in content:
        return []
    period = Period(
        datetime.date.fromisoformat(content["period"]["start"]),
        datetime.date.fromisoformat(content["period"]["end"]),
    )
    offers = []
    for name, longer in (
        ("Year to date", year_to_date(period.end)),
        ("Last 12 months", rolling_twelve_months(period.end)),
    ):
        if longer.days > period.days and all(longer != offer["period"] for offer in offers):
            offers.append({"name": name, "period": longer})
    return offers


def present(content: dict, suppress_below: int | None) -> dict:
    sections = []
    too_small = []
    for section in content["sections"]:
        blocks = [_present_block(block, suppress_below) for block in section["blocks"]]
        small = [block.get("title", "") for block in blocks if block.get("too_small")]
        sections.append(
            {**section, "blocks": blocks, "too_small": bool(blocks) and len(small) == len(blocks)}
        )
        if small:
            too_small.append({"heading": section["heading"], "titles": small})
    return {
        **content,
        "suppress_below": suppress_below,
        "headline": _present_items(content["headline"], suppress_below),
        "sections": sections,
        # What is too small to show, by section, and the longer periods that would show it.
        "too_small": too_small,
        "longer_periods": longer_periods(content) if too_small else [],
    }
