"""Review forms: further abuse since intake and the current levels, at the 4-month review or
when further abuse is disclosed. A case may have several."""

from django.db import models

from accounts.audit import audited
from accounts.validators import validate_event_date
from cases.models import Case

from .base import OutcomeForm, answer


@audited
class ReviewForm(OutcomeForm):
    class Reason(models.TextChoices):
        FOUR_MONTH = "four_month", "4-month review"
        FURTHER_ABUSE = "further_abuse", "Further abuse disclosed"
        RISK_CHANGE = "risk_change", "Change in risk or circumstances"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="review_forms")
    reviewed_on = models.DateField(
        "date of review", null=True, blank=True, validators=[validate_event_date]
    )
    reason = models.CharField(
        "reason for the review", max_length=20, blank=True, choices=Reason.choices
    )
    further_abuse = answer("review_further_abuse", "Since intake, has further abuse occurred?")
    further_abuse_disclosed = answer(
        "review_further_abuse_disclosed", "Since intake, has further abuse been disclosed?"
    )
    level_physical = answer("intake_level_physical", "Current level of physical abuse")
    level_sexual = answer("intake_level_sexual", "Current level of sexual abuse")
    level_harassment_stalking = answer(
        "intake_level_harassment_stalking", "Current level of harassment and stalking"
    )
    level_jealous_controlling = answer(
        "intake_level_jealous_controlling", "Current level of jealous and controlling behaviour"
    )

    kind = "review"
    date_field = "reviewed_on"

    class Meta:
        verbose_name = "review form"
        ordering = ["reviewed_on", "pk"]
        indexes = [
            # Case review data: last review per matched exit.
            models.Index(fields=["case", "status", "reviewed_on"], name="outcomes_review_case"),
        ]
