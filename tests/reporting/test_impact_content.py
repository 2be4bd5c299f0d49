"""The impact report's content: figures in the extracted PDF text, suppression, the consent rule
for case studies, nothing identifying, economic value from the unit-cost table, XLSX."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting.impact import content as report_content
from reporting.impact.present import present
from reporting.impact.render import render_pdf, render_xlsx, report_html
from reporting.models import UnitCost
from tests.factories_impact import QUARTER, CaseStudyFactory, ImpactReportFactory, build_quarter

pytestmark = pytest.mark.django_db


def _content(service):
    return report_content.build_content(
        period=QUARTER, service_ids=(service.pk,), title="Quarterly impact report"
    )


def _report(service, **kwargs):
    report = ImpactReportFactory(
        title="Quarterly impact report",
        period_start=QUARTER.start,
        period_end=QUARTER.end,
        **kwargs,
    )
    report.services.set([service])
    return report


def _items(content, section_key, title):
    section = next(s for s in content["sections"] if s["key"] == section_key)
    block = next(b for b in section["blocks"] if b.get("title") == title)
    return {entry["label"]: entry for entry in block.get("items") or block.get("steps")}


def _pdf_text(pdf_bytes: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf_bytes))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # Table cells wrap: compare with every run of white space as one space.
    return re.sub(r"\s+", " ", text)


def test_figures_are_counted_for_the_period_and_service(service, manager, other_service):
    data = build_quarter(service, manager)
    build_quarter(other_service, manager)  # another service's work is not counted

    content = _content(service)

    referrals = _items(content, "journey", "What happened to each referral")
    assert referrals["Engaged: case opened"]["count"] == data.accepted
    assert referrals["Engaged: case opened"]["of"] == data.referrals
    assert referrals["Declined support"]["count"] == data.declined
    outputs = _items(content, "outputs", "Outputs in the period")
    assert outputs["Police checks"]["count"] == data.police_checks
    assert outputs["Home visits or visits to a place of safety"]["count"] == data.home_visits
    headline = {entry["label"]: entry for entry in content["headline"]}
    assert headline["Feel safer at exit"]["count"] == data.feel_safer
    assert headline["Feel safer at exit"]["of"] == data.exits


def test_pdf_text_holds_the_figures_suppressed_below_five(service, manager):
    data = build_quarter(service, manager)
    report = _report(service, introduction="Our year in numbers.")
    CaseStudyFactory(
        report=report,
        position=1,
        pseudonym="Rowan",
        title="Rowan's story",
        story="Rowan found a safe place to live.",
        consent_recorded_on=timezone.localdate(),
        consent_recorded_by=manager,
        consent_note="Signed form",
    )
    CaseStudyFactory(
        report=report, position=2, pseudonym="Hazel", story="Hazel's story without consent."
    )

    pdf_bytes, pages = render_pdf(report, _content(service))
    text = _pdf_text(pdf_bytes)

    assert pages >= 8
    reader = PdfReader(io.BytesIO(pdf_bytes))
    assert len(reader.pages) == pages
    # Tagged for accessibility (PDF/UA): structure tree, marked content, language, bookmarks.
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == "en-GB"
    assert reader.metadata.title == "Quarterly impact report: Q1 2026-27"
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles[:3] == ["Quarterly impact report", "Contents", "Introduction"]
    assert "Quarterly impact report" in text
    assert "Q1 2026-27" in text
    assert f"Police checks {data.police_checks}" in text
    assert f"Engaged: case opened {data.accepted} {data.referrals} 86%" in text
    # 2 home visits and 1 declined referral are below 5: shown as "<5", never the number.
    assert "Home visits or visits to a place of safety <5" in text
    assert "Declined support <5" in text
    assert "Home visits or visits to a place of safety 2" not in text
    # Feel safer: 5 of 6 exits.
    assert "Feel safer (agree or strongly agree) (of 6) 5 83%" in text
    # Sources of the unit costs are printed.
    assert "CAADA: DV MARAC Implementation Guide p6" in text
    # The consented case study is printed under its pseudonym; the other is not.
    assert "Rowan found a safe place to live." in text
    assert "Hazel" not in text
    # No client's name anywhere, and no case reference.
    for name in data.client_names:
        assert name not in text
    assert "TST-" not in text


def test_without_suppression_small_counts_are_printed(service, manager):
    build_quarter(service, manager)
    report = _report(service, suppress_small_numbers=False)
    html = report_html(report, _content(service))
    assert "&lt;5" not in html and "<5" not in html.replace("<5 ", "")
    shown = present(_content(service), None)
    outputs = next(s for s in shown["sections"] if s["key"] == "outputs")["blocks"][0]["items"]
    home = next(i for i in outputs if i["label"].startswith("Home visits"))
    assert home["count_text"] == "2"


def test_counts_inside_notes_are_suppressed_too():
    content = {
        "headline": [],
        "sections": [
            {
                "key": "outputs",
                "blocks": [
                    {
                        "kind": "figures",
                        "title": "Outputs",
                        "items": [
                            report_content.item("MARAC referrals", 9, note_count=3, note="repeat")
                        ],
                    }
                ],
            }
        ],
    }
    entry = present(content, 5)["sections"][0]["blocks"][0]["items"][0]
    assert (entry["count_text"], entry["note"]) == ("9", "<5 repeat")
    entry = present(content, None)["sections"][0]["blocks"][0]["items"][0]
    assert entry["note"] == "3 repeat"


def test_a_case_study_without_consent_is_never_printed(service, manager):
    report = _report(service)
    CaseStudyFactory(report=report, position=1, pseudonym="Ivy", story="Ivy's words.")
    html = report_html(report, _content(service))
    assert "Ivy" not in html
    assert "Our clients' stories" not in html

    study = report.case_studies.get()
    study.consent_recorded_on = timezone.localdate()
    study.consent_recorded_by = manager
    study.save()
    html = report_html(report, _content(service))
    assert "Ivy&#x27;s words." in html or "Ivy's words." in html


def test_economic_value_follows_the_admin_edited_unit_costs(service, manager):
    build_quarter(service, manager)
    UnitCost.objects.update(is_active=False)
    cost = UnitCost.objects.get(key="police_callout")
    cost.is_active = True
    cost.measure = UnitCost.Measure.FEEL_SAFER
    cost.quantity = 2
    cost.pence = 12345
    cost.source = "Local police costing 2026"
    cost.save()

    value = next(s for s in _content(service)["sections"] if s["key"] == "value")["blocks"][0]

    assert [row["label"] for row in value["rows"]] == ["Police callouts"]
    # 5 clients feel safer x 2 call-outs x £123.45.
    assert value["rows"][0]["clients"] == 5
    assert value["gross_pence"] == 5 * 2 * 12345
    # Only the report's attributed share is claimed (issue 19, item 9).
    assert value["total_pence"] == round(5 * 2 * 12345 * value["attribution_percent"] / 100)
    assert value["sources"] == ["Local police costing 2026"]


def test_the_seeded_unit_costs_are_seed_000s_table():
    costs = {cost.key: cost for cost in UnitCost.objects.all()}
    assert costs["police_callout"].pence == 9000
    assert costs["police_callout"].quantity == 6
    assert costs["cjs_prosecution"].pence == 417000
    assert not costs["ambulance_callout"].is_active


def test_xlsx_has_the_same_figures_suppressed(service, manager):
    data = build_quarter(service, manager)
    report = _report(service)
    workbook = load_workbook(io.BytesIO(render_xlsx(report, _content(service))))
    rows = {
        row[0]: row[1:]
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        if row and row[0]
    }
    # Counts are numbers the sheet can add up, a hidden one its "<5" (found walking the demo:
    # every count was text, 0 as "0").
    assert rows["Police checks"][0] == data.police_checks
    assert rows["Home visits or visits to a place of safety"][0] == "<5"
    assert "Summary" in workbook.sheetnames


def test_a_value_built_on_a_suppressed_count_is_not_shown_nor_the_total():
    row = {
        "label": "Police callouts",
        "unit": "per contact",
        "pence": 9000,
        "measure": "Clients whose Dash score fell between intake and exit",
        "clients": 3,
        "quantity": 6.0,
        "total_pence": 3 * 6 * 9000,
        "source": "CAADA",
        "price_year": "",
    }
    block = {"kind": "value", "rows": [row], "total_pence": row["total_pence"], "sources": []}
    content = {"headline": [], "sections": [{"key": "value", "blocks": [block]}]}

    hidden = present(content, 5)["sections"][0]["blocks"][0]
    assert hidden["rows"][0]["clients_text"] == "<5"
    assert hidden["rows"][0]["total_text"] == hidden["total_text"] == "\u2013"
    assert hidden["total_hidden"]

    shown = present(content, None)["sections"][0]["blocks"][0]
    assert shown["total_text"] == "£1,620"


def test_the_number_of_queries_does_not_depend_on_the_number_of_cases(
    service, manager, other_service
):
    build_quarter(service, manager)
    with CaptureQueriesContext(connection) as small:
        _content(service)
    for _ in range(3):
        build_quarter(other_service, manager)
    with CaptureQueriesContext(connection) as large:
        report_content.build_content(
            period=QUARTER, service_ids=(service.pk, other_service.pk), title="Both"
        )
    assert len(large) == len(small)
