"""Issue 16, item 10: a dead worker left an impact report "running" for 17 minutes. A job now
heartbeats from its own thread while it builds (WeasyPrint's render is one long call), a job
silent for a minute is requeued and built again, and an attempt that was requeued while still
alive cannot store a second PDF."""

import datetime
import time

import pytest
from django.utils import timezone

from reporting.impact import services
from reporting.models import ImpactReport
from tests.factories_impact import QUARTER, ImpactReportFactory, wait_until_finished

Status = ImpactReport.Status


def _running_job(service, *, silent_for: datetime.timedelta, worker="killed-worker-task"):
    """A job a worker had claimed, whose last heartbeat was `silent_for` ago."""
    report = ImpactReportFactory(
        title="Orphaned",
        period_start=QUARTER.start,
        period_end=QUARTER.end,
        status=Status.RUNNING,
        attempts=1,
        worker_token=worker,
        heartbeat_at=timezone.now() - silent_for,
    )
    report.services.set([service])
    return report


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_item_10_a_job_silent_for_a_minute_is_requeued_and_completes(
    celery_worker, service, monkeypatch
):
    monkeypatch.setattr(
        "reporting.impact.render.render_pdf", lambda report, content: (b"%PDF-1.7 again", 1)
    )
    quiet = _running_job(service, silent_for=datetime.timedelta(seconds=30), worker="alive")
    silent = _running_job(service, silent_for=datetime.timedelta(seconds=75))

    # The default settings: a minute of silence, not the 16-minute time limit.
    assert services.impact_reports_requeue_stale() == [silent.pk]
    silent = wait_until_finished(silent)

    assert silent.status == Status.DONE
    assert silent.attempts == 2
    assert silent.pdf.read() == b"%PDF-1.7 again"
    quiet.refresh_from_db()
    assert quiet.status == Status.RUNNING and quiet.worker_token == "alive"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_item_10_a_job_heartbeats_while_it_renders(
    celery_worker, manager, service, monkeypatch, settings
):
    """The render (one long call) outlasts the stale limit; the job's own thread keeps its
    heartbeat fresh, so a sweep during the render leaves it alone."""
    settings.IMPACT_REPORT_HEARTBEAT_SECONDS = 0.2
    settings.IMPACT_REPORT_STALE_SECONDS = 1
    seen = {}

    def slow_render(report, content):
        first = ImpactReport.objects.get(pk=report.pk).heartbeat_at
        time.sleep(2.5)
        seen["beats"] = (first, ImpactReport.objects.get(pk=report.pk).heartbeat_at)
        seen["sweep"] = services.impact_reports_requeue_stale()
        return b"%PDF-1.7 slow", 1

    monkeypatch.setattr("reporting.impact.render.render_pdf", slow_render)
    report = services.impact_report_request(
        user=manager, services=[service], period=QUARTER, title="Slow"
    )
    report = wait_until_finished(report)

    first, last = seen["beats"]
    assert last - first >= datetime.timedelta(seconds=1.5)
    assert seen["sweep"] == []
    assert report.status == Status.DONE
    assert report.attempts == 1


@pytest.mark.django_db
def test_item_10_an_attempt_requeued_while_alive_stores_no_second_pdf(
    manager, service, monkeypatch, django_capture_on_commit_callbacks
):
    """Attempt A stalls in its render for over a minute; the sweep requeues the job and
    attempt B builds it. When A wakes up it stops without storing anything."""
    with django_capture_on_commit_callbacks():
        report = services.impact_report_request(
            user=manager, services=[service], period=QUARTER, title="Twice"
        )
    rendered = []

    def render(report_being_built, content):
        token = ImpactReport.objects.get(pk=report.pk).worker_token
        rendered.append(token)
        if token == "A":
            ImpactReport.objects.filter(pk=report.pk).update(
                heartbeat_at=timezone.now() - datetime.timedelta(minutes=2)
            )
            with django_capture_on_commit_callbacks():
                assert services.impact_reports_requeue_stale() == [report.pk]
            assert services.impact_report_claim(report_id=report.pk, worker_token="B")
            services.impact_report_build(report_id=report.pk, worker_token="B")
        return f"%PDF-1.7 by {token}".encode(), 1

    monkeypatch.setattr("reporting.impact.render.render_pdf", render)
    assert services.impact_report_claim(report_id=report.pk, worker_token="A")
    with pytest.raises(services.JobLost):
        services.impact_report_build(report_id=report.pk, worker_token="A")

    report.refresh_from_db()
    assert rendered == ["A", "B"]
    assert report.status == Status.DONE and report.worker_token == "B"
    assert report.pdf.read() == b"%PDF-1.7 by B"
    assert report.events.filter(new_status=Status.DONE).count() == 1
