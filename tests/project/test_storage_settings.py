"""Issue 20, target 6: STORAGE_BACKEND chooses where generated files go. The settings are read
at start-up, so each case starts a fresh process with its own environment; building an
S3Storage makes no network call, so no bucket is needed."""

import json

from tests.project.test_settings import PRODUCTION_ENV, run_manage

DESCRIBE_STORAGES = """
import json
from django.core.files.storage import storages
from reporting.models import ImpactReport

described = {}
for alias in ("default", "impact_reports", "staticfiles"):
    storage = storages[alias]
    described[alias] = {
        "class": f"{type(storage).__module__}.{type(storage).__name__}",
        "bucket": getattr(storage, "bucket_name", None),
        "endpoint": getattr(storage, "endpoint_url", None),
        "region": getattr(storage, "region_name", None),
        "acl": getattr(storage, "default_acl", None),
        "signed": getattr(storage, "querystring_auth", None),
        "overwrite": getattr(storage, "file_overwrite", None),
    }
described["pdf_field"] = type(ImpactReport._meta.get_field("pdf").storage).__name__
print(json.dumps(described))
"""

S3_ENV = {
    "STORAGE_BACKEND": "s3",
    "AWS_STORAGE_BUCKET_NAME": "lantern-generated-files",
    "AWS_S3_ENDPOINT_URL": "http://minio.internal:9000",
    "AWS_S3_REGION_NAME": "eu-west-2",
    "AWS_ACCESS_KEY_ID": "test-access-key",
    "AWS_SECRET_ACCESS_KEY": "test-secret-key",
}


def _storages(env_extra):
    result = run_manage(
        "shell",
        "-c",
        DESCRIBE_STORAGES,
        env_extra={"STORAGE_BACKEND": "", "IMPACT_REPORT_STORAGE": "", **env_extra},
        settings_module="config.settings.production",
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_s3_builds_private_s3_storages_from_the_environment():
    described = _storages({**PRODUCTION_ENV, **S3_ENV})

    for alias in ("default", "impact_reports"):
        storage = described[alias]
        assert storage["class"] == "storages.backends.s3.S3Storage"
        assert storage["bucket"] == "lantern-generated-files"
        assert storage["endpoint"] == "http://minio.internal:9000"
        assert storage["region"] == "eu-west-2"
        assert storage["acl"] == "private"
        assert storage["signed"] is True
        assert storage["overwrite"] is False
    # The impact-report PDFs' field resolves to the S3 storage too.
    assert described["pdf_field"] == "S3Storage"
    # Static files stay with WhiteNoise.
    assert described["staticfiles"]["class"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


def test_the_default_is_the_file_system():
    described = _storages(PRODUCTION_ENV)

    assert described["default"]["class"] == "django.core.files.storage.filesystem.FileSystemStorage"
    assert described["impact_reports"]["class"] == described["default"]["class"]


def test_s3_credentials_and_endpoint_may_come_from_elsewhere():
    """Empty endpoint and keys (as docker compose passes them when unset) mean AWS itself and
    boto3's own credential search (an instance or task role)."""
    env = {
        **PRODUCTION_ENV,
        **S3_ENV,
        "AWS_S3_ENDPOINT_URL": "",
        "AWS_ACCESS_KEY_ID": "",
        "AWS_SECRET_ACCESS_KEY": "",
    }
    described = _storages(env)

    assert described["default"]["class"] == "storages.backends.s3.S3Storage"
    assert described["default"]["endpoint"] is None


def test_s3_without_a_bucket_refuses_to_start():
    unset = {**PRODUCTION_ENV, **S3_ENV}
    del unset["AWS_STORAGE_BUCKET_NAME"]
    # docker compose passes an unset variable as an empty one.
    empty = {**PRODUCTION_ENV, **S3_ENV, "AWS_STORAGE_BUCKET_NAME": ""}
    for env in (unset, empty):
        result = run_manage("check", env_extra=env, settings_module="config.settings.production")
        assert result.returncode != 0
        assert "needs AWS_STORAGE_BUCKET_NAME" in result.stderr


def test_an_unknown_storage_backend_refuses_to_start():
    env = {**PRODUCTION_ENV, "STORAGE_BACKEND": "ftp"}
    result = run_manage("check", env_extra=env, settings_module="config.settings.production")
    assert result.returncode != 0
    assert "STORAGE_BACKEND must be 'filesystem' or 's3'" in result.stderr


def test_choosing_s3_needs_no_migration():
    """The PDF field names its storage by a function, and exports use the default storage:
    switching backends changes no model, so a deployment on S3 finds no missing migration."""
    result = run_manage(
        "makemigrations",
        "--check",
        "--dry-run",
        env_extra={**PRODUCTION_ENV, **S3_ENV},
        settings_module="config.settings.production",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout
