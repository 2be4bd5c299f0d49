"""Interventions: dated, structured actions taken on a case (police markers, alarms, referrals,
programmes), which services count as outputs. Safety in Numbers found that the number of
different interventions a client receives drives their outcomes."""

from dataclasses import dataclass

from django.conf import settings
from django.db import models

from accounts.audit import audited
from accounts.validators import validate_event_date
from cases.models import Agency, Case
from cases.models.case import CaseChild


@dataclass(frozen=True)
class InterventionType:
    """key: stored value. label: what the caseworker sees. sin: the Safety in Numbers Table 4
    intervention it is (catalogue.safety_in_numbers.INTERVENTIONS key, or ""). pss: the PSS
    impact-report output it counts as (catalogue.impact.OUTPUTS key, or ""). kind: what
    counts as one "different intervention" (TAU requested and placed are one kind)."""

    key: str
    label: str
    sin: str = ""
    pss: str = ""
    kind: str = ""
    needs_agency: bool = False


INTERVENTION_TYPES = (
    InterventionType("tau_marker_requested", "TAU marker requested", pss="tau_markers", kind="tau"),
    InterventionType("tau_marker_placed", "TAU marker placed", pss="tau_markers", kind="tau"),
    InterventionType("police_check", "Police check", pss="police_checks"),
    InterventionType("home_visit", "Home visit or visit to a place of safety", pss="home_visits"),
    InterventionType("personal_alarm", "Panic or personal alarm provided", pss="panic_alarms"),
    InterventionType("target_hardening", "Target hardening", sin="target_hardening"),
    InterventionType("sanctuary_scheme", "Sanctuary scheme", sin="sanctuary_scheme"),
    InterventionType("refuge_referral", "Refuge referral", sin="refuge"),
    InterventionType(
        "signposting_referral",
        "Signposting referral to another agency",
        pss="signposting_referrals",
        needs_agency=True,
    ),
    InterventionType(
        "childrens_safeguarding_referral",
        "Children's safeguarding referral",
        pss="childrens_safeguarding_referrals",
    ),
    InterventionType("adult_safeguarding_referral", "Adult safeguarding referral"),
    InterventionType("marac_referral", "MARAC referral", sin="marac"),
    InterventionType(
        "criminal_court_support",
        "Criminal court support",
        sin="criminal_court_support",
        pss="advised_cjs_processes",
    ),
    InterventionType(
        "civil_justice_support",
        "Support with civil remedies (e.g. non-molestation order)",
        sin="civil_justice_support",
        pss="advised_civil_options",
    ),
    InterventionType(
        "supported_to_report", "Supported to report to the police", pss="supported_to_report"
    ),
    InterventionType("freedom_programme", "Freedom programme", pss="freedom_programme"),
    InterventionType("gateway_programme", "Gateway programme"),
    InterventionType("other_group_programme", "Other group programme"),
    InterventionType(
        "pattern_changing_course", "Pattern changing course completed", sin="pattern_changing"
    ),
    InterventionType(
        "counselling_referral", "Counselling referral", sin="counselling", pss="counselling"
    ),
    InterventionType("housing_support", "Support with housing", sin="housing_support"),
    InterventionType("child_contact_support", "Support with child contact", sin="child_contact"),
    InterventionType(
        "social_services_support", "Support with social services", sin="social_services"
    ),
    InterventionType("schools_support", "Support with children's schools", sin="childrens_schools"),
    InterventionType("benefits_support", "Support with benefits", sin="benefits"),
    InterventionType("immigration_support", "Support with immigration", sin="immigration"),
    InterventionType("gp_support", "Support to access a GP", sin="gp"),
    InterventionType(
        "mental_health_support", "Support to access mental health services", sin="mental_health"
    ),
    InterventionType(
        "drug_alcohol_support", "Support with drug and alcohol issues", sin="alcohol_drugs"
    ),
)
INTERVENTION_TYPES_BY_KEY = {item.key: item for item in INTERVENTION_TYPES}
# A MARAC referral is made on the risk pages (riskassessment.MaracReferral) and counted from there
# too, once, whether or not it is also recorded here.
MARAC_REFERRAL = "marac_referral"
# Safety planning is a Safety in Numbers intervention too: it is recorded as a safety plan,
# not as an intervention row, and counted from the plans.
SAFETY_PLANNING_KIND = "safety_planning"


def intervention_kind(type_key: str) -> str:
    item = INTERVENTION_TYPES_BY_KEY.get(type_key)
    return (item.kind or item.key) if item else type_key


@audited
class Intervention(CaseChild):
    Type = models.TextChoices(
        "Type", [(item.key.upper(), (item.key, item.label)) for item in INTERVENTION_TYPES]
    )

    # No index of its own: intervention_case_date (case, -occurred_on) serves it.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="interventions", db_index=False
    )
    type = models.CharField(max_length=40, choices=Type.choices)
    occurred_on = models.DateField("date", validators=[validate_event_date])
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The agency referred or signposted to, where there is one.",
    )
    detail = models.CharField(
        max_length=200, blank=True, help_text="For example the programme or alarm provider."
    )
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        # Made in the cases app; moved here with its rows (support.migrations.0001_initial).
        db_table = "cases_intervention"
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            # Case page and timeline: the case's interventions by date.
            models.Index(fields=["case", "-occurred_on"], name="intervention_case_date"),
            # Output counts per type over a period.
            models.Index(fields=["type", "occurred_on"], name="intervention_type_date"),
        ]

    @property
    def audit_label(self):
        return f"Intervention {self.pk}"

    @property
    def type_info(self) -> InterventionType:
        return INTERVENTION_TYPES_BY_KEY[self.type]
