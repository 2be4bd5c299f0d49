"""Tests run against real PostgreSQL and real Redis (see README)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "lantern-tests-not-secret"  # noqa: S105
LANTERN_DEMO_MODE = False

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/lantern"),
}
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/14")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
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
