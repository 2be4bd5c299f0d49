"""Criminal and civil justice (CCJ) forms.

Criminal: one form per case, with one row per police report and one row per incident (its
offence and its consequence: NFA and why, arrest, charge, plea, verdict). Special measures,
penalties and the Idva's support are per report, as Insights counts them over police reports.
Civil: one form per case, legal aid, the Idva's support, and one row per order applied for.
"""

from django.db import models

from accounts.audit import audited
from accounts.validators import validate_event_date
from cases.choices import insights_choices
from cases.models import Case
from cases.models.case import CaseChild
from outcomes.questions import CIVIL_ORDER_TABLES

from .base import OutcomeForm, answer, count, options


@audited
class CriminalJusticeForm(OutcomeForm):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="criminal_justice_forms")
    police_reports_count = count("Number of reports made to the police")

    kind = "criminal"

    class Meta:
        verbose_name = "criminal justice form"
        constraints = [
            models.UniqueConstraint(fields=["case"], name="outcomes_one_criminal_form_per_case"),
        ]


@audited(m2m_fields={"perpetrator_penalties", "idva_support"})
class PoliceReport(CaseChild):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="police_reports")
    form = models.ForeignKey(
        CriminalJusticeForm, on_delete=models.CASCADE, related_name="police_reports"
    )
    reported_on = models.DateField(
        "date reported", null=True, blank=True, validators=[validate_event_date]
    )
    timing = answer("police_report_timing", "When was the report made to the police?")
    incidents_count = count("Number of incidents in this report")
    special_measures = answer("cj_special_measures", "Were special measures granted?")
    perpetrator_penalties = options("cj_perpetrator_penalties", "Perpetrator penalties")
    idva_support = options(
        "cj_idva_support", "What support did you provide the client in this area?"
    )

    class Meta:
        verbose_name = "police report"
        ordering = ["reported_on", "pk"]


@audited
class Incident(CaseChild):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="police_incidents")
    report = models.ForeignKey(PoliceReport, on_delete=models.CASCADE, related_name="incidents")
    offence = answer("cj_incidents", "Offence")
    consequence = answer("cj_consequences", "Consequence")
    nfa_reason = answer("cj_nfa_reason", "Reason for NFA (no further action)")

    class Meta:
        verbose_name = "incident"
        ordering = ["pk"]


@audited(m2m_fields={"idva_support"})
class CivilJusticeForm(OutcomeForm):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="civil_justice_forms")
    legal_aid = answer("civil_legal_aid", "Did the client qualify for legal aid?")
    idva_support = options(
        "civil_idva_support", "What support did you provide the client in this area?"
    )

    kind = "civil"

    class Meta:
        verbose_name = "civil justice form"
        constraints = [
            models.UniqueConstraint(fields=["case"], name="outcomes_one_civil_form_per_case"),
        ]


ORDER_TYPES = [(label, label) for label in CIVIL_ORDER_TABLES]


@audited
class CivilOrder(CaseChild):
    """One order applied for, with its status by the time the case closed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="civil_orders")
    form = models.ForeignKey(CivilJusticeForm, on_delete=models.CASCADE, related_name="orders")
    order_type = models.CharField(max_length=100, choices=ORDER_TYPES)
    status = models.CharField(
        max_length=20, choices=insights_choices("civil_order_non_molestation")
    )

    class Meta:
        verbose_name = "civil order"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "order_type"], name="outcomes_one_row_per_order_type"
            ),
        ]
