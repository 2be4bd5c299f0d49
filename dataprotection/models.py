"""Requests a client makes about the data held on them (UK GDPR), legal holds and erasures."""

import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Q

from accounts.audit import audited
from accounts.concurrency import version_field
from accounts.models import Provider
from accounts.validators import validate_event_date
from cases.models import Case, Client
from cases.models.case import CaseChild

from .dates import one_month_after


@audited
class RectificationRequest(CaseChild):
    """A client's request to correct their record (UK GDPR article 16), received through one of
    their cases: what they asked, then what was corrected and why (or why not). The corrections
    themselves are made on the records as any edit is, so the change history holds each one;
    this row says which request they answered."""

    class Outcome(models.TextChoices):
        OPEN = "open", "Open"
        CORRECTED = "corrected", "Corrected as asked"
        PARTLY = "partly", "Partly corrected"
        NOT_CORRECTED = "not_corrected", "Not corrected"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="rectification_requests")
    received_on = models.DateField("Received on", validators=[validate_event_date])
    requested = models.TextField("What the client asks to have corrected")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.OPEN)
    changes_made = models.TextField("What was changed", blank=True)
    outcome_reason = models.TextField("Why", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True, validators=[validate_event_date])

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="open", decided_by__isnull=True, decided_on__isnull=True)
                | (
                    ~Q(outcome="open")
                    & Q(decided_by__isnull=False, decided_on__isnull=False)
                    & ~Q(outcome_reason="")
                ),
                name="rectification_decided_with_a_reason",
            ),
            models.CheckConstraint(
                condition=~Q(outcome__in=["corrected", "partly"]) | ~Q(changes_made=""),
                name="rectification_correction_says_what_changed",
            ),
        ]

    @property
    def audit_label(self) -> str:
        return f"Rectification request {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.outcome == self.Outcome.OPEN

    @property
    def due_on(self):
        """A month from receipt (UK GDPR article 12(3)): the same day of the next month, or
        that month's last day."""
        return one_month_after(self.received_on)


@audited
class LegalHold(CaseChild):
    """A case kept whatever its retention date says, while proceedings or a review need it: no
    automatic step (a retention listing, an erasure) touches a case with a hold not lifted.
    Who placed it, why and when, and who lifted it, why and when, are kept."""

    class Reason(models.TextChoices):
        COURT = "court", "Court proceedings"
        DHR = "dhr", "Domestic homicide review"
        COMPLAINT = "complaint", "Complaint"
        SAFEGUARDING = "safeguarding", "Safeguarding review"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="legal_holds")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    reason_note = models.TextField("Details", blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_on = models.DateField(validators=[validate_event_date])
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_on = models.DateField(null=True, blank=True, validators=[validate_event_date])
    lift_reason = models.TextField("Why it was lifted", blank=True)

    class Meta:
        ordering = ["-placed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason="other", reason_note__gt="") | ~Q(reason="other"),
                name="legal_hold_other_says_why",
            ),
            models.CheckConstraint(
                condition=Q(lifted_by__isnull=True, lifted_on__isnull=True, lift_reason="")
                | (Q(lifted_by__isnull=False, lifted_on__isnull=False) & ~Q(lift_reason="")),
                name="legal_hold_lifted_with_a_reason",
            ),
        ]

    @property
    def audit_label(self) -> str:
        return f"Legal hold {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.lifted_on is None


class ClientErasure(models.Model):
    """One erasure (dataprotection.erasure): when, by whom, what kind, why, and how many rows
    of each model it changed or removed. Nothing here identifies the person: a stub keeps the
    client's id (the stub itself holds nothing identifying); a full erasure keeps no link to
    them at all, only the counts."""

    class Kind(models.TextChoices):
        STUB = "stub", "De-identified, coded answers kept"
        FULL = "full", "Erased entirely (right to erasure)"
        REFERRAL = "referral", "Referral de-identified"

    class Reason(models.TextChoices):
        RETENTION = "retention", "Retention period ended"
        REQUEST = "request", "The client's request (right to erasure)"

    erased_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.CharField(max_length=10, choices=Reason.choices)
    # Stubs only: the de-identified record. Null for a full erasure.
    client = models.ForeignKey(
        Client, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kind "referral": the referral de-identified (it stays, as a stub of its coded answers).
    referral_id = models.PositiveIntegerField(null=True, blank=True)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    service_ids = models.JSONField(default=list)
    cases_count = models.PositiveIntegerField(default=0)
    # {"app_label.model": rows changed (stub) or removed (full)}, and "history" for the
    # change-history entries removed.
    row_counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-erased_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="full") | Q(client__isnull=True, referral_id__isnull=True),
                name="client_erasure_full_keeps_no_link",
            ),
        ]

    def __str__(self):
        return f"Erasure {self.pk}"


def subject_access_storage():
    """Generated subject-access files sit with the other generated files (the file system or a
    private S3-compatible bucket: STORAGE_BACKEND); they are only ever streamed through a
    scoped, audited view."""
    return default_storage


def subject_access_upload_path(instance, filename):
    # A random name: the stored path never says whose data the file holds.
    extension = filename.rsplit(".", 1)[-1]
    return f"subject-access/{uuid.uuid4().hex}.{extension}"


@audited
class SubjectAccessRequest(CaseChild):
    """A client's request for a copy of everything held about them (UK GDPR article 15),
    received through one of their cases and answered for all of them: opened by a team leader
    or the manager, gathered, reviewed for third parties' data (redacted where needed), built
    as a PDF and a JSON file, and sent. Due a calendar month after it was received."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        READY = "ready", "Ready to send"
        SENT = "sent", "Sent"

    # The allowed moves: a redaction after a build makes the files stale (back to open).
    TRANSITIONS = {
        Status.OPEN: {Status.READY},
        Status.READY: {Status.OPEN, Status.SENT},
        Status.SENT: set(),
    }

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="subject_access_requests")
    received_on = models.DateField("Received on", validators=[validate_event_date])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    built_at = models.DateTimeField(null=True, blank=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pdf = models.FileField(
        upload_to=subject_access_upload_path, storage=subject_access_storage, blank=True
    )
    json = models.FileField(
        upload_to=subject_access_upload_path, storage=subject_access_storage, blank=True
    )
    sent_on = models.DateField("Sent on", null=True, blank=True, validators=[validate_event_date])
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = version_field()  # accounts.concurrency: a build or a send checks it

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = "subject access request"
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_on__isnull=False, sent_by__isnull=False),
                name="subject_access_sent_says_when_and_who",
            ),
        ]
        indexes = [
            # The managers' home panel: open requests of their services, the oldest first.
            models.Index(fields=["status", "received_on"], name="sar_status_received"),
        ]

    @property
    def audit_label(self) -> str:
        return f"Subject access request {self.pk}"

    @property
    def due_on(self):
        """A month from receipt (UK GDPR article 12(3)), as for a correction request."""
        return one_month_after(self.received_on)

    @property
    def is_answered(self) -> bool:
        return self.status == self.Status.SENT


@audited
class SubjectAccessRedaction(CaseChild):
    """One value (or, with no field named, one whole record) kept out of a subject access answer
    because it is someone else's information: which record, which field, who decided and why."""

    WHOLE_RECORD = ""

    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.CASCADE, related_name="redactions"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    model_label = models.CharField(max_length=100)
    object_pk = models.CharField(max_length=64)
    field_name = models.CharField(max_length=100, blank=True)
    reason = models.CharField("Why it is withheld", max_length=300)
    redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["model_label", "object_pk", "field_name"]
        verbose_name = "subject access redaction"
        constraints = [
            models.UniqueConstraint(
                fields=["request", "model_label", "object_pk", "field_name"],
                name="subject_access_redaction_once",
            ),
        ]

    @property
    def audit_label(self) -> str:
        return f"Subject access redaction {self.pk}"

    @property
    def key(self) -> tuple[str, str, str]:
        return self.model_label, self.object_pk, self.field_name
