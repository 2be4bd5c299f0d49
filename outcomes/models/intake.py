"""The intake form (Time 1): history of abuse, perpetrator and needs when the case opens.

The client's situation at intake (pregnancy, disability, employment, financial situation) is
kept here as it was at intake, pre-filled from the client record when the form is started: the
record changes later, and a report of a past period must not change with it (issue 19, item 4).
So are "High risk?" and "Discussed at Marac?", pre-filled from the assessment that decides the
intake risk and the hearings held by the intake date, with "Don't know" (issue 19, item 2). The
children (cases.ChildInCase) are not repeated here; the intake and exit risk assessments are
riskassessment.Assessment rows of the same case (stage intake/exit), joined by case.
"""

from django.db import models

from accounts.audit import audited
from accounts.validators import validate_event_date
from cases.models import Case

from .base import OutcomeForm, answer, count, dont_know, options

INTAKE_M2M = {
    "client_ace_types",
    "physical_abuse_details",
    "sexual_abuse_details",
    "harassment_stalking_details",
    "jealous_controlling_details",
    "previous_abuse_exposure",
    "additional_perpetrators_relationship",
    "help_sought",
    "perpetrator_gender_identity",
    "mental_health_symptoms",
    "mental_health_diagnoses",
    "disability_types",
    "employment",
}


@audited(m2m_fields=INTAKE_M2M)
class IntakeForm(OutcomeForm):
    # No index of its own: the unique outcomes_one_intake_per_case is that index.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="intake_forms", db_index=False
    )
    completed_on = models.DateField(
        "date of intake", null=True, blank=True, validators=[validate_event_date]
    )

    # Risk at intake (pre-filled from the deciding assessment and the hearings; changeable)
    high_risk = answer("high_risk", "High risk?")
    marac_discussed = answer("marac_discussed", "Has the case been discussed at Marac?")

    # The client at intake (pre-filled from the client record; kept as it was at intake)
    pregnant = answer("client_pregnant", "Is the client pregnant?")
    disability = answer("client_disability", "Does the client have a disability?")
    disability_types = options("client_disability_type", "If yes, what type?")
    disability_types_dont_know = dont_know()
    employment = options("client_employment", "Current employment situation")
    employment_dont_know = dont_know()
    financial_situation = answer("client_financial_situation", "Current financial situation")

    # Adverse childhood experiences
    client_ace = answer(
        "client_ace", "Has the client experienced an Adverse Childhood Experience (ACE)?"
    )
    client_ace_types = options("client_ace_types", "Adverse Childhood Experiences (ACEs)")

    # Abuse in the past 12 months: level and behaviours of each type
    level_physical = answer("intake_level_physical", "Level of physical abuse")
    physical_abuse_details = options("physical_abuse_details", "Details of physical abuse")
    physical_abuse_details_dont_know = dont_know()
    level_sexual = answer("intake_level_sexual", "Level of sexual abuse")
    sexual_abuse_details = options("sexual_abuse_details", "Details of sexual abuse")
    sexual_abuse_details_dont_know = dont_know()
    level_harassment_stalking = answer(
        "intake_level_harassment_stalking", "Level of harassment and stalking"
    )
    harassment_stalking_details = options(
        "harassment_stalking_details", "Details of harassment and stalking"
    )
    harassment_stalking_details_dont_know = dont_know()
    level_jealous_controlling = answer(
        "intake_level_jealous_controlling", "Level of jealous and controlling behaviour"
    )
    jealous_controlling_details = options(
        "jealous_controlling_details", "Details of jealous and controlling behaviour"
    )
    jealous_controlling_details_dont_know = dont_know()
    forced_marriage = answer("intake_level_forced_marriage", "Forced marriage")
    honour_based = answer("intake_level_honour_based", "'Honour'-based violence/abuse")
    fgm = answer("intake_level_fgm", "Female Genital Mutilation (FGM)")

    # History and relationship
    abuse_length = answer("abuse_length", "For how long has the abuse been occurring?")
    previous_abuse_exposure = options(
        "previous_abuse_exposure", "Has the client been exposed to domestic abuse previously?"
    )
    previous_abuse_exposure_dont_know = dont_know()
    primary_perpetrator_relationship = answer(
        "primary_perpetrator_relationship", "Relationship to primary perpetrator"
    )
    living_with_perpetrator = answer(
        "living_with_perpetrator", "Is the client living with the perpetrator of abuse?"
    )
    not_living_together_reason = answer(
        "not_living_together_reason", "Reason for not living together"
    )
    abuse_typology = answer("abuse_typology", "Typology of abuse")
    multiple_perpetrators = answer("multiple_perpetrators", "Are there multiple perpetrators?")
    additional_perpetrators_relationship = options(
        "additional_perpetrators_relationship", "Relationship to additional perpetrators"
    )
    additional_perpetrators_relationship_dont_know = dont_know()

    # Within the past 12 months... (each option a yes/no, with the number of times)
    help_sought = options("past_12_months_help_seeking", "Within the past 12 months...")
    times_ae = count("Number of visits to A&E")
    times_police = count("Number of times the client went to the police")
    times_dva_service = count("Number of times with another DVA service or refuge")
    attempts_to_end = count("Number of attempts to end the relationship")

    # Primary perpetrator (as known at intake)
    perpetrator_sex_at_birth = answer("perpetrator_sex_at_birth", "Perpetrator's sex at birth")
    perpetrator_gender_identity = options(
        "perpetrator_gender_identity",
        "Which of the following describes how the perpetrator thinks of themselves?",
    )
    perpetrator_multiple_victims = answer(
        "perpetrator_multiple_victims", "Does the perpetrator have multiple victims?"
    )
    perpetrator_need_mental_health = answer(
        "perpetrator_need_mental_health", "Perpetrator has mental health needs"
    )
    perpetrator_need_drugs = answer("perpetrator_need_drugs", "Perpetrator has drug misuse needs")
    perpetrator_need_alcohol = answer(
        "perpetrator_need_alcohol", "Perpetrator has alcohol misuse needs"
    )

    # Client needs at intake
    need_alcohol_misuse = answer("intake_need_alcohol_misuse", "Alcohol misuse")
    need_children_parenting = answer("intake_need_children_parenting", "Children and parenting")
    need_drug_misuse = answer("intake_need_drug_misuse", "Drug misuse")
    need_employment_education_training = answer(
        "intake_need_employment_education_training", "Employment, education and training"
    )
    need_finance_benefits_debt = answer(
        "intake_need_finance_benefits_debt", "Finance, benefits and debt"
    )
    need_housing = answer("intake_need_housing", "Housing")
    need_immigration = answer("intake_need_immigration", "Immigration")
    need_mental_health = answer("intake_need_mental_health", "Mental health")
    need_physical_health = answer("intake_need_physical_health", "Physical health")
    need_social_community_support = answer(
        "intake_need_social_community_support", "Social and community support"
    )

    # Mental health
    mental_health_symptoms = options(
        "mental_health_symptoms", "Is the client experiencing any of the following?"
    )
    mental_health_symptoms_dont_know = dont_know()
    mental_health_diagnosed = answer(
        "mental_health_diagnosed", "Does the client have a diagnosed mental health condition?"
    )
    mental_health_diagnoses = options(
        "mental_health_diagnoses", "Diagnosed mental health conditions"
    )
    mental_health_diagnoses_dont_know = dont_know()

    # Public funds and immigration
    public_funds_access = answer(
        "public_funds_access", "Does the client have access to public funds?"
    )
    ilr_needed = answer(
        "ilr_needed", "Does the client need to apply for indefinite leave to remain?"
    )
    visa_dependent = answer(
        "visa_dependent", "Is the client dependent on the perpetrator for a visa?"
    )

    kind = "intake"
    date_field = "completed_on"

    class Meta:
        verbose_name = "intake form"
        constraints = [
            models.UniqueConstraint(fields=["case"], name="outcomes_one_intake_per_case"),
        ]
        indexes = [
            # Insights intake tables: submitted intakes dated in the period.
            models.Index(fields=["status", "completed_on"], name="outcomes_intake_period"),
        ]
