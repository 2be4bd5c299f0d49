"""/healthz: database, Redis and worker status, by name, with no hosts, URLs or errors shown."""

import asyncio

from celery import current_app
from django.conf import settings
from django.http import JsonResponse
from health_check.checks import Database
from health_check.contrib.celery import Ping
from health_check.contrib.redis import Redis
from health_check.views import HealthCheckView
from redis.asyncio import Redis as RedisClient


def named_checks():
    checks = [("database", Database())]
    if settings.REDIS_URL:
        checks.append(
            ("redis", Redis(client_factory=lambda: RedisClient.from_url(settings.REDIS_URL)))
        )
        checks.append(("worker", Ping(app=current_app)))
    return checks


class HealthView(HealthCheckView):
    """django-health-check's checks, reported as {"database": "ok", ...}; 503 when any fails.

    Error texts stay out of the answer: they can name hosts or drivers.
    """

    async def get(self, request, *args, **kwargs):
        checks = named_checks()
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for _, check in checks))
        status = {
            name: "ok" if result.error is None else "unavailable"
            for (name, _), result in zip(checks, results, strict=True)
        }
        if not settings.REDIS_URL:
            # Embedded mode: tasks run in the web process, so there is no worker to ask.
            status["redis"] = "not configured"
            status["worker"] = "in-process"
        healthy = all(result.error is None for result in results)
        return JsonResponse(
            {"status": "ok" if healthy else "unavailable", "checks": status},
            status=200 if healthy else 503,
        )
