"""Settings shared by every environment, read from the environment with django-environ.

With nothing configured Lantern runs on a SQLite file and runs Celery tasks in-process (the
embedded default). With DATABASE_URL and REDIS_URL set it uses PostgreSQL and real workers.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The product name only: a client may see a caseworker's screen, so nothing here names abuse.
LANTERN_PRODUCT_NAME = "Lantern"
# Demo mode marks the demo users' second factor as set up and says so on every page.
LANTERN_DEMO_MODE = env.bool("LANTERN_DEMO_MODE", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "auditlog",
    "health_check",
    "accounts",
    "cases",
    "referrals",
    "riskassessment",
    "support",
    "outcomes",
    "reporting",
    "reporting.bundle",
    "dataprotection",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Outside the session middleware: quick exit is answered even if the session write fails.
    "accounts.lock.QuickExitShieldMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.audit.AuditContextMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.lock.ScreenLockMiddleware",
    "accounts.lock.ActivityTrackingMiddleware",
    "accounts.middleware.RequireSecondFactorMiddleware",
    "accounts.middleware.CurrentServiceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "accounts.middleware.AuditRefusalsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "accounts.context_processors.lantern",
            ],
        },
    },
]

# Databases: SQLite file by default, PostgreSQL (psycopg 3) from DATABASE_URL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded demo serves several people at once: WAL lets reads go on beside a write, a
    # writer waits for the lock instead of failing, and IMMEDIATE transactions take the write
    # lock up front (a read transaction that later writes cannot wait: it fails "locked").
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- The reporting database (issue 20) -------------------------------------------------------
# Reports and exports read from a replica (a read-only hot standby) when REPORTING_DATABASE_URL
# is set: the "reporting" alias, used only inside reporting.database.reporting_reads().
REPORTING_DATABASE_URL = env("REPORTING_DATABASE_URL", default="")
if REPORTING_DATABASE_URL:
    DATABASES["reporting"] = env.db("REPORTING_DATABASE_URL")
    DATABASES["reporting"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
DATABASE_ROUTERS = ["config.routers.ReportingRouter"]
# --- end of the reporting database ------------------------------------------------------------
# PostgreSQL: the role the web and worker processes connect as, which owns nothing (see
# accounts/database_roles.py). Set it where migrations run (as the owner) so that each migrate
# grants that role what it needs; empty grants nothing (SQLite, or a single-role set-up).
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", default="")

# One REDIS_URL serves Celery's broker, its results and the cache. Empty means embedded mode.
REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "lantern",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "lantern_cache",
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# NCSC: length over composition, block common and breached passwords, no forced rotation.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        # Django's default attributes name fields this User model does not have.
        "OPTIONS": {"user_attributes": ["full_name", "email"]},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "accounts.passwords.BreachedPasswordValidator"},
    {"NAME": "accounts.passwords.RepetitivePasswordValidator"},
    {"NAME": "accounts.passwords.MaximumLengthValidator"},
]

# django-allauth: e-mail login, no self sign-up (admins create accounts), every user has a second
# factor (enforced by accounts.middleware.RequireSecondFactorMiddleware).
ACCOUNT_ADAPTER = "accounts.adapters.LanternAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Lantern] "
# Lockout (accounts.adapters.LanternAccountAdapter.pre_authenticate): five failed sign-ins for
# one account from one address in 15 minutes lock that account at that address; ten for one
# account from anywhere lock the account (and limit second-factor codes, which allauth counts
# under the same name per user). Behind a reverse proxy a whole office may share one
# address, so the per-address limit is only flood protection, far above what a team mistypes:
# it cannot lock an office out. The admin site signs in through this same form.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "300/15m/ip,10/15m/key",
    "login_failed_account_address": "5/15m/key",
    "login": "60/m/ip",
    "reset_password": "5/h/ip,3/h/key",
    "reauthenticate": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# TOTP secrets and recovery-code seeds are stored Fernet-encrypted (accounts.mfa). A comma-separated
# list rotates keys: the first encrypts, all decrypt. Production requires its own; this fixed
# default is for local use and tests only.
MFA_ADAPTER = "accounts.mfa.LanternMFAAdapter"
MFA_DEFAULT_ENCRYPTION_KEYS = ["bGFudGVybi1sb2NhbC1vbmx5LW5vdC1zZWNyZXQtMDA="]
MFA_ENCRYPTION_KEYS = env.list("MFA_ENCRYPTION_KEY", default=MFA_DEFAULT_ENCRYPTION_KEYS)
MFA_TOTP_ISSUER = LANTERN_PRODUCT_NAME
MFA_RECOVERY_CODE_COUNT = 10
USERSESSIONS_TRACK_ACTIVITY = True

# Sessions: end after 30 minutes idle, at browser close, and after 10 hours whatever happens
# (accounts.middleware.SessionLifetimeMiddleware). The session is not written on every request:
# its last activity is recorded at most once a SESSION_ACTIVITY_REFRESH_SECONDS, and that write
# renews the row's expiry, so a page view writes nothing but its audit row. An idle session ends
# 30 minutes after its last recorded activity: between 29 and 30 minutes after its last request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
# With Redis, sessions are read from the cache and written through to the database (a request
# reads no session row); ending a session goes through the session store, which deletes both
# (accounts.services.end_all_sessions). Without Redis the cache is a database table: plain rows.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
SESSION_ACTIVITY_REFRESH = timedelta(
    seconds=env.int("SESSION_ACTIVITY_REFRESH_SECONDS", default=60)
)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=env.int("SESSION_MAX_HOURS", default=10))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Content-Security-Policy: everything from this origin, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Permissions-Policy: Lantern uses no device or browser feature, so a page (or anything injected
# into one) may use none of them.
DENIED_BROWSER_FEATURES = (
    "accelerometer",
    "ambient-light-sensor",
    "autoplay",
    "bluetooth",
    "browsing-topics",
    "camera",
    "display-capture",
    "encrypted-media",
    "gamepad",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "interest-cohort",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "otp-credentials",
    "payment",
    "picture-in-picture",
    "publickey-credentials-create",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "web-share",
    "window-management",
    "xr-spatial-tracking",
)
PERMISSIONS_POLICY: dict[str, list[str]] = {feature: [] for feature in DENIED_BROWSER_FEATURES}
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# One way of writing a date on every screen: "3 Dec 2026", with a time "3 Dec 2026, 14:05"
# (templates write the same with |date:"j M Y"; Python messages use formats.date_format).
# A locale's own formats win over these settings, so config/formats/ hands them to en-GB.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Backups (dataprotection.backup, `scripts/backup`): where they are written, and the file holding
# the passphrase they are encrypted with (kept apart from the backups; README, "Backups").
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(BASE_DIR / "backups")))
BACKUP_KEY_FILE = env("BACKUP_KEY_FILE", default="")
MEDIA_URL = "/media-not-served/"  # files are served only through scoped, audited views
# Generated files (exports, impact-report PDFs) are written and read only through the storage
# API, so several web servers and workers can share them (docs/scaling.md). STORAGE_BACKEND
# "filesystem" keeps them under MEDIA_ROOT; "s3" puts them in an S3-compatible bucket (AWS, MinIO,
# Ceph...). Files are never linked to: downloads stream through Lantern's scoped, audited views,
# so the bucket stays private and its pre-signed URLs are never handed out.
STORAGE_BACKEND = env("STORAGE_BACKEND", default="") or "filesystem"
if STORAGE_BACKEND == "s3":
    if not env("AWS_STORAGE_BUCKET_NAME", default=""):
        raise environ.ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME.")
    GENERATED_FILES_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            # Empty means AWS itself; set for another S3-compatible store.
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env("AWS_S3_REGION_NAME", default="") or None,
            # Empty means boto3 finds them itself (an instance or task role).
            "access_key": env("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default="") or None,
            # Empty sends no ACL, for buckets with ACLs switched off (their policy decides).
            "default_acl": env("AWS_DEFAULT_ACL", default="private") or None,
            # Signed if a URL is ever made, never a public one; Lantern makes none.
            "querystring_auth": True,
            "querystring_expire": 60,
            # Names are random already: a clash gets a new name, never overwrites a file.
            "file_overwrite": False,
        },
    }
elif STORAGE_BACKEND == "filesystem":
    GENERATED_FILES_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    # django-environ's name for Django's ImproperlyConfigured, as for a missing variable.
    raise environ.ImproperlyConfigured(
        f"STORAGE_BACKEND must be 'filesystem' or 's3', not {STORAGE_BACKEND!r}."
    )
STORAGES = {
    # Exports (accounts.ExportFile, under exports/) and anything else without its own storage.
    "default": GENERATED_FILES_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Finished impact-report PDFs (under impact-reports/): with the other generated files, unless
    # IMPACT_REPORT_STORAGE names a backend of their own (configured by its own settings).
    "impact_reports": (
        {"BACKEND": env("IMPACT_REPORT_STORAGE")}
        if env("IMPACT_REPORT_STORAGE", default="")
        else GENERATED_FILES_STORAGE
    ),
}
# The address in notification e-mails (which carry a link, never data).
LANTERN_BASE_URL = env("LANTERN_BASE_URL", default="http://127.0.0.1:8000")

# Documents on a case (cases.services_documents): the largest file accepted, and the virus
# scanner (ClamAV's clamd, by unix socket or host and port). With no scanner, documents are
# stored as "not scanned"; configure one in production.
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
CLAMD_SOCKET = env("CLAMD_SOCKET", default="")
CLAMD_HOST = env("CLAMD_HOST", default="")
CLAMD_PORT = env.int("CLAMD_PORT", default=3310)
CLAMD_TIMEOUT_SECONDS = env.int("CLAMD_TIMEOUT_SECONDS", default=60)

# Export files are offered through links that expire.
EXPORT_LINK_HOURS = env.int("EXPORT_LINK_HOURS", default=24)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Lantern <lantern@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: broker and results on Redis; without REDIS_URL, tasks run in-process (embedded mode).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=15 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=14 * 60)
# Redis redelivers a task not acknowledged within the visibility timeout: keep it well above the
# longest task's hard time limit, or a long report would be built twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT}
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    "purge-expired-exports": {
        "task": "accounts.tasks.purge_expired_exports_task",
        "schedule": timedelta(hours=24),
    },
    "purge-old-form-submissions": {
        "task": "accounts.tasks.purge_old_form_submissions_task",
        "schedule": timedelta(hours=24),
    },
    # Last quarter's impact report for each service, early on the first day of each quarter.
    "quarterly-impact-reports": {
        "task": "reporting.tasks.schedule_quarterly_impact_reports",
        "schedule": crontab(minute=0, hour=5, day_of_month=1, month_of_year="1,4,7,10"),
    },
    # Impact-report jobs whose worker died or whose message was lost go back on the queue.
    "requeue-stale-impact-reports": {
        "task": "reporting.tasks.requeue_stale_impact_reports",
        "schedule": timedelta(minutes=1),
    },
    # Stored Insights results of open periods nobody has had computed for a month (custom
    # dates, old filters); closed periods' snapshots are kept.
    # Case documents still waiting for their virus scan long after upload (the scanner was
    # down, a worker died) are scanned again.
    "requeue-stale-document-scans": {
        "task": "cases.tasks_documents.requeue_stale_document_scans",
        "schedule": timedelta(minutes=5),
    },
    "purge-old-insights-results": {
        "task": "reporting.tasks.purge_old_insights_results",
        "schedule": timedelta(hours=24),
    },
    # Records past their retention date listed for each service manager's review, early each
    # morning. It erases nothing: the manager approves (dataprotection/retention/).
    "list-retention-due": {
        "task": "dataprotection.tasks.list_retention_due",
        "schedule": crontab(minute=30, hour=4),
    },
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Impact-report jobs: a running build beats from its own thread every HEARTBEAT seconds; one
# silent for STALE seconds has lost its worker and is requeued by the sweep above. A queued job
# may wait behind a whole build, so its limit is longer than a task's hard limit.
IMPACT_REPORT_HEARTBEAT_SECONDS = env.int("IMPACT_REPORT_HEARTBEAT_SECONDS", default=15)
IMPACT_REPORT_STALE_SECONDS = env.int("IMPACT_REPORT_STALE_SECONDS", default=60)
IMPACT_REPORT_QUEUED_STALE_SECONDS = env.int(
    "IMPACT_REPORT_QUEUED_STALE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60
)
# /healthz runs its checks (a worker ping costs about a second) at most this often.
HEALTHZ_CACHE_SECONDS = env.int("HEALTHZ_CACHE_SECONDS", default=30)
# Small numbers: suppression stays on for periods shorter than this, for anyone not named on a
# restricted case open in the period.
INSIGHTS_MIN_UNSUPPRESSED_DAYS = env.int("INSIGHTS_MIN_UNSUPPRESSED_DAYS", default=28)
# Case bundle import: a line is one case with all its records (the largest the exporter writes
# is tens of KiB); a longer line is refused without being read whole.
CASE_BUNDLE_MAX_LINE_BYTES = env.int("CASE_BUNDLE_MAX_LINE_BYTES", default=1024 * 1024)

# The client's address, for the audit trail and the sign-in limits alike
# (accounts.adapters.client_address): REMOTE_ADDR, or with TRUSTED_PROXY_COUNT reverse proxies in
# front, the address the outermost of them saw in X-Forwarded-For. The older
# AUDIT_TRUST_X_FORWARDED_FOR=true still means one proxy.
TRUSTED_PROXY_COUNT = env.int(
    "TRUSTED_PROXY_COUNT",
    default=1 if env.bool("AUDIT_TRUST_X_FORWARDED_FOR", default=False) else 0,
)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_REMOTE_ADDR = False

# Logs carry IDs and event names, never client details.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's request logger prints full URLs and bodies of failing requests.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
