"""The impact-report job's state machine, called through its services (the broker and a real
worker are in test_impact_worker.py): queued, running with progress, done, failed, retried,
taken over after a lost worker, the stale sweep, and the quarterly schedule with its e-mail."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from reporting.impact import services
from reporting.models import ImpactReport
from reporting.periods import quarter
from reporting.tasks import build_impact_report, retry_countdown
from tests.factories import ServiceFactory
from tests.factories_impact import QUARTER, build_quarter

pytestmark = pytest.mark.django_db
Status = ImpactReport.Status


@pytest.fixture
def fast_pdf(monkeypatch):
    """Stands in for WeasyPrint where a test is about the job, not the layout."""
    calls = []

    def render(report, content):
        calls.append(report.pk)
        return b"%PDF-1.7 stand-in", 3

    monkeypatch.setattr("reporting.impact.render.render_pdf", render)
    return calls


def _request(manager, service, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        report = services.impact_report_request(
            user=manager, services=[service], period=QUARTER, title="Q1"
        )
    return report, callbacks


def _statuses(report):
    return [(e.old_status, e.new_status) for e in report.events.order_by("at", "pk")]


def test_a_request_is_queued_and_sends_only_the_id_after_commit(
    manager, service, django_capture_on_commit_callbacks
):
    report, callbacks = _request(manager, service, django_capture_on_commit_callbacks)
    assert report.status == Status.QUEUED
    assert _statuses(report) == [("", "queued")]
    assert len(callbacks) == 1  # the task is sent after commit, not before


def test_a_manager_cannot_ask_for_another_services_report(manager, other_service):
    with pytest.raises(PermissionError):
        services.impact_report_request(
            user=manager, services=[other_service], period=QUARTER, title="Q1"
        )
    assert not ImpactReport.objects.exists()


def test_claim_build_done_with_progress_by_section(
    manager, service, fast_pdf, django_capture_on_commit_callbacks
):
    build_quarter(service, manager)
    report, _ = _request(manager, service, django_capture_on_commit_callbacks)
    seen = []
    original = services._progress

    def spy(report_id, token, label):
        original(report_id, token, label)
        row = ImpactReport.objects.get(pk=report_id)
        seen.append((row.status, row.progress_step, row.progress_label))

    services._progress = spy
    try:
        assert services.impact_report_claim(report_id=report.pk, worker_token="t1")
        services.impact_report_build(report_id=report.pk, worker_token="t1")
    finally:
        services._progress = original

    report.refresh_from_db()
    assert report.status == Status.DONE
    assert report.page_count == 3
    assert report.pdf.read() == b"%PDF-1.7 stand-in"
    assert report.figures["format"] == "lantern-impact/1"
    assert report.figures["suppress_below"] == 5  # the PDF's, for its XLSX (issue 17 item 7)
    assert _statuses(report) == [("", "queued"), ("queued", "running"), ("running", "done")]
    labels = [label for _, _, label in seen]
    assert labels[:2] == ["Who we work with", "The client journey"]
    assert labels[-2:] == ["Laying out the PDF", "Storing the PDF"]
    assert all(status == Status.RUNNING for status, _, _ in seen)
    assert [step for _, step, _ in seen] == list(range(1, report.progress_total + 1))


def test_a_finished_job_is_not_built_twice(
    manager, service, fast_pdf, django_capture_on_commit_callbacks
):
    report, _ = _request(manager, service, django_capture_on_commit_callbacks)
    build_impact_report.apply(args=[report.pk], task_id="first")
    build_impact_report.apply(args=[report.pk], task_id="second")  # a duplicate delivery
    assert fast_pdf == [report.pk]
    report.refresh_from_db()
    assert report.status == Status.DONE and report.attempts == 1


def test_a_failed_attempt_is_retried_with_backoff_then_fails_for_good(
    manager, service, monkeypatch, django_capture_on_commit_callbacks
):
    report, _ = _request(manager, service, django_capture_on_commit_callbacks)

    def broken(report, content):
        raise OSError("disk full")

    monkeypatch.setattr("reporting.impact.render.render_pdf", broken)
    for attempt in range(1, services.MAX_ATTEMPTS):
        assert services.impact_report_claim(report_id=report.pk, worker_token="t")
        with pytest.raises(OSError):
            services.impact_report_build(report_id=report.pk, worker_token="t")
        services.impact_report_attempt_failed(
            report_id=report.pk, worker_token="t", will_retry=True, error="OSError"
        )
        report.refresh_from_db()
        assert report.status == Status.QUEUED
        assert report.attempts == attempt
    assert services.impact_report_claim(report_id=report.pk, worker_token="t")
    services.impact_report_attempt_failed(
        report_id=report.pk, worker_token="t", will_retry=True, error="OSError"
    )
    report.refresh_from_db()
    assert report.status == Status.FAILED
    assert report.error == "OSError"  # the type only: a message could carry data
    assert [retry_countdown(n) for n in range(3)] == [30, 60, 120]


def test_a_redelivered_message_takes_over_its_own_running_job(
    manager, service, fast_pdf, django_capture_on_commit_callbacks
):
    """The worker died mid-job: acks_late puts the same message (same task id) back."""
    report, _ = _request(manager, service, django_capture_on_commit_callbacks)
    assert services.impact_report_claim(report_id=report.pk, worker_token="msg-1")
    # ... the worker is killed here; the heartbeat is still fresh ...
    build_impact_report.apply(args=[report.pk], task_id="msg-1")
    report.refresh_from_db()
    assert report.status == Status.DONE
    assert report.attempts == 2


def test_a_live_worker_is_not_overtaken_by_another_message(
    manager, service, fast_pdf, django_capture_on_commit_callbacks
):
    report, _ = _request(manager, service, django_capture_on_commit_callbacks)
    assert services.impact_report_claim(report_id=report.pk, worker_token="live")
    build_impact_report.apply(args=[report.pk], task_id="other")
    report.refresh_from_db()
    assert report.status == Status.RUNNING and report.worker_token == "live"
    assert fast_pdf == []


def test_the_sweep_requeues_a_job_whose_worker_stopped_reporting(
    manager, service, settings, django_capture_on_commit_callbacks
):
    settings.IMPACT_REPORT_STALE_SECONDS = 60
    report, _ = _request(manager, service, django_capture_on_commit_callbacks)
    assert services.impact_report_claim(report_id=report.pk, worker_token="dead")
    ImpactReport.objects.filter(pk=report.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.impact_reports_requeue_stale() == [report.pk]
    report.refresh_from_db()
    assert report.status == Status.QUEUED
    assert len(callbacks) == 1
    # A fresh running job is left alone.
    assert services.impact_report_claim(report_id=report.pk, worker_token="alive")
    assert services.impact_reports_requeue_stale() == []


def test_the_sweep_fails_a_job_out_of_attempts(
    manager, service, settings, django_capture_on_commit_callbacks
):
    settings.IMPACT_REPORT_STALE_SECONDS = 60
    report, _ = _request(manager, service, django_capture_on_commit_callbacks)
    ImpactReport.objects.filter(pk=report.pk).update(
        status=Status.RUNNING,
        attempts=services.MAX_ATTEMPTS,
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    assert services.impact_reports_requeue_stale() == []
    report.refresh_from_db()
    assert report.status == Status.FAILED


def test_illegal_moves_are_refused(manager, service, django_capture_on_commit_callbacks):
    report, _ = _request(manager, service, django_capture_on_commit_callbacks)
    with pytest.raises(services.IllegalTransition):
        services.set_status(report, Status.DONE)


def test_a_failed_or_finished_report_can_be_asked_for_again(
    manager, service, fast_pdf, django_capture_on_commit_callbacks
):
    report, _ = _request(manager, service, django_capture_on_commit_callbacks)
    build_impact_report.apply(args=[report.pk], task_id="a")
    with django_capture_on_commit_callbacks() as callbacks:
        services.impact_report_rebuild(user=manager, report=report)
    report.refresh_from_db()
    assert report.status == Status.QUEUED and report.attempts == 0
    assert len(callbacks) == 1


def test_the_quarterly_schedule_makes_one_report_per_service_and_mails_a_link(
    manager, service, fast_pdf, django_capture_on_commit_callbacks
):
    ServiceFactory(name="Closed service", is_active=False)
    first_of_july = datetime.date(2026, 7, 1)
    with django_capture_on_commit_callbacks():
        created = services.impact_reports_schedule_quarter(first_of_july)
        again = services.impact_reports_schedule_quarter(first_of_july)
    assert again == []
    report = ImpactReport.objects.get(pk__in=created, services=service)
    assert (report.period_start, report.period_end) == (
        quarter(2026, 1).start,
        quarter(2026, 1).end,
    )

    with django_capture_on_commit_callbacks(execute=True):
        build_impact_report.apply(args=[report.pk], task_id="beat")
    report.refresh_from_db()
    assert report.status == Status.DONE and report.notified_at is not None
    to_manager = [m for m in mail.outbox if manager.email in m.to]
    assert len(to_manager) == 1
    body = to_manager[0].body
    assert f"/reports/impact/{report.pk}/" in body
    assert service.name not in body and "Referrals" not in body  # a link, no data
    assert services.impact_report_notify(report_id=report.pk) == 0  # once only
