"""Production: only what has no safe default. A missing or bad value fails at start-up."""

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be a long random value (50+ characters).")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
REDIS_URL = env("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "config.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "lantern",
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False
LANTERN_DEMO_MODE = False

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Only the static files change; generated files (exports, impact-report PDFs) are stored as in
# base, on the file system or in an S3-compatible bucket (STORAGE_BACKEND).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# TOTP secrets are encrypted with this key (accounts.mfa); the local default is public.
MFA_ENCRYPTION_KEYS = env.list("MFA_ENCRYPTION_KEY")
try:
    for _key in MFA_ENCRYPTION_KEYS:
        Fernet(_key)
except ValueError as error:
    raise ImproperlyConfigured("MFA_ENCRYPTION_KEY must be Fernet keys (see README).") from error
if not MFA_ENCRYPTION_KEYS or set(MFA_ENCRYPTION_KEYS) & set(MFA_DEFAULT_ENCRYPTION_KEYS):  # noqa: F405
    raise ImproperlyConfigured(
        "MFA_ENCRYPTION_KEY must be set to a Fernet key of its own (see README, Configuration)."
    )
