"""Documents kept on a case: uploaded files, stored under random names, streamed only through a
scoped, audited view (cases.views_documents)."""

import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Q

from accounts.audit import audited

from .case import Case, CaseChild


def document_storage():
    """Documents sit with the other stored files (the file system, or a private S3-compatible
    bucket with STORAGE_BACKEND=s3): MEDIA_URL is never served, so no file has a public URL."""
    return default_storage


def document_upload_path(instance, filename):
    # A random name and the extension of the type found in the content: the stored path never
    # carries the client's name or the name the file was uploaded under.
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"case-documents/{uuid.uuid4().hex}.{extension}"


@audited(mask_fields=["title", "original_filename"])
class CaseDocument(CaseChild):
    """A file kept on a case. It follows the case's scope (cases_visible_to) and is erased with
    the case (dataprotection.erasure_fields). A deleted document keeps its row (who deleted it,
    when and why) but its file leaves the storage."""

    class Kind(models.TextChoices):
        COURT = "court", "Court papers"
        POLICE = "police", "Police"
        HEALTH = "health", "Health"
        HOUSING = "housing", "Housing"
        CORRESPONDENCE = "correspondence", "Letter or e-mail"
        PHOTO = "photo", "Photograph"
        OTHER = "other", "Other"

    class FileType(models.TextChoices):
        """What the content is, found from its first bytes (cases.document_content)."""

        PDF = "pdf", "PDF"
        PNG = "png", "PNG image"
        JPEG = "jpeg", "JPEG image"
        GIF = "gif", "GIF image"
        DOCX = "docx", "Word document"
        DOC = "doc", "Word 97-2003 document"
        TEXT = "text", "Plain text"

    class ScanStatus(models.TextChoices):
        PENDING = "pending", "Being checked"
        CLEAN = "clean", "Checked: clean"
        INFECTED = "infected", "Infected: refused"
        NOT_SCANNED = "not_scanned", "Not scanned (no scanner configured)"

    DOWNLOADABLE = (ScanStatus.CLEAN, ScanStatus.NOT_SCANNED)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(
        upload_to=document_upload_path, storage=document_storage, blank=True, max_length=200
    )
    # As uploaded: shown to those who may see the case, never used for the stored name.
    original_filename = models.CharField(max_length=255, blank=True)
    file_type = models.CharField(max_length=10, choices=FileType.choices)
    size_bytes = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    scan_status = models.CharField(max_length=12, choices=ScanStatus.choices)
    scanned_at = models.DateTimeField(null=True, blank=True)
    # The scanner's name for what it found (e.g. "Eicar-Test-Signature"): names no person.
    scan_finding = models.CharField(max_length=200, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    deletion_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = "case document"
        constraints = [
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True)
                | (Q(deleted_by__isnull=False) & ~Q(deletion_reason="")),
                name="case_document_deletion_says_who_and_why",
            ),
        ]
        indexes = [
            # The case's document list: its documents, newest first.
            models.Index(fields=["case", "-uploaded_at"], name="case_document_list_idx"),
        ]

    def __str__(self):
        return f"Document {self.pk}"

    @property
    def audit_label(self) -> str:
        return f"Document {self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_downloadable(self) -> bool:
        return not self.is_deleted and bool(self.file) and self.scan_status in self.DOWNLOADABLE
