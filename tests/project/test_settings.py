import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "lantern.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/lantern",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "MFA_ENCRYPTION_KEY": "cHJvZHVjdGlvbi10ZXN0LWtleS1ub3Qtc2VjcmV0LTA=",
}


def run_manage(*args, env_extra, settings_module):
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env.update(env_extra)
    env["DJANGO_SETTINGS_MODULE"] = settings_module
    return subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra=PRODUCTION_ENV,
        settings_module="config.settings.production",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    for weak in ("", "short-secret"):
        env = dict(PRODUCTION_ENV, SECRET_KEY=weak)
        result = run_manage("check", env_extra=env, settings_module="config.settings.production")
        assert result.returncode != 0
        assert "SECRET_KEY" in result.stderr


def test_embedded_default_uses_sqlite_and_in_process_tasks():
    code = (
        "import django, os;"
        "django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"]


def test_configured_urls_switch_to_postgresql_and_real_workers():
    code = (
        "import django;"
        "django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)"
    )
    env = dict(os.environ, **PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="config.settings.local")
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    engine, eager, broker = result.stdout.split()
    assert engine == "django.db.backends.postgresql"
    assert eager == "False"
    assert broker == PRODUCTION_ENV["REDIS_URL"]


def test_passwords_hash_with_argon2_outside_tests():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_celery_is_configured_for_safe_redelivery():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_TASK_SERIALIZER == "json"
    assert settings.CELERY_ACCEPT_CONTENT == ["json"]
    assert (
        settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
        > settings.CELERY_TASK_TIME_LIMIT
    )
