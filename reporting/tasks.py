"""Background jobs of the reporting app. Tasks carry IDs only and call services.

build_impact_report is idempotent by the job id: a finished job is left alone, a job held by a
live worker is left to it, and acks_late + reject_on_worker_lost (settings) put the message
back when a worker dies mid-job, so the same message claims the job again. The sweep catches
anything else (a lost message, a worker killed by the time limit)."""

import logging

from celery import shared_task
from django.conf import settings

from .impact import services
from .insights import results_store
from .insights.results_store import MAX_ATTEMPTS as MAX_INSIGHTS_ATTEMPTS

logger = logging.getLogger(__name__)


def retry_countdown(retries: int) -> int:
    """Exponential backoff: base, 2 x base, 4 x base ..."""
    base = getattr(settings, "IMPACT_REPORT_RETRY_BASE_SECONDS", 30)
    return base * (2**retries)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=services.MAX_ATTEMPTS - 1)
def build_impact_report(self, report_id: int):
    token = self.request.id or f"local-{report_id}"
    if not services.impact_report_claim(report_id=report_id, worker_token=token):
        return
    try:
        services.impact_report_build(report_id=report_id, worker_token=token)
    except services.JobLost:
        logger.warning("impact report %s: taken over by another attempt", report_id)
    except Exception as exc:
        will_retry = self.request.retries < self.max_retries
        # Only the exception's type is kept: its message could quote figures or data.
        services.impact_report_attempt_failed(
            report_id=report_id,
            worker_token=token,
            will_retry=will_retry,
            error=type(exc).__name__,
        )
        logger.exception("impact report %s: attempt failed", report_id)
        if will_retry:
            raise self.retry(countdown=retry_countdown(self.request.retries)) from None


@shared_task(acks_late=True, ignore_result=True)
def requeue_stale_impact_reports():
    services.impact_reports_requeue_stale()


@shared_task(acks_late=True, ignore_result=True)
def schedule_quarterly_impact_reports():
    services.impact_reports_schedule_quarter()


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=MAX_INSIGHTS_ATTEMPTS - 1)
def compute_insights_result(self, result_id: int):
    """Computes and stores one Insights result (reporting.insights.results_store): idempotent
    by the result id, as build_impact_report is."""
    token = self.request.id or f"local-{result_id}"
    if not results_store.insights_result_claim(result_id=result_id, worker_token=token):
        return
    try:
        if not results_store.insights_result_compute(result_id=result_id, worker_token=token):
            logger.warning("insights result %s: taken over by another attempt", result_id)
    except Exception as exc:
        will_retry = self.request.retries < self.max_retries
        # Only the exception's type is kept: its message could quote figures or data.
        results_store.insights_result_attempt_failed(
            result_id=result_id, worker_token=token, will_retry=will_retry, error=type(exc).__name__
        )
        logger.exception("insights result %s: attempt failed", result_id)
        if will_retry:
            raise self.retry(countdown=retry_countdown(self.request.retries)) from None


@shared_task(acks_late=True, ignore_result=True)
def purge_old_insights_results():
    results_store.insights_results_purge()
