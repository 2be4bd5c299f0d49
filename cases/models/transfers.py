"""A case's transfer to another service of the same provider: requested by a team leader of the
sending service, accepted or declined by one of the receiving service, or withdrawn by one of the
sending service while it waits (cases.services_transfers)."""

from django.conf import settings
from django.db import models

from accounts.audit import audited
from accounts.models import Service

from .case import Case, CaseChild


@audited(m2m_fields={"deciders"})
class CaseTransfer(CaseChild):
    """One request to move a case's support to another service. On acceptance the sending case
    closes and a new case opens in the receiving service ("Continuing case"), linked here: the
    receiving team reads the sending case's history through this row, never through the scope."""

    class Decision(models.TextChoices):
        REQUESTED = "requested", "Waiting for the receiving service"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    from_service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    to_service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    reason = models.TextField(help_text="Why the client's support moves to this service.")
    # A restricted case's transfer is seen and decided only by the receiving service's team
    # leaders named here by the requester (selectors_transfers.transfers_to_decide); empty for
    # any other case, which every team leader of the receiving service sees.
    deciders = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.REQUESTED)
    # Who decided it and when; for a withdrawn transfer, the sending team leader who withdrew it.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    declined_reason = models.TextField(blank=True)
    # The receiving service's case (accepted transfers only); SET_NULL so that erasing the
    # receiving case alone leaves the sending case's record of where the client went.
    new_case = models.OneToOneField(
        Case,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transferred_from",
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One transfer waiting at a time: a second would close the case twice.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(decision="requested"),
                name="transfer_one_open_request",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_service=models.F("to_service")),
                name="transfer_to_another_service",
            ),
        ]
        indexes = [
            # A team leader's incoming transfers: those waiting for their services.
            models.Index(fields=["to_service", "decision"], name="transfer_to_service_decision"),
        ]

    @property
    def audit_label(self):
        return f"Transfer {self.pk} of case {self.case_id}"
