"""What Lantern keeps about a client's data rights (UK GDPR): correction and subject access
requests, legal holds, erasures, and the retention schedule with the reviews of what reached
its date."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from accounts.audit import audited
from accounts.concurrency import version_field
from accounts.models import Provider, Service, TimeStampedModel
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


# --- Retention ---------------------------------------------------------------------------------

# The defaults, used wherever a provider has saved no schedule (README "Retention"
# gives the reason for each).
RETENTION_DEFAULTS = {
    "client_record_years": 6,
    "referral_weeks": 6,
    "draft_months": 12,
    "impact_report_years": 6,
}

PERIOD_FIELDS = tuple(RETENTION_DEFAULTS)


def _period(verbose_name: str, help_text: str, *, default: int, most: int):
    return models.PositiveSmallIntegerField(
        verbose_name,
        default=default,
        validators=[MinValueValidator(1), MaxValueValidator(most)],
        help_text=help_text,
    )


class RetentionSchedule(TimeStampedModel):
    """How long a provider keeps each kind of record (service blank), or a stricter schedule
    for one of its services: a service may shorten a period, never lengthen it. What is due
    is listed for a manager's review; nothing is erased without their approval."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Leave blank for the provider's own schedule; choose a service to make it "
        "stricter there.",
    )
    client_record_years = _period(
        "client records: years",
        "Years after the later of the last contact and the closure of the client's last case "
        "(cases still open are never due).",
        default=RETENTION_DEFAULTS["client_record_years"],
        most=100,
    )
    referral_weeks = _period(
        "referrals that never became a case: weeks",
        "Weeks after triage.",
        default=RETENTION_DEFAULTS["referral_weeks"],
        most=520,
    )
    draft_months = _period(
        "abandoned drafts: months",
        "Months since a draft outcome form or risk assessment was last edited.",
        default=RETENTION_DEFAULTS["draft_months"],
        most=120,
    )
    impact_report_years = _period(
        "generated impact reports: years",
        "Years after the report was generated.",
        default=RETENTION_DEFAULTS["impact_report_years"],
        most=100,
    )

    class Meta:
        ordering = ["provider__name", "service__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider"],
                condition=Q(service__isnull=True),
                name="retention_one_schedule_per_provider",
                violation_error_message="This provider has a schedule already: change that one.",
            ),
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(service__isnull=False),
                name="retention_one_schedule_per_service",
                violation_error_message="This service has a schedule already: change that one.",
            ),
        ]

    def __str__(self):
        return f"Retention schedule: {self.service or self.provider}"

    def clean(self):
        """A service's schedule belongs to the service's provider and is stricter (each period
        as short or shorter) than the provider's, saved or default."""
        if self.service_id is None:
            return
        if self.service.provider_id != self.provider_id:
            raise ValidationError({"service": "Choose one of this provider's services."})
        provider_schedule = (
            RetentionSchedule.objects.filter(provider_id=self.provider_id, service__isnull=True)
            .exclude(pk=self.pk)
            .first()
        )
        errors = {}
        for name in PERIOD_FIELDS:
            allowed = getattr(provider_schedule, name, None) or RETENTION_DEFAULTS[name]
            value = getattr(self, name)
            if value is not None and value > allowed:
                field = self._meta.get_field(name)
                errors[name] = (
                    f"A service may only be stricter than its provider: {field.verbose_name} "
                    f"is {allowed} for the provider, so at most {allowed} here."
                )
        if errors:
            raise ValidationError(errors)


class RetentionReview(TimeStampedModel):
    """One service's list of records that reached their retention date, refreshed by the daily
    run (dataprotection.retention.services.retention_review_refresh), for its manager to
    approve or exclude. The list is all the run writes."""

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="+")
    listed_on = models.DateField("listed on")

    def __str__(self):
        return f"Retention review of service {self.service_id}"


class RetentionReviewItem(TimeStampedModel):
    """A record due for erasure, and the manager's decision on it. Names nobody: a case or
    referral reference and the reason it is due (dates only)."""

    class Kind(models.TextChoices):
        CLIENT = "client", "Client record"
        REFERRAL = "referral", "Referral that never became a case"
        DRAFT_FORM = "draft_form", "Abandoned draft outcome form"
        DRAFT_ASSESSMENT = "draft_assessment", "Abandoned draft risk assessment"
        IMPACT_REPORT = "impact_report", "Generated impact report"

    class Decision(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        APPROVED = "approved", "Approved for erasure"
        EXCLUDED = "excluded", "Excluded"

    review = models.ForeignKey(RetentionReview, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The record, by model and key (draft forms are of several models).
    model_label = models.CharField(max_length=100)
    object_pk = models.BigIntegerField()
    reference = models.CharField("reference", max_length=100)
    reason = models.CharField(max_length=300)
    due_on = models.DateField()
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    exclusion_reason = models.TextField("why it is kept", blank=True)
    review_again_on = models.DateField("review again on", null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "due_on", "pk"]
        constraints = [
            # One decision per record, whichever run listed it: an exclusion sticks.
            models.UniqueConstraint(
                fields=["model_label", "object_pk"], name="retention_item_once_per_record"
            ),
            models.CheckConstraint(
                condition=Q(decision="pending", decided_by__isnull=True, decided_at__isnull=True)
                | (~Q(decision="pending") & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="retention_item_decided_by_someone",
            ),
            models.CheckConstraint(
                condition=~Q(decision="excluded") | ~Q(exclusion_reason=""),
                name="retention_item_excluded_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(applied_at__isnull=True) | Q(decision="approved"),
                name="retention_item_applied_only_approved",
            ),
        ]
        indexes = [
            # The manager's page: one review's items by decision.
            models.Index(fields=["review", "decision"], name="retention_item_review"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference}"

    @property
    def audit_label(self) -> str:
        return f"Retention item {self.pk} ({self.reference})"
