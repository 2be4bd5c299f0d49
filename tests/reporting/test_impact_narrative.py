"""Issue 17 item 7: the report page's title, introduction and suppression are saved through a
service (locked, audited, refused where someone else changed the same field since the form was
loaded), and a built report's suppression is fixed (a change builds a new edition), so that its XLSX
always matches its PDF."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.concurrency import edit_state_of
from accounts.models import AuditEvent
from reporting.impact import services
from reporting.impact.content import build_content
from reporting.impact.forms import ImpactNarrativeForm
from reporting.impact.render import render_xlsx
from reporting.models import ImpactReport
from tests.factories_impact import QUARTER, build_quarter, finished_report

pytestmark = pytest.mark.django_db


def _queued(service):
    report = ImpactReport.objects.create(
        title="Queued", period_start=QUARTER.start, period_end=QUARTER.end
    )
    report.services.set([service])
    return report


def _post(report, **fields):
    data = {"title": report.title, "introduction": report.introduction}
    if report.suppress_small_numbers:
        data["suppress_small_numbers"] = "on"
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def test_the_narrative_is_saved_through_the_service_and_audited(client_for, manager, service):
    report = finished_report(service, manager)
    http = client_for(manager)
    url = reverse("reporting:impact_detail", args=[report.pk])
    state = http.get(url).context["form"]["edit_state"].value()

    response = http.post(url, _post(report, title="Trustees' report", edit_state=state))

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.title == "Trustees' report" and report.version == 1
    event = AuditEvent.objects.get(detail__kind="impact_report_narrative_saved")
    assert event.actor == manager and event.object_id == str(report.pk)
    assert event.service_id == service.pk


def test_a_second_editor_does_not_undo_the_first_ones_save(client_for, manager, service):
    report = finished_report(service, manager)
    http = client_for(manager)
    url = reverse("reporting:impact_detail", args=[report.pk])
    first = http.get(url).context["form"]["edit_state"].value()
    second = http.get(url).context["form"]["edit_state"].value()
    assert http.post(url, _post(report, title="First", edit_state=first)).status_code == 302

    response = http.post(url, _post(report, title="Second", edit_state=second))

    assert response.status_code == 409
    assert "Someone else saved this record" in response.content.decode()
    report.refresh_from_db()
    assert report.title == "First"
    assert AuditEvent.objects.filter(detail__kind="impact_report_narrative_saved").count() == 1


def test_a_built_reports_suppression_is_never_changed_in_place(client_for, manager, service):
    # Issue 19 item 11: changing it builds a new edition (tests/reporting/test_impact_editions.py).
    report = finished_report(service, manager)
    url = reverse("reporting:impact_detail", args=[report.pk])

    response = client_for(manager).post(url, _post(report, suppress_small_numbers=None))

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.suppress_small_numbers
    newer = ImpactReport.objects.get(replaces=report)
    assert not newer.suppress_small_numbers
    assert response.url == reverse("reporting:impact_detail", args=[newer.pk])


def test_a_report_not_yet_built_may_switch_suppression(manager, service):
    report = _queued(service)
    assert not ImpactNarrativeForm(instance=report).fields["suppress_small_numbers"].disabled

    services.impact_report_narrative_save(
        user=manager,
        report=report,
        title="Queued",
        introduction="For the board.",
        suppress_small_numbers=False,
        edit_state=edit_state_of(report, ImpactNarrativeForm._meta.fields),
    )

    report.refresh_from_db()
    assert not report.suppress_small_numbers and report.introduction == "For the board."
    report.status = ImpactReport.Status.RUNNING
    report.save()
    help_text = ImpactNarrativeForm(instance=report).fields["suppress_small_numbers"].help_text
    assert "builds a new edition" in help_text


def test_the_xlsx_suppresses_as_the_pdf_it_belongs_to(service, manager):
    build_quarter(service, manager)
    report = finished_report(service, manager, suppress_small_numbers=False)
    figures = build_content(period=QUARTER, service_ids=(service.pk,), title="Q1")
    figures["suppress_below"] = 5  # the PDF was printed suppressed (stored when it was built)
    report.figures = figures
    report.save()

    workbook = load_workbook(io.BytesIO(render_xlsx(report, report.figures)))
    rows = {
        row[0]: row[1:]
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        if row and row[0]
    }
    assert rows["Home visits or visits to a place of safety"][0] == "<5"
