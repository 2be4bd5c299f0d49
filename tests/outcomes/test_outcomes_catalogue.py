"""Each outcome form after intake has a field for every Insights table (seed 002) it records,
with exactly the seed's labels. The expected labels below are copied from the seed ("Insights
Idva dataset 2019-20"), not read back from the catalogue: if the catalogue or a field drifts from
the seed, these tests fail. Each test walks the seed's tables of its form, so a table with no
field (and no stated derivation or other home) fails too.

The intake form's tables are in test_outcomes_catalogue_intake.py; the shared check is in
catalogue_check.py.
"""

import pytest

from catalogue.insights import TABLES
from outcomes import models as outcome_models

from .catalogue_check import DK, LEVELS, check_form, field_labels

# table key -> (model, field, the seed's labels, "Don't know" last where the seed has it)

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
REVIEW_DERIVED = {
    "review_point": ("ReviewForm", ("reviewed_on", "status")),
    "review_multiple_abuse_types": ("ReviewForm", LEVELS),
}
EXIT_DERIVED = {
    "exit_multiple_abuse_types": ("ExitForm", LEVELS),
    "change_level_physical": ("ExitForm", ("level_physical",)),
    "change_level_sexual": ("ExitForm", ("level_sexual",)),
    "change_level_harassment_stalking": ("ExitForm", ("level_harassment_stalking",)),
    "change_level_jealous_controlling": ("ExitForm", ("level_jealous_controlling",)),
    "exit_escalation": ("ExitForm", ("escalation_severity", "escalation_frequency", *LEVELS)),
    "relationship_change": ("ExitForm", ("relationship_at_exit",)),
}
CRIMINAL_JUSTICE_DERIVED = {
    "cj_supported": ("CriminalJusticeForm", ("status",)),
    "police_report_statistics": ("PoliceReport", ("form", "incidents_count")),
}
CIVIL_JUSTICE_DERIVED = {
    "civil_supported": ("CivilJusticeForm", ("status",)),
}

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


@pytest.mark.django_db
def test_review_form_has_every_review_table_of_the_seed():
    check_form("review", REVIEW_FIELDS, REVIEW_DERIVED)
    # The current levels at review use the intake's level labels.
    levels = ("High", "Moderate", "Standard", "None", DK)
    for name in ("level_physical", "level_sexual"):
        assert field_labels(outcome_models.ReviewForm, name, "") == levels


@pytest.mark.django_db
def test_exit_form_has_every_exit_table_of_the_seed():
    check_form("exit", EXIT_FIELDS, EXIT_DERIVED)
    relationship = field_labels(outcome_models.ExitForm, "relationship_at_exit", "")
    assert relationship[:2] == ("Current intimate partner", "Ex-intimate partner")


@pytest.mark.django_db
def test_criminal_justice_form_has_every_criminal_justice_table_of_the_seed():
    check_form("criminal_justice", CRIMINAL_JUSTICE_FIELDS, CRIMINAL_JUSTICE_DERIVED)


@pytest.mark.django_db
def test_civil_justice_form_has_every_civil_justice_table_of_the_seed():
    check_form("civil_justice", CIVIL_JUSTICE_FIELDS, CIVIL_JUSTICE_DERIVED)
    order_types = outcome_models.CivilOrder._meta.get_field("order_type").choices
    assert tuple(label for _v, label in order_types) == CIVIL_ORDER_TYPES
    for label in CIVIL_ORDER_TYPES:
        assert any(t.scope == (label,) for t in TABLES if t.key.startswith("civil_order_"))


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
        assert field_labels(outcome_models.FollowUp, field_name, "") == answers, key
    assert FOLLOW_UP_AFTER.months == safety_in_numbers.FOLLOW_UP_AFTER_CLOSURE_MONTHS
