"""The questions of each outcome form, as data: which field answers which Insights table (seed 002),
in which section it is asked, when it applies, and whether it may be left unanswered at submit.

One list drives the form sections and progress, the "what is missing" check on submit and the
tests that walk the seed. Rules for leaving a question unanswered follow Insights: a question
whose table reports a "Missing" row (``table.has_missing``) may be submitted blank; any other
question must be answered ("Don't know" is an answer where the seed has it). A question that does
not apply (e.g. the details of physical abuse when none was reported) is neither asked nor missing.
"""

from dataclasses import dataclass

from catalogue.insights import TABLES_BY_KEY

SINGLE = "single"  # CharField with the table's options (+ "Don't know")
MULTI = "multi"  # many-to-many to cases.Option (list_key = table key), + `<field>_dont_know`
COUNT = "count"  # integer column
DATE = "date"  # date column
CHOICE = "choice"  # a Lantern-only choice (no Insights table)

LEVELS_PRESENT = frozenset({"High", "Moderate", "Standard"})


@dataclass(frozen=True)
class Question:
    field: str
    kind: str
    section: str
    table: str = ""  # the Insights table whose options the field has ("" for Lantern-only)
    # (field, values): asked only when that other answer is one of `values` (any of, for a
    # multi-select). None: always asked.
    applies_when: tuple[str, frozenset[str]] | None = None
    # None: take it from the table (has_missing); True/False: decided here (see `why`).
    allow_missing: bool | None = None
    why: str = ""
    # A multi-select where ticking nothing is itself an answer ("none of these").
    empty_is_answer: bool = False

    @property
    def insights_table(self):
        return TABLES_BY_KEY[self.table] if self.table else None

    @property
    def may_be_missing(self) -> bool:
        if self.allow_missing is not None:
            return self.allow_missing
        return bool(self.insights_table and self.insights_table.has_missing)

    @property
    def has_dont_know(self) -> bool:
        return bool(self.insights_table and self.insights_table.has_dont_know)

    @property
    def dont_know_field(self) -> str:
        """The boolean column that records "Don't know" for a multi-select."""
        return f"{self.field}_dont_know" if self.kind == MULTI and self.has_dont_know else ""


def _q(
    field,
    kind,
    section,
    table="",
    applies_when=None,
    allow_missing=None,
    why="",
    empty_is_answer=False,
):
    if applies_when is not None:
        applies_when = (applies_when[0], frozenset(applies_when[1]))
    return Question(field, kind, section, table, applies_when, allow_missing, why, empty_is_answer)


# --- Intake (Time 1) -------------------------------------------------------------------------

S_INTAKE = "Intake"
S_RISK = "Risk at intake"
S_CLIENT = "The client at intake"
S_ACE = "Childhood experiences"
S_LEVELS = "Abuse in the past 12 months"
S_HISTORY = "History and relationship"
S_HELP = "Help sought in the past 12 months"
S_PERP = "Primary perpetrator"
S_NEEDS = "Client needs at intake"
S_MH = "Mental health"
S_FUNDS = "Public funds and immigration"

_NEEDS = (
    "alcohol_misuse",
    "children_parenting",
    "drug_misuse",
    "employment_education_training",
    "finance_benefits_debt",
    "housing",
    "immigration",
    "mental_health",
    "physical_health",
    "social_community_support",
)

INTAKE_QUESTIONS: tuple[Question, ...] = (
    _q("completed_on", DATE, S_INTAKE, allow_missing=False, why="the intake date (Time 1)"),
    # Asked, not derived: the seed reports Don't know and Missing (issue 19, item 2).
    _q("high_risk", SINGLE, S_RISK, "high_risk"),
    _q("marac_discussed", SINGLE, S_RISK, "marac_discussed"),
    # As at intake, not as the client record says today (issue 19, item 4).
    _q("pregnant", SINGLE, S_CLIENT, "client_pregnant"),
    _q("disability", SINGLE, S_CLIENT, "client_disability"),
    _q(
        "disability_types",
        MULTI,
        S_CLIENT,
        "client_disability_type",
        applies_when=("disability", {"Yes"}),
    ),
    _q("employment", MULTI, S_CLIENT, "client_employment"),
    _q("financial_situation", SINGLE, S_CLIENT, "client_financial_situation"),
    _q("client_ace", SINGLE, S_ACE, "client_ace"),
    _q(
        "client_ace_types",
        MULTI,
        S_ACE,
        "client_ace_types",
        applies_when=("client_ace", {"Yes"}),
    ),
    _q("level_physical", SINGLE, S_LEVELS, "intake_level_physical"),
    _q(
        "physical_abuse_details",
        MULTI,
        S_LEVELS,
        "physical_abuse_details",
        applies_when=("level_physical", LEVELS_PRESENT),
    ),
    _q("level_sexual", SINGLE, S_LEVELS, "intake_level_sexual"),
    _q(
        "sexual_abuse_details",
        MULTI,
        S_LEVELS,
        "sexual_abuse_details",
        applies_when=("level_sexual", LEVELS_PRESENT),
    ),
    _q("level_harassment_stalking", SINGLE, S_LEVELS, "intake_level_harassment_stalking"),
    _q(
        "harassment_stalking_details",
        MULTI,
        S_LEVELS,
        "harassment_stalking_details",
        applies_when=("level_harassment_stalking", LEVELS_PRESENT),
    ),
    _q("level_jealous_controlling", SINGLE, S_LEVELS, "intake_level_jealous_controlling"),
    _q(
        "jealous_controlling_details",
        MULTI,
        S_LEVELS,
        "jealous_controlling_details",
        applies_when=("level_jealous_controlling", LEVELS_PRESENT),
    ),
    _q("forced_marriage", SINGLE, S_LEVELS, "intake_level_forced_marriage"),
    _q("honour_based", SINGLE, S_LEVELS, "intake_level_honour_based"),
    _q("fgm", SINGLE, S_LEVELS, "intake_level_fgm"),
    _q("abuse_length", SINGLE, S_HISTORY, "abuse_length"),
    _q("previous_abuse_exposure", MULTI, S_HISTORY, "previous_abuse_exposure"),
    _q("primary_perpetrator_relationship", SINGLE, S_HISTORY, "primary_perpetrator_relationship"),
    _q("living_with_perpetrator", SINGLE, S_HISTORY, "living_with_perpetrator"),
    _q(
        "not_living_together_reason",
        SINGLE,
        S_HISTORY,
        "not_living_together_reason",
        applies_when=("living_with_perpetrator", {"Not living together"}),
    ),
    _q("abuse_typology", SINGLE, S_HISTORY, "abuse_typology"),
    _q("multiple_perpetrators", SINGLE, S_HISTORY, "multiple_perpetrators"),
    _q(
        "additional_perpetrators_relationship",
        MULTI,
        S_HISTORY,
        "additional_perpetrators_relationship",
        applies_when=("multiple_perpetrators", {"Yes"}),
    ),
    _q(
        "help_sought",
        MULTI,
        S_HELP,
        "past_12_months_help_seeking",
        why="each option is a yes/no: ticking none means none of these happened",
        empty_is_answer=True,
    ),
    # The number of times, asked for each ticked option; the averages skip unknown counts.
    _q(
        "times_ae",
        COUNT,
        S_HELP,
        applies_when=("help_sought", {"The client has visited A&E"}),
        allow_missing=True,
    ),
    _q(
        "times_police",
        COUNT,
        S_HELP,
        applies_when=("help_sought", {"The client has gone to the police"}),
        allow_missing=True,
    ),
    _q(
        "times_dva_service",
        COUNT,
        S_HELP,
        applies_when=(
            "help_sought",
            {"The client has engaged with another DVA service or been in refuge"},
        ),
        allow_missing=True,
    ),
    _q(
        "attempts_to_end",
        COUNT,
        S_HELP,
        applies_when=("help_sought", {"The client has attempted to end the abusive relationship"}),
        allow_missing=True,
    ),
    _q("perpetrator_sex_at_birth", SINGLE, S_PERP, "perpetrator_sex_at_birth"),
    _q("perpetrator_gender_identity", MULTI, S_PERP, "perpetrator_gender_identity"),
    _q("perpetrator_multiple_victims", SINGLE, S_PERP, "perpetrator_multiple_victims"),
    _q("perpetrator_need_mental_health", SINGLE, S_PERP, "perpetrator_need_mental_health"),
    _q("perpetrator_need_drugs", SINGLE, S_PERP, "perpetrator_need_drugs"),
    _q("perpetrator_need_alcohol", SINGLE, S_PERP, "perpetrator_need_alcohol"),
    *(_q(f"need_{area}", SINGLE, S_NEEDS, f"intake_need_{area}") for area in _NEEDS),
    _q(
        "mental_health_symptoms",
        MULTI,
        S_MH,
        "mental_health_symptoms",
        applies_when=("need_mental_health", {"Yes"}),
    ),
    _q(
        "mental_health_diagnosed",
        SINGLE,
        S_MH,
        "mental_health_diagnosed",
        applies_when=("need_mental_health", {"Yes"}),
    ),
    _q(
        "mental_health_diagnoses",
        MULTI,
        S_MH,
        "mental_health_diagnoses",
        applies_when=("mental_health_diagnosed", {"Yes"}),
    ),
    _q(
        "public_funds_access",
        SINGLE,
        S_FUNDS,
        "public_funds_access",
        applies_when=("need_finance_benefits_debt", {"Yes"}),
    ),
    _q(
        "ilr_needed",
        SINGLE,
        S_FUNDS,
        "ilr_needed",
        applies_when=("need_immigration", {"Yes"}),
    ),
    _q(
        "visa_dependent",
        SINGLE,
        S_FUNDS,
        "visa_dependent",
        applies_when=("need_immigration", {"Yes"}),
    ),
)

# Counts that go with a ticked help-seeking option (option label -> count field).
HELP_SOUGHT_COUNTS = {
    "The client has visited A&E": "times_ae",
    "The client has gone to the police": "times_police",
    "The client has engaged with another DVA service or been in refuge": "times_dva_service",
    "The client has attempted to end the abusive relationship": "attempts_to_end",
}

# --- Review ----------------------------------------------------------------------------------

S_REVIEW = "Review"
S_REVIEW_LEVELS = "Current levels of abuse"

REVIEW_QUESTIONS: tuple[Question, ...] = (
    _q("reviewed_on", DATE, S_REVIEW, allow_missing=False, why="the review date"),
    _q("reason", CHOICE, S_REVIEW, allow_missing=False, why="why the review took place"),
    _q("further_abuse", SINGLE, S_REVIEW, "review_further_abuse"),
    _q("further_abuse_disclosed", SINGLE, S_REVIEW, "review_further_abuse_disclosed"),
    # The current levels answer 'Multiple types of abuse [Case review data]', a derived table;
    # the seed prints no Missing row for it but has one for the levels it derives from.
    _q("level_physical", SINGLE, S_REVIEW_LEVELS, "intake_level_physical", allow_missing=True),
    _q("level_sexual", SINGLE, S_REVIEW_LEVELS, "intake_level_sexual", allow_missing=True),
    _q(
        "level_harassment_stalking",
        SINGLE,
        S_REVIEW_LEVELS,
        "intake_level_harassment_stalking",
        allow_missing=True,
    ),
    _q(
        "level_jealous_controlling",
        SINGLE,
        S_REVIEW_LEVELS,
        "intake_level_jealous_controlling",
        allow_missing=True,
    ),
)

# --- Exit (Time 2) ---------------------------------------------------------------------------

S_EXIT = "Case status at exit"
S_EXIT_LEVELS = "Levels of abuse at exit"
S_RELATIONSHIP = "Relationship and contact"
S_CLIENT_OUTCOMES = "Client-reported outcomes"
S_AGENCIES = "Agencies"

EXIT_QUESTIONS: tuple[Question, ...] = (
    _q("exit_date", DATE, S_EXIT, allow_missing=False, why="the exit date (Time 2)"),
    _q("case_status", SINGLE, S_EXIT, "exit_case_status"),
    _q(
        "unplanned_closure_reason",
        SINGLE,
        S_EXIT,
        "unplanned_closure_reason",
        applies_when=("case_status", {"Unplanned closure"}),
    ),
    _q("level_physical", SINGLE, S_EXIT_LEVELS, "exit_level_physical"),
    _q("level_sexual", SINGLE, S_EXIT_LEVELS, "exit_level_sexual"),
    _q("level_harassment_stalking", SINGLE, S_EXIT_LEVELS, "exit_level_harassment_stalking"),
    _q("level_jealous_controlling", SINGLE, S_EXIT_LEVELS, "exit_level_jealous_controlling"),
    _q("abuse_since", SINGLE, S_EXIT_LEVELS, "exit_abuse_reported"),
    _q(
        "escalation_severity",
        SINGLE,
        S_EXIT_LEVELS,
        allow_missing=False,
        why="answers 'Escalation of abuse' (derived, no Missing row)",
    ),
    _q("escalation_frequency", SINGLE, S_EXIT_LEVELS, allow_missing=False),
    _q(
        "relationship_at_exit",
        SINGLE,
        S_RELATIONSHIP,
        "primary_perpetrator_relationship",
        why="compared with the intake answer for 'Change in relationship'",
    ),
    _q("living_arrangement", SINGLE, S_RELATIONSHIP, "exit_living_arrangement"),
    _q("ongoing_contact", SINGLE, S_RELATIONSHIP, "ongoing_contact"),
    _q(
        "ongoing_contact_reasons",
        MULTI,
        S_RELATIONSHIP,
        "ongoing_contact_reason",
        applies_when=("ongoing_contact", {"Yes"}),
    ),
    _q(
        "child_contact_conflict",
        SINGLE,
        S_RELATIONSHIP,
        "child_contact_conflict",
        applies_when=("ongoing_contact_reasons", {"Children"}),
    ),
    _q(
        "child_contact_abuse",
        SINGLE,
        S_RELATIONSHIP,
        "child_contact_abuse",
        applies_when=("ongoing_contact_reasons", {"Children"}),
    ),
    _q("outcome_feel_safer", SINGLE, S_CLIENT_OUTCOMES, "client_outcome_feel_safer"),
    _q("outcome_wellbeing", SINGLE, S_CLIENT_OUTCOMES, "client_outcome_wellbeing"),
    _q("outcome_quality_of_life", SINGLE, S_CLIENT_OUTCOMES, "client_outcome_quality_of_life"),
    _q("outcome_optimistic", SINGLE, S_CLIENT_OUTCOMES, "client_outcome_optimistic"),
    _q("outcome_confident", SINGLE, S_CLIENT_OUTCOMES, "client_outcome_confident"),
    _q("client_helpful_agencies", MULTI, S_AGENCIES, "client_helpful_agencies"),
    _q("caseworker_helpful_agencies", MULTI, S_AGENCIES, "caseworker_helpful_agencies"),
    _q("caseworker_challenging_agencies", MULTI, S_AGENCIES, "caseworker_challenging_agencies"),
)

# "Abuse reported at exit" prints only the two 'no abuse' answers; the rest of n experienced
# abuse, so the question needs this third answer (the reports count it in n, not as a row).
ABUSE_EXPERIENCED = "Abuse experienced since intake or last review"

# --- Criminal justice --------------------------------------------------------------------------

S_CJ = "Police reports"
S_REPORT = "Police report"

CRIMINAL_JUSTICE_QUESTIONS: tuple[Question, ...] = (
    _q(
        "police_reports_count",
        COUNT,
        S_CJ,
        allow_missing=False,
        why="checked against the police reports recorded",
    ),
)

POLICE_REPORT_QUESTIONS: tuple[Question, ...] = (
    _q("timing", SINGLE, S_REPORT, "police_report_timing"),
    _q("incidents_count", COUNT, S_REPORT, allow_missing=False, why="checked against incidents"),
    _q("special_measures", SINGLE, S_REPORT, "cj_special_measures"),
    _q(
        "perpetrator_penalties",
        MULTI,
        S_REPORT,
        "cj_perpetrator_penalties",
        why="no penalty (yet) is a real answer: the seed's % include reports without one",
        empty_is_answer=True,
    ),
    _q("idva_support", MULTI, S_REPORT, "cj_idva_support"),
)

INCIDENT_QUESTIONS: tuple[Question, ...] = (
    _q("offence", SINGLE, "Incident", "cj_incidents"),
    _q("consequence", SINGLE, "Incident", "cj_consequences"),
    _q(
        "nfa_reason",
        SINGLE,
        "Incident",
        "cj_nfa_reason",
        applies_when=("consequence", {"Police report - NFA (no further action)"}),
    ),
)

# --- Civil justice -----------------------------------------------------------------------------

S_CIVIL = "Civil justice"
S_ORDERS = "Civil orders"

# Order type (the seed's matrix row label) -> its Insights table.
CIVIL_ORDER_TABLES = {
    TABLES_BY_KEY[key].scope[0]: key
    for key in (
        "civil_order_non_molestation",
        "civil_order_occupation",
        "civil_order_harassment_act",
        "civil_order_forced_marriage",
        "civil_order_child_arrangements",
        "civil_order_prohibited_steps",
        "civil_order_specific_issue",
        "civil_order_childrens_act_other",
    )
}

CIVIL_JUSTICE_QUESTIONS: tuple[Question, ...] = (
    _q("legal_aid", SINGLE, S_CIVIL, "civil_legal_aid"),
    _q("idva_support", MULTI, S_CIVIL, "civil_idva_support"),
)

# --- Follow-up six months after closure --------------------------------------------------------

S_FOLLOW_UP = "Follow-up"
S_SINCE = "Since the case closed"

FOLLOW_UP_QUESTIONS: tuple[Question, ...] = (
    _q("followed_up_on", DATE, S_FOLLOW_UP, allow_missing=False, why="the follow-up date"),
    _q("reached", SINGLE, S_FOLLOW_UP, allow_missing=False, why="whether the client was reached"),
    _q("further_abuse", SINGLE, S_SINCE, applies_when=("reached", {"Yes"}), allow_missing=False),
    _q("feels_safe", SINGLE, S_SINCE, applies_when=("reached", {"Yes"}), allow_missing=False),
    _q(
        "wants_service_again",
        SINGLE,
        S_SINCE,
        applies_when=("reached", {"Yes"}),
        allow_missing=False,
    ),
)

# Multi-select lists this app keeps in cases.Option (synced after every migrate).
OPTION_LISTS = tuple(
    sorted(
        {
            q.table
            for questions in (
                INTAKE_QUESTIONS,
                EXIT_QUESTIONS,
                POLICE_REPORT_QUESTIONS,
                CIVIL_JUSTICE_QUESTIONS,
            )
            for q in questions
            if q.kind == MULTI
        }
    )
)


def sections(questions) -> list[tuple[str, list[Question]]]:
    """Questions grouped by section, in order."""
    grouped: dict[str, list[Question]] = {}
    for question in questions:
        grouped.setdefault(question.section, []).append(question)
    return list(grouped.items())


def applies(question: Question, answers: dict) -> bool:
    if question.applies_when is None:
        return True
    field, values = question.applies_when
    value = answers.get(field)
    if isinstance(value, (set, frozenset, list, tuple)):
        # Labels, or the Option rows themselves (as a form's cleaned data holds them).
        return bool(values & {getattr(item, "label", item) for item in value})
    return value in values


def is_answered(question: Question, answers: dict) -> bool:
    value = answers.get(question.field)
    if question.kind == MULTI:
        if question.empty_is_answer:
            return True
        return bool(value) or bool(answers.get(question.dont_know_field))
    return value not in (None, "")


def unanswered(questions, answers: dict) -> tuple[list[Question], list[Question]]:
    """(required questions not answered, questions left as Missing), among those that apply."""
    required, gaps = [], []
    for question in questions:
        if not applies(question, answers) or is_answered(question, answers):
            continue
        (gaps if question.may_be_missing else required).append(question)
    return required, gaps
