"""Issue 19 item 11: suppression that cannot be undone silently. A built impact report's
settings are never changed in place: switching its suppression builds a new edition of the
report (same period and services, its case studies, queued), audited, and the report already
built keeps its PDF, figures and suppression."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.concurrency import edit_state_of
from accounts.models import AuditEvent
from reporting.impact import services
from reporting.impact.forms import ImpactNarrativeForm
from reporting.insights.report import suppression_needed_message
from reporting.models import CaseStudy, ImpactReport
from tests.factories import CaseFactory, UserFactory
from tests.factories_impact import QUARTER, CaseStudyFactory, finished_report

pytestmark = pytest.mark.django_db


def _form(report, *, suppress: bool, **fields):
    data = {"title": report.title, "introduction": report.introduction, **fields}
    if suppress:
        data["suppress_small_numbers"] = "on"
    return data


def _built(service, manager):
    report = finished_report(service, manager)
    report.figures = {"suppress_below": 5, "title": report.title}
    report.save()
    CaseStudyFactory(
        report=report,
        pseudonym="Asha",
        story="A story.",
        consent_recorded_on=datetime.date(2026, 7, 1),
        consent_recorded_by=UserFactory(),
        consent_note="signed consent form",
    )
    return report


def test_switching_suppression_off_builds_a_new_edition_and_keeps_the_old(
    client_for, manager, service
):
    report = _built(service, manager)
    before = {
        "pdf": report.pdf.name,
        "figures": report.figures,
        "version": report.version,
        "status": report.status,
    }
    http = client_for(manager)
    url = reverse("reporting:impact_detail", args=[report.pk])

    response = http.post(url, _form(report, suppress=False, introduction="For the board."))

    newer = ImpactReport.objects.get(replaces=report)
    assert response.status_code == 302
    assert response.url == reverse("reporting:impact_detail", args=[newer.pk])
    report.refresh_from_db()
    assert report.suppress_small_numbers and report.introduction == ""
    assert {
        "pdf": report.pdf.name,
        "figures": report.figures,
        "version": report.version,
        "status": report.status,
    } == before
    assert newer.edition == report.edition + 1 == 2
    assert not newer.suppress_small_numbers and newer.introduction == "For the board."
    assert (newer.period_start, newer.period_end) == (QUARTER.start, QUARTER.end)
    assert list(newer.services.all()) == [service]
    assert newer.status == ImpactReport.Status.QUEUED and not newer.pdf and not newer.figures
    study = CaseStudy.objects.get(report=newer)
    assert (study.pseudonym, study.consent_note) == ("Asha", "signed consent form")
    assert CaseStudy.objects.filter(report=report).count() == 1
    event = AuditEvent.objects.get(detail__kind="impact_report_new_edition")
    assert event.actor == manager and event.object_id == str(newer.pk)
    assert event.service_id == service.pk
    assert event.detail["replaces"] == report.pk
    assert event.detail["changed"] == {"suppress_small_numbers": [True, False]}
    # Both pages say which edition they are.
    assert "Replaced by" in http.get(url).content.decode()
    assert "edition 1" in http.get(response.url).content.decode()


def test_a_report_is_replaced_once_a_second_change_goes_on_the_newest(manager, service):
    report = _built(service, manager)
    services.impact_report_narrative_save(
        user=manager,
        report=report,
        title=report.title,
        introduction="",
        suppress_small_numbers=False,
    )

    with pytest.raises(ValidationError, match="newer edition"):
        services.impact_report_narrative_save(
            user=manager,
            report=report,
            title=report.title,
            introduction="",
            suppress_small_numbers=False,
        )

    assert ImpactReport.objects.count() == 2
    report.refresh_from_db()
    assert report.suppress_small_numbers


def test_the_refusal_is_a_form_error_in_place(client_for, manager, service):
    report = _built(service, manager)
    http = client_for(manager)
    url = reverse("reporting:impact_detail", args=[report.pk])
    assert http.post(url, _form(report, suppress=False)).status_code == 302

    response = http.post(url, _form(report, suppress=False))

    assert response.status_code == 200
    assert "A newer edition of this report exists" in response.content.decode()
    assert ImpactReport.objects.count() == 2


def test_the_title_of_a_built_report_is_still_edited_in_place(manager, service):
    report = _built(service, manager)

    saved = services.impact_report_narrative_save(
        user=manager,
        report=report,
        title="Trustees' report",
        introduction="",
        suppress_small_numbers=True,
        edit_state=edit_state_of(report, ImpactNarrativeForm._meta.fields),
    )

    assert saved.pk == report.pk and saved.title == "Trustees' report"
    assert not ImpactReport.objects.filter(replaces=report).exists()


def test_a_report_not_yet_built_switches_in_place(manager, service):
    report = ImpactReport.objects.create(
        title="Queued", period_start=QUARTER.start, period_end=QUARTER.end
    )
    report.services.set([service])

    saved = services.impact_report_narrative_save(
        user=manager,
        report=report,
        title="Queued",
        introduction="",
        suppress_small_numbers=False,
    )

    assert saved.pk == report.pk and not saved.suppress_small_numbers
    assert saved.edition == 1 and ImpactReport.objects.count() == 1


def test_no_unsuppressed_edition_of_a_short_period_with_a_restricted_case(manager, service):
    # A week's report: counts of so short a period could describe the one restricted client,
    # so a new edition without suppression is refused as switching it off in place would be.
    week = (datetime.date(2026, 5, 11), datetime.date(2026, 5, 17))
    report = finished_report(service, manager)
    ImpactReport.objects.filter(pk=report.pk).update(period_start=week[0], period_end=week[1])
    report.refresh_from_db()
    CaseFactory(service=service, opened_on=week[0], is_restricted=True)

    with pytest.raises(ValidationError) as refused:
        services.impact_report_narrative_save(
            user=manager,
            report=report,
            title=report.title,
            introduction="",
            suppress_small_numbers=False,
        )

    assert refused.value.message_dict == {"suppress_small_numbers": [suppression_needed_message()]}
    assert not ImpactReport.objects.filter(replaces=report).exists()
    assert not AuditEvent.objects.filter(detail__kind="impact_report_new_edition").exists()
