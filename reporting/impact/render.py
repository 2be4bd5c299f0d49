"""The report as a PDF (HTML and print CSS through WeasyPrint; called by the worker only) and as
an XLSX of the same figures. Both take the stored figures through present(), so they agree."""

import io
import logging
import re

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from ..insights.suppression import SUPPRESSION_THRESHOLD
from .present import present

STATIC_DIR = settings.BASE_DIR / "static"
# WeasyPrint logs every layout step at INFO: the worker's log needs only its warnings.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def suppression_threshold(report, content: dict | None = None) -> int | None:
    """The threshold the report's figures are printed with: the one stored with them when they
    were built (so that a finished report's XLSX always matches its PDF), else the report's."""
    if content is not None and "suppress_below" in content:
        return content["suppress_below"]
    return SUPPRESSION_THRESHOLD if report.suppress_small_numbers else None


def _paragraphs(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"\n\s*\n", text or "") if part.strip()]


def report_html(report, content: dict) -> str:
    """The printable HTML. Case studies appear only when consent is recorded."""
    shown = present(content, suppression_threshold(report, content))
    stories = [
        {"pseudonym": study.pseudonym, "title": study.title, "paragraphs": _paragraphs(study.story)}
        for study in report.case_studies.filter(consent_recorded_on__isnull=False).order_by(
            "position"
        )
    ]
    return render_to_string(
        "reporting/impact/pdf.html",
        {
            "content": shown,
            "introduction": _paragraphs(report.introduction),
            "case_studies": stories,
            "built_on": timezone.localdate(),
            **_period_texts(report, content),
        },
    )


def _period_texts(report, content) -> dict:
    """A quarter or a year is named, with its dates beside it; other periods are their dates."""
    dates = f"{report.period_start:%-d %B %Y} to {report.period_end:%-d %B %Y}"
    label = content["period"]["label"]
    if label[:1].isdigit() and " to " in label:
        return {"period_heading": dates, "period_dates": ""}
    return {"period_heading": label, "period_dates": dates}


def render_pdf(report, content: dict) -> tuple[bytes, int]:
    """(PDF bytes, page count). Tagged (PDF/UA) so screen readers can follow it."""
    from weasyprint import HTML  # imported here: only workers render, and it loads Pango

    document = HTML(string=report_html(report, content), base_url=str(STATIC_DIR)).render(
        pdf_variant="pdf/ua-1"
    )
    return document.write_pdf(pdf_variant="pdf/ua-1"), len(document.pages)


def render_xlsx(report, content: dict) -> bytes:
    """One sheet per section; every table with its count, base and percentage, suppressed as
    in the PDF."""
    shown = present(content, suppression_threshold(report, content))
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    heading_fill = PatternFill("solid", fgColor="E8F0EF")
    summary = workbook.create_sheet("Summary")
    summary.append([content["title"]])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(
        ["Period", shown["period"]["label"], shown["period"]["start"], shown["period"]["end"]]
    )
    summary.append(["Services", ", ".join(shown["services"])])
    if shown["suppress_below"]:
        summary.append(
            [
                "Suppression",
                f"counts under {shown['suppress_below']} shown as <{shown['suppress_below']}",
            ]
        )
    for part in shown.get("too_small", []):
        summary.append(["Too few cases to show", part["heading"], "; ".join(part["titles"])])
    for offer in shown.get("longer_periods", []):
        summary.append(
            [
                "A longer period to ask for",
                offer["name"],
                offer["period"].start.isoformat(),
                offer["period"].end.isoformat(),
            ]
        )
    summary.append([])
    for entry in shown["headline"]:
        summary.append([entry["label"], _number(entry["count_text"]), entry["percent_text"]])
    for section in shown["sections"]:
        sheet = workbook.create_sheet(section["heading"][:31].replace(":", ""))
        sheet.column_dimensions["A"].width = 60
        for block in section["blocks"]:
            sheet.append([block.get("title", "")])
            sheet.cell(sheet.max_row, 1).font = bold
            _block_rows(sheet, block, bold, heading_fill)
            sheet.append([])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _number(text):
    """A count as a number the sheet can add up ("1,023" as 1023, "0" as 0); anything else
    ("<5", a percentage, an empty cell) as it is printed."""
    if isinstance(text, str) and re.fullmatch(r"\d{1,3}(,\d{3})*", text):
        return int(text.replace(",", ""))
    return text


def _header(sheet, labels, bold, fill):
    sheet.append(labels)
    for cell in sheet[sheet.max_row]:
        cell.font = bold
        cell.fill = fill


def _block_rows(sheet, block, bold, fill):
    kind = block["kind"]
    if kind == "table":
        _header(sheet, ["Answer", "Count", "%", "n"], bold, fill)
        for row in block["rows"]:
            sheet.append(
                [
                    row["label"],
                    _number(row["count_text"]),
                    row["percent_text"],
                    _number(block["n_text"]),
                ]
            )
    elif kind in ("figures", "funnel"):
        _header(sheet, ["Measure", "Count", "Of", "%"], bold, fill)
        for entry in block.get("items") or block.get("steps"):
            sheet.append(
                [
                    entry["label"],
                    _number(entry["count_text"]),
                    _number(entry["of_text"]),
                    entry["percent_text"],
                ]
            )
    elif kind == "four_p":
        _header(sheet, ["Measure", "Count", "Of", "%"], bold, fill)
        for group, entries in (("Output", block["outputs"]), ("Outcome", block["outcomes"])):
            for entry in entries:
                sheet.append(
                    [
                        f"{group}: {entry['label']}",
                        _number(entry["count_text"]),
                        _number(entry["of_text"]),
                        entry["percent_text"],
                    ]
                )
    elif kind == "value":
        sheet.append([block["method"]])
        _header(
            sheet,
            [
                "Unit cost",
                "Cost",
                "Unit",
                "Price year",
                "Counted for each",
                "Clients",
                "Units each",
                "Costs",
                "Source",
            ],
            bold,
            fill,
        )
        for row in block["rows"]:
            sheet.append(
                [
                    row["label"],
                    row["unit_cost_text"],
                    row["unit"],
                    row["price_year_text"],
                    row["measure"],
                    row["clients_text"],
                    row["quantity_text"],
                    row["total_text"],
                    row["source"],
                ]
            )
        sheet.append(["Before attribution", "", "", "", "", "", "", block["gross_text"]])
        sheet.append(
            [
                f"Attributed to the service ({block['attribution_percent']}%)",
                "",
                "",
                "",
                "",
                "",
                "",
                block["total_text"],
            ]
        )
        sheet.cell(sheet.max_row, 1).font = bold
        if block.get("ratio"):
            sheet.append([f'Beside it: "{block["ratio"]["quote"]}"', block["ratio"]["source"]])
