"""Issue 22 item 1: documents on a case. Type from the content, size limit, photos without
their metadata, scope (another service, a restricted case), audit of upload, download and
delete, and the virus scan with a real clamd refusing the EICAR test file."""

import io
import os
import shutil
import signal
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageSequence

from accounts.models import AuditEvent, Role
from cases import clamd
from cases.models import CaseDocument
from cases.services_documents import document_scan
from cases.tasks_documents import scan_document
from tests.factories import CaseFactory, ClientFactory, MembershipFactory

pytestmark = pytest.mark.django_db

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
GPS_TAG = 34853


@pytest.fixture
def storage_in_memory(settings, tmp_path):
    """Documents go through the storage API only: in memory here, and MEDIA_ROOT must stay
    absent (a write by path would create it)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_HOST = ""
    yield default_storage
    assert not settings.MEDIA_ROOT.exists()


@pytest.fixture
def case(service, caseworker):
    client = ClientFactory(service=service, first_name="Rosa", last_name="Ashdon")
    return CaseFactory(service=service, client=client, caseworker=caseworker)


def upload(http, case, name, content, *, title="Court letter", kind="court"):
    return http.post(
        reverse("cases:document_upload", args=[case.pk]),
        {"title": title, "kind": kind, "file": SimpleUploadedFile(name, content)},
    )


def stored_names(storage):
    if not storage.exists("case-documents"):
        return []
    return storage.listdir("case-documents")[1]


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_TAG] = {1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 40.0)}
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def still_gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (4, 4), 1).save(out, format="GIF")
    return out.getvalue()


def docx(with_document=True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if with_document:
            archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


# --- Type, size, metadata ---------------------------------------------------------------------


def test_a_pdf_is_stored_under_a_random_name_and_listed(
    storage_in_memory, client_for, caseworker, case
):
    http = client_for(caseworker)
    response = upload(http, case, "Rosa Ashdon court order.pdf", PDF)
    assert response.status_code == 302
    document = CaseDocument.objects.get(case=case)
    assert document.file_type == CaseDocument.FileType.PDF
    assert document.scan_status == CaseDocument.ScanStatus.NOT_SCANNED
    assert document.original_filename == "Rosa Ashdon court order.pdf"
    assert document.file.name.startswith("case-documents/")
    assert "rosa" not in document.file.name.lower() and "ashdon" not in document.file.name.lower()
    assert storage_in_memory.open(document.file.name).read() == PDF
    page = http.get(reverse("cases:document_list", args=[case.pk]))
    assert "Rosa Ashdon court order.pdf" in page.content.decode()
    assert reverse("cases:document_download", args=[case.pk, document.pk]) in page.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("statement.pdf", b"Just some plain text, not a PDF.", "its content is Plain text"),
        ("photo.png", jpeg_with_gps(), "its content is JPEG image"),
        ("letter.docx", docx(with_document=False), "cannot be kept on a case"),
        ("program.exe", b"MZ\x90\x00\x03\x00\x00\x00", "cannot be kept on a case"),
        ("notes.txt", "caf\u00e9".encode("latin-1"), "cannot be kept on a case"),
    ],
)
def test_the_type_comes_from_the_content_and_a_mismatch_is_refused(
    storage_in_memory, client_for, caseworker, case, name, content, message
):
    response = upload(client_for(caseworker), case, name, content)
    assert response.status_code == 200
    assert message in response.context["form"].errors["file"][0]
    assert not CaseDocument.objects.exists()
    assert stored_names(storage_in_memory) == []


@pytest.mark.parametrize(
    ("name", "content", "file_type"),
    [
        ("letter.docx", docx(), CaseDocument.FileType.DOCX),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, CaseDocument.FileType.DOC),
        ("notes.txt", "Safety plan notes \u2014 caf\u00e9".encode(), CaseDocument.FileType.TEXT),
        ("scan.gif", still_gif(), CaseDocument.FileType.GIF),
    ],
)
def test_each_accepted_type_is_recognised(
    storage_in_memory, client_for, caseworker, case, name, content, file_type
):
    assert upload(client_for(caseworker), case, name, content).status_code == 302
    assert CaseDocument.objects.get().file_type == file_type


def test_a_file_over_the_size_limit_is_refused_with_the_limit_named(
    storage_in_memory, settings, client_for, caseworker, case
):
    settings.DOCUMENT_MAX_BYTES = 1024
    response = upload(client_for(caseworker), case, "big.txt", b"a" * 2048)
    assert response.status_code == 200
    assert "at most 1.0\xa0KB" in response.context["form"].errors["file"][0]
    assert not CaseDocument.objects.exists()


def test_a_photo_loses_its_gps_location_and_other_metadata(
    storage_in_memory, client_for, caseworker, case
):
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as image:
        assert GPS_TAG in image.getexif()  # the test photo does carry a location
    assert upload(client_for(caseworker), case, "refuge.jpg", original, kind="photo").status_code
    document = CaseDocument.objects.get()
    stored = storage_in_memory.open(document.file.name).read()
    assert stored != original
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert image.size == (40, 30)
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
    assert b"PhoneMaker" not in stored
    assert document.size_bytes == len(stored)


def test_a_png_loses_its_text_chunks(storage_in_memory, client_for, caseworker, case):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Location", "51.5N 0.1W")
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, format="PNG", pnginfo=info)
    upload(client_for(caseworker), case, "shot.png", out.getvalue(), kind="photo")
    stored = storage_in_memory.open(CaseDocument.objects.get().file.name).read()
    assert b"Location" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (10, 10) and "Location" not in image.info


def animated_gif_with_hidden_details(frames=3, size=(12, 8)) -> bytes:
    """An animated GIF carrying a comment and an XMP packet with a location (an application
    extension, as image editors write it)."""
    palette = [value for index in range(256) for value in (index, 255 - index, index * 7 % 256)]
    images = []
    for index in range(frames):
        image = Image.new("P", size, index + 1)
        image.putpalette(palette)
        images.append(image)
    out = io.BytesIO()
    images[0].save(
        out,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=[100 * (index + 1) for index in range(frames)],
        loop=0,
        comment=b"Refuge at 12 Hidden Road",
    )
    xmp = b"<x:xmpmeta><exif:GPSLatitude>51,30.2N</exif:GPSLatitude></x:xmpmeta>"
    extension = b"\x21\xff\x0bXMP DataXMP" + xmp + bytes(range(0xFF, -1, -1)) + b"\x00"
    raw = out.getvalue()
    return raw[:-1] + extension + b"\x3b"  # before the trailer


def test_an_animated_gif_loses_its_comment_and_xmp_and_keeps_its_frames(
    storage_in_memory, client_for, caseworker, case
):
    original = animated_gif_with_hidden_details()
    assert b"Hidden Road" in original and b"GPSLatitude" in original
    response = upload(client_for(caseworker), case, "map.gif", original, kind="photo")
    assert response.status_code == 302
    document = CaseDocument.objects.get()
    stored = storage_in_memory.open(document.file.name).read()
    assert b"Hidden Road" not in stored and b"GPSLatitude" not in stored and b"XMP" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "GIF" and image.size == (12, 8)
        assert image.n_frames == 3 and image.info.get("loop") == 0
        durations = [frame.info.get("duration") for frame in ImageSequence.Iterator(image)]
        assert durations == [100, 200, 300]
        assert "comment" not in image.info
    assert document.size_bytes == len(stored)


def test_a_damaged_gif_is_refused_as_unreadable(storage_in_memory, client_for, caseworker, case):
    response = upload(client_for(caseworker), case, "scan.gif", b"GIF89a" + b"\0" * 20)
    assert response.status_code == 200
    assert "could not be read" in response.context["form"].errors["file"][0]
    assert not CaseDocument.objects.exists()


def test_an_animated_gif_too_large_to_clear_is_refused_with_a_way_forward(
    storage_in_memory, monkeypatch, client_for, caseworker, case
):
    from cases import document_content

    original = animated_gif_with_hidden_details(frames=4, size=(100, 100))
    monkeypatch.setattr(document_content, "GIF_MOST_PIXELS", 3 * 100 * 100)
    response = upload(client_for(caseworker), case, "big.gif", original, kind="photo")
    assert response.status_code == 200
    error = response.context["form"].errors["file"][0]
    assert "4 frames of 100 x 100" in error and "as a PNG" in error
    assert not CaseDocument.objects.exists()
    assert stored_names(storage_in_memory) == []


# --- Download, scope and audit ----------------------------------------------------------------


@pytest.fixture
def document(storage_in_memory, client_for, caseworker, case):
    upload(client_for(caseworker), case, "Rosa Ashdon order.pdf", PDF)
    return CaseDocument.objects.get()


def test_upload_is_in_the_change_history_without_the_title_or_name(document, caseworker):
    entry = LogEntry.objects.get_for_object(document).get(action=LogEntry.Action.CREATE)
    assert entry.actor == caseworker
    assert "Rosa" not in str(entry.changes)


def test_download_streams_an_attachment_and_is_audited(client_for, caseworker, case, document):
    response = client_for(caseworker).get(
        reverse("cases:document_download", args=[case.pk, document.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"{case.reference}-document-{document.pk}.pdf" in disposition
    assert "Rosa" not in disposition
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD, case_id=case.pk)
    assert event.actor == caseworker
    assert event.object_label == f"Document {document.pk}"


def test_a_file_missing_from_the_storage_is_404_not_an_error(
    storage_in_memory, client_for, caseworker, case, document
):
    storage_in_memory.delete(document.file.name)
    url = reverse("cases:document_download", args=[case.pk, document.pk])
    assert client_for(caseworker).get(url).status_code == 404


def test_another_service_gets_404_and_the_attempt_is_audited(client_for, outsider, case, document):
    http = client_for(outsider)
    assert http.get(reverse("cases:document_list", args=[case.pk])).status_code == 404
    url = reverse("cases:document_download", args=[case.pk, document.pk])
    assert http.get(url).status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DENIED, actor=outsider, case_id=case.pk
    ).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


def test_a_document_under_another_case_of_the_same_service_is_404(
    client_for, caseworker, service, case, document
):
    other_case = CaseFactory(service=service, caseworker=caseworker)
    url = reverse("cases:document_download", args=[other_case.pk, document.pk])
    assert client_for(caseworker).get(url).status_code == 404


def test_a_restricted_case_documents_follow_its_restriction(
    client_for, service, caseworker, case, document
):
    colleague = MembershipFactory(service=service, role=Role.CASEWORKER).user
    case.is_restricted = True
    case.save()
    case.restricted_to.add(caseworker)
    url = reverse("cases:document_download", args=[case.pk, document.pk])
    assert client_for(colleague).get(url).status_code == 404
    assert (
        client_for(colleague).get(reverse("cases:document_list", args=[case.pk])).status_code == 404
    )
    assert client_for(caseworker).get(url).status_code == 200


def test_delete_needs_a_reason_and_keeps_who_when_why(
    storage_in_memory, client_for, caseworker, case, document, django_capture_on_commit_callbacks
):
    http = client_for(caseworker)
    url = reverse("cases:document_delete", args=[case.pk, document.pk])
    response = http.post(url, {"reason": "  "})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    stored = document.file.name
    assert storage_in_memory.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):  # the file goes once this commits
        assert http.post(url, {"reason": "Uploaded to the wrong case"}).status_code == 302
    document.refresh_from_db()
    assert document.is_deleted and document.deleted_by == caseworker
    assert document.deletion_reason == "Uploaded to the wrong case"
    assert not document.file
    assert not storage_in_memory.exists(stored)
    entry = LogEntry.objects.get_for_object(document).filter(action=LogEntry.Action.UPDATE).last()
    assert entry.actor == caseworker and "deleted_at" in entry.changes_dict
    download = reverse("cases:document_download", args=[case.pk, document.pk])
    assert http.get(download).status_code == 404
    listing = http.get(reverse("cases:document_list", args=[case.pk])).content.decode()
    assert "Uploaded to the wrong case" in listing


def test_a_second_delete_of_the_same_document_is_refused(client_for, caseworker, case, document):
    from django.core.exceptions import ValidationError

    from cases.services_documents import document_delete

    stale = CaseDocument.objects.get(pk=document.pk)
    document_delete(document=document, actor=caseworker, reason="Duplicate")
    with pytest.raises(ValidationError, match="deleted meanwhile"):
        document_delete(document=stale, actor=caseworker, reason="Also a duplicate")
    document.refresh_from_db()
    assert document.deletion_reason == "Duplicate"


def test_a_read_only_member_can_list_and_download_but_not_upload_or_delete(
    client_for, service, case, document
):
    reader = MembershipFactory(service=service, role=Role.CASEWORKER, read_only=True).user
    http = client_for(reader)
    assert http.get(reverse("cases:document_list", args=[case.pk])).status_code == 200
    assert upload(http, case, "x.txt", b"text").status_code == 403
    delete = reverse("cases:document_delete", args=[case.pk, document.pk])
    assert http.post(delete, {"reason": "no"}).status_code == 403
    assert CaseDocument.objects.filter(deleted_at__isnull=True).count() == 1


# --- The virus scan, with a real clamd ----------------------------------------------------------


@pytest.fixture(scope="module")
def clamd_socket():
    """A clamd of our own, knowing one signature: the EICAR test file's MD5, built with sigtool
    (CI cannot download ClamAV's signature updates)."""
    clamd_binary, sigtool = shutil.which("clamd"), shutil.which("sigtool")
    if clamd_binary is None or sigtool is None:
        pytest.skip("clamd is not installed (scripts/install-system-deps installs it)")
    # A short path: a unix socket's path is limited to about 100 characters.
    folder = Path(tempfile.mkdtemp(prefix="clamd-"))
    (folder / "db").mkdir()
    (folder / "eicar.com").write_bytes(EICAR)
    signature = subprocess.run(  # noqa: S603 - Debian's sigtool, fixed arguments
        [sigtool, "--md5", "eicar.com"], cwd=folder, check=True, capture_output=True, text=True
    ).stdout.strip()
    md5, size, _ = signature.split(":")
    (folder / "db" / "test.hdb").write_text(f"{md5}:{size}:Eicar-Test-Signature\n")
    socket_path = folder / "clamd.sock"
    (folder / "clamd.conf").write_text(
        f"LocalSocket {socket_path}\n"
        f"DatabaseDirectory {folder / 'db'}\n"
        f"PidFile {folder / 'clamd.pid'}\n"
        f"LogFile {folder / 'clamd.log'}\n"
        f"TemporaryDirectory {folder}\n"
        "Foreground false\n"
    )
    # Foreground false: clamd forks and writes its pid file, which the teardown stops.
    subprocess.run(  # noqa: S603 - Debian's clamd with our own config file
        [clamd_binary, "-c", str(folder / "clamd.conf")], check=True, timeout=60
    )
    deadline = time.monotonic() + 60
    while not socket_path.exists():
        if time.monotonic() > deadline:
            raise RuntimeError((folder / "clamd.log").read_text())
        time.sleep(0.1)
    yield str(socket_path)
    pid_file = folder / "clamd.pid"
    if pid_file.exists():
        os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def scanner_on(settings, storage_in_memory, clamd_socket):
    settings.CLAMD_SOCKET = clamd_socket
    return clamd_socket


def test_the_client_reads_clamd_answers(scanner_on):
    # clamd marks a signature from outside ClamAV's own databases ".UNOFFICIAL".
    found = clamd.ScanResult(clean=False, finding="Eicar-Test-Signature.UNOFFICIAL")
    assert clamd.scan_bytes(EICAR) == found
    assert clamd.scan_bytes(b"A harmless letter.") == clamd.ScanResult(clean=True)


def test_an_infected_upload_is_refused_for_download_flagged_and_removed(
    scanner_on, storage_in_memory, client_for, caseworker, case, django_capture_on_commit_callbacks
):
    http = client_for(caseworker)
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        assert upload(http, case, "eicar.txt", EICAR).status_code == 302
    assert len(enqueued) == 1  # the scan task, enqueued once the upload commits
    document = CaseDocument.objects.get()
    assert document.scan_status == CaseDocument.ScanStatus.PENDING
    download = reverse("cases:document_download", args=[case.pk, document.pk])

    pending = http.get(download)
    assert pending.status_code == 409
    assert "being checked" in pending.content.decode()
    listing = http.get(reverse("cases:document_list", args=[case.pk])).content.decode()
    assert "Being checked" in listing and download not in listing

    stored = document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        scan_document(document.pk)  # the task's function, run here as the worker runs it
    document.refresh_from_db()
    assert document.scan_status == CaseDocument.ScanStatus.INFECTED
    assert document.scan_finding == "Eicar-Test-Signature.UNOFFICIAL"
    assert not document.file and not storage_in_memory.exists(stored)
    flagged = AuditEvent.objects.get(action=AuditEvent.Action.ADMIN, case_id=case.pk)
    assert flagged.detail == {"document_scan": "infected", "finding": document.scan_finding}

    refused = http.get(download)
    assert refused.status_code == 403
    assert "Eicar-Test-Signature" in refused.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DENIED, case_id=case.pk, detail__scan_status="infected"
    ).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


def test_a_clean_upload_becomes_downloadable_after_the_scan(
    scanner_on, client_for, caseworker, case, django_capture_on_commit_callbacks
):
    http = client_for(caseworker)
    with django_capture_on_commit_callbacks(execute=False):
        upload(http, case, "letter.pdf", PDF)
    document = CaseDocument.objects.get()
    assert document_scan(document_id=document.pk) == CaseDocument.ScanStatus.CLEAN
    assert document_scan(document_id=document.pk) is None  # idempotent: scanned once
    response = http.get(reverse("cases:document_download", args=[case.pk, document.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


def test_an_unreachable_scanner_leaves_the_document_pending(
    settings, storage_in_memory, client_for, caseworker, case, django_capture_on_commit_callbacks
):
    settings.CLAMD_SOCKET = "/nonexistent/clamd.sock"
    with django_capture_on_commit_callbacks(execute=False):
        upload(client_for(caseworker), case, "letter.pdf", PDF)
    document = CaseDocument.objects.get()
    with pytest.raises(clamd.ScannerError):
        document_scan(document_id=document.pk)
    document.refresh_from_db()
    assert document.scan_status == CaseDocument.ScanStatus.PENDING
    assert not document.is_downloadable


def test_a_document_left_pending_is_scanned_again_by_the_sweep(
    settings,
    storage_in_memory,
    client_for,
    caseworker,
    case,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    import datetime

    from django.utils import timezone

    from cases import tasks_documents

    settings.CLAMD_SOCKET = "/nonexistent/clamd.sock"
    with django_capture_on_commit_callbacks(execute=False):
        upload(client_for(caseworker), case, "letter.pdf", PDF)
        upload(client_for(caseworker), case, "later.pdf", PDF)
    stale, _recent = CaseDocument.objects.order_by("pk")
    stale.uploaded_at = timezone.now() - datetime.timedelta(minutes=60)
    stale.save(update_fields=["uploaded_at"])
    queued = []
    monkeypatch.setattr(tasks_documents.scan_document, "delay", queued.append)

    tasks_documents.requeue_stale_document_scans()

    # Only the one waiting well past its scan; a fresh upload's own task is still due.
    assert queued == [stale.pk]
    assert settings.CELERY_BEAT_SCHEDULE["requeue-stale-document-scans"]["task"] == (
        "cases.tasks_documents.requeue_stale_document_scans"
    )


# --- Demo data ----------------------------------------------------------------------------------


def test_demo_documents_are_a_pdf_and_a_note_on_open_cases_once(
    storage_in_memory, service, caseworker, case
):
    from cases.demo_documents import seed_demo_documents

    seed_demo_documents(services={"CIV": service})
    seed_demo_documents(services={"CIV": service})  # idempotent
    documents = CaseDocument.objects.filter(case=case).order_by("file_type")
    assert [d.file_type for d in documents] == ["pdf", "text"]
    pdf = storage_in_memory.open(documents[0].file.name).read()
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert all(d.is_downloadable for d in documents)


# --- Erasure ------------------------------------------------------------------------------------


@pytest.mark.parametrize("keep_stub", [True, False])
def test_erasing_the_client_takes_the_documents_files(
    storage_in_memory, manager, case, document, keep_stub, django_capture_on_commit_callbacks
):
    from dataprotection import erasure

    stored = document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        erasure.erase_client(case.client, actor=manager, reason="retention", keep_stub=keep_stub)
    assert not storage_in_memory.exists(stored)
    if keep_stub:
        document.refresh_from_db()
        assert not document.file and document.original_filename == ""
        assert document.title == "Erased"
    else:
        assert not CaseDocument.objects.filter(pk=document.pk).exists()
