"""/healthz: database, Redis, worker and the apps' own checks (stuck jobs), by name, with no
hosts, URLs or errors shown; answered from a cache.

The checks are not cheap: a fresh database connection, a Redis connection, and a Celery ping
that waits its whole second for workers to answer. The endpoint is anonymous, so clients
looping on it once slowed every page. The checks therefore run at most once every
HEALTHZ_CACHE_SECONDS across all web processes (the answer lives in the shared cache), and
while one request refreshes a stale answer the others keep answering from it.

Apps add checks in AppConfig.ready() with register_health_check (accounts imports no app).
"""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.contrib.celery import Ping
from health_check.contrib.redis import Redis
from health_check.views import HealthCheckView
from redis.asyncio import Redis as RedisClient

ANSWER_KEY = "healthz:answer"
REFRESHING_KEY = "healthz:refreshing"
# Statuses that are not failures: embedded mode has no Redis and runs tasks in-process.
HEALTHY = {"ok", "not configured", "in-process"}


@dataclass(frozen=True)
class RegisteredCheck:
    name: str
    make: Callable[[], HealthCheck]
    failed_status: str


_registered: dict[str, RegisteredCheck] = {}


def register_health_check(
    name: str, make: Callable[[], HealthCheck], failed_status: str = "unavailable"
) -> None:
    """Adds a check reported under `name`: "ok", or `failed_status` when it fails."""
    _registered[name] = RegisteredCheck(name, make, failed_status)


def cache_seconds() -> int:
    return settings.HEALTHZ_CACHE_SECONDS


def named_checks() -> list[tuple[str, HealthCheck, str]]:
    checks = [("database", Database(), "unavailable")]
    if settings.REDIS_URL:
        checks.append(
            (
                "redis",
                Redis(client_factory=lambda: RedisClient.from_url(settings.REDIS_URL)),
                "unavailable",
            )
        )
        checks.append(("worker", Ping(app=current_app), "unavailable"))
    checks += [(check.name, check.make(), check.failed_status) for check in _registered.values()]
    return checks


async def _cached(method: str, *args, **kwargs):
    """The cache, or None when it cannot be reached (Redis down): the checks then run live,
    and the redis check says why."""
    try:
        return await getattr(cache, method)(*args, **kwargs)
    except Exception:
        return None


class HealthView(HealthCheckView):
    """django-health-check's checks, reported as {"database": "ok", ...}; 503 when any fails.

    Error texts stay out of the answer: they can name hosts or drivers.
    """

    async def get(self, request, *args, **kwargs):
        status = await self.current_status()
        healthy = all(value in HEALTHY for value in status.values())
        return JsonResponse(
            {"status": "ok" if healthy else "unavailable", "checks": status},
            status=200 if healthy else 503,
        )

    async def current_status(self) -> dict[str, str]:
        """1. A fresh cached answer is the answer.
        2. A stale one: the first request to take the refresh lock runs the checks; the
           others answer from the stale one meanwhile.
        3. None at all (cold start, or the cache is down): run the checks."""
        answer = await _cached("aget", ANSWER_KEY)
        now = time.time()
        if answer and now - answer["at"] < cache_seconds():
            return answer["checks"]
        if answer and not await _cached("aadd", REFRESHING_KEY, 1, timeout=15):
            return answer["checks"]
        status = await self.run_checks()
        # Kept past its freshness so that the answer can be served while it is refreshed.
        await _cached(
            "aset", ANSWER_KEY, {"at": now, "checks": status}, timeout=10 * cache_seconds()
        )
        await _cached("adelete", REFRESHING_KEY)
        return status

    async def run_checks(self) -> dict[str, str]:
        checks = named_checks()
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for _, check, _ in checks))
        status = {
            name: "ok" if result.error is None else failed
            for (name, _, failed), result in zip(checks, results, strict=True)
        }
        if not settings.REDIS_URL:
            # Embedded mode: tasks run in the web process, so there is no worker to ask.
            status["redis"] = "not configured"
            status["worker"] = "in-process"
        return status
