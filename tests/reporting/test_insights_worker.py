"""Insights results computed by a real Celery worker from the real Redis broker (not eager
mode): the page queues the result and shows progress, the worker stores it, the page then shows
the tables; a counted write in the result's service makes it stale and the next view computes
it again, a write in another service does not."""

import datetime
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting.models import InsightsResult
from tests.factories import CaseFactory, UserFactory
from tests.factories_outcomes import IntakeFormFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]
Status = InsightsResult.Status


def _intake(service, day):
    IntakeFormFactory(
        case=CaseFactory(service=service, opened_on=day),
        created_by=UserFactory(),
        completed_on=day,
        status="submitted",
        submitted_at=timezone.now(),
    )


def _wait_for_stored(result_id, seconds=120) -> InsightsResult:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = InsightsResult.objects.get(pk=result_id)
        if result.status in (Status.DONE, Status.FAILED):
            return result
        time.sleep(0.2)
    raise AssertionError(f"result still {result.status} after {seconds}s")


def _intakes(response):
    return response.context["report"].table("cases_used").current.row("Intake forms")[0]


def test_the_page_queues_the_worker_stores_and_the_page_then_shows_the_tables(
    celery_worker, client_for, manager, service, other_service
):
    today = timezone.localdate()
    for _ in range(2):
        _intake(service, today)
    data = {
        "period_kind": "custom",
        "start": (today - datetime.timedelta(days=30)).isoformat(),
        "end": today.isoformat(),
        "compare": "none",
        "services": [service.pk],
    }
    client = client_for(manager)

    queued = client.get(reverse("reporting:insights"), data)
    assert queued.context["report"] is None
    assert 'id="insights-progress"' in queued.content.decode()
    result = _wait_for_stored(queued.context["result"].pk)
    assert result.status == Status.DONE, result.error
    assert result.attempts == 1
    assert not result.is_snapshot

    # The status panel htmx polls now swaps in the tables; the page shows them at once.
    status_url = reverse("reporting:insights_result_status", args=[result.pk, "tables"])
    polled = client.get(f"{status_url}?{queued.context['query']}").content.decode()
    assert "Referral route" in polled and 'id="insights-progress"' not in polled
    shown = client.get(reverse("reporting:insights"), data)
    assert _intakes(shown) == 2

    # A write in another service: still fresh, nothing queued.
    _intake(other_service, today)
    assert _intakes(client.get(reverse("reporting:insights"), data)) == 2
    assert InsightsResult.objects.get(pk=result.pk).status == Status.DONE

    # A counted write in its service: stale; the next view queues it and the worker computes.
    _intake(service, today)
    stale = client.get(reverse("reporting:insights"), data)
    assert stale.context["report"] is None
    recomputed = _wait_for_stored(result.pk)
    assert recomputed.status == Status.DONE
    assert recomputed.computed_at > result.computed_at
    assert _intakes(client.get(reverse("reporting:insights"), data)) == 3


def test_a_failed_computation_is_retried_then_recorded_by_type(
    celery_worker, client_for, manager, service, monkeypatch, settings
):
    settings.IMPACT_REPORT_RETRY_BASE_SECONDS = 0
    calls = []

    def failing(**kwargs):
        calls.append(1)
        raise ZeroDivisionError("a message that could quote figures")

    monkeypatch.setattr("reporting.insights.results_store.insights_report", failing)
    client = client_for(manager)
    data = {
        "period_kind": "custom",
        "start": "2025-04-01",
        "end": "2025-06-30",
        "compare": "none",
        "services": [service.pk],
    }
    page = client.get(reverse("reporting:insights"), data)
    result = _wait_for_stored(page.context["result"].pk)
    assert result.status == Status.FAILED
    assert result.error == "ZeroDivisionError"
    assert result.attempts == 3 == len(calls)
    assert "could not be computed (ZeroDivisionError)" in (
        client.get(reverse("reporting:insights"), data).content.decode()
    )
