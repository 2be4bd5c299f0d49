"""Safety plans made with the client: a personal plan and a digital/tech plan, each reviewed as
risk changes. A review writes a new version; earlier versions stay as they were agreed."""

from django.conf import settings
from django.db import models

from accounts.audit import CaseDataModel, audited
from accounts.validators import validate_event_date, validate_scheduled_date
from cases.models.case import Case, CaseChild
from riskassessment.models import Assessment

# The structured sections of a plan, in the order they are discussed and printed: (field name,
# heading). The headings are printed on the client's copy, so none names the service or abuse.
PLAN_SECTIONS = (
    ("safe_places_people", "Safe places and people"),
    ("escape_route_bag", "Leaving in a hurry: route and bag"),
    ("code_words", "Code words and signals"),
    ("important_documents", "Important documents"),
    ("children", "Children"),
    ("travel_work", "Travel and work"),
    ("phone_online_safety", "Phone, online and location sharing"),
    ("emergency", "What to do in an emergency"),
    ("other_notes", "Anything else"),
)


@audited
class SafetyPlan(CaseChild):
    """One plan of a kind per case; its content lives in its versions."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", "Personal safety plan"
        DIGITAL = "digital", "Digital and tech safety plan"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="safety_plans")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        # Made in the cases app; moved here with its rows (support.migrations.0001_initial).
        db_table = "cases_safetyplan"
        ordering = ["kind", "pk"]
        constraints = [
            # A review adds a version to the existing plan rather than starting a second one.
            models.UniqueConstraint(fields=["case", "kind"], name="safety_plan_one_per_kind"),
        ]

    @property
    def audit_label(self):
        return f"{self.get_kind_display()} {self.pk}"


@audited
class SafetyPlanVersion(CaseDataModel):
    """The plan as agreed on one date. Never edited after it is written: a review makes the
    next version."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    reviewed_on = models.DateField(
        "agreed on",
        help_text="The date the plan was made (first version) or reviewed.",
        validators=[validate_event_date],
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The risk assessment this version answers (one of its own case's: services checks it).
    # RESTRICT: an assessment a plan answers is not deleted from under the plan, but a case
    # deleted as a whole takes both with it.
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="safety_plan_versions",
        verbose_name="risk assessment it answers",
    )
    review_reason = models.CharField(
        "why the plan was reviewed",
        max_length=300,
        blank=True,
        help_text="For example: a new incident, a change in risk, a move, a court date.",
    )
    next_review_on = models.DateField(
        "review again by", null=True, blank=True, validators=[validate_scheduled_date]
    )

    safe_places_people = models.TextField(
        "safe places and people",
        blank=True,
        help_text="Where the client can go, and who they can call or stay with.",
    )
    escape_route_bag = models.TextField(
        "escape route and bag",
        blank=True,
        help_text="How to leave quickly, and what is packed and where it is kept.",
    )
    code_words = models.TextField(
        "code words and signals",
        blank=True,
        help_text="Words or signals agreed with family, friends or neighbours.",
    )
    important_documents = models.TextField(
        blank=True, help_text="Passports, birth certificates, bank cards, medication, copies kept."
    )
    children = models.TextField(
        blank=True, help_text="What the children know to do, school and nursery arrangements."
    )
    travel_work = models.TextField(
        "travel and work", blank=True, help_text="Routes and times, telling the employer, parking."
    )
    phone_online_safety = models.TextField(
        "phone, online and location-sharing safety",
        blank=True,
        help_text="Passwords, location sharing, shared accounts, trackers, social media.",
    )
    emergency = models.TextField(
        "what to do in an emergency",
        blank=True,
        help_text="999; if unable to speak, 55 when prompted (Silent Solution).",
    )
    other_notes = models.TextField("anything else", blank=True)

    class Meta:
        db_table = "cases_safetyplanversion"
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="safety_plan_version_unique"),
        ]
        indexes = [
            # Case timeline: versions of the case's plans by date.
            models.Index(fields=["plan", "reviewed_on"], name="safety_plan_version_date"),
        ]

    @property
    def audit_label(self):
        return f"Safety plan {self.plan_id} version {self.number}"

    def audit_scope(self):
        return self.plan.case_id, self.plan.case.service_id

    @property
    def is_review(self) -> bool:
        return self.number > 1

    def sections(self) -> list[tuple[str, str]]:
        """(heading, text) of the sections that have something written in them."""
        return [
            (heading, getattr(self, name))
            for name, heading in PLAN_SECTIONS
            if getattr(self, name).strip()
        ]
