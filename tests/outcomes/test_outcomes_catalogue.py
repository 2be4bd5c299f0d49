"""Each outcome form has a field for every Insights table (seed 002) it records, with exactly the
seed's labels. The expected labels below are copied from the seed ("Insights Idva dataset
2019-20"), not read back from the catalogue: if the catalogue or a field drifts from the seed,
these tests fail. Each test walks the seed's tables of its form, so a table with no field (and
no stated derivation or other home) fails too.
"""

import pytest

from cases.models import Option
from catalogue.insights import TABLES, TABLES_BY_KEY
from outcomes import models as outcome_models
from outcomes.models.base import ANSWER_LENGTH
from outcomes.questions import ABUSE_EXPERIENCED

DK = "Don't know"

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

REVIEW_FIELDS = {
    "review_further_abuse": (
        "ReviewForm",
        "further_abuse",
        (
            "Yes, DA by the same perpetrator",
            "Yes, DA by a different perpetrator",
            "Yes, DA by multiple perpetrators",
            "Yes, DA perpetrated by a family member",
            "No",
        ),
    ),
    "review_further_abuse_disclosed": (
        "ReviewForm",
        "further_abuse_disclosed",
        (
            "Yes, DA by the same perpetrator",
            "Yes, DA by a different perpetrator",
            "Yes, DA by multiple perpetrators",
            "Yes, DA perpetrated by a family member",
            "Yes, historic abuse",
            "No",
        ),
    ),
}

EXIT_FIELDS = {
    "exit_case_status": ("ExitForm", "case_status", ("Planned closure", "Unplanned closure")),
    "unplanned_closure_reason": (
        "ExitForm",
        "unplanned_closure_reason",
        (
            "Client disengaged",
            "Client moved out of area",
            "Client in prison",
            "Client in care of mental health services",
            "Client fatality",
            "Other",
        ),
    ),
    "exit_abuse_reported": (
        "ExitForm",
        "abuse_since",
        ("No abuse experienced since intake", "No abuse experienced since last review point"),
    ),
    "exit_level_physical": (
        "ExitForm",
        "level_physical",
        ("High", "Moderate", "Standard", "None", "Don't know"),
    ),
    "exit_level_sexual": (
        "ExitForm",
        "level_sexual",
        ("High", "Moderate", "Standard", "None", "Don't know"),
    ),
    "exit_level_harassment_stalking": (
        "ExitForm",
        "level_harassment_stalking",
        ("High", "Moderate", "Standard", "None", "Don't know"),
    ),
    "exit_level_jealous_controlling": (
        "ExitForm",
        "level_jealous_controlling",
        ("High", "Moderate", "Standard", "None", "Don't know"),
    ),
    "exit_living_arrangement": (
        "ExitForm",
        "living_arrangement",
        ("Living together", "Living together intermittently", "Not living together", "Don't know"),
    ),
    "ongoing_contact": ("ExitForm", "ongoing_contact", ("Yes", "No", "Don't know")),
    "ongoing_contact_reason": (
        "ExitForm",
        "ongoing_contact_reasons",
        (
            "Children",
            "Family and social network",
            "Legal proceedings",
            "Financial arrangements",
            "Ongoing abuse",
            "Ongoing relationship",
            "Dependent of perpetrator for visa",
            "Other",
            "Don't know",
        ),
    ),
    "child_contact_conflict": ("ExitForm", "child_contact_conflict", ("Yes", "No", "Don't know")),
    "child_contact_abuse": ("ExitForm", "child_contact_abuse", ("Yes", "No", "Don't know")),
    "client_outcome_feel_safer": (
        "ExitForm",
        "outcome_feel_safer",
        ("Strongly agree", "Agree", "Not certain", "Disagree", "Disagree strongly"),
    ),
    "client_outcome_wellbeing": (
        "ExitForm",
        "outcome_wellbeing",
        ("Strongly agree", "Agree", "Not certain", "Disagree", "Disagree strongly"),
    ),
    "client_outcome_quality_of_life": (
        "ExitForm",
        "outcome_quality_of_life",
        ("Strongly agree", "Agree", "Not certain", "Disagree", "Disagree strongly"),
    ),
    "client_outcome_optimistic": (
        "ExitForm",
        "outcome_optimistic",
        ("Strongly agree", "Agree", "Not certain", "Disagree", "Disagree strongly"),
    ),
    "client_outcome_confident": (
        "ExitForm",
        "outcome_confident",
        ("Strongly agree", "Agree", "Not certain", "Disagree", "Disagree strongly"),
    ),
    "client_helpful_agencies": (
        "ExitForm",
        "client_helpful_agencies",
        (
            "Police",
            "Marac",
            "Health",
            "Hospital - A&E",
            "Hospital - Maternity",
            "Community health",
            "Mental health",
            "Housing",
            "Drug services",
            "Alcohol services",
            "Education",
            "Children's social services",
            "Adult's social services",
            "Probation",
            "CRC",
            "Refuge",
            "Outreach",
            "Other DVA & BV services",
            "Helpline",
            "Specialist services",
            "Legal services",
            "Non-statutory youth services",
            "Idva service",
            "Education welfare - in school",
            "Education welfare - external",
            "Other",
        ),
    ),
    "caseworker_helpful_agencies": (
        "ExitForm",
        "caseworker_helpful_agencies",
        (
            "Police",
            "Marac",
            "Health",
            "Hospital - A&E",
            "Hospital - Maternity",
            "Community health",
            "Mental health",
            "Housing",
            "Drug services",
            "Alcohol services",
            "Education",
            "Children's social services",
            "Adult's social services",
            "Probation",
            "CRC",
            "Refuge",
            "Outreach",
            "Other DVA & BV services",
            "Helpline",
            "Specialist services",
            "Legal services",
            "Non-statutory youth services",
            "Idva service",
            "Education welfare - in school",
            "Education welfare - external",
            "Other",
        ),
    ),
    "caseworker_challenging_agencies": (
        "ExitForm",
        "caseworker_challenging_agencies",
        (
            "Police",
            "Marac",
            "Health",
            "Hospital - A&E",
            "Hospital - Maternity",
            "Community health",
            "Mental health",
            "Housing",
            "Drug services",
            "Alcohol services",
            "Education",
            "Children's social services",
            "Adult's social services",
            "Probation",
            "CRC",
            "Refuge",
            "Outreach",
            "Other DVA & BV services",
            "Helpline",
            "Specialist services",
            "Legal services",
            "Non-statutory youth services",
            "Idva service",
            "Education welfare - in school",
            "Education welfare - external",
            "Other",
        ),
    ),
}

CRIMINAL_JUSTICE_FIELDS = {
    "police_report_timing": (
        "PoliceReport",
        "timing",
        (
            "Before engagement with service",
            "After engagement with service",
            "Both before and after engagement with service",
        ),
    ),
    "cj_incidents": (
        "Incident",
        "offence",
        (
            "Assault - Beating/battery (Section 39)",
            "Assault - Actual Bodily Harm (Section 47)",
            "Assault - Grievous Bodily Harm with intent (Section 18)",
            "Assault \u2013 Grievous Bodily Harm - without intent (Section 20)",  # en dash
            "Harassment (Section 2)",
            "Harassment (Section 4)",
            "Criminal Damage",
            "Threats to Kill",
            "Coercive Control",
            "Malicious Communication",
            "Breach of Restraining Order",
            "Breach of Non-Molestation",
            "Rape (Section 1)",
            "Sexual Assault (Section 3)",
            "Kidnapping or False Imprisonment",
            "Perverting the course of justice (Common Law)",
            "Witness Intimidation (Section 51)",
            "Crimes against property",
            "Perjury",
            "Fraud",
            "Breach of bail",
            "Common assault",
            "Revenge Porn",
            "Arson",
            "Stalking",
            "Other",
            "Don't know",
        ),
    ),
    "cj_consequences": (
        "Incident",
        "consequence",
        (
            "Police report - NFA (no further action)",
            "Arrested - on bail",
            "Arrested - in custody",
            "Charged",
            "Charge dropped",
            "Pled guilty",
            "Pled guilty (lesser charge)",
            "Pled innocent-found guilty",
            "Pled innocent-found guilty (lesser charge)",
            "Not proven",
            "Acquitted",
        ),
    ),
    "cj_nfa_reason": (
        "Incident",
        "nfa_reason",
        (
            "Victim withdrew",
            "Police withdrawal of case",
            "CPS withdrawal of case",
            "Other",
            "Don't know",
        ),
    ),
    "cj_special_measures": (
        "PoliceReport",
        "special_measures",
        ("Granted", "Denied", "Not yet confirmed", "Not requested", "Don't know"),
    ),
    "cj_perpetrator_penalties": (
        "PoliceReport",
        "perpetrator_penalties",
        (
            "Community order - DV-related specified activity order",
            "Community order - other requirements",
            "Suspended sentence - with DV-related specified order",
            "Suspended sentence - with other requirements",
            "Custodial sentence - up to 12 months",
            "Custodial sentence - 12 months or more",
            "Restraining order - up to 12 months",
            "Restraining order - up to 24 months",
            "Restraining order - 5 years",
            "Restraining order - indefinite",
            "Bindover",
            "Fine",
            "Caution",
            "Compensation",
            "Conditional discharge",
            "Other",
        ),
    ),
    "cj_idva_support": (
        "PoliceReport",
        "idva_support",
        (
            "Helped client report incident to police",
            "Explained criminal justice process",
            "Supported client through criminal justice processes",
            "Supported client to access legal support",
            "Attended court with client",
            "Attended court without client",
            "Provided updates about court outcomes",
            "Advocated for client during proceedings",
            "Supported client with their own charge/conviction",
            "Helped client to access compensation",
            "Supported client to make an anonymous report",
            "Other",
        ),
    ),
}

CIVIL_JUSTICE_FIELDS = {
    "civil_legal_aid": ("CivilJusticeForm", "legal_aid", ("Yes", "No", "Don't know")),
    "civil_order_non_molestation": (
        "CivilOrder",
        "status",
        ("Applied for", "Granted", "Not granted", "Breached"),
    ),
    "civil_order_occupation": (
        "CivilOrder",
        "status",
        ("Applied for", "Granted", "Not granted", "Breached"),
    ),
    "civil_order_harassment_act": (
        "CivilOrder",
        "status",
        ("Applied for", "Granted", "Not granted", "Breached"),
    ),
    "civil_order_forced_marriage": (
        "CivilOrder",
        "status",
        ("Applied for", "Granted", "Not granted", "Breached"),
    ),
    "civil_order_child_arrangements": (
        "CivilOrder",
        "status",
        ("Applied for", "Granted", "Not granted", "Breached"),
    ),
    "civil_order_prohibited_steps": (
        "CivilOrder",
        "status",
        ("Applied for", "Granted", "Not granted", "Breached"),
    ),
    "civil_order_specific_issue": (
        "CivilOrder",
        "status",
        ("Applied for", "Granted", "Not granted", "Breached"),
    ),
    "civil_order_childrens_act_other": (
        "CivilOrder",
        "status",
        ("Applied for", "Granted", "Not granted", "Breached"),
    ),
    "civil_idva_support": (
        "CivilJusticeForm",
        "idva_support",
        (
            "Supported client to apply for legal aid",
            "Arranged a pre-court visit",
            "Referred client for legal advice",
            "Supported client with self application of orders",
            "Supported client to complete documents",
            "Attended court with client",
            "Provided updates about civil justice outcomes",
            "Advocated for client during proceedings",
            "Provided legal support at court",
            "Presented evidence at court",
            "Helped client report a breach",
            "Support with defence against cross applications",
            "Supported client with distribution of orders",
            "Other",
        ),
    ),
}

# Tables the reports derive from the fields above (computed in SQL), with the fields they use.
_LEVELS = (
    "level_physical",
    "level_sexual",
    "level_harassment_stalking",
    "level_jealous_controlling",
)
INTAKE_DERIVED = {
    "abuse_types_12_months": ("IntakeForm", (*_LEVELS, "forced_marriage", "honour_based", "fgm")),
    "intake_multiple_abuse_types": (
        "IntakeForm",
        (*_LEVELS, "forced_marriage", "honour_based", "fgm"),
    ),
    "matched_intake_multiple_abuse_types": ("IntakeForm", _LEVELS),
    "matched_intake_level_physical": ("IntakeForm", ("level_physical",)),
    "matched_intake_level_sexual": ("IntakeForm", ("level_sexual",)),
    "matched_intake_level_harassment_stalking": ("IntakeForm", ("level_harassment_stalking",)),
    "matched_intake_level_jealous_controlling": ("IntakeForm", ("level_jealous_controlling",)),
    "matched_intake_living_arrangement": ("IntakeForm", ("living_with_perpetrator",)),
}
REVIEW_DERIVED = {
    "review_point": ("ReviewForm", ("reviewed_on", "status")),
    "review_multiple_abuse_types": ("ReviewForm", _LEVELS),
}
EXIT_DERIVED = {
    "exit_multiple_abuse_types": ("ExitForm", _LEVELS),
    "change_level_physical": ("ExitForm", ("level_physical",)),
    "change_level_sexual": ("ExitForm", ("level_sexual",)),
    "change_level_harassment_stalking": ("ExitForm", ("level_harassment_stalking",)),
    "change_level_jealous_controlling": ("ExitForm", ("level_jealous_controlling",)),
    "exit_escalation": ("ExitForm", ("escalation_severity", "escalation_frequency", *_LEVELS)),
    "relationship_change": ("ExitForm", ("relationship_at_exit",)),
}
CRIMINAL_JUSTICE_DERIVED = {
    "cj_supported": ("CriminalJusticeForm", ("status",)),
    "police_report_statistics": ("PoliceReport", ("form", "incidents_count")),
}
CIVIL_JUSTICE_DERIVED = {
    "civil_supported": ("CivilJusticeForm", ("status",)),
}

# Intake tables recorded by the cases app (client record, children of the case): not repeated
# on the intake form. table key -> (app.Model, field).
INTAKE_ELSEWHERE = {
    "client_pregnant": ("cases.Client", "pregnant"),
    "client_employment": ("cases.Client", "employment"),
    "client_financial_situation": ("cases.Client", "financial_situation"),
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

# Answers a field has beyond the seed's printed rows (with the reason in outcomes.questions).
EXTRA_LABELS = {"exit_abuse_reported": (ABUSE_EXPERIENCED,)}

CIVIL_ORDER_TYPES = (
    "Non-molestation order",
    "Occupation order with power of arrest",
    "Order under Protection from Harassment Act",
    "Injunction under Forced Marriage Act with power of arrest",
    "Child arrangements order",
    "Prohibited steps order",
    "Specific issue order",
    "Other orders under the Children's Act",
)


def _model(name):
    from django.apps import apps

    return apps.get_model(name) if "." in name else getattr(outcome_models, name)


def _field_labels(model, name, table_key):
    field = model._meta.get_field(name)
    if field.many_to_many:
        assert field.related_model is Option
        assert field.remote_field.limit_choices_to == {"list_key": table_key}, name
        labels = list(
            Option.objects.of(table_key).filter(is_builtin=True).values_list("label", flat=True)
        )
        if any(f.name == f"{name}_dont_know" for f in model._meta.get_fields()):
            labels.append(DK)
        return tuple(labels)
    for value, label in field.choices:
        assert value == label, f"{name}: stored values are the seed's labels"
    return tuple(label for _value, label in field.choices)


def _check_form(form_name, fields, derived, elsewhere=None, elsewhere_derived=None):
    elsewhere = elsewhere or {}
    elsewhere_derived = elsewhere_derived or {}
    walked = [table for table in TABLES if table.form == form_name]
    assert walked, form_name
    for table in walked:
        homes = (fields, derived, elsewhere, elsewhere_derived)
        assert any(table.key in home for home in homes), (
            f"{table.key} ({table.question}) has no field on the {form_name} form"
        )
        catalogue = (*table.options, *((DK,) if table.has_dont_know else ()))
        if table.key in fields:
            model_name, field_name, seed_labels = fields[table.key]
            assert catalogue == seed_labels, f"the catalogue's {table.key} differs from the seed"
            expected = seed_labels
            if table.key in EXTRA_LABELS:
                options = seed_labels[:-1] if table.has_dont_know else seed_labels
                expected = (*options, *EXTRA_LABELS[table.key])
                expected += (DK,) if table.has_dont_know else ()
            key = table.key
            if model_name == "CivilOrder":
                key = "civil_order_non_molestation"
            got = _field_labels(_model(model_name), field_name, key)
            assert got == expected, f"{table.key}: {model_name}.{field_name}"
        elif table.key in derived:
            model_name, used = derived[table.key]
            names = {f.name for f in _model(model_name)._meta.get_fields()}
            assert set(used) <= names, table.key
        elif table.key in elsewhere_derived:
            model_name, field_name, source = elsewhere_derived[table.key]
            got = _field_labels(_model(model_name), field_name, source)
            assert set(table.options) <= set(got), table.key
        else:
            model_name, field_name = elsewhere[table.key]
            model = _model(model_name)
            if field_name == "case":
                continue
            got = _field_labels(model, field_name, table.key)
            # The cases app's multi-selects carry no "Don't know" flag (reported to its owner).
            assert got in (catalogue, table.options), f"{table.key}: {model_name}.{field_name}"


@pytest.mark.django_db
def test_intake_form_has_every_intake_table_of_the_seed():
    _check_form("intake", INTAKE_FIELDS, INTAKE_DERIVED, INTAKE_ELSEWHERE, INTAKE_ELSEWHERE_DERIVED)


@pytest.mark.django_db
def test_review_form_has_every_review_table_of_the_seed():
    _check_form("review", REVIEW_FIELDS, REVIEW_DERIVED)
    # The current levels at review use the intake's level labels.
    levels = ("High", "Moderate", "Standard", "None", DK)
    for name in ("level_physical", "level_sexual"):
        assert _field_labels(outcome_models.ReviewForm, name, "") == levels


@pytest.mark.django_db
def test_exit_form_has_every_exit_table_of_the_seed():
    _check_form("exit", EXIT_FIELDS, EXIT_DERIVED)
    relationship = _field_labels(outcome_models.ExitForm, "relationship_at_exit", "")
    assert relationship[:2] == ("Current intimate partner", "Ex-intimate partner")


@pytest.mark.django_db
def test_criminal_justice_form_has_every_criminal_justice_table_of_the_seed():
    _check_form("criminal_justice", CRIMINAL_JUSTICE_FIELDS, CRIMINAL_JUSTICE_DERIVED)


@pytest.mark.django_db
def test_civil_justice_form_has_every_civil_justice_table_of_the_seed():
    _check_form("civil_justice", CIVIL_JUSTICE_FIELDS, CIVIL_JUSTICE_DERIVED)
    order_types = outcome_models.CivilOrder._meta.get_field("order_type").choices
    assert tuple(label for _v, label in order_types) == CIVIL_ORDER_TYPES
    for label in CIVIL_ORDER_TYPES:
        assert any(t.scope == (label,) for t in TABLES if t.key.startswith("civil_order_"))


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


# The 6-month follow-up comes from Safety in Numbers (seed 001), which gives no question wording:
# what it says the follow-up asked or found (safety_in_numbers.FOLLOW_UP) -> the field that
# records it, and the answers that field takes.
FOLLOW_UP_FIELDS = {
    "recontacted": ("reached", ("Yes", "No")),
    "living_free_of_abuse": ("further_abuse", ("Yes", "No", DK)),
    "no_further_abuse": ("further_abuse", ("Yes", "No", DK)),
    "safety_wellbeing_sustained": ("feels_safe", ("Yes", "No", DK)),
    # Some did not come back because they had "let their IDVA down": the follow-up asks whether
    # they want support again and offers a new referral.
    "felt_unable_to_return": ("wants_service_again", ("Yes", "No", DK)),
}


@pytest.mark.django_db
def test_follow_up_has_a_field_for_everything_safety_in_numbers_follows_up():
    from cases.services import FOLLOW_UP_AFTER
    from catalogue import safety_in_numbers
    from outcomes.questions import FOLLOW_UP_QUESTIONS

    items = {item.key for item in safety_in_numbers.FOLLOW_UP}
    assert items == set(FOLLOW_UP_FIELDS)
    asked = {question.field for question in FOLLOW_UP_QUESTIONS}
    for key, (field_name, answers) in FOLLOW_UP_FIELDS.items():
        assert field_name in asked, key
        assert _field_labels(outcome_models.FollowUp, field_name, "") == answers, key
    assert FOLLOW_UP_AFTER.months == safety_in_numbers.FOLLOW_UP_AFTER_CLOSURE_MONTHS
