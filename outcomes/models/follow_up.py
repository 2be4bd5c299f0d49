"""The follow-up six months after closure (Safety in Numbers): reached or not, abuse since, feels
safe, wants the service again. The page offers a new referral (some survivors did not come
back because they felt they had "let their Idva down")."""

from django.db import models

from accounts.audit import audited
from accounts.validators import validate_event_date
from cases.choices import YES_NO, YES_NO_DONT_KNOW
from cases.models import Case

from .base import OutcomeForm, choice


@audited
class FollowUp(OutcomeForm):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    followed_up_on = models.DateField(
        "date of the follow-up", null=True, blank=True, validators=[validate_event_date]
    )
    reached = choice(YES_NO, "Was the client reached?")
    further_abuse = choice(YES_NO_DONT_KNOW, "Has there been further abuse since the case closed?")
    feels_safe = choice(YES_NO_DONT_KNOW, "Does the client feel safe?")
    wants_service_again = choice(
        YES_NO_DONT_KNOW, "Would the client like support from the service again?"
    )

    kind = "follow_up"
    date_field = "followed_up_on"

    class Meta:
        verbose_name = "6-month follow-up"
        constraints = [
            models.UniqueConstraint(fields=["case"], name="outcomes_one_follow_up_per_case"),
        ]
