"""Issue 16, item 11 (and the /healthz half of item 10): /healthz answers from a cache, so the
worker ping (a full second) runs at most once per HEALTHZ_CACHE_SECONDS however often it is
asked, and it reports stuck impact report jobs."""

import datetime

import pytest
from django.utils import timezone
from health_check.checks import Database
from health_check.contrib.celery import Ping

from reporting.models import ImpactReport
from tests.factories_impact import QUARTER, ImpactReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def checks_run(monkeypatch):
    """Counts the runs of the database check and of the worker ping (which answers)."""
    runs = {"ping": 0, "database": 0}
    real_database_run = Database.run

    def ping(self):
        runs["ping"] += 1

    def database(self):
        runs["database"] += 1
        return real_database_run(self)

    monkeypatch.setattr(Ping, "run", ping)
    monkeypatch.setattr(Database, "run", database)
    return runs


def test_item_11_two_calls_in_a_row_ping_the_worker_once(client, checks_run):
    first = client.get("/healthz")
    second = client.get("/healthz")

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["checks"]["worker"] == "ok"
    assert checks_run == {"ping": 1, "database": 1}


def test_item_11_a_stale_answer_is_checked_again(client, checks_run, settings):
    settings.HEALTHZ_CACHE_SECONDS = 0
    client.get("/healthz")
    client.get("/healthz")
    assert checks_run["ping"] == 2


def test_item_11_while_one_request_refreshes_the_others_answer_from_the_cache(
    client, checks_run, settings
):
    from django.core.cache import cache

    from accounts.health import REFRESHING_KEY

    client.get("/healthz")
    settings.HEALTHZ_CACHE_SECONDS = 0  # the answer is now stale ...
    cache.add(REFRESHING_KEY, 1)  # ... and another request is refreshing it
    assert client.get("/healthz").status_code == 200
    assert checks_run["ping"] == 1


def _job(**fields):
    return ImpactReportFactory(
        title="Q1", period_start=QUARTER.start, period_end=QUARTER.end, **fields
    )


def test_item_10_healthz_reports_a_stuck_job(client, checks_run):
    _job(
        status=ImpactReport.Status.RUNNING,
        attempts=1,
        worker_token="dead",
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "ok", "worker": "ok", "jobs": "stuck"},
    }


def test_item_10_healthz_is_ok_with_a_job_that_heartbeats(client, checks_run):
    _job(
        status=ImpactReport.Status.RUNNING,
        attempts=1,
        worker_token="alive",
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=10),
    )
    _job(status=ImpactReport.Status.QUEUED, queued_at=timezone.now())
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"]["jobs"] == "ok"
