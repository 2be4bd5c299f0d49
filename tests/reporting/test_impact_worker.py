"""Impact reports built by a real Celery worker from the real Redis broker (not eager mode):
the request is sent after commit with the report's id only, the worker builds the PDF, a
failing attempt is retried with backoff, and a job left running by a dead worker is picked up
again by the sweep."""

import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from reporting.impact import services
from reporting.models import ImpactReport
from tests.factories_impact import QUARTER, ImpactReportFactory, build_quarter, wait_until_finished

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]
Status = ImpactReport.Status


def _request(manager, service):
    return services.impact_report_request(
        user=manager, services=[service], period=QUARTER, title="Worker-built report"
    )


def test_a_worker_builds_the_pdf_from_the_broker(celery_worker, manager, service):
    data = build_quarter(service, manager)
    report = _request(manager, service)

    report = wait_until_finished(report)

    assert report.status == Status.DONE, report.error
    assert report.attempts == 1
    reader = PdfReader(io.BytesIO(report.pdf.read()))
    assert len(reader.pages) == report.page_count
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert f"Police checks {data.police_checks}" in text
    assert "Worker-built report" in text


def test_a_failed_attempt_is_retried_by_the_worker(
    celery_worker, manager, service, monkeypatch, settings
):
    settings.IMPACT_REPORT_RETRY_BASE_SECONDS = 1
    attempts = []

    def flaky(report, content):
        attempts.append(report.pk)
        if len(attempts) == 1:
            raise OSError("temporary")
        return b"%PDF-1.7 stand-in", 2

    monkeypatch.setattr("reporting.impact.render.render_pdf", flaky)
    report = wait_until_finished(_request(manager, service))

    assert report.status == Status.DONE
    assert report.attempts == 2
    notes = list(report.events.values_list("old_status", "new_status"))
    assert notes == [
        ("", "queued"),
        ("queued", "running"),
        ("running", "queued"),
        ("queued", "running"),
        ("running", "done"),
    ]


def test_a_job_left_running_by_a_dead_worker_is_built_again(
    celery_worker, manager, service, monkeypatch, settings
):
    settings.IMPACT_REPORT_STALE_SECONDS = 30
    monkeypatch.setattr(
        "reporting.impact.render.render_pdf", lambda report, content: (b"%PDF-1.7 again", 1)
    )
    # A job a killed worker had claimed: running, its last heartbeat long ago.
    report = ImpactReportFactory(
        title="Orphaned",
        period_start=QUARTER.start,
        period_end=QUARTER.end,
        status=Status.RUNNING,
        attempts=1,
        worker_token="killed-worker-task",
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=10),
    )
    report.services.set([service])

    assert services.impact_reports_requeue_stale() == [report.pk]
    report = wait_until_finished(report)

    assert report.status == Status.DONE
    assert report.attempts == 2
    assert report.pdf.read() == b"%PDF-1.7 again"
