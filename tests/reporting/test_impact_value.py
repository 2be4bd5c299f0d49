"""The impact report's economic value (issue 19, item 9): CAADA's costs of a high-risk victim
are counted only for clients high risk at intake whose Dash score fell, only the share the
report's settings attribute to the service is claimed, each cost shows its price year and
source, and seed 000's sourced MARAC ratio is printed beside the estimate."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from catalogue import impact as catalogue
from reporting.impact import content as report_content
from reporting.impact.present import present
from reporting.impact.render import render_pdf, report_html
from reporting.models import DEFAULT_ATTRIBUTION_PERCENT, ImpactReport, UnitCost
from reporting.periods import quarter
from tests.factories import CaseFactory
from tests.factories_impact import ImpactReportFactory
from tests.factories_outcomes import ExitFormFactory, IntakeFormFactory
from tests.factories_riskassessment import submitted

pytestmark = pytest.mark.django_db

PERIOD = quarter(2025, 1)
INTAKE_ON = datetime.date(2025, 2, 1)
EXIT_ON = datetime.date(2025, 5, 10)
NOW = timezone.now()
# (ticks at intake, ticks at exit): high and reduced, high and not reduced, medium and reduced,
# standard and reduced, high and reduced again.
PAIRS = ((16, 4), (16, 17), (8, 3), (4, 1), (18, 9))


def _closed_case(service, caseworker, ticks_in, ticks_out):
    case = CaseFactory(service=service, opened_on=INTAKE_ON)
    IntakeFormFactory(
        case=case,
        created_by=caseworker,
        completed_on=INTAKE_ON,
        status="submitted",
        submitted_at=NOW,
    )
    at_intake = submitted(case, caseworker, ticks=ticks_in, stage="intake", on=INTAKE_ON)
    at_exit = submitted(case, caseworker, ticks=ticks_out, stage="exit", on=EXIT_ON)
    case.status, case.closed_on, case.closure_type = "closed", EXIT_ON, "Planned closure"
    case.save()
    ExitFormFactory(
        case=case,
        created_by=caseworker,
        exit_date=EXIT_ON,
        status="submitted",
        submitted_at=NOW,
        case_status="Planned closure",
    )
    return at_intake, at_exit


def _value(content):
    return next(s for s in content["sections"] if s["key"] == "value")["blocks"][0]


def _build(service, caseworker, **kwargs):
    pairs = [_closed_case(service, caseworker, *ticks) for ticks in PAIRS]
    content = report_content.build_content(
        period=PERIOD, service_ids=(service.pk,), title="Impact", **kwargs
    )
    return pairs, content


def test_caadas_costs_count_only_clients_high_risk_at_intake_whose_score_fell(service, caseworker):
    pairs, content = _build(service, caseworker)
    high_and_reduced = sum(
        1 for a_in, a_out in pairs if a_in.risk_level == "high" and a_out.score < a_in.score
    )
    reduced = sum(1 for a_in, a_out in pairs if a_out.score < a_in.score)
    # The data has both kinds, so the test tells the two measures apart.
    assert 0 < high_and_reduced < reduced

    value = _value(content)
    caada = {row["label"]: row for row in value["rows"] if row["source"] == catalogue.CAADA_SOURCE}
    example = {row.key: row.contacts for row in catalogue.SEED_VALUE_EXAMPLE}
    labels = {cost.key: cost.label for cost in catalogue.UNIT_COSTS}
    assert set(caada) == {labels[key] for key in example}
    for key, contacts in example.items():
        row = caada[labels[key]]
        assert row["clients"] == high_and_reduced
        assert row["measure"] == UnitCost.Measure.HIGH_RISK_REDUCED.label
        assert row["total_pence"] == round(contacts * high_and_reduced * row["pence"])


def test_only_the_attributed_share_is_claimed_and_the_default_is_well_below_all(
    service, caseworker
):
    _pairs, content = _build(service, caseworker)
    value = _value(content)
    gross = sum(row["total_pence"] for row in value["rows"])
    assert DEFAULT_ATTRIBUTION_PERCENT <= 50
    assert value["attribution_percent"] == DEFAULT_ATTRIBUTION_PERCENT
    assert value["gross_pence"] == gross
    assert value["total_pence"] == round(gross * DEFAULT_ATTRIBUTION_PERCENT / 100)
    assert value["title"] == "Estimated costs associated with reduced risk"


def test_the_reports_own_attribution_share_is_used(service, caseworker):
    _pairs, content = _build(service, caseworker, attribution_percent=10)
    value = _value(content)
    assert value["total_pence"] == round(value["gross_pence"] * 10 / 100)
    assert "10%" in value["method"]


def test_every_figure_has_its_source_and_price_year_and_the_marac_ratio_is_beside_it():
    cost = UnitCost.objects.get(key="police_callout")
    cost.price_year = "2008-09"
    cost.save()
    value = report_content.economic_value(
        dict.fromkeys(UnitCost.Measure, 7), attribution_percent=20
    )
    assert value["rows"]
    for row in value["rows"]:
        assert row["source"].strip()
        assert row["price_year"].strip()
    police = next(row for row in value["rows"] if row["label"] == "Police callouts")
    assert police["price_year"] == "2008-09"
    others = [row for row in value["rows"] if row["label"] != "Police callouts"]
    # Seed 000 states no price year for its unit costs: the report says so, it does not guess.
    assert {row["price_year"] for row in others} == {report_content.NO_PRICE_YEAR}
    claim = next(claim for claim in catalogue.VALUE_CLAIMS if claim.key == "marac_return")
    assert value["ratio"] == {"quote": claim.quote, "source": claim.source}
    assert value["caveat"]["source"]


def test_the_pdf_shows_the_method_share_price_years_sources_and_ratio(service, caseworker):
    _pairs, content = _build(service, caseworker, attribution_percent=15)
    report = ImpactReportFactory(
        title="Impact",
        period_start=PERIOD.start,
        period_end=PERIOD.end,
        attribution_percent=15,
        suppress_small_numbers=False,
    )
    report.services.set([service])
    content["suppress_below"] = None
    html = report_html(report, content)
    assert "Estimated costs associated with reduced risk" in html
    assert "public costs avoided" not in html.lower()
    pdf, _pages = render_pdf(report, content)
    text = re.sub(
        r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    )
    value = _value(present(content, None))
    assert f"Attributed to the service: 15% {value['total_text']}" in text
    assert f"before attribution {value['gross_text']}" in text
    assert "Saving Lives, Saving Money. CAADA, 2010" in text
    assert "at least £6 of public money" in text
    assert report_content.NO_PRICE_YEAR in text
    assert "high risk at intake whose Dash score was lower at exit" in text


def test_a_report_stored_before_attribution_is_shown_as_claiming_everything():
    row = {
        "label": "Police callouts",
        "unit": "per contact",
        "pence": 9000,
        "measure": "Clients whose Dash score fell between intake and exit",
        "clients": 6,
        "quantity": 6.0,
        "total_pence": 6 * 6 * 9000,
        "source": "CAADA",
        "price_year": "",
    }
    block = {"kind": "value", "rows": [row], "total_pence": row["total_pence"], "sources": []}
    shown = present({"headline": [], "sections": [{"key": "value", "blocks": [block]}]}, 5)
    value = shown["sections"][0]["blocks"][0]
    assert value["attribution_percent"] == 100
    assert value["gross_text"] == value["total_text"]


def test_the_attribution_share_is_asked_for_stored_and_checked(client_for, manager, service):
    def ask(**extra):
        return client_for(manager).post(
            reverse("reporting:impact_create"),
            {
                "title": "Trustees' report",
                "quarter": "",
                "start": "2026-04-01",
                "end": "2026-06-30",
                "services": [service.pk],
                "suppress_small_numbers": "on",
                **extra,
            },
        )

    page = client_for(manager).get(reverse("reporting:impact_list"))
    assert page.context["form"]["attribution_percent"].initial == DEFAULT_ATTRIBUTION_PERCENT

    refused = ask(attribution_percent="150")
    assert refused.status_code == 200
    assert "attribution_percent" in refused.context["form"].errors
    assert not ImpactReport.objects.exists()

    assert ask(attribution_percent="10").status_code == 302
    assert ImpactReport.objects.get().attribution_percent == 10


def test_the_economic_value_starts_on_its_sections_first_page(service, caseworker):
    """The value block is taller than a page: kept whole, it was pushed past its heading and
    left a page with only "6. Economic and social value" on it (found walking the demo)."""
    _pairs, content = _build(service, caseworker)
    report = ImpactReportFactory(title="Impact", period_start=PERIOD.start, period_end=PERIOD.end)
    report.services.set([service])
    content["suppress_below"] = None
    pdf, _pages = render_pdf(report, content)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    first = next(
        i for i, text in enumerate(pages) if "How it is estimated" in text or "Unit cost" in text
    )
    heading = "Economic and social value"
    # The part's first page (not the contents page) carries the start of the method.
    section_pages = [i for i, text in enumerate(pages) if heading in text and i > 1]
    assert section_pages[0] == first


def test_the_totals_are_printed_once_where_the_unit_cost_table_ends(service, caseworker):
    """The unit-cost table runs over two pages; its totals were repeated at the foot of each, so
    the first page's read as a subtotal of the rows above it (found walking the demo)."""
    _pairs, content = _build(service, caseworker)
    report = ImpactReportFactory(title="Impact", period_start=PERIOD.start, period_end=PERIOD.end)
    report.services.set([service])
    content["suppress_below"] = None
    pdf, _pages = render_pdf(report, content)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    value_pages = [text for text in pages if "Units each" in text]
    assert len(value_pages) > 1  # the case this covers: the table breaks across pages
    text = re.sub(r"\s+", " ", "\n".join(pages))
    assert text.count("Costs associated with reduced risk, before attribution") == 1
