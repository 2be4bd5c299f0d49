"""Issue 20, target 6: `docker compose up --scale web=2 --scale worker=2` works behind the proxy.

No Docker engine runs in CI, so these read docker-compose.yml and the proxy's nginx config and
check what scaling needs: only the proxy publishes a port, web and worker can have replicas, beat
stays one, the proxy finds every web replica and sets the headers the production settings trust,
and the environment reaches the settings (S3 storage, the reporting replica) when it is set."""

import json
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from riskassessment.forms import ChecklistImportForm
from tests.project.test_settings import run_manage

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
LANTERN_SERVICES = ("migrate", "web", "worker", "beat")
# What .env holds (the README's "The full stack" makes it).
DOT_ENV = {
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-compose-check-0123456789",
    "MFA_ENCRYPTION_KEY": "cHJvZHVjdGlvbi10ZXN0LWtleS1ub3Qtc2VjcmV0LTA=",
    "POSTGRES_PASSWORD": "pg",
    "LANTERN_DB_OWNER_PASSWORD": "owner",
    "LANTERN_DB_APP_PASSWORD": "app",
}


def _interpolate(value, environment):
    """docker compose's ${NAME}, ${NAME:-default}, ${NAME-default} and ${NAME:?error}."""

    def substitute(match):
        name, operator, argument = match.group(1), match.group(2) or "", match.group(3) or ""
        current = environment.get(name)
        if operator == ":-":
            return current if current else argument
        if operator == "-":
            return argument if current is None else current
        if operator == ":?":
            if not current:
                raise AssertionError(f"compose would refuse to start: {argument}")
            return current
        return current or ""

    return re.sub(r"\$\{(\w+)(?:(:-|-|:\?)([^}]*))?\}", substitute, str(value))


def _environment(service, environment):
    """The environment a service's containers get, given the shell's and .env's variables."""
    return {
        name: _interpolate(value, environment)
        for name, value in SERVICES[service]["environment"].items()
    }


def _nginx_directives():
    """(name, arguments) of every directive in the proxy's config, comments left out."""
    text = (ROOT / "docker" / "nginx" / "lantern.conf").read_text()
    text = re.sub(r"#[^\n]*", "", text)
    statements = re.split(r"[;{}]", text)
    return [tuple(s.split(maxsplit=1)) for s in (s.strip() for s in statements) if s]


def _directive(name):
    found = [arguments for directive, *arguments in _nginx_directives() if directive == name]
    return [arguments[0] if arguments else "" for arguments in found]


def _describe_settings(environment):
    """The production settings built from a service's environment, in a fresh process."""
    code = (
        "import json; from django.conf import settings as s;"
        "from django.core.files.storage import storages;"
        "print(json.dumps({"
        "'storage': type(storages['default']).__name__,"
        "'impact_storage': type(storages['impact_reports']).__name__,"
        "'bucket': getattr(storages['default'], 'bucket_name', None),"
        "'endpoint': getattr(storages['default'], 'endpoint_url', None),"
        "'acl': getattr(storages['default'], 'default_acl', None),"
        "'proxies': s.TRUSTED_PROXY_COUNT,"
        "'proxy_ssl_header': s.SECURE_PROXY_SSL_HEADER,"
        "'forwarded_host': s.USE_X_FORWARDED_HOST,"
        "'media_root': str(s.MEDIA_ROOT)}))"
    )
    environment = {**environment, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/lantern"}
    result = run_manage(
        "shell",
        "-c",
        code,
        env_extra=environment,
        settings_module=environment.pop("DJANGO_SETTINGS_MODULE"),
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_only_the_proxy_publishes_a_port():
    publishing = sorted(name for name, service in SERVICES.items() if service.get("ports"))
    assert publishing == ["proxy"]
    assert SERVICES["web"]["expose"] == ["8000"]


@pytest.mark.parametrize("service", ["web", "worker"])
def test_web_and_worker_can_have_replicas(service):
    definition = SERVICES[service]
    assert "container_name" not in definition
    assert "ports" not in definition
    assert definition.get("deploy", {}).get("replicas", 1) == 1  # --scale decides


def test_beat_stays_single():
    beat = SERVICES["beat"]
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert "scale" not in beat
    assert beat["command"].startswith("celery -A config beat")
    # No worker runs beat inside it (-B): a scaled worker would be a second beat.
    assert " -B" not in SERVICES["worker"]["command"]
    assert "--beat" not in SERVICES["worker"]["command"]


def test_the_proxy_sends_to_every_web_replica():
    proxy = SERVICES["proxy"]
    mounted = {volume.split(":")[1]: volume.split(":")[0] for volume in proxy["volumes"]}
    assert mounted["/etc/nginx/conf.d/default.conf"] == "./docker/nginx/lantern.conf"
    assert "web" in proxy["depends_on"]
    # Docker's DNS, asked again every few seconds through a variable upstream, so replicas
    # started or stopped by --scale are found.
    assert _directive("resolver") == ["127.0.0.11 valid=10s ipv6=off"]
    assert _directive("set") == ["$lantern_web http://web:8000"]
    assert _directive("proxy_pass") == ["$lantern_web"]
    # The port web listens on (config/gunicorn.py binds 8000).
    assert "0.0.0.0:8000" in (ROOT / "config" / "gunicorn.py").read_text()


def test_the_proxy_sets_the_headers_the_production_settings_trust():
    headers = dict(value.split(maxsplit=1) for value in _directive("proxy_set_header"))
    # Overwritten with the proxy's own scheme, never a client's (SECURE_PROXY_SSL_HEADER).
    assert headers["X-Forwarded-Proto"] == "$scheme"
    # The address the proxy saw goes last: TRUSTED_PROXY_COUNT=1 reads it.
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    # The Host with its port, as the browser's Origin has it (CSRF checks one against the other).
    assert headers["Host"] == "$http_host"
    assert "X-Forwarded-Host" not in headers

    described = _describe_settings(_environment("web", DOT_ENV))

    assert described["proxy_ssl_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert described["forwarded_host"] is False
    assert described["proxies"] == 1


def test_the_proxy_takes_uploads_as_large_as_lantern_does():
    (limit,) = _directive("client_max_body_size")
    limit_bytes = int(limit.removesuffix("m")) * 1024 * 1024
    # Room for the largest file Lantern takes (a case document) and the form around it, so
    # Lantern itself says what is too large; far larger is refused at the proxy.
    largest = max(ChecklistImportForm.MAX_BYTES, settings.DOCUMENT_MAX_BYTES)
    assert largest < limit_bytes <= 2 * largest
    assert limit_bytes >= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert _directive("error_page") == ["413 @too_large"]


def test_every_long_running_service_has_a_health_check():
    for name in ("proxy", "web", "worker", "postgres", "redis"):
        assert SERVICES[name]["healthcheck"]["test"], name
    assert "/proxy-health" in " ".join(SERVICES["proxy"]["healthcheck"]["test"])
    assert "= /proxy-health" in _directive("location")
    assert "inspect ping" in SERVICES["worker"]["healthcheck"]["test"][1]
    # Marked HTTPS as the proxy marks it, or production's SSL redirect would answer it.
    assert "'X-Forwarded-Proto': 'https'" in SERVICES["web"]["healthcheck"]["test"][-1]


def test_every_replica_shares_the_generated_files():
    for name in LANTERN_SERVICES:
        assert "media:/app/media" in SERVICES[name]["volumes"], name
        assert _environment(name, DOT_ENV)["MEDIA_ROOT"] == "/app/media"
    assert "media" in COMPOSE["volumes"]


def test_by_default_files_stay_on_the_shared_volume_and_reports_on_the_main_database():
    for name in LANTERN_SERVICES:
        environment = _environment(name, DOT_ENV)
        assert environment["STORAGE_BACKEND"] == "filesystem", name
        assert environment["REPORTING_DATABASE_URL"] == "", name

    described = _describe_settings(_environment("worker", DOT_ENV))

    assert described["storage"] == described["impact_storage"] == "FileSystemStorage"
    assert described["media_root"] == "/app/media"


def test_s3_and_the_reporting_replica_are_passed_through_when_set():
    passed = {
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": "lantern-files",
        "AWS_S3_ENDPOINT_URL": "http://minio:9000",
        "AWS_S3_REGION_NAME": "eu-west-2",
        "AWS_ACCESS_KEY_ID": "key-id",
        "AWS_SECRET_ACCESS_KEY": "key-secret",
        "REPORTING_DATABASE_URL": "postgres://lantern_app:app@replica:5432/lantern",
    }
    shell = {**DOT_ENV, **passed}
    for name in LANTERN_SERVICES:
        environment = _environment(name, shell)
        assert {variable: environment.get(variable) for variable in passed} == passed, name

    described = _describe_settings(_environment("worker", shell))

    assert described["storage"] == described["impact_storage"] == "S3Storage"
    assert described["bucket"] == "lantern-files"
    assert described["endpoint"] == "http://minio:9000"
    assert described["acl"] == "private"
