"""A team leader's reasoned decision to lower a case's current risk (riskassessment.current_risk):
the only way risk comes down while a higher assessment is current."""

from django.conf import settings
from django.db import models

from accounts.audit import audited
from cases.models import Case, RiskLevel
from cases.models.case import CaseChild


@audited
class RiskDecision(CaseChild):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_decisions")
    from_level = models.CharField("risk before", max_length=10, choices=RiskLevel.choices)
    from_label = models.CharField(max_length=40, blank=True)
    to_level = models.CharField("risk lowered to", max_length=10, choices=RiskLevel.choices)
    reason = models.TextField(help_text="Why the risk is lower now: what has changed, and how.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="riskdecision_has_reason"),
            # A decision lowers: high to medium or standard, medium to standard.
            models.CheckConstraint(
                condition=models.Q(from_level=RiskLevel.HIGH, to_level__in=["medium", "standard"])
                | models.Q(from_level=RiskLevel.MEDIUM, to_level=RiskLevel.STANDARD),
                name="riskdecision_lowers",
            ),
        ]
        indexes = [
            # The case's latest decision, read by the current-risk rule.
            models.Index(fields=["case", "-decided_at"], name="riskdecision_case_latest"),
        ]

    @property
    def audit_label(self):
        return f"Risk decision {self.pk}"
