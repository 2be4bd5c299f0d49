"""Support by area of need (Insights "Service outputs"): for each area, whether the client was
supported, the outcomes achieved and the impact on their safety and wellbeing.

The needs identified at intake are recorded on the intake form (outcomes app); the reporting app
joins the two. Stored values are the Insights labels; a blank value means not answered.
"""

from django.conf import settings
from django.db import models

from accounts.audit import audited
from accounts.concurrency import version_field
from cases.choices import YES_NO, insights_choices
from cases.models import Case, Option
from cases.models.case import CaseChild


class SupportArea(models.TextChoices):
    """The Insights support areas; the value is the area's key in the Insights table keys
    (`support_<area>`, `support_<area>_outcomes`, `support_<area>_impact_safety`, ...)."""

    SAFETY = "safety", "Safety"
    HOUSING = "housing", "Housing"
    PHYSICAL_HEALTH = "physical_health", "Physical health"
    MENTAL_HEALTH = "mental_health", "Mental health"
    DRUG_MISUSE = "drug_misuse", "Drug misuse"
    ALCOHOL_MISUSE = "alcohol_misuse", "Alcohol misuse"
    CHILDREN_PARENTING = "children_parenting", "Children and parenting"
    FINANCE_BENEFITS_DEBT = "finance_benefits_debt", "Finance, benefits and debt"
    EMPLOYMENT_EDUCATION_TRAINING = (
        "employment_education_training",
        "Employment, education and training",
    )
    SOCIAL_COMMUNITY_SUPPORT = "social_community_support", "Social and community support"
    IMMIGRATION = "immigration", "Immigration"
    STEP_DOWN_RECOVERY = "step_down_recovery", "Step down and recovery"


def supported_table_key(area: str) -> str:
    return f"support_{area}"


def outcomes_list_key(area: str) -> str:
    """The cases.Option list_key (= the Insights table key) of the area's outcome list."""
    return f"support_{area}_outcomes"


def impact_table_key(area: str, column: str) -> str:
    """column: "safety" or "wellbeing"."""
    return f"support_{area}_impact_{column}"


# Ongoing CYPS involvement at exit: asked of clients supported with children and parenting.
CYPS_EXIT_LIST_KEY = "cyps_involvement_exit"
OPTION_LIST_KEYS = (*(outcomes_list_key(area) for area in SupportArea.values), CYPS_EXIT_LIST_KEY)

# Every area uses the same impact labels (the Safety area prints them in another order, which
# the form follows); the field accepts any of them.
IMPACT_CHOICES = insights_choices(impact_table_key(SupportArea.HOUSING, "safety"))


@audited(m2m_fields={"outcomes", "cyps_involvement"})
class AreaSupport(CaseChild):
    """One support area of one case."""

    # No index of its own: the unique area_support_one_per_area (case, area) serves it.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="area_support", db_index=False
    )
    area = models.CharField(max_length=40, choices=SupportArea.choices)
    supported = models.CharField(
        "support given", max_length=3, blank=True, choices=YES_NO
    )  # blank: not answered (Missing)
    outcomes = models.ManyToManyField(
        Option,
        blank=True,
        related_name="+",
        verbose_name="outcomes achieved",
        # Each area's list; the service checks that every option belongs to this row's area.
        limit_choices_to={"list_key__startswith": "support_", "list_key__endswith": "_outcomes"},
    )
    impact_safety = models.CharField(
        "impact on safety", max_length=20, blank=True, choices=IMPACT_CHOICES
    )
    impact_wellbeing = models.CharField(
        "impact on wellbeing", max_length=20, blank=True, choices=IMPACT_CHOICES
    )
    cyps_involvement = models.ManyToManyField(
        Option,
        blank=True,
        related_name="+",
        limit_choices_to={"list_key": CYPS_EXIT_LIST_KEY},
        verbose_name="ongoing children's services involvement",
    )
    cyps_involvement_dont_know = models.BooleanField(
        "children's services involvement not known", default=False
    )
    notes = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # accounts.concurrency; 1 from the first save, so that a form loaded before the row existed
    # (version 0) is checked too.
    version = version_field()

    class Meta:
        # Made in the cases app; moved here with its rows (support.migrations.0001_initial). The
        # many-to-many tables follow this name (cases_areasupport_outcomes, ...).
        db_table = "cases_areasupport"
        ordering = ["case", "area"]
        verbose_name = "support in an area of need"
        verbose_name_plural = "support by area of need"
        constraints = [
            models.UniqueConstraint(fields=["case", "area"], name="area_support_one_per_area"),
            # Impact is asked only of areas where support was given.
            models.CheckConstraint(
                condition=models.Q(supported="Yes")
                | (models.Q(impact_safety="") & models.Q(impact_wellbeing="")),
                name="area_support_impact_only_when_supported",
            ),
        ]
        indexes = [
            # Reports: support given per area across a service's cases.
            models.Index(fields=["area", "supported"], name="area_support_area_supported"),
        ]

    @property
    def audit_label(self):
        return f"Support ({self.get_area_display()}) {self.pk}"
