"""Writes of case documents: upload, the virus scan's verdict, deletion with a reason.

Each rule is here once: the size limit, the type from the content, the stripping of photos'
metadata, and when a document may be downloaded (CaseDocument.is_downloadable).
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from accounts import access
from accounts.audit import record_event
from accounts.idempotency import claim_form_token
from accounts.models import AuditEvent, User

from . import clamd
from .document_content import EXTENSIONS, checked_type, without_metadata
from .models import Case, CaseDocument

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def max_bytes() -> int:
    return getattr(settings, "DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def _require_edit(actor, case: Case) -> None:
    if not access.can(actor, access.Capability.EDIT_CASES, case.service_id):
        raise PermissionDenied


def _remove_file_after_commit(document: CaseDocument) -> None:
    stored = document.file.name
    if stored:
        storage = document.file.storage
        transaction.on_commit(lambda: storage.delete(stored))


@transaction.atomic
def document_upload(
    *, case: Case, actor: User, title: str, kind: str, upload, form_token=None
) -> CaseDocument:
    """Keeps `upload` (a Django UploadedFile) on the case.

    1. Refuses a file over DOCUMENT_MAX_BYTES, before reading it.
    2. Finds the type from the content and refuses an unknown type, or a name that says
       another type (ValidationError on "file").
    3. Re-encodes JPEG and PNG images without their metadata (GPS location in particular).
    4. Stores it under a random name through the storage API; the uploaded name is kept only
       as a field.
    5. With a scanner configured, the document is pending until the scan (a task enqueued
       after commit) finds it clean; without one it is "not scanned" and downloadable.
    """
    _require_edit(actor, case)
    claim = claim_form_token(form_token, actor=actor)
    limit = max_bytes()
    if upload.size > limit:
        raise ValidationError(
            {
                "file": (
                    f"The file is {filesizeformat(upload.size)}; documents can be at most "
                    f"{filesizeformat(limit)}. Save a smaller copy (a PDF of fewer pages, a "
                    "photo at a lower resolution) and upload that."
                )
            }
        )
    content = upload.read()
    original_filename = (upload.name or "")[-255:]
    file_type = checked_type(content=content, filename=original_filename)
    content = without_metadata(content, file_type)
    scan_status = (
        CaseDocument.ScanStatus.PENDING
        if clamd.scanner_configured()
        else CaseDocument.ScanStatus.NOT_SCANNED
    )
    document = CaseDocument(
        case=case,
        title=title.strip(),
        kind=kind,
        original_filename=original_filename,
        file_type=file_type,
        size_bytes=len(content),
        uploaded_by=actor,
        uploaded_at=timezone.now(),
        scan_status=scan_status,
    )
    document.full_clean(exclude=["file"])
    extension = sorted(EXTENSIONS[file_type])[0]
    document.file.save(f"document.{extension}", ContentFile(content), save=False)
    try:
        document.save()
    except Exception:
        document.file.storage.delete(document.file.name)
        raise
    if scan_status == CaseDocument.ScanStatus.PENDING:
        from .tasks_documents import scan_document

        transaction.on_commit(lambda: scan_document.delay(document.pk))
    return claim.record(document)


def document_scan(*, document_id: int) -> str | None:
    """Scans a pending document with clamd and records the verdict; returns the new status
    (None when there was nothing to scan). ScannerError propagates (the task retries).

    1. Reads the stored file and scans it, holding no lock (a scan takes a while).
    2. Locks the row and records the verdict if it is still pending and not deleted meanwhile.
    3. Infected: the file leaves the storage after commit, the document is flagged and never
       downloadable, and the finding is in the audit trail.
    """
    document = CaseDocument.objects.filter(pk=document_id).first()
    if (
        document is None
        or document.scan_status != CaseDocument.ScanStatus.PENDING
        or not document.file
    ):
        return None
    with document.file.open("rb") as stored:
        content = stored.read()
    result = clamd.scan_bytes(content)
    with transaction.atomic():
        document = (
            CaseDocument.objects.select_for_update()
            .select_related("case")
            .filter(pk=document_id)
            .first()
        )
        if document is None or document.scan_status != CaseDocument.ScanStatus.PENDING:
            return None
        document.scanned_at = timezone.now()
        if result.clean:
            document.scan_status = CaseDocument.ScanStatus.CLEAN
            document.save(update_fields=["scan_status", "scanned_at", "updated_at"])
            return document.scan_status
        document.scan_status = CaseDocument.ScanStatus.INFECTED
        document.scan_finding = result.finding
        _remove_file_after_commit(document)
        document.file = ""
        document.save(
            update_fields=["scan_status", "scanned_at", "scan_finding", "file", "updated_at"]
        )
        record_event(
            actor=None,
            action=AuditEvent.Action.ADMIN,
            service=document.case.service_id,
            case_id=document.case_id,
            obj=document,
            detail={"document_scan": "infected", "finding": result.finding},
        )
        logger.warning("document %s: infected (%s), file removed", document.pk, result.finding)
        return document.scan_status


@transaction.atomic
def document_delete(*, document: CaseDocument, actor: User, reason: str) -> CaseDocument:
    """Deletes a document with a reason: the row keeps who, when and why; the file leaves the
    storage once this commits. A document someone else deleted meanwhile is not deleted again."""
    case = document.case
    _require_edit(actor, case)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the document is being deleted."})
    # Locked so that two people deleting at once record one deletion, not two.
    locked = CaseDocument.objects.select_for_update().get(pk=document.pk)
    if locked.is_deleted:
        raise ValidationError("This document was deleted meanwhile by someone else.")
    locked.deleted_at = timezone.now()
    locked.deleted_by = actor
    locked.deletion_reason = reason.strip()
    _remove_file_after_commit(locked)
    locked.file = ""
    locked.full_clean(exclude=["file"])
    locked.save(update_fields=["deleted_at", "deleted_by", "deletion_reason", "file", "updated_at"])
    return locked
