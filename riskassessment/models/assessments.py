"""An assessment: one checklist completed for a case, scored against the version it used."""

from django.conf import settings
from django.db import models

from accounts.audit import CaseDataModel, audited
from accounts.validators import validate_event_date
from cases.choices import insights_choices
from cases.models import Case, RiskLevel
from cases.models.case import CaseChild

from .checklists import AnswerOption, ChecklistVersion, Question


class HighRiskBasis(models.TextChoices):
    """The Insights labels (seed 002, table high_risk_basis), stored as they are."""

    ACTUARIAL = "Actuarial", "Actuarial"
    PROFESSIONAL_JUDGEMENT = "Professional judgment", "Professional judgement"
    ESCALATION = "Escalation", "Escalation"


@audited
class Assessment(CaseChild):
    class Stage(models.TextChoices):
        INTAKE = "intake", "Intake"
        REVIEW = "review", "Review"
        EXIT = "exit", "Exit"
        AD_HOC = "ad_hoc", "Ad hoc"

    class Source(models.TextChoices):
        CLIENT = "client", "The client"
        POLICE = "police", "Police"
        OTHER_PROFESSIONAL = "other_professional", "Another professional"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    # No index of its own: assessment_case_status (case, status, -assessed_on) serves it.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="risk_assessments", db_index=False
    )
    version = models.ForeignKey(
        ChecklistVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    # A follow-up checklist (stalking, honour-based abuse) hangs off the assessment that opened it.
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups"
    )
    assessed_on = models.DateField(validators=[validate_event_date])
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField(max_length=10, choices=Stage.choices)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.CLIENT)
    notes = models.TextField("overall notes", blank=True)
    police_call_outs = models.PositiveIntegerField(
        "police call-outs in the escalation window",
        null=True,
        blank=True,
        help_text="How many times the police were called out to the client in the window "
        "(by default the last 12 months). Leave empty if not known.",
    )
    professional_judgement_level = models.CharField(
        "risk level by professional judgement",
        max_length=10,
        choices=RiskLevel.choices,
        blank=True,
        help_text="Only to raise the level the checklist gives; it never lowers it.",
    )
    professional_judgement_reason = models.TextField(blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )

    # Computed on submit and stored, so that reports read them and a later version never
    # changes them.
    score = models.IntegerField(null=True, blank=True)
    band_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    band_label = models.CharField(max_length=40, blank=True)
    insights_band = models.CharField(
        max_length=30, blank=True, choices=insights_choices("dash_ticks_intake")
    )
    visible_high_risk = models.BooleanField(default=False)
    potential_escalation = models.BooleanField(default=False)
    marac_criteria_met = models.BooleanField("MARAC criteria met", default=False)
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    risk_level_label = models.CharField(max_length=40, blank=True)
    high_risk_basis = models.CharField(max_length=30, choices=HighRiskBasis.choices, blank=True)
    # Most answers "Not asked" (scoring.MOST_NOT_ASKED): the checklist may raise the case's risk
    # but never lower it (riskassessment.current_risk).
    not_asked_count = models.PositiveSmallIntegerField(null=True, blank=True)
    is_incomplete = models.BooleanField("incomplete", default=False)
    # The last day it is current (assessed_on + the service's risk_current_days, fixed on submit
    # like the score, so that a later change of the setting does not rewrite the history).
    current_until = models.DateField(null=True, blank=True)
    # Set by riskassessment.services.current_risk: the one submitted main assessment of its
    # case and stage whose level is the risk at that stage under the current-risk rule (what
    # the outcome forms and the Insights report read as "risk at intake").
    decides_stage_risk = models.BooleanField(default=False)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(professional_judgement_level="")
                | ~models.Q(professional_judgement_reason=""),
                name="assessment_judgement_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(submitted_at__isnull=False),
                name="assessment_submitted_has_time",
            ),
        ]
        indexes = [
            # Risk history of a case, and "the latest submitted assessment" for its current risk.
            models.Index(fields=["case", "status", "-assessed_on"], name="assessment_case_status"),
            # Reports: assessments of a stage in a period.
            models.Index(fields=["stage", "assessed_on"], name="assessment_stage_date"),
            # The Insights report: the assessment that decides each case's risk at a stage.
            models.Index(
                fields=["case", "stage"],
                condition=models.Q(decides_stage_risk=True),
                name="assessment_decides_stage",
            ),
        ]

    @property
    def audit_label(self):
        return f"Risk assessment {self.pk}"

    @property
    def is_submitted(self):
        return self.status == self.Status.SUBMITTED

    @property
    def is_high_risk(self):
        return self.risk_level == RiskLevel.HIGH


@audited
class Answer(CaseDataModel):
    # No index of its own: the unique constraint on (assessment, question) below starts with
    # the assessment, so it serves every lookup by assessment (and the cascade from it); a
    # second index only doubled the work of each answer written (24 per assessment).
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    # Empty while a draft leaves the question unanswered.
    option = models.ForeignKey(
        AnswerOption, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    detail = models.TextField(blank=True, help_text="The answer to the question's follow-up.")
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["question__order", "question__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="answer_one_per_question"
            ),
        ]

    def audit_scope(self):
        return self.assessment.case_id, self.assessment.case.service_id
