"""Requests a client makes about the data held on them (UK GDPR): so far, rectification."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.audit import audited
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
