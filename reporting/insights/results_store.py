"""Insights results computed once by a Celery job, stored, and reused until the data they count
change (reporting.freshness): the page, its exports, the At a glance and Key findings pages and
the `insights_report` command all read an InsightsResult, and none computes a report in a
web request.

A result's states and the only moves between them:

    queued -> running        a worker (or the command) claims it
    running -> done          the report is stored
    running -> queued        a retry after an error
    running -> failed        out of attempts
    done/failed -> queued    its data changed (not a snapshot), or a manager asks again

A closed period's result (the period and any comparison both ended before the day it was
computed) is a snapshot: shown as it was, even after later changes, with a note and a button
to compute it again."""

import datetime
import hashlib
import json
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts import access

from ..freshness import versions_of
from ..models import InsightsResult
from ..periods import Period
from .engine import ReportFilters
from .report import may_switch_suppression_off
from .shown import ShownReport, insights_report, report_from_json, report_to_json

logger = logging.getLogger(__name__)
Status = InsightsResult.Status

MAX_ATTEMPTS = 3
# A result of an open period not computed for this long is deleted (insights_results_purge).
KEEP_OPEN_RESULTS = datetime.timedelta(days=30)


def stale_running_after() -> datetime.timedelta:
    """A running computation older than the task's hard time limit has lost its worker."""
    return datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def requeue_queued_after() -> datetime.timedelta:
    """A result queued this long has lost its message (a broker restart): send it again."""
    return datetime.timedelta(seconds=getattr(settings, "INSIGHTS_REQUEUE_SECONDS", 120))


@dataclass(frozen=True)
class ResultKey:
    """Everything that changes the figures of a report."""

    period: Period
    comparison: Period | None
    filters: ReportFilters
    suppress_below: int | None

    def fields(self) -> dict:
        return {
            "period_start": self.period.start,
            "period_end": self.period.end,
            "comparison_start": self.comparison.start if self.comparison else None,
            "comparison_end": self.comparison.end if self.comparison else None,
            "service_ids": sorted(self.filters.service_ids),
            "team_ids": sorted(self.filters.team_ids),
            "risk_levels": sorted(self.filters.risk_levels),
            "suppress_below": self.suppress_below,
        }

    @property
    def hash(self) -> str:
        canonical = json.dumps(self.fields(), sort_keys=True, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def is_closed(self, today: datetime.date) -> bool:
        """Both periods ended before today: nothing in them is still being recorded."""
        return self.period.end < today and (self.comparison is None or self.comparison.end < today)


def key_of(result: InsightsResult) -> ResultKey:
    comparison = None
    if result.comparison_start is not None:
        comparison = Period(result.comparison_start, result.comparison_end)
    return ResultKey(
        period=Period(result.period_start, result.period_end),
        comparison=comparison,
        filters=ReportFilters(
            service_ids=tuple(result.service_ids),
            team_ids=tuple(result.team_ids),
            risk_levels=tuple(result.risk_levels),
        ),
        suppress_below=result.suppress_below,
    )


# --- Reads ------------------------------------------------------------------------------------


def result_get_for_user(user, result_id: int) -> InsightsResult:
    """A result the user may report on (every one of its services); the same 404 for missing
    and forbidden."""
    result = InsightsResult.objects.filter(pk=result_id).first()
    allowed = access.service_ids_with(user, access.Capability.RUN_REPORTS)
    if result is None or not set(result.service_ids) <= set(allowed):
        raise Http404
    if result.suppress_below is None and not may_switch_suppression_off(
        user, _periods(result), result.service_ids
    ):
        # Computed for someone who may see a short period's small numbers (named on its
        # restricted cases): not for this user, whose form would keep them suppressed.
        raise Http404
    return result


def _periods(result: InsightsResult) -> list[Period | None]:
    comparison = None
    if result.comparison_start is not None:
        comparison = Period(result.comparison_start, result.comparison_end)
    return [Period(result.period_start, result.period_end), comparison]


def result_is_fresh(result: InsightsResult) -> bool:
    """Computed, and no write to its services since (asked once per instance: a view asks
    several times)."""
    if result.result is None:
        return False
    if getattr(result, "_fresh_at", None) != result.data_versions:
        result._fresh = result.data_versions == versions_of(result.service_ids)
        result._fresh_at = result.data_versions
    return result._fresh


def _may_show(result: InsightsResult) -> bool:
    """Stored, and fresh or a snapshot of a closed period (a snapshot being computed again
    shows its old figures meanwhile)."""
    return result.result is not None and (result.is_snapshot or result_is_fresh(result))


def result_to_show(result: InsightsResult) -> ShownReport | None:
    """The stored report, when it may be shown: fresh, or a snapshot of a closed period."""
    return report_from_json(result.result) if _may_show(result) else None


def result_changed_since(result: InsightsResult) -> bool:
    """A snapshot whose data changed after it was computed (the page says so)."""
    return result.result is not None and not result_is_fresh(result)


# --- Writes -----------------------------------------------------------------------------------


def _enqueue(result_id: int) -> None:
    from ..tasks import compute_insights_result

    # After commit: the worker must see the queued row, and nothing is sent if the write fails.
    transaction.on_commit(lambda: compute_insights_result.delay(result_id))


def _queue(result: InsightsResult, now) -> None:
    result.status = Status.QUEUED
    result.queued_at = now
    result.attempts = 0
    result.error = ""
    result.worker_token = ""
    result.save()
    _enqueue(result.pk)


def insights_result_request(*, key: ResultKey) -> InsightsResult:
    """The stored result of these filters, queued for computing when it cannot be shown
    (_request). With tasks in-process (the embedded demo: no Redis) the job has run by the
    time the queuing transaction commits, so the row is read again: the first request shows
    the tables."""
    # Most views find a result they may show: read without a lock, so viewers of one result
    # never wait on each other; only queueing takes the row lock.
    result = InsightsResult.objects.filter(key_hash=key.hash).first()
    if result is None or result.status != Status.DONE or not _may_show(result):
        result = _request(key)
    if result.status in (Status.QUEUED, Status.RUNNING) and settings.CELERY_TASK_ALWAYS_EAGER:
        result.refresh_from_db()
    return result


@transaction.atomic
def _request(key: ResultKey) -> InsightsResult:
    """The stored result of these filters, queued for computing when it cannot be shown.

    1. Lock (or create) the key's row, so two requests queue one job.
    2. Queued or running: left to its worker; sent again if queued so long that its message
       must have been lost, or running past the task's time limit (its worker was killed).
    3. Fresh, or a snapshot of a closed period: shown as it is. Failed: shown as failed, for a
       manager to ask again (an error that would recur is not retried on every page view).
    4. Otherwise (new, or its data changed): queued, the job sent after commit.
    """
    now = timezone.now()
    result, created = InsightsResult.objects.select_for_update().get_or_create(
        key_hash=key.hash, defaults={**key.fields(), "queued_at": now}
    )
    if created:
        _enqueue(result.pk)
        return result
    if result.status in (Status.QUEUED, Status.RUNNING):
        lost = (
            result.queued_at is None or now - result.queued_at > requeue_queued_after()
            if result.status == Status.QUEUED
            else result.started_at is None or now - result.started_at > stale_running_after()
        )
        if lost:
            # The claim takes a running one over once it is this old (its worker was killed).
            result.queued_at = now
            result.save(update_fields=["queued_at", "updated_at"])
            _enqueue(result.pk)
        return result
    if _may_show(result):
        return result
    if result.status == Status.FAILED:
        return result
    _queue(result, now)
    return result


@transaction.atomic
def insights_result_recompute(*, result_id: int) -> InsightsResult:
    """A manager asks for a result again (a snapshot after late records, or a failed one)."""
    result = InsightsResult.objects.select_for_update().get(pk=result_id)
    if result.status not in (Status.QUEUED, Status.RUNNING):
        _queue(result, timezone.now())
    return result


def insights_result_claim(*, result_id: int, worker_token: str) -> bool:
    """Takes the computation for this attempt. True when the caller should compute it.

    1. Lock the row, so two deliveries of the task cannot both claim it.
    2. Done, failed or missing: nothing to do (the task is idempotent by result id).
    3. Running: take it over only if this is the same message redelivered or its worker has
       been silent past the task's time limit; otherwise another worker is on it.
    4. Out of attempts: failed. Otherwise running, the attempt counted.
    """
    now = timezone.now()
    with transaction.atomic():
        result = InsightsResult.objects.select_for_update().filter(pk=result_id).first()
        if result is None or result.status in (Status.DONE, Status.FAILED):
            return False
        if result.status == Status.RUNNING:
            same_message = result.worker_token == worker_token
            stale = result.started_at is None or now - result.started_at > stale_running_after()
            if not (same_message or stale):
                return False
        if result.attempts >= MAX_ATTEMPTS:
            result.status = Status.FAILED
            result.error = result.error or "OutOfAttempts"
            result.save()
            return False
        result.status = Status.RUNNING
        result.attempts += 1
        result.worker_token = worker_token
        result.started_at = now
        result.save()
    return True


def insights_result_compute(*, result_id: int, worker_token: str) -> bool:
    """Computes the report of a claimed result and stores it, exactly as the page showed it
    when it computed in the request (tables and analyses). False when another attempt took
    the job over meanwhile (nothing is written).

    The data versions are read before the report: a write while it computes leaves the
    stored result stale, so it is computed again, never stale-but-fresh."""
    result = InsightsResult.objects.get(pk=result_id)
    key = key_of(result)
    versions = versions_of(key.filters.service_ids)
    started = time.monotonic()
    report = insights_report(
        period=key.period,
        filters=key.filters,
        comparison_period=key.comparison,
        suppress_below=key.suppress_below,
        analyses=True,
    )
    stored = report_to_json(report)
    duration_ms = int((time.monotonic() - started) * 1000)
    today = timezone.localdate()
    with transaction.atomic():
        updated = InsightsResult.objects.filter(
            pk=result_id, status=Status.RUNNING, worker_token=worker_token
        ).update(
            status=Status.DONE,
            result=stored,
            data_versions=versions,
            computed_at=timezone.now(),
            duration_ms=duration_ms,
            is_snapshot=key.is_closed(today),
            error="",
            updated_at=timezone.now(),
        )
    logger.info("insights result %s computed in %s ms", result_id, duration_ms)
    return bool(updated)


def insights_result_attempt_failed(
    *, result_id: int, worker_token: str, will_retry: bool, error: str
) -> None:
    """Records a failed attempt (the exception's type only): queued again for the retry, or
    failed."""
    InsightsResult.objects.filter(
        pk=result_id, status=Status.RUNNING, worker_token=worker_token
    ).update(
        status=Status.QUEUED if will_retry else Status.FAILED,
        error=error[:200],
        queued_at=timezone.now(),
        updated_at=timezone.now(),
    )


def insights_results_purge(*, older_than: datetime.timedelta = KEEP_OPEN_RESULTS) -> int:
    """Deletes the finished results of open periods not computed for `older_than` (a view
    computes them again); snapshots of closed periods are kept. The number deleted."""
    deleted, _ = InsightsResult.objects.filter(
        is_snapshot=False,
        status__in=(Status.DONE, Status.FAILED),
        updated_at__lt=timezone.now() - older_than,
    ).delete()
    return deleted


def insights_result_now(*, key: ResultKey, wait_seconds: float | None = None) -> InsightsResult:
    """The fresh stored result of these filters, computed here and stored when there is none
    (the command line: no worker needed). The same claim as a worker's: a job a worker is
    running meanwhile is waited for, not computed twice at once."""
    result = insights_result_request(key=key)
    if result.status in (Status.DONE, Status.FAILED) and not result_is_fresh(result):
        # The command prints current figures: a snapshot its data changed since, or a failed
        # result, is computed again.
        result = insights_result_recompute(result_id=result.pk)
    token = f"command-{result.pk}-{time.monotonic_ns()}"
    deadline = time.monotonic() + (
        stale_running_after().total_seconds() if wait_seconds is None else wait_seconds
    )
    while result.status in (Status.QUEUED, Status.RUNNING):
        if insights_result_claim(result_id=result.pk, worker_token=token):
            try:
                insights_result_compute(result_id=result.pk, worker_token=token)
            except Exception as exc:
                insights_result_attempt_failed(
                    result_id=result.pk,
                    worker_token=token,
                    will_retry=False,
                    error=type(exc).__name__,
                )
                raise
        elif time.monotonic() > deadline:
            break
        else:
            time.sleep(0.5)
        result.refresh_from_db()
    return result
