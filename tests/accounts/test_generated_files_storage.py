"""Issue 20, target 6: generated files (exports, impact-report PDFs) are written, read and
deleted only through Django's storage API, so an S3-compatible bucket can hold them when several
web servers and workers share them. Here the storages are Django's InMemoryStorage and
MEDIA_ROOT points at a folder that must never appear: any write by path would create it."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from accounts import exports
from accounts.models import AuditEvent, ExportFile
from reporting.impact import services
from reporting.models import ImpactReport

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7 stand-in"


@pytest.fixture
def storages_in_memory(settings, tmp_path):
    """Every file storage in memory (the shape of the test settings: impact-report PDFs use the
    default storage when no "impact_reports" storage is set), and a MEDIA_ROOT that must stay
    absent."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    yield default_storage
    assert not settings.MEDIA_ROOT.exists(), "a generated file was written by path"


@pytest.fixture
def fast_pdf(monkeypatch):
    """Stands in for WeasyPrint: these tests are about where the PDF goes, not its layout."""
    monkeypatch.setattr("reporting.impact.render.render_pdf", lambda report, content: (PDF, 1))


def _files(storage, folder):
    """Every file name stored under `folder`, at any depth."""
    if not storage.exists(folder):
        return []
    folders, files = storage.listdir(folder)
    names = [f"{folder}/{name}" for name in files]
    for child in folders:
        names += _files(storage, f"{folder}/{child}")
    return sorted(names)


def _ask_for_and_build_a_report(http, service, django_capture_on_commit_callbacks):
    """A manager asks through the page; the build then runs as the worker runs it."""
    with django_capture_on_commit_callbacks():
        http.post(
            reverse("reporting:impact_create"),
            {
                "title": "Trustees' report",
                "quarter": "",
                "start": "2026-04-01",
                "end": "2026-06-30",
                "services": [service.pk],
            },
        )
    report = ImpactReport.objects.get()
    _build(report)
    return report


def _build(report):
    assert services.impact_report_claim(report_id=report.pk, worker_token="worker-1")
    services.impact_report_build(report_id=report.pk, worker_token="worker-1")
    report.refresh_from_db()


def test_an_impact_pdf_and_its_xlsx_export_go_through_the_storage_only(
    storages_in_memory, fast_pdf, client_for, manager, service, django_capture_on_commit_callbacks
):
    http = client_for(manager)
    report = _ask_for_and_build_a_report(http, service, django_capture_on_commit_callbacks)

    assert report.status == ImpactReport.Status.DONE
    assert _files(storages_in_memory, "impact-reports") == [report.pdf.name]
    download = http.get(reverse("reporting:impact_download", args=[report.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF

    made = http.post(reverse("reporting:impact_xlsx", args=[report.pk]))
    export = ExportFile.objects.get(owner=manager)
    assert made.status_code == 302
    assert _files(storages_in_memory, "exports") == [export.file.name]
    xlsx = http.get(made.url)
    assert xlsx.status_code == 200
    body = b"".join(xlsx.streaming_content)
    assert body[:2] == b"PK"  # an XLSX is a zip
    assert body == storages_in_memory.open(export.file.name).read()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).count() == 2


def test_a_rebuilt_report_replaces_its_pdf_only_once_committed(
    storages_in_memory, fast_pdf, client_for, manager, service, django_capture_on_commit_callbacks
):
    http = client_for(manager)
    report = _ask_for_and_build_a_report(http, service, django_capture_on_commit_callbacks)
    first = report.pdf.name
    with django_capture_on_commit_callbacks():
        http.post(reverse("reporting:impact_rebuild", args=[report.pk]))

    with django_capture_on_commit_callbacks() as after_commit:
        _build(report)
        # Until the row naming the new PDF is committed, the old one is still there.
        assert storages_in_memory.exists(first)
    for callback in after_commit:
        callback()

    assert report.pdf.name != first
    assert _files(storages_in_memory, "impact-reports") == [report.pdf.name]


def test_a_build_that_cannot_record_its_pdf_leaves_no_file(
    storages_in_memory, fast_pdf, client_for, manager, service, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        client_for(manager).post(
            reverse("reporting:impact_create"),
            {"title": "Q", "start": "2026-04-01", "end": "2026-06-30", "services": [service.pk]},
        )
    report = ImpactReport.objects.get()
    assert services.impact_report_claim(report_id=report.pk, worker_token="worker-1")

    def refuse(*args, **kwargs):
        raise RuntimeError("database went away")

    original = services.set_status
    services.set_status = refuse
    try:
        with pytest.raises(RuntimeError):
            services.impact_report_build(report_id=report.pk, worker_token="worker-1")
    finally:
        services.set_status = original

    assert _files(storages_in_memory, "impact-reports") == []
    report.refresh_from_db()
    assert report.status == ImpactReport.Status.RUNNING and not report.pdf


def test_an_export_that_cannot_be_audited_leaves_no_file(
    storages_in_memory, manager, service, monkeypatch
):
    def refuse(**kwargs):
        raise RuntimeError("audit write failed")

    monkeypatch.setattr(exports, "record_event", refuse)
    with pytest.raises(RuntimeError):
        exports.export_file_create(
            owner=manager,
            kind="insights_csv",
            filename="insights.csv",
            content=b"table,count\n",
            content_type="text/csv",
            service=service,
        )

    assert not ExportFile.objects.exists()
    assert _files(storages_in_memory, "exports") == []


def test_expired_exports_are_deleted_from_the_storage(storages_in_memory, manager, service):
    made = [
        exports.export_file_create(
            owner=manager,
            kind="insights_csv",
            filename=f"insights-{n}.csv",
            content=b"table,count\n",
            content_type="text/csv",
            service=service,
        )
        for n in range(2)
    ]
    ExportFile.objects.filter(pk=made[0].pk).update(expires_at=timezone.now())

    assert exports.purge_expired_exports() == 1

    assert _files(storages_in_memory, "exports") == [made[1].file.name]
    assert list(ExportFile.objects.all()) == [made[1]]


def test_a_file_missing_from_storage_is_a_clear_answer_not_an_error(
    storages_in_memory, fast_pdf, client_for, manager, service, django_capture_on_commit_callbacks
):
    http = client_for(manager)
    report = _ask_for_and_build_a_report(http, service, django_capture_on_commit_callbacks)
    export = exports.export_file_create(
        owner=manager,
        kind="insights_csv",
        filename="insights.csv",
        content=b"table,count\n",
        content_type="text/csv",
        service=service,
    )
    storages_in_memory.delete(report.pdf.name)
    storages_in_memory.delete(export.file.name)

    gone = http.get(reverse("accounts:export_download", args=[export.token]))
    assert gone.status_code == 410
    assert b"no longer available" in gone.content

    missing = http.get(reverse("reporting:impact_download", args=[report.pk]), follow=True)
    assert missing.redirect_chain == [(reverse("reporting:impact_detail", args=[report.pk]), 302)]
    assert b"PDF could not be found" in missing.content
    # Nothing was handed over, so nothing is recorded as downloaded.
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()
