"""Tests run against real PostgreSQL and real Redis (see README)."""

import os
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "lantern-tests-not-secret"  # noqa: S105
LANTERN_DEMO_MODE = False

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/lantern"),
}

# --- The reporting database (issue 20) -------------------------------------------------------
# A second alias on the test database (a mirror of default), so that tests can route a report
# to it: reporting.database uses it only where a test sets REPORTING_DATABASE_URL.
REPORTING_DATABASE_URL = ""
DATABASES["reporting"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
# --- end of the reporting database ------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/14")


def redis_url_for_xdist_worker(url: str, worker: str) -> str:
    """REDIS_URL's database moved up by the pytest-xdist worker's number (gw0 +0, gw1 +1, ...).

    Each worker needs a Redis database of its own: every test starts with cache.clear(), which
    flushes the whole database (the other workers' rate-limit counts and Celery queues with it),
    and a worker's "is a Celery worker answering?" must not hear another worker's Celery worker.
    """
    parts = urlsplit(url)
    database = int(parts.path.lstrip("/") or 0) + int(worker.removeprefix("gw"))
    if database > 15:  # Redis has 16 databases unless configured otherwise
        raise ImproperlyConfigured(
            f"pytest-xdist worker {worker} would use Redis database {database}: run fewer "
            "workers or point REDIS_URL at a lower database."
        )
    return urlunsplit(parts._replace(path=f"/{database}"))


if os.environ.get("PYTEST_XDIST_WORKER"):
    REDIS_URL = redis_url_for_xdist_worker(REDIS_URL, os.environ["PYTEST_XDIST_WORKER"])
CACHES = {
    "default": {
        "BACKEND": "config.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "lantern-test",
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
# Tasks go through the broker to a real worker in tests that need one (celery.contrib.pytest);
# eager mode would hide serialisation and transaction bugs.
CELERY_TASK_ALWAYS_EAGER = False

# Argon2 at full strength makes a test suite crawl; the hasher itself is tested in settings tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Rate limits use the cache; tests of lockout set their own counts.
