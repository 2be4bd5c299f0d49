"""The intake form, and the client record, have a field for every intake table of Insights (seed
002), with exactly the seed's labels. The expected labels below are copied from the seed
("Insights Idva dataset 2019-20"), not read back from the catalogue: if the catalogue or a field
drifts from the seed, these tests fail. The test walks the seed's intake tables, so a table with
no field (and no stated derivation or other home) fails too.

The other forms' tables are in test_outcomes_catalogue.py, and the shared check in
catalogue_check.py.
"""

import pytest

from catalogue.insights import TABLES, TABLES_BY_KEY
from outcomes.models.base import ANSWER_LENGTH
from outcomes.questions import ABUSE_EXPERIENCED

from .catalogue_check import LEVELS, check_form

# table key -> (model, field, the seed's labels, "Don't know" last where the seed has it)

INTAKE_FIELDS = {
    "client_ace": ("IntakeForm", "client_ace", ("Yes", "No", "Don't know")),
    "client_ace_types": (
        "IntakeForm",
        "client_ace_types",
        (
            "Verbal abuse",
            "Direct physical abuse",
            "Sexual abuse",
            "Parental separation",
            "Domestic abuse (exposure)",
            "Mental illness",
            "Alcohol abuse",
            "Drug abuse",
            "Incarceration of adults within household",
        ),
    ),
    "intake_level_physical": (
        "IntakeForm",
        "level_physical",
        ("High", "Moderate", "Standard", "None", "Don't know"),
    ),
    "intake_level_sexual": (
        "IntakeForm",
        "level_sexual",
        ("High", "Moderate", "Standard", "None", "Don't know"),
    ),
    "intake_level_harassment_stalking": (
        "IntakeForm",
        "level_harassment_stalking",
        ("High", "Moderate", "Standard", "None", "Don't know"),
    ),
    "intake_level_jealous_controlling": (
        "IntakeForm",
        "level_jealous_controlling",
        ("High", "Moderate", "Standard", "None", "Don't know"),
    ),
    "intake_level_forced_marriage": ("IntakeForm", "forced_marriage", ("Yes", "No", "Don't know")),
    "intake_level_honour_based": ("IntakeForm", "honour_based", ("Yes", "No", "Don't know")),
    "intake_level_fgm": ("IntakeForm", "fgm", ("Yes", "No", "Don't know")),
    "physical_abuse_details": (
        "IntakeForm",
        "physical_abuse_details",
        (
            "Slapped/pushed/shoved",
            "Kicked/punched",
            "Restrained/held down",
            "Physically threatened",
            "Attempted/strangulation",
            "Threats/use of weapons",
            "Scratches/shallow cuts",
            "Burning",
            "Other",
            "Don't know",
        ),
    ),
    "sexual_abuse_details": (
        "IntakeForm",
        "sexual_abuse_details",
        (
            "Use of threats/force to obtain sex",
            "Rape",
            "Serious sexual assaults",
            "Deliberate infliction of pain during sex",
            "Use of weapons during sex",
            "Sexual abuse of children",
            "Enforced prostitution",
            "Intentional transmission of STIs",
            "Unwanted touching",
            "Made to feel uncomfortable about sex/gender identity",
            "Forced to perform sexual acts",
            "Use of sexual insults",
            "Revenge porn",
            "Other",
            "Don't know",
        ),
    ),
    "harassment_stalking_details": (
        "IntakeForm",
        "harassment_stalking_details",
        (
            "Constant calls/texts/emails",
            "Uninvited visits to home/workplace",
            "Destroyed/vandalised property",
            "Stalking",
            "Stalking involving others",
            "Homicide/familiacide threats",
            "Other",
            "Don't know",
        ),
    ),
    "jealous_controlling_details": (
        "IntakeForm",
        "jealous_controlling_details",
        (
            "Extreme jealousy/possessiveness",
            "Threats to harm victim",
            "Control of victim/s daily activities",
            "Isolation from family/friends",
            "Intercepting calls/messages/social media",
            "Controls how finances are spent",
            "Controls access to money",
            "Humiliated/embarrassed victim in front of others",
            "Prevention from accessing care needs/medication",
            "Locks victim up",
            "Severely restricts movements",
            "Threats to take children",
            "Suicide/homicide/familicide threats",
            "Irrational accusations of infidelity",
            "Control of victim/s appearance",
            "Pet abuse",
            "Other",
            "Don't know",
        ),
    ),
    "abuse_length": (
        "IntakeForm",
        "abuse_length",
        ("1-11 months", "1-2 years", "3-5 years", "6-10 years", "11 years +"),
    ),
    "previous_abuse_exposure": (
        "IntakeForm",
        "previous_abuse_exposure",
        (
            "Yes, DA by the same partner in an earlier relationship",
            "Yes, DA by previous intimate partner",
            "Yes, DA perpetrated by a family member",
            "Yes, direct abuse as a CYP",
            "Yes, exposure as a CYP",
            "Yes, other",
            "No",
            "Don't know",
        ),
    ),
    "primary_perpetrator_relationship": (
        "IntakeForm",
        "primary_perpetrator_relationship",
        (
            "Current intimate partner",
            "Ex-intimate partner",
            "Mother",
            "Step-mother",
            "Father",
            "Step-father",
            "Grandmother",
            "Grandfather",
            "Child (under 18) biological",
            "Child (under 18) step-child",
            "Child (18 or over) biological",
            "Child (18 or over) step-child",
            "Brother",
            "Sister",
            "Step-brother",
            "Step-sister",
            "Other family member",
            "Other known person/associate",
            "Don't know",
        ),
    ),
    "living_with_perpetrator": (
        "IntakeForm",
        "living_with_perpetrator",
        ("Living together", "Living together intermittently", "Not living together", "Don't know"),
    ),
    "not_living_together_reason": (
        "IntakeForm",
        "not_living_together_reason",
        ("Perpetrator deceased", "Perpetrator in jail", "Client in refuge", "Other"),
    ),
    "abuse_typology": (
        "IntakeForm",
        "abuse_typology",
        (
            "Intimate terrorism/coercive control",
            "Situational couple violence",
            "Violent resistance",
            "Mutual couple violence",
            "Don't know",
        ),
    ),
    "multiple_perpetrators": ("IntakeForm", "multiple_perpetrators", ("Yes", "No", "Don't know")),
    "additional_perpetrators_relationship": (
        "IntakeForm",
        "additional_perpetrators_relationship",
        (
            "Current intimate partner",
            "Ex-intimate partner",
            "Mother",
            "Step-mother",
            "Father",
            "Step-father",
            "Grandmother",
            "Grandfather",
            "Child (under 18) biological",
            "Child (under 18) step-child",
            "Child (18 or over) biological",
            "Child (18 or over) step-child",
            "Brother",
            "Sister",
            "Step-brother",
            "Step-sister",
            "Other family member",
            "Other known person/associate",
            "Don't know",
        ),
    ),
    "past_12_months_help_seeking": (
        "IntakeForm",
        "help_sought",
        (
            "The client has visited A&E",
            "The client has gone to the police",
            "The client has engaged with another DVA service or been in refuge",
            "The client has attempted to end the abusive relationship",
        ),
    ),
    "perpetrator_sex_at_birth": (
        "IntakeForm",
        "perpetrator_sex_at_birth",
        ("Male", "Female", "Intersex", "Not disclosed", "Don't know"),
    ),
    "perpetrator_gender_identity": (
        "IntakeForm",
        "perpetrator_gender_identity",
        ("Male", "Female", "In another way", "Not disclosed", "Not sex assigned at birth"),
    ),
    "perpetrator_multiple_victims": (
        "IntakeForm",
        "perpetrator_multiple_victims",
        ("Yes", "No", "Don't know"),
    ),
    "perpetrator_need_mental_health": (
        "IntakeForm",
        "perpetrator_need_mental_health",
        ("Yes", "No", "Don't know"),
    ),
    "perpetrator_need_drugs": ("IntakeForm", "perpetrator_need_drugs", ("Yes", "No", "Don't know")),
    "perpetrator_need_alcohol": (
        "IntakeForm",
        "perpetrator_need_alcohol",
        ("Yes", "No", "Don't know"),
    ),
    "intake_need_alcohol_misuse": (
        "IntakeForm",
        "need_alcohol_misuse",
        ("Yes", "No", "Don't know"),
    ),
    "intake_need_children_parenting": (
        "IntakeForm",
        "need_children_parenting",
        ("Yes", "No", "Don't know"),
    ),
    "intake_need_drug_misuse": ("IntakeForm", "need_drug_misuse", ("Yes", "No", "Don't know")),
    "intake_need_employment_education_training": (
        "IntakeForm",
        "need_employment_education_training",
        ("Yes", "No", "Don't know"),
    ),
    "intake_need_finance_benefits_debt": (
        "IntakeForm",
        "need_finance_benefits_debt",
        ("Yes", "No", "Don't know"),
    ),
    "intake_need_housing": ("IntakeForm", "need_housing", ("Yes", "No", "Don't know")),
    "intake_need_immigration": ("IntakeForm", "need_immigration", ("Yes", "No", "Don't know")),
    "intake_need_mental_health": ("IntakeForm", "need_mental_health", ("Yes", "No", "Don't know")),
    "intake_need_physical_health": (
        "IntakeForm",
        "need_physical_health",
        ("Yes", "No", "Don't know"),
    ),
    "intake_need_social_community_support": (
        "IntakeForm",
        "need_social_community_support",
        ("Yes", "No", "Don't know"),
    ),
    "mental_health_symptoms": (
        "IntakeForm",
        "mental_health_symptoms",
        (
            "Depression",
            "Anxiety",
            "Stress",
            "Self harm",
            "Suicidal thoughts/behaviour",
            "Emotional instability",
            "Trouble sleeping",
            "Problems with eating",
            "Flashbacks",
            "Other",
            "Don't know",
        ),
    ),
    "mental_health_diagnosed": (
        "IntakeForm",
        "mental_health_diagnosed",
        ("Yes", "No", "Don't know"),
    ),
    "mental_health_diagnoses": (
        "IntakeForm",
        "mental_health_diagnoses",
        (
            "Anxiety disorder",
            "Bipolar disorder",
            "Autistic spectrum disorder",
            "Depression",
            "Eating disorder",
            "Obsessive compulsive disorder",
            "Personality disorders",
            "PTSD",
            "Complex PTSD",
            "Schizophrenia",
            "Psychosis",
            "Other",
            "Don't know",
        ),
    ),
    "public_funds_access": ("IntakeForm", "public_funds_access", ("Yes", "No", "Don't know")),
    "ilr_needed": ("IntakeForm", "ilr_needed", ("Yes", "No", "Don't know")),
    "visa_dependent": ("IntakeForm", "visa_dependent", ("Yes", "No", "Don't know")),
}

# Tables the reports derive from the fields above (computed in SQL), with the fields they use.
INTAKE_DERIVED = {
    "abuse_types_12_months": ("IntakeForm", (*LEVELS, "forced_marriage", "honour_based", "fgm")),
    "intake_multiple_abuse_types": (
        "IntakeForm",
        (*LEVELS, "forced_marriage", "honour_based", "fgm"),
    ),
    "matched_intake_multiple_abuse_types": ("IntakeForm", LEVELS),
    "matched_intake_level_physical": ("IntakeForm", ("level_physical",)),
    "matched_intake_level_sexual": ("IntakeForm", ("level_sexual",)),
    "matched_intake_level_harassment_stalking": ("IntakeForm", ("level_harassment_stalking",)),
    "matched_intake_level_jealous_controlling": ("IntakeForm", ("level_jealous_controlling",)),
    "matched_intake_living_arrangement": ("IntakeForm", ("living_with_perpetrator",)),
}

# Intake tables recorded elsewhere (the client's situation at intake, pre-filled from the client
# record and kept on the intake form: issue 19, item 4; children of the case).
# table key -> (app.Model, field).
INTAKE_ELSEWHERE = {
    "client_pregnant": ("IntakeForm", "pregnant"),
    "client_employment": ("IntakeForm", "employment"),
    "client_financial_situation": ("IntakeForm", "financial_situation"),
    "children_count": ("cases.ChildInCase", "case"),  # the number of children rows
    "children_ages": ("cases.ChildInCase", "age_band"),
    "cyps_involvement_intake": ("cases.ChildInCase", "cyps_involvement"),
}
# ... and derived from them: table -> (app.Model, field, the table whose list the field uses).
INTAKE_ELSEWHERE_DERIVED = {
    # The intake column of 'Indicate ongoing CYPS involvement' lists the intake profile's
    # options less 'Personal advisor' and 'Transitions team'.
    "cyps_involvement_matched_intake": (
        "cases.ChildInCase",
        "cyps_involvement",
        "cyps_involvement_intake",
    ),
}


@pytest.mark.django_db
def test_intake_form_has_every_intake_table_of_the_seed():
    check_form("intake", INTAKE_FIELDS, INTAKE_DERIVED, INTAKE_ELSEWHERE, INTAKE_ELSEWHERE_DERIVED)


def test_every_label_fits_its_column():
    longest = max(len(label) for table in TABLES for label in table.options)
    assert longest <= ANSWER_LENGTH
    assert len(ABUSE_EXPERIENCED) <= ANSWER_LENGTH


def test_no_table_of_these_forms_is_marked_for_a_form_lantern_lacks():
    forms = {table.form for table in TABLES}
    assert forms <= {
        "client",
        "referral",
        "case",
        "contacts",
        "support",
        "assessment",
        "marac",
        "intake",
        "review",
        "exit",
        "criminal_justice",
        "civil_justice",
    }
    assert TABLES_BY_KEY["cj_incidents"].options[3].startswith("Assault \u2013")
