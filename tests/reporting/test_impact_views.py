"""Impact-report pages: asking for a report, the self-updating status panel, downloads allowed
only to managers of every service in the report and audited, XLSX, case studies."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Role
from reporting.impact.content import build_content
from reporting.models import CaseStudy, ImpactReport
from tests.factories import MembershipFactory
from tests.factories_impact import QUARTER, CaseStudyFactory, ImpactReportFactory, finished_report

pytestmark = pytest.mark.django_db


def test_download_is_audited_for_a_manager_of_the_service(client_for, manager, service):
    report = finished_report(service, manager)
    response = client_for(manager).get(reverse("reporting:impact_download", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n"
    assert "attachment" in response["Content-Disposition"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD)
    assert event.actor == manager and event.object_id == str(report.pk)


def test_download_is_refused_to_other_services_and_to_caseworkers(
    client_for, manager, caseworker, service, other_service
):
    elsewhere = finished_report(other_service)
    url = reverse("reporting:impact_download", args=[elsewhere.pk])
    assert client_for(manager).get(url).status_code == 404
    own = finished_report(service)
    url = reverse("reporting:impact_download", args=[own.pk])
    assert client_for(caseworker).get(url).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


def test_a_report_spanning_two_services_needs_both(client_for, manager, service, other_service):
    report = finished_report(service)
    report.services.add(other_service)
    url = reverse("reporting:impact_download", args=[report.pk])
    assert client_for(manager).get(url).status_code == 404
    MembershipFactory(user=manager, service=other_service, role=Role.SERVICE_MANAGER)
    assert client_for(manager).get(url).status_code == 200


def test_a_report_not_yet_built_cannot_be_downloaded(client_for, manager, service):
    report = ImpactReportFactory(title="Queued", period_start=QUARTER.start, period_end=QUARTER.end)
    report.services.set([service])
    url = reverse("reporting:impact_download", args=[report.pk])
    assert client_for(manager).get(url).status_code == 404


def test_asking_for_a_report_queues_it(client_for, manager, service):
    response = client_for(manager).post(
        reverse("reporting:impact_create"),
        {
            "title": "Trustees' report",
            "quarter": "",
            "start": "2026-04-01",
            "end": "2026-06-30",
            "services": [service.pk],
            "suppress_small_numbers": "on",
        },
    )
    report = ImpactReport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reporting:impact_detail", args=[report.pk])
    assert report.status == ImpactReport.Status.QUEUED
    assert report.suppress_small_numbers
    assert list(report.services.all()) == [service]


def test_bad_input_shows_errors_in_place_and_writes_nothing(
    client_for, manager, service, other_service
):
    http = client_for(manager)
    response = http.post(
        reverse("reporting:impact_create"),
        {
            "title": "X",
            "quarter": "",
            "start": "2026-06-30",
            "end": "2026-04-01",
            "services": [other_service.pk],
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "end" in form.errors and "services" in form.errors
    assert not ImpactReport.objects.exists()


def test_the_status_panel_polls_until_the_job_finishes(client_for, manager, service):
    report = ImpactReportFactory(
        title="Running",
        period_start=QUARTER.start,
        period_end=QUARTER.end,
        status=ImpactReport.Status.RUNNING,
        progress_step=3,
        progress_total=8,
        progress_label="Outcomes: the four Ps",
    )
    report.services.set([service])
    http = client_for(manager)
    url = reverse("reporting:impact_status", args=[report.pk])
    html = http.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert f'hx-get="{url}"' in html and 'hx-trigger="every 2s"' in html
    assert "Outcomes: the four Ps" in html and 'value="38"' in html
    assert "<script" not in html  # no inline script: CSP is on

    done = finished_report(service)
    html = http.get(reverse("reporting:impact_status", args=[done.pk])).content.decode()
    assert "hx-get" not in html
    assert reverse("reporting:impact_download", args=[done.pk]) in html


def test_xlsx_goes_through_the_owner_only_export_link(client_for, manager, service):
    report = finished_report(service)
    report.figures = build_content(period=QUARTER, service_ids=(service.pk,), title="Q1")
    report.save()
    response = client_for(manager).post(reverse("reporting:impact_xlsx", args=[report.pk]))
    assert response.status_code == 302
    assert "/downloads/" in response.url
    export = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert export.detail["kind"] == "impact_report_xlsx"


def test_a_case_study_needs_a_consent_note_to_record_consent(client_for, manager, service):
    report = finished_report(service)
    url = reverse("reporting:impact_case_study_add", args=[report.pk])
    http = client_for(manager)
    response = http.post(url, {"pseudonym": "Rowan", "story": "A story.", "consent": "on"})
    assert response.status_code == 200
    assert "consent_note" in response.context["form"].errors
    assert not CaseStudy.objects.exists()

    response = http.post(
        url,
        {"pseudonym": "Rowan", "story": "A story.", "consent": "on", "consent_note": "Signed form"},
    )
    assert response.status_code == 302
    study = CaseStudy.objects.get()
    assert study.has_consent and study.consent_recorded_by == manager


def test_at_most_three_case_studies(client_for, manager, service):
    report = finished_report(service)
    for position in (1, 2, 3):
        CaseStudyFactory(report=report, position=position, pseudonym="A", story="B")
    response = client_for(manager).post(
        reverse("reporting:impact_case_study_add", args=[report.pk]),
        {"pseudonym": "Fourth", "story": "No room."},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert CaseStudy.objects.count() == 3


def test_the_list_shows_only_the_managers_reports(
    client_for, manager, service, other_service, django_assert_max_num_queries
):
    mine = [finished_report(service) for _ in range(3)]
    finished_report(other_service)
    http = client_for(manager)
    with django_assert_max_num_queries(25):
        response = http.get(reverse("reporting:impact_list"))
    assert [r.pk for r in response.context["reports"]] == [r.pk for r in reversed(mine)]


def test_the_managers_home_panel_links_to_impact_reports(client_for, manager, service):
    finished_report(service)
    html = client_for(manager).get(reverse("home")).content.decode()
    assert reverse("reporting:impact_list") in html
