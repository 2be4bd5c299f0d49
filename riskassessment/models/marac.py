"""MARAC: referrals from cases, a partnership's meetings, the cases heard and actions agreed."""

from django.conf import settings
from django.db import models
from django.utils.formats import date_format

from accounts.audit import audited
from accounts.models import Marac, TimeStampedModel
from accounts.validators import validate_event_date, validate_scheduled_date
from cases.models import Agency, Case
from cases.models.case import CaseChild

from .assessments import Assessment


@audited
class MaracReferral(CaseChild):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="marac_referrals")
    referred_on = models.DateField(validators=[validate_event_date])
    referring_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="marac_referrals",
    )
    visible_high_risk = models.BooleanField(default=False)
    professional_judgement = models.BooleanField(default=False)
    potential_escalation = models.BooleanField(default=False)
    # Stored when the referral is made (catalogue.marac.REPEAT_MARAC_DEFINITION): the
    # client's latest MARAC referral within the 12 months before this one, from any case and any
    # agency. It makes this a repeat unless the referrer records that the abuse is by another
    # perpetrator (a repeat is between the same victim and perpetrator).
    repeat_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="repeats"
    )
    different_perpetrator = models.BooleanField(
        "abuse by a different perpetrator from the earlier referral", default=False
    )
    is_repeat = models.BooleanField(default=False)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-referred_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visible_high_risk=True)
                | models.Q(professional_judgement=True)
                | models.Q(potential_escalation=True),
                name="marac_referral_names_a_criterion",
            ),
            models.CheckConstraint(
                condition=models.Q(is_repeat=False) | models.Q(repeat_of__isnull=False),
                name="marac_referral_repeat_names_earlier",
            ),
        ]
        indexes = [
            # Repeat detection: the client's referrals in the 12 months before a date.
            models.Index(fields=["case", "referred_on"], name="marac_referral_case_date"),
        ]

    @property
    def audit_label(self):
        return f"MARAC referral {self.pk}"

    @property
    def criteria_labels(self):
        labels = []
        if self.visible_high_risk:
            labels.append("Visible high risk")
        if self.professional_judgement:
            labels.append("Professional judgement")
        if self.potential_escalation:
            labels.append("Potential escalation")
        return labels


class MaracMeeting(TimeStampedModel):
    """A meeting of a MARAC partnership. It holds no client data itself: the hearings do."""

    marac = models.ForeignKey(
        Marac, on_delete=models.PROTECT, related_name="meetings", verbose_name="MARAC"
    )
    held_on = models.DateField(validators=[validate_scheduled_date])
    notes = models.TextField(blank=True, help_text="Nothing that identifies a client.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "marac__name"]
        constraints = [
            models.UniqueConstraint(fields=["marac", "held_on"], name="marac_meeting_one_a_day"),
        ]
        indexes = [
            # The coordinator's list: meetings of their MARACs, latest first.
            models.Index(fields=["marac", "-held_on"], name="marac_meeting_marac_date"),
        ]

    def __str__(self):
        return f"MARAC {self.marac} {date_format(self.held_on)}"


@audited
class MaracHearing(CaseChild):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="marac_hearings")
    meeting = models.ForeignKey(MaracMeeting, on_delete=models.PROTECT, related_name="hearings")
    referral = models.ForeignKey(
        MaracReferral, on_delete=models.PROTECT, null=True, blank=True, related_name="hearings"
    )
    is_repeat = models.BooleanField("repeat case", default=False)
    outcome = models.TextField(blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)

    # The case as MARAC heard it, for the partnership's counts (seed 004, MARAC_MEASURES): filled
    # from the case record when the case is listed and corrected by the coordinator. Kept on the
    # hearing because the client's record changes later (a pregnancy ends, a child leaves) while
    # the count is of what the meeting heard. Empty (None) means not known.
    coercive_control = models.BooleanField("coercive control", null=True, blank=True)
    children_in_household = models.PositiveSmallIntegerField(
        "children in the household", null=True, blank=True
    )
    pregnancy = models.BooleanField("pregnancy a factor", null=True, blank=True)
    alcohol = models.BooleanField("alcohol a factor", null=True, blank=True)
    drugs = models.BooleanField("drugs a factor", null=True, blank=True)
    mental_health = models.BooleanField("mental health a recorded factor", null=True, blank=True)
    disability = models.BooleanField("disability a recorded factor", null=True, blank=True)
    victim_over_65 = models.BooleanField("victim aged over 65", null=True, blank=True)

    class Meta:
        ordering = ["meeting__held_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="marac_hearing_once"),
        ]

    FACT_FIELDS = (
        "coercive_control",
        "children_in_household",
        "pregnancy",
        "alcohol",
        "drugs",
        "mental_health",
        "disability",
        "victim_over_65",
    )

    @property
    def audit_label(self):
        return f"MARAC hearing {self.pk}"


@audited
class MaracAction(CaseChild):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="marac_actions")
    hearing = models.ForeignKey(MaracHearing, on_delete=models.CASCADE, related_name="actions")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    action = models.TextField()
    owner = models.CharField(max_length=150, help_text="Who at the agency carries it out.")
    due_on = models.DateField(null=True, blank=True, validators=[validate_scheduled_date])
    done = models.BooleanField(default=False)
    done_on = models.DateField(null=True, blank=True, validators=[validate_event_date])

    class Meta:
        ordering = ["done", "due_on", "pk"]

    @property
    def audit_label(self):
        return f"MARAC action {self.pk}"
