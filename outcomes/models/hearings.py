"""Court hearings of a case: criminal (first hearing, trial, sentencing) and civil (orders).
What they record pre-fills the criminal and civil justice forms (outcomes.suggestions), for the
caseworker to confirm; they show on the case timeline and in the diary."""

from django.conf import settings
from django.db import models

from accounts.audit import audited
from accounts.concurrency import version_field
from cases.choices import insights_choices
from cases.models import Case
from cases.models.case import CaseChild
from catalogue.insights import TABLES_BY_KEY


@audited
class CourtHearing(CaseChild):
    class Jurisdiction(models.TextChoices):
        CRIMINAL = "criminal", "Criminal"
        CIVIL = "civil", "Civil"

    class Kind(models.TextChoices):
        FIRST_HEARING = "first_hearing", "Criminal: first hearing"
        TRIAL = "trial", "Criminal: trial"
        SENTENCING = "sentencing", "Criminal: sentencing"
        NON_MOLESTATION = "non_molestation", "Civil: non-molestation order"
        OCCUPATION = "occupation", "Civil: occupation order"
        CHILD_ARRANGEMENTS = "child_arrangements", "Civil: child arrangements"
        OTHER_CIVIL = "other_civil", "Civil: other"

    CRIMINAL_KINDS = frozenset({Kind.FIRST_HEARING, Kind.TRIAL, Kind.SENTENCING})
    # The civil justice form's order (outcomes.questions.CIVIL_ORDER_TABLES) a hearing is about:
    # the label of the Insights table of that order.
    CIVIL_ORDER_OF_KIND = {
        kind: TABLES_BY_KEY[table].scope[0]
        for kind, table in (
            (Kind.NON_MOLESTATION, "civil_order_non_molestation"),
            (Kind.OCCUPATION, "civil_order_occupation"),
            (Kind.CHILD_ARRANGEMENTS, "civil_order_child_arrangements"),
        )
    }

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="court_hearings")
    court = models.CharField(max_length=200)
    starts_at = models.DateTimeField("date and time")
    jurisdiction = models.CharField(max_length=10, choices=Jurisdiction.choices)
    kind = models.CharField("hearing", max_length=30, choices=Kind.choices)
    outcome = models.TextField(blank=True)
    # Civil: where the order stands after this hearing (the civil justice form's answer).
    order_status = models.CharField(
        "order status",
        max_length=20,
        blank=True,
        choices=insights_choices("civil_order_non_molestation"),
    )
    # Criminal: the Insights answer of the police report's "special measures granted?".
    special_measures = models.CharField(
        "special measures",
        max_length=40,
        blank=True,
        choices=insights_choices("cj_special_measures"),
    )
    bail_conditions = models.TextField(blank=True)
    bail_ends_on = models.DateField("bail conditions end", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    version = version_field()  # accounts.concurrency: checked by the edit form

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            # The case's hearings and its timeline, newest first.
            models.Index(fields=["case", "-starts_at"], name="hearing_case_start"),
            # The diary: a service's hearings between two moments.
            models.Index(fields=["starts_at"], name="hearing_start"),
        ]

    @property
    def audit_label(self):
        return f"Court hearing {self.pk}"

    def clean(self):
        from django.core.exceptions import ValidationError

        criminal = self.kind in self.CRIMINAL_KINDS
        if self.kind and self.jurisdiction:
            expected = self.Jurisdiction.CRIMINAL if criminal else self.Jurisdiction.CIVIL
            if self.jurisdiction != expected:
                raise ValidationError({"kind": f"This is a {expected.label.lower()} hearing."})
        if criminal and self.order_status:
            raise ValidationError({"order_status": "An order status is for civil hearings."})
        if not criminal and self.special_measures:
            raise ValidationError({"special_measures": "Special measures are for criminal cases."})
